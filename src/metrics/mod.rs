//! Metrics per territory and for the whole scenario, updated incrementally from a
//! command's `Effects`, with a full recompute that tests compare against.
//!
//! Per territory we keep additive sums (accounts, potential, visit hours, travel hours,
//! ...). An account moving from A to B subtracts its contribution from A and adds it to B:
//! O(changed accounts). Derived figures (workload, index, balance) are recomputed from the
//! sums in O(territories) afterwards.

pub mod balance;
pub mod compare;
pub mod preview;
pub mod quota;
pub mod report;
pub mod shape;

use crate::drivetime::roads::cache::{HomeTimes, RoadTimes};
use crate::drivetime::{DensityClass, DistanceEstimate, DriveTimeModel};
use rustc_hash::FxHashMap;
use std::sync::Arc;
use crate::model::command::Effects;
use crate::model::entities::{Account, LonLat};
use crate::model::ids::{AccountId, ScenarioId, TerritoryId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::model::settings::Settings;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Additive figures of one territory (or of the unassigned pool).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TerritorySums {
    pub units: u32,
    pub accounts: u32,
    pub tier_weighted_accounts: f64,
    pub potential: f64,
    pub revenue: f64,
    /// Accounts with revenue (customers).
    pub customers: u32,
    /// Accounts with potential and no revenue: the white space.
    pub white_space_accounts: u32,
    pub white_space_potential: f64,
    /// Accounts the CRM export has activity for, and those of them contacted.
    pub activity_accounts: u32,
    pub contacted: u32,
    /// Accounts the export has pipeline for, and their open pipeline.
    pub pipeline_accounts: u32,
    pub pipeline: f64,
    pub visits: f64,
    pub visit_hours: f64,
    /// Yearly travel hours: visits x round-trip time from the territory's anchor.
    pub travel_hours: f64,
    /// Sum of one-way drive hours over accounts (for the mean drive time).
    pub one_way_hours: f64,
    /// Sum of one-way road distances over accounts, km (for the mean drive distance).
    pub one_way_km: f64,
    pub centroid_lon_sum: f64,
    pub centroid_lat_sum: f64,
}

/// Derived figures of one territory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TerritoryMetrics {
    pub id: TerritoryId,
    pub units: u32,
    pub accounts: u32,
    pub tier_weighted_accounts: f64,
    pub potential: f64,
    pub revenue: f64,
    pub customers: u32,
    pub white_space_accounts: u32,
    pub white_space_potential: f64,
    /// Accounts with activity data, and those contacted (coverage).
    pub activity_accounts: u32,
    pub contacted: u32,
    /// Accounts with pipeline data, and their open pipeline.
    pub pipeline_accounts: u32,
    pub pipeline: f64,
    pub visit_hours: f64,
    /// Yearly travel (drive) hours.
    pub drive_hours: f64,
    /// Mean one-way drive time to an account, minutes.
    pub mean_drive_minutes: f64,
    /// Mean one-way road distance from the rep's home base (or the territory's centre
    /// when vacant) to an account, km.
    pub mean_drive_km: f64,
    /// Travel as a share of the rep's selling time, percent.
    pub drive_share_pct: f64,
    pub capacity_hours: f64,
    /// (visit hours + drive hours) / (capacity x experience); 1.0 = exactly full.
    pub workload: f64,
    /// Weighted mix of the four inputs relative to the team average; 1.0 = average.
    pub workload_index: f64,
    /// Deviation of potential from the mean potential, percent.
    pub deviation_pct: f64,
}

/// Balance across the territories of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Balance {
    pub gini_potential: f64,
    pub gini_workload: f64,
    pub max_deviation_pct: f64,
    /// Top-quartile over bottom-quartile potential; `None` when the bottom is zero.
    pub quartile_ratio: Option<f64>,
    pub workload_index_min: f64,
    pub workload_index_max: f64,
    pub mean_potential: f64,
    /// Threshold breaches, as readable sentences.
    pub flags: Vec<String>,
    pub balanced: bool,
}

