//! File > New from files, alignment import and exports, driven through the app.

mod common;

use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use std::path::Path;
use territory_designer::ui::files::ExportKind;

/// Four square ZIPs in a 2x2 block over Manhattan, accounts (one bad number, one far
/// away), two reps and an alignment.
fn write_files(dir: &Path) {
    let square = |x: f64, y: f64| format!("[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]", x + 0.05, x + 0.05, y + 0.05, y + 0.05);
    let features: Vec<String> = [("10001", -74.0, 40.70), ("10002", -73.95, 40.70), ("10003", -74.0, 40.75), ("10004", -73.95, 40.75)]
        .iter()
        .map(|(zip, x, y)| {
            format!(r#"{{"type":"Feature","properties":{{"ZIP":"{zip}","households":120}},"geometry":{{"type":"Polygon","coordinates":{}}}}}"#, square(*x, *y))
        })
        .collect();
    std::fs::write(dir.join("zips.geojson"), format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))).unwrap();
    std::fs::write(
        dir.join("accounts.csv"),
        "Account ID,Company,Latitude,Longitude,Annual Value,Owner\n\
         A1,Acme,40.71,-73.99,\"$12,000\",Ann\n\
         A2,Beta,40.72,-73.93,8000,Bob\n\
         A3,Gamma,40.77,-73.98,lots,Ann\n\
         A4,Delta,40.78,-73.92,5000,\n\
         A5,Far Away,34.05,-118.24,1000,\n",
    )
    .unwrap();
    std::fs::write(dir.join("reps.csv"), "Name,Home ZIP,Capacity\nAnn,10001,1400\nBob,10004,\n").unwrap();
    std::fs::write(dir.join("alignment.csv"), "zip,territory,rep\n10001,East,Ann\n10003,East,Ann\n10002,West,Bob\n10004,West,Bob\n").unwrap();
}

fn type_into(harness: &mut Harness<'_, TerritoryApp>, label: &str, text: &str) {
    harness.get_by_role_and_label(Role::TextInput, label).focus();
    harness.step();
    harness.get_by_role_and_label(Role::TextInput, label).type_text(text);
    harness.run_steps(2);
}

/// Steps frames until the import dialog's worker is done.
fn wait_for_dialog(harness: &mut Harness<'_, TerritoryApp>) {
    step_until(harness, |app| app.new_from_files.as_ref().is_none_or(|d| !d.is_busy()));
}

#[test]
fn new_from_files_maps_columns_reports_bad_rows_and_opens_the_project() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let mut harness = harness();
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("New from files…").click();
    harness.run_steps(2);
    assert!(harness.state().new_from_files.is_some());

    type_into(&mut harness, "Polygon files", &p("zips.geojson"));
    harness.get_by_label("Read polygons").click();
    wait_for_dialog(&mut harness);
    assert!(harness.query_by_label("4 features in 1 file(s). Choose the fields:").is_some());
    assert_eq!(harness.state().new_from_files.as_ref().unwrap().id_field, "ZIP");

    type_into(&mut harness, "Accounts CSV", &p("accounts.csv"));
    harness.get_by_label("Read accounts").click();
    wait_for_dialog(&mut harness);
    assert!(harness.query_by_label("5 rows, 6 columns.").is_some());
    // "Annual Value" is not a name the importer knows: map it to potential by hand.
    harness.get_by_role_and_label(Role::ComboBox, "Potential").click();
    harness.run_steps(2);
    harness.get_by_label("Annual Value").click();
    harness.run_steps(2);
    type_into(&mut harness, "Reps CSV", &p("reps.csv"));
    type_into(&mut harness, "Alignment CSV", &p("alignment.csv"));

    harness.get_by_label("Create project").click();
    wait_for_dialog(&mut harness);
    // Row 4 ("lots") is rejected and named; nothing is replaced yet.
    assert!(harness.query_by_label("line 4, column 'Annual Value', value 'lots': not a number").is_some());
    assert_eq!(harness.state().session.project().units.len(), 3033, "the open project is untouched");
    harness.get_by_label("Import the 4 good rows").click();
    wait_for_dialog(&mut harness);

    let app = harness.state();
    assert!(app.new_from_files.is_none(), "the dialog closes on success");
    let project = app.session.project();
    assert_eq!(project.units.len(), 4);
    assert_eq!(project.reps.len(), 2);
    let potentials: Vec<f64> = project.accounts.iter().map(|a| a.potential).collect();
    assert_eq!(potentials, [12000.0, 8000.0, 5000.0, 1000.0]);
    assert_eq!(project.accounts[0].owner, Some(project.reps[0].id));
    assert_eq!(project.accounts[3].unit, None, "the far-away account is kept, in no ZIP");
    let scenario = app.session.scenario();
    assert_eq!(scenario.name, "Current alignment");
    let names: Vec<&str> = scenario.territories.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["East", "West"]);
    assert!(app.session.is_dirty() && app.path().is_none(), "a new project is unsaved");
    let (_, lines) = app.import_report.as_ref().expect("the import report is shown");
    assert!(lines.iter().any(|l| l.contains("1 accounts (potential $1,000) lie outside every unit") && l.contains("e.g. A5 'Far Away'")), "{lines:?}");
    assert!(harness.query_by_label_contains("e.g. A5 'Far Away'").is_some());
}

