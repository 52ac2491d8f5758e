//! Replays every input the fuzzer (`bash scripts/fuzz.sh`) ever found to panic, kept in
//! tests/fuzz_corpus/TARGET/: each must now be refused or read, without a panic.

use std::path::Path;
use territory_designer::io::import::{accounts, columns, geojson_reader, shapefile_reader, units};
use territory_designer::io::project_file;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new("tests/fuzz_corpus").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().filter(|e| e.file_name() != ".gitkeep").map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn project_inputs_do_not_panic() {
    for (name, bytes) in inputs("project") {
        let _ = project_file::from_bytes(&bytes, Path::new(&name));
    }
}

#[test]
fn geojson_inputs_do_not_panic() {
    for (name, bytes) in inputs("geojson") {
        if let Ok(table) = geojson_reader::parse(&bytes, Path::new(&name)) {
            let _ = units::build(&[table], &units::UnitsOptions::default(), &mut |_| true);
        }
    }
}

#[test]
fn shapefile_inputs_do_not_panic() {
    let Some(seed) = Some(Path::new("../shared/data/shapefiles/nj_zcta")).filter(|p| p.exists()) else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in inputs("shapefile") {
        // The file name says which of the three files the input replaces.
        let ext = name.rsplit('.').next().filter(|e| ["shp", "dbf", "shx"].contains(e)).unwrap_or("shp");
        for e in ["shp", "dbf", "shx", "prj"] {
            std::fs::copy(seed.join(format!("nj_zcta.{e}")), dir.path().join(format!("f.{e}"))).unwrap();
        }
        std::fs::write(dir.path().join(format!("f.{ext}")), &bytes).unwrap();
        if let Ok((table, _)) = shapefile_reader::read(&dir.path().join("f.shp"), &mut |_| true) {
            let _ = units::build(&[table], &units::UnitsOptions::default(), &mut |_| true);
        }
    }
}

#[test]
fn csv_inputs_do_not_panic() {
    let project = project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).unwrap();
    let index = territory_designer::spatial::UnitIndex::new(&project.units);
    for (name, bytes) in inputs("csv") {
        if let Ok(table) = columns::parse_csv(&bytes, Path::new(&name)) {
            let mapping = accounts::AccountMapping::guess(&table);
            let _ = accounts::build(&table, &mapping, &project.units, &index, &project.reps, 0);
        }
    }
}
