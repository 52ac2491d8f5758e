//! Local search on boundary units: moves that keep every territory in one piece, single
//! or chained along a path of territories, until all loads are within the tolerance.

use super::graph::{can_leave, LeaveScratch};
use super::{dist, OptimizeError, Problem, Progress};
use std::collections::VecDeque;

struct State<'p, 'a> {
    problem: &'p Problem<'a>,
    assignment: Vec<u32>,
    loads: Vec<f64>,
    /// Members of each territory, and each unit's position in its list.
    members: Vec<Vec<u32>>,
    position: Vec<usize>,
    centres: Vec<[f64; 2]>,
    target: f64,
    scale: f64,
    scratch: LeaveScratch,
    /// For each territory: (neighbouring territory, adjacency edges between them).
    borders: Vec<Vec<(u32, i32)>>,
    /// Units heavier than the mean on their own, and how many each territory holds:
    /// their excess cannot be balanced away, so it is not counted against the territory.
    heavy: Vec<bool>,
    heavy_count: Vec<u32>,
}

impl State<'_, '_> {
    /// Deviation from the mean beyond what a single heavy unit forces.
    fn dev(&self, t: usize) -> f64 {
        let raw = (self.loads[t] - self.target) / self.target;
        if self.heavy_count[t] == 0 || raw <= 0.0 {
            return raw;
        }
        let forced = self.members[t].iter().filter(|u| self.heavy[**u as usize]).map(|u| self.problem.weights[*u as usize] / self.target - 1.0).fold(0.0, f64::max);
        (raw - forced).max(0.0)
    }

    fn relocate(&mut self, u: u32, to: u32) {
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
        if self.heavy[u as usize] {
            self.heavy_count[from] -= 1;
            self.heavy_count[to as usize] += 1;
        }
        self.loads[from] -= w;
        self.loads[to as usize] += w;
    }

    /// Change of the objective if `u` moves to `to`: squared deviations, plus small
    /// terms for compactness and for leaving the start plan.
    fn delta(&self, u: u32, to: u32) -> f64 {
        let p = self.problem;
        let from = self.assignment[u as usize] as usize;
        let to = to as usize;
        let w = p.weights[u as usize] / self.target;
        let (a, b) = (self.dev(from), self.dev(to));
        let balance = (a - w).powi(2) + (b + w).powi(2) - a * a - b * b;
        let xy = p.xy_km[u as usize];
        let compact = w * (dist(xy, self.centres[to]) - dist(xy, self.centres[from])) / self.scale;
        let disruption = match &p.start {
            Some(s) if s[u as usize] as usize == from => p.disruption * w,
            Some(s) if s[u as usize] as usize == to => -p.disruption * w,
            _ => 0.0,
        };
        // Balance must improve: a move that trades balance for compactness would be
        // undone by a swap or chain (judged on balance), and the two would take turns.
        if balance >= -1e-12 {
            return f64::INFINITY;
        }
        balance + 0.002 * compact + 0.01 * disruption
    }

    fn movable(&mut self, u: u32) -> bool {
        self.problem.fixed[u as usize].is_none()
            && self.members[self.assignment[u as usize] as usize].len() > 1
            && (!self.problem.contiguous || can_leave(self.problem.adjacency, &self.assignment, u, &mut self.scratch))
    }

    /// The best improving move of a boundary unit of `from` to or from any neighbour.
    fn best_move(&mut self, from: usize, into: bool) -> Option<(u32, u32, f64)> {
        // `into`: pull a unit into `from` from any neighbour; else push one out of `from`.
        if !self.problem.contiguous {
            return self.best_move_in_pieces(from, into);
        }
        let mut improving: Vec<(u32, u32, f64)> = Vec::new();
        for &u in &self.members[from] {
            for &v in &self.problem.adjacency[u as usize] {
                let other = self.assignment[v as usize] as usize;
                if other == from {
                    continue;
                }
                let (unit, dest) = if into { (v, from as u32) } else { (u, other as u32) };
                let d = self.delta(unit, dest);
                if d < -1e-12 {
                    improving.push((unit, dest, d));
                }
            }
        }
        // The contiguity test is the costly part: only the best candidates get it.
        improving.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        improving.into_iter().find(|(unit, _, _)| self.movable(*unit))
    }