/// What one account contributes wherever it goes, except travel.
#[derive(Clone, Copy, Debug)]
struct AccountLoad {
    tier_weight: f64,
    potential: f64,
    revenue: f64,
    customer: bool,
    white_space: bool,
    contacted: Option<bool>,
    pipeline: Option<f64>,
    visits: f64,
    visit_hours: f64,
    location: LonLat,
    density: DensityClass,
}

/// An account's one-way drive, as the metrics count it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccountDrive {
    pub hours: f64,
    pub km: f64,
    /// By the road network (else the estimate).
    pub by_road: bool,
}

/// Where a territory's travel is measured from.
struct Origin {
    point: LonLat,
    /// Road times from it, when it is a rep's home base and the project has roads.
    roads: Option<Arc<HomeTimes>>,
}

/// Live metrics of one scenario.
#[derive(Clone, Debug)]
pub struct ScenarioMetrics {
    pub scenario: ScenarioId,
    sums: HashMap<TerritoryId, TerritorySums>,
    unassigned: TerritorySums,
    /// Accounts inside no unit (e.g. other states of a national CRM export) and in no
    /// territory: counted apart, never in the unassigned pool.
    outside: TerritorySums,
    loads: Vec<AccountLoad>,
    unit_density: Vec<DensityClass>,
    model: DistanceEstimate,
    /// Road drive times, when the project has a road network.
    roads: Option<Arc<RoadTimes>>,
    /// Derived per-territory figures, in the scenario's display order.
    pub territories: Vec<TerritoryMetrics>,
    pub balance: Balance,
}

impl ScenarioMetrics {
    /// Computes everything from scratch with the distance estimate.
    pub fn compute(project: &Project, scenario: &Scenario) -> Self {
        Self::compute_with_roads(project, scenario, None)
    }

    /// Computes everything from scratch, with drive times by road where `roads` has
    /// them (the estimate elsewhere).
    pub fn compute_with_roads(project: &Project, scenario: &Scenario, roads: Option<Arc<RoadTimes>>) -> Self {
        let settings = &project.settings;
        let model = DistanceEstimate::new(settings.drive);
        let unit_density = model.unit_densities(project);
        let loads = project.accounts.iter().map(|a| account_load(a, settings, &unit_density)).collect();
        let mut metrics = Self {
            scenario: scenario.id,
            sums: HashMap::new(),
            unassigned: TerritorySums::default(),
            outside: TerritorySums::default(),
            loads,
            unit_density,
            model,
            roads,
            territories: Vec::new(),
            balance: empty_balance(),
        };
        metrics.recompute_sums(project, scenario);
        metrics.derive(project, scenario);
        metrics
    }

    fn recompute_sums(&mut self, project: &Project, scenario: &Scenario) {
        self.sums = scenario.territories.iter().map(|t| (t.id, TerritorySums::default())).collect();
        self.unassigned = TerritorySums::default();
        self.outside = TerritorySums::default();
        for (unit, territory) in scenario.unit_territory.iter().enumerate() {
            let centroid = project.units[unit].centroid;
            let sums = self.slot(*territory);
            sums.units += 1;
            sums.centroid_lon_sum += centroid.lon;
            sums.centroid_lat_sum += centroid.lat;
        }
        for account in &project.accounts {
            let territory = scenario.account_territory(account.id, account.unit);
            let load = self.loads[account.id.index()];
            add_load(self.account_slot(territory, account.unit.is_none()), &load, 1.0);
        }
        // Travel in one pass over the accounts (not one pass per territory: a national
        // project has 200 territories and 200,000 accounts).
        let origins: HashMap<TerritoryId, Origin> = scenario.territories.iter().filter_map(|t| Some((t.id, self.origin(project, scenario, t.id)?))).collect();
        for account in &project.accounts {
            let Some(t) = scenario.account_territory(account.id, account.unit) else { continue };
            let Some(origin) = origins.get(&t) else { continue };
            let load = self.loads[account.id.index()];
            let AccountDrive { hours: one_way, km, .. } = self.drive(origin, account.id.index(), &load);
            let sums = self.slot(Some(t));
            sums.travel_hours += load.visits * 2.0 * one_way;
            sums.one_way_hours += one_way;
            sums.one_way_km += km;
        }
    }

