//! Property tests: applying then undoing restores the scenario exactly, redo replays it,
//! and incrementally updated metrics equal a full recompute after any command sequence.

use proptest::prelude::*;
use territory_designer::fixtures::{grid_neighbours, grid_project};
use territory_designer::metrics::{ScenarioMetrics, TerritoryMetrics};
use territory_designer::model::*;
use territory_designer::session::Session;

/// An edit described by indices, turned into a command against the current scenario.
#[derive(Clone, Debug)]
enum Op {
    AssignUnits(Vec<usize>, usize),
    UnassignUnits(Vec<usize>),
    AssignAccounts(Vec<usize>, usize),
    ClearOverrides(Vec<usize>),
    Create,
    Delete(usize),
    Rename(usize),
    Recolor(usize, u8),
    SetRep(usize, Option<usize>),
    Lock(usize, bool),
    MoveHome(usize, i8, i8),
    HandOff(usize),
    // Edits of the set of scenarios.
    DuplicateScenario,
    BlankScenario,
    DeleteActiveScenario,
    RenameScenario(u8),
    SetBaseline,
}

fn op() -> impl Strategy<Value = Op> {
    let units = prop::collection::vec(0usize..48, 1..12);
    let accounts = prop::collection::vec(0usize..150, 1..8);
    prop_oneof![
        4 => (units.clone(), 0usize..8).prop_map(|(u, t)| Op::AssignUnits(u, t)),
        1 => units.prop_map(Op::UnassignUnits),
        2 => (accounts.clone(), 0usize..8).prop_map(|(a, t)| Op::AssignAccounts(a, t)),
        1 => accounts.prop_map(Op::ClearOverrides),
        1 => Just(Op::Create),
        1 => (0usize..8).prop_map(Op::Delete),
        1 => (0usize..8).prop_map(Op::Rename),
        1 => (0usize..8, any::<u8>()).prop_map(|(t, c)| Op::Recolor(t, c)),
        2 => (0usize..8, prop::option::of(0usize..5)).prop_map(|(t, r)| Op::SetRep(t, r)),
        1 => (0usize..8, any::<bool>()).prop_map(|(t, l)| Op::Lock(t, l)),
        1 => (0usize..5, any::<i8>(), any::<i8>()).prop_map(|(r, x, y)| Op::MoveHome(r, x, y)),
        1 => (0usize..8).prop_map(Op::HandOff),
        1 => Just(Op::DuplicateScenario),
        1 => Just(Op::BlankScenario),
        1 => Just(Op::DeleteActiveScenario),
        1 => any::<u8>().prop_map(Op::RenameScenario),
        1 => Just(Op::SetBaseline),
    ]
}

