//! What real CRM exports and shared drives do to a project: a national account file into
//! a one-state project, potential that is not money, CRLF and decimal-comma files,
//! guessed columns that are wrong, header-only files, id-like columns, saves that keep
//! the file's mode and links, and a closed pipe. Real files come from ../shared/data
//! (each test skips with a note when it is absent); CRLF and decimal-comma files are
//! made here.

mod shared_data;

use shared_data::shared as data;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use territory_designer::io::project_file;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_territory-designer"))
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    bin().args(args).output().unwrap()
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "stderr: {}\nstdout: {}", String::from_utf8_lossy(&output.stderr), String::from_utf8_lossy(&output.stdout));
    String::from_utf8(output.stdout).unwrap()
}

macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new($a)),*] };
}

/// Every Census ZIP centre as an account (a national CRM export): id, name, lat, lon,
/// potential; the test's own stand-in for "all our customers in the country".
fn national_accounts(dir: &Path) -> Option<(PathBuf, usize, f64)> {
    let centroids = data("centroids/zcta_centroids_census2020.csv")?;
    let text = std::fs::read_to_string(centroids).unwrap();
    let mut out = String::from("account_id,account_name,lat,lon,potential,state\n");
    let (mut in_delaware, mut delaware_potential) = (0, 0.0);
    for (i, line) in text.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let potential = 1000.0 + (i % 7) as f64 * 500.0;
        if cells[4] == "DE" {
            in_delaware += 1;
            delaware_potential += potential;
        }
        out += &format!("A{i},{} {},{},{},{potential},{}\n", cells[3], cells[0], cells[1], cells[2], cells[4]);
    }
    let path = dir.join("national_accounts.csv");
    std::fs::write(&path, out).unwrap();
    Some((path, in_delaware, delaware_potential))
}

fn report_json(project: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(run(args![OsStr::new("report"), project.as_os_str(), OsStr::new("--format"), OsStr::new("json")]))).unwrap()
}

use std::ffi::OsStr;

#[test]
fn a_national_account_file_into_a_one_state_project_counts_the_rest_apart() {
    let Some(zips) = data("zcta/DE_zctas.geojson.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some((accounts, in_delaware, delaware_potential)) = national_accounts(dir.path()) else { return };
    let kept = dir.path().join("kept.tdproj");
    let stdout = ok(run(args![OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), accounts.as_os_str(), OsStr::new("--out"), kept.as_os_str()]));
    // One summary line with a few examples, not one line per outside row.
    assert!(stdout.lines().count() < 15, "{stdout}");
    let summary: Vec<&str> = stdout.lines().filter(|l| l.contains("outside every unit")).collect();
    assert_eq!(summary.len(), 1, "{stdout}");
    assert!(summary[0].contains("kept apart from the plan") && summary[0].contains("e.g."), "{}", summary[0]);

    let report = report_json(&kept);
    let outside = report["outside_accounts"].as_u64().unwrap() as usize;
    let pool = report["territories"].as_array().unwrap().iter().find(|t| t["name"] == "(unassigned)").unwrap();
    let pooled = pool["accounts"].as_u64().unwrap() as usize;
    // A ZIP centre lies in its own ZIP, save for a few on the state line: the pool is
    // Delaware's accounts, the rest of the country is counted apart.
    assert!(pooled.abs_diff(in_delaware) <= 3, "pool {pooled}, Delaware {in_delaware}");
    assert!(outside > 30_000, "{outside}");
    assert!((pool["potential"].as_f64().unwrap() - delaware_potential).abs() <= 3.0 * 4000.0, "the pool's potential is Delaware's");
    assert_eq!(report["total_accounts"].as_u64().unwrap() as usize, pooled);
    assert!(ok(run(args![OsStr::new("report"), kept.as_os_str()])).contains(&format!("Outside every ZIP: {outside} accounts")));

    // The account export carries the plan's accounts only, and says so.
    let export = dir.path().join("accounts.csv");
    let said = ok(run(args![OsStr::new("export"), kept.as_os_str(), OsStr::new("--accounts"), export.as_os_str()]));
    assert!(said.contains(&format!("wrote {pooled} accounts ({outside} outside every ZIP left out)")), "{said}");
    assert_eq!(std::fs::read_to_string(&export).unwrap().lines().count(), pooled + 1);

    // The map opens on Delaware, not on the continent.
    let project = project_file::load(&kept).unwrap();
    let scene = territory_designer::ui::map::scene::MapScene::new(&project, territory_designer::ui::map::scene::BasemapScene::empty());
    let (sw, ne) = (scene.home_extent.min, scene.home_extent.max);
    let (a, b) = (territory_designer::spatial::mercator::from_mercator(sw), territory_designer::spatial::mercator::from_mercator(ne));
    let (lon_span, lat_span) = ((a.lon - b.lon).abs(), (a.lat - b.lat).abs());
    assert!(lon_span < 2.0 && lat_span < 2.0, "the first view spans {lon_span:.1} x {lat_span:.1} degrees");

    // Dropped: only Delaware's accounts are in the project.
    let dropped = dir.path().join("dropped.tdproj");
    let stdout = ok(run(args![
        OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), accounts.as_os_str(),
        OsStr::new("--accounts-outside"), OsStr::new("drop"), OsStr::new("--out"), dropped.as_os_str()
    ]));
    assert!(stdout.contains("were left out"), "{stdout}");
    let project = project_file::load(&dropped).unwrap();
    assert_eq!(project.accounts.len(), pooled);
    assert!(project.accounts.iter().all(|a| a.unit.is_some()));
    assert_eq!(report_json(&dropped)["outside_accounts"], 0);
}

