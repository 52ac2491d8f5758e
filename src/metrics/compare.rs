//! Two scenarios side by side: which ZIPs changed hands, the disruption ledger (every
//! account whose owner changes), and per-territory and balance figures before and after.
//!
//! "Owner" is the rep of the account's territory. Moving an account between two
//! territories of the same rep is not a hand-off; a vacant territory owns its accounts
//! itself (matched by name across scenarios).

use super::report::{self, Report, ReportRow};
use super::{Balance, ScenarioMetrics};
use crate::model::ids::{RepId, TerritoryId, UnitId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use serde::Serialize;

/// Who owns an account or a ZIP in one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Owner {
    Rep(RepId),
    Vacant(String),
    Nobody,
}

fn owner_of(scenario: &Scenario, territory: Option<TerritoryId>) -> Owner {
    match territory.and_then(|t| scenario.territory(t)) {
        Some(t) => match t.rep {
            Some(rep) => Owner::Rep(rep),
            None => Owner::Vacant(t.name.clone()),
        },
        None => Owner::Nobody,
    }
}

/// One account that changes hands: the hand-off list planners give to reps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LedgerRow {
    pub account_id: String,
    pub account: String,
    pub from_territory: String,
    pub from_rep: String,
    pub to_territory: String,
    pub to_rep: String,
    pub potential: f64,
    pub revenue: f64,
    /// Relationship strength with the current CRM owner, 0-1.
    pub relationship: f64,
}

/// A territory's figures in both scenarios (matched by name, then by rep).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TerritoryPair {
    pub name: String,
    pub before: Option<ReportRow>,
    pub after: Option<ReportRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub from: String,
    pub to: String,
    /// ZIPs whose owner differs.
    pub moved_units: usize,
    pub moved_accounts: usize,
    pub moved_potential: f64,
    /// What potential is counted in (`$`, `beds`).
    pub potential_unit: String,
    pub moved_revenue: f64,
    /// Share of all current revenue that changes hands, percent.
    pub moved_revenue_pct: f64,
    pub total_revenue: f64,
    pub territories: Vec<TerritoryPair>,
    pub balance_before: Balance,
    pub balance_after: Balance,
    pub ledger: Vec<LedgerRow>,
    /// Quota that changes territory with the new alignment: the sum of the quota
    /// increases of the territories (`None` unless both scenarios have quotas).
    pub moved_quota: Option<f64>,
    #[serde(skip)]
    pub changed_units: Vec<UnitId>,
}

impl Comparison {
    /// Whether either scenario has quotas (the quota columns are shown).
    pub fn has_quotas(&self) -> bool {
        self.territories.iter().any(|p| [&p.before, &p.after].iter().any(|r| r.as_ref().is_some_and(|r| r.quota.is_some())))
    }
}

pub fn compare(project: &Project, from: &Scenario, to: &Scenario) -> Comparison {
    compare_with_roads(project, from, to, None)
}

/// `compare`, with drive times by road where `roads` has them.
pub fn compare_with_roads(project: &Project, from: &Scenario, to: &Scenario, roads: Option<std::sync::Arc<crate::drivetime::roads::cache::RoadTimes>>) -> Comparison {
    let from_metrics = ScenarioMetrics::compute_with_roads(project, from, roads.clone());
    compare_measured(project, from, &from_metrics, to, &ScenarioMetrics::compute_with_roads(project, to, roads))
}

