//! UI tests of scenarios and the compare view, driving the real app with egui_kittest.

mod common;

use common::*;
use egui_kittest::kittest::Queryable;
use std::collections::BTreeSet;
use territory_designer::model::{Command, UnitId};

#[test]
fn duplicate_edit_and_compare_marks_exactly_what_changed() {
    let mut harness = harness();
    let original = harness.state().session.active_id();
    let original_alignment = harness.state().session.scenario().unit_territory.clone();

    harness.get_by_label("Duplicate").click();
    harness.run_steps(2);
    let copy = harness.state().session.active_id();
    assert_ne!(copy, original);
    assert_eq!(harness.state().session.scenario().name, "2026 alignment (copy)");

    // Edit the copy: hand 40 of Pittsburgh's ZIPs to Northwest PA.
    let pittsburgh = territory(&harness, "Pittsburgh & Western PA");
    let northwest = territory(&harness, "Northwest PA");
    let moved: Vec<UnitId> = {
        let s = harness.state().session.scenario();
        (0..s.unit_territory.len() as u32).map(UnitId).filter(|u| s.unit_territory(*u) == Some(pittsburgh)).take(40).collect()
    };
    assert!(harness.state_mut().execute(Command::assign_units(moved.clone(), Some(northwest))));
    harness.run_steps(1);

    // Open compare against the original from the "compare with" box.
    harness.get_by_label("compare with").click();
    harness.run_steps(2);
    harness.get_by_label("2026 alignment (baseline)").click();
    harness.run_steps(3);
    assert!(harness.query_by_label_contains("Disruption ledger").is_some(), "the compare tables are shown");

    let app = harness.state();
    let view = app.compare.as_ref().expect("compare is open");
    assert_eq!(view.reference, original);
    let flagged: Vec<UnitId> = (0..view.changed.len() as u32).map(UnitId).filter(|u| view.changed[u.index()]).collect();
    assert_eq!(flagged, moved, "exactly the edited ZIPs are marked");

    // The ledger lists exactly the accounts whose owner changed.
    let project = app.session.project();
    let expected: BTreeSet<String> = moved
        .iter()
        .flat_map(|u| project.accounts_in_unit(*u).iter())
        .filter(|a| !app.session.scenario().account_overrides.contains_key(a))
        .map(|a| project.accounts[a.index()].external_id.clone())
        .collect();
    let comparison = view.comparison.as_ref().unwrap();
    let listed: BTreeSet<String> = comparison.ledger.iter().map(|r| r.account_id.clone()).collect();
    assert_eq!(listed, expected);
    assert!(comparison.ledger.iter().all(|r| r.from_rep == "James O'Connor" && r.to_rep == "Kevin Walsh"));

    // The original is untouched.
    assert_eq!(project.scenario(original).unwrap().unit_territory, original_alignment);

    // The ledger exports as CSV.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("handoffs.csv");
    harness.state_mut().export_ledger(&path);
    let rows = csv::Reader::from_path(&path).unwrap().records().count();
    assert_eq!(rows, expected.len());

    // Undo in the copy removes the differences; the compare view follows.
    harness.state_mut().undo();
    harness.run_steps(2);
    let view = harness.state().compare.as_ref().unwrap();
    assert_eq!(view.comparison.as_ref().unwrap().moved_units, 0);
}

#[test]
fn each_scenario_keeps_its_own_undo_history_and_delete_asks_first() {
    let mut harness = harness();
    let original = harness.state().session.active_id();
    let northwest = territory(&harness, "Northwest PA");
    assert!(harness.state_mut().execute(Command::assign_units([UnitId(0)], Some(northwest))));
    harness.get_by_label("Duplicate").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.undo_label(), None, "the copy starts with an empty history");
    harness.state_mut().switch_scenario(original);
    harness.run_steps(1);
    assert!(harness.state().session.undo_label().is_some(), "the original keeps its history");

    harness.get_by_label("Delete…").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Delete the scenario '2026 alignment'").is_some());
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.project().scenarios.len(), 3);
    harness.get_by_label("Delete…").click();
    harness.run_steps(2);
    harness.get_by_label("Delete").click();
    harness.run_steps(2);
    let project = harness.state().session.project();
    assert_eq!(project.scenarios.len(), 2);
    assert!(project.scenario(original).is_none());
    assert!(project.scenario(project.baseline).is_some(), "a baseline remains");
}
