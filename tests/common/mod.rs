//! Helpers shared by the UI tests: a harness on the sample, screen positions of places,
//! pointer gestures.
#![allow(dead_code)]

use egui::{Modifiers, Pos2};
pub use egui_kittest::Harness;
use std::path::Path;
use territory_designer::io::project_file;
use territory_designer::model::{LonLat, TerritoryId};
use territory_designer::spatial::mercator::to_mercator;
pub use territory_designer::ui::TerritoryApp;

pub fn harness() -> Harness<'static, TerritoryApp> {
    let project = project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).unwrap();
    let app = TerritoryApp::without_basemap(project, None);
    let mut harness = Harness::builder().with_size([1400.0, 900.0]).with_max_steps(64).build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);
    // The first frames lay out the panels and fit the map to the project.
    harness.run_steps(4);
    // From then on the layout is stable: a map that moves under a gesture would draw
    // the lasso in the wrong place.
    let rect = harness.state().view.map.last_rect;
    harness.run_steps(3);
    assert_eq!(harness.state().view.map.last_rect, rect, "the map area must not change size by itself");
    harness
}

pub fn screen(harness: &Harness<'_, TerritoryApp>, at: LonLat) -> Pos2 {
    let view = harness.state().view.map.last_view.expect("the map was drawn");
    view.to_screen(to_mercator(at.lon, at.lat))
}

pub fn territory(harness: &Harness<'_, TerritoryApp>, name: &str) -> TerritoryId {
    harness.state().session.scenario().territory_by_name(name).unwrap().id
}

pub fn potential_of(harness: &Harness<'_, TerritoryApp>, id: TerritoryId) -> f64 {
    harness.state().session.metrics().territory(id).unwrap().potential
}

/// Drags the pointer along a closed path with the primary button held.
pub fn drag_path(harness: &mut Harness<'_, TerritoryApp>, path: &[Pos2]) {
    harness.hover_at(path[0]);
    harness.step();
    harness.drag_at(path[0]);
    harness.step();
    for p in &path[1..] {
        harness.hover_at(*p);
        harness.step();
    }
    harness.drop_at(*path.last().unwrap());
    harness.run_steps(2);
}

pub fn click_at(harness: &mut Harness<'_, TerritoryApp>, pos: Pos2, modifiers: Modifiers) {
    harness.hover_at(pos);
    harness.step();
    for pressed in [true, false] {
        harness.event_modifiers(egui::Event::PointerButton { pos, button: egui::PointerButton::Primary, pressed, modifiers }, modifiers);
        harness.step();
    }
    harness.run_steps(2);
}

/// Steps frames, pausing between them, until `done` holds (a worker thread finished) or
/// ten seconds pass; then lets the layout settle.
pub fn step_until(harness: &mut Harness<'_, TerritoryApp>, done: impl Fn(&TerritoryApp) -> bool) {
    for _ in 0..1000 {
        harness.step();
        if done(harness.state()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.run_steps(3);
}
