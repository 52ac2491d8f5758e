//! The per-territory report shared by the `report` subcommand and exports.

use super::{Balance, ScenarioMetrics};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportRow {
    pub name: String,
    pub rep: Option<String>,
    pub units: u32,
    pub accounts: u32,
    pub potential: f64,
    pub revenue: f64,
    pub visit_hours: f64,
    pub drive_hours: f64,
    pub workload: f64,
    pub workload_index: f64,
    pub deviation_pct: f64,
    /// Mean one-way road distance from the rep's home base to an account, km.
    pub mean_drive_km: f64,
    /// Polsby-Popper score of the dissolved territory (1 = a disc); `None` when the
    /// units' borders are not built (see `Project::unit_borders`).
    pub compactness: Option<f64>,
    pub locked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub scenario: String,
    pub baseline: bool,
    pub territories: Vec<ReportRow>,
    pub unassigned_units: u32,
    pub unassigned_accounts: u32,
    /// Accounts inside no unit and in no territory (e.g. other states of a national CRM
    /// export): in none of the figures above or below.
    pub outside_accounts: u32,
    pub outside_potential: f64,
    /// What potential is counted in (`$`, `beds`).
    pub potential_unit: String,
    /// Accounts and potential of the plan's area (outside accounts left out).
    pub total_accounts: u32,
    pub total_potential: f64,
    pub balance: Balance,
}

/// Name of the row that lists units and accounts in no territory.
pub const UNASSIGNED_ROW: &str = "(unassigned)";

/// The report of a scenario. Compactness is filled in when the project's unit borders
/// are built (call `Project::unit_borders` first to have it).
pub fn build(project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics) -> Report {
    let shapes = project.unit_borders_if_built().map(|b| super::shape::territory_shapes(project, scenario, b));
    let mut territories: Vec<ReportRow> = scenario
        .territories
        .iter()
        .zip(&metrics.territories)
        .map(|(t, m)| ReportRow {
            name: t.name.clone(),
            rep: t.rep.and_then(|r| project.reps.get(r.index())).map(|r| r.name.clone()),
            units: m.units,
            accounts: m.accounts,
            potential: m.potential,
            revenue: m.revenue,
            visit_hours: m.visit_hours,
            drive_hours: m.drive_hours,
            workload: m.workload,
            workload_index: m.workload_index,
            deviation_pct: m.deviation_pct,
            mean_drive_km: m.mean_drive_km,
            compactness: shapes.as_ref().and_then(|s| s.get(&t.id)).filter(|s| s.area_km2 > 0.0).map(|s| s.compactness),
            locked: t.locked,
        })
        .collect();
    let pool = metrics.unassigned();
    if pool.units > 0 || pool.accounts > 0 {
        territories.push(ReportRow {
            name: UNASSIGNED_ROW.into(),
            rep: None,
            units: pool.units,
            accounts: pool.accounts,
            potential: pool.potential,
            revenue: pool.revenue,
            visit_hours: pool.visit_hours,
            drive_hours: 0.0,
            workload: 0.0,
            workload_index: 0.0,
            deviation_pct: 0.0,
            mean_drive_km: 0.0,
            compactness: None,
            locked: false,
        });
    }
    let outside = metrics.outside();
    Report {
        scenario: scenario.name.clone(),
        baseline: project.baseline == scenario.id,
        unassigned_units: pool.units,
        unassigned_accounts: pool.accounts,
        potential_unit: project.settings.potential_unit.clone(),
        outside_accounts: outside.accounts,
        outside_potential: outside.potential,
        total_accounts: project.accounts.len() as u32 - outside.accounts,
        total_potential: project.accounts.iter().map(|a| a.potential).sum::<f64>() - outside.potential,
        territories,
        balance: metrics.balance.clone(),
    }
}