#[test]
fn exports_run_on_a_worker_and_say_where_they_went() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness();
    for kind in ExportKind::ALL {
        let file = match kind {
            ExportKind::TerritoriesGeoJson => "t.geojson",
            ExportKind::TerritoriesShapefile => "t.shp",
            ExportKind::Assignment => "a.csv",
            ExportKind::Accounts => "accounts.csv",
            ExportKind::Metrics => "m.csv",
        };
        harness.state_mut().export(kind, dir.path().join(file));
        step_until(&mut harness, |app| app.export_job.is_none());
        assert!(dir.path().join(file).exists(), "{file}");
        assert!(harness.query_by_label_contains(&format!("of '2026 alignment' to {}", dir.path().join(file).display())).is_some(), "{file}: status line");
    }
    let geojson: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.geojson")).unwrap()).unwrap();
    assert_eq!(geojson["features"].as_array().unwrap().len(), 12);
}

#[test]
fn alignment_import_adds_a_scenario_or_lists_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness();
    let good = dir.path().join("next year.csv");
    territory_designer::io::export::tables::write_assignment(harness.state().session.project(), harness.state().session.scenario(), &good).unwrap();
    let before = harness.state().session.project().scenarios.len();
    harness.state_mut().import_alignment(&good);
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.session.project().scenarios.len(), before + 1);
    assert_eq!(app.session.scenario().name, "next year");
    let baseline = app.session.project().baseline_scenario().unwrap();
    assert_eq!(app.session.scenario().unit_territory.len(), baseline.unit_territory.len());

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "zip,territory,rep\n19103,Philadelphia,Maria Alvarez\n99999,Nowhere,\n19104,Philadelphia,Nobody Known\n").unwrap();
    harness.state_mut().import_alignment(&bad);
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.session.project().scenarios.len(), before + 1, "nothing added");
    let (_, lines) = app.import_report.as_ref().expect("the problems are listed");
    assert!(lines.iter().any(|l| l.contains("line 3, column 'zip', value '99999'")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("'Nobody Known': no rep of that name")), "{lines:?}");
}

#[test]
fn reading_all_us_zips_can_be_cancelled() {
    let dir = Path::new("../shared/data/zcta");
    if !dir.exists() {
        eprintln!("skipped: ../shared/data/zcta is absent");
        return;
    }
    let mut files: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path().display().to_string()).filter(|p| p.ends_with("_zctas.geojson.gz")).collect();
    files.sort();
    let mut harness = harness();
    harness.state_mut().new_from_files = Some(Default::default());
    harness.run_steps(2);
    type_into(&mut harness, "Polygon files", &files.join("; "));
    harness.get_by_label("Read polygons").click();
    harness.run_steps(2);
    assert!(harness.state().new_from_files.as_ref().unwrap().is_busy(), "reading runs on a worker");
    assert!(harness.query_by_label_contains("Reading ZIP polygons").is_some(), "with a progress bar");
    harness.get_by_label("Cancel").click();
    wait_for_dialog(&mut harness);
    assert!(harness.query_by_label("Cancelled; nothing was imported.").is_some());
    assert_eq!(harness.state().session.project().units.len(), 3033);
}

#[test]
fn files_changed_after_reading_must_be_read_again() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path());
    let p = |name: &str| dir.path().join(name).display().to_string();
    let mut harness = harness();
    harness.state_mut().new_from_files = Some(Default::default());
    harness.run_steps(2);
    type_into(&mut harness, "Polygon files", &p("zips.geojson"));
    harness.get_by_label("Read polygons").click();
    wait_for_dialog(&mut harness);
    type_into(&mut harness, "Polygon files", "; more.geojson");
    harness.get_by_label("Create project").click();
    wait_for_dialog(&mut harness);
    assert!(harness.query_by_label("The polygon files changed since they were read: click Read polygons.").is_some());
    assert_eq!(harness.state().session.project().units.len(), 3033, "nothing was built");
}
