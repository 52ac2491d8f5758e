//! `optimize` on the bundled sample: from the unbalanced baseline to within 10% of the
//! mean potential, every territory in one piece, saved as a new scenario.

use std::process::Command;

#[test]
fn optimize_balances_the_sample_into_a_new_contiguous_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.tdproj");
    std::fs::copy("sample_maps/mid_atlantic.tdproj", &path).unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(args).output().unwrap();
    let p = path.to_str().unwrap();
    let out = run(&["optimize", p, "--tolerance", "0.10", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["max_deviation_pct"].as_f64().unwrap() <= 10.0, "{json}");
    assert!(json["potential_max_deviation_pct"].as_f64().unwrap() <= 10.0, "{json}");
    assert_eq!(json["noncontiguous_territories"].as_u64(), Some(0), "{json}");
    assert!(json["moved_units"].as_u64().unwrap() > 0);
    for key in ["mean_weighted_distance_km", "solve_secs"] {
        assert!(json[key].is_number(), "{key} in {json}");
    }
    // The proposal is in the project; the baseline is untouched.
    let project = territory_designer::io::project_file::load(&path).unwrap();
    assert!(project.scenario_by_name("Balanced (optimizer)").is_some());
    let report = run(&["report", p, "--format", "json"]);
    let baseline: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert!(baseline["balance"]["max_deviation_pct"].as_f64().unwrap() > 100.0);

    // A second run gets the next free name instead of failing on a taken one.
    let again = run(&["optimize", p]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let project = territory_designer::io::project_file::load(&path).unwrap();
    assert!(project.scenario_by_name("Balanced (optimizer) 2").is_some());

    // A mix of potential and workload, each as a share of its total.
    let mix = run(&["optimize", p, "--balance", "0.5*potential+0.5*workload", "--into", "Mix", "--format", "json"]);
    assert!(mix.status.success(), "{}", String::from_utf8_lossy(&mix.stderr));
    let json: serde_json::Value = serde_json::from_slice(&mix.stdout).unwrap();
    assert!(json["max_deviation_pct"].as_f64().unwrap() <= 10.0, "{json}");
    assert_eq!(json["noncontiguous_territories"].as_u64(), Some(0), "{json}");

    // The workload measure is the index the app reports: balanced on it, every
    // territory's index ends inside the planners' 0.8-1.2 band (the baseline spans
    // 0.41-2.42).
    let workload = run(&["optimize", p, "--balance", "workload", "--into", "Workload"]);
    assert!(workload.status.success(), "{}", String::from_utf8_lossy(&workload.stderr));
    let report = run(&["report", p, "--scenario", "Workload", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let (low, high) = (json["balance"]["workload_index_min"].as_f64().unwrap(), json["balance"]["workload_index_max"].as_f64().unwrap());
    assert!(low >= 0.8 && high <= 1.2, "workload index {low:.2}-{high:.2}");

    let bad = run(&["optimize", p, "--balance", "attr:nope"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no unit attribute 'nope'"));
}

#[test]
fn local_rebalance_changes_only_the_named_territories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.tdproj");
    std::fs::copy("sample_maps/mid_atlantic.tdproj", &path).unwrap();
    let p = path.to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_territory-designer"))
        .args(["optimize", p, "--only", "Pittsburgh & Western PA,Northwest PA", "--into", "Local", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let project = territory_designer::io::project_file::load(&path).unwrap();
    let (before, after) = (project.scenario_by_name("2026 alignment").unwrap(), project.scenario_by_name("Local").unwrap());
    let pair: Vec<_> = ["Pittsburgh & Western PA", "Northwest PA"].iter().map(|n| before.territory_by_name(n).unwrap().id).collect();
    let mut changed = 0;
    for u in 0..before.unit_territory.len() {
        if before.unit_territory[u] != after.unit_territory[u] {
            changed += 1;
            assert!(pair.contains(&before.unit_territory[u].unwrap()) && pair.contains(&after.unit_territory[u].unwrap()), "unit {u} moved outside the pair");
        }
    }
    assert!(changed > 0);
    let metrics = territory_designer::metrics::ScenarioMetrics::compute(&project, after);
    let potentials: Vec<f64> = pair.iter().map(|t| metrics.territory(*t).unwrap().potential).collect();
    let mean = (potentials[0] + potentials[1]) / 2.0;
    assert!(potentials.iter().all(|p| (p - mean).abs() / mean <= 0.10), "{potentials:?}");
}

/// Named accounts stay with their rep: when their ZIP moves, they become overrides of
/// their old territory; their potential is counted there while balancing, so the
/// balance the app reports (overrides included) is within the tolerance.
#[test]
fn named_accounts_keep_their_territory_and_count_where_they_stay() {
    use territory_designer::optimize::project::{propose, Measure, Options};
    let project = territory_designer::io::project_file::load(std::path::Path::new("sample_maps/mid_atlantic.tdproj")).unwrap();
    let start = project.baseline_scenario().unwrap();
    let named: Vec<_> = project.accounts.iter().filter(|a| a.named).collect();
    assert!(named.len() > 10, "the sample has named accounts");
    let options = Options { measure: Measure::Potential, tolerance: 0.10, disruption: 0.0, seed: 1, contiguous: true, within_regions: false };
    let proposal = propose(&project, start, start.territories.len(), &[], &options, None, &mut |_| true).unwrap();
    let after = &proposal.scenario;
    let mut overridden = 0;
    for a in &named {
        assert_eq!(after.account_territory(a.id, a.unit), start.account_territory(a.id, a.unit), "{}", a.external_id);
        overridden += usize::from(after.account_overrides.contains_key(&a.id));
    }
    assert!(overridden > 0, "some named accounts sit in ZIPs that moved");
    let balance = territory_designer::metrics::ScenarioMetrics::compute(&project, after).balance;
    assert!(balance.max_deviation_pct <= 10.0, "{}", balance.max_deviation_pct);
}

/// "Keep changes small": with a disruption weight the proposal uses the tolerance it was
/// given instead of balancing further, so less potential and revenue change hands, and
/// it is still within the tolerance.
#[test]
fn keeping_changes_small_moves_less_and_stays_within_the_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.tdproj");
    std::fs::copy("sample_maps/mid_atlantic.tdproj", &path).unwrap();
    let p = path.to_str().unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(args).output().unwrap();
    let moved = |name: &str, disruption: &str| -> (f64, f64, f64) {
        let out = run(&["optimize", p, "--tolerance", "0.10", "--disruption", disruption, "--into", name, "--format", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let proposal: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let out = run(&["compare", p, "--to", name, "--format", "json"]);
        let compare: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (compare["moved_potential"].as_f64().unwrap(), compare["moved_revenue"].as_f64().unwrap(), proposal["potential_max_deviation_pct"].as_f64().unwrap())
    };
    let (free_potential, free_revenue, free_deviation) = moved("Free", "0");
    let (kept_potential, kept_revenue, kept_deviation) = moved("Kept", "2");
    assert!(free_deviation <= 10.0 && kept_deviation <= 10.0, "{free_deviation} / {kept_deviation}");
    assert!(kept_potential < 0.9 * free_potential, "potential moved: {kept_potential} vs {free_potential}");
    assert!(kept_revenue < 0.9 * free_revenue, "revenue moved: {kept_revenue} vs {free_revenue}");
}
