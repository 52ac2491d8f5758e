//! A first plan for territories anchored at given centres (rep home bases): the
//! balanced assignment priced on distances along the units' adjacency instead of
//! straight lines, with every other territory's anchor as a wall.
//!
//! Why it comes out whole: unit u goes to the territory t minimising d_t(u) - offset_t,
//! where d_t is the shortest-path distance from t's anchor. The unit w before u on that
//! path has d_t(w) = d_t(u) - |uw|, and for any other territory d_s(w) >= d_s(u) - |uw|
//! (a path to w extends to u), so w prefers t too, and so on back to the anchor. Paths
//! may not cross another territory's anchor (it is locked there), which keeps the
//! argument true with locks. The offsets only move borders, never break a territory, so
//! they can be pushed as far as balance needs: a territory at the end of a peninsula
//! reaches past its neighbour's home, around it, as far as its share lies.
//!
//! (Assigning by straight-line distance and repairing pieces afterwards fails here:
//! where one rep's home lies between another's and the weight, that territory's share
//! lands beyond its neighbour, in pieces, and the repair hands it all to the neighbour.)

use super::goals::Goals;
use super::heap::Smallest;
use super::{balanced_assignment_over, dist, Candidates, Problem};
use std::collections::BinaryHeap;

/// Nearest anchors kept per unit: enough for a border to move several rings.
const NEAREST: usize = 12;
/// Weight of the straight-line distance beside the distance along the adjacency.
const STRAIGHT_LINE_SHARE: f64 = 0.25;

/// Each territory's anchor units: its locked units, or else the free unit nearest its
/// centre.
pub fn anchors(problem: &Problem, centres: &[[f64; 2]]) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); problem.k];
    for (u, t) in problem.fixed.iter().enumerate() {
        if let Some(t) = t {
            out[*t as usize].push(u as u32);
        }
    }
    let mut taken: Vec<bool> = problem.fixed.iter().map(Option::is_some).collect();
    for t in 0..problem.k {
        if !out[t].is_empty() {
            continue;
        }
        let nearest = (0..problem.weights.len()).filter(|u| !taken[*u]).min_by(|a, b| dist(problem.xy_km[*a], centres[t]).total_cmp(&dist(problem.xy_km[*b], centres[t])).then(a.cmp(b)));
        if let Some(u) = nearest {
            taken[u] = true;
            out[t].push(u as u32);
        }
    }
    out
}

/// For each unit, its `l` nearest anchors along the adjacency, nearest first; no path
/// crosses another territory's anchor. Units no anchor reaches get none.
///
/// An edge is as long as the distance between the units' centres; with road figures,
/// at least as long as the road distance from the territory's home grows across it.
/// So a link across a bay, short as the crow flies, is as long for a territory as the
/// drive around the bay, and territories grow along the roads. (Edges then differ by
/// territory, which the argument above does not cover; where it leaves a piece, the
/// contiguity repair that follows mends it.)
pub fn nearest_anchors(problem: &Problem, anchors: &[Vec<u32>], l: usize) -> Vec<Vec<(u32, f64)>> {
    let n = problem.weights.len();
    let mut wall = vec![u32::MAX; n];
    for (t, units) in anchors.iter().enumerate() {
        for u in units {
            wall[*u as usize] = t as u32;
        }
    }
    let mut labels: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    let mut heap = BinaryHeap::new();
    for (t, units) in anchors.iter().enumerate() {
        for u in units {
            heap.push(Smallest::new(0.0, *u, t as u32));
        }
    }
    while let Some(Smallest { key: d, unit: u, tag: t }) = heap.pop() {
        let here = &mut labels[u as usize];
        if here.len() >= l || here.iter().any(|x| x.0 == t) {
            continue;
        }
        if wall[u as usize] != u32::MAX && wall[u as usize] != t {
            continue;
        }
        here.push((t, d));
        for &v in &problem.adjacency[u as usize] {
            let there = &labels[v as usize];
            if there.len() < l && !there.iter().any(|x| x.0 == t) {
                heap.push(Smallest::new(d + edge_km(problem, u as usize, v as usize, t as usize), v, t));
            }
        }
    }
    labels
}

/// Length of the edge from unit `u` to `v` for territory `t`'s paths (see
/// [`nearest_anchors`]).
fn edge_km(problem: &Problem, u: usize, v: usize, t: usize) -> f64 {
    let straight = dist(problem.xy_km[u], problem.xy_km[v]);
    let rise = problem.road_km.and_then(|r| Some(r.get(t, v)? - r.get(t, u)?));
    rise.map_or(straight, |rise| straight.max(rise))
}