/// `compare` with the metrics of both scenarios already at hand (the app keeps the
/// active scenario's live metrics).
pub fn compare_measured(project: &Project, from: &Scenario, from_metrics: &ScenarioMetrics, to: &Scenario, to_metrics: &ScenarioMetrics) -> Comparison {
    let changed_units: Vec<UnitId> = (0..project.units.len() as u32)
        .map(UnitId)
        .filter(|u| owner_of(from, from.unit_territory(*u)) != owner_of(to, to.unit_territory(*u)))
        .collect();
    let territory_name = |s: &Scenario, t: Option<TerritoryId>| t.and_then(|t| s.territory(t)).map(|t| t.name.clone()).unwrap_or_else(|| report::UNASSIGNED_ROW.to_string());
    let rep_name = |s: &Scenario, t: Option<TerritoryId>| {
        t.and_then(|t| s.territory(t)).and_then(|t| t.rep).and_then(|r| project.reps.get(r.index())).map(|r| r.name.clone()).unwrap_or_default()
    };
    let mut ledger = Vec::new();
    for a in &project.accounts {
        let (before, after) = (from.account_territory(a.id, a.unit), to.account_territory(a.id, a.unit));
        if owner_of(from, before) == owner_of(to, after) {
            continue;
        }
        ledger.push(LedgerRow {
            account_id: a.external_id.clone(),
            account: a.name.clone(),
            from_territory: territory_name(from, before),
            from_rep: rep_name(from, before),
            to_territory: territory_name(to, after),
            to_rep: rep_name(to, after),
            potential: a.potential,
            revenue: a.revenue,
            relationship: a.relationship,
        });
    }
    // Biggest revenue at risk first: the order a sales VP reads the hand-off list in.
    ledger.sort_by(|a, b| b.revenue.total_cmp(&a.revenue).then(a.account_id.cmp(&b.account_id)));
    let total_revenue: f64 = project.accounts.iter().map(|a| a.revenue).sum();
    let moved_revenue: f64 = ledger.iter().map(|r| r.revenue).sum();
    let (before, after) = (report::build(project, from, from_metrics), report::build(project, to, to_metrics));
    let territories = pair_territories(&before, &after);
    let moved_quota = (from.quotas.is_some() && to.quotas.is_some()).then(|| {
        territories.iter().map(|p| p.after.as_ref().and_then(|r| r.quota).unwrap_or(0.0) - p.before.as_ref().and_then(|r| r.quota).unwrap_or(0.0)).filter(|d| *d > 0.0).sum()
    });
    Comparison {
        potential_unit: project.settings.potential_unit.clone(),
        from: from.name.clone(),
        to: to.name.clone(),
        moved_units: changed_units.len(),
        moved_accounts: ledger.len(),
        moved_potential: ledger.iter().map(|r| r.potential).sum(),
        moved_revenue,
        moved_revenue_pct: if total_revenue > 0.0 { moved_revenue / total_revenue * 100.0 } else { 0.0 },
        total_revenue,
        territories,
        moved_quota,
        balance_before: before.balance,
        balance_after: after.balance,
        ledger,
        changed_units,
    }
}

/// Pairs the rows of two reports: same name first, then same rep, then alone.
fn pair_territories(before: &Report, after: &Report) -> Vec<TerritoryPair> {
    let mut unmatched: Vec<Option<&ReportRow>> = after.territories.iter().map(Some).collect();
    let mut take = |pred: &dyn Fn(&ReportRow) -> bool| -> Option<ReportRow> {
        let slot = unmatched.iter_mut().find(|r| r.is_some_and(pred))?;
        slot.take().cloned()
    };
    let mut pairs: Vec<TerritoryPair> = Vec::new();
    let mut pending = Vec::new();
    for row in &before.territories {
        match take(&|r| r.name == row.name) {
            Some(after) => pairs.push(TerritoryPair { name: row.name.clone(), before: Some(row.clone()), after: Some(after) }),
            None => pending.push(row),
        }
    }
    for row in pending {
        let after = row.rep.as_ref().and_then(|rep| take(&|r| r.rep.as_ref() == Some(rep)));
        let name = match &after {
            Some(a) => format!("{} -> {}", row.name, a.name),
            None => row.name.clone(),
        };
        pairs.push(TerritoryPair { name, before: Some(row.clone()), after });
    }
    for row in unmatched.into_iter().flatten() {
        pairs.push(TerritoryPair { name: row.name.clone(), before: None, after: Some(row.clone()) });
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;
    use crate::model::Command;

    #[test]
    fn a_copy_compares_equal_and_a_moved_zip_moves_its_accounts() {
        let mut project = grid_project(8, 6, 0.1, 150, 4, 3);
        let base = project.scenarios[0].id;
        let copy = project.duplicate_scenario(base, "Copy").unwrap();
        let same = compare(&project, &project.scenarios[0], &project.scenarios[1]);
        assert_eq!((same.moved_units, same.moved_accounts, same.moved_revenue), (0, 0, 0.0));
        assert!(same.territories.iter().all(|p| p.before == p.after));

        // Move one ZIP with accounts to another rep's territory.
        let unit = (0..project.units.len() as u32).map(UnitId).find(|u| !project.accounts_in_unit(*u).is_empty()).unwrap();
        let scenario = project.scenario(copy).unwrap();
        let from = scenario.unit_territory(unit).unwrap();
        let from_rep = scenario.territory(from).unwrap().rep;
        let to = scenario.territories.iter().find(|t| t.id != from && t.rep != from_rep).unwrap().id;
        project.apply_command(copy, Command::assign_units([unit], Some(to))).unwrap();
        assert_eq!(project.scenario(base).unwrap().unit_territory(unit), Some(from), "the original is untouched");
        let c = compare(&project, &project.scenarios[0], &project.scenarios[1]);
        assert_eq!(c.moved_units, 1);
        assert_eq!(c.changed_units, vec![unit]);
        let in_unit: Vec<_> = project.accounts_in_unit(unit).iter().filter(|a| !project.scenarios[0].account_overrides.contains_key(a)).collect();
        assert_eq!(c.moved_accounts, in_unit.len());
        let revenue: f64 = in_unit.iter().map(|a| project.accounts[a.index()].revenue).sum();
        assert!((c.moved_revenue - revenue).abs() < 1e-6);
        assert!(c.ledger.windows(2).all(|w| w[0].revenue >= w[1].revenue), "largest revenue first");
    }
}
