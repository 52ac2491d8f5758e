//! Local search on boundary units: moves that keep every territory in one piece, single
//! or chained along a path of territories, until all loads are within the tolerance;
//! where those cannot help, a heavy unit is ejected and its weight spread (see flow).

use super::state::{Move, State};
use super::{OptimizeError, Progress};
use std::collections::VecDeque;

impl State<'_, '_> {
    /// Change of the objective if `u` moves to `to`: squared deviations, plus small
    /// terms for compactness and for leaving the start plan.
    fn delta(&self, u: u32, to: u32) -> f64 {
        let p = self.problem;
        let from = self.assignment[u as usize] as usize;
        let to = to as usize;
        let w = p.weights[u as usize] / self.target;
        let (a, b) = (self.dev(from), self.dev(to));
        let balance = (a - w).powi(2) + (b + w).powi(2) - a * a - b * b;
        let compact = w * (p.centre_km(u as usize, to, self.centres[to]) - p.centre_km(u as usize, from, self.centres[from])) / self.scale;
        let disruption = match &p.start {
            Some(s) if s[u as usize] as usize == from => p.disruption * w,
            Some(s) if s[u as usize] as usize == to => -p.disruption * w,
            _ => 0.0,
        };
        // Balance must improve: a move that trades balance for compactness would be
        // undone by a swap or chain (judged on balance), and the two would take turns.
        // Nor may a territory within the tolerance be pushed out of it: where a peak
        // cannot be brought down (dense heavy units), spreading it over its neighbours
        // would only ring it with new misses.
        if balance >= -1e-12 || self.pushes_out(a, a - w) || self.pushes_out(b, b + w) {
            return f64::INFINITY;
        }
        balance + 0.002 * compact + 0.01 * disruption
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
                    if gain < -1e-12 && !self.pushes_out(a, a - d) && !self.pushes_out(b, b + d) {
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
            let path_before: Vec<f64> = path.iter().map(|x| self.dev(*x)).collect();
            let amount = if over { self.dev(t).min(-self.dev(end) + tolerance) } else { (-self.dev(t)).min(self.dev(end) + tolerance) } * self.target;
            for first in 0..CHAIN_FIRST_CHOICES {
                let Some(done) = self.push_along(&path, amount, first) else { continue };
                let after = self.objective();
                let pushed = path.iter().zip(&path_before).any(|(x, d)| self.pushes_out(*d, self.dev(*x)));
                if !pushed && after < before - 1e-12 && best.as_ref().is_none_or(|b| after < b.0) {
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
            let want = if hop == 0 { carried } else { (carried + self.loads[a] - self.goals.goal[a]).max(0.0) };
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

}

/// Failed tries after which a territory is left as it is.
const MAX_FAILURES: u32 = 6;
/// Best-by-balance pairs tried for contiguity in a swap.
const SWAP_TRIES: usize = 8;
/// Endpoints tried per chain, and units tried on a chain's first hop.
const CHAIN_ENDS: usize = 3;
const CHAIN_FIRST_CHOICES: usize = 3;

/// Improves the plan in `s` until every territory is within the tolerance, or no step
/// helps any more.
pub(super) fn improve(s: &mut State, progress: Progress) -> Result<(), OptimizeError> {
    let problem = s.problem;
    let k = problem.k;
    let n = s.assignment.len();
    if s.target <= 0.0 {
        return Ok(());
    }
    let tolerance = problem.tolerance;
    let max_steps = 40 * n + 1000;
    // A territory that found no improving step waits before it is tried again, longer
    // each time (a dense cluster of heavy units may never improve; it must not take
    // the steps of the others).
    let mut stuck = vec![0usize; k];
    let mut failures = vec![0u32; k];
    // Progress is how far the territories outside the tolerance are beyond it, all
    // together, and the worst of them.
    let violation = |s: &State| (0..k).map(|t| (s.dev(t).abs() - tolerance).max(0.0)).sum::<f64>();
    let mut best_violation = f64::INFINITY;
    let mut last_gain = 0usize;
    // The best plan seen (worst deviation, then the total beyond the tolerance): the
    // search may pass through it and end elsewhere; it goes back to it at the end.
    let standing = |s: &State| ((0..k).map(|t| s.dev(t).abs()).fold(0.0, f64::max), violation(s));
    let mut best_seen = standing(s);
    s.journal.clear();
    for step in 0..max_steps {
        let now_standing = standing(s);
        if now_standing.0 < best_seen.0 - 1e-12 || (now_standing.0 <= best_seen.0 + 1e-12 && now_standing.1 < best_seen.1 - 1e-12) {
            best_seen = now_standing;
            s.journal.clear();
        }
        let now = violation(s);
        if now < best_violation - 1e-9 {
            best_violation = now;
            last_gain = step;
        } else if step - last_gain > 20 * k + 200 {
            // No progress for a long while: a local optimum.
            break;
        }
        if step % 256 == 0 && !progress(0.45 + 0.55 * (step as f32 / max_steps as f32).min(1.0)) {
            return Err(OptimizeError::Cancelled);
        }
        // The worst territory outside the tolerance that is not waiting.
        let worst = (0..k).filter(|t| stuck[*t] <= step && s.dev(*t).abs() > tolerance).max_by(|a, b| s.dev(*a).abs().total_cmp(&s.dev(*b).abs()).then(b.cmp(a)));
        let Some(t) = worst else {
            // All within the tolerance, or all the others waiting: skip ahead to the
            // first that may try again, if any is outside.
            match (0..k).filter(|t| s.dev(*t).abs() > tolerance).map(|t| stuck[t]).min() {
                Some(next) if next > step && next < max_steps => {
                    // Nothing else to do meanwhile: let it try now.
                    for x in stuck.iter_mut() {
                        *x = (*x).min(step);
                    }
                    if (0..k).all(|x| failures[x] >= MAX_FAILURES || s.dev(x).abs() <= tolerance) {
                        break;
                    }
                    continue;
                }
                _ => break,
            }
        };
        let into = s.dev(t) < 0.0;
        let moved = match s.best_move(t, into) {
            Some((u, to, _)) => {
                s.relocate(u, to);
                true
            }
            None => s.best_swap(t) || s.chain(t, tolerance) || s.eject(t, tolerance),
        };
        if moved {
            failures[t] = 0;
        } else {
            failures[t] += 1;
            stuck[t] = if failures[t] >= MAX_FAILURES { usize::MAX } else { step + (50usize << failures[t]) };
        }
    }
    let end = standing(s);
    if end.0 > best_seen.0 + 1e-12 || (end.0 >= best_seen.0 - 1e-12 && end.1 > best_seen.1 + 1e-12) {
        s.rewind();
    }
    s.journal.clear();
    Ok(())
}

