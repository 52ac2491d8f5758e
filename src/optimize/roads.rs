//! Distances by road for the optimizer: from each rep's home base to every unit's
//! centre, so that territories grow along roads (around a bay, not across it).

use crate::drivetime::roads::cache::RoadTimes;
use crate::model::entities::LonLat;

/// Road km from each territory's centre (its rep's home base) to each unit, where the
/// road search reached; a territory without a rep has none. Units are those of one
/// problem, territories its positions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoadKm {
    /// Per territory: km per unit (NaN: not reached), or empty for none.
    by_territory: Vec<Vec<f32>>,
    /// What a straight line is multiplied by where the road was not reached (the
    /// estimate's circuity), so that both kinds of figure compare.
    pub circuity: f64,
}

impl RoadKm {
    /// `by_territory[t][u]`: road km from territory t's centre to unit u (NaN where not
    /// reached; an empty list for a territory without one).
    pub fn new(by_territory: Vec<Vec<f32>>, circuity: f64) -> Self {
        Self { by_territory, circuity }
    }

    /// From the road times of a project: `homes` per territory position, `units` the
    /// project unit index of each problem unit.
    pub fn from_times(times: &RoadTimes, homes: &[Option<LonLat>], units: &[usize], circuity: f64) -> Self {
        let by_territory = homes
            .iter()
            .map(|home| match home {
                Some(h) => {
                    let from = times.home(*h);
                    units.iter().map(|u| from.unit(*u).map_or(f32::NAN, |(_, km)| km as f32)).collect()
                }
                None => Vec::new(),
            })
            .collect();
        Self::new(by_territory, circuity)
    }

    /// Road km from territory `t`'s centre to unit `u`, if the road reached it.
    pub fn get(&self, t: usize, u: usize) -> Option<f64> {
        self.by_territory.get(t).and_then(|r| r.get(u)).filter(|km| km.is_finite()).map(|km| *km as f64)
    }

    /// The same figures for a sub-problem: `units` and `territories` of this one, in
    /// the sub-problem's order.
    pub fn subset(&self, units: &[usize], territories: &[u32]) -> Self {
        let by_territory = territories
            .iter()
            .map(|t| match self.by_territory.get(*t as usize) {
                Some(r) if !r.is_empty() => units.iter().map(|u| r.get(*u).copied().unwrap_or(f32::NAN)).collect(),
                _ => Vec::new(),
            })
            .collect();
        Self { by_territory, circuity: self.circuity }
    }

    /// How many territories have road figures.
    pub fn territories_with_roads(&self) -> usize {
        self.by_territory.iter().filter(|r| !r.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreached_units_and_vacant_territories_have_no_figure_and_subsets_keep_the_rest() {
        let km = RoadKm::new(vec![vec![1.0, f32::NAN, 3.0], Vec::new()], 1.3);
        assert_eq!(km.get(0, 0), Some(1.0));
        assert_eq!(km.get(0, 1), None);
        assert_eq!(km.get(1, 0), None);
        assert_eq!(km.get(5, 0), None);
        let sub = km.subset(&[2, 0], &[1, 0]);
        assert_eq!(sub.get(1, 0), Some(3.0));
        assert_eq!(sub.get(1, 1), Some(1.0));
        assert_eq!(sub.get(0, 0), None);
        assert_eq!(sub.territories_with_roads(), 1);
    }

    /// A bay: two shores of 10 units, 3 km apart, joined by land only at the far end
    /// (x = 9), with gap links across the water at every x. Home A at the mouth of the
    /// bottom shore, home B at the far end. As the crow flies A's territory takes both
    /// shores near the mouth; by road the top shore is B's (A would drive around the
    /// bay), so A grows along its own shore.
    #[test]
    fn territories_grow_along_roads_not_across_a_bay() {
        use crate::optimize::{solve, Problem};
        let n = 20;
        let xy: Vec<[f64; 2]> = (0..n).map(|i| [(i % 10) as f64 + 0.01 * ((i * 7) % 5) as f64, if i < 10 { 0.0 } else { 3.0 }]).collect();
        let mut adjacency: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut join = |a: usize, b: usize| {
            adjacency[a].push(b as u32);
            adjacency[b].push(a as u32);
        };
        for x in 0..9 {
            join(x, x + 1);
            join(10 + x, 11 + x);
        }
        for x in 0..10 {
            join(x, 10 + x);
        }
        let weights = vec![1.0; n];
        let (home_a, home_b) = (0usize, 9usize);
        let mut fixed = vec![None; n];
        fixed[home_a] = Some(0);
        fixed[home_b] = Some(1);
        // Along the shores and around the end of the bay.
        let along = |from_x: usize, u: usize| -> f32 {
            let (x, top) = (u % 10, u >= 10);
            match top {
                false => (x as f32 - from_x as f32).abs(),
                true => (9 - from_x) as f32 + 3.0 + (9 - x) as f32,
            }
        };
        let road = RoadKm::new(vec![(0..n).map(|u| along(0, u)).collect(), (0..n).map(|u| along(9, u)).collect()], 1.3);
        let problem = |road_km: Option<&RoadKm>| {
            let p = Problem {
                weights: &weights,
                xy_km: &xy,
                adjacency: &adjacency,
                k: 2,
                tolerance: 0.1,
                centres: Some(vec![xy[home_a], xy[home_b]]),
                fixed: fixed.clone(),
                start: None,
                disruption: 0.0,
                seed: 1,
                contiguous: true,
                base_loads: Vec::new(),
                road_km,
            };
            solve(&p, &mut |_| true).expect("solves")
        };
        let across_the_bay = |assignment: &[u32]| (10..n).filter(|u| assignment[*u] == 0).count();
        let straight = problem(None);
        let by_road = problem(Some(&road));
        assert!(across_the_bay(&straight.assignment) >= 3, "as the crow flies A takes the top shore near the mouth: {:?}", straight.assignment);
        assert!(across_the_bay(&by_road.assignment) <= 1, "by road the top shore is B's: {:?}", by_road.assignment);
        assert_eq!(by_road.noncontiguous, 0);
        assert!(by_road.max_deviation <= 0.1 + 1e-9, "{:?}", by_road.loads);
    }
}
