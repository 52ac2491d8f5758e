//! The bundled sample and the `report` subcommand, run as a user would.

use std::path::Path;
use std::process::Command;
use territory_designer::io::project_file;

const SAMPLE: &str = "sample_maps/mid_atlantic.tdproj";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_territory-designer"))
}

fn report_json(args: &[&str]) -> serde_json::Value {
    let output = bin().args(["report", SAMPLE, "--format", "json"]).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn sample_is_the_mid_atlantic_region() {
    let project = project_file::load(Path::new(SAMPLE)).unwrap();
    assert!((2500..=3100).contains(&project.units.len()), "{} units", project.units.len());
    assert_eq!(project.accounts.len(), 8000);
    assert_eq!(project.reps.len(), 12);
    assert!(project.description.contains("approximate"));
    // Every account lies in a unit, and its point is inside that unit's polygon.
    use geo::Intersects;
    for a in &project.accounts {
        let unit = a.unit.expect("every sample account lies in a ZIP");
        assert!(project.units[unit.index()].geometry.intersects(&a.location.to_point()), "{}", a.external_id);
    }
    // Pareto skew: the top 20% of accounts hold about 80% of the potential.
    let mut potentials: Vec<f64> = project.accounts.iter().map(|a| a.potential).collect();
    potentials.sort_by(|a, b| b.total_cmp(a));
    let share = potentials[..1600].iter().sum::<f64>() / potentials.iter().sum::<f64>();
    assert!((0.72..0.88).contains(&share), "top-20% share {share}");
    // States and real ZIP codes.
    assert!(project.units.iter().any(|u| u.code == "19104" && u.name.ends_with("PA")));
    assert!(project.units.iter().any(|u| u.code == "20500" || u.name.ends_with("DC")));
    let total_area: f64 = project.units.iter().map(|u| u.area_km2).sum();
    assert!((160_000.0..185_000.0).contains(&total_area), "{total_area} km2");
}

#[test]
fn report_json_lists_territories_and_flags_the_baseline() {
    let report = report_json(&[]);
    let territories = report["territories"].as_array().unwrap();
    assert!(territories.len() >= 12);
    let accounts: u64 = territories.iter().map(|t| t["accounts"].as_u64().unwrap()).sum();
    assert_eq!(accounts, 8000);
    for field in ["name", "rep", "units", "accounts", "potential", "visit_hours", "drive_hours", "workload", "workload_index", "deviation_pct"] {
        assert!(territories[0].get(field).is_some(), "missing {field}");
    }
    assert_eq!(report["scenario"], "2026 alignment");
    assert_eq!(report["baseline"], true);
    let balance = &report["balance"];
    for field in ["gini_potential", "gini_workload", "max_deviation_pct", "quartile_ratio", "flags"] {
        assert!(balance.get(field).is_some(), "missing {field}");
    }
    assert_eq!(balance["balanced"], false);
    assert!(balance["gini_potential"].as_f64().unwrap() > 0.22);
    assert!(!balance["flags"].as_array().unwrap().is_empty());
}

#[test]
fn changing_the_preset_changes_the_workload_index() {
    let field = report_json(&["--preset", "field"]);
    let inside = report_json(&["--preset", "inside"]);
    let index = |r: &serde_json::Value| r["territories"][1]["workload_index"].as_f64().unwrap();
    assert!((index(&field) - index(&inside)).abs() > 0.01, "{} vs {}", index(&field), index(&inside));
}

#[test]
fn csv_and_table_formats() {
    let output = bin().args(["report", SAMPLE, "--format", "csv"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let header = "territory,rep,units,accounts,potential,revenue,visit_hours,drive_hours,workload,workload_index,deviation_pct,mean_drive_km,compactness,locked,hours_needed,utilization_pct,penetration_pct,white_space_accounts,white_space_potential,quota,region,coverage_pct,pipeline,pipeline_coverage";
    assert!(text.starts_with(&format!("{header}\n")), "{text}");
    assert_eq!(text.lines().count(), 13);
    let column = |name: &str| header.split(',').position(|h| h == name).unwrap();
    // Every territory with ZIPs has a drive distance and a compactness in 0..1.
    for line in text.lines().skip(1).filter(|l| !l.starts_with("(unassigned)")) {
        // Names here hold no commas: split plainly.
        let fields: Vec<&str> = line.split(',').collect();
        let (compactness, km): (f64, f64) = (fields[column("compactness")].parse().unwrap(), fields[column("mean_drive_km")].parse().unwrap());
        assert!(compactness > 0.0 && compactness <= 1.0 && km > 0.0, "{line}");
    }
    let output = bin().args(["report", SAMPLE]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Pittsburgh & Western PA") && text.contains("Unbalanced"), "{text}");
}

fn assert_one_line_failure(args: &[&str], expected: &str) {
    let output = bin().args(args).output().unwrap();
    assert!(!output.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn bad_arguments_and_files_fail_with_one_line() {
    assert_one_line_failure(&["report"], "required");
    assert_one_line_failure(&["report", SAMPLE, "--format", "xml"], "xml");
    assert_one_line_failure(&["report", "no/such/file.tdproj"], "cannot read no/such/file.tdproj");
    assert_one_line_failure(&["report", SAMPLE, "--scenario", "Nope"], "no scenario named 'Nope'");
    assert_one_line_failure(&["report", "Cargo.toml"], "is not a Territory Designer project");
    assert_one_line_failure(&["report", SAMPLE, "--preset", "psychic"], "unknown preset");
}

#[test]
fn generator_is_deterministic_and_reproduces_the_bundled_sample() {
    let data = Path::new("../shared/data");
    if !data.join("centroids").exists() {
        eprintln!("skipped: ../shared/data is absent");
        return;
    }
    let spec = territory_designer::sample::SampleSpec::mid_atlantic();
    let generated = territory_designer::sample::generate(data, &spec).unwrap();
    let bundled = project_file::load(Path::new(SAMPLE)).unwrap();
    assert!(generated == bundled, "the bundled sample is stale: run `territory-designer generate-sample`");
}
