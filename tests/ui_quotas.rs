//! Model > Quotas and KPIs, driven by clicks: quotas are set as one undoable edit and
//! add up to the total; the table shows each territory's quota and KPIs. Regions are
//! made and changed from the territory list, one undo step each.

mod common;

use common::harness;
use egui_kittest::kittest::Queryable;

#[test]
fn quotas_are_set_from_the_window_and_undone_with_one_step() {
    let mut harness = harness();
    let before = harness.state().session.scenario().quotas.clone();
    harness.get_by_label("Model").click();
    harness.run_steps(2);
    harness.get_by_label("Quotas and KPIs…").click();
    harness.run_steps(3);
    assert!(harness.state().quotas.is_some(), "the window is open");
    assert!(harness.query_by_label("Utilization").is_some() && harness.query_by_label("White space").is_some());
    let total = harness.state().quotas.as_ref().unwrap().total;
    assert!(total > 0.0, "a starting total is offered");
    harness.get_by_label("Top-down").click();
    harness.run_steps(2);
    harness.get_by_label("Set quotas").click();
    harness.run_steps(3);
    let plan = harness.state().session.scenario().quotas.clone().expect("quotas are set");
    assert_eq!(plan.cents.values().sum::<i64>(), (total * 100.0).round() as i64, "they add up to the total");
    assert_eq!(plan.cents.len(), harness.state().session.scenario().territories.len());
    assert!(harness.query_by_label_contains("Quotas add up to").is_some());
    harness.get_by_label("Undo").click();
    harness.run_steps(3);
    assert_eq!(harness.state().session.scenario().quotas, before, "one undo takes them back");
}

#[test]
fn a_territory_moves_to_a_new_region_from_its_menu_and_back_with_undo() {
    let mut harness = harness();
    let before = harness.state().session.scenario().clone();
    assert_eq!(before.regions(), vec!["Pennsylvania", "Coastal"]);
    // The list groups territories under their regions' roll-ups.
    assert!(harness.query_by_label("Pennsylvania").is_some() && harness.query_by_label("Coastal").is_some());
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Central PA").click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Region").click();
    harness.run_steps(2);
    harness.get_by_label("New region…").click();
    harness.run_steps(3);
    harness.get_by_label("Region name").type_text("Heartland");
    harness.run_steps(1);
    harness.get_by_label("Create").click();
    harness.run_steps(3);
    let scenario = harness.state().session.scenario();
    assert_eq!(scenario.territory_by_name("Central PA").unwrap().region.as_deref(), Some("Heartland"));
    assert_eq!(scenario.regions(), vec!["Pennsylvania", "Heartland", "Coastal"]);
    assert!(harness.query_by_label("Heartland").is_some(), "its roll-up row is listed");
    harness.get_by_label("Undo").click();
    harness.run_steps(3);
    assert_eq!(harness.state().session.scenario(), &before, "one undo step");
}
