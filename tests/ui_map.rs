//! UI tests that drive the real app with egui_kittest: lasso, click, lock, brush, undo.

mod common;

use common::*;
use egui::{Key, Modifiers, Pos2};
use egui_kittest::kittest::Queryable;
use geo::{Contains, LineString, Point, Polygon};
use territory_designer::model::{LonLat, UnitId};
use territory_designer::spatial::mercator::{to_mercator, MercBox};
use std::path::Path;
use territory_designer::io::project_file;
use territory_designer::format::short_money;

/// A lasso around central Philadelphia, as lon/lat.
fn philadelphia_lasso() -> Vec<LonLat> {
    let (cx, cy, r) = (-75.16, 39.98, 0.09);
    (0..=24).map(|k| {
        let t = k as f64 / 24.0 * std::f64::consts::TAU;
        LonLat::new(cx + r * 1.3 * t.cos(), cy + r * t.sin())
    }).collect()
}

#[test]
fn lasso_assigns_the_zips_inside_and_undo_restores_them() {
    let mut harness = harness();
    let pittsburgh = territory(&harness, "Pittsburgh & Western PA");
    let before_scenario = harness.state().session.scenario().clone();
    let before_potential = potential_of(&harness, pittsburgh);
    assert!(harness.query_by_label(&short_money(before_potential)).is_some(), "the panel shows Pittsburgh's potential");

    harness.get_by_label("Lasso").click();
    harness.get_by_label("Assign on release").click();
    harness.run_steps(2);
    // Number key 2 makes Pittsburgh the target (nothing is selected yet).
    harness.key_press(Key::Num2);
    harness.run_steps(2);
    assert_eq!(harness.state().target, Some(pittsburgh));

    let lasso = philadelphia_lasso();
    // Zoom to the Philadelphia area so the lasso is drawn at a planner's scale.
    let mut around = MercBox::EMPTY;
    for (dlon, dlat) in [(-0.6, -0.4), (0.6, 0.4)] {
        around.extend(to_mercator(-75.16 + dlon, 39.98 + dlat));
    }
    harness.state_mut().fit_to(around);
    harness.run_steps(3);
    let path: Vec<Pos2> = lasso.iter().map(|p| screen(&harness, *p)).collect();
    drag_path(&mut harness, &path);

    // Independently: ZIPs whose centroid lies inside the lasso.
    let ring = Polygon::new(LineString::from(lasso.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>()), vec![]);
    let project = harness.state().session.project();
    let inside: Vec<UnitId> = project.units.iter().filter(|u| ring.contains(&Point::new(u.centroid.lon, u.centroid.lat))).map(|u| u.id).collect();
    assert!(inside.len() >= 10, "the lasso covers {} ZIPs", inside.len());
    let scenario = harness.state().session.scenario();
    for u in &inside {
        assert_eq!(scenario.unit_territory(*u), Some(pittsburgh), "ZIP {} moved", project.units[u.index()].code);
    }
    let moved = (0..project.units.len()).filter(|i| scenario.unit_territory[*i] != before_scenario.unit_territory[*i]).count();
    assert_eq!(moved, inside.len(), "only the ZIPs inside moved");

    // The panel shows the new figure in the same frame.
    let after_potential = potential_of(&harness, pittsburgh);
    assert!(after_potential > before_potential);
    assert!(harness.query_by_label(&short_money(after_potential)).is_some());
    assert!(harness.query_by_label(&short_money(before_potential)).is_none());

    harness.get_by_label("Undo").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.scenario(), &before_scenario);
    assert!(harness.query_by_label(&short_money(before_potential)).is_some());
}

#[test]
fn a_click_selects_the_zip_under_the_pointer_and_shift_adds() {
    let mut harness = harness();
    let project = harness.state().session.project();
    // Two rural ZIPs in the Pittsburgh territory, far from each other.
    let pick = |code: &str| project.units.iter().find(|u| u.code == code).map(|u| (u.id, u.centroid)).unwrap();
    let (a, a_at) = pick("16933");
    let (b, b_at) = pick("15349");
    let (pa, pb) = (screen(&harness, a_at), screen(&harness, b_at));
    click_at(&mut harness, pa, Modifiers::NONE);
    let selected: Vec<UnitId> = harness.state().selection.units.iter().copied().collect();
    assert_eq!(selected, vec![a]);
    assert!(harness.query_by_label_contains("Selection: 1 ZIPs").is_some());
    click_at(&mut harness, pb, Modifiers::SHIFT);
    assert_eq!(harness.state().selection.units.len(), 2);
    assert!(harness.state().selection.units.contains(&b));
    // A plain click elsewhere replaces the selection.
    click_at(&mut harness, pa, Modifiers::NONE);
    assert_eq!(harness.state().selection.units.len(), 1);
}

#[test]
fn a_locked_territory_refuses_an_edit_with_a_visible_message() {
    let mut harness = harness();
    let pittsburgh = territory(&harness, "Pittsburgh & Western PA");
    // Lock Pittsburgh (second row of the panel).
    harness.get_all_by_label("Lock").nth(1).unwrap().click();
    harness.run_steps(2);
    assert!(harness.state().session.scenario().territory(pittsburgh).unwrap().locked);

    let project = harness.state().session.project();
    let unit = project.units.iter().find(|u| u.code == "15349").unwrap().clone();
    assert_eq!(harness.state().session.scenario().unit_territory(unit.id), Some(pittsburgh));
    let before = harness.state().session.scenario().clone();
    let at = screen(&harness, unit.centroid);
    click_at(&mut harness, at, Modifiers::NONE);
    // Number key 1: assign the selection to Philadelphia.
    harness.key_press(Key::Num1);
    harness.run_steps(2);
    assert_eq!(harness.state().session.scenario(), &before, "nothing changed");
    assert!(harness.query_all_by_label_contains("is locked").next().is_some(), "the refusal is shown");
}

