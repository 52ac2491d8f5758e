//! Model > Quotas and KPIs, driven by clicks: quotas are set as one undoable edit and
//! add up to the total; the table shows each territory's quota and KPIs.

mod common;

use common::harness;
use egui_kittest::kittest::Queryable;

#[test]
fn quotas_are_set_from_the_window_and_undone_with_one_step() {
    let mut harness = harness();
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
    assert!(harness.state().session.scenario().quotas.is_none(), "one undo takes them back");
}
