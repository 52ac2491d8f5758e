//! Every edit is a `Command`: of a scenario's alignment, of the project (reps, workload
//! model) or of the set of scenarios. Applying one validates it fully, mutates, and
//! returns the `Effects` (what changed, for incremental metrics and redraws) and the
//! inverse command (for undo). A refused command changes nothing.

use super::entities::{Account, LonLat, Rep, Rgb, Territory};
use super::history::History;
use super::ids::{AccountId, RepId, ScenarioId, TerritoryId, UnitId};
use super::project::Project;
use super::scenario::Scenario;
use super::settings::Settings;
use std::collections::BTreeSet;
use thiserror::Error;

/// A change of one property of a territory.
#[derive(Clone, Debug, PartialEq)]
pub enum TerritoryChange {
    Name(String),
    Color(Rgb),
    Rep(Option<RepId>),
    Locked(bool),
    Region(Option<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Sets the territory of each listed unit (`None` = unassigned).
    SetUnitTerritories(Vec<(UnitId, Option<TerritoryId>)>),
    /// Sets or clears (`None`) the territory override of each listed account.
    SetAccountOverrides(Vec<(AccountId, Option<TerritoryId>)>),
    /// Inserts a territory at a display position, then sets the id counter.
    InsertTerritory { position: usize, territory: Territory, next_territory_id: u32 },
    /// Removes an empty territory (no units, no overrides), then sets the id counter.
    RemoveTerritory { id: TerritoryId, next_territory_id: u32 },
    UpdateTerritory { id: TerritoryId, change: TerritoryChange },
    /// Several commands as one undo step.
    Batch { label: String, commands: Vec<Command> },
    /// Replaces the workload model: the project's settings and each rep's capacity and
    /// experience. A project-level edit (see `Project::apply_command`).
    SetModel { settings: Box<Settings>, capacities: Vec<(RepId, f64, f64)> },
    /// Adds a rep to the project (project-level; its id must be the next free one).
    AddRep { rep: Box<Rep> },
    /// Removes the last rep (the inverse of `AddRep`; refused while a territory uses it).
    RemoveRep { id: RepId },
    /// Moves a rep's home base (project-level): drive times follow.
    SetRepHome { rep: RepId, home: LonLat },
    /// Records (or forgets) the road network kept beside the project file
    /// (project-level).
    SetRoadNetwork { info: Option<Box<super::project::RoadNetworkInfo>> },
    /// Adds a scenario at a position in the list and makes it active; `history` is the
    /// undo history it had (a deleted scenario coming back), kept by the session;
    /// `baseline` makes it the baseline. Its id must be unused.
    InsertScenario { label: String, position: usize, scenario: Box<Scenario>, history: Option<Box<History>>, baseline: bool },
    /// Removes a scenario (not the last one). `then_active` becomes active; `None`
    /// keeps the active one, or the baseline when the active one goes. If the baseline
    /// goes, the first remaining scenario becomes the baseline.
    RemoveScenario { id: ScenarioId, then_active: Option<ScenarioId> },
    RenameScenario { id: ScenarioId, name: String },
    SetBaseline { id: ScenarioId },
    /// Sets (or clears) a scenario's quotas.
    SetQuotas { id: ScenarioId, quotas: Option<Box<super::quota::QuotaPlan>> },
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum CommandError {
    #[error("territory '{0}' is locked: unlock it before changing its ZIPs, accounts or rep")]
    Locked(String),
    #[error("there is no territory with id {0}")]
    NoSuchTerritory(u32),
    #[error("there is no unit with id {0}")]
    NoSuchUnit(u32),
    #[error("there is no account with id {0}")]
    NoSuchAccount(u32),
    #[error("there is no rep with id {0}")]
    NoSuchRep(u32),
    #[error("territory '{0}' still has ZIPs or accounts; reassign them first")]
    NotEmpty(String),
    #[error("a territory with id {0} already exists")]
    DuplicateTerritory(u32),
    #[error("no other unlocked territory can take the ZIPs")]
    NoReceiver,
    #[error("there is no scenario with id {0}")]
    NoSuchScenario(u32),
    #[error("a scenario with id {0} already exists")]
    DuplicateScenario(u32),
    #[error("a scenario needs a name")]
    EmptyScenarioName,
    #[error("there is already a scenario named '{0}'")]
    ScenarioNameTaken(String),
    #[error("a project keeps at least one scenario")]
    LastScenario,
    #[error("{0}")]
    Invalid(String),
}

/// An account whose effective territory changed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccountMove {
    pub account: AccountId,
    pub from: Option<TerritoryId>,
    pub to: Option<TerritoryId>,
}

/// What a command changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// Units whose territory changed: (unit, from, to).
    pub units: Vec<(UnitId, Option<TerritoryId>, Option<TerritoryId>)>,
    /// Accounts whose effective territory changed, in the order the changes happened.
    pub accounts: Vec<AccountMove>,
    /// Accounts whose override changed (even if the effective territory did not).
    pub overrides: Vec<AccountId>,
    /// Territories whose rep changed (drive times must be recomputed).
    pub rep_changed: Vec<TerritoryId>,
    /// Territories whose name, colour or lock changed.
    pub props_changed: Vec<TerritoryId>,
    /// Territories were added or removed.
    pub structure_changed: bool,
    /// Settings or rep capacities changed: every figure must be recomputed.
    pub model_changed: bool,
    /// Scenarios were added, removed, renamed or the baseline changed.
    pub scenarios_changed: bool,
    /// The scenario that becomes active after this edit (one added, or the one to go
    /// back to when the active one is removed).
    pub activate: Option<ScenarioId>,
}

