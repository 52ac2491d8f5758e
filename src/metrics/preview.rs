//! What an assignment would move, shown while a lasso or rectangle is being drawn.

use crate::model::ids::{AccountId, TerritoryId, UnitId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use std::collections::BTreeSet;

/// Accounts whose territory would change, and their potential.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MovePreview {
    pub accounts: usize,
    pub potential: f64,
}

/// What assigning `units` (their accounts follow unless overridden) and `accounts` (as
/// overrides) to `target` would move.
pub fn would_move(project: &Project, scenario: &Scenario, units: &[UnitId], accounts: &[AccountId], target: TerritoryId) -> MovePreview {
    let mut moved = BTreeSet::new();
    for u in units {
        for a in project.accounts_in_unit(*u) {
            let account = &project.accounts[a.index()];
            if !scenario.account_overrides.contains_key(a) && scenario.account_territory(*a, account.unit) != Some(target) {
                moved.insert(*a);
            }
        }
    }
    for a in accounts {
        let Some(account) = project.accounts.get(a.index()) else { continue };
        if scenario.account_territory(*a, account.unit) != Some(target) {
            moved.insert(*a);
        }
    }
    let potential = moved.iter().map(|a| project.accounts[a.index()].potential).sum();
    MovePreview { accounts: moved.len(), potential }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn counts_accounts_that_change_territory_once() {
        let project = grid_project(6, 4, 0.1, 200, 3, 11);
        let scenario = &project.scenarios[0];
        let target = scenario.territories[0].id;
        let units: Vec<UnitId> = (0..24).map(UnitId).collect();
        let preview = would_move(&project, scenario, &units, &[AccountId(0), AccountId(1)], target);
        let expected: Vec<&crate::model::Account> =
            project.accounts.iter().filter(|a| scenario.account_territory(a.id, a.unit) != Some(target)).collect();
        assert_eq!(preview.accounts, expected.len());
        let potential: f64 = expected.iter().map(|a| a.potential).sum();
        assert!((preview.potential - potential).abs() < 1e-6);
        assert_eq!(would_move(&project, scenario, &[], &[], target), MovePreview::default());
    }
}
