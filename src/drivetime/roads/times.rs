//! Drive times of a scenario's accounts from the reps who serve them: on the road
//! network where the account and the home base snap to it and the search reaches it,
//! else by the distance estimate, and said which.

use super::search::{reach_from, Snapper};
use super::RoadNetwork;
use crate::drivetime::{DistanceEstimate, DriveTimeModel};
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use rayon::prelude::*;

/// Where a drive time came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Road,
    /// Off the network's extent (or not reached): the distance estimate.
    Estimate,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Road => "road",
            Source::Estimate => "estimate",
        }
    }
}

/// One account's one-way drive from its rep's home base.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccountDrive {
    pub km: f64,
    pub minutes: f64,
    pub source: Source,
}

/// How long a search from a home base runs before the rest is estimated: far beyond
/// any territory a rep drives.
pub const SEARCH_CUTOFF_HOURS: f64 = 12.0;

/// The drive of every account (by index) from the rep of its territory; `None` for
/// accounts in no territory or in one without a rep. With no network, every time is
/// the estimate. Territories are searched in parallel.
pub fn account_drives(project: &Project, scenario: &Scenario, network: Option<(&RoadNetwork, &Snapper)>) -> Vec<Option<AccountDrive>> {
    let estimate = DistanceEstimate::new(project.settings.drive);
    let density = estimate.unit_densities(project);
    let snaps: Vec<_> = match network {
        Some((_, snapper)) => project.accounts.par_iter().map(|a| snapper.snap(a.location.lon, a.location.lat)).collect(),
        None => vec![None; project.accounts.len()],
    };
    let mut members: std::collections::HashMap<TerritoryId, Vec<usize>> = std::collections::HashMap::new();
    for (i, a) in project.accounts.iter().enumerate() {
        if let Some(t) = scenario.account_territory(a.id, a.unit) {
            members.entry(t).or_default().push(i);
        }
    }
    let per_territory: Vec<Vec<(usize, AccountDrive)>> = scenario
        .territories
        .par_iter()
        .filter_map(|t| {
            let home = project.reps.get(t.rep?.index())?.home;
            let accounts = members.get(&t.id)?;
            let reach = network.and_then(|(g, snapper)| snapper.snap(home.lon, home.lat).map(|s| (g, reach_from(g, &s, SEARCH_CUTOFF_HOURS * 3600.0))));
            Some(
                accounts
                    .iter()
                    .map(|&i| {
                        let a = &project.accounts[i];
                        let road = reach.as_ref().zip(snaps[i].as_ref()).and_then(|((g, r), snap)| r.to(g, snap));
                        let drive = match road {
                            Some((seconds, km)) => AccountDrive { km, minutes: seconds / 60.0, source: Source::Road },
                            None => {
                                let d = crate::drivetime::account_density(&density, a);
                                AccountDrive { km: estimate.road_km(home, a.location), minutes: estimate.one_way_hours(home, a.location, d) * 60.0, source: Source::Estimate }
                            }
                        };
                        (i, drive)
                    })
                    .collect(),
            )
        })
        .collect();
    let mut out = vec![None; project.accounts.len()];
    for (i, drive) in per_territory.into_iter().flatten() {
        out[i] = Some(drive);
    }
    out
}
