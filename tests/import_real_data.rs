//! Imports of the real files planners bring (../shared/data; each test is skipped with a
//! message when the data is absent), through the library and the `new` subcommand.

mod shared_data;

use geo::{BoundingRect, CoordsIter};
use shared_data::shared as data;
use std::path::PathBuf;
use std::process::Command;
use territory_designer::io::import::new_project::{self, NewProjectSpec};
use territory_designer::io::import::units::{self, UnitsOptions};
use territory_designer::io::project_file;
use territory_designer::metrics::{report, ScenarioMetrics};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_territory-designer"))
}

fn import(paths: &[PathBuf]) -> units::UnitsImport {
    units::import(paths, &UnitsOptions::default(), &mut |_| true).unwrap()
}

#[test]
fn new_jersey_shapefile_gives_595_zips() {
    let Some(shp) = data("shapefiles/nj_zcta/nj_zcta.shp") else { return };
    let import = import(&[shp]);
    assert_eq!(import.units.len(), 595);
    assert_eq!(import.id_field, "ZCTA5CE10");
    for u in &import.units {
        assert!(u.code.len() == 5 && (u.code.starts_with("07") || u.code.starts_with("08")), "{}", u.code);
        assert!(u.area_km2 > 0.0 && u.attributes.contains_key("ALAND10"));
        // NJ lies within lon -75.6..-73.9, lat 38.9..41.4.
        assert!((-75.6..-73.8).contains(&u.centroid.lon) && (38.9..41.4).contains(&u.centroid.lat), "{} {:?}", u.code, u.centroid);
    }
    // Geodesic land + water area agrees with the Census figures within 1%.
    let census: f64 = import.units.iter().map(|u| u.attributes["ALAND10"] + u.attributes["AWATER10"]).sum::<f64>() / 1e6;
    let ours: f64 = import.units.iter().map(|u| u.area_km2).sum();
    assert!((ours / census - 1.0).abs() < 0.01, "ours {ours:.0} km2, census {census:.0} km2");
}

#[test]
fn a_folder_stands_for_the_geometry_files_in_it() {
    let Some(shp) = data("shapefiles/nj_zcta/nj_zcta.shp") else { return };
    let folder = shp.parent().unwrap().to_path_buf();
    let import = import(&[folder]);
    assert_eq!(import.units.len(), 595, "the folder's one shapefile, its .dbf/.shx/.prj not read as units");
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "no polygons here").unwrap();
    let error = units::import(&[empty.path().to_path_buf()], &UnitsOptions::default(), &mut |_| true).unwrap_err().to_string();
    assert!(error.contains(&empty.path().display().to_string()) && error.contains("no .shp"), "{error}");
}

#[test]
fn virginia_utm_17n_is_reprojected_into_virginia() {
    let Some(shp) = data("shapefiles/virginia/vautm17n.shp") else { return };
    let import = import(&[shp]);
    assert_eq!(import.units.len(), 136);
    // Virginia's lon/lat box: every vertex must be inside it after reprojection.
    for u in &import.units {
        for c in u.geometry.coords_iter() {
            assert!((-83.7..=-75.2).contains(&c.x) && (36.5..=39.5).contains(&c.y), "{}: {c:?}", u.name);
        }
    }
    let names: Vec<&str> = import.units.iter().map(|u| u.name.as_str()).collect();
    assert!(names.contains(&"Fairfax") || names.iter().any(|n| n.contains("Fairfax")), "{names:?}");
}

#[test]
fn georgia_utm_without_prj_is_refused_by_new() {
    let Some(shp) = data("shapefiles/georgia/G_utm.shp") else { return };
    let out = tempfile::tempdir().unwrap();
    let project = out.path().join("ga.tdproj");
    let output = bin().arg("new").arg("--units").arg(&shp).arg("--out").arg(&project).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("G_utm.shp") && stderr.contains("not longitude/latitude") && stderr.contains(".prj"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(!project.exists(), "no project is written on a refused import");
}

#[test]
fn connecticut_full_resolution() {
    let Some(json) = data("zcta-fullres/ct_connecticut_zip_codes_geo.min.json") else { return };
    let import = import(&[json]);
    assert_eq!(import.units.len(), 282);
    let vertices: usize = import.units.iter().map(|u| u.geometry.coords_count()).sum();
    assert!(vertices > 100_000, "{vertices} vertices");
    let rect = import.units.iter().filter_map(|u| u.geometry.bounding_rect()).fold(None::<geo::Rect>, |acc, r| {
        Some(acc.map_or(r, |a| geo::Rect::new((a.min().x.min(r.min().x), a.min().y.min(r.min().y)), (a.max().x.max(r.max().x), a.max().y.max(r.max().y)))))
    });
    let rect = rect.unwrap();
    assert!(rect.min().x > -73.8 && rect.max().x < -71.7 && rect.min().y > 40.9 && rect.max().y < 42.1, "{rect:?}");
}

#[test]
fn several_states_of_geojson_are_merged() {
    let (Some(nj), Some(de), Some(md)) = (data("zcta/NJ_zctas.geojson.gz"), data("zcta/DE_zctas.geojson.gz"), data("zcta/MD_zctas.geojson.gz")) else { return };
    let one = |p: &PathBuf| units::read_table(p, &mut |_| true).unwrap().len();
    let features = one(&nj) + one(&de) + one(&md);
    let import = import(&[nj, de, md]);
    // A ZCTA that crosses a state line is in both states' files: merged into one unit.
    let merged = import.warnings.iter().filter(|w| w.contains("merged") || w.contains("kept once")).count();
    assert_eq!(import.units.len() + merged, features, "{:?}", import.warnings);
    let codes: std::collections::HashSet<&str> = import.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes.len(), import.units.len(), "codes are unique");
    assert!(codes.contains("08540") && codes.contains("19901") && codes.contains("21201"));
}