    fn slot(&mut self, territory: Option<TerritoryId>) -> &mut TerritorySums {
        match territory {
            Some(t) => self.sums.entry(t).or_default(),
            None => &mut self.unassigned,
        }
    }

    /// Where an account's figures go: its territory, the unassigned pool, or the
    /// outside count for an account inside no unit.
    fn account_slot(&mut self, territory: Option<TerritoryId>, outside_every_unit: bool) -> &mut TerritorySums {
        match territory {
            None if outside_every_unit => &mut self.outside,
            other => self.slot(other),
        }
    }

    /// The point travel is measured from: the rep's home base, or for a vacant territory
    /// the mean centre of its units.
    fn anchor(&self, project: &Project, scenario: &Scenario, id: TerritoryId) -> Option<LonLat> {
        let territory = scenario.territory(id)?;
        if let Some(rep) = territory.rep.and_then(|r| project.reps.get(r.index())) {
            return Some(rep.home);
        }
        let sums = self.sums.get(&id)?;
        (sums.units > 0).then(|| {
            LonLat::new(sums.centroid_lon_sum / sums.units as f64, sums.centroid_lat_sum / sums.units as f64)
        })
    }

    fn is_vacant(&self, project: &Project, scenario: &Scenario, id: TerritoryId) -> bool {
        scenario.territory(id).is_none_or(|t| t.rep.is_none_or(|r| r.index() >= project.reps.len()))
    }

    /// Where travel is measured from, with its road times when it is a rep's home.
    fn origin(&self, project: &Project, scenario: &Scenario, id: TerritoryId) -> Option<Origin> {
        let point = self.anchor(project, scenario, id)?;
        let home = !self.is_vacant(project, scenario, id);
        let roads = self.roads.as_ref().filter(|_| home).map(|r| r.home(point));
        Some(Origin { point, roads })
    }

    /// One-way drive to an account: by road where the network reaches it.
    fn drive(&self, origin: &Origin, account: usize, load: &AccountLoad) -> AccountDrive {
        match origin.roads.as_ref().and_then(|home| home.account(account)) {
            Some((hours, km)) => AccountDrive { hours, km, by_road: true },
            None => AccountDrive {
                hours: self.model.one_way_hours(origin.point, load.location, load.density),
                km: self.model.road_km(origin.point, load.location),
                by_road: false,
            },
        }
    }

    /// One account's one-way drive from its territory's rep (or, vacant, its centre).
    pub fn account_drive(&self, project: &Project, scenario: &Scenario, account: crate::model::ids::AccountId) -> Option<AccountDrive> {
        let a = project.accounts.get(account.index())?;
        let origin = self.origin(project, scenario, scenario.account_territory(a.id, a.unit)?)?;
        let load = self.loads.get(account.index())?;
        Some(self.drive(&origin, account.index(), load))
    }