impl Effects {
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
            && self.accounts.is_empty()
            && self.overrides.is_empty()
            && self.rep_changed.is_empty()
            && self.props_changed.is_empty()
            && !self.structure_changed
            && !self.model_changed
            && !self.scenarios_changed
            && self.activate.is_none()
    }

    pub fn merge(&mut self, other: Effects) {
        self.units.extend(other.units);
        self.accounts.extend(other.accounts);
        self.overrides.extend(other.overrides);
        self.rep_changed.extend(other.rep_changed);
        self.props_changed.extend(other.props_changed);
        self.structure_changed |= other.structure_changed;
        self.model_changed |= other.model_changed;
        self.scenarios_changed |= other.scenarios_changed;
        self.activate = other.activate.or(self.activate);
    }

    /// Every territory touched in any way.
    pub fn touched_territories(&self) -> BTreeSet<TerritoryId> {
        let mut set = BTreeSet::new();
        for (_, from, to) in &self.units {
            set.extend(from.iter().chain(to.iter()).copied());
        }
        for m in &self.accounts {
            set.extend(m.from.iter().chain(m.to.iter()).copied());
        }
        set.extend(self.rep_changed.iter().copied());
        set.extend(self.props_changed.iter().copied());
        set
    }
}

/// What the project offers a command besides the scenario it edits.
pub struct CommandContext<'a> {
    pub accounts: &'a [Account],
    pub unit_accounts: &'a [Vec<AccountId>],
    pub rep_count: usize,
}

/// The result of applying a command.
pub struct Applied {
    pub effects: Effects,
    pub inverse: Command,
}

impl Command {
    /// Edits of the project (reps, settings, scenarios) rather than of one scenario's
    /// alignment.
    pub fn is_project_level(&self) -> bool {
        match self {
            Command::SetModel { .. } | Command::AddRep { .. } | Command::RemoveRep { .. } | Command::SetRepHome { .. } | Command::SetRoadNetwork { .. } => true,
            Command::Batch { commands, .. } => commands.iter().any(Command::is_project_level),
            command => command.is_scenario_level(),
        }
    }

    /// Edits of the set of scenarios: they may change which scenario is active, so they
    /// stand alone (never inside a batch or a gesture).
    pub fn is_scenario_level(&self) -> bool {
        matches!(
            self,
            Command::InsertScenario { .. } | Command::RemoveScenario { .. } | Command::RenameScenario { .. } | Command::SetBaseline { .. } | Command::SetQuotas { .. }
        )
    }

    /// Adds `scenario` at the end of the list (its id must be the project's next free
    /// one, see `Project::next_scenario`).
    pub fn add_scenario(label: impl Into<String>, scenario: Scenario) -> Command {
        Command::InsertScenario { label: label.into(), position: usize::MAX, scenario: Box::new(scenario), history: None, baseline: false }
    }

    pub fn remove_scenario(id: ScenarioId) -> Command {
        Command::RemoveScenario { id, then_active: None }
    }

    pub fn rename_scenario(id: ScenarioId, name: impl Into<String>) -> Command {
        Command::RenameScenario { id, name: name.into() }
    }

