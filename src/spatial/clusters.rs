//! Accounts grouped, per zoom, into cells a few dozen pixels wide: where thousands of
//! accounts are in view, the map draws one circle per cell instead of a carpet of
//! dots. The cells of a zoom are exactly four cells of the next, so one sort of the
//! accounts along a Z-order curve at the finest zoom makes every cell of every zoom a
//! contiguous run of that one order.

use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;

/// Zooms at which accounts may be clustered; closer in they are always drawn one by one.
pub const MAX_CLUSTER_ZOOM: usize = 14;
/// Width of a cluster cell in pixels.
pub const CLUSTER_CELL_PX: f64 = 36.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// The mean position of its accounts (mercator).
    pub centre: [f64; 2],
    pub count: u32,
    pub potential: f64,
    /// Its accounts: a range of `AccountClusters::members`.
    pub members: std::ops::Range<u32>,
}

/// The clusters of one zoom.
pub struct ClusterLevel {
    pub clusters: Vec<Cluster>,
    /// Accounts in the largest cluster (circles are sized against it).
    pub max_count: u32,
    /// The cluster of each account, by account index.
    pub cluster_of: Vec<u32>,
}

pub struct AccountClusters {
    /// Account indices in Z-order of their finest cell.
    pub members: Vec<u32>,
    /// Per zoom, 0..=MAX_CLUSTER_ZOOM.
    levels: Vec<ClusterLevel>,
}

/// Interleaves the bits of x and y (x in the even bits).
fn morton(x: u32, y: u32) -> u64 {
    let spread = |v: u32| {
        let mut v = v as u64;
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        v = (v | (v << 1)) & 0x5555_5555_5555_5555;
        v
    };
    spread(x) | (spread(y) << 1)
}

/// The cell of a mercator point at the finest zoom (mercator coordinates lie in 0..1).
fn finest_cell(p: [f64; 2]) -> (u32, u32) {
    let per_unit = 256.0 * 2f64.powi(MAX_CLUSTER_ZOOM as i32) / CLUSTER_CELL_PX;
    let clamp = |v: f64| (v.clamp(0.0, 1.0) * per_unit).floor().min(u32::MAX as f64) as u32;
    (clamp(p[0]), clamp(p[1]))
}

impl AccountClusters {
    /// `points`: each account in mercator units; `potentials`: each account's potential.
    pub fn new(points: &[[f64; 2]], potentials: &[f64]) -> Self {
        let codes: Vec<u64> = points.iter().map(|p| {
            let (x, y) = finest_cell(*p);
            morton(x, y)
        }).collect();
        let mut members: Vec<u32> = (0..points.len() as u32).collect();
        members.sort_unstable_by_key(|i| (codes[*i as usize], *i));
        let levels = (0..=MAX_CLUSTER_ZOOM)
            .map(|zoom| {
                // A cell at `zoom` is the finest cells sharing the top bits of the code.
                let shift = 2 * (MAX_CLUSTER_ZOOM - zoom) as u32;
                let mut clusters = Vec::new();
                let mut cluster_of = vec![0u32; points.len()];
                let mut start = 0usize;
                while start < members.len() {
                    let key = codes[members[start] as usize] >> shift;
                    let mut end = start;
                    let (mut sx, mut sy, mut potential) = (0.0, 0.0, 0.0);
                    while end < members.len() && codes[members[end] as usize] >> shift == key {
                        let i = members[end] as usize;
                        sx += points[i][0];
                        sy += points[i][1];
                        potential += potentials.get(i).copied().unwrap_or(0.0);
                        cluster_of[i] = clusters.len() as u32;
                        end += 1;
                    }
                    let count = (end - start) as u32;
                    clusters.push(Cluster { centre: [sx / count as f64, sy / count as f64], count, potential, members: start as u32..end as u32 });
                    start = end;
                }
                let max_count = clusters.iter().map(|c| c.count).max().unwrap_or(1);
                ClusterLevel { clusters, max_count, cluster_of }
            })
            .collect();
        Self { members, levels }
    }

    /// The clusters at an integer zoom (`None` past the last clustered zoom).
    pub fn level(&self, zoom: usize) -> Option<&ClusterLevel> {
        self.levels.get(zoom)
    }

    /// The accounts of a cluster.
    pub fn members_of(&self, cluster: &Cluster) -> &[u32] {
        &self.members[cluster.members.start as usize..cluster.members.end as usize]
    }

    /// The territory holding most of a cluster's potential in a scenario.
    pub fn main_territory(&self, cluster: &Cluster, project: &Project, scenario: &Scenario) -> Option<TerritoryId> {
        let mut weights: Vec<(Option<TerritoryId>, f64)> = Vec::with_capacity(4);
        for &a in self.members_of(cluster) {
            let Some(account) = project.accounts.get(a as usize) else { continue };
            let t = scenario.account_territory(account.id, account.unit);
            let w = account.potential.max(0.0) + 1e-9;
            match weights.iter_mut().find(|(x, _)| *x == t) {
                Some(entry) => entry.1 += w,
                None => weights.push((t, w)),
            }
        }
        weights.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)).and_then(|w| w.0)
    }

    /// The main territory of every cluster of a zoom.
    pub fn main_territories(&self, zoom: usize, project: &Project, scenario: &Scenario) -> Vec<Option<TerritoryId>> {
        self.level(zoom).map_or_else(Vec::new, |level| level.clusters.iter().map(|c| self.main_territory(c, project, scenario)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;
    use crate::spatial::mercator::to_mercator;

    #[test]
    fn each_zoom_partitions_the_accounts_and_coarser_cells_hold_finer_ones() {
        let project = grid_project(12, 8, 0.2, 2_000, 4, 5);
        let points: Vec<[f64; 2]> = project.accounts.iter().map(|a| to_mercator(a.location.lon, a.location.lat)).collect();
        let potentials: Vec<f64> = project.accounts.iter().map(|a| a.potential).collect();
        let clusters = AccountClusters::new(&points, &potentials);
        let mut previous = usize::MAX;
        for zoom in 0..=MAX_CLUSTER_ZOOM {
            let level = clusters.level(zoom).unwrap();
            assert_eq!(level.clusters.iter().map(|c| c.count as usize).sum::<usize>(), 2_000);
            assert!(level.clusters.len() >= previous.min(level.clusters.len()));
            assert!(previous == usize::MAX || level.clusters.len() >= previous, "finer zooms have more cells");
            previous = level.clusters.len();
            for (i, c) in level.clusters.iter().enumerate() {
                for a in clusters.members_of(c) {
                    assert_eq!(level.cluster_of[*a as usize], i as u32);
                }
            }
        }
        // Two accounts in one cell at a zoom stay together at every coarser zoom.
        let fine = clusters.level(8).unwrap();
        let coarse = clusters.level(5).unwrap();
        for c in &fine.clusters {
            let members = clusters.members_of(c);
            let first = coarse.cluster_of[members[0] as usize];
            assert!(members.iter().all(|a| coarse.cluster_of[*a as usize] == first));
        }
        assert_eq!(clusters.main_territories(3, &project, &project.scenarios[0]).len(), clusters.level(3).unwrap().clusters.len());
    }
}
