//! Road drive times for the live metrics: every account and ZIP centre snapped once,
//! one search per rep home base (in parallel), kept per home base. Moving one home base
//! runs one new search; edits that move accounts between territories run none.

use super::search::{reach_from, Snap, Snapper};
use super::RoadNetwork;
use crate::drivetime::great_circle_km;
use crate::model::entities::LonLat;
use crate::model::project::Project;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

/// The farthest a search from a home base runs. Drives beyond it take the estimate.
pub const CUTOFF_HOURS: f64 = 5.0;
/// The reach of a search from a home base no territory has been measured for yet (a
/// home base moved in a what-if).
pub const DEFAULT_CUTOFF_HOURS: f64 = 3.0;
/// No road is faster than this: points farther than cut-off x this are not looked up.
const FASTEST_KMH: f64 = 130.0;

/// One-way (hours, km) from one home base to the accounts and ZIP centres it reaches.
#[derive(Debug, Default)]
pub struct HomeTimes {
    accounts: FxHashMap<u32, (f32, f32)>,
    units: FxHashMap<u32, (f32, f32)>,
}

impl HomeTimes {
    /// One-way (hours, km) by road to an account (by index), if reached.
    pub fn account(&self, account: usize) -> Option<(f64, f64)> {
        self.accounts.get(&(account as u32)).map(|(h, km)| (*h as f64, *km as f64))
    }

    /// One-way (hours, km) by road to a ZIP's centre (by index), if reached.
    pub fn unit(&self, unit: usize) -> Option<(f64, f64)> {
        self.units.get(&(unit as u32)).map(|(h, km)| (*h as f64, *km as f64))
    }
}

/// Road drive times of a project, for whichever home bases are asked about.
pub struct RoadTimes {
    network: Arc<RoadNetwork>,
    account_snaps: Vec<Option<Snap>>,
    account_points: Vec<LonLat>,
    unit_snaps: Vec<Option<Snap>>,
    unit_points: Vec<LonLat>,
    homes: RwLock<FxHashMap<(u64, u64), Arc<HomeTimes>>>,
    snapper: Snapper,
    /// What the legend and the report say about the model ("road network: FILE (date)").
    pub label: String,
}

impl std::fmt::Debug for RoadTimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoadTimes").field("label", &self.label).field("accounts", &self.account_snaps.len()).finish_non_exhaustive()
    }
}

fn key(p: LonLat) -> (u64, u64) {
    (p.lon.to_bits(), p.lat.to_bits())
}

impl RoadTimes {
    /// Snaps the project's accounts and ZIP centres to the network (in parallel).
    pub fn new(network: Arc<RoadNetwork>, project: &Project, label: String) -> Self {
        let snapper = Snapper::new(&network);
        let account_points: Vec<LonLat> = project.accounts.iter().map(|a| a.location).collect();
        let unit_points: Vec<LonLat> = project.units.iter().map(|u| u.centroid).collect();
        let account_snaps = account_points.par_iter().map(|p| snapper.snap(p.lon, p.lat)).collect();
        let unit_snaps = unit_points.par_iter().map(|p| snapper.snap(p.lon, p.lat)).collect();
        Self { network, account_snaps, account_points, unit_snaps, unit_points, homes: RwLock::new(FxHashMap::default()), snapper, label }
    }

    /// Accounts that lie on the network (within the snapping distance of a road).
    pub fn accounts_on_network(&self) -> usize {
        self.account_snaps.iter().filter(|s| s.is_some()).count()
    }

    /// Searches from every home base not searched yet, each as far as its cut-off
    /// (hours), in parallel; `progress` gets the share done and returns false to stop.
    pub fn prepare(&self, homes: &[(LonLat, f64)], progress: &mut dyn FnMut(f32) -> bool) {
        let missing: Vec<(LonLat, f64)> = {
            let known = self.homes.read().map(|h| h.keys().copied().collect::<std::collections::HashSet<_>>()).unwrap_or_default();
            let mut seen = std::collections::HashSet::new();
            homes.iter().copied().filter(|(h, _)| !known.contains(&key(*h)) && seen.insert(key(*h))).collect()
        };
        // In chunks, so that progress is reported and a cancel is heard between them.
        let chunk = rayon::current_num_threads().max(1) * 2;
        for (i, part) in missing.chunks(chunk).enumerate() {
            if !progress((i * chunk) as f32 / missing.len().max(1) as f32) {
                return;
            }
            let done: Vec<(LonLat, HomeTimes)> = part.par_iter().map(|(h, cutoff)| (*h, self.search(*h, *cutoff))).collect();
            if let Ok(mut homes) = self.homes.write() {
                for (h, times) in done {
                    homes.insert(key(h), Arc::new(times));
                }
            }
        }
        progress(1.0);
    }