    pub fn set_baseline(id: ScenarioId) -> Command {
        Command::SetBaseline { id }
    }

    /// Takes the undo history out of an `InsertScenario` (the session keeps histories).
    pub fn take_history(&mut self) -> Option<History> {
        match self {
            Command::InsertScenario { history, .. } => history.take().map(|h| *h),
            _ => None,
        }
    }

    /// Puts a removed scenario's history into the `InsertScenario` that brings it back.
    pub fn attach_history(&mut self, restored: Option<History>) {
        if let Command::InsertScenario { history, .. } = self {
            *history = restored.map(Box::new);
        }
    }

    /// Assigns units to a territory (or unassigns them with `None`).
    pub fn assign_units(units: impl IntoIterator<Item = UnitId>, to: Option<TerritoryId>) -> Command {
        Command::SetUnitTerritories(units.into_iter().map(|u| (u, to)).collect())
    }

    /// Makes accounts belong to a territory regardless of their unit.
    pub fn assign_accounts(accounts: impl IntoIterator<Item = AccountId>, to: TerritoryId) -> Command {
        Command::SetAccountOverrides(accounts.into_iter().map(|a| (a, Some(to))).collect())
    }

    /// Removes the overrides of accounts: they follow their unit again.
    pub fn clear_overrides(accounts: impl IntoIterator<Item = AccountId>) -> Command {
        Command::SetAccountOverrides(accounts.into_iter().map(|a| (a, None)).collect())
    }

    /// Creates a territory at the end of the list; returns the command and the new id.
    pub fn create_territory(
        scenario: &Scenario,
        name: impl Into<String>,
        color: Rgb,
        rep: Option<RepId>,
    ) -> (Command, TerritoryId) {
        let id = TerritoryId(scenario.next_territory_id);
        let territory = Territory { id, name: name.into(), color, rep, locked: false, region: None };
        let cmd = Command::InsertTerritory {
            position: scenario.territories.len(),
            territory,
            next_territory_id: scenario.next_territory_id + 1,
        };
        (cmd, id)
    }

    /// Deletes a territory: its units become unassigned and overrides to it are cleared.
    pub fn delete_territory(scenario: &Scenario, id: TerritoryId) -> Command {
        let units: Vec<_> = scenario
            .unit_territory
            .iter()
            .enumerate()
            .filter(|(_, t)| **t == Some(id))
            .map(|(u, _)| (UnitId(u as u32), None))
            .collect();
        let overrides: Vec<_> = scenario
            .account_overrides
            .iter()
            .filter(|(_, t)| **t == id)
            .map(|(a, _)| (*a, None))
            .collect();
        let name = scenario.territory(id).map(|t| t.name.clone()).unwrap_or_default();
        Command::Batch {
            label: format!("Delete territory {name}"),
            commands: vec![
                Command::SetUnitTerritories(units),
                Command::SetAccountOverrides(overrides),
                Command::RemoveTerritory { id, next_territory_id: scenario.next_territory_id },
            ],
        }
    }

    pub fn rename_territory(id: TerritoryId, name: impl Into<String>) -> Command {
        Command::UpdateTerritory { id, change: TerritoryChange::Name(name.into()) }
    }

    pub fn recolor_territory(id: TerritoryId, color: Rgb) -> Command {
        Command::UpdateTerritory { id, change: TerritoryChange::Color(color) }
    }

    pub fn set_territory_rep(id: TerritoryId, rep: Option<RepId>) -> Command {
        Command::UpdateTerritory { id, change: TerritoryChange::Rep(rep) }
    }

    /// Gives territories new colours in one step (e.g. so that neighbours differ).
    pub fn recolour_territories(label: impl Into<String>, colours: Vec<(TerritoryId, Rgb)>) -> Command {
        Command::Batch { label: label.into(), commands: colours.into_iter().map(|(id, c)| Command::recolor_territory(id, c)).collect() }
    }

    pub fn set_locked(id: TerritoryId, locked: bool) -> Command {
        Command::UpdateTerritory { id, change: TerritoryChange::Locked(locked) }
    }

