//! The per-territory report shared by the `report` subcommand and exports.

use super::{Balance, ScenarioMetrics};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportRow {
    pub name: String,
    pub rep: Option<String>,
    /// The sales region the territory belongs to.
    pub region: Option<String>,
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
    /// Hours the territory needs a year: visit hours + drive hours.
    pub hours_needed: f64,
    /// The rep's selling hours x experience (the default capacity when vacant).
    pub capacity_hours: f64,
    /// Hours needed / capacity, percent.
    pub utilization_pct: f64,
    /// Drive hours as a share of the selling time, percent.
    pub drive_share_pct: f64,
    /// Accounts with revenue / accounts, percent.
    pub penetration_pct: f64,
    /// Revenue / potential, percent.
    pub revenue_of_potential_pct: f64,
    /// Accounts with potential and no revenue, and their potential.
    pub white_space_accounts: u32,
    pub white_space_potential: f64,
    /// White-space potential / revenue (`None` without revenue).
    pub white_space_to_revenue: Option<f64>,
    /// Contacted accounts / accounts with activity, percent (`None`: no activity column).
    pub coverage_pct: Option<f64>,
    /// Open pipeline (`None`: no pipeline column).
    pub pipeline: Option<f64>,
    /// Pipeline / quota still to win (quota - revenue); `None` without quota or
    /// pipeline, or when revenue already covers the quota.
    pub pipeline_coverage: Option<f64>,
    /// The territory's quota, when the scenario has quotas.
    pub quota: Option<f64>,
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
    pub capacity: Capacity,
    /// How the quotas were set and their total, when the scenario has quotas.
    pub quota_method: Option<String>,
    pub quota_total: Option<f64>,
    /// Why the quotas no longer fit the territories, when they do not.
    pub quota_warning: Option<String>,
    /// The sales regions, each with its territories rolled up (empty when the
    /// scenario has none).
    pub regions: Vec<RegionRow>,
    /// What drive times are measured with: the road network (file, date) or the
    /// estimate.
    pub drive_model: String,
}

/// A region rolled up: the sums of its territories and the balance among them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionRow {
    pub name: String,
    /// Its territories, by name.
    pub territories: Vec<String>,
    pub units: u32,
    pub accounts: u32,
    pub potential: f64,
    pub revenue: f64,
    pub hours_needed: f64,
    pub capacity_hours: f64,
    pub utilization_pct: f64,
    /// Sum of its territories' quotas (`None` without quotas).
    pub quota: Option<f64>,
    /// Largest deviation of a territory's potential from the region's mean, percent.
    pub max_deviation_pct: f64,
    /// Lowest and highest workload index of its territories.
    pub workload_index_min: f64,
    pub workload_index_max: f64,
}

/// Name of the region row of territories in no region (listed when others have one).
pub const NO_REGION_ROW: &str = "(no region)";

/// The scenario's capacity against its workload (docs/domain.md, Workload and capacity).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Capacity {
    /// Hours all territories need a year.
    pub hours_needed: f64,
    /// Mean capacity of the reps with a territory (the default capacity when none).
    pub mean_capacity_hours: f64,
    /// Reps the workload needs: hours needed / mean capacity.
    pub reps_needed: f64,
    /// Reps with a territory now.
    pub reps: u32,
    /// Active accounts one rep can carry at the settings' hours per account a month.
    pub accounts_per_rep: f64,
    /// Territories over capacity and under-used, by name.
    pub over_capacity: Vec<String>,
    pub under_used: Vec<String>,
    /// Territories whose pipeline covers less than the target multiple of the quota
    /// still to win.
    pub pipeline_short: Vec<String>,
    pub pipeline_coverage_target: f64,
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
        .map(|(t, m)| {
            let quota = scenario.quotas.as_ref().and_then(|q| q.quota(t.id));
            ReportRow {
            name: t.name.clone(),
            region: t.region.clone(),
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
            hours_needed: m.visit_hours + m.drive_hours,
            capacity_hours: m.capacity_hours,
            utilization_pct: m.workload * 100.0,
            drive_share_pct: m.drive_share_pct,
            penetration_pct: percent(m.customers as f64, m.accounts as f64),
            revenue_of_potential_pct: percent(m.revenue, m.potential),
            white_space_accounts: m.white_space_accounts,
            white_space_potential: m.white_space_potential,
            white_space_to_revenue: (m.revenue > 0.0).then(|| m.white_space_potential / m.revenue),
            coverage_pct: coverage_pct(m.contacted, m.activity_accounts),
            pipeline: (m.pipeline_accounts > 0).then_some(m.pipeline),
            pipeline_coverage: pipeline_coverage(m.pipeline, m.pipeline_accounts, quota, m.revenue),
            quota,
            compactness: shapes.as_ref().and_then(|s| s.get(&t.id)).filter(|s| s.area_km2 > 0.0).map(|s| s.compactness),
            locked: t.locked,
        }})
        .collect();
    let pool = metrics.unassigned();
    if pool.units > 0 || pool.accounts > 0 {
        territories.push(ReportRow {
            name: UNASSIGNED_ROW.into(),
            rep: None,
            region: None,
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
            hours_needed: 0.0,
            capacity_hours: 0.0,
            utilization_pct: 0.0,
            drive_share_pct: 0.0,
            penetration_pct: percent(pool.customers as f64, pool.accounts as f64),
            revenue_of_potential_pct: percent(pool.revenue, pool.potential),
            white_space_accounts: pool.white_space_accounts,
            white_space_potential: pool.white_space_potential,
            white_space_to_revenue: (pool.revenue > 0.0).then(|| pool.white_space_potential / pool.revenue),
            coverage_pct: coverage_pct(pool.contacted, pool.activity_accounts),
            pipeline: (pool.pipeline_accounts > 0).then_some(pool.pipeline),
            pipeline_coverage: None,
            quota: None,
            compactness: None,
            locked: false,
        });
    }
    let outside = metrics.outside();
    let capacity = capacity(project, scenario, metrics, &territories);
    let regions = regions(scenario, metrics);
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
        capacity,
        quota_method: scenario.quotas.as_ref().map(|q| q.method.label().to_string()),
        quota_total: scenario.quotas.as_ref().map(|q| q.total_cents as f64 / 100.0),
        quota_warning: scenario.quotas.as_ref().and_then(|q| q.stale_reason(scenario)),
        regions,
        drive_model: metrics.drive_model(),
    }
}

