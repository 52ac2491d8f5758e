//! The project file: round trip, atomic save, and clear refusals of bad files.

use std::path::Path;
use territory_designer::fixtures::grid_project;
use territory_designer::io::project_file::{self, ProjectFileError, SCHEMA_VERSION};
use territory_designer::model::Command;
use territory_designer::session::Session;

fn edited_project() -> territory_designer::model::Project {
    let mut session = Session::new(grid_project(6, 4, 0.1, 60, 3, 11));
    let t2 = session.scenario().territories[2].id;
    session.execute(Command::assign_units([territory_designer::model::UnitId(0)], Some(t2))).unwrap();
    session.execute(Command::assign_accounts([territory_designer::model::AccountId(5)], t2)).unwrap();
    session.execute(Command::set_locked(t2, true)).unwrap();
    let mut project = session.into_project();
    project.settings.apply_preset(territory_designer::model::WorkloadPreset::Inside);
    let first = project.scenarios[0].id;
    let second = project.duplicate_scenario(first, "Proposal B").unwrap();
    project.set_baseline(second).unwrap();
    project
}

#[test]
fn round_trip_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.tdproj");
    let project = edited_project();
    project_file::save(&project, &path).unwrap();
    let loaded = project_file::load(&path).unwrap();
    assert_eq!(project, loaded);
    assert_eq!(loaded.scenarios.len(), 2);
    assert_eq!(loaded.baseline, loaded.scenarios[1].id, "the baseline flag survives");
    assert_eq!(loaded.settings.preset, Some(territory_designer::model::WorkloadPreset::Inside));
    assert!(loaded.scenarios[0].territories[2].locked);
    // Derived indexes are rebuilt on load.
    let unit = loaded.accounts[0].unit.unwrap();
    assert!(loaded.accounts_in_unit(unit).contains(&loaded.accounts[0].id));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn saving_over_a_file_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.tdproj");
    let mut project = edited_project();
    project_file::save(&project, &path).unwrap();
    project.name = "Renamed".into();
    project_file::save(&project, &path).unwrap();
    assert_eq!(project_file::load(&path).unwrap().name, "Renamed");
}

#[test]
fn truncated_file_is_reported_as_damaged() {
    let bytes = project_file::to_bytes(&edited_project()).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 8, 20] {
        let err = project_file::from_bytes(&bytes[..cut], Path::new("cut.tdproj")).unwrap_err();
        assert!(matches!(err, ProjectFileError::Damaged { .. }), "cut at {cut}: {err}");
        assert!(err.to_string().contains("cut.tdproj"));
    }
    // Truncated plain JSON too.
    let json = br#"{"format":"territory-designer-project","schema_version":1,"project":{"name":"x","#;
    let err = project_file::from_bytes(json, Path::new("p.tdproj")).unwrap_err();
    assert!(matches!(err, ProjectFileError::Damaged { .. }), "{err}");
}

#[test]
fn garbage_and_empty_files_are_refused_by_name() {
    let err = project_file::from_bytes(b"PK\x03\x04 this is a zip, not a project", Path::new("g.tdproj")).unwrap_err();
    assert!(matches!(err, ProjectFileError::NotAProject { .. }), "{err}");
    assert!(err.to_string().starts_with("g.tdproj is not a Territory Designer project"), "{err}");
    let err = project_file::from_bytes(b"", Path::new("e.tdproj")).unwrap_err();
    assert!(matches!(err, ProjectFileError::Empty { .. }), "{err}");
    let err = project_file::from_bytes(br#"{"type":"FeatureCollection","features":[]}"#, Path::new("f.geojson")).unwrap_err();
    assert!(err.to_string().contains("no format tag"), "{err}");
    let err = project_file::load(Path::new("/definitely/not/here.tdproj")).unwrap_err();
    assert!(matches!(err, ProjectFileError::Read { .. }), "{err}");
}

#[test]
fn newer_schema_is_refused_with_a_message() {
    let json = format!(
        r#"{{"format":"territory-designer-project","schema_version":{},"project":{{"from":"the future"}}}}"#,
        SCHEMA_VERSION + 1
    );
    let err = project_file::from_bytes(json.as_bytes(), Path::new("new.tdproj")).unwrap_err();
    match &err {
        ProjectFileError::NewerVersion { found, supported, .. } => {
            assert_eq!(*found, SCHEMA_VERSION + 1);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected NewerVersion, got {other}"),
    }
    assert!(err.to_string().contains("newer Territory Designer"));
}

#[test]
fn inconsistent_project_is_refused() {
    let mut project = edited_project();
    project.scenarios[0].unit_territory.pop();
    let bytes = project_file::to_bytes(&project).unwrap();
    let err = project_file::from_bytes(&bytes, Path::new("bad.tdproj")).unwrap_err();
    assert!(matches!(err, ProjectFileError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("assigns 23 units but the project has 24"), "{err}");
}

#[test]
fn plain_json_is_accepted() {
    let project = edited_project();
    let bytes = project_file::to_bytes(&project).unwrap();
    let mut gz = flate2::read::GzDecoder::new(&bytes[..]);
    let mut json = Vec::new();
    std::io::Read::read_to_end(&mut gz, &mut json).unwrap();
    assert_eq!(project_file::from_bytes(&json, Path::new("plain.tdproj")).unwrap(), project);
}