    /// Puts territories in a region (`None`: in no region) as one step. A blank name
    /// means no region.
    pub fn set_region(territories: &[TerritoryId], region: Option<&str>) -> Command {
        let region = region.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        let label = match &region {
            Some(r) => format!("Move {} to region {r}", crate::format::count(territories.len(), "territory", "territories")),
            None => format!("Take {} out of its region", crate::format::count(territories.len(), "territory", "territories")),
        };
        let commands = territories.iter().map(|id| Command::UpdateTerritory { id: *id, change: TerritoryChange::Region(region.clone()) }).collect();
        Command::Batch { label, commands }
    }

    /// Renames a region: every territory in it moves to the new name, as one step.
    pub fn rename_region(scenario: &Scenario, from: &str, to: &str) -> Command {
        let ids: Vec<TerritoryId> = scenario.territories_in_region(Some(from)).map(|t| t.id).collect();
        let mut cmd = Command::set_region(&ids, Some(to));
        if let Command::Batch { label, .. } = &mut cmd {
            *label = format!("Rename region {from} to {}", to.trim());
        }
        cmd
    }

    /// A short description for menus and the status bar ("Undo: ..."); `scenario` is
    /// the one the command applies to.
    pub fn label(&self, project: &Project, scenario: &Scenario) -> String {
        let name = |id: TerritoryId| scenario.territory(id).map(|t| t.name.clone()).unwrap_or_else(|| id.to_string());
        let scenario_name = |id: ScenarioId| project.scenario(id).map(|s| s.name.clone()).unwrap_or_else(|| format!("#{}", id.0));
        match self {
            Command::SetUnitTerritories(list) => {
                let targets: BTreeSet<_> = list.iter().map(|(_, t)| *t).collect();
                let count = list.len();
                let noun = if count == 1 { "ZIP" } else { "ZIPs" };
                match targets.iter().next() {
                    Some(Some(t)) if targets.len() == 1 => format!("Assign {count} {noun} to {}", name(*t)),
                    Some(None) if targets.len() == 1 => format!("Unassign {count} {noun}"),
                    _ => format!("Reassign {count} {noun}"),
                }
            }
            Command::SetAccountOverrides(list) => {
                let count = list.len();
                let noun = if count == 1 { "account" } else { "accounts" };
                match list.first() {
                    Some((_, Some(t))) if list.iter().all(|(_, x)| *x == Some(*t)) => {
                        format!("Assign {count} {noun} to {}", name(*t))
                    }
                    Some((_, None)) if list.iter().all(|(_, x)| x.is_none()) => {
                        format!("Clear {count} account {}", if count == 1 { "override" } else { "overrides" })
                    }
                    _ => format!("Change {count} account overrides"),
                }
            }
            Command::InsertTerritory { territory, .. } => format!("Create territory {}", territory.name),
            Command::RemoveTerritory { id, .. } => format!("Remove territory {}", name(*id)),
            Command::UpdateTerritory { id, change } => match change {
                TerritoryChange::Name(new) => format!("Rename {} to {new}", name(*id)),
                TerritoryChange::Color(_) => format!("Recolour {}", name(*id)),
                TerritoryChange::Rep(_) => format!("Change rep of {}", name(*id)),
                TerritoryChange::Locked(true) => format!("Lock {}", name(*id)),
                TerritoryChange::Locked(false) => format!("Unlock {}", name(*id)),
                TerritoryChange::Region(Some(r)) => format!("Move {} to region {r}", name(*id)),
                TerritoryChange::Region(None) => format!("Take {} out of its region", name(*id)),
            },
            Command::Batch { label, .. } => label.clone(),
            Command::SetModel { .. } => "Change workload model".into(),
            Command::AddRep { rep } => format!("Add rep {}", rep.name),
            Command::RemoveRep { .. } => "Remove rep".into(),
            Command::SetRepHome { .. } => "Move home base".into(),
            Command::SetRoadNetwork { info: Some(info) } => format!("Use road network {}", info.source),
            Command::SetRoadNetwork { info: None } => "Drive times by the estimate".into(),
            Command::InsertScenario { label, .. } => label.clone(),
            Command::RemoveScenario { id, .. } => format!("Delete scenario '{}'", scenario_name(*id)),
            Command::RenameScenario { id, name } => format!("Rename scenario '{}' to '{name}'", scenario_name(*id)),
            Command::SetBaseline { id } => format!("Make '{}' the baseline", scenario_name(*id)),
            Command::SetQuotas { id, quotas: Some(q) } => format!("Set {} quotas of '{}'", q.method.label(), scenario_name(*id)),
            Command::SetQuotas { id, quotas: None } => format!("Clear the quotas of '{}'", scenario_name(*id)),
        }
    }

