//! Local search on boundary units: moves that keep every territory in one piece, single
//! or chained along a path of territories, until all loads are within the tolerance.

use super::graph::can_leave;
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
    marks: Vec<u32>,
    stamp: u32,
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
        balance + 0.002 * compact + 0.01 * disruption
    }

    fn movable(&mut self, u: u32) -> bool {
        self.problem.fixed[u as usize].is_none()
            && self.members[self.assignment[u as usize] as usize].len() > 1
            && can_leave(self.problem.adjacency, &self.assignment, u, &mut self.marks, &mut self.stamp)
    }

    /// The best improving move of a boundary unit of `from` to or from any neighbour.
    fn best_move(&mut self, from: usize, into: bool) -> Option<(u32, u32, f64)> {
        // `into`: pull a unit into `from` from any neighbour; else push one out of `from`.
        let mut best: Option<(u32, u32, f64)> = None;
        let members = self.members[from].clone();
        for u in members {
            for &v in &self.problem.adjacency[u as usize] {
                let other = self.assignment[v as usize] as usize;
                if other == from {
                    continue;
                }
                let (unit, dest) = if into { (v, from as u32) } else { (u, other as u32) };
                let d = self.delta(unit, dest);
                if d < -1e-12 && best.is_none_or(|b| d < b.2) && self.movable(unit) {
                    best = Some((unit, dest, d));
                }
            }
        }
        best
    }

    fn neighbours_of(&self, t: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.members[t]
            .iter()
            .flat_map(|u| self.problem.adjacency[*u as usize].iter())
            .map(|v| self.assignment[*v as usize] as usize)
            .filter(|o| *o != t)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Passes weight along a path of territories from `t` (over) to the nearest light
    /// one (or the reverse when `t` is under): one boundary move per hop. Kept only if
    /// the objective improves.
    fn chain(&mut self, t: usize, tolerance: f64) -> bool {
        let over = self.dev(t) > 0.0;
        let k = self.loads.len();
        let mut parent = vec![usize::MAX; k];
        parent[t] = t;
        let mut queue = VecDeque::from([t]);
        let mut end = None;
        while let Some(a) = queue.pop_front() {
            if a != t && if over { self.dev(a) < tolerance * 0.5 } else { self.dev(a) > -tolerance * 0.5 } {
                end = Some(a);
                break;
            }
            for b in self.neighbours_of(a) {
                if parent[b] == usize::MAX {
                    parent[b] = a;
                    queue.push_back(b);
                }
            }
        }
        let Some(end) = end else { return false };
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
        let before: f64 = (0..k).map(|x| self.dev(x).powi(2)).sum();
        let mut done: Vec<(u32, u32)> = Vec::new();
        for hop in path.windows(2) {
            let (a, b) = (hop[0], hop[1]);
            // The boundary unit of a next to b whose weight is closest to the amount.
            let mut best: Option<(u32, f64)> = None;
            let members = self.members[a].clone();
            for u in members {
                if !self.problem.adjacency[u as usize].iter().any(|v| self.assignment[*v as usize] as usize == b) {
                    continue;
                }
                let gap = (self.problem.weights[u as usize] - amount).abs();
                if best.is_none_or(|x| gap < x.1) && self.movable(u) {
                    best = Some((u, gap));
                }
            }
            match best {
                Some((u, _)) => {
                    self.relocate(u, b as u32);
                    done.push((u, a as u32));
                }
                None => break,
            }
        }
        let after: f64 = (0..k).map(|x| self.dev(x).powi(2)).sum();
        if done.len() + 1 == path.len() && after < before - 1e-12 {
            return true;
        }
        for (u, back) in done.into_iter().rev() {
            self.relocate(u, back);
        }
        false
    }
}

pub fn improve(problem: &Problem, assignment: &mut Vec<u32>, centres: &[[f64; 2]], target: f64, progress: Progress) -> Result<(), OptimizeError> {
    let k = problem.k;
    let n = assignment.len();
    if target <= 0.0 {
        return Ok(());
    }
    let mut members = vec![Vec::new(); k];
    let mut position = vec![0usize; n];
    let mut loads = vec![0.0; k];
    for (u, &t) in assignment.iter().enumerate() {
        position[u] = members[t as usize].len();
        members[t as usize].push(u as u32);
        loads[t as usize] += problem.weights[u];
    }
    let scale = {
        let total: f64 = (0..n).map(|u| problem.weights[u] * dist(problem.xy_km[u], centres[assignment[u] as usize])).sum();
        (total / (target * k as f64)).max(1e-6)
    };
    let heavy: Vec<bool> = problem.weights.iter().map(|w| *w > target).collect();
    let mut heavy_count = vec![0u32; k];
    for (u, &t) in assignment.iter().enumerate() {
        if heavy[u] {
            heavy_count[t as usize] += 1;
        }
    }
    let mut s = State {
        problem,
        assignment: std::mem::take(assignment),
        loads,
        members,
        position,
        centres: centres.to_vec(),
        target,
        scale,
        marks: vec![0; n],
        stamp: 0,
        heavy,
        heavy_count,
    };
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
            None => s.chain(t, tolerance),
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
