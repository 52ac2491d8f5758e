//! A plan under edit: who holds each unit, with the loads, member lists and border
//! counts kept up to date move by move, so that the local search and the flows can
//! judge a move in constant time.

use super::goals::Goals;
use super::graph::{can_leave, LeaveScratch};
use super::Problem;

pub(super) struct State<'p, 'a> {
    pub(super) problem: &'p Problem<'a>,
    pub(super) assignment: Vec<u32>,
    pub(super) loads: Vec<f64>,
    /// Members of each territory, and each unit's position in its list.
    pub(super) members: Vec<Vec<u32>>,
    pub(super) position: Vec<usize>,
    pub(super) centres: Vec<[f64; 2]>,
    pub(super) goals: Goals,
    /// The fair share, the unit of deviations.
    pub(super) target: f64,
    pub(super) scale: f64,
    pub(super) scratch: LeaveScratch,
    /// For each territory: (neighbouring territory, adjacency edges between them).
    pub(super) borders: Vec<Vec<(u32, i32)>>,
    /// Moves since the last best plan the search saw (unit, territory it left), so the
    /// search can go back to that plan.
    pub(super) journal: Vec<(u32, u32)>,
}

impl State<'_, '_> {
    /// Deviation from the territory's goal, as a fraction of the fair share.
    pub(super) fn dev(&self, t: usize) -> f64 {
        self.goals.deviation(t, self.loads[t])
    }

    pub(super) fn relocate(&mut self, u: u32, to: u32) {
        let from = self.assignment[u as usize] as usize;
        let w = self.problem.weights[u as usize];
        let p = self.position[u as usize];
        self.members[from].swap_remove(p);
        if let Some(&moved) = self.members[from].get(p) {
            self.position[moved as usize] = p;
        }
        self.position[u as usize] = self.members[to as usize].len();
        self.members[to as usize].push(u);
        for &v in &self.problem.adjacency[u as usize] {
            let other = self.assignment[v as usize] as usize;
            if other != from {
                self.count_border(from, other, -1);
            }
            if other != to as usize {
                self.count_border(to as usize, other, 1);
            }
        }
        self.assignment[u as usize] = to;
        self.loads[from] -= w;
        self.loads[to as usize] += w;
        self.journal.push((u, from as u32));
    }

    /// Takes back every move since the journal was last cleared.
    pub(super) fn rewind(&mut self) {
        let mut journal = std::mem::take(&mut self.journal);
        while let Some((u, from)) = journal.pop() {
            self.relocate(u, from);
        }
        self.journal.clear();
    }

    /// Whether a deviation inside the tolerance would end outside it.
    pub(super) fn pushes_out(&self, before: f64, after: f64) -> bool {
        before.abs() <= self.problem.tolerance && after.abs() > self.problem.tolerance
    }

    pub(super) fn movable(&mut self, u: u32) -> bool {
        self.problem.fixed[u as usize].is_none()
            && self.members[self.assignment[u as usize] as usize].len() > 1
            && (!self.problem.contiguous || can_leave(self.problem.adjacency, &self.assignment, u, &mut self.scratch))
    }

    /// Territories sharing a border with `t`, in order.
    pub(super) fn neighbours_of(&self, t: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.borders[t].iter().filter(|b| b.1 > 0).map(|b| b.0 as usize).collect();
        out.sort_unstable();
        out
    }

    /// Adds `change` to the count of adjacency edges between territories a and b.
    pub(super) fn count_border(&mut self, a: usize, b: usize, change: i32) {
        for (x, y) in [(a, b), (b, a)] {
            match self.borders[x].iter_mut().find(|e| e.0 as usize == y) {
                Some(e) => e.1 += change,
                None => self.borders[x].push((y as u32, change)),
            }
        }
    }

    pub(super) fn undo(&mut self, done: Vec<Move>) {
        for m in done.into_iter().rev() {
            self.relocate(m.unit, m.from);
        }
    }