    /// Without contiguity any unit of `from` may go to a neighbouring territory (or any
    /// unit of a neighbour come in), not only those on the border.
    fn best_move_in_pieces(&mut self, from: usize, into: bool) -> Option<(u32, u32, f64)> {
        let mut candidates: Vec<(u32, u32)> = Vec::new();
        for other in self.neighbours_of(from) {
            if into {
                candidates.extend(self.members[other].iter().map(|v| (*v, from as u32)));
            } else {
                candidates.extend(self.members[from].iter().map(|u| (*u, other as u32)));
            }
        }
        let mut improving: Vec<(u32, u32, f64)> = candidates.into_iter().map(|(unit, dest)| (unit, dest, self.delta(unit, dest))).filter(|c| c.2 < -1e-12).collect();
        improving.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        improving.into_iter().find(|(unit, _, _)| self.movable(*unit))
    }

    /// Exchanges a boundary unit of `t` with one of a neighbouring territory when the
    /// difference of their weights fixes more deviation than any single move: with few,
    /// large units (western counties) single moves overshoot. Tries the best few pairs
    /// by balance until one keeps both territories in one piece.
    fn best_swap(&mut self, t: usize) -> bool {
        let mut pairs: Vec<(f64, u32, u32)> = Vec::new();
        let a = self.dev(t);
        for n in self.neighbours_of(t) {
            let b = self.dev(n);
            let on_border = |s: &Self, u: u32, other: usize| !s.problem.contiguous || s.problem.adjacency[u as usize].iter().any(|v| s.assignment[*v as usize] as usize == other);
            let mine: Vec<u32> = self.members[t].iter().copied().filter(|u| on_border(self, *u, n)).collect();
            let theirs: Vec<u32> = self.members[n].iter().copied().filter(|v| on_border(self, *v, t)).collect();
            for &u in &mine {
                for &v in &theirs {
                    let d = (self.problem.weights[u as usize] - self.problem.weights[v as usize]) / self.target;
                    let gain = (a - d).powi(2) + (b + d).powi(2) - a * a - b * b;
                    if gain < -1e-12 {
                        pairs.push((gain, u, v));
                    }
                }
            }
        }
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        for &(_, u, v) in pairs.iter().take(SWAP_TRIES) {
            let (from_u, from_v) = (self.assignment[u as usize], self.assignment[v as usize]);
            if !self.movable(u) {
                continue;
            }
            self.relocate(u, from_v);
            let joins = !self.problem.contiguous || self.problem.adjacency[v as usize].iter().any(|w| self.assignment[*w as usize] == from_u);
            if joins && self.movable(v) {
                self.relocate(v, from_u);
                return true;
            }
            self.relocate(u, from_u);
        }
        false
    }

    /// Territories sharing a border with `t`, in order.
    fn neighbours_of(&self, t: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.borders[t].iter().filter(|b| b.1 > 0).map(|b| b.0 as usize).collect();
        out.sort_unstable();
        out
    }

    /// Adds `change` to the count of adjacency edges between territories a and b.
    fn count_border(&mut self, a: usize, b: usize, change: i32) {
        for (x, y) in [(a, b), (b, a)] {
            match self.borders[x].iter_mut().find(|e| e.0 as usize == y) {
                Some(e) => e.1 += change,
                None => self.borders[x].push((y as u32, change)),
            }
        }
    }