    /// Validates and applies the command. On error the scenario is unchanged.
    pub fn apply(self, scenario: &mut Scenario, ctx: &CommandContext) -> Result<Applied, CommandError> {
        match self {
            Command::SetUnitTerritories(list) => set_unit_territories(scenario, ctx, list),
            Command::SetAccountOverrides(list) => set_account_overrides(scenario, ctx, list),
            Command::InsertTerritory { position, territory, next_territory_id } => {
                if scenario.territory(territory.id).is_some() {
                    return Err(CommandError::DuplicateTerritory(territory.id.0));
                }
                if let Some(rep) = territory.rep {
                    if rep.index() >= ctx.rep_count {
                        return Err(CommandError::NoSuchRep(rep.0));
                    }
                }
                if territory.id.0 >= next_territory_id {
                    return Err(CommandError::Invalid(format!(
                        "territory id {} must be below the id counter {next_territory_id}",
                        territory.id.0
                    )));
                }
                let id = territory.id;
                let position = position.min(scenario.territories.len());
                let previous_next = scenario.next_territory_id;
                scenario.territories.insert(position, territory);
                scenario.next_territory_id = next_territory_id;
                Ok(Applied {
                    effects: Effects { structure_changed: true, ..Effects::default() },
                    inverse: Command::RemoveTerritory { id, next_territory_id: previous_next },
                })
            }
            Command::RemoveTerritory { id, next_territory_id } => {
                let position = scenario.territory_position(id).ok_or(CommandError::NoSuchTerritory(id.0))?;
                let territory = &scenario.territories[position];
                if territory.locked {
                    return Err(CommandError::Locked(territory.name.clone()));
                }
                let in_use = scenario.unit_territory.contains(&Some(id))
                    || scenario.account_overrides.values().any(|t| *t == id);
                if in_use {
                    return Err(CommandError::NotEmpty(territory.name.clone()));
                }
                let previous_next = scenario.next_territory_id;
                let territory = scenario.territories.remove(position);
                scenario.next_territory_id = next_territory_id;
                Ok(Applied {
                    effects: Effects { structure_changed: true, ..Effects::default() },
                    inverse: Command::InsertTerritory { position, territory, next_territory_id: previous_next },
                })
            }
            Command::UpdateTerritory { id, change } => {
                let territory = scenario.territory_mut(id).ok_or(CommandError::NoSuchTerritory(id.0))?;
                let mut effects = Effects::default();
                let old = match change {
                    TerritoryChange::Name(name) => {
                        effects.props_changed.push(id);
                        TerritoryChange::Name(std::mem::replace(&mut territory.name, name))
                    }
                    TerritoryChange::Color(color) => {
                        effects.props_changed.push(id);
                        TerritoryChange::Color(std::mem::replace(&mut territory.color, color))
                    }
                    TerritoryChange::Rep(rep) => {
                        if territory.locked {
                            return Err(CommandError::Locked(territory.name.clone()));
                        }
                        if let Some(r) = rep {
                            if r.index() >= ctx.rep_count {
                                return Err(CommandError::NoSuchRep(r.0));
                            }
                        }
                        effects.rep_changed.push(id);
                        TerritoryChange::Rep(std::mem::replace(&mut territory.rep, rep))
                    }
                    TerritoryChange::Locked(locked) => {
                        effects.props_changed.push(id);
                        TerritoryChange::Locked(std::mem::replace(&mut territory.locked, locked))
                    }
                    TerritoryChange::Region(region) => {
                        effects.props_changed.push(id);
                        TerritoryChange::Region(std::mem::replace(&mut territory.region, region))
                    }
                };
                Ok(Applied { effects, inverse: Command::UpdateTerritory { id, change: old } })
            }
            Command::SetModel { .. }
            | Command::AddRep { .. }
            | Command::RemoveRep { .. }
            | Command::SetRepHome { .. }
            | Command::SetRoadNetwork { .. }
            | Command::InsertScenario { .. }
            | Command::RemoveScenario { .. }
            | Command::RenameScenario { .. }
            | Command::SetBaseline { .. }
            | Command::SetQuotas { .. } => {
                Err(CommandError::Invalid("this edit applies to the project, not a scenario".into()))
            }
            Command::Batch { label, commands } => {
                let mut effects = Effects::default();
                let mut inverses: Vec<Command> = Vec::with_capacity(commands.len());
                for command in commands {
                    match command.apply(scenario, ctx) {
                        Ok(applied) => {
                            effects.merge(applied.effects);
                            inverses.push(applied.inverse);
                        }
                        Err(err) => {
                            // Roll back what this batch already did, newest first.
                            for inverse in inverses.into_iter().rev() {
                                if inverse.apply(scenario, ctx).is_err() {
                                    debug_assert!(false, "inverse of an applied command failed");
                                }
                            }
                            return Err(err);
                        }
                    }
                }
                inverses.reverse();
                Ok(Applied { effects, inverse: Command::Batch { label, commands: inverses } })
            }
        }
    }
}

