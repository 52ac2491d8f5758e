//! Planning numbers beyond balance (issue 21, first part): quotas by three methods that
//! add up to the cent, stored per scenario with undo, and capacity and KPI figures in
//! `report`, checked against counts made here from the project file.

use std::path::Path;
use std::process::Command;
use territory_designer::io::project_file;
use territory_designer::metrics::{quota, ScenarioMetrics};
use territory_designer::model::quota::{HybridWeights, QuotaMethod};
use territory_designer::model::Command as Edit;
use territory_designer::session::Session;

const SAMPLE: &str = "sample_maps/mid_atlantic.tdproj";

fn json(args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn quotas_add_up_to_the_cent_in_every_method_and_are_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.tdproj");
    for method in ["top-down", "bottom-up", "hybrid"] {
        std::fs::copy(SAMPLE, &path).unwrap();
        let p = path.to_str().unwrap();
        let out = json(&["quota", p, "--total", "1234567.89", "--method", method, "--format", "json"]);
        let cents: i64 = out["territories"].as_array().unwrap().iter().map(|t| (t["quota"].as_f64().unwrap() * 100.0).round() as i64).sum();
        assert_eq!(cents, 123_456_789, "{method}");
        assert_eq!(out["method"], method);
        // The report of the saved project carries them.
        let report = json(&["report", p, "--format", "json"]);
        assert_eq!(report["quota_total"].as_f64().unwrap(), 1234567.89);
        assert!(report["territories"].as_array().unwrap().iter().filter(|t| t["name"] != "(unassigned)").all(|t| t["quota"].as_f64().is_some()));
    }
}

#[test]
fn top_down_quotas_follow_potential_and_undo_takes_them_back() {
    let project = project_file::load(Path::new(SAMPLE)).unwrap();
    let scenario = project.baseline_scenario().unwrap().clone();
    let metrics = ScenarioMetrics::compute(&project, &scenario);
    let request = quota::QuotaRequest { method: QuotaMethod::TopDown, total: 1_000_000.0, weights: HybridWeights::default(), capture_rate: 0.25, effective: None };
    let plan = quota::plan(&project, &scenario, &metrics, &request).unwrap();
    let total_potential: f64 = metrics.territories.iter().map(|m| m.potential).sum();
    for (t, m) in scenario.territories.iter().zip(&metrics.territories) {
        let exact = 1_000_000.0 * m.potential / total_potential;
        assert!((plan.quota(t.id).unwrap() - exact).abs() <= 0.01, "{}", t.name);
    }
    let mut session = Session::new(project);
    let id = session.scenario().id;
    let before = session.scenario().quotas.clone();
    session.execute(Edit::SetQuotas { id, quotas: Some(Box::new(plan.clone())) }).unwrap();
    assert_eq!(session.scenario().quotas.as_ref(), Some(&plan));
    session.undo().unwrap();
    assert_eq!(session.scenario().quotas, before, "undo takes the quotas back");
    session.execute(Edit::SetQuotas { id, quotas: None }).unwrap();
    assert_eq!(session.scenario().quotas, None, "cleared");
    session.undo().unwrap();
    assert_eq!(session.scenario().quotas, before);
}

#[test]
fn capacity_and_kpis_match_a_count_made_here() {
    let project = project_file::load(Path::new(SAMPLE)).unwrap();
    let report = json(&["report", SAMPLE, "--format", "json"]);
    let scenario = project.baseline_scenario().unwrap();
    let first = &scenario.territories[0];
    let row = report["territories"].as_array().unwrap().iter().find(|t| t["name"] == first.name.as_str()).unwrap().clone();
    // Accounts of the first territory, counted from the file.
    let mine: Vec<_> = project.accounts.iter().filter(|a| scenario.account_territory(a.id, a.unit) == Some(first.id)).collect();
    let customers = mine.iter().filter(|a| a.revenue > 0.0).count();
    let white: Vec<_> = mine.iter().filter(|a| a.revenue <= 0.0 && a.potential > 0.0).collect();
    assert_eq!(row["accounts"].as_u64().unwrap() as usize, mine.len());
    assert!((row["penetration_pct"].as_f64().unwrap() - customers as f64 / mine.len() as f64 * 100.0).abs() < 1e-9);
    assert_eq!(row["white_space_accounts"].as_u64().unwrap() as usize, white.len());
    let white_potential: f64 = white.iter().map(|a| a.potential).sum();
    assert!((row["white_space_potential"].as_f64().unwrap() - white_potential).abs() < 1e-6);
    let hours = row["visit_hours"].as_f64().unwrap() + row["drive_hours"].as_f64().unwrap();
    assert!((row["hours_needed"].as_f64().unwrap() - hours).abs() < 1e-9);
    assert!((row["utilization_pct"].as_f64().unwrap() - hours / row["capacity_hours"].as_f64().unwrap() * 100.0).abs() < 1e-9);
    // Reps needed = all hours / mean capacity of the staffed territories.
    let capacity = &report["capacity"];
    let rows: Vec<&serde_json::Value> = report["territories"].as_array().unwrap().iter().filter(|t| t["name"] != "(unassigned)").collect();
    let all_hours: f64 = rows.iter().map(|t| t["hours_needed"].as_f64().unwrap()).sum();
    let mean_capacity = rows.iter().map(|t| t["capacity_hours"].as_f64().unwrap()).sum::<f64>() / rows.len() as f64;
    assert!((capacity["reps_needed"].as_f64().unwrap() - all_hours / mean_capacity).abs() < 1e-9);
    // The playbook's figure: 1,500 h at 3 h an account a month is about 42 accounts.
    assert_eq!(capacity["accounts_per_rep"].as_f64().unwrap().round(), 42.0);
    let over: Vec<&str> = capacity["over_capacity"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for t in rows {
        let listed = over.contains(&t["name"].as_str().unwrap());
        assert_eq!(listed, t["utilization_pct"].as_f64().unwrap() > 100.0, "{}", t["name"]);
    }
}