fn to_command(op: &Op, session: &Session) -> Option<Command> {
    let scenario = session.scenario();
    let territory = |i: usize| scenario.territories.get(i % scenario.territories.len().max(1)).map(|t| t.id);
    let units = |list: &[usize]| list.iter().map(|u| UnitId(*u as u32)).collect::<Vec<_>>();
    let accounts = |list: &[usize]| list.iter().map(|a| AccountId(*a as u32)).collect::<Vec<_>>();
    Some(match op {
        Op::AssignUnits(u, t) => Command::assign_units(units(u), Some(territory(*t)?)),
        Op::UnassignUnits(u) => Command::assign_units(units(u), None),
        Op::AssignAccounts(a, t) => Command::assign_accounts(accounts(a), territory(*t)?),
        Op::ClearOverrides(a) => Command::clear_overrides(accounts(a)),
        Op::Create => Command::create_territory(scenario, "New", Rgb(1, 2, 3), None).0,
        Op::Delete(t) => Command::delete_territory(scenario, territory(*t)?),
        Op::Rename(t) => Command::rename_territory(territory(*t)?, "Renamed"),
        Op::Recolor(t, c) => Command::recolor_territory(territory(*t)?, Rgb(*c, 0, 0)),
        Op::SetRep(t, r) => Command::set_territory_rep(territory(*t)?, r.map(|r| RepId(r as u32))),
        Op::Lock(t, l) => Command::set_locked(territory(*t)?, *l),
        Op::MoveHome(r, x, y) => {
            let home = session.project().reps.get(*r)?.home;
            Command::SetRepHome { rep: RepId(*r as u32), home: LonLat::new(home.lon + *x as f64 / 200.0, home.lat + *y as f64 / 200.0) }
        }
        Op::HandOff(t) => {
            territory_designer::model::whatif::hand_off_territory(session.project(), scenario, territory(*t)?, &grid_neighbours(8, 6)).ok()?
        }
        Op::DuplicateScenario => {
            let name = session.project().copy_name(&scenario.name);
            Command::add_scenario("Duplicate", session.project().scenario_copy(scenario.id, &name).ok()?)
        }
        Op::BlankScenario => {
            let name = session.project().unused_scenario_name("Blank");
            Command::add_scenario("New", session.project().blank_scenario(&name, &[Rgb(9, 9, 9)]).ok()?)
        }
        Op::DeleteActiveScenario => Command::remove_scenario(scenario.id),
        Op::RenameScenario(n) => Command::rename_scenario(scenario.id, format!("Plan {}", n % 4)),
        Op::SetBaseline => Command::set_baseline(scenario.id),
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-7 * (1.0 + a.abs().max(b.abs()))
}

fn assert_metrics_match(live: &[TerritoryMetrics], full: &[TerritoryMetrics]) -> Result<(), TestCaseError> {
    prop_assert_eq!(live.len(), full.len());
    for (l, f) in live.iter().zip(full) {
        prop_assert_eq!(l.id, f.id);
        prop_assert_eq!(l.units, f.units);
        prop_assert_eq!(l.accounts, f.accounts);
        for (name, x, y) in [
            ("tier_weighted", l.tier_weighted_accounts, f.tier_weighted_accounts),
            ("potential", l.potential, f.potential),
            ("revenue", l.revenue, f.revenue),
            ("visit_hours", l.visit_hours, f.visit_hours),
            ("drive_hours", l.drive_hours, f.drive_hours),
            ("workload", l.workload, f.workload),
            ("workload_index", l.workload_index, f.workload_index),
            ("deviation_pct", l.deviation_pct, f.deviation_pct),
        ] {
            prop_assert!(close(x, y), "{} of {:?}: incremental {} vs full {}", name, l.id, x, y);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn undo_restores_and_metrics_stay_exact(ops in prop::collection::vec(op(), 1..40)) {
        let project = grid_project(8, 6, 0.1, 150, 5, 7);
        let initial = project.scenarios[0].clone();
        let initial_reps = project.reps.clone();
        let initial_project = project.clone();
        let mut session = Session::new(project);
        let mut applied = 0usize;
        for op in &ops {
            let Some(cmd) = to_command(op, &session) else { continue };
            let before = session.project().clone();
            match session.execute(cmd) {
                Ok(_) => applied += 1,
                // A refused command (locked, not empty, the last scenario...) must
                // change nothing.
                Err(_) => prop_assert_eq!(&before, session.project()),
            }
            let full = ScenarioMetrics::compute(session.project(), session.scenario());
            assert_metrics_match(&session.metrics().territories, &full.territories)?;
            prop_assert!(close(session.metrics().balance.gini_potential, full.balance.gini_potential));
        }
        let after = session.project().clone();
        let after_active = session.active_id();
        for _ in 0..applied {
            prop_assert!(session.undo().expect("undo succeeds").is_some());
        }
        prop_assert!(session.undo().expect("nothing left").is_none());
        prop_assert_eq!(&initial, session.scenario());
        prop_assert_eq!(&initial_reps, &session.project().reps);
        prop_assert_eq!(&initial_project.scenarios, &session.project().scenarios);
        prop_assert_eq!(initial_project.baseline, session.project().baseline);
        let full = ScenarioMetrics::compute(session.project(), session.scenario());
        assert_metrics_match(&session.metrics().territories, &full.territories)?;
        for _ in 0..applied {
            prop_assert!(session.redo().expect("redo succeeds").is_some());
        }
        prop_assert_eq!(after_active, session.active_id());
        prop_assert_eq!(&after.scenarios, &session.project().scenarios);
        prop_assert_eq!(after.baseline, session.project().baseline);
        let full = ScenarioMetrics::compute(session.project(), session.scenario());
        assert_metrics_match(&session.metrics().territories, &full.territories)?;
    }
}

#[test]
fn locked_territory_refuses_edits_and_the_scenario_is_unchanged() {
    let project = grid_project(4, 4, 0.1, 40, 2, 1);
    let mut session = Session::new(project);
    let (t0, t1) = (session.scenario().territories[0].id, session.scenario().territories[1].id);
    session.execute(Command::set_locked(t1, true)).unwrap();
    let before = session.scenario().clone();
    // Unit 3 (column 3) belongs to T1, which is locked: moving it out is refused.
    let err = session.execute(Command::assign_units([UnitId(0), UnitId(3)], Some(t0))).unwrap_err();
    assert!(matches!(err, CommandError::Locked(ref name) if name == "T1"), "{err}");
    assert!(err.to_string().contains("locked"));
    // Moving into it is refused too, and so is deleting it.
    assert!(session.execute(Command::assign_units([UnitId(0)], Some(t1))).is_err());
    assert!(session.execute(Command::delete_territory(session.scenario(), t1)).is_err());
    assert_eq!(&before, session.scenario());
    // Unlocked, the same edit goes through as one undo step.
    session.execute(Command::set_locked(t1, false)).unwrap();
    session.execute(Command::assign_units([UnitId(0), UnitId(3)], Some(t0))).unwrap();
    assert_eq!(session.scenario().unit_territory(UnitId(3)), Some(t0));
    assert_eq!(session.undo_label(), Some("Assign 2 ZIPs to T0"));
    session.undo().unwrap();
    assert_eq!(session.scenario().unit_territory(UnitId(3)), Some(t1));
}

#[test]
fn overrides_win_over_units_and_clear_back() {
    let project = grid_project(4, 4, 0.1, 40, 2, 3);
    let mut session = Session::new(project);
    let t1 = session.scenario().territories[1].id;
    let account = session.project().accounts.iter().find(|a| session.scenario().account_territory(a.id, a.unit) != Some(t1)).unwrap().id;
    let before_t1 = session.metrics().territory(t1).unwrap().accounts;
    session.execute(Command::assign_accounts([account], t1)).unwrap();
    assert_eq!(session.metrics().territory(t1).unwrap().accounts, before_t1 + 1);
    // Moving the account's unit does not move the overridden account.
    let unit = session.project().accounts[account.index()].unit.unwrap();
    let t0 = session.scenario().territories[0].id;
    session.execute(Command::assign_units([unit], Some(t0))).unwrap();
    assert_eq!(session.scenario().account_territory(account, Some(unit)), Some(t1));
    session.execute(Command::clear_overrides([account])).unwrap();
    assert_eq!(session.scenario().account_territory(account, Some(unit)), Some(t0));
}

#[test]
fn a_gesture_group_is_one_undo_step() {
    let project = grid_project(6, 4, 0.1, 60, 3, 5);
    let mut session = Session::new(project);
    let initial = session.scenario().clone();
    let t0 = session.scenario().territories[0].id;
    session.begin_group("Paint ZIPs");
    for u in [5u32, 11, 17, 5, 23] {
        session.execute(Command::assign_units([UnitId(u)], Some(t0))).unwrap();
    }
    assert!(session.end_group());
    assert_eq!(session.undo_label(), Some("Paint ZIPs"));
    session.undo().unwrap();
    assert_eq!(&initial, session.scenario());
    assert!(session.undo().unwrap().is_none(), "the stroke was one step");
    session.redo().unwrap();
    assert_eq!(session.scenario().unit_territory(UnitId(23)), Some(t0));
}