    /// Whether a home base has been searched from already.
    pub fn has_home(&self, home: LonLat) -> bool {
        self.homes.read().is_ok_and(|h| h.contains_key(&key(home)))
    }

    /// The times from a home base: searched now if it was not yet (a moved home base).
    pub fn home(&self, home: LonLat) -> Arc<HomeTimes> {
        if let Some(found) = self.homes.read().ok().and_then(|h| h.get(&key(home)).cloned()) {
            return found;
        }
        let times = Arc::new(self.search(home, DEFAULT_CUTOFF_HOURS));
        if let Ok(mut homes) = self.homes.write() {
            homes.insert(key(home), Arc::clone(&times));
        }
        times
    }

    /// The quickest route from a home base to an account (by index), as lon/lat points
    /// from the home to the account; `None` where either is off the network or the
    /// account cannot be reached.
    pub fn route(&self, home: LonLat, account: usize) -> Option<Vec<LonLat>> {
        let start = self.snapper.snap(home.lon, home.lat)?;
        let end = self.account_snaps.get(account).copied().flatten()?;
        let (junctions, _) = super::search::route(&self.network, &start, &end)?;
        let mut points = vec![home];
        points.extend(junctions.iter().map(|n| {
            let p = self.network.nodes[*n as usize];
            LonLat::new(p[0], p[1])
        }));
        points.push(*self.account_points.get(account)?);
        Some(points)
    }

    fn search(&self, home: LonLat, cutoff_hours: f64) -> HomeTimes {
        let mut out = HomeTimes::default();
        let Some(start) = self.snapper.snap(home.lon, home.lat) else { return out };
        let cutoff_hours = cutoff_hours.clamp(0.25, CUTOFF_HOURS);
        let reach = reach_from(&self.network, &start, cutoff_hours * 3600.0);
        let radius_km = cutoff_hours * FASTEST_KMH;
        let collect = |points: &[LonLat], snaps: &[Option<Snap>], into: &mut FxHashMap<u32, (f32, f32)>| {
            for (i, (p, snap)) in points.iter().zip(snaps).enumerate() {
                let Some(snap) = snap else { continue };
                if great_circle_km(home, *p) > radius_km {
                    continue;
                }
                if let Some((seconds, km)) = reach.to(&self.network, snap).filter(|(s, _)| *s <= cutoff_hours * 3600.0) {
                    into.insert(i as u32, ((seconds / 3600.0) as f32, km as f32));
                }
            }
        };
        collect(&self.account_points, &self.account_snaps, &mut out.accounts);
        collect(&self.unit_points, &self.unit_snaps, &mut out.units);
        out
    }
}

/// The road times of a project whose network is kept beside its file, with every rep's
/// home base searched; `None` when the project has no network.
pub fn for_project(project: &Project, project_path: &std::path::Path) -> Result<Option<Arc<RoadTimes>>, super::RoadError> {
    let Some(network) = RoadNetwork::of_project(project, project_path)? else { return Ok(None) };
    let label = project.road_network.as_ref().map(crate::model::project::RoadNetworkInfo::label).unwrap_or_default();
    let times = RoadTimes::new(Arc::new(network), project, label);
    times.prepare(&search_reach(project), &mut |_| true);
    Ok(Some(Arc::new(times)))
}

/// Each rep's home base and how far to search from it: a quarter beyond the farthest
/// account (by the estimate) of the rep's territories in any scenario, plus half an
/// hour, so that accounts moved to a neighbour's territory are still reached; the
/// whole cut-off for a rep with no accounts yet.
pub fn search_reach(project: &Project) -> Vec<(LonLat, f64)> {
    let estimate = crate::drivetime::DistanceEstimate::new(project.settings.drive);
    let density = estimate.unit_densities(project);
    let mut farthest = vec![0.0f64; project.reps.len()];
    for scenario in &project.scenarios {
        let rep_of: FxHashMap<_, _> = scenario.territories.iter().filter_map(|t| Some((t.id, t.rep?.index()))).collect();
        for a in &project.accounts {
            let Some(rep) = scenario.account_territory(a.id, a.unit).and_then(|t| rep_of.get(&t).copied()) else { continue };
            let (Some(home), Some(slot)) = (project.reps.get(rep).map(|r| r.home), farthest.get_mut(rep)) else { continue };
            let d = crate::drivetime::account_density(&density, a);
            *slot = slot.max(crate::drivetime::DriveTimeModel::one_way_hours(&estimate, home, a.location, d));
        }
    }
    project.reps.iter().zip(farthest).map(|(r, h)| (r.home, if h > 0.0 { (h * 1.25 + 0.5).min(CUTOFF_HOURS) } else { CUTOFF_HOURS })).collect()
}
