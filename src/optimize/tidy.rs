//! Units that carry no weight (ZIPs without accounts) go to the nearest territory.
//!
//! Balance never prices them, so whatever step first placed them decides where they
//! end: the offsets of the balanced assignment bend borders most far from the centres,
//! where such units lie, and a state-wide plan of reps round one city came out with
//! ribbons of empty ZIPs wrapped round each other's territories. Moving a weightless unit
//! changes no load, so here each one goes to the adjacent territory whose centre is
//! nearest (by road where the problem has road figures) as long as both territories stay
//! whole, until none can move. With a disruption weight, a unit in its starting territory
//! stays there and one moved away prefers to go back.

use super::graph::{can_leave, LeaveScratch};
use super::Problem;
use std::collections::VecDeque;

/// The cost of holding weightless unit `u` in territory `t`.
fn cost(problem: &Problem, centres: &[[f64; 2]], u: usize, t: usize) -> f64 {
    let km = problem.centre_km(u, t, centres[t]);
    let km = if km.is_finite() { km } else { f64::INFINITY };
    match &problem.start {
        Some(start) if problem.disruption > 0.0 && start.get(u).is_some_and(|s| *s as usize != t) => km + LEAVING_START_KM,
        _ => km,
    }
}

/// What leaving the start plan costs a weightless unit, in km: more than any distance.
const LEAVING_START_KM: f64 = 1e7;

