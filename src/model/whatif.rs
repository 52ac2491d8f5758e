//! What-if edits built from the basic commands, so each is one undoable step.

use super::command::{Command, CommandError};
use super::entities::{LonLat, Rep, RepRole, Rgb};
use super::ids::{RepId, TerritoryId, UnitId};
use super::project::Project;
use super::scenario::Scenario;
use std::collections::HashMap;

/// "A rep leaves": every ZIP of `leaving` goes to an adjacent territory, growing inward
/// from the border; each ZIP goes to the adjacent territory with the least potential so
/// far, which keeps the result as balanced as the geography allows. Locked territories
/// receive nothing. ZIPs with no path to another territory (islands) go to the territory
/// with the least potential. The emptied territory is removed and overrides to it are
/// cleared (the accounts follow their ZIPs).
pub fn hand_off_territory(project: &Project, scenario: &Scenario, leaving: TerritoryId, neighbours: &[Vec<u32>]) -> Result<Command, CommandError> {
    let territory = scenario.territory(leaving).ok_or(CommandError::NoSuchTerritory(leaving.0))?;
    if territory.locked {
        return Err(CommandError::Locked(territory.name.clone()));
    }
    let receivers: Vec<TerritoryId> = scenario.territories.iter().filter(|t| t.id != leaving && !t.locked).map(|t| t.id).collect();
    if receivers.is_empty() {
        return Err(CommandError::NoReceiver);
    }
    let unit_potential = |u: usize| -> f64 {
        project
            .accounts_in_unit(UnitId(u as u32))
            .iter()
            .filter(|a| !scenario.account_overrides.contains_key(a))
            .map(|a| project.accounts[a.index()].potential)
            .sum()
    };
    let mut load: HashMap<TerritoryId, f64> = receivers.iter().map(|t| (*t, 0.0)).collect();
    for (u, t) in scenario.unit_territory.iter().enumerate() {
        if let Some(sum) = t.and_then(|t| load.get_mut(&t)) {
            *sum += unit_potential(u);
        }
    }
    let mut owner: Vec<Option<TerritoryId>> = scenario.unit_territory.clone();
    let mut pending: Vec<usize> = (0..owner.len()).filter(|u| owner[*u] == Some(leaving)).collect();
    let mut moves: Vec<(UnitId, Option<TerritoryId>)> = Vec::with_capacity(pending.len());
    // One ring of the border per pass: a ZIP is decided once a neighbour has been.
    while !pending.is_empty() {
        let mut decided = Vec::new();
        let mut still = Vec::new();
        for &u in &pending {
            let best = neighbours
                .get(u)
                .into_iter()
                .flatten()
                .filter_map(|n| owner[*n as usize].filter(|t| load.contains_key(t)))
                .min_by(|a, b| load[a].total_cmp(&load[b]).then(a.cmp(b)));
            match best {
                Some(t) => decided.push((u, t)),
                None => still.push(u),
            }
        }
        if decided.is_empty() {
            break;
        }
        for (u, t) in decided {
            owner[u] = Some(t);
            *load.get_mut(&t).expect("receivers have a load") += unit_potential(u);
            moves.push((UnitId(u as u32), Some(t)));
        }
        pending = still;
    }
    for u in pending {
        let t = *receivers.iter().min_by(|a, b| load[a].total_cmp(&load[b]).then(a.cmp(b))).expect("receivers is not empty");
        *load.get_mut(&t).expect("receivers have a load") += unit_potential(u);
        moves.push((UnitId(u as u32), Some(t)));
    }
    let overrides = scenario.account_overrides.iter().filter(|(_, t)| **t == leaving).map(|(a, _)| (*a, None)).collect();
    Ok(Command::Batch {
        label: format!("Hand off {} to its neighbours", territory.name),
        commands: vec![
            Command::SetUnitTerritories(moves),
            Command::SetAccountOverrides(overrides),
            Command::RemoveTerritory { id: leaving, next_territory_id: scenario.next_territory_id },
        ],
    })
}

