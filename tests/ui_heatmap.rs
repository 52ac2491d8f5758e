//! UI tests of the colour modes, the balance chart and the workload-model window,
//! driving the real app with egui_kittest.

mod common;

use common::*;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use territory_designer::colormap::ColorBy;
use territory_designer::model::{Command, UnitId};

/// Red minus blue of the colour as chosen (before egui premultiplies alpha).
fn red_over_blue(c: egui::Color32) -> i32 {
    let [r, _, b, _] = c.to_srgba_unmultiplied();
    r as i32 - b as i32
}

fn units_of(harness: &Harness<'_, TerritoryApp>, name: &str) -> Vec<UnitId> {
    let id = territory(harness, name);
    let scenario = harness.state().session.scenario();
    (0..scenario.unit_territory.len() as u32).map(UnitId).filter(|u| scenario.unit_territory(*u) == Some(id)).collect()
}

#[test]
fn keys_and_the_toolbar_switch_colour_modes_and_each_shows_its_legend() {
    let mut harness = harness();
    assert!(harness.query_by_label("Territory colours").is_some(), "the territory legend is shown by default");
    let pittsburgh = units_of(&harness, "Pittsburgh & Western PA")[0];
    let northwest = units_of(&harness, "Northwest PA")[0];

    harness.key_press(Key::W);
    harness.run_steps(2);
    assert_eq!(*harness.state().color_by(), ColorBy::Workload);
    assert!(harness.query_by_label("Workload index (x team average)").is_some());
    // Pittsburgh carries 2.4x the average workload: red; Northwest PA 0.4x: blue.
    assert!(red_over_blue(harness.state().unit_color(pittsburgh)) > 50, "{:?}", harness.state().unit_color(pittsburgh));
    assert!(red_over_blue(harness.state().unit_color(northwest)) < -50, "{:?}", harness.state().unit_color(northwest));

    harness.key_press(Key::D);
    harness.run_steps(2);
    assert!(harness.query_by_label("Drive time (min)").is_some());
    harness.key_press(Key::G);
    harness.run_steps(2);
    assert!(harness.query_by_label("Potential vs target (% from mean)").is_some());
    harness.key_press(Key::A);
    harness.run_steps(2);
    assert!(harness.query_by_label("Potential per km² ($)").is_some());

    harness.get_by_label("colour by").click();
    harness.run_steps(2);
    harness.get_by_label("Workload index (W)").click();
    harness.run_steps(2);
    assert_eq!(*harness.state().color_by(), ColorBy::Workload);
    assert!(harness.query_by_label("Potential per km²").is_none(), "the old legend is gone");
}

#[test]
fn heat_colours_follow_an_edit_in_the_same_frame() {
    let mut harness = harness();
    harness.state_mut().set_color_by(ColorBy::Workload);
    harness.run_steps(1);
    let moved = units_of(&harness, "Pittsburgh & Western PA");
    let northwest = territory(&harness, "Northwest PA");
    // Move most of Pittsburgh's ZIPs to Northwest PA: Northwest becomes overloaded and
    // what is left of Pittsburgh underloaded.
    let (take, keep) = moved.split_at(moved.len() * 3 / 4);
    assert!(red_over_blue(harness.state().unit_color(keep[0])) > 50);
    assert!(red_over_blue(harness.state().unit_color(take[0])) > 50);
    assert!(harness.state_mut().execute(Command::assign_units(take.to_vec(), Some(northwest))));
    harness.step();
    let index = harness.state().session.metrics().territory(northwest).unwrap().workload_index;
    assert!(index > 1.2, "Northwest PA is now overloaded: {index}");
    assert!(red_over_blue(harness.state().unit_color(take[0])) > 50);
    let kept = harness.state().unit_color(keep[0]);
    assert!(red_over_blue(kept) < 0, "the rest of Pittsburgh turned blue in the same frame: {kept:?}");
}

#[test]
fn clicking_a_bar_in_the_balance_chart_highlights_that_territory() {
    let mut harness = harness();
    let pittsburgh = territory(&harness, "Pittsburgh & Western PA");
    let column = harness.state().chart_columns.iter().find(|(id, _)| *id == pittsburgh).map(|(_, r)| *r).expect("the chart is drawn");
    click_at(&mut harness, column.center(), Modifiers::NONE);
    assert_eq!(harness.state().highlight, Some(pittsburgh));
    assert_eq!(harness.state().target, Some(pittsburgh));
    // Other territories are dimmed on the map.
    let other = units_of(&harness, "Northwest PA")[0];
    assert!(harness.state().unit_color(other).a() < 60);
}

#[test]
fn a_preset_in_the_model_window_recomputes_at_once_and_undoes_in_one_step() {
    let mut harness = harness();
    let pittsburgh = territory(&harness, "Pittsburgh & Western PA");
    let index = |h: &Harness<'_, TerritoryApp>| h.state().session.metrics().territory(pittsburgh).unwrap().workload_index;
    let field = index(&harness);
    harness.get_by_label("Edit model…").click();
    harness.run_steps(2);
    harness.get_by_label("Inside sales").click();
    harness.run_steps(2);
    let inside = index(&harness);
    assert!((inside - field).abs() > 0.01, "field {field} vs inside {inside}");
    assert!(harness.query_by_label("Workload model: Inside sales").is_some());
    assert_eq!(harness.state().session.undo_label(), Some("Change workload model"));
    assert!(harness.state().session.is_dirty());

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.run_steps(2);
    assert_eq!(index(&harness), field);
    assert!(harness.query_by_label("Workload model: Field sales").is_some());
}

#[test]
fn presentation_mode_shows_the_map_alone_and_keys_switch_scenario_and_colours() {
    let mut harness = harness();
    let first = harness.state().session.active_id();
    assert!(harness.query_by_label("File").is_some());
    harness.key_press(Key::F11);
    harness.run_steps(3);
    assert!(harness.state().presenting);
    assert!(harness.query_by_label("File").is_none() && harness.query_by_label("Territories").is_none(), "menus and panels are hidden");
    assert!(harness.query_by_label_contains("coloured by Territory").is_some(), "the bar says what is shown");
    assert!((harness.ctx.zoom_factor() - 1.4).abs() < 1e-6, "drawn larger for a projector");
    harness.key_press(Key::PageDown);
    harness.run_steps(2);
    assert_ne!(harness.state().session.active_id(), first, "Page Down shows the next scenario");
    harness.key_press(Key::U);
    harness.run_steps(2);
    assert_eq!(*harness.state().color_by(), ColorBy::Utilization);
    assert!(harness.query_by_label_contains("coloured by Utilization").is_some());
    harness.key_press(Key::PageUp);
    harness.run_steps(2);
    assert_eq!(harness.state().session.active_id(), first);
    harness.key_press(Key::Escape);
    harness.run_steps(3);
    assert!(!harness.state().presenting);
    assert!(harness.query_by_label("File").is_some(), "back to the full window");
    assert!((harness.ctx.zoom_factor() - 1.0).abs() < 1e-6);
}