/// Moves each free weightless unit to its nearest territory across a shared border
/// (`borders`: no gap links, so the unit lands on its new territory's own land) while
/// that keeps every territory in one piece along `problem.adjacency` (with contiguity)
/// and none empty. Loads do not change. Returns how many moves were made.
pub fn weightless_to_nearest(problem: &Problem, borders: &[Vec<u32>], assignment: &mut [u32], centres: &[[f64; 2]]) -> usize {
    let n = assignment.len();
    if borders.len() != n || problem.adjacency.len() != n {
        return 0;
    }
    let free = |u: usize| problem.weights[u] == 0.0 && problem.fixed[u].is_none();
    if centres.len() < problem.k || !(0..n).any(free) {
        return 0;
    }
    let mut sizes = vec![0usize; problem.k];
    for &t in assignment.iter() {
        sizes[t as usize] += 1;
    }
    let mut scratch = LeaveScratch::new(n);
    let mut queue: VecDeque<u32> = (0..n).filter(|u| free(*u)).map(|u| u as u32).collect();
    let mut queued = vec![false; n];
    queue.iter().for_each(|u| queued[*u as usize] = true);
    // Each move lowers the summed cost, so this ends; the cap only guards the float edge.
    let mut budget = 20 * n + 100;
    let mut moves = 0;
    while let Some(u) = queue.pop_front() {
        queued[u as usize] = false;
        let from = assignment[u as usize] as usize;
        let here = cost(problem, centres, u as usize, from);
        let best = borders[u as usize]
            .iter()
            .map(|v| assignment[*v as usize] as usize)
            .filter(|t| *t != from)
            .map(|t| (t, cost(problem, centres, u as usize, t)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let Some((to, there)) = best else { continue };
        if there >= here - 1e-9 * here.abs().max(1.0) || sizes[from] < 2 {
            continue;
        }
        if problem.contiguous && !can_leave(problem.adjacency, assignment, u, &mut scratch) {
            continue;
        }
        assignment[u as usize] = to as u32;
        sizes[from] -= 1;
        sizes[to] += 1;
        moves += 1;
        budget -= 1;
        if budget == 0 {
            break;
        }
        for &v in problem.adjacency[u as usize].iter().chain(&borders[u as usize]) {
            if free(v as usize) && !queued[v as usize] {
                queued[v as usize] = true;
                queue.push_back(v);
            }
        }
    }
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::graph::components_of;

    /// Two homes on an 8 x 8 grid of 10 km cells.
    fn strip_problem<'a>(adjacency: &'a [Vec<u32>], xy: &'a [[f64; 2]], weights: &'a [f64]) -> Problem<'a> {
        Problem {
            weights,
            xy_km: xy,
            adjacency,
            k: 2,
            tolerance: 0.05,
            centres: Some(vec![[15.0, 35.0], [65.0, 35.0]]),
            fixed: vec![None; weights.len()],
            start: None,
            disruption: 0.0,
            seed: 1,
            contiguous: true,
            base_loads: Vec::new(),
            road_km: None,
        }
    }

    /// Weight only in the two left and two right columns.
    fn grid() -> (Vec<Vec<u32>>, Vec<[f64; 2]>, Vec<f64>) {
        let adjacency = crate::fixtures::grid_neighbours(8, 8);
        let xy: Vec<[f64; 2]> = (0..64).map(|u| [(u % 8) as f64 * 10.0 + 5.0, (u / 8) as f64 * 10.0 + 5.0]).collect();
        let weights: Vec<f64> = (0..64).map(|u| if u % 8 < 2 || u % 8 > 5 { 1.0 } else { 0.0 }).collect();
        (adjacency, xy, weights)
    }

    #[test]
    fn a_ribbon_of_empty_units_goes_to_the_nearest_territory() {
        let (adjacency, xy, weights) = grid();
        let problem = strip_problem(&adjacency, &xy, &weights);
        // Territory 1 holds its columns and a ribbon along the top reaching to column 2;
        // territory 0 the rest.
        let mut assignment: Vec<u32> = (0..64).map(|u| u32::from(u % 8 > 5 || (u / 8 == 0 && u % 8 >= 2))).collect();
        let loads = |a: &[u32]| (0..2).map(|t| (0..64).filter(|u| a[*u] == t).map(|u| weights[u]).sum::<f64>()).collect::<Vec<_>>();
        let before = loads(&assignment);
        let centres = problem.centres.clone().unwrap();
        let moves = weightless_to_nearest(&problem, &adjacency, &mut assignment, &centres);
        assert!(moves > 0);
        assert_eq!(loads(&assignment), before, "no load changes hands");
        for u in 0..64 {
            if weights[u] == 0.0 {
                let nearest = u32::from(u % 8 >= 4);
                assert_eq!(assignment[u], nearest, "empty unit {u} (column {}) goes to the nearer home", u % 8);
            }
        }
        for t in 0..2 {
            assert_eq!(components_of(&adjacency, &assignment, t).len(), 1, "territory {t} stays whole");
        }
    }

    #[test]
    fn a_unit_that_holds_a_territory_together_stays() {
        let (adjacency, xy, mut weights) = grid();
        // Territory 1's far piece at (2, 0) hangs on the ribbon: it is weighted now.
        weights[2] = 1.0;
        let problem = strip_problem(&adjacency, &xy, &weights);
        let mut assignment: Vec<u32> = (0..64).map(|u| u32::from(u % 8 > 5 || (u / 8 == 0 && u % 8 >= 2))).collect();
        let centres = problem.centres.clone().unwrap();
        weightless_to_nearest(&problem, &adjacency, &mut assignment, &centres);
        assert_eq!(&assignment[2..6], &[1, 1, 1, 1], "the ribbon carrying unit 2 stays with territory 1");
    }

    #[test]
    fn with_a_disruption_weight_units_keep_their_start() {
        let (adjacency, xy, weights) = grid();
        let mut problem = strip_problem(&adjacency, &xy, &weights);
        let start: Vec<u32> = (0..64).map(|u| u32::from(u % 8 > 5 || (u / 8 == 0 && u % 8 >= 2))).collect();
        problem.start = Some(start.clone());
        problem.disruption = 1.0;
        let mut assignment = start.clone();
        let centres = problem.centres.clone().unwrap();
        assert_eq!(weightless_to_nearest(&problem, &adjacency, &mut assignment, &centres), 0);
        assert_eq!(assignment, start);
    }
}
