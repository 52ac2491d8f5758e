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
    assert!(harness.query_by_label_contains("Hand-offs: ").is_some(), "the compare tables are shown");
    let rect = harness.state().view.map.last_rect;
    harness.run_steps(3);
    assert_eq!(harness.state().view.map.last_rect, rect, "the compare layout is stable");

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
    assert_eq!(harness.state().session.undo_label(), Some("Duplicate '2026 alignment'"), "the copy's history holds only its creation");
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

    // Undo brings the deleted scenario back, as the baseline it was, with its history.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.session.active_id(), original);
    assert_eq!(app.session.project().baseline, original);
    assert_eq!(app.session.undo_label(), Some("Assign 1 ZIP to Northwest PA"), "its own edits come back with it");
}

/// Every edit of the set of scenarios is one undo step, from the keyboard as from the menu.
#[test]
fn scenario_edits_undo_and_redo_from_the_keyboard() {
    use egui::{Key, Modifiers};
    let mut harness = harness();
    let undo = |h: &mut Harness<'_, TerritoryApp>| {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        h.run_steps(2);
    };
    let redo = |h: &mut Harness<'_, TerritoryApp>| {
        h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
        h.run_steps(2);
    };
    let initial = harness.state().session.project().clone();
    let names = |h: &Harness<'_, TerritoryApp>| h.state().session.project().scenarios.iter().map(|s| s.name.clone()).collect::<Vec<_>>();

    // New blank scenario: undo removes it and returns to the scenario it came from.
    harness.get_by_label("New").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.scenario().name, "New scenario");
    undo(&mut harness);
    assert_eq!(names(&harness), vec!["2026 alignment", "2027 proposal"]);
    assert_eq!(harness.state().session.scenario().name, "2026 alignment");
    redo(&mut harness);
    assert_eq!(harness.state().session.scenario().name, "New scenario");
    undo(&mut harness);

    // Rename.
    harness.get_by_label("Rename…").click();
    harness.run_steps(2);
    harness.get(egui_kittest::kittest::By::new().role(egui::accesskit::Role::TextInput).value("2026 alignment")).type_text(" v2");
    harness.run_steps(1);
    harness.get_by_label("Rename").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.scenario().name, "2026 alignment v2");
    assert_eq!(harness.state().session.undo_label(), Some("Rename scenario '2026 alignment' to '2026 alignment v2'"));
    undo(&mut harness);
    assert_eq!(harness.state().session.scenario().name, "2026 alignment");

    // Set as baseline (from the 2027 proposal), then undo.
    let proposal = harness.state().session.project().scenario_by_name("2027 proposal").unwrap().id;
    harness.state_mut().switch_scenario(proposal);
    harness.run_steps(2);
    harness.get_by_label("Set as baseline").click();
    harness.run_steps(2);
    assert_eq!(harness.state().session.project().baseline, proposal);
    undo(&mut harness);
    assert_eq!(harness.state().session.project().baseline, initial.baseline);
    redo(&mut harness);
    assert_eq!(harness.state().session.project().baseline, proposal);
    undo(&mut harness);

    // An imported alignment is a new scenario that undo takes away.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("imported plan.csv");
    let scenario = harness.state().session.scenario().clone();
    let project = harness.state().session.project().clone();
    let mut rows = String::from("zip,territory\n");
    for (u, t) in scenario.unit_territory.iter().enumerate() {
        let name = t.and_then(|t| scenario.territory(t)).map(|t| t.name.clone()).unwrap_or_default();
        rows.push_str(&format!("{},{}\n", project.units[u].code, name.replace(',', " ")));
    }
    std::fs::write(&csv, rows).unwrap();
    harness.state_mut().import_alignment(&csv);
    harness.run_steps(2);
    assert_eq!(harness.state().session.scenario().name, "imported plan");
    undo(&mut harness);
    assert!(harness.state().session.project().scenario_by_name("imported plan").is_none());
    assert_eq!(harness.state().session.active_id(), proposal);

    let project = harness.state().session.project();
    assert_eq!(project.scenarios, initial.scenarios, "every scenario edit undone");
}