    /// Every account's one-way drive minutes from its territory's rep (or, vacant, its
    /// centre), as [`Self::account_drive`] gives them; `None` for an unassigned account.
    pub fn account_minutes(&self, project: &Project, scenario: &Scenario) -> Vec<Option<f64>> {
        let origins: FxHashMap<TerritoryId, Option<Origin>> = scenario.territories.iter().map(|t| (t.id, self.origin(project, scenario, t.id))).collect();
        project
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let origin = origins.get(&scenario.account_territory(a.id, a.unit)?)?.as_ref()?;
                Some(self.drive(origin, i, self.loads.get(i)?).hours * 60.0)
            })
            .collect()
    }

    /// Where drive times come from, for a legend: "by road network FILE (date)".
    pub fn drive_source(&self) -> String {
        match &self.roads {
            Some(r) => format!("by {}", r.label),
            None => "estimated (no road network)".into(),
        }
    }

    /// What drive times are measured with: "road network FILE (date)" or "estimate".
    pub fn drive_model(&self) -> String {
        match &self.roads {
            Some(r) => format!("{}; the estimate where the roads do not reach", r.label),
            None => "estimate (straight line, speed by trip length and area)".into(),
        }
    }

    /// Recomputes the travel sums of one territory from its accounts: O(units +
    /// the territory's accounts).
    fn recompute_travel(&mut self, project: &Project, scenario: &Scenario, id: TerritoryId) {
        let origin = self.origin(project, scenario, id);
        let (mut travel, mut one_way_sum, mut km_sum) = (0.0, 0.0, 0.0);
        if let Some(origin) = origin {
            let in_units = scenario
                .unit_territory
                .iter()
                .enumerate()
                .filter(|(_, t)| **t == Some(id))
                .flat_map(|(u, _)| project.accounts_in_unit(crate::model::ids::UnitId(u as u32)).iter().copied())
                .filter(|a| !scenario.account_overrides.contains_key(a));
            let overridden = scenario.account_overrides.iter().filter(|(_, t)| **t == id).map(|(a, _)| *a);
            for account in in_units.chain(overridden) {
                let load = &self.loads[account.index()];
                let AccountDrive { hours: one_way, km, .. } = self.drive(&origin, account.index(), load);
                travel += load.visits * 2.0 * one_way;
                one_way_sum += one_way;
                km_sum += km;
            }
        }
        let sums = self.sums.entry(id).or_default();
        sums.travel_hours = travel;
        sums.one_way_hours = one_way_sum;
        sums.one_way_km = km_sum;
    }

    /// Updates the metrics from a command's effects (the scenario is already changed).
    pub fn update(&mut self, project: &Project, scenario: &Scenario, effects: &Effects) {
        if effects.structure_changed {
            self.recompute_sums(project, scenario);
            self.derive(project, scenario);
            return;
        }
        let mut retravel: BTreeSet<TerritoryId> = effects.rep_changed.iter().copied().collect();
        for &(unit, from, to) in &effects.units {
            let centroid = project.units[unit.index()].centroid;
            for (territory, sign) in [(from, -1.0), (to, 1.0)] {
                let sums = self.slot(territory);
                step_count(&mut sums.units, sign);
                sums.centroid_lon_sum += sign * centroid.lon;
                sums.centroid_lat_sum += sign * centroid.lat;
                if let Some(t) = territory {
                    if self.is_vacant(project, scenario, t) {
                        retravel.insert(t);
                    }
                }
            }
        }
        for m in &effects.accounts {
            let load = self.loads[m.account.index()];
            let outside_every_unit = project.accounts.get(m.account.index()).is_some_and(|a| a.unit.is_none());
            for (territory, sign) in [(m.from, -1.0), (m.to, 1.0)] {
                add_load(self.account_slot(territory, outside_every_unit), &load, sign);
                let Some(t) = territory else { continue };
                if retravel.contains(&t) || self.is_vacant(project, scenario, t) {
                    retravel.insert(t);
                    continue;
                }
                if let Some(origin) = self.origin(project, scenario, t) {
                    let AccountDrive { hours: one_way, km, .. } = self.drive(&origin, m.account.index(), &load);
                    let sums = self.slot(territory);
                    sums.travel_hours += sign * load.visits * 2.0 * one_way;
                    sums.one_way_hours += sign * one_way;
                    sums.one_way_km += sign * km;
                }
            }
        }
        for t in retravel {
            self.recompute_travel(project, scenario, t);
        }
        self.derive(project, scenario);
    }

    pub fn sums(&self, id: TerritoryId) -> Option<&TerritorySums> {
        self.sums.get(&id)
    }

    /// Figures of units, and of accounts in them, that belong to no territory.
    pub fn unassigned(&self) -> &TerritorySums {
        &self.unassigned
    }

    /// Figures of accounts inside no unit and in no territory.
    pub fn outside(&self) -> &TerritorySums {
        &self.outside
    }

    pub fn territory(&self, id: TerritoryId) -> Option<&TerritoryMetrics> {
        self.territories.iter().find(|t| t.id == id)
    }

    /// One-way drive hours from a territory's anchor to a point in an area of the given
    /// unit size (used by the drive-time heatmap).
    pub fn drive_hours_to(&self, project: &Project, scenario: &Scenario, id: TerritoryId, to: LonLat, unit_index: usize) -> Option<f64> {
        let origin = self.origin(project, scenario, id)?;
        if let Some((hours, _)) = origin.roads.as_ref().and_then(|home| home.unit(unit_index)) {
            return Some(hours);
        }
        let density = *self.unit_density.get(unit_index)?;
        Some(self.model.one_way_hours(origin.point, to, density))
    }

    /// Recomputes the derived figures from the sums: O(territories).
    fn derive(&mut self, project: &Project, scenario: &Scenario) {
        let settings = &project.settings;
        let mut rows = Vec::with_capacity(scenario.territories.len());
        for territory in &scenario.territories {
            let s = self.sums.get(&territory.id).copied().unwrap_or_default();
            let capacity = match territory.rep.and_then(|r| project.reps.get(r.index())) {
                Some(rep) => rep.capacity_hours * rep.experience,
                None => settings.default_capacity_hours,
            };
            let hours = s.visit_hours + s.travel_hours;
            rows.push(TerritoryMetrics {
                id: territory.id,
                units: s.units,
                accounts: s.accounts,
                tier_weighted_accounts: s.tier_weighted_accounts,
                potential: s.potential,
                revenue: s.revenue,
                customers: s.customers,
                white_space_accounts: s.white_space_accounts,
                white_space_potential: s.white_space_potential,
                activity_accounts: s.activity_accounts,
                contacted: s.contacted,
                pipeline_accounts: s.pipeline_accounts,
                pipeline: s.pipeline,
                visit_hours: s.visit_hours,
                drive_hours: s.travel_hours,
                mean_drive_minutes: if s.accounts > 0 { s.one_way_hours / s.accounts as f64 * 60.0 } else { 0.0 },
                mean_drive_km: if s.accounts > 0 { s.one_way_km / s.accounts as f64 } else { 0.0 },
                drive_share_pct: if capacity > 0.0 { s.travel_hours / capacity * 100.0 } else { 0.0 },
                capacity_hours: capacity,
                workload: if capacity > 0.0 { hours / capacity } else { 0.0 },
                workload_index: 1.0,
                deviation_pct: 0.0,
            });
        }
        let mean_of = |f: fn(&TerritoryMetrics) -> f64, rows: &[TerritoryMetrics]| {
            balance::mean(&rows.iter().map(f).collect::<Vec<_>>())
        };
        let means = [
            mean_of(|r| r.tier_weighted_accounts, &rows),
            mean_of(|r| r.potential, &rows),
            mean_of(|r| r.visit_hours, &rows),
            mean_of(|r| r.drive_hours, &rows),
        ];
        let w = settings.index_weights;
        let weights = [w.accounts, w.potential, w.visits, w.drive];
        let weight_sum: f64 = weights.iter().sum();
        for row in &mut rows {
            let values = [row.tier_weighted_accounts, row.potential, row.visit_hours, row.drive_hours];
            row.workload_index = if weight_sum > 0.0 {
                (0..4)
                    .map(|i| weights[i] * if means[i] > 0.0 { values[i] / means[i] } else { 1.0 })
                    .sum::<f64>()
                    / weight_sum
            } else {
                1.0
            };
            row.deviation_pct = balance::deviation_pct(row.potential, means[1]);
        }
        self.balance = compute_balance(&rows, settings);
        self.territories = rows;
    }
}

