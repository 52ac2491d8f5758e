//! Planning numbers, second part (issue 21): coverage and pipeline KPIs, regions rolled
//! up, region edits with undo, regions from the reps and alignment files, the
//! optimizer balancing within regions, and quotas that follow the territories. Each
//! figure is checked against a small case computed by hand here.

use geo::{polygon, MultiPolygon};
use std::collections::BTreeMap;
use std::path::Path;
use territory_designer::metrics::report;
use territory_designer::metrics::{quota, ScenarioMetrics};
use territory_designer::model::quota::{HybridWeights, QuotaMethod};
use territory_designer::model::*;
use territory_designer::session::Session;
use territory_designer::spatial::geodesic_area_km2;

const SAMPLE: &str = "sample_maps/mid_atlantic.tdproj";

fn unit(id: u32, x: f64) -> Unit {
    let geometry = MultiPolygon(vec![polygon![(x: x, y: 40.0), (x: x + 0.1, y: 40.0), (x: x + 0.1, y: 40.1), (x: x, y: 40.1)]]);
    Unit {
        id: UnitId(id),
        code: format!("{:05}", 10_000 + id),
        name: format!("U{id}"),
        area_km2: geodesic_area_km2(&geometry),
        centroid: LonLat::new(x + 0.05, 40.05),
        geometry,
        attributes: BTreeMap::new(),
    }
}

/// An account in unit `u` with potential, revenue, whether it was contacted and its
/// open pipeline.
fn account(id: u32, u: u32, potential: f64, revenue: f64, contacted: bool, pipeline: f64) -> Account {
    Account {
        id: AccountId(id),
        external_id: format!("A{id}"),
        name: format!("Account {id}"),
        location: LonLat::new(-78.0 + u as f64 * 0.1 + 0.05, 40.05),
        unit: Some(UnitId(u)),
        potential,
        revenue,
        tier: Tier::Smb,
        visits_per_year: 0.0,
        industry: String::new(),
        owner: None,
        relationship: 0.0,
        named: false,
        attributes: BTreeMap::new(),
        contacted: Some(contacted),
        pipeline: Some(pipeline),
    }
}

/// Four units in a row, one territory each (T0..T3, rep i), T0 and T1 in region
/// "West", T2 and T3 in "East".
fn four_territories() -> Project {
    let units = (0..4).map(|i| unit(i, -78.0 + i as f64 * 0.1)).collect();
    let accounts = vec![
        // T0: 2 accounts, 1 contacted, pipeline 300.
        account(0, 0, 1000.0, 400.0, true, 300.0),
        account(1, 0, 500.0, 0.0, false, 0.0),
        // T1: 1 account, contacted, pipeline 50.
        account(2, 1, 2000.0, 1000.0, true, 50.0),
        // T2: 2 accounts, both contacted, no pipeline.
        account(3, 2, 800.0, 200.0, true, 0.0),
        account(4, 2, 700.0, 0.0, true, 0.0),
        // T3: 1 account, not contacted, pipeline 1000.
        account(5, 3, 1500.0, 0.0, false, 1000.0),
    ];
    let reps = (0..4)
        .map(|i| Rep { id: RepId(i), name: format!("Rep {i}"), home: LonLat::new(-78.0 + i as f64 * 0.1 + 0.05, 40.05), capacity_hours: 1500.0, experience: 1.0, role: RepRole::Farmer, region: None })
        .collect();
    let mut project = Project::new("regions", units, accounts, reps);
    let id = project.add_scenario("S");
    project.baseline = id;
    let scenario = project.scenario_mut(id).unwrap();
    for i in 0..4u32 {
        let t = scenario.push_territory(format!("T{i}"), Rgb(0, 0, 0), Some(RepId(i)));
        scenario.territory_mut(t).unwrap().region = Some(if i < 2 { "West" } else { "East" }.to_string());
        scenario.unit_territory[i as usize] = Some(t);
    }
    project
}

fn top_down(total: f64) -> quota::QuotaRequest {
    quota::QuotaRequest { method: QuotaMethod::TopDown, total, weights: HybridWeights::default(), capture_rate: 0.25, effective: None }
}