fn locked_name(scenario: &Scenario, territory: Option<TerritoryId>) -> Option<String> {
    let t = scenario.territory(territory?)?;
    t.locked.then(|| t.name.clone())
}

fn check_target(scenario: &Scenario, to: Option<TerritoryId>) -> Result<(), CommandError> {
    if let Some(t) = to {
        if scenario.territory(t).is_none() {
            return Err(CommandError::NoSuchTerritory(t.0));
        }
    }
    Ok(())
}

fn set_unit_territories(
    scenario: &mut Scenario,
    ctx: &CommandContext,
    list: Vec<(UnitId, Option<TerritoryId>)>,
) -> Result<Applied, CommandError> {
    // Validate everything before the first change.
    for &(unit, to) in &list {
        let from = *scenario.unit_territory.get(unit.index()).ok_or(CommandError::NoSuchUnit(unit.0))?;
        if from == to {
            continue;
        }
        check_target(scenario, to)?;
        if let Some(name) = locked_name(scenario, from).or_else(|| locked_name(scenario, to)) {
            return Err(CommandError::Locked(name));
        }
    }
    let mut effects = Effects::default();
    let mut inverse = Vec::with_capacity(list.len());
    for (unit, to) in list {
        let slot = &mut scenario.unit_territory[unit.index()];
        let from = *slot;
        if from == to {
            continue;
        }
        *slot = to;
        inverse.push((unit, from));
        effects.units.push((unit, from, to));
        for &account in ctx.unit_accounts.get(unit.index()).map(Vec::as_slice).unwrap_or(&[]) {
            if !scenario.account_overrides.contains_key(&account) {
                effects.accounts.push(AccountMove { account, from, to });
            }
        }
    }
    inverse.reverse();
    Ok(Applied { effects, inverse: Command::SetUnitTerritories(inverse) })
}

fn set_account_overrides(
    scenario: &mut Scenario,
    ctx: &CommandContext,
    list: Vec<(AccountId, Option<TerritoryId>)>,
) -> Result<Applied, CommandError> {
    let effective = |scenario: &Scenario, account: AccountId, over: Option<TerritoryId>| {
        over.or_else(|| ctx.accounts[account.index()].unit.and_then(|u| scenario.unit_territory(u)))
    };
    for &(account, to) in &list {
        if account.index() >= ctx.accounts.len() {
            return Err(CommandError::NoSuchAccount(account.0));
        }
        let old_override = scenario.account_overrides.get(&account).copied();
        if old_override == to {
            continue;
        }
        check_target(scenario, to)?;
        let from = effective(scenario, account, old_override);
        let new = effective(scenario, account, to);
        if from != new {
            if let Some(name) = locked_name(scenario, from).or_else(|| locked_name(scenario, new)) {
                return Err(CommandError::Locked(name));
            }
        }
    }
    let mut effects = Effects::default();
    let mut inverse = Vec::with_capacity(list.len());
    for (account, to) in list {
        let old_override = scenario.account_overrides.get(&account).copied();
        if old_override == to {
            continue;
        }
        let from = effective(scenario, account, old_override);
        match to {
            Some(t) => scenario.account_overrides.insert(account, t),
            None => scenario.account_overrides.remove(&account),
        };
        let new = effective(scenario, account, to);
        inverse.push((account, old_override));
        effects.overrides.push(account);
        if from != new {
            effects.accounts.push(AccountMove { account, from, to: new });
        }
    }
    inverse.reverse();
    Ok(Applied { effects, inverse: Command::SetAccountOverrides(inverse) })
}