#[test]
fn potential_in_beds_is_shown_as_beds() {
    let Some(zips) = data("zcta/DE_zctas.geojson.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("hospitals.csv");
    std::fs::write(&accounts, "name,zip,beds\nChristiana Hospital,19713,1100\nBeebe,19958,210\n").unwrap();
    let out = dir.path().join("beds.tdproj");
    ok(run(args![
        OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), accounts.as_os_str(),
        OsStr::new("--map"), OsStr::new("potential=beds"), OsStr::new("--potential-unit"), OsStr::new("beds"), OsStr::new("--out"), out.as_os_str()
    ]));
    let table = ok(run(args![OsStr::new("report"), out.as_os_str()]));
    assert!(table.contains("1,310 beds"), "{table}");
    assert!(!table.contains('$'), "{table}");
    assert_eq!(report_json(&out)["potential_unit"], "beds");
    let project = project_file::load(&out).unwrap();
    assert_eq!(project.settings.potential_unit, "beds");
}

/// `new` with only an accounts file (into the DE ZIPs); returns (success, stdout, stderr).
fn new_with_accounts(zips: &Path, accounts: &Path, extra: &[&str]) -> (bool, String, String) {
    let out = accounts.with_extension("tdproj");
    let output = bin()
        .args([OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), accounts.as_os_str(), OsStr::new("--force"), OsStr::new("--out"), out.as_os_str()])
        .args(extra)
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_bad_row_has_the_same_line_number_with_crlf_line_ends() {
    let Some(zips) = data("zcta/DE_zctas.geojson.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let rows = ["name,lat,lon,potential", "A,39.7,-75.6,100", "B,39.2,-75.5,lots", "C,38.7,-75.4,50"];
    let mut messages = Vec::new();
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
        let path = dir.path().join(name);
        std::fs::write(&path, rows.join(end) + end).unwrap();
        let (success, _, stderr) = new_with_accounts(&zips, &path, &[]);
        assert!(!success);
        let line = stderr.lines().find(|l| l.contains("not a number")).unwrap_or_else(|| panic!("{stderr}")).to_string();
        messages.push(line.split_once(": ").map(|(_, m)| m.to_string()).unwrap());
    }
    assert_eq!(messages[0], messages[1]);
    assert!(messages[0].starts_with("line 3, column 'potential'"), "the line a text editor shows: {}", messages[0]);
}

#[test]
fn an_owner_column_that_names_no_rep_is_one_note_and_can_be_unmapped() {
    let Some(zips) = data("zcta/DE_zctas.geojson.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.csv");
    let mut text = String::from("name,lat,lon,potential,owner\n");
    for i in 0..40 {
        text += &format!("Account {i},{},{},{},PROPRIETARY\n", 39.0 + i as f64 * 0.02, -75.5, 100 + i);
    }
    std::fs::write(&accounts, text).unwrap();
    let reps = dir.path().join("reps.csv");
    std::fs::write(&reps, "name,lat,lon\nDana North,39.7,-75.6\nSam South,38.7,-75.4\n").unwrap();
    let out = dir.path().join("owners.tdproj");
    let stdout = ok(run(args![
        OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), accounts.as_os_str(), OsStr::new("--reps"), reps.as_os_str(), OsStr::new("--out"), out.as_os_str()
    ]));
    assert!(!stdout.contains("warning"), "no warning per row: {stdout}");
    assert_eq!(stdout.matches("names no rep (e.g. 'PROPRIETARY')").count(), 1, "{stdout}");
    // `--map owner=` leaves the field without a column: not even the note.
    let stdout = ok(run(args![
        OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), accounts.as_os_str(), OsStr::new("--reps"), reps.as_os_str(),
        OsStr::new("--map"), OsStr::new("owner="), OsStr::new("--force"), OsStr::new("--out"), out.as_os_str()
    ]));
    assert!(!stdout.contains("names no rep") && !stdout.contains("warning"), "{stdout}");
    // Owners that are partly known: one grouped warning with examples.
    std::fs::write(&accounts, "name,lat,lon,owner\nA,39.7,-75.6,Dana North\nB,39.2,-75.5,Nobody\nC,38.8,-75.4,Ghost\nD,38.9,-75.4,Ghost\n").unwrap();
    let stdout = ok(run(args![
        OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), accounts.as_os_str(), OsStr::new("--reps"), reps.as_os_str(), OsStr::new("--force"), OsStr::new("--out"), out.as_os_str()
    ]));
    let warnings: Vec<&str> = stdout.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    assert!(warnings[0].contains("3 rows, column 'owner'") && warnings[0].contains("line 3 'Nobody'"), "{}", warnings[0]);
}