#[test]
fn coverage_and_pipeline_coverage_match_a_hand_computation() {
    let mut project = four_territories();
    let scenario = project.scenarios[0].clone();
    let metrics = ScenarioMetrics::compute(&project, &scenario);
    // Top-down over potential 1500 / 2000 / 1500 / 1500 (total 6500) of 6500: each
    // quota equals the potential.
    let plan = quota::plan(&project, &scenario, &metrics, &top_down(6500.0)).unwrap();
    project.scenarios[0].quotas = Some(plan);
    let scenario = &project.scenarios[0];
    let r = report::build(&project, scenario, &metrics);
    let row = |name: &str| r.territories.iter().find(|t| t.name == name).unwrap();
    // Coverage: contacted / accounts.
    assert_eq!(row("T0").coverage_pct, Some(50.0));
    assert_eq!(row("T1").coverage_pct, Some(100.0));
    assert_eq!(row("T2").coverage_pct, Some(100.0));
    assert_eq!(row("T3").coverage_pct, Some(0.0));
    // Pipeline coverage: pipeline / (quota - revenue).
    // T0: 300 / (1500 - 400) = 0.2727; T1: 50 / (2000 - 1000) = 0.05;
    // T2: 0 / (1500 - 200) = 0; T3: 1000 / (1500 - 0) = 0.6667.
    let close = |a: Option<f64>, b: f64| assert!((a.unwrap() - b).abs() < 1e-12, "{a:?} vs {b}");
    close(row("T0").pipeline_coverage, 300.0 / 1100.0);
    close(row("T1").pipeline_coverage, 0.05);
    close(row("T2").pipeline_coverage, 0.0);
    close(row("T3").pipeline_coverage, 1000.0 / 1500.0);
    assert_eq!(row("T3").pipeline, Some(1000.0));
    // Every one is under 3x: all four are flagged.
    assert_eq!(r.capacity.pipeline_short, vec!["T0", "T1", "T2", "T3"]);
    // Without quotas there is nothing to cover: no ratio, no flag.
    project.scenarios[0].quotas = None;
    let r = report::build(&project, &project.scenarios[0], &metrics);
    assert!(r.territories.iter().all(|t| t.pipeline_coverage.is_none()));
    assert!(r.capacity.pipeline_short.is_empty());
}

#[test]
fn regions_roll_up_exactly() {
    let mut project = four_territories();
    let scenario = project.scenarios[0].clone();
    let metrics = ScenarioMetrics::compute(&project, &scenario);
    project.scenarios[0].quotas = Some(quota::plan(&project, &scenario, &metrics, &top_down(1000.01)).unwrap());
    let scenario = &project.scenarios[0];
    let r = report::build(&project, scenario, &metrics);
    assert_eq!(r.regions.len(), 2);
    let west = &r.regions[0];
    assert_eq!((west.name.as_str(), west.territories.clone()), ("West", vec!["T0".to_string(), "T1".to_string()]));
    assert_eq!((west.units, west.accounts), (2, 3));
    assert_eq!((west.potential, west.revenue), (3500.0, 1400.0));
    // Balance within West: mean 1750; T1 (2000) is 14.29% above it.
    assert!((west.max_deviation_pct - 250.0 / 1750.0 * 100.0).abs() < 1e-9);
    let east = &r.regions[1];
    assert_eq!((east.potential, east.accounts), (3000.0, 3));
    assert_eq!(east.max_deviation_pct, 0.0, "1500 and 1500");
    // Quotas add up per region, and the regions to the total, to the cent.
    let quota_of = |names: &[&str]| -> i64 {
        let plan = scenario.quotas.as_ref().unwrap();
        names.iter().map(|n| plan.cents[&scenario.territory_by_name(n).unwrap().id]).sum()
    };
    assert_eq!((west.quota.unwrap() * 100.0).round() as i64, quota_of(&["T0", "T1"]));
    assert_eq!((east.quota.unwrap() * 100.0).round() as i64, quota_of(&["T2", "T3"]));
    assert_eq!(((west.quota.unwrap() + east.quota.unwrap()) * 100.0).round() as i64, 100_001);
    // A territory taken out of its region is listed apart.
    project.scenarios[0].territories[3].region = None;
    let r = report::build(&project, &project.scenarios[0], &metrics);
    assert_eq!(r.regions.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), vec!["West", "East", report::NO_REGION_ROW]);
    assert_eq!(r.regions[2].territories, vec!["T3".to_string()]);
}