#[test]
fn florida_schools_with_enrollment_as_potential() {
    let (Some(zips), Some(csv)) = (data("zcta/FL_zctas.geojson.gz"), data("accounts/hifld_public_schools_florida.csv")) else { return };
    let mut spec = NewProjectSpec {
        name: "Florida schools".into(),
        units: vec![zips],
        accounts: Some(csv.clone()),
        account_overrides: vec!["potential=ENROLLMENT".into()],
        ..Default::default()
    };
    // Some schools report ENROLLMENT -999 (not available): the import names them and stops.
    let err = new_project::build(&spec, &mut |_| true).unwrap_err();
    let territory_designer::io::import::ImportError::Rows { issues, rows, .. } = err else { panic!("expected a row report, got {err}") };
    assert_eq!(rows, 4337);
    assert!(issues.iter().all(|i| i.column == "ENROLLMENT" && i.value == "-999"), "{:?}", &issues[..3]);

    spec.accept_good_rows = true;
    let (project, import_report) = new_project::build(&spec, &mut |_| true).unwrap();
    assert_eq!(project.accounts.len() + issues.len(), 4337);
    assert_eq!(import_report.rejected_accounts.len(), issues.len());

    // The potential is the enrollment, read independently of the importer.
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let column = reader.headers().unwrap().iter().position(|h| h == "ENROLLMENT").unwrap();
    let enrollment: f64 = reader.records().map(|r| r.unwrap()[column].parse::<f64>().unwrap()).filter(|v| *v >= 0.0).sum();
    let potential: f64 = project.accounts.iter().map(|a| a.potential).sum();
    assert!((potential - enrollment).abs() < 0.5, "{potential} vs {enrollment}");
    // Every school lands in a Florida ZIP, or is listed as outside.
    let located = project.accounts.iter().filter(|a| a.unit.is_some()).count();
    assert_eq!(located + import_report.outside.len(), project.accounts.len());
    assert!(located as f64 > 0.99 * project.accounts.len() as f64, "{located}");
    // `report` lists the unassigned pool as a territory row holding every account.
    let scenario = project.baseline_scenario().unwrap();
    let report = report::build(&project, scenario, &ScenarioMetrics::compute(&project, scenario));
    let pool = report.territories.iter().find(|r| r.name == report::UNASSIGNED_ROW).expect("an unassigned pool row");
    assert_eq!(pool.units as usize, project.units.len());
    assert_eq!(pool.accounts as usize, located);
}

#[test]
fn new_subcommand_builds_a_project_that_report_reads() {
    let (Some(zips), Some(csv)) = (data("zcta/DE_zctas.geojson.gz"), data("accounts/hifld_public_schools_florida.csv")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("de.tdproj");
    // Florida schools over Delaware ZIPs: every account is outside every unit, listed.
    let output = bin()
        .args(["new", "--units"])
        .arg(&zips)
        .arg("--accounts")
        .arg(&csv)
        .args(["--map", "potential=ENROLLMENT", "--skip-bad-rows", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("outside every unit") && stdout.contains("e.g. 120000207976 'FLORIDA VIRTUAL ELEMENTARY SCHOOL'"), "{}", &stdout[..stdout.len().min(2000)]);
    let project = project_file::load(&out).unwrap();
    assert!(project.accounts.iter().all(|a| a.unit.is_none()));
    let report = bin().arg("report").arg(&out).args(["--format", "json"]).output().unwrap();
    assert!(report.status.success());
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(json["territories"][0]["name"], report::UNASSIGNED_ROW);
    assert_eq!(json["territories"][0]["accounts"], 0, "accounts outside every ZIP are not in the unassigned pool");
    assert_eq!(json["outside_accounts"].as_u64().unwrap() as usize, project.accounts.len());
    // The table says there is nothing to balance yet instead of calling one pool balanced.
    let table = bin().arg("report").arg(&out).output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("Balance: needs two territories or more") && !table.contains("Balanced:"), "{table}");
    // Without --force an existing project is not replaced.
    let again = bin().args(["new", "--units"]).arg(&zips).arg("--out").arg(&out).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("--force"));
}