#[test]
fn a_brush_stroke_paints_zips_as_one_undo_step() {
    let mut harness = harness();
    let before = harness.state().session.scenario().clone();
    harness.key_press(Key::B);
    harness.key_press(Key::Num3);
    harness.run_steps(2);
    let south_central = territory(&harness, "South Central PA");
    // A stroke westwards from Philadelphia's suburbs.
    let path: Vec<Pos2> = (0..12).map(|k| screen(&harness, LonLat::new(-75.35 - k as f64 * 0.03, 40.05))).collect();
    drag_path(&mut harness, &path);
    let scenario = harness.state().session.scenario();
    let painted = (0..scenario.unit_territory.len()).filter(|i| scenario.unit_territory[*i] != before.unit_territory[*i]).count();
    assert!(painted >= 3, "painted {painted} ZIPs");
    assert!(scenario.unit_territory.iter().zip(&before.unit_territory).all(|(now, was)| now == was || *now == Some(south_central)));
    assert!(harness.state().session.undo_label().unwrap().starts_with("Paint ZIPs into South Central PA"));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run_steps(2);
    assert_eq!(harness.state().session.scenario(), &before, "one undo removes the whole stroke");
}

#[test]
fn a_raster_pmtiles_basemap_is_used_and_a_vector_one_is_refused() {
    use territory_designer::ui::basemap::BasemapSource;
    let dir = Path::new("../shared/data/basemap");
    if !dir.exists() {
        eprintln!("skipped: ../shared/data is absent");
        return;
    }
    let mut harness = harness();
    let ctx = harness.ctx.clone();
    harness.state_mut().set_basemap(&ctx, BasemapSource::PmTiles(dir.join("dc_test_vector_z8-14.pmtiles")));
    harness.run_steps(2);
    assert_eq!(harness.state().view.basemap_source, BasemapSource::Offline, "vector tiles are refused");
    assert!(harness.query_all_by_label_contains("holds vector tiles").next().is_some());
    let raster = dir.join("stamen_toner_raster_z0-3_world.pmtiles");
    harness.state_mut().set_basemap(&ctx, BasemapSource::PmTiles(raster.clone()));
    harness.run_steps(3);
    assert_eq!(harness.state().view.basemap_source, BasemapSource::PmTiles(raster));
    assert_eq!(BasemapSource::from_setting(&harness.state().view.basemap_source.to_setting()), harness.state().view.basemap_source);
}

#[test]
fn an_autosave_newer_than_the_file_is_offered_for_recovery() {
    use territory_designer::model::Command;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.tdproj");
    let project = project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).unwrap();
    project_file::save(&project, &path).unwrap();
    // An autosave holding one more edit, written after the file.
    let mut session = territory_designer::session::Session::new(project.clone());
    let t = session.scenario().territories[0].id;
    session.execute(Command::rename_territory(t, "Recovered name")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    project_file::save(session.project(), &project_file::autosave_path(&path)).unwrap();

    let app = TerritoryApp::without_basemap(project, Some(path.clone()));
    let mut harness = Harness::builder().with_size([1400.0, 900.0]).with_max_steps(64).build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);
    harness.run_steps(3);
    assert!(harness.query_by_label("Recover").is_some(), "the recovery prompt is shown");
    harness.get_by_label("Recover").click();
    harness.run_steps(3);
    assert_eq!(harness.state().session.scenario().territories[0].name, "Recovered name");
    assert!(harness.state().session.is_dirty(), "recovered changes still need saving");
    // Saving removes the autosave.
    harness.state_mut().save_to(path.clone());
    assert!(!project_file::autosave_path(&path).exists());
}

#[test]
fn saving_over_a_file_changed_by_someone_else_asks_and_can_overwrite() {
    use territory_designer::model::Command;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.tdproj");
    let project = project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).unwrap();
    project_file::save(&project, &path).unwrap();
    let app = TerritoryApp::without_basemap(project_file::load(&path).unwrap(), Some(path.clone()));
    let mut harness = Harness::builder().with_size([1400.0, 900.0]).with_max_steps(64).build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);
    harness.run_steps(3);
    // An optimize run saves a new scenario into the file meanwhile.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).arg("optimize").arg(&path).args(["--into", "Theirs"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let t = harness.state().session.scenario().territories[0].id;
    harness.state_mut().act(territory_designer::ui::actions::AppAction::Execute(Command::rename_territory(t, "Mine")));
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run_steps(3);
    assert!(harness.query_by_label("The project changed on disk").is_some(), "the planner is asked");
    assert!(project_file::load(&path).unwrap().scenario_by_name("Theirs").is_some(), "their scenario is intact");
    assert!(harness.state().session.is_dirty());
    harness.get_by_label("Overwrite").click();
    harness.run_steps(3);
    assert!(!harness.state().session.is_dirty());
    let saved = project_file::load(&path).unwrap();
    assert!(saved.scenario_by_name("Theirs").is_none() && saved.scenarios.iter().any(|s| s.territories.iter().any(|t| t.name == "Mine")));
}