#[test]
fn region_edits_are_one_undo_step_each() {
    let project = four_territories();
    let before = project.scenarios[0].clone();
    let mut session = Session::new(project);
    let ids: Vec<TerritoryId> = session.scenario().territories.iter().map(|t| t.id).collect();
    session.execute(Command::set_region(&ids[..3], Some("  North "))).unwrap();
    let regions: Vec<Option<&str>> = session.scenario().territories.iter().map(|t| t.region.as_deref()).collect();
    assert_eq!(regions, vec![Some("North"), Some("North"), Some("North"), Some("East")]);
    let rename = Command::rename_region(session.scenario(), "North", "Great Lakes");
    session.execute(rename).unwrap();
    assert_eq!(session.scenario().regions(), vec!["Great Lakes", "East"]);
    session.undo().unwrap();
    assert_eq!(session.scenario().regions(), vec!["North", "East"]);
    session.undo().unwrap();
    assert_eq!(session.scenario(), &before, "two gestures, two undo steps, back to the start");
    session.redo().unwrap();
    assert_eq!(session.scenario().territories[0].region.as_deref(), Some("North"));
    // A blank name means no region.
    session.execute(Command::set_region(&ids[..1], Some(" "))).unwrap();
    assert_eq!(session.scenario().territories[0].region, None);
}

#[test]
fn quotas_say_when_the_territories_changed_and_split_again() {
    let mut project = four_territories();
    let scenario = project.scenarios[0].clone();
    let metrics = ScenarioMetrics::compute(&project, &scenario);
    let plan = quota::plan(&project, &scenario, &metrics, &top_down(6500.0)).unwrap();
    project.scenarios[0].quotas = Some(plan.clone());
    assert_eq!(plan.stale_reason(&project.scenarios[0]), None);
    // Unit 1 (T1's) moves to T0.
    let t0 = project.scenarios[0].territories[0].id;
    project.apply_command(project.scenarios[0].id, Command::assign_units([UnitId(1)], Some(t0))).unwrap();
    let scenario = &project.scenarios[0];
    let reason = plan.stale_reason(scenario).expect("the ZIPs moved");
    assert!(reason.contains("moved"), "{reason}");
    let r = report::build(&project, scenario, &ScenarioMetrics::compute(&project, scenario));
    assert!(r.quota_warning.is_some());
    // Split again: T0 now holds 3500 of 6500 potential, T1 nothing.
    let metrics = ScenarioMetrics::compute(&project, scenario);
    let again = quota::replan(&project, scenario, &metrics, &plan).unwrap();
    assert_eq!(again.stale_reason(scenario), None);
    assert_eq!(again.quota(t0), Some(3500.0));
    assert_eq!(again.cents.values().sum::<i64>(), plan.total_cents);
}

#[test]
fn compare_shows_the_quota_that_moves() {
    let mut project = four_territories();
    let base = project.scenarios[0].id;
    let scenario = project.scenarios[0].clone();
    let metrics = ScenarioMetrics::compute(&project, &scenario);
    project.scenarios[0].quotas = Some(quota::plan(&project, &scenario, &metrics, &top_down(6500.0)).unwrap());
    let copy = project.duplicate_scenario(base, "Moved").unwrap();
    let t0 = project.scenarios[0].territories[0].id;
    project.apply_command(copy, Command::assign_units([UnitId(1)], Some(t0))).unwrap();
    let moved = project.scenario(copy).unwrap();
    let replanned = quota::replan(&project, moved, &ScenarioMetrics::compute(&project, moved), moved.quotas.as_ref().unwrap()).unwrap();
    project.scenario_mut(copy).unwrap().quotas = Some(replanned);
    let c = territory_designer::metrics::compare::compare(&project, project.scenario(base).unwrap(), project.scenario(copy).unwrap());
    // T1's 2000 of quota goes to T0 with its ZIP.
    assert_eq!(c.moved_quota, Some(2000.0));
    let pair = c.territories.iter().find(|p| p.name == "T0").unwrap();
    assert_eq!((pair.before.as_ref().unwrap().quota, pair.after.as_ref().unwrap().quota), (Some(1500.0), Some(3500.0)));
}

