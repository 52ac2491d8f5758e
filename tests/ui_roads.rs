//! File > Road network… in the app: the extract is read on a worker, its graph kept
//! beside the project, and drive times follow; undo and redo of the import follow too.

mod common;

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use territory_designer::io::project_file;
use territory_designer::ui::{AppAction, TerritoryApp};

fn dc_extract() -> Option<PathBuf> {
    let path = PathBuf::from("../shared/data/roads/dc_washington_cathedral_r5.osm.pbf");
    path.exists().then_some(path)
}

#[test]
fn an_untitled_project_is_asked_to_be_saved_first() {
    let Some(extract) = dc_extract() else { return };
    let mut harness = common::harness();
    harness.state_mut().act(AppAction::ImportRoads(Some(extract)));
    harness.run_steps(2);
    let notice = harness.state().notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.contains("Save the project first"), "{notice}");
    assert!(harness.state().roads_job.is_none());
}

#[test]
fn a_road_network_is_read_used_and_undone_as_one_step() {
    let Some(extract) = dc_extract() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.tdproj");
    std::fs::copy("sample_maps/mid_atlantic.tdproj", &path).unwrap();
    let project = project_file::load(&path).unwrap();
    let app = TerritoryApp::without_basemap(project, Some(path.clone()));
    let mut harness = Harness::builder().with_size([1400.0, 900.0]).with_max_steps(64).build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);
    harness.run_steps(4);
    let before: f64 = harness.state().session.metrics().territories.iter().map(|t| t.drive_hours).sum();

    harness.state_mut().act(AppAction::ImportRoads(Some(extract)));
    harness.step();
    assert!(harness.state().roads_job.is_some(), "read on a worker");
    common::step_until(&mut harness, |app| app.roads_job.is_none());
    let app = harness.state();
    let info = app.session.project().road_network.clone().expect("recorded in the project");
    assert_eq!(info.source, "dc_washington_cathedral_r5.osm.pbf");
    assert!(Path::new(&path.with_extension("roads")).exists(), "the graph is kept beside the project");
    assert!(app.session.roads().is_some());
    assert!(app.notice.as_ref().is_some_and(|n| n.text.contains("Drive times by road network")), "{:?}", app.notice.as_ref().map(|n| &n.text));
    let by_road: f64 = app.session.metrics().territories.iter().map(|t| t.drive_hours).sum();
    assert!((by_road - before).abs() > 1e-9, "the DC accounts' drives are by road now: {by_road} vs {before}");
    assert_eq!(app.session.undo_label(), Some("Use road network dc_washington_cathedral_r5.osm.pbf"));

    // Hovering an account near the cathedral shows its drive by road.
    let metrics_account = {
        let app = harness.state();
        let (project, scenario) = (app.session.project(), app.session.scenario());
        project.accounts.iter().find(|a| app.session.metrics().account_drive(project, scenario, a.id).is_some_and(|d| d.by_road)).map(|a| (a.location, a.name.clone()))
    };
    let (at, name) = metrics_account.expect("an account is reached by road");
    harness.state_mut().view.look_at(at.lon, at.lat, 16.0);
    harness.run_steps(4);
    let pos = common::screen(&harness, at);
    harness.hover_at(pos);
    harness.run_steps(3);
    assert!(harness.state().view.map.hovered_account.is_some(), "the pointer is on the account at {pos:?}");
    // Tooltips wait for the pointer to rest.
    for _ in 0..50 {
        harness.step();
    }
    assert!(harness.query_by_label(&name).is_some(), "the tooltip of {name}");
    assert!(harness.query_by_label_contains("km one way (by road)").is_some(), "the drive, by road, is in the tooltip");
    // ...and its route from the rep's home, searched on a thread of its own.
    common::step_until(&mut harness, |app| !app.view.route_pending() && app.view.route_points() > 0);
    assert!(harness.state().view.route_points() >= 3, "home, junctions, account: {}", harness.state().view.route_points());

    // View > Drive-time zones: outlines around the home bases, limits as typed.
    harness.hover_at(egui::pos2(5.0, 300.0));
    harness.get_by_label("View").click();
    harness.run_steps(2);
    harness.get_by_label("Drive-time zones").click();
    harness.run_steps(3);
    assert!(harness.state().view.map.layers.drive_zones);
    let default_edges = harness.state().view.zone_edges();
    assert!(default_edges > 0, "30/60/90 min outlines");
    harness.state_mut().act(AppAction::SetZoneLimits("20, soon".into()));
    harness.run_steps(2);
    assert_eq!(harness.state().view.map.zone_limits, vec![30.0, 60.0, 90.0], "a limit that does not read changes nothing");
    harness.state_mut().act(AppAction::SetZoneLimits("15".into()));
    harness.run_steps(2);
    assert_eq!(harness.state().view.map.zone_limits, vec![15.0]);
    assert!(harness.state().view.zone_edges() > 0 && harness.state().view.zone_edges() != default_edges, "one limit now");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);

    // What-if "move home base": the new home is searched on a worker first, then the
    // move is one undo step with road times from the new home ready.
    let (territory, rep, home) = {
        let app = harness.state();
        let t = app.session.scenario().territories.iter().find(|t| t.rep.is_some()).unwrap();
        let rep = t.rep.unwrap();
        (t.id, rep, app.session.project().reps[rep.index()].home)
    };
    let new_home = territory_designer::model::entities::LonLat::new(-77.072, 38.931);
    assert_ne!(home, new_home);
    harness.state_mut().target = Some(territory);
    harness.state_mut().move_home(new_home);
    assert!(harness.state().home_search.is_some(), "searched on a worker");
    assert_eq!(harness.state().session.project().reps[rep.index()].home, home, "not moved before the search is done");
    common::step_until(&mut harness, |app| app.home_search.is_none());
    let app = harness.state();
    assert_eq!(app.session.project().reps[rep.index()].home, new_home);
    assert!(app.session.roads().unwrap().has_home(new_home));
    assert!(app.session.undo_label().is_some_and(|l| l.contains("home")), "{:?}", app.session.undo_label());
    harness.state_mut().act(AppAction::Undo);
    harness.run_steps(3);
    assert_eq!(harness.state().session.project().reps[rep.index()].home, home);

    harness.state_mut().act(AppAction::Undo);
    harness.run_steps(3);
    assert!(harness.state().session.project().road_network.is_none());
    assert!(harness.state().session.roads().is_none(), "back to the estimate");
    let undone: f64 = harness.state().session.metrics().territories.iter().map(|t| t.drive_hours).sum();
    assert!((undone - before).abs() < 1e-6 * before, "{undone} vs {before}");

    harness.state_mut().act(AppAction::Redo);
    common::step_until(&mut harness, |app| app.roads_job.is_none() && app.session.roads().is_some());
    assert!(harness.state().session.roads().is_some(), "read back from beside the project");
}