    /// Whether territory `x` can pass weight on: it holds a unit that is not locked.
    pub(super) fn can_pass(&self, x: usize) -> bool {
        self.members[x].iter().any(|u| self.problem.fixed[*u as usize].is_none())
    }

    /// Sum of squared deviations.
    pub(super) fn objective(&self) -> f64 {
        (0..self.loads.len()).map(|x| self.dev(x).powi(2)).sum()
    }
}

/// One unit moved (by a chain or a flow), to be undone if the whole does not pay.
#[derive(Clone, Copy)]
pub(super) struct Move {
    pub unit: u32,
    pub from: u32,
    pub to: u32,
}

impl<'p, 'a> State<'p, 'a> {
    pub(super) fn new(problem: &'p Problem<'a>, assignment: Vec<u32>, centres: &[[f64; 2]], goals: &Goals) -> Self {
        let target = goals.fair;
        let k = problem.k;
        let n = assignment.len();
        let mut members = vec![Vec::new(); k];
        let mut position = vec![0usize; n];
        let mut loads = problem.initial_loads();
        for (u, &t) in assignment.iter().enumerate() {
            position[u] = members[t as usize].len();
            members[t as usize].push(u as u32);
            loads[t as usize] += problem.weights[u];
        }
        let scale = {
            let total: f64 = (0..n).map(|u| problem.weights[u] * problem.centre_km(u, assignment[u] as usize, centres[assignment[u] as usize])).sum();
            (total / (target * k as f64)).max(1e-6)
        };
        let mut borders: Vec<Vec<(u32, i32)>> = vec![Vec::new(); k];
        for (u, &t) in assignment.iter().enumerate() {
            for &v in &problem.adjacency[u] {
                let other = assignment[v as usize];
                if other != t {
                    match borders[t as usize].iter_mut().find(|e| e.0 == other) {
                        Some(e) => e.1 += 1,
                        None => borders[t as usize].push((other, 1)),
                    }
                }
            }
        }
        State {
            problem,
            assignment,
            loads,
            members,
            position,
            centres: centres.to_vec(),
            goals: goals.clone(),
            target,
            scale,
            scratch: LeaveScratch::new(n),
            borders,
            journal: Vec::new(),
        }
    }

    /// Border counts rebuilt from scratch (the state keeps them up to date per move).
    #[cfg(test)]
    pub(super) fn borders_from_scratch(&self) -> Vec<Vec<(u32, i32)>> {
        State::new(self.problem, self.assignment.clone(), &self.centres, &self.goals).borders
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After any sequence of moves, the border counts kept per move equal a recount.
    #[test]
    fn border_counts_follow_every_move() {
        let (w, h) = (6usize, 5usize);
        let adjacency = crate::fixtures::grid_neighbours(w, h);
        let weights = vec![1.0; w * h];
        let xy: Vec<[f64; 2]> = (0..w * h).map(|i| [(i % w) as f64, (i / w) as f64]).collect();
        let p = Problem { weights: &weights, xy_km: &xy, adjacency: &adjacency, k: 3, tolerance: 0.01, centres: None, fixed: vec![None; w * h], start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new(), road_km: None };
        let start: Vec<u32> = (0..w * h).map(|i| ((i % w) / 2) as u32).collect();
        let mut s = State::new(&p, start, &[[0.5, 2.0], [2.5, 2.0], [4.5, 2.0]], &Goals::of(&p));
        let normal = |b: &Vec<Vec<(u32, i32)>>| -> Vec<Vec<(u32, i32)>> { b.iter().map(|l| { let mut l: Vec<_> = l.iter().copied().filter(|e| e.1 != 0).collect(); l.sort(); l }).collect() };
        for (step, u) in [7u32, 13, 2, 29, 14, 7, 0, 21, 22, 5].into_iter().enumerate() {
            s.relocate(u, (step % 3) as u32);
            assert_eq!(normal(&s.borders), normal(&s.borders_from_scratch()), "after moving {u}");
        }
    }
}