/// A new rep with a home base, and an empty territory of their own, as one step.
/// Returns the command and the new territory's id.
pub fn add_rep_with_territory(project: &Project, scenario: &Scenario, home: LonLat, color: Rgb) -> (Command, TerritoryId) {
    let n = project.reps.len() + 1;
    let rep = Rep {
        id: RepId(project.reps.len() as u32),
        name: format!("New rep {n}"),
        home,
        capacity_hours: project.settings.default_capacity_hours,
        experience: project.settings.junior_experience,
        role: RepRole::Hunter,
        region: None,
    };
    let territory_name = format!("Territory {}", scenario.territories.len() + 1);
    let (create, id) = Command::create_territory(scenario, territory_name, color, Some(rep.id));
    let label = format!("Add {} with a territory", rep.name);
    (Command::Batch { label, commands: vec![Command::AddRep { rep: Box::new(rep) }, create] }, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{grid_neighbours, grid_project};
    use crate::metrics::ScenarioMetrics;

    #[test]
    fn a_hand_off_leaves_nothing_unassigned_and_undoes_exactly() {
        let mut project = grid_project(8, 6, 0.1, 150, 4, 9);
        let id = project.scenarios[0].id;
        let before = project.scenarios[0].clone();
        let leaving = before.territories[1].id;
        let command = hand_off_territory(&project, &before, leaving, &grid_neighbours(8, 6)).unwrap();
        let applied = project.apply_command(id, command).unwrap();
        let after = project.scenario(id).unwrap();
        assert!(after.territory(leaving).is_none());
        assert!(after.unit_territory.iter().all(|t| t.is_some()), "no ZIP is left unassigned");
        assert!(project.accounts.iter().all(|a| after.account_territory(a.id, a.unit).is_some()), "no account without a territory");
        let metrics = ScenarioMetrics::compute(&project, after);
        assert_eq!(metrics.territories.len(), 3);
        project.apply_command(id, applied.inverse).unwrap();
        assert_eq!(project.scenario(id).unwrap(), &before);
    }

    #[test]
    fn adding_a_rep_and_moving_a_home_base_are_undoable_and_move_drive_times() {
        let mut project = grid_project(8, 6, 0.1, 150, 4, 9);
        let id = project.scenarios[0].id;
        let before = project.clone();
        let (command, territory) = add_rep_with_territory(&project, &project.scenarios[0], LonLat::new(-77.7, 40.3), Rgb(1, 2, 3));
        let added = project.apply_command(id, command).unwrap();
        assert_eq!(project.reps.len(), before.reps.len() + 1);
        assert_eq!(project.scenarios[0].territory(territory).unwrap().rep, Some(RepId(before.reps.len() as u32)));
        project.apply_command(id, added.inverse).unwrap();
        assert_eq!(project, before, "undo removes both the territory and the rep");

        let t = project.scenarios[0].territories[0].clone();
        let rep = t.rep.unwrap();
        let drive = |p: &Project| ScenarioMetrics::compute(p, &p.scenarios[0]).territory(t.id).unwrap().drive_hours;
        let near = drive(&project);
        let far_home = LonLat::new(project.reps[rep.index()].home.lon + 3.0, project.reps[rep.index()].home.lat);
        let moved = project.apply_command(id, Command::SetRepHome { rep, home: far_home }).unwrap();
        assert!(drive(&project) > near, "a home base 3 degrees away means more driving");
        project.apply_command(id, moved.inverse).unwrap();
        assert_eq!(drive(&project), near);
        assert!(project.apply_command(id, Command::SetRepHome { rep, home: LonLat::new(f64::NAN, 0.0) }).is_err());
    }

    #[test]
    fn a_locked_territory_cannot_be_handed_off() {
        let mut project = grid_project(4, 4, 0.1, 20, 2, 1);
        let leaving = project.scenarios[0].territories[0].id;
        project.scenarios[0].territory_mut(leaving).unwrap().locked = true;
        let err = hand_off_territory(&project, &project.scenarios[0], leaving, &grid_neighbours(4, 4)).unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
    }
}
