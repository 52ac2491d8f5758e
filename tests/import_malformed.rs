//! Bad input gives a clear message or a row report naming the file, never a panic; a
//! property test throws random and mangled bytes at the CSV and GeoJSON readers.

mod shared_data;

use proptest::prelude::*;
use shared_data::shared;
use std::path::{Path, PathBuf};
use territory_designer::io::import::accounts::{self, AccountMapping};
use territory_designer::io::import::columns::parse_csv;
use territory_designer::io::import::units::{self, UnitsOptions};
use territory_designer::io::import::{geojson_reader, ImportError};
use territory_designer::spatial::UnitIndex;

fn import_error(path: &Path) -> String {
    match units::import(&[path.to_path_buf()], &UnitsOptions::default(), &mut |_| true) {
        Ok(import) => panic!("{} imported {} units", path.display(), import.units.len()),
        Err(err) => err.to_string(),
    }
}

/// Copies a shapefile's parts into `dir` under `name`, letting `edit` change each part.
fn copy_shapefile(source: &Path, dir: &Path, name: &str, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj"] {
        if let Ok(bytes) = std::fs::read(source.with_extension(ext)) {
            std::fs::write(dir.join(format!("{name}.{ext}")), edit(ext, bytes)).unwrap();
        }
    }
    dir.join(format!("{name}.shp"))
}

#[test]
fn truncated_shp() {
    let Some(nj) = shared("shapefiles/nj_zcta/nj_zcta.shp") else { return };
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_shapefile(&nj, dir.path(), "cut", |ext, bytes| if ext == "shp" { bytes[..bytes.len() / 2].to_vec() } else { bytes });
    let err = import_error(&shp);
    assert!(err.contains("cut.shp") && err.contains("truncated"), "{err}");
    let header_only = copy_shapefile(&nj, dir.path(), "stub", |ext, bytes| if ext == "shp" { bytes[..60].to_vec() } else { bytes });
    let err = import_error(&header_only);
    assert!(err.contains("stub.shp") && err.contains("truncated"), "{err}");
}

