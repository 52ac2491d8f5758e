//! Metric values checked against small cases computed by hand.

use geo::{polygon, MultiPolygon};
use std::collections::BTreeMap;
use territory_designer::metrics::ScenarioMetrics;
use territory_designer::model::settings::PerTier;
use territory_designer::model::*;
use territory_designer::spatial::geodesic_area_km2;

fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)]])
}

fn unit(id: u32, x: f64, y: f64, size: f64) -> Unit {
    let geometry = square(x, y, size);
    Unit {
        id: UnitId(id),
        code: format!("{id}"),
        name: format!("U{id}"),
        area_km2: geodesic_area_km2(&geometry),
        centroid: LonLat::new(x + size / 2.0, y + size / 2.0),
        geometry,
        attributes: BTreeMap::new(),
    }
}

fn account(id: u32, unit: u32, at: LonLat, tier: Tier, potential: f64, visits: f64) -> Account {
    Account {
        id: AccountId(id),
        external_id: format!("A{id}"),
        name: format!("Account {id}"),
        location: at,
        unit: Some(UnitId(unit)),
        potential,
        revenue: potential / 2.0,
        tier,
        visits_per_year: visits,
        industry: "Retail".into(),
        owner: None,
        relationship: 0.5,
        named: false,
        attributes: BTreeMap::new(),
        contacted: None,
        pipeline: None,
    }
}

fn rep(id: u32, home: LonLat, experience: f64) -> Rep {
    Rep { id: RepId(id), name: format!("Rep {id}"), home, capacity_hours: 1500.0, experience, role: RepRole::Farmer, region: None }
}

/// One territory per unit, rep i owns territory i.
fn project(units: Vec<Unit>, accounts: Vec<Account>, reps: Vec<Rep>) -> Project {
    let mut project = Project::new("hand", units, accounts, reps);
    let id = project.add_scenario("S");
    project.baseline = id;
    let reps = project.reps.len();
    let scenario = project.scenario_mut(id).unwrap();
    for i in 0..scenario.unit_territory.len() {
        let t = scenario.push_territory(format!("T{i}"), Rgb(0, 0, 0), (i < reps).then_some(RepId(i as u32)));
        scenario.unit_territory[i] = Some(t);
    }
    project
}

#[test]
fn forty_two_accounts_fill_one_rep_at_three_hours_a_month() {
    // The domain example: 1,500 h at 3 h/account/month is about 42 accounts.
    let home = LonLat::new(-77.5, 40.5);
    let accounts = (0..42).map(|i| account(i, 0, home, Tier::Smb, 1000.0, 12.0)).collect();
    let mut p = project(vec![unit(0, -78.0, 40.0, 1.0)], accounts, vec![rep(0, home, 1.0)]);
    p.settings.hours_per_visit = PerTier { strategic: 3.0, mid_market: 3.0, smb: 3.0 };
    let m = ScenarioMetrics::compute(&p, &p.scenarios[0]);
    let t = &m.territories[0];
    assert_eq!(t.accounts, 42);
    assert!((t.visit_hours - 1512.0).abs() < 1e-9);
    assert_eq!(t.drive_hours, 0.0, "accounts at the home base need no travel");
    assert!((t.workload - 1512.0 / 1500.0).abs() < 1e-12, "{}", t.workload);
    // A senior rep (x1.5) carrying the same book is at two thirds.
    p.reps[0].experience = 1.5;
    let m = ScenarioMetrics::compute(&p, &p.scenarios[0]);
    assert!((m.territories[0].workload - 1512.0 / 2250.0).abs() < 1e-12);
}