#[test]
fn regions_come_from_the_reps_file_and_the_alignment_file() {
    let dir = tempfile::tempdir().unwrap();
    let project = four_territories();
    // Units as GeoJSON, reps with a region column.
    let units = dir.path().join("units.geojson");
    let features: Vec<String> = project
        .units
        .iter()
        .map(|u| {
            let x = u.centroid.lon - 0.05;
            format!(
                r#"{{"type":"Feature","properties":{{"ZCTA5CE20":"{}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},40.0],[{},40.0],[{},40.1],[{x},40.1],[{x},40.0]]]}}}}"#,
                u.code,
                x + 0.1,
                x + 0.1
            )
        })
        .collect();
    std::fs::write(&units, format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))).unwrap();
    let reps = dir.path().join("reps.csv");
    std::fs::write(&reps, "name,zip,region\nAnn,10000,West\nBob,10001,West\nCy,10002,East\nDee,10003,\n").unwrap();
    let out = dir.path().join("new.tdproj");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer"))
        .args(["new", "--out", out.to_str().unwrap(), "--units", units.to_str().unwrap(), "--reps", reps.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let made = territory_designer::io::project_file::load(&out).unwrap();
    let regions: Vec<Option<&str>> = made.scenarios[0].territories.iter().map(|t| t.region.as_deref()).collect();
    assert_eq!(regions, vec![Some("West"), Some("West"), Some("East"), None], "each rep's territory starts in the rep's region");
    // An alignment with a region column; a territory put in two regions is refused.
    let alignment = dir.path().join("alignment.csv");
    std::fs::write(&alignment, "zip,territory,region\n10000,North,Upstate\n10001,North,Upstate\n10002,South,Downstate\n10003,South,Upstate\n").unwrap();
    let table = territory_designer::io::import::columns::read_csv(&alignment).unwrap();
    let palette = territory_designer::model::palette::territory_palette(4);
    let import = territory_designer::io::import::alignment::build(&table, &made, "Aligned", &palette).unwrap();
    let regions: Vec<(&str, Option<&str>)> = import.scenario.territories.iter().map(|t| (t.name.as_str(), t.region.as_deref())).collect();
    assert_eq!(regions, vec![("North", Some("Upstate")), ("South", Some("Downstate"))]);
    assert_eq!(import.rejected.len(), 1);
    assert!(import.rejected[0].to_string().contains("already in region 'Downstate'"), "{}", import.rejected[0]);
    assert!(import.rejected[0].to_string().contains("line 5"), "{}", import.rejected[0]);
}

#[test]
fn optimizing_within_regions_never_moves_a_zip_across_regions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.tdproj");
    std::fs::copy(SAMPLE, &path).unwrap();
    let p = path.to_str().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(["optimize", p, "--within-regions", "--into", "Within"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let project = territory_designer::io::project_file::load(&path).unwrap();
    let start = project.baseline_scenario().unwrap();
    let result = project.scenario_by_name("Within").unwrap();
    let region_of = |s: &Scenario, u: usize| s.unit_territory[u].and_then(|t| s.territory(t)).and_then(|t| t.region.clone());
    let mut moved = 0;
    for u in 0..project.units.len() {
        assert_eq!(region_of(start, u), region_of(result, u), "ZIP {} changed region", project.units[u].code);
        moved += usize::from(start.unit_territory[u] != result.unit_territory[u]);
    }
    assert!(moved > 100, "the optimizer did work: {moved} ZIPs moved");
    // Balanced within each region: Pennsylvania's seven territories touch one another,
    // so they meet the 10% tolerance against their own mean.
    let metrics = ScenarioMetrics::compute(&project, result);
    let r = report::build(&project, result, &metrics);
    let pennsylvania = r.regions.iter().find(|g| g.name == "Pennsylvania").unwrap();
    assert!(pennsylvania.max_deviation_pct <= 10.0 + 1e-9, "{}", pennsylvania.max_deviation_pct);
    // Quotas follow the new territories: the same total, split again, not stale.
    let quotas = result.quotas.as_ref().expect("the sample has quotas");
    assert_eq!(quotas.total_cents, start.quotas.as_ref().unwrap().total_cents);
    assert_eq!(quotas.stale_reason(result), None);
    // Without regions the switch is refused with a reason.
    let plain = dir.path().join("plain.tdproj");
    let mut bare = project.clone();
    for s in &mut bare.scenarios {
        for t in &mut s.territories {
            t.region = None;
        }
    }
    territory_designer::io::project_file::save(&bare, &plain).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(["optimize", plain.to_str().unwrap(), "--within-regions"]).output().unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("no regions"), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn the_sample_shows_regions_quotas_and_kpis() {
    let project = territory_designer::io::project_file::load(Path::new(SAMPLE)).unwrap();
    for scenario in &project.scenarios {
        assert_eq!(scenario.regions(), vec!["Pennsylvania", "Coastal"], "{}", scenario.name);
        let plan = scenario.quotas.as_ref().expect("quotas set");
        assert_eq!(plan.method, QuotaMethod::Hybrid);
        assert_eq!(plan.cents.values().sum::<i64>(), plan.total_cents);
        let metrics = ScenarioMetrics::compute(&project, scenario);
        let r = report::build(&project, scenario, &metrics);
        assert!(r.territories.iter().all(|t| t.coverage_pct.is_some() && t.pipeline.is_some()));
        let white: u32 = r.territories.iter().map(|t| t.white_space_accounts).sum();
        assert!(white > 1000 && white < 7000, "white space {white} of 8000");
        let region_quota: f64 = r.regions.iter().filter_map(|g| g.quota).sum();
        assert!((region_quota - r.quota_total.unwrap()).abs() < 0.005);
    }
}

#[test]
fn the_regions_subcommand_sets_regions_from_a_file_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.tdproj");
    std::fs::copy(SAMPLE, &path).unwrap();
    let p = path.to_str().unwrap();
    let run = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(args).output().unwrap();
    // A rep's name stands for the territory; a blank region takes it out of its region.
    let csv = dir.path().join("regions.csv");
    std::fs::write(&csv, "territory,region\nBaltimore,Chesapeake\nSofia Rossi,Chesapeake\nErie,West\nNorthwest PA,\n").unwrap();
    let refused = run(&["regions", p, "--set", csv.to_str().unwrap()]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("line 4") && stderr.contains("Erie"), "{stderr}");
    assert_eq!(territory_designer::io::project_file::load(&path).unwrap(), territory_designer::io::project_file::load(Path::new(SAMPLE)).unwrap(), "nothing saved");
    let done = run(&["regions", p, "--set", csv.to_str().unwrap(), "--skip-bad-rows", "--format", "json"]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let stdout = String::from_utf8(done.stdout).unwrap();
    assert!(stdout.contains("3 territories changed region"), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout[stdout.find('{').unwrap()..]).unwrap();
    let names: Vec<&str> = json["regions"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Pennsylvania", "Coastal", "Chesapeake", report::NO_REGION_ROW]);
    let chesapeake = &json["regions"][2];
    assert_eq!(chesapeake["territories"], serde_json::json!(["Baltimore", "Capital Region"]));
    // The saved project has them, and `report` lists the same roll-up.
    let report_json: serde_json::Value = serde_json::from_slice(&run(&["report", p, "--format", "json"]).stdout).unwrap();
    assert_eq!(report_json["regions"], json["regions"]);
}