/// The scenario's regions rolled up, in the order territories list them, then the
/// territories in no region (when some other territory has one).
pub fn regions(scenario: &Scenario, metrics: &ScenarioMetrics) -> Vec<RegionRow> {
    let names = scenario.regions();
    if names.is_empty() {
        return Vec::new();
    }
    let mut groups: Vec<Option<String>> = names.into_iter().map(Some).collect();
    if scenario.territories.iter().any(|t| t.region.is_none()) {
        groups.push(None);
    }
    groups
        .into_iter()
        .map(|region| {
            let members: Vec<(&crate::model::entities::Territory, &super::TerritoryMetrics)> =
                scenario.territories.iter().zip(&metrics.territories).filter(|(t, _)| t.region == region).collect();
            let sum = |f: &dyn Fn(&super::TerritoryMetrics) -> f64| members.iter().map(|(_, m)| f(m)).sum::<f64>();
            let potentials: Vec<f64> = members.iter().map(|(_, m)| m.potential).collect();
            let mean = super::balance::mean(&potentials);
            let (hours_needed, capacity_hours) = (sum(&|m| m.visit_hours + m.drive_hours), sum(&|m| m.capacity_hours));
            let indexes = members.iter().map(|(_, m)| m.workload_index);
            RegionRow {
                name: region.unwrap_or_else(|| NO_REGION_ROW.to_string()),
                territories: members.iter().map(|(t, _)| t.name.clone()).collect(),
                units: members.iter().map(|(_, m)| m.units).sum(),
                accounts: members.iter().map(|(_, m)| m.accounts).sum(),
                potential: sum(&|m| m.potential),
                revenue: sum(&|m| m.revenue),
                hours_needed,
                capacity_hours,
                utilization_pct: percent(hours_needed, capacity_hours),
                // Summed in cents so that the regions add up to the quota total exactly.
                quota: scenario.quotas.as_ref().and_then(|q| {
                    let cents: Vec<i64> = members.iter().filter_map(|(t, _)| q.cents.get(&t.id).copied()).collect();
                    (!cents.is_empty()).then(|| cents.iter().sum::<i64>() as f64 / 100.0)
                }),
                max_deviation_pct: potentials.iter().map(|p| super::balance::deviation_pct(*p, mean).abs()).fold(0.0, f64::max),
                workload_index_min: indexes.clone().fold(f64::INFINITY, f64::min),
                workload_index_max: indexes.fold(0.0, f64::max),
            }
        })
        .collect()
}

/// Contacted / accounts with activity, percent; `None` without activity data.
pub fn coverage_pct(contacted: u32, with_activity: u32) -> Option<f64> {
    (with_activity > 0).then(|| percent(contacted as f64, with_activity as f64))
}

/// Pipeline over the quota still to win; see [`ReportRow::pipeline_coverage`].
pub fn pipeline_coverage(pipeline: f64, pipeline_accounts: u32, quota: Option<f64>, revenue: f64) -> Option<f64> {
    let remaining = quota? - revenue;
    (pipeline_accounts > 0 && remaining > 0.0).then(|| pipeline / remaining)
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole * 100.0
    } else {
        0.0
    }
}

/// Hours needed against capacity: reps needed, accounts per rep, the territories
/// outside the utilization band of the settings, and (from the report's `rows`) those
/// short of pipeline.
fn capacity(project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics, rows: &[ReportRow]) -> Capacity {
    let settings = &project.settings;
    let hours_needed: f64 = metrics.territories.iter().map(|m| m.visit_hours + m.drive_hours).sum();
    let staffed: Vec<f64> = scenario.territories.iter().zip(&metrics.territories).filter(|(t, _)| t.rep.is_some()).map(|(_, m)| m.capacity_hours).collect();
    let mean_capacity_hours = if staffed.is_empty() { settings.default_capacity_hours } else { staffed.iter().sum::<f64>() / staffed.len() as f64 };
    let named = |test: &dyn Fn(f64) -> bool| -> Vec<String> {
        scenario.territories.iter().zip(&metrics.territories).filter(|(_, m)| m.accounts > 0 && test(m.workload)).map(|(t, _)| t.name.clone()).collect()
    };
    Capacity {
        hours_needed,
        mean_capacity_hours,
        reps_needed: if mean_capacity_hours > 0.0 { hours_needed / mean_capacity_hours } else { 0.0 },
        reps: staffed.len() as u32,
        accounts_per_rep: crate::model::settings::accounts_per_rep(settings.default_capacity_hours, settings.hours_per_account_month),
        over_capacity: named(&|u| u > settings.utilization_high),
        under_used: named(&|u| u < settings.utilization_low),
        pipeline_short: rows.iter().filter(|r| r.pipeline_coverage.is_some_and(|c| c < settings.pipeline_coverage_target)).map(|r| r.name.clone()).collect(),
        pipeline_coverage_target: settings.pipeline_coverage_target,
    }
}