#[test]
fn a_rep_leaving_hands_every_zip_to_neighbours_in_one_undo_step() {
    let mut harness = harness();
    let before = harness.state().session.scenario().clone();
    let leaving = territory(&harness, "Central PA");
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Central PA").click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Rep leaves: hand ZIPs to neighbours").click();
    harness.run_steps(2);
    let app = harness.state();
    let scenario = app.session.scenario();
    assert!(scenario.territory(leaving).is_none());
    assert_eq!(scenario.territories.len(), before.territories.len() - 1);
    assert!(scenario.unit_territory.iter().all(|t| t.is_some()), "no ZIP is left unassigned");
    let project = app.session.project();
    assert!(project.accounts.iter().all(|a| scenario.account_territory(a.id, a.unit).is_some()), "every account has a territory");
    assert!(app.session.metrics().unassigned().accounts == 0);
    // Central PA's ZIPs went to the territories around it, not across the map.
    let receivers: BTreeSet<_> = (0..before.unit_territory.len()).filter(|u| before.unit_territory[*u] == Some(leaving)).map(|u| scenario.unit_territory[u].unwrap()).collect();
    assert!(receivers.len() >= 2, "{} receivers", receivers.len());
    harness.state_mut().undo();
    harness.run_steps(1);
    assert_eq!(harness.state().session.scenario(), &before);
}

#[test]
fn a_new_rep_is_placed_by_clicking_and_a_home_base_moves_by_clicking() {
    use egui::Modifiers;
    use territory_designer::model::LonLat;
    let mut harness = harness();
    let reps = harness.state().session.project().reps.len();
    harness.get_by_label("+ New rep…").click();
    harness.run_steps(2);
    let lancaster = LonLat::new(-76.3, 40.04);
    let at = screen(&harness, lancaster);
    click_at(&mut harness, at, Modifiers::NONE);
    let app = harness.state();
    assert_eq!(app.session.project().reps.len(), reps + 1);
    let home = app.session.project().reps[reps].home;
    assert!((home.lon - lancaster.lon).abs() < 0.05 && (home.lat - lancaster.lat).abs() < 0.05, "{home:?}");
    let new_territory = app.target.unwrap();
    assert_eq!(app.session.scenario().territory(new_territory).unwrap().rep.map(|r| r.index()), Some(reps));
    assert_eq!(app.session.undo_label(), Some("Add New rep 13 with a territory"));

    // Move Pittsburgh's rep to Erie: the drive hours of that territory change.
    let pittsburgh = territory(&harness, "Pittsburgh & Western PA");
    let drive = |h: &Harness<'_, TerritoryApp>| h.state().session.metrics().territory(pittsburgh).unwrap().drive_hours;
    let before = drive(&harness);
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Pittsburgh & Western PA").click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Move home base…").click();
    harness.run_steps(2);
    let erie = screen(&harness, LonLat::new(-80.08, 42.12));
    click_at(&mut harness, erie, Modifiers::NONE);
    assert_ne!(drive(&harness), before);
    harness.state_mut().undo();
    harness.run_steps(1);
    assert_eq!(drive(&harness), before);
}

#[test]
fn a_blank_scenario_starts_with_a_territory_per_rep_and_nothing_assigned() {
    let mut harness = harness();
    let baseline = harness.state().session.active_id();
    harness.get_by_label("New").click();
    harness.run_steps(2);
    let app = harness.state();
    assert_ne!(app.session.active_id(), baseline);
    assert_eq!(app.session.scenario().name, "New scenario");
    assert_eq!(app.session.scenario().territories.len(), app.session.project().reps.len());
    assert!(app.session.scenario().unit_territory.iter().all(Option::is_none));
    assert!(harness.query_by_label_contains("ZIPs and 8000 accounts are unassigned").is_some());
}

#[test]
fn the_optimize_dialog_runs_on_a_worker_and_opens_the_proposal_in_compare() {
    let mut harness = harness();
    let baseline = harness.state().session.active_id();
    harness.get_by_label("Optimize…").click();
    harness.run_steps(2);
    harness.get_by_label("Propose balanced territories").click();
    harness.run_steps(1);
    step_until(&mut harness, |app| app.optimize.job.is_none());
    harness.run_steps(2);
    // The proposal waits in the dialog, with how it did, until the planner takes it.
    assert_eq!(harness.state().session.active_id(), baseline, "nothing changes before the planner accepts");
    assert!(harness.state().optimize.proposal.is_some());
    assert!(harness.query_by_label_contains("Proposal within the tolerance").is_some());
    harness.get_by_label("Add as a new scenario").click();
    harness.run_steps(2);
    let app = harness.state();
    assert!(app.optimize.job.is_none(), "the worker finished");
    assert!(app.optimize.proposal.is_none(), "taken");
    assert_eq!(app.session.scenario().name, "Balanced (optimizer)");
    assert_eq!(app.compare.as_ref().map(|c| c.reference), Some(baseline), "compare opens against the start");
    let balance = &app.session.metrics().balance;
    assert!(balance.max_deviation_pct <= 10.0, "{}", balance.max_deviation_pct);
    assert!(app.session.project().scenario(baseline).unwrap().name == "2026 alignment", "the start is kept");
    assert_eq!(app.session.undo_label(), Some("Optimizer proposal 'Balanced (optimizer)'"));
    harness.state_mut().undo();
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.session.active_id(), baseline, "undo takes the proposal away");
    assert!(app.session.project().scenario_by_name("Balanced (optimizer)").is_none());
    assert!(app.compare.is_none(), "the compare view of a removed scenario closes");
}