fn account_load(account: &Account, settings: &Settings, unit_density: &[DensityClass]) -> AccountLoad {
    let visits = account.visits_per_year.max(0.0);
    AccountLoad {
        tier_weight: settings.tier_weights.get(account.tier),
        potential: account.potential,
        revenue: account.revenue,
        customer: account.revenue > 0.0,
        white_space: account.revenue <= 0.0 && account.potential > 0.0,
        contacted: account.contacted,
        pipeline: account.pipeline,
        visits,
        visit_hours: visits * settings.hours_per_visit.get(account.tier),
        location: account.location,
        density: crate::drivetime::account_density(unit_density, account),
    }
}

fn add_load(sums: &mut TerritorySums, load: &AccountLoad, sign: f64) {
    step_count(&mut sums.accounts, sign);
    sums.tier_weighted_accounts += sign * load.tier_weight;
    sums.potential += sign * load.potential;
    sums.revenue += sign * load.revenue;
    if load.customer {
        step_count(&mut sums.customers, sign);
    }
    if load.white_space {
        step_count(&mut sums.white_space_accounts, sign);
        sums.white_space_potential += sign * load.potential;
    }
    if let Some(contacted) = load.contacted {
        step_count(&mut sums.activity_accounts, sign);
        if contacted {
            step_count(&mut sums.contacted, sign);
        }
    }
    if let Some(pipeline) = load.pipeline {
        step_count(&mut sums.pipeline_accounts, sign);
        sums.pipeline += sign * pipeline;
    }
    sums.visits += sign * load.visits;
    sums.visit_hours += sign * load.visit_hours;
}

