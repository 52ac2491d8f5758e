//! Exports read back: the assignment re-imports as an identical scenario, and dissolved
//! territories cover the same area as their ZIPs, in GeoJSON and in Shapefile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use territory_designer::io::export;
use territory_designer::io::import::new_project::{self, NewProjectSpec};
use territory_designer::io::import::units::read_table;
use territory_designer::io::project_file;
use territory_designer::model::project::Project;
use territory_designer::model::scenario::Scenario;
use territory_designer::spatial::geodesic_area_km2;

const SAMPLE: &str = "sample_maps/mid_atlantic.tdproj";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_territory-designer"))
}

/// ZIP code -> territory name.
fn assignment(project: &Project, scenario: &Scenario) -> BTreeMap<String, Option<String>> {
    project.units.iter().zip(&scenario.unit_territory).map(|(u, t)| (u.code.clone(), t.and_then(|t| scenario.territory(t)).map(|t| t.name.clone()))).collect()
}

/// Territory name -> summed geodesic area of its units, km2.
fn unit_areas(project: &Project, scenario: &Scenario) -> BTreeMap<String, f64> {
    let mut areas = BTreeMap::new();
    for (u, t) in project.units.iter().zip(&scenario.unit_territory) {
        if let Some(t) = t.and_then(|t| scenario.territory(t)) {
            *areas.entry(t.name.clone()).or_insert(0.0) += u.area_km2;
        }
    }
    areas
}

/// Reads exported polygons back (through the importer) and checks each territory's
/// geodesic area against its units' within 0.1%.
fn assert_same_area(exported: &Path, expected: &BTreeMap<String, f64>) {
    let table = read_table(exported, &mut |_| true).unwrap();
    let name = table.field_index("territory").or_else(|| table.field_index("TERRITORY")).expect("a territory field");
    assert_eq!(table.len(), expected.len(), "{}", exported.display());
    for (record, geometry) in table.records.iter().zip(&table.geometries) {
        let territory = record[name].display();
        let area = geodesic_area_km2(geometry.as_ref().expect("a polygon per territory"));
        let want = expected[&territory];
        assert!((area / want - 1.0).abs() < 0.001, "{}: {territory} dissolved {area:.3} km2, units {want:.3} km2", exported.display());
    }
}

fn round_trip(project: &mut Project, dir: &Path) {
    let scenario = project.baseline_scenario().unwrap().clone();
    let areas = unit_areas(project, &scenario);
    for file in ["territories.geojson", "territories.shp"] {
        let path = dir.join(file);
        let n = export::write_territories(project, &scenario, None, &path).unwrap();
        assert_eq!(n, scenario.territories.len());
        assert_same_area(&path, &areas);
    }
    let csv = dir.join("assignment.csv");
    export::tables::write_assignment(project, &scenario, &csv).unwrap();
    let (id, import) = new_project::import_alignment(project, &csv, "Re-imported", false).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    let reimported = project.scenario(id).unwrap();
    assert_eq!(assignment(project, reimported), assignment(project, &scenario));
    let reps = |s: &Scenario| s.territories.iter().map(|t| (t.name.clone(), t.rep)).collect::<BTreeMap<_, _>>();
    assert_eq!(reps(reimported), reps(&scenario));
    project.validate().unwrap();
}

#[test]
fn sample_round_trip() {
    let mut project = project_file::load(Path::new(SAMPLE)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    round_trip(&mut project, dir.path());
}

#[test]
fn new_jersey_zips_round_trip() {
    let shp = PathBuf::from("../shared/data/shapefiles/nj_zcta/nj_zcta.shp");
    if !shp.exists() {
        eprintln!("skipped: {} is absent", shp.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // An alignment by 3-digit ZIP prefix: real, ragged, multi-part territories.
    let table = read_table(&shp, &mut |_| true).unwrap();
    let zip = table.field_index("ZCTA5CE10").unwrap();
    let mut csv = String::from("ZIP,Territory\n");
    for record in &table.records {
        let code = record[zip].display();
        csv.push_str(&format!("{code},Sectional {}\n", &code[..3]));
    }
    let alignment = dir.path().join("zip3.csv");
    std::fs::write(&alignment, csv).unwrap();
    let spec = NewProjectSpec { name: "NJ".into(), units: vec![shp], alignment: Some(alignment), ..Default::default() };
    let (mut project, report) = new_project::build(&spec, &mut |_| true).unwrap();
    assert_eq!(report.unassigned_units, 0);
    assert!(report.territories >= 20, "{} territories", report.territories);
    round_trip(&mut project, dir.path());
}

#[test]
fn export_subcommand_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let output = bin()
        .args(["export", SAMPLE, "--scenario", "2027 proposal", "--territories"])
        .arg(p("t.shp"))
        .arg("--assignment")
        .arg(p("a.csv"))
        .arg("--accounts")
        .arg(p("accounts.csv"))
        .arg("--metrics")
        .arg(p("m.csv"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for ext in ["shp", "shx", "dbf", "prj"] {
        assert!(p(&format!("t.{ext}")).exists(), "t.{ext}");
    }
    let project = project_file::load(Path::new(SAMPLE)).unwrap();
    let lines = |name: &str| std::fs::read_to_string(p(name)).unwrap().lines().count();
    assert_eq!(lines("a.csv"), project.units.len() + 1);
    assert_eq!(lines("accounts.csv"), project.accounts.len() + 1);
    assert_eq!(lines("m.csv"), 12 + 1);
    // The accounts file says who owns what in the exported scenario.
    let scenario = project.scenario_by_name("2027 proposal").unwrap();
    let mut reader = csv::Reader::from_path(p("accounts.csv")).unwrap();
    for (record, account) in reader.records().zip(&project.accounts) {
        let record = record.unwrap();
        let territory = scenario.account_territory(account.id, account.unit).and_then(|t| scenario.territory(t)).map(|t| t.name.as_str()).unwrap_or("");
        assert_eq!((&record[0], &record[5]), (account.external_id.as_str(), territory));
    }
    let bad = bin().args(["export", SAMPLE, "--territories"]).arg(p("t.kml")).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("exported as .geojson or .shp"));
    let nothing = bin().args(["export", SAMPLE]).output().unwrap();
    assert!(!nothing.status.success());
}