#[test]
fn a_local_rebalance_from_the_dialog_touches_only_the_highlighted_territory_and_neighbours() {
    let mut harness = harness();
    let pittsburgh = territory(&harness, "Pittsburgh & Western PA");
    harness.state_mut().highlight = Some(pittsburgh);
    harness.get_by_label("Optimize…").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Only Pittsburgh & Western PA and its").click();
    harness.run_steps(1);
    let scope = harness.state().optimize.form.as_ref().unwrap().only.clone().expect("local scope chosen");
    assert!(scope.len() >= 2 && scope[0] == pittsburgh);
    let before = harness.state().session.scenario().clone();
    harness.get_by_label("Propose balanced territories").click();
    step_until(&mut harness, |app| app.optimize.job.is_none());
    harness.run_steps(2);
    harness.get_by_label("Add as a new scenario").click();
    harness.run_steps(2);
    let after = harness.state().session.scenario();
    assert_ne!(after.id, before.id, "the proposal is a new scenario");
    for u in 0..before.unit_territory.len() {
        if before.unit_territory[u] != after.unit_territory[u] {
            assert!(scope.contains(&before.unit_territory[u].unwrap()) && scope.contains(&after.unit_territory[u].unwrap()));
        }
    }
}

#[test]
fn the_optimize_dialog_can_start_from_another_scenario() {
    let mut harness = harness();
    let proposal_2027 = harness.state().session.project().scenario_by_name("2027 proposal").unwrap().id;
    harness.get_by_label("Optimize…").click();
    harness.run_steps(2);
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Start from").click();
    harness.run_steps(2);
    harness.get_by_label("2027 proposal").click();
    harness.run_steps(2);
    assert_eq!(harness.state().optimize.form.as_ref().unwrap().start, proposal_2027);
    harness.get_by_label("Propose balanced territories").click();
    step_until(&mut harness, |app| app.optimize.job.is_none());
    harness.run_steps(2);
    harness.get_by_label("Add as a new scenario").click();
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.compare.as_ref().map(|c| c.reference), Some(proposal_2027), "compared against the chosen start");
    assert!(app.session.metrics().balance.max_deviation_pct <= 10.0);
}

#[test]
fn asking_for_fewer_territories_shows_and_lets_the_planner_choose_who_is_left_out() {
    let mut harness = harness();
    harness.get_by_label("Optimize…").click();
    harness.run_steps(2);
    let count = harness.state().session.scenario().territories.len();
    harness.state_mut().optimize.form.as_mut().unwrap().territories = count - 1;
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("chosen for you").is_some(), "the automatic choice is said");
    // Choose instead: the first territory with a rep.
    let (name, rep) = {
        let app = harness.state();
        let project = app.session.project();
        let t = app.session.scenario().territories.iter().find(|t| t.rep.is_some() && !t.locked).unwrap();
        (t.name.clone(), project.reps[t.rep.unwrap().index()].name.clone())
    };
    harness.get_by_label("Choose who is left out").click();
    harness.run_steps(2);
    harness.get_by_label(&format!("{name} ({rep})")).click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("chosen for you").is_none(), "the planner chose");
    harness.get_by_label("Propose balanced territories").click();
    step_until(&mut harness, |app| app.optimize.job.is_none());
    harness.run_steps(2);
    let proposal = harness.state().optimize.proposal.as_ref().expect("a proposal waits");
    assert_eq!(proposal.reps_without_territory, vec![rep.clone()]);
    assert!(harness.query_by_label_contains(&format!("Left without a territory: {rep}")).is_some());
    harness.get_by_label("Add as a new scenario").click();
    harness.run_steps(2);
    let scenario = harness.state().session.scenario();
    assert_eq!(scenario.territories.len(), count - 1);
    assert!(scenario.territories.iter().all(|t| t.name != name));
}
