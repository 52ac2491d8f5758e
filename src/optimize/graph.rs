//! Contiguity: pieces of a territory, whether a unit can leave without splitting it,
//! and the repair of territories left in pieces.

use super::Problem;
use std::collections::VecDeque;

/// Connected pieces of territory `t` (rook adjacency).
pub fn components_of(adjacency: &[Vec<u32>], assignment: &[u32], t: u32) -> Vec<Vec<u32>> {
    let mut seen = vec![false; assignment.len()];
    let mut pieces = Vec::new();
    for start in 0..assignment.len() {
        if assignment[start] != t || seen[start] {
            continue;
        }
        let mut piece = Vec::new();
        let mut queue = VecDeque::from([start as u32]);
        seen[start] = true;
        while let Some(u) = queue.pop_front() {
            piece.push(u);
            for &v in &adjacency[u as usize] {
                if assignment[v as usize] == t && !seen[v as usize] {
                    seen[v as usize] = true;
                    queue.push_back(v);
                }
            }
        }
        pieces.push(piece);
    }
    pieces
}

/// Scratch space for [`can_leave`], reused between calls.
#[derive(Default)]
pub struct LeaveScratch {
    /// Which search reached each unit, stamped per call (0 = none).
    label: Vec<u32>,
    stamp: Vec<u32>,
    call: u32,
    parent: Vec<usize>,
    queues: Vec<VecDeque<u32>>,
}

impl LeaveScratch {
    pub fn new(n: usize) -> Self {
        Self { label: vec![0; n], stamp: vec![0; n], ..Self::default() }
    }

    fn find(&mut self, mut a: usize) -> usize {
        while self.parent[a] != a {
            self.parent[a] = self.parent[self.parent[a]];
            a = self.parent[a];
        }
        a
    }
}

/// Whether `u` can leave its territory without splitting it: all of u's neighbours in
/// the same territory stay connected to each other without u.
///
/// One breadth-first search starts from each such neighbour, all in lockstep; searches
/// that meet merge. All merged: yes. One runs out of units first: no, after touching
/// about as many units as the smallest cut-off piece (times the number of searches),
/// instead of the whole territory as a single search would when u is a cut vertex.
pub fn can_leave(adjacency: &[Vec<u32>], assignment: &[u32], u: u32, scratch: &mut LeaveScratch) -> bool {
    let t = assignment[u as usize];
    let mut same: Vec<u32> = adjacency[u as usize].iter().copied().filter(|v| assignment[*v as usize] == t).collect();
    same.sort_unstable();
    same.dedup();
    match same.len() {
        // A territory of one unit would vanish.
        0 => return false,
        1 => return true,
        _ => {}
    }
    scratch.call = scratch.call.wrapping_add(1);
    if scratch.call == 0 {
        scratch.stamp.iter_mut().for_each(|s| *s = 0);
        scratch.call = 1;
    }
    let call = scratch.call;
    let seeds = same.len();
    scratch.parent.clear();
    scratch.parent.extend(0..seeds);
    scratch.queues.resize_with(seeds, VecDeque::new);
    for q in scratch.queues.iter_mut() {
        q.clear();
    }
    // u itself is a wall.
    scratch.stamp[u as usize] = call;
    scratch.label[u as usize] = u32::MAX;
    for (i, &v) in same.iter().enumerate() {
        scratch.stamp[v as usize] = call;
        scratch.label[v as usize] = i as u32;
        scratch.queues[i].push_back(v);
    }
    let mut groups = seeds;
    loop {
        for i in 0..seeds {
            if scratch.find(i) != i {
                continue; // merged into another search, which carries on for both
            }
            // Expand one unit from any queue of the group (merged searches keep theirs).
            let mut next = None;
            for j in 0..seeds {
                if !scratch.queues[j].is_empty() && scratch.find(j) == i {
                    next = scratch.queues[j].pop_front();
                    break;
                }
            }
            let Some(x) = next else {
                // This group has nothing left to explore and has not met the rest.
                return false;
            };
            for &y in &adjacency[x as usize] {
                if assignment[y as usize] != t {
                    continue;
                }
                if scratch.stamp[y as usize] != call {
                    scratch.stamp[y as usize] = call;
                    scratch.label[y as usize] = i as u32;
                    scratch.queues[i].push_back(y);
                } else if scratch.label[y as usize] != u32::MAX {
                    let other = scratch.find(scratch.label[y as usize] as usize);
                    if other != i {
                        scratch.parent[other] = i;
                        groups -= 1;
                        if groups == 1 {
                            return true;
                        }
                    }
                }
            }
        }
    }
}

/// Gives every stray piece of a territory (all but its heaviest piece) to the adjacent
/// territory with the least load; fills empty territories from their heaviest neighbour
/// region. Locked units stay where they are.
pub fn repair_contiguity(problem: &Problem, assignment: &mut [u32]) {
    let k = problem.k;
    for _pass in 0..12 {
        let mut loads = vec![0.0f64; k];
        for (u, &t) in assignment.iter().enumerate() {
            loads[t as usize] += problem.weights[u];
        }
        let mut changed = false;
        for t in 0..k as u32 {
            let mut pieces = components_of(problem.adjacency, assignment, t);
            if pieces.len() <= 1 {
                continue;
            }
            let weight = |p: &Vec<u32>| p.iter().map(|u| problem.weights[*u as usize]).sum::<f64>();
            // The piece holding the territory's locked units (its rep's home ZIP) stays;
            // otherwise the heaviest.
            let anchored = |p: &Vec<u32>| p.iter().any(|u| problem.fixed[*u as usize] == Some(t));
            pieces.sort_by(|a, b| anchored(b).cmp(&anchored(a)).then(weight(b).total_cmp(&weight(a))).then(b.len().cmp(&a.len())));
            for piece in pieces.into_iter().skip(1) {
                if piece.iter().any(|u| problem.fixed[*u as usize].is_some()) {
                    continue;
                }
                let receiver = piece
                    .iter()
                    .flat_map(|u| problem.adjacency[*u as usize].iter())
                    .map(|v| assignment[*v as usize])
                    .filter(|r| *r != t)
                    .min_by(|a, b| loads[*a as usize].total_cmp(&loads[*b as usize]).then(a.cmp(b)));
                if let Some(r) = receiver {
                    let w = weight(&piece);
                    for u in piece {
                        assignment[u as usize] = r;
                    }
                    loads[t as usize] -= w;
                    loads[r as usize] += w;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::fixtures::grid_neighbours as grid;

    proptest! {
        /// The lockstep search agrees with the pieces left once u is gone.
        #[test]
        fn can_leave_agrees_with_the_pieces_left(labels in proptest::collection::vec(0u32..3, 36), u in 0u32..36) {
            let adjacency = grid(6, 6);
            let t = labels[u as usize];
            let mut after = labels.clone();
            after[u as usize] = u32::MAX;
            let pieces = components_of(&adjacency, &after, t);
            let same: Vec<u32> = adjacency[u as usize].iter().copied().filter(|v| labels[*v as usize] == t).collect();
            // Every same-territory neighbour of u ends up in one piece.
            let together = pieces.iter().any(|p| same.iter().all(|v| p.contains(v)));
            let expected = !same.is_empty() && together;
            let mut scratch = LeaveScratch::new(labels.len());
            prop_assert_eq!(can_leave(&adjacency, &labels, u, &mut scratch), expected);
            // The scratch space carries nothing from one call to the next.
            prop_assert_eq!(can_leave(&adjacency, &labels, u, &mut scratch), expected);
        }
    }
}
