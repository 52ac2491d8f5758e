//! CSV exports: ZIP -> territory, account -> territory/rep, per-territory metrics.

use crate::io::project_file::write_atomically;
use crate::metrics::report;
use crate::metrics::ScenarioMetrics;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use anyhow::{Context, Result};
use std::path::Path;

fn write_csv(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(crate::io::spreadsheet::safe_row(row))?;
        }
        writer.flush()?;
    }
    write_atomically(path, &bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn territory_and_rep(project: &Project, scenario: &Scenario, territory: Option<crate::model::ids::TerritoryId>) -> (String, String) {
    let Some(t) = territory.and_then(|t| scenario.territory(t)) else {
        return (String::new(), String::new());
    };
    let rep = t.rep.and_then(|r| project.reps.get(r.index())).map(|r| r.name.clone()).unwrap_or_default();
    (t.name.clone(), rep)
}

/// `zip,name,territory,rep`: one row per unit (empty territory = unassigned). The same
/// columns the alignment import reads.
pub fn write_assignment(project: &Project, scenario: &Scenario, path: &Path) -> Result<usize> {
    let rows = project.units.iter().zip(&scenario.unit_territory).map(|(u, t)| {
        let (territory, rep) = territory_and_rep(project, scenario, *t);
        vec![u.code.clone(), u.name.clone(), territory, rep]
    });
    write_csv(path, &["zip", "name", "territory", "rep"], rows)?;
    Ok(project.units.len())
}

/// What an account export wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountsWritten {
    pub rows: usize,
    /// Accounts inside no unit and in no territory, not part of the plan: left out.
    pub outside: usize,
}

impl std::fmt::Display for AccountsWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} accounts", self.rows)?;
        if self.outside > 0 {
            write!(f, " ({} outside every ZIP left out)", self.outside)?;
        }
        Ok(())
    }
}

/// One row per account of the plan's area with its territory and rep in this scenario.
pub fn write_accounts(project: &Project, scenario: &Scenario, path: &Path) -> Result<AccountsWritten> {
    let in_plan = |a: &&crate::model::entities::Account| a.unit.is_some() || scenario.account_overrides.contains_key(&a.id);
    let outside = project.accounts.iter().filter(|a| !in_plan(a)).count();
    let rows = project.accounts.iter().filter(in_plan).map(|a| {
        let territory = scenario.account_territory(a.id, a.unit);
        let (territory_name, rep) = territory_and_rep(project, scenario, territory);
        let zip = a.unit.and_then(|u| project.units.get(u.index())).map(|u| u.code.clone()).unwrap_or_default();
        vec![
            a.external_id.clone(),
            a.name.clone(),
            zip,
            format!("{:.6}", a.location.lat),
            format!("{:.6}", a.location.lon),
            territory_name,
            rep,
            format!("{:.2}", a.potential),
            format!("{:.2}", a.revenue),
            a.tier.label().to_string(),
            if scenario.account_overrides.contains_key(&a.id) { "yes".into() } else { String::new() },
        ]
    });
    write_csv(path, &["account_id", "name", "zip", "lat", "lon", "territory", "rep", "potential", "revenue", "tier", "override"], rows)?;
    Ok(AccountsWritten { rows: project.accounts.len() - outside, outside })
}

/// One row per account in a territory: its one-way drive from the territory's rep, on
/// the road network or by the estimate (`source`). Returns (rows, rows by road).
pub fn write_drive_times(project: &Project, scenario: &Scenario, network: Option<&crate::drivetime::roads::RoadNetwork>, path: &Path) -> Result<(usize, usize)> {
    let snapper = network.map(crate::drivetime::roads::search::Snapper::new);
    let drives = crate::drivetime::roads::times::account_drives(project, scenario, network.zip(snapper.as_ref()));
    let mut by_road = 0;
    let mut count = 0;
    let rows: Vec<Vec<String>> = project
        .accounts
        .iter()
        .zip(&drives)
        .filter_map(|(a, d)| {
            let territory = scenario.account_territory(a.id, a.unit)?;
            let (territory_name, rep) = territory_and_rep(project, scenario, Some(territory));
            count += 1;
            let (km, minutes, source) = match d {
                Some(d) => {
                    by_road += usize::from(d.source == crate::drivetime::roads::times::Source::Road);
                    (format!("{:.2}", d.km), format!("{:.1}", d.minutes), d.source.label().to_string())
                }
                None => (String::new(), String::new(), "no rep".to_string()),
            };
            Some(vec![a.external_id.clone(), territory_name, rep, km, minutes, source])
        })
        .collect();
    write_csv(path, &["account_id", "territory", "rep", "road_km", "minutes", "source"], rows.into_iter())?;
    Ok((count, by_road))
}

/// One row per territory (and one for the unassigned pool, if any): the `report` figures.
/// `roads`: drive times by road, when the project has a network.
pub fn write_metrics(project: &Project, scenario: &Scenario, roads: Option<std::sync::Arc<crate::drivetime::roads::cache::RoadTimes>>, path: &Path) -> Result<usize> {
    let metrics = ScenarioMetrics::compute_with_roads(project, scenario, roads);
    project.unit_borders();
    let report = report::build(project, scenario, &metrics);
    let mut bytes = Vec::new();
    metrics_csv(&report, &mut bytes)?;
    write_atomically(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(report.territories.len())
}

/// The per-territory metrics as CSV (also `report --format csv`).
pub fn metrics_csv(report: &report::Report, out: impl std::io::Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "territory", "rep", "units", "accounts", "potential", "revenue", "visit_hours", "drive_hours", "workload", "workload_index", "deviation_pct", "mean_drive_km", "compactness", "locked",
        "hours_needed", "utilization_pct", "penetration_pct", "white_space_accounts", "white_space_potential", "quota",
        "region", "coverage_pct", "pipeline", "pipeline_coverage",
    ])?;
    for r in &report.territories {
        writer.write_record(crate::io::spreadsheet::safe_row([
            r.name.clone(),
            r.rep.clone().unwrap_or_default(),
            r.units.to_string(),
            r.accounts.to_string(),
            format!("{:.2}", r.potential),
            format!("{:.2}", r.revenue),
            format!("{:.1}", r.visit_hours),
            format!("{:.1}", r.drive_hours),
            format!("{:.3}", r.workload),
            format!("{:.3}", r.workload_index),
            format!("{:.2}", r.deviation_pct),
            format!("{:.1}", r.mean_drive_km),
            r.compactness.map(|c| format!("{c:.3}")).unwrap_or_default(),
            if r.locked { "yes".into() } else { String::new() },
            format!("{:.1}", r.hours_needed),
            format!("{:.1}", r.utilization_pct),
            format!("{:.1}", r.penetration_pct),
            r.white_space_accounts.to_string(),
            format!("{:.2}", r.white_space_potential),
            r.quota.map(|q| format!("{q:.2}")).unwrap_or_default(),
            r.region.clone().unwrap_or_default(),
            r.coverage_pct.map(|c| format!("{c:.1}")).unwrap_or_default(),
            r.pipeline.map(|p| format!("{p:.2}")).unwrap_or_default(),
            r.pipeline_coverage.map(|p| format!("{p:.2}")).unwrap_or_default(),
        ]))?;
    }
    writer.flush()?;
    Ok(())
}