#[test]
fn drive_hours_follow_the_distance_estimate() {
    // One account one degree of latitude north of the rep (111.195 km), in a large
    // (rural) unit: 144.55 km of road (x 1.3); 3 km at each end at 70 km/h, the
    // 138.55 km between at (90 x 138.55 + 70 x 15) / 153.55 km/h; 10 visits a year,
    // round trips.
    let home = LonLat::new(-77.5, 40.0);
    let at = LonLat::new(-77.5, 41.0);
    let accounts = vec![account(0, 0, at, Tier::Smb, 1000.0, 10.0)];
    let p = project(vec![unit(0, -78.0, 40.0, 1.5)], accounts, vec![rep(0, home, 1.0)]);
    let m = ScenarioMetrics::compute(&p, &p.scenarios[0]);
    let road = 111.19 * 1.3;
    let middle = road - 6.0;
    let one_way = 6.0 / 70.0 + middle / ((90.0 * middle + 70.0 * 15.0) / (middle + 15.0));
    let t = &m.territories[0];
    assert!((t.drive_hours - 10.0 * 2.0 * one_way).abs() < 0.01, "{}", t.drive_hours);
    assert!((t.mean_drive_minutes - one_way * 60.0).abs() < 0.05, "{}", t.mean_drive_minutes);
    // Visit hours: 10 visits x 1 h (SMB default).
    assert!((t.visit_hours - 10.0).abs() < 1e-12);
    assert!((t.workload - (10.0 + t.drive_hours) / 1500.0).abs() < 1e-12);
}

#[test]
fn index_deviation_and_balance_of_two_territories() {
    let a = LonLat::new(-77.5, 40.5);
    let b = LonLat::new(-76.5, 40.5);
    let accounts = vec![account(0, 0, a, Tier::Strategic, 300.0, 0.0), account(1, 1, b, Tier::Smb, 100.0, 0.0)];
    let mut p = project(vec![unit(0, -78.0, 40.0, 1.0), unit(1, -77.0, 40.0, 1.0)], accounts, vec![rep(0, a, 1.0), rep(1, b, 1.0)]);
    p.settings.preset = None;
    p.settings.index_weights = IndexWeights { accounts: 1.0, potential: 1.0, visits: 0.0, drive: 0.0 };
    let m = ScenarioMetrics::compute(&p, &p.scenarios[0]);
    let (ta, tb) = (&m.territories[0], &m.territories[1]);
    // Tier-weighted accounts 3 vs 1 (mean 2), potential 300 vs 100 (mean 200).
    assert_eq!(ta.tier_weighted_accounts, 3.0);
    assert!((ta.workload_index - 1.5).abs() < 1e-12, "{}", ta.workload_index);
    assert!((tb.workload_index - 0.5).abs() < 1e-12);
    assert!((ta.deviation_pct - 50.0).abs() < 1e-12);
    assert!((tb.deviation_pct + 50.0).abs() < 1e-12);
    let b = &m.balance;
    // Gini of [100, 300] = |300-100| / (2 * 2 * 200) * 2 = 0.25.
    assert!((b.gini_potential - 0.25).abs() < 1e-12);
    assert!((b.max_deviation_pct - 50.0).abs() < 1e-12);
    assert!((b.quartile_ratio.unwrap() - 3.0).abs() < 1e-12);
    assert!(!b.balanced);
    assert!(b.flags.iter().any(|f| f.contains("Gini of potential")), "{:?}", b.flags);
    assert!(b.flags.iter().any(|f| f.contains("quartile")), "{:?}", b.flags);
}

#[test]
fn equal_territories_are_balanced() {
    let a = LonLat::new(-77.5, 40.5);
    let b = LonLat::new(-76.5, 40.5);
    let accounts = vec![account(0, 0, a, Tier::Smb, 100.0, 4.0), account(1, 1, b, Tier::Smb, 100.0, 4.0)];
    let p = project(vec![unit(0, -78.0, 40.0, 1.0), unit(1, -77.0, 40.0, 1.0)], accounts, vec![rep(0, a, 1.0), rep(1, b, 1.0)]);
    let m = ScenarioMetrics::compute(&p, &p.scenarios[0]);
    assert!(m.balance.balanced, "{:?}", m.balance.flags);
    assert_eq!(m.balance.gini_potential, 0.0);
    for t in &m.territories {
        assert!((t.workload_index - 1.0).abs() < 1e-12);
    }
}

#[test]
fn a_vacant_territory_measures_travel_from_its_centre() {
    // No rep: travel is measured from the centre of the territory's units, and the
    // default capacity is used.
    let centre = LonLat::new(-77.5, 40.5);
    let accounts = vec![account(0, 0, centre, Tier::Smb, 100.0, 4.0)];
    let p = project(vec![unit(0, -78.0, 40.0, 1.0)], accounts, vec![]);
    let m = ScenarioMetrics::compute(&p, &p.scenarios[0]);
    assert_eq!(m.territories[0].drive_hours, 0.0);
    assert_eq!(m.territories[0].capacity_hours, 1500.0);
}