    /// Passes weight along a path of territories from `t` (over) to a light one (or the
    /// reverse when `t` is under): one boundary move per hop. Each hop moves the unit
    /// closest to what its territory received plus its own excess, so the territories
    /// in between stay balanced. The nearest few endpoints are tried, and on the first
    /// hop the few best-sized units; the best chain is kept if the objective improves.
    fn chain(&mut self, t: usize, tolerance: f64) -> bool {
        let over = self.dev(t) > 0.0;
        let k = self.loads.len();
        let mut parent = vec![usize::MAX; k];
        parent[t] = t;
        let mut queue = VecDeque::from([t]);
        let mut ends = Vec::new();
        while let Some(a) = queue.pop_front() {
            if a != t && if over { self.dev(a) < tolerance * 0.5 } else { self.dev(a) > -tolerance * 0.5 } {
                ends.push(a);
                if ends.len() == CHAIN_ENDS {
                    break;
                }
            }
            for b in self.neighbours_of(a) {
                if parent[b] == usize::MAX {
                    parent[b] = a;
                    queue.push_back(b);
                }
            }
        }
        let before = self.objective();
        let mut best: Option<(f64, Vec<Move>)> = None;
        for &end in &ends {
            let mut path = vec![end];
            while *path.last().expect("path starts with end") != t {
                let last = *path.last().expect("path is not empty");
                path.push(parent[last]);
            }
            path.reverse(); // t ... end
            if !over {
                path.reverse(); // weight flows from end ... t
            }
            let amount = if over { self.dev(t).min(-self.dev(end) + tolerance) } else { (-self.dev(t)).min(self.dev(end) + tolerance) } * self.target;
            for first in 0..CHAIN_FIRST_CHOICES {
                let Some(done) = self.push_along(&path, amount, first) else { continue };
                let after = self.objective();
                if after < before - 1e-12 && best.as_ref().is_none_or(|b| after < b.0) {
                    best = Some((after, done.clone()));
                }
                self.undo(done);
            }
        }
        match best {
            Some((_, moves)) => {
                for m in moves {
                    self.relocate(m.unit, m.to);
                }
                true
            }
            None => false,
        }
    }

    /// Moves one unit per hop along `path`; on the first hop takes the `first`-best
    /// sized unit. Returns the moves made, or `None` (all undone) if a hop has no
    /// movable unit.
    fn push_along(&mut self, path: &[usize], amount: f64, first: usize) -> Option<Vec<Move>> {
        let mut done: Vec<Move> = Vec::new();
        let mut carried = amount;
        for (hop, pair) in path.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            // What a should pass on: what it received (or the amount, first) plus its own
            // excess over the mean.
            let want = if hop == 0 { carried } else { (carried + self.loads[a] - self.target).max(0.0) };
            let mut candidates: Vec<(u32, f64)> = Vec::new();
            for &u in &self.members[a] {
                if self.problem.adjacency[u as usize].iter().any(|v| self.assignment[*v as usize] as usize == b) {
                    candidates.push((u, (self.problem.weights[u as usize] - want).abs()));
                }
            }
            candidates.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
            let skip = if hop == 0 { first } else { 0 };
            let mut chosen = None;
            let mut seen = 0;
            for (u, _) in candidates {
                if !self.movable(u) {
                    continue;
                }
                if seen == skip {
                    chosen = Some(u);
                    break;
                }
                seen += 1;
            }
            let Some(u) = chosen else {
                self.undo(done);
                return None;
            };
            carried = self.problem.weights[u as usize];
            self.relocate(u, b as u32);
            done.push(Move { unit: u, from: a as u32, to: b as u32 });
        }
        Some(done)
    }

    fn undo(&mut self, done: Vec<Move>) {
        for m in done.into_iter().rev() {
            self.relocate(m.unit, m.from);
        }
    }

    fn objective(&self) -> f64 {
        (0..self.loads.len()).map(|x| self.dev(x).powi(2)).sum()
    }
}

/// One unit moved by a chain.
#[derive(Clone, Copy)]
struct Move {
    unit: u32,
    from: u32,
    to: u32,
}

/// Best-by-balance pairs tried for contiguity in a swap.
const SWAP_TRIES: usize = 8;
/// Endpoints tried per chain, and units tried on a chain's first hop.
const CHAIN_ENDS: usize = 3;
const CHAIN_FIRST_CHOICES: usize = 3;

impl<'p, 'a> State<'p, 'a> {
    fn new(problem: &'p Problem<'a>, assignment: Vec<u32>, centres: &[[f64; 2]], target: f64) -> Self {
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
            let total: f64 = (0..n).map(|u| problem.weights[u] * dist(problem.xy_km[u], centres[assignment[u] as usize])).sum();
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
        let heavy: Vec<bool> = problem.weights.iter().map(|w| *w > target).collect();
        let mut heavy_count = vec![0u32; k];
        for (u, &t) in assignment.iter().enumerate() {
            if heavy[u] {
                heavy_count[t as usize] += 1;
            }
        }
        State {
            problem,
            assignment,
            loads,
            members,
            position,
            centres: centres.to_vec(),
            target,
            scale,
            scratch: LeaveScratch::new(n),
            borders,
            heavy,
            heavy_count,
        }
    }

