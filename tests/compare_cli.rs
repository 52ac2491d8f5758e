//! `compare` on the two scenarios of the sample, checked against `report` of each
//! scenario and against an account-by-account count made here from the project file.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use territory_designer::io::project_file;

const SAMPLE: &str = "sample_maps/mid_atlantic.tdproj";
const PROPOSAL: &str = "2027 proposal";

fn run_json(args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn compare_agrees_with_both_reports_and_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    let ledger_path = dir.path().join("ledger.csv");
    let ledger_arg = ledger_path.to_str().unwrap();
    let c = run_json(&["compare", SAMPLE, "--to", PROPOSAL, "--format", "json", "--ledger", ledger_arg]);
    let before = run_json(&["report", SAMPLE, "--format", "json"]);
    let after = run_json(&["report", SAMPLE, "--format", "json", "--scenario", PROPOSAL]);

    // Per-territory before/after figures are those of the two reports.
    let rows = |r: &serde_json::Value| -> HashMap<String, (u64, f64)> {
        r["territories"].as_array().unwrap().iter().map(|t| (t["name"].as_str().unwrap().to_string(), (t["accounts"].as_u64().unwrap(), t["potential"].as_f64().unwrap()))).collect()
    };
    let (rb, ra) = (rows(&before), rows(&after));
    let pairs = c["territories"].as_array().unwrap();
    assert_eq!(pairs.len(), rb.len());
    for p in pairs {
        let name = p["name"].as_str().unwrap();
        assert_eq!(p["before"]["accounts"].as_u64().unwrap(), rb[name].0, "{name}");
        assert_eq!(p["after"]["accounts"].as_u64().unwrap(), ra[name].0, "{name}");
        assert_eq!(p["after"]["potential"].as_f64().unwrap(), ra[name].1, "{name}");
    }
    // Net change per territory cannot exceed what moved.
    let net_gain: u64 = rb.iter().map(|(n, (b, _))| ra[n].0.saturating_sub(*b)).sum();
    let moved = c["moved_accounts"].as_u64().unwrap();
    assert!(moved >= net_gain && net_gain > 0, "moved {moved}, net gain {net_gain}");

    // Independently: every account whose territory's rep differs between the scenarios.
    let project = project_file::load(Path::new(SAMPLE)).unwrap();
    let (a, b) = (project.scenario_by_name("2026 alignment").unwrap(), project.scenario_by_name(PROPOSAL).unwrap());
    let rep = |s: &territory_designer::model::Scenario, acc: &territory_designer::model::Account| {
        s.account_territory(acc.id, acc.unit).and_then(|t| s.territory(t)).and_then(|t| t.rep)
    };
    let changed: Vec<_> = project.accounts.iter().filter(|acc| rep(a, acc) != rep(b, acc)).collect();
    assert_eq!(moved as usize, changed.len());
    let revenue: f64 = changed.iter().map(|acc| acc.revenue).sum();
    let potential: f64 = changed.iter().map(|acc| acc.potential).sum();
    assert!((c["moved_revenue"].as_f64().unwrap() - revenue).abs() < 1e-3);
    assert!((c["moved_potential"].as_f64().unwrap() - potential).abs() < 1e-3);
    let units = (0..project.units.len()).filter(|u| a.unit_territory[*u] != b.unit_territory[*u]).count();
    assert_eq!(c["moved_units"].as_u64().unwrap() as usize, units);

    // The ledger file lists exactly those accounts.
    let mut reader = csv::Reader::from_path(&ledger_path).unwrap();
    let ids: std::collections::BTreeSet<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
    let expected: std::collections::BTreeSet<String> = changed.iter().map(|acc| acc.external_id.clone()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn compare_table_and_errors() {
    let output = Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(["compare", SAMPLE, "--to", PROPOSAL]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Compare: 2026 alignment -> 2027 proposal"), "{text}");
    assert!(text.contains("accounts change owner"), "{text}");
    let output = Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(["compare", SAMPLE, "--to", "Nope"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("no scenario named 'Nope'") && stderr.trim_end().lines().count() == 1, "{stderr}");
}