#[test]
fn a_decimal_comma_file_says_what_it_assumed() {
    let Some(zips) = data("zcta/DE_zctas.geojson.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("europe.csv");
    // What a German Excel writes: semicolons, decimal commas, dots for thousands.
    std::fs::write(&accounts, "name;lat;lon;potential\r\nA;39,7;-75,6;1.234\r\nB;39,2;-75,5;2.500,5\r\n").unwrap();
    let (success, stdout, stderr) = new_with_accounts(&zips, &accounts, &[]);
    assert!(success, "{stderr}");
    assert!(stdout.contains("decimal comma") && stdout.contains("'1.234' (line 2) read as 1234"), "{stdout}");
    let project = project_file::load(&accounts.with_extension("tdproj")).unwrap();
    let potentials: Vec<f64> = project.accounts.iter().map(|a| a.potential).collect();
    assert_eq!(potentials, [1234.0, 2500.5]);
    assert!((project.accounts[0].location.lat - 39.7).abs() < 1e-9);
}

#[test]
fn a_header_only_account_file_is_reported() {
    let Some(zips) = data("zcta/DE_zctas.geojson.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("empty.csv");
    std::fs::write(&accounts, "name,lat,lon,potential\r\n").unwrap();
    let (success, stdout, _) = new_with_accounts(&zips, &accounts, &[]);
    assert!(success);
    assert!(stdout.contains("header row and no data rows"), "{stdout}");
}

#[test]
fn id_like_columns_are_not_offered_as_colour_modes() {
    let Some(zips) = data("zcta/FL_zctas.geojson.gz") else { return };
    let Some(schools) = data("accounts/hifld_public_schools_florida.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fl.tdproj");
    ok(run(args![
        OsStr::new("new"), OsStr::new("--units"), zips.as_os_str(), OsStr::new("--accounts"), schools.as_os_str(),
        OsStr::new("--map"), OsStr::new("potential=ENROLLMENT"), OsStr::new("--skip-bad-rows"), OsStr::new("--out"), out.as_os_str()
    ]));
    let project = project_file::load(&out).unwrap();
    let names = territory_designer::colormap::attribute_names(&project);
    for code in ["COUNTYFIPS", "NAICS_CODE", "ZIP4", "DISTRICTID", "NCESID", "SHELTER_ID"] {
        assert!(!names.iter().any(|n| n.starts_with(code)), "{code} offered: {names:?}");
    }
    assert!(names.iter().any(|n| n == "FT_TEACHERS_per_km2"), "{names:?}");
}

#[cfg(unix)]
#[test]
fn a_private_project_behind_a_link_stays_private_and_linked_when_a_command_saves_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.tdproj");
    std::fs::copy("sample_maps/mid_atlantic.tdproj", &real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("plan.tdproj");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // A save killed midway left a temporary file behind.
    let dead = dir.path().join(".real.tdproj.tmp-4999999-0");
    std::fs::write(&dead, vec![0u8; 4096]).unwrap();
    ok(run(args![OsStr::new("optimize"), link.as_os_str(), OsStr::new("--into"), OsStr::new("Linked")]));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
    assert!(project_file::load(&real).unwrap().scenario_by_name("Linked").is_some(), "the real file has the new scenario");
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o600, "still private");
    if Path::new("/proc/self").exists() {
        assert!(!dead.exists(), "the dead save's temporary file is cleaned up");
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = bin().args(["compare", "sample_maps/mid_atlantic.tdproj", "--to", "2027 proposal", "--format", "json"]).stdout(writer).output().unwrap();
    assert!(output.status.success(), "exit {:?}: {}", output.status, String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let _ = std::io::stdout().flush();
}