    /// Border counts rebuilt from scratch (the state keeps them up to date per move).
    #[cfg(test)]
    fn borders_from_scratch(&self) -> Vec<Vec<(u32, i32)>> {
        State::new(self.problem, self.assignment.clone(), &self.centres, self.target).borders
    }
}

pub fn improve(problem: &Problem, assignment: &mut Vec<u32>, centres: &[[f64; 2]], target: f64, progress: Progress) -> Result<(), OptimizeError> {
    let k = problem.k;
    let n = assignment.len();
    if target <= 0.0 {
        return Ok(());
    }
    let mut s = State::new(problem, std::mem::take(assignment), centres, target);
    let tolerance = problem.tolerance;
    let max_steps = 40 * n + 1000;
    let mut stuck = vec![0usize; k];
    let mut best_worst = f64::INFINITY;
    let mut last_gain = 0usize;
    for step in 0..max_steps {
        let worst_now = (0..k).map(|t| s.dev(t).abs()).fold(0.0, f64::max);
        if worst_now < best_worst - 1e-9 {
            best_worst = worst_now;
            last_gain = step;
        } else if step - last_gain > 20 * k + 200 {
            // No progress on the worst territory for a long while: a local optimum.
            break;
        }
        if step % 256 == 0 && !progress(0.45 + 0.55 * (step as f32 / max_steps as f32).min(1.0)) {
            *assignment = s.assignment;
            return Err(OptimizeError::Cancelled);
        }
        // The worst territory that is not marked stuck.
        let worst = (0..k).filter(|t| stuck[*t] <= step).max_by(|a, b| s.dev(*a).abs().total_cmp(&s.dev(*b).abs()));
        let Some(t) = worst else { break };
        // The worst is comfortably inside and every territory within tolerance: done.
        if s.dev(t).abs() <= tolerance * 0.95 && (0..k).all(|x| s.dev(x).abs() <= tolerance) {
            break;
        }
        let into = s.dev(t) < 0.0;
        let moved = match s.best_move(t, into) {
            Some((u, to, _)) => {
                s.relocate(u, to);
                true
            }
            None => s.best_swap(t) || s.chain(t, tolerance),
        };
        if !moved {
            stuck[t] = step + 50;
            if (0..k).all(|x| stuck[x] > step) {
                break;
            }
        }
    }
    *assignment = s.assignment;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After any sequence of moves, the border counts kept per move equal a recount.
    #[test]
    fn border_counts_follow_every_move() {
        let (w, h) = (6usize, 5usize);
        let adjacency: Vec<Vec<u32>> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                [(x > 0).then(|| i - 1), (x + 1 < w).then(|| i + 1), (y > 0).then(|| i - w), (y + 1 < h).then(|| i + w)].into_iter().flatten().map(|v| v as u32).collect()
            })
            .collect();
        let weights = vec![1.0; w * h];
        let xy: Vec<[f64; 2]> = (0..w * h).map(|i| [(i % w) as f64, (i / w) as f64]).collect();
        let p = Problem { weights: &weights, xy_km: &xy, adjacency: &adjacency, k: 3, tolerance: 0.01, centres: None, fixed: vec![None; w * h], start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new() };
        let start: Vec<u32> = (0..w * h).map(|i| ((i % w) / 2) as u32).collect();
        let mut s = State::new(&p, start, &[[0.5, 2.0], [2.5, 2.0], [4.5, 2.0]], 10.0);
        let normal = |b: &Vec<Vec<(u32, i32)>>| -> Vec<Vec<(u32, i32)>> { b.iter().map(|l| { let mut l: Vec<_> = l.iter().copied().filter(|e| e.1 != 0).collect(); l.sort(); l }).collect() };
        for (step, u) in [7u32, 13, 2, 29, 14, 7, 0, 21, 22, 5].into_iter().enumerate() {
            s.relocate(u, (step % 3) as u32);
            assert_eq!(normal(&s.borders), normal(&s.borders_from_scratch()), "after moving {u}");
        }
    }
}