/// Adds (sign > 0) or removes one from a count.
fn step_count(count: &mut u32, sign: f64) {
    if sign > 0.0 {
        *count += 1;
    } else {
        *count = count.saturating_sub(1);
    }
}

fn empty_balance() -> Balance {
    Balance {
        gini_potential: 0.0,
        gini_workload: 0.0,
        max_deviation_pct: 0.0,
        quartile_ratio: None,
        workload_index_min: 1.0,
        workload_index_max: 1.0,
        mean_potential: 0.0,
        flags: Vec::new(),
        balanced: true,
    }
}

fn compute_balance(rows: &[TerritoryMetrics], settings: &Settings) -> Balance {
    if rows.is_empty() {
        return empty_balance();
    }
    let th = settings.thresholds;
    let potentials: Vec<f64> = rows.iter().map(|r| r.potential).collect();
    let workloads: Vec<f64> = rows.iter().map(|r| r.workload).collect();
    let gini_potential = balance::gini(&potentials);
    let gini_workload = balance::gini(&workloads);
    let max_deviation_pct = balance::max_abs_deviation_pct(&potentials);
    let quartile_ratio = balance::quartile_ratio(&potentials);
    let index_min = rows.iter().map(|r| r.workload_index).fold(f64::INFINITY, f64::min);
    let index_max = rows.iter().map(|r| r.workload_index).fold(f64::NEG_INFINITY, f64::max);
    let mut flags = Vec::new();
    if max_deviation_pct > th.tolerance * 100.0 {
        flags.push(format!(
            "potential deviates up to {max_deviation_pct:.1}% from the mean (tolerance {:.0}%)",
            th.tolerance * 100.0
        ));
    }
    if gini_potential > th.gini {
        flags.push(format!("Gini of potential {gini_potential:.3} is above {:.2}: structural imbalance", th.gini));
    }
    if gini_workload > th.gini {
        flags.push(format!("Gini of workload {gini_workload:.3} is above {:.2}: structural imbalance", th.gini));
    }
    match quartile_ratio {
        Some(q) if q > th.quartile_ratio => {
            flags.push(format!("top/bottom quartile ratio {q:.2}x is above {:.1}x", th.quartile_ratio))
        }
        None if rows.len() > 1 => flags.push("the bottom quartile has no potential".into()),
        _ => {}
    }
    let outside = rows.iter().filter(|r| r.workload_index < th.index_low || r.workload_index > th.index_high).count();
    if outside > 0 {
        flags.push(format!(
            "{outside} of {} territories have a workload index outside {:.1}-{:.1}",
            rows.len(),
            th.index_low,
            th.index_high
        ));
    }
    Balance {
        gini_potential,
        gini_workload,
        max_deviation_pct,
        quartile_ratio,
        workload_index_min: index_min,
        workload_index_max: index_max,
        mean_potential: balance::mean(&potentials),
        balanced: flags.is_empty(),
        flags,
    }
}

/// The effective territory of every account (override, else unit's territory).
pub fn account_territories(project: &Project, scenario: &Scenario) -> Vec<Option<TerritoryId>> {
    project.accounts.iter().map(|a| scenario.account_territory(a.id, a.unit)).collect()
}

/// Ids of accounts whose effective territory differs between two scenarios.
pub fn moved_accounts(project: &Project, from: &Scenario, to: &Scenario) -> Vec<AccountId> {
    project
        .accounts
        .iter()
        .filter(|a| from.account_territory(a.id, a.unit) != to.account_territory(a.id, a.unit))
        .map(|a| a.id)
        .collect()
}