/// The anchored first plan: each territory whole around its anchor, loads as near
/// their goals as the prices get them.
pub fn assign(problem: &Problem, centres: &[[f64; 2]], goals: &Goals) -> Vec<u32> {
    let anchors = anchors(problem, centres);
    let mut candidates = nearest_anchors(problem, &anchors, NEAREST.min(problem.k));
    // A little of the straight-line distance too: along the adjacency, every unit
    // behind a shared bottleneck is the same distance further from one home than from
    // another, and whole groups would tie; the straight line splits them by place.
    for (u, c) in candidates.iter_mut().enumerate() {
        for (t, d) in c.iter_mut() {
            *d += STRAIGHT_LINE_SHARE * problem.centre_km(u, *t as usize, centres[*t as usize]);
        }
    }
    // A unit no anchor reaches (cut off by others' anchors) bids for the nearest centre
    // at a cost above any path, and the contiguity repair decides.
    let longest = candidates.iter().flatten().map(|c| c.1).fold(0.0, f64::max);
    for (u, c) in candidates.iter_mut().enumerate() {
        if c.is_empty() {
            let t = (0..problem.k).min_by(|a, b| problem.centre_km(u, *a, centres[*a]).total_cmp(&problem.centre_km(u, *b, centres[*b]))).unwrap_or(0);
            c.push((t as u32, longest * 2.0 + problem.centre_km(u, t, centres[t])));
        }
    }
    // Anchors that are not locked (territories without a rep) hold their anchor
    // during the assignment, like a home.
    let mut fixed = problem.fixed.clone();
    for (t, units) in anchors.iter().enumerate() {
        for u in units {
            fixed[*u as usize] = Some(t as u32);
        }
    }
    let held = Problem { fixed, ..problem.clone() };
    let mut offsets = vec![0.0; problem.k];
    let candidates = Candidates::from_lists(candidates);
    balanced_assignment_over(&held, candidates, goals, &mut offsets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_neighbours;

    fn problem<'a>(weights: &'a [f64], xy: &'a [[f64; 2]], adjacency: &'a [Vec<u32>], homes: &[usize]) -> Problem<'a> {
        let mut fixed = vec![None; weights.len()];
        for (t, h) in homes.iter().enumerate() {
            fixed[*h] = Some(t as u32);
        }
        let centres = homes.iter().map(|h| xy[*h]).collect();
        Problem { weights, xy_km: xy, adjacency, k: homes.len(), tolerance: 0.05, centres: Some(centres), fixed, start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new(), road_km: None }
    }

    #[test]
    fn territories_come_out_whole_around_their_homes_and_balanced() {
        let (cols, rows) = (12, 8);
        let n = cols * rows;
        let xy: Vec<[f64; 2]> = (0..n).map(|i| [(i % cols) as f64, (i / cols) as f64]).collect();
        let weights = vec![1.0; n];
        let adjacency = grid_neighbours(cols, rows);
        let homes = [0usize, cols - 1, n - cols, n / 2 + cols / 2];
        let p = problem(&weights, &xy, &adjacency, &homes);
        let centres = p.centres.clone().unwrap();
        let assignment = assign(&p, &centres, &Goals::of(&p));
        for (t, h) in homes.iter().enumerate() {
            assert_eq!(assignment[*h], t as u32, "each home stays with its territory");
            assert_eq!(crate::optimize::components_of(&adjacency, &assignment, t as u32).len(), 1, "territory {t} is in one piece");
        }
        let counts: Vec<usize> = (0..4).map(|t| assignment.iter().filter(|a| **a == t as u32).count()).collect();
        assert!(counts.iter().all(|c| (*c as i64 - 24).abs() <= 2), "{counts:?}");
    }

    /// A strip with the heavy end beyond a second home: the first territory must reach
    /// past it. In one piece, it can only take the whole strip up to the second home's
    /// wall; so the second home sits on a side branch, and the first goes around it.
    #[test]
    fn a_territory_reaches_past_a_neighbours_home() {
        // Two rows of 10; homes at (0, 0) and (3, 0); all the weight at x >= 5. Real
        // centres are never on an exact grid (where whole rows tie): jittered.
        let (cols, rows) = (10, 2);
        let n = cols * rows;
        let xy: Vec<[f64; 2]> = (0..n).map(|i| [(i % cols) as f64 + 0.01 * ((i * 7) % 5) as f64, (i / cols) as f64 + 0.01 * ((i * 3) % 4) as f64]).collect();
        let weights: Vec<f64> = (0..n).map(|i| if i % cols >= 5 { 1.0 } else { 0.01 }).collect();
        let adjacency = grid_neighbours(cols, rows);
        let p = problem(&weights, &xy, &adjacency, &[0, 3]);
        let centres = p.centres.clone().unwrap();
        let assignment = assign(&p, &centres, &Goals::of(&p));
        let loads = crate::optimize::goals::loads(&p, &assignment);
        assert!((loads[0] - loads[1]).abs() <= 1.0 + 1e-9, "{loads:?} {assignment:?}");
        for t in 0..2 {
            assert_eq!(crate::optimize::components_of(&adjacency, &assignment, t).len(), 1, "{assignment:?}");
        }
    }

    #[test]
    fn anchors_are_walls_to_the_other_territories() {
        // A path 0-1-2-3 with anchors at 1 (territory 0) and 2 (territory 1): unit 3 is
        // reachable only through 2, so only territory 1 reaches it.
        let weights = vec![1.0; 4];
        let xy: Vec<[f64; 2]> = (0..4).map(|i| [i as f64, 0.0]).collect();
        let adjacency: Vec<Vec<u32>> = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
        let p = problem(&weights, &xy, &adjacency, &[1, 2]);
        let labels = nearest_anchors(&p, &[vec![1], vec![2]], 2);
        assert_eq!(labels[3], vec![(1, 1.0)]);
        assert_eq!(labels[0], vec![(0, 1.0)]);
        assert_eq!(labels[1], vec![(0, 0.0)]);
    }
}
