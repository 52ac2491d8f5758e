//! A scenario is one complete alignment: unit -> territory plus account overrides.
//!
//! Invariants (checked by `Scenario::check`):
//! - `unit_territory` has one entry per project unit;
//! - every territory id used by units and overrides exists in `territories`;
//! - territory ids are unique and below `next_territory_id`.

use super::entities::{Rgb, Territory};
use super::ids::{AccountId, RepId, ScenarioId, TerritoryId, UnitId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// A broken invariant of a project or scenario (a damaged or hand-edited file, or a bug).
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{0}")]
pub struct Inconsistency(pub String);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub id: ScenarioId,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Territories in display order.
    pub territories: Vec<Territory>,
    /// For each unit (by index), its territory; `None` is unassigned.
    pub unit_territory: Vec<Option<TerritoryId>>,
    /// Accounts that belong to a territory regardless of their unit.
    #[serde(default)]
    pub account_overrides: BTreeMap<AccountId, TerritoryId>,
    pub next_territory_id: u32,
    /// The quotas set for this scenario, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas: Option<super::quota::QuotaPlan>,
}

impl Scenario {
    pub fn new(id: ScenarioId, name: impl Into<String>, unit_count: usize) -> Self {
        Self {
            id,
            name: name.into(),
            description: String::new(),
            territories: Vec::new(),
            unit_territory: vec![None; unit_count],
            account_overrides: BTreeMap::new(),
            next_territory_id: 0,
            quotas: None,
        }
    }

    pub fn territory(&self, id: TerritoryId) -> Option<&Territory> {
        self.territories.iter().find(|t| t.id == id)
    }

    pub fn territory_mut(&mut self, id: TerritoryId) -> Option<&mut Territory> {
        self.territories.iter_mut().find(|t| t.id == id)
    }

    pub fn territory_position(&self, id: TerritoryId) -> Option<usize> {
        self.territories.iter().position(|t| t.id == id)
    }

    pub fn territory_by_name(&self, name: &str) -> Option<&Territory> {
        self.territories.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    pub fn territory_of_rep(&self, rep: RepId) -> Option<&Territory> {
        self.territories.iter().find(|t| t.rep == Some(rep))
    }

    /// Adds a territory with a fresh id at the end (used to build scenarios; interactive
    /// edits go through `Command::CreateTerritory`).
    pub fn push_territory(&mut self, name: impl Into<String>, color: Rgb, rep: Option<RepId>) -> TerritoryId {
        let id = self.allocate_territory_id();
        self.territories.push(Territory { id, name: name.into(), color, rep, locked: false, region: None });
        id
    }

    pub fn allocate_territory_id(&mut self) -> TerritoryId {
        let id = TerritoryId(self.next_territory_id);
        self.next_territory_id += 1;
        id
    }

    pub fn unit_territory(&self, unit: UnitId) -> Option<TerritoryId> {
        self.unit_territory.get(unit.index()).copied().flatten()
    }

    /// The territory an account belongs to: its override if any, else its unit's.
    pub fn account_territory(&self, account: AccountId, unit: Option<UnitId>) -> Option<TerritoryId> {
        if let Some(t) = self.account_overrides.get(&account) {
            return Some(*t);
        }
        unit.and_then(|u| self.unit_territory(u))
    }

    /// The scenario's regions by name, in the order territories list them.
    pub fn regions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in self.territories.iter().filter_map(|t| t.region.as_deref()) {
            if !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
        }
        out
    }

    /// Territories of a region (`None`: those in no region).
    pub fn territories_in_region<'a>(&'a self, region: Option<&'a str>) -> impl Iterator<Item = &'a Territory> + 'a {
        self.territories.iter().filter(move |t| t.region.as_deref() == region)
    }

    pub fn is_locked(&self, id: TerritoryId) -> bool {
        self.territory(id).is_some_and(|t| t.locked)
    }

    /// Checks the invariants listed at the top of this module.
    pub fn check(&self, unit_count: usize, account_count: usize) -> Result<(), Inconsistency> {
        let fail = |text: String| Err(Inconsistency(text));
        if self.unit_territory.len() != unit_count {
            return fail(format!(
                "scenario '{}' assigns {} units but the project has {}",
                self.name,
                self.unit_territory.len(),
                unit_count
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.territories {
            if !seen.insert(t.id) {
                return fail(format!("scenario '{}' has two territories with id {}", self.name, t.id.0));
            }
            if t.id.0 >= self.next_territory_id {
                return fail(format!("scenario '{}': territory id {} is not below next_territory_id", self.name, t.id.0));
            }
        }
        for (unit, t) in self.unit_territory.iter().enumerate() {
            if let Some(t) = t {
                if !seen.contains(t) {
                    return fail(format!("scenario '{}': unit {unit} refers to missing territory {}", self.name, t.0));
                }
            }
        }
        for (account, t) in &self.account_overrides {
            if account.index() >= account_count {
                return fail(format!("scenario '{}': override for missing account {}", self.name, account.0));
            }
            if !seen.contains(t) {
                return fail(format!("scenario '{}': account {} overridden to missing territory {}", self.name, account.0, t.0));
            }
        }
        Ok(())
    }
}