#[test]
fn dbf_with_fewer_records_than_shapes() {
    let (Some(sids), Some(states)) = (shared("shapefiles/sids2/sids2.shp"), shared("shapefiles/us_income/us48.shp")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let shp = copy_shapefile(&sids, dir.path(), "mixed", |_, bytes| bytes);
    // 100 North Carolina shapes with the 48-record table of the US states.
    std::fs::copy(states.with_extension("dbf"), dir.path().join("mixed.dbf")).unwrap();
    let err = import_error(&shp);
    assert!(err.contains("mixed.shp") && err.contains("100 shapes") && err.contains("48 records"), "{err}");
    std::fs::remove_file(dir.path().join("mixed.dbf")).unwrap();
    let err = import_error(&shp);
    assert!(err.contains("mixed.dbf") && err.contains("missing"), "{err}");
}

#[test]
fn empty_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let cases = [
        (write("empty.geojson", b""), "empty.geojson: the file is empty"),
        (write("point.geojson", br#"{"type":"Point","coordinates":[1,2]}"#), "not a FeatureCollection"),
        (write("cut.geojson", br#"{"type":"FeatureCollection","features":[{"type":"Feature","#), "not valid GeoJSON"),
        (write("empty.shp", b""), "empty.shp"),
        (write("text.shp", &[b'x'; 200]), "not an ESRI Shapefile"),
        (write("zips.csv", b"zip\n1\n"), "unknown format"),
        (write("lines.geojson", br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ZIP":"1"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}"#), "no usable units"),
        (write("metres.geojson", br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ZIP":"1"},"geometry":{"type":"Polygon","coordinates":[[[500000,4000000],[500100,4000000],[500100,4000100],[500000,4000000]]]}}]}"#), "not longitude/latitude"),
    ];
    for (path, expected) in cases {
        let err = import_error(&path);
        assert!(err.contains(expected), "{}: {err}", path.display());
    }
    assert!(import_error(&dir.path().join("missing.geojson")).contains("cannot read"));
}

#[test]
fn csv_with_bad_numbers_and_missing_coordinates_gives_a_row_report() {
    let csv = "id,name,lat,lon,potential,revenue\n\
               1,Good,40.5,-74.5,\"1,000\",$50\n\
               2,Bad number,40.5,-74.5,lots,0\n\
               3,No place,,,10,0\n\
               4,Out of range,95.2,-74.5,10,0\n\
               5,Good too,40.6,-74.4,(20),0\n";
    let table = parse_csv(csv.as_bytes(), Path::new("crm.csv")).unwrap();
    let mapping = AccountMapping::guess(&table);
    let import = accounts::build(&table, &mapping, &[], &UnitIndex::new(&[]), &[], 0).unwrap();
    let report: Vec<String> = import.rejected.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        report,
        [
            "line 3, column 'potential', value 'lots': not a number",
            "line 4, column 'lat', value '': no coordinates and no ZIP: the account cannot be placed",
            "line 5, column 'lat', value '95.2': latitude must be between -90 and 90 (are latitude and longitude swapped?)",
            "line 6, column 'potential', value '(20)': potential cannot be negative",
        ]
    );
    assert_eq!(import.accounts.len(), 1);
    assert_eq!(import.accounts[0].potential, 1000.0);
    assert_eq!(import.accounts[0].revenue, 50.0);
    // Without the good-rows choice the import stops with the report.
    let err = import.require(false, &table).unwrap_err();
    assert!(matches!(err, ImportError::Rows { ref issues, .. } if issues.len() == 4));
    assert!(err.to_string().starts_with("crm.csv: 4 of 5 rows have problems"), "{err}");
}

fn valid_geojson() -> String {
    r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ZCTA5CE10":"08001","ALAND10":12.5},"geometry":{"type":"MultiPolygon","coordinates":[[[[-75,40],[-74,40],[-74,41],[-75,40]]]]}},{"type":"Feature","properties":{"ZCTA5CE10":"08002"},"geometry":{"type":"Polygon","coordinates":[[[-74,40],[-73,40],[-73,41],[-74,40]],[[-73.8,40.1],[-73.5,40.1],[-73.5,40.3],[-73.8,40.1]]]}}]}"#.to_string()
}

fn build_units(bytes: &[u8]) -> Result<usize, ImportError> {
    let table = geojson_reader::parse(bytes, Path::new("fuzz.geojson"))?;
    let import = units::build(&[table], &UnitsOptions::default(), &mut |_| true)?;
    Ok(import.units.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary text as a CRM export: parsing, guessing and building never panic, and
    /// every data row is either imported or reported.
    #[test]
    fn csv_reader_never_panics(text in "[a-zA-Z0-9,;\"\\n .$()%-]{0,400}") {
        if let Ok(table) = parse_csv(text.as_bytes(), Path::new("fuzz.csv")) {
            let mapping = AccountMapping::guess(&table);
            if let Ok(import) = accounts::build(&table, &mapping, &[], &UnitIndex::new(&[]), &[], 0) {
                prop_assert_eq!(import.accounts.len() + import.rejected.len(), table.rows.len());
            }
        }
    }

    /// A valid file cut short or with a byte replaced: an error naming the file, or units.
    #[test]
    fn geojson_reader_never_panics(cut in 0usize..800, at in 0usize..800, byte in any::<u8>()) {
        let mut bytes = valid_geojson().into_bytes();
        bytes.truncate(cut.max(1).min(bytes.len()));
        if !bytes.is_empty() {
            let i = at % bytes.len();
            bytes[i] = byte;
        }
        match build_units(&bytes) {
            Ok(n) => prop_assert!(n <= 2),
            Err(err) => prop_assert!(err.to_string().starts_with("fuzz.geojson: "), "{}", err),
        }
    }

    /// Random lon/lat rings (degenerate, collinear, self-crossing, huge) are
    /// repaired, skipped or refused, never a panic; every unit built is valid.
    #[test]
    fn random_polygons_are_repaired_or_reported(points in proptest::collection::vec((-180.0f64..180.0, -90.0f64..90.0), 0..12)) {
        let ring: Vec<String> = points.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
        let text = format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"ZIP":"1"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}]}}"#, ring.join(","));
        let table = geojson_reader::parse(text.as_bytes(), Path::new("fuzz.geojson")).unwrap();
        if let Ok(import) = units::build(&[table], &UnitsOptions::default(), &mut |_| true) {
            use geo::Validation;
            for u in &import.units {
                prop_assert!(u.geometry.is_valid(), "{:?}", u.geometry);
                prop_assert!(u.area_km2 > 0.0);
            }
        }
    }
}

#[test]
fn the_valid_fuzz_seed_builds_two_units() {
    assert_eq!(build_units(valid_geojson().as_bytes()).unwrap(), 2);
}
