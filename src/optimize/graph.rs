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

/// Whether `u` can leave its territory without splitting it: all of u's neighbours in
/// the same territory stay connected to each other without u. Uses scratch marks to
/// stay O(size of the territory) at worst, and usually touches only a few units.
pub fn can_leave(adjacency: &[Vec<u32>], assignment: &[u32], u: u32, marks: &mut [u32], stamp: &mut u32) -> bool {
    let t = assignment[u as usize];
    let same: Vec<u32> = adjacency[u as usize].iter().copied().filter(|v| assignment[*v as usize] == t).collect();
    if same.is_empty() {
        // A territory of one unit would vanish: that is allowed only if it is not the last.
        return false;
    }
    if same.len() == 1 {
        return true;
    }
    *stamp = stamp.wrapping_add(1);
    if *stamp == 0 {
        marks.iter_mut().for_each(|m| *m = 0);
        *stamp = 1;
    }
    let s = *stamp;
    marks[u as usize] = s;
    let mut queue = VecDeque::from([same[0]]);
    marks[same[0] as usize] = s;
    let mut found = 1;
    while let Some(x) = queue.pop_front() {
        for &v in &adjacency[x as usize] {
            if assignment[v as usize] == t && marks[v as usize] != s {
                marks[v as usize] = s;
                if same.contains(&v) {
                    found += 1;
                    if found == same.len() {
                        return true;
                    }
                }
                queue.push_back(v);
            }
        }
    }
    found == same.len()
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
            pieces.sort_by(|a, b| weight(b).total_cmp(&weight(a)).then(b.len().cmp(&a.len())));
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
