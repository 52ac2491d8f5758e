//! Moving weight by flows, as graph partitioners balance loads. What territories have
//! too much (or too little) is routed over the graph of neighbouring territories (the
//! flow of least squares, from the territory Laplacian); then each flow is carried out
//! by moving the sender's border units nearest the receiver, ring after ring inward,
//! keeping both in one piece. Where single moves and chains move one unit per hop,
//! a flow moves as many as it takes.
//!
//! Two uses: [`State::rebalance`] takes a whole plan from tens of percent off to within
//! a unit or two of every goal in a few rounds; [`State::eject`] moves a heavy unit out
//! of (or into) a territory and spreads its weight over the territories around.

use super::goals::Score;
use super::heap::Smallest;
use super::state::{Move, State};
use std::collections::BinaryHeap;

/// Rounds of the global rebalance at most; each routes what is left after the last.
const MAX_ROUNDS: usize = 12;
/// Conjugate-gradient iterations at most per flow.
const MAX_CG_ITERATIONS: usize = 500;
/// Edges of a territory that cannot give anything (all its units locked) carry almost
/// no flow in the global rebalance: routing through it could not be carried out.
const BLOCKED_CONDUCTANCE: f64 = 1e-3;
/// In the global rebalance only units lighter than this share of a territory move:
/// bulk is carried by many light units; a heavy one would overshoot (it is left to
/// the local search and to ejection).
const LIGHT_UNIT: f64 = 0.1;
/// Rings of territories that share out an ejected unit, at most; units tried.
const EJECT_RINGS: usize = 4;
const EJECT_TRIES: usize = 3;

/// A pair of neighbouring territories and how many unit adjacencies join them.
pub(super) struct Edge {
    pub a: u32,
    pub b: u32,
    pub border: usize,
}

/// Potentials x with L x = b (L the weighted Laplacian of the graph), by conjugate
/// gradients; b sums to zero, and x is kept at mean zero.
pub(super) fn solve_laplacian(k: usize, edges: &[Edge], conductance: &[f64], b: &[f64]) -> Vec<f64> {
    let apply = |x: &[f64], out: &mut [f64]| {
        out.iter_mut().for_each(|o| *o = 0.0);
        for (e, c) in edges.iter().zip(conductance) {
            let d = c * (x[e.a as usize] - x[e.b as usize]);
            out[e.a as usize] += d;
            out[e.b as usize] -= d;
        }
    };
    let mean = b.iter().sum::<f64>() / k.max(1) as f64;
    let mut r: Vec<f64> = b.iter().map(|v| v - mean).collect();
    let mut x = vec![0.0; k];
    let mut p = r.clone();
    let mut ap = vec![0.0; k];
    let mut rr: f64 = r.iter().map(|v| v * v).sum();
    let stop = rr * 1e-16;
    for _ in 0..MAX_CG_ITERATIONS {
        if rr <= stop || rr == 0.0 {
            break;
        }
        apply(&p, &mut ap);
        let pap: f64 = p.iter().zip(&ap).map(|(a, b)| a * b).sum();
        if pap <= 0.0 {
            break;
        }
        let alpha = rr / pap;
        for i in 0..k {
            x[i] += alpha * p[i];
            r[i] -= alpha * ap[i];
        }
        let next: f64 = r.iter().map(|v| v * v).sum();
        let beta = next / rr;
        rr = next;
        for i in 0..k {
            p[i] = r[i] + beta * p[i];
        }
    }
    x
}

/// A flow over a group of territories (numbered 0..m within the group), ready to be
/// carried out.
struct Plan {
    /// Territories in the order they send: falling potential, so each has received
    /// before it passes on.
    order: Vec<usize>,
    /// What each sends to which neighbour.
    outflows: Vec<Vec<(f64, usize)>>,
    /// Load each should end at.
    end: Vec<f64>,
    /// Load each may hold on the way: where it ends, plus what it is to pass on, plus
    /// `slack`. Without this cap, heavy units overshooting on several edges into one
    /// territory would make a new peak.
    ceiling: Vec<f64>,
}

impl Plan {
    /// The flow of least squares that takes `supply[i]` out of territory i (a demand
    /// where negative); `supply` sums to zero.
    fn new(edges: &[Edge], conductance: &[f64], supply: &[f64], loads: &[f64], slack: f64) -> Self {
        let m = supply.len();
        let potential = solve_laplacian(m, edges, conductance, supply);
        let mut outflows: Vec<Vec<(f64, usize)>> = vec![Vec::new(); m];
        for (e, c) in edges.iter().zip(conductance) {
            let f = c * (potential[e.a as usize] - potential[e.b as usize]);
            if f > 0.0 {
                outflows[e.a as usize].push((f, e.b as usize));
            } else if f < 0.0 {
                outflows[e.b as usize].push((-f, e.a as usize));
            }
        }
        for out in outflows.iter_mut() {
            out.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        }
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by(|a, b| potential[*b].total_cmp(&potential[*a]).then(a.cmp(b)));
        let end: Vec<f64> = loads.iter().zip(supply).map(|(l, s)| l - s).collect();
        let ceiling = (0..m).map(|i| end[i] + outflows[i].iter().map(|f| f.0).sum::<f64>() + slack).collect();
        Self { order, outflows, end, ceiling }
    }
}

/// What each territory must give (or take) to come within `band` of its goal: its excess
/// beyond the band; what the two sides do not match is placed on the territories inside
/// the band, in proportion to their room on the side needed. Sums to zero.
fn supply_beyond(excess: &[f64], band: f64) -> Vec<f64> {
    if band <= 0.0 {
        return excess.to_vec();
    }
    let mut supply: Vec<f64> = excess.iter().map(|e| e - e.clamp(-band, band)).collect();
    let unmatched: f64 = supply.iter().sum();
    let room: Vec<f64> = excess.iter().map(|e| if unmatched > 0.0 { band - e.clamp(-band, band) } else { e.clamp(-band, band) + band }).collect();
    let total_room: f64 = room.iter().sum();
    if total_room > 0.0 {
        for (s, r) in supply.iter_mut().zip(&room) {
            *s -= unmatched * r / total_room;
        }
    }
    supply
}

impl State<'_, '_> {
    /// Routes every territory's excess to the territories short of their goal, round
    /// after round while that pays, moving light units only.
    pub(super) fn rebalance(&mut self) {
        let k = self.loads.len();
        if k < 2 || self.target <= 0.0 {
            return;
        }
        let tolerance = self.problem.tolerance;
        let everyone: Vec<usize> = (0..k).collect();
        // With a disruption weight, a territory inside the slack band is left be.
        let band = super::slack(self.problem) * self.target;
        let mut previous = f64::INFINITY;
        for _round in 0..MAX_ROUNDS {
            let excess: Vec<f64> = (0..k).map(|t| self.loads[t] - self.goals.goal[t]).collect();
            let beyond = |e: f64| (e.abs() - band).max(0.0);
            let off: f64 = excess.iter().map(|e| beyond(*e)).sum();
            let worst = excess.iter().map(|e| beyond(*e)).fold(0.0, f64::max) / self.target;
            // Done, or the last round gained little: what is left is for the local search.
            if worst <= tolerance * 0.5 || off > previous * 0.9 {
                break;
            }
            previous = off;
            let supply = supply_beyond(&excess, band);
            let edges = self.edges_within(&everyone);
            let conductance: Vec<f64> = edges.iter().map(|e| if self.can_pass(e.a as usize) && self.can_pass(e.b as usize) { e.border as f64 } else { e.border as f64 * BLOCKED_CONDUCTANCE }).collect();
            let plan = Plan::new(&edges, &conductance, &supply, &self.loads, tolerance * self.target);
            let mut done = Vec::new();
            self.carry_out(&everyone, &plan, LIGHT_UNIT * self.target, &mut done);
        }
    }

    /// Where a heavy unit must leave (or join) `t` for it to come near its goal: moves
    /// that unit to (or from) a neighbour, then spreads that neighbour's new excess (or
    /// shortfall) over the territories around it with room. Kept only if the
    /// territories involved are better off (see [`Score`]); undone otherwise.
    pub(super) fn eject(&mut self, t: usize, tolerance: f64) -> bool {
        let k = self.loads.len();
        let fair = self.target;
        let dev = self.dev(t);
        let over = dev > 0.0;
        // (how far t ends from its goal, unit, from, to): moves that bring t nearer
        // its goal without overshooting the tolerance on the other side.
        let mut options: Vec<(f64, u32, usize, usize)> = Vec::new();
        for &u in &self.members[t] {
            for &v in &self.problem.adjacency[u as usize] {
                let other = self.assignment[v as usize] as usize;
                if other == t || !self.can_pass(other) {
                    continue;
                }
                let (unit, from, to) = if over { (u, t, other) } else { (v, other, t) };
                let w = self.problem.weights[unit as usize] / fair;
                let after = if over { dev - w } else { dev + w };
                if after.abs() < dev.abs() && after.abs() <= dev.abs().max(tolerance) {
                    options.push((after.abs(), unit, from, to));
                }
            }
        }
        options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.3.cmp(&b.3)));
        options.dedup_by(|a, b| a.1 == b.1 && a.3 == b.3);
        let devs_before: Vec<f64> = (0..k).map(|x| self.dev(x)).collect();
        for &(_, unit, from, to) in options.iter().take(EJECT_TRIES) {
            if !self.movable(unit) {
                continue;
            }
            self.relocate(unit, to as u32);
            let mut done = vec![Move { unit, from: from as u32, to: to as u32 }];
            // The neighbour now off by the unit's weight passes it on.
            let neighbour = if over { to } else { from };
            let region = self.spread(neighbour, t, tolerance, &mut done);
            let mut group: Vec<u32> = region.iter().map(|x| *x as u32).collect();
            group.push(t as u32);
            let devs_after: Vec<f64> = (0..k).map(|x| self.dev(x)).collect();
            if Score::of(&devs_after, &group, tolerance).better_than(&Score::of(&devs_before, &group, tolerance)) {
                return true;
            }
            self.undo(done);
        }
        false
    }

    /// Spreads the deviation of `source` over the territories within a few rings of it
    /// (not `away`, nor territories that cannot pass weight on) in proportion to their
    /// room: up to half the tolerance on the other side. Returns the group.
    fn spread(&mut self, source: usize, away: usize, tolerance: f64, done: &mut Vec<Move>) -> Vec<usize> {
        let k = self.loads.len();
        let fair = self.target;
        let excess = self.loads[source] - self.goals.goal[source];
        let room_of = |s: &Self, x: usize| if excess > 0.0 { (tolerance * 0.5 - s.dev(x)).max(0.0) * fair } else { (s.dev(x) + tolerance * 0.5).max(0.0) * fair };
        let mut group = vec![source];
        let mut seen = vec![false; k];
        seen[source] = true;
        seen[away] = true;
        let mut frontier = vec![source];
        let mut room = 0.0;
        for _ring in 0..EJECT_RINGS {
            let mut next: Vec<usize> = frontier.iter().flat_map(|f| self.neighbours_of(*f)).filter(|x| !seen[*x] && self.can_pass(*x)).collect();
            next.sort_unstable();
            next.dedup();
            for &x in &next {
                seen[x] = true;
                group.push(x);
                room += room_of(self, x);
            }
            frontier = next;
            if room >= excess.abs() || frontier.is_empty() {
                break;
            }
        }
        if room <= 0.0 || group.len() < 2 || excess == 0.0 {
            return group;
        }
        // Supply and demand: the source gives its excess (or takes its shortfall), the
        // others in proportion to their room.
        let supply: Vec<f64> = group.iter().enumerate().map(|(i, x)| if i == 0 { excess } else { -excess * room_of(self, *x) / room }).collect();
        let edges = self.edges_within(&group);
        let conductance: Vec<f64> = edges.iter().map(|e| e.border as f64).collect();
        let loads: Vec<f64> = group.iter().map(|x| self.loads[*x]).collect();
        let plan = Plan::new(&edges, &conductance, &supply, &loads, tolerance * fair);
        self.carry_out(&group, &plan, f64::INFINITY, done);
        group
    }

    /// Edges between the territories of `group`, numbered by their place in it.
    fn edges_within(&self, group: &[usize]) -> Vec<Edge> {
        let mut index = vec![usize::MAX; self.loads.len()];
        for (i, x) in group.iter().enumerate() {
            index[*x] = i;
        }
        let mut edges = Vec::new();
        for (i, &x) in group.iter().enumerate() {
            for &(y, count) in &self.borders[x] {
                let j = index[y as usize];
                if count > 0 && j != usize::MAX && i < j {
                    edges.push(Edge { a: i as u32, b: j as u32, border: count as usize });
                }
            }
        }
        edges
    }

    /// Carries out a plan over `group`: each territory in turn sends its outflows,
    /// scaled down to what it holds beyond where it should end (so a flow that could
    /// not be carried out upstream leaves a shortfall downstream, not a new hole in
    /// between).
    fn carry_out(&mut self, group: &[usize], plan: &Plan, heaviest: f64, done: &mut Vec<Move>) {
        for &i in &plan.order {
            let planned: f64 = plan.outflows[i].iter().map(|f| f.0).sum();
            let sendable = self.loads[group[i]] - plan.end[i];
            if planned <= 0.0 || sendable <= 0.0 {
                continue;
            }
            let scale = (sendable / planned).min(1.0);
            for &(amount, j) in &plan.outflows[i] {
                self.pass(group[i], group[j], amount * scale, plan.ceiling[j], heaviest, done);
            }
        }
    }

    /// Moves about `amount` from territory `a` to its neighbour `b`: border units of a
    /// nearest b's centre first, growing inward, none heavier than `heaviest`, none
    /// taking b over `ceiling`, each leaving the amount nearer.
    fn pass(&mut self, a: usize, b: usize, amount: f64, ceiling: f64, heaviest: f64, done: &mut Vec<Move>) {
        // Nearest b's centre first; with a disruption weight, units that were b's in
        // the start plan before the others, and units that were a's last.
        let key = |s: &Self, u: u32| {
            let leaving = match &s.problem.start {
                Some(start) if start[u as usize] as usize == a => 1.0,
                Some(start) if start[u as usize] as usize == b => -1.0,
                _ => 0.0,
            };
            s.problem.centre_km(u as usize, b, s.centres[b]) - s.problem.centre_km(u as usize, a, s.centres[a]) + leaving * s.problem.disruption * s.scale
        };
        let touches = |s: &Self, u: u32| s.problem.adjacency[u as usize].iter().any(|v| s.assignment[*v as usize] as usize == b);
        // Border units of the sender, ranked by how much nearer the receiver's centre they
        // are than the sender's (the most receiver-like first).
        let mut heap: BinaryHeap<Smallest> = self.members[a].iter().copied().filter(|u| touches(self, *u)).map(|u| Smallest::new(key(self, u), u, 0)).collect();
        let mut queued: std::collections::HashSet<u32> = heap.iter().map(|c| c.unit).collect();
        let mut remaining = amount;
        while remaining > 0.0 {
            let Some(Smallest { unit: u, .. }) = heap.pop() else { break };
            let w = self.problem.weights[u as usize];
            if self.assignment[u as usize] as usize != a || w > heaviest || w >= 2.0 * remaining || self.loads[b] + w > ceiling || !self.movable(u) {
                continue;
            }
            self.relocate(u, b as u32);
            done.push(Move { unit: u, from: a as u32, to: b as u32 });
            remaining -= w;
            for i in 0..self.problem.adjacency[u as usize].len() {
                let v = self.problem.adjacency[u as usize][i];
                if self.assignment[v as usize] as usize == a && queued.insert(v) {
                    heap.push(Smallest::new(key(self, v), v, 0));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::goals::{self, Goals};
    use crate::optimize::Problem;

    use crate::fixtures::grid_neighbours as grid;

    #[test]
    fn the_laplacian_flow_moves_each_excess_to_the_shortfall() {
        // A path of three territories: +2, 0, -2: two units of flow along both edges.
        let edges = vec![Edge { a: 0, b: 1, border: 1 }, Edge { a: 1, b: 2, border: 1 }];
        let x = solve_laplacian(3, &edges, &[1.0, 1.0], &[2.0, 0.0, -2.0]);
        assert!((x[0] - x[1] - 2.0).abs() < 1e-9 && (x[1] - x[2] - 2.0).abs() < 1e-9, "{x:?}");
        // The middle one passes on what it receives: it sends after it receives.
        let plan = Plan::new(&edges, &[1.0, 1.0], &[2.0, 0.0, -2.0], &[6.0, 4.0, 2.0], 0.0);
        assert_eq!(plan.order, vec![0, 1, 2]);
        assert_eq!(plan.end, vec![4.0, 4.0, 4.0]);
        assert!((plan.ceiling[1] - 6.0).abs() < 1e-9, "it may hold what it passes on: {:?}", plan.ceiling);
    }

    #[test]
    fn with_slack_only_what_is_beyond_the_band_moves() {
        // Excess +5, +1, -2, -4 with a band of 2: +3 must leave the first, the last must
        // take 2; the 1 left over goes to those with room below the band's top, by their
        // room (0, 1, 4, 4).
        let s = supply_beyond(&[5.0, 1.0, -2.0, -4.0], 2.0);
        assert!(s.iter().sum::<f64>().abs() < 1e-12, "{s:?}");
        let expected = [3.0, -1.0 / 9.0, -4.0 / 9.0, -2.0 - 4.0 / 9.0];
        assert!(s.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-12), "{s:?}");
        assert_eq!(supply_beyond(&[1.0, -1.0], 0.0), vec![1.0, -1.0]);
    }

    #[test]
    fn three_bands_of_a_grid_come_to_their_goal_in_one_piece_each() {
        // 12 x 6 unit grid in three vertical bands of 2, 4 and 6 columns: 12, 24, 36
        // units for a goal of 24 each.
        let (w, h) = (12usize, 6usize);
        let adjacency = grid(w, h);
        let weights = vec![1.0; w * h];
        let xy: Vec<[f64; 2]> = (0..w * h).map(|i| [(i % w) as f64, (i / w) as f64]).collect();
        let p = Problem { weights: &weights, xy_km: &xy, adjacency: &adjacency, k: 3, tolerance: 0.01, centres: None, fixed: vec![None; w * h], start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new(), road_km: None };
        let assignment: Vec<u32> = (0..w * h).map(|i| match i % w { 0..=1 => 0, 2..=5 => 1, _ => 2 }).collect();
        let goals = Goals::of(&p);
        let mut state = State::new(&p, assignment, &[[0.5, 2.5], [3.5, 2.5], [8.5, 2.5]], &goals);
        state.rebalance();
        assert_eq!(goals::loads(&p, &state.assignment), vec![24.0, 24.0, 24.0], "{:?}", state.assignment);
        for t in 0..3 {
            assert_eq!(crate::optimize::components_of(&adjacency, &state.assignment, t).len(), 1, "territory {t}");
        }
    }

    #[test]
    fn an_ejected_heavy_unit_is_passed_on_in_light_pieces() {
        // A row of 3 territories on a 9 x 1 strip: [H, 1 | 1, 1, 1 | 1, 1, 1, 1] with
        // H = 3: loads 4, 3, 4 for a goal of 11/3 each is balanced enough; make the first
        // one heavy instead: [3, 3 | 1, 1 | 1, 1, 1, 1, 1] = 6, 2, 5 (goal 13/3).
        let weights = [3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let n = weights.len();
        let adjacency = grid(n, 1);
        let xy: Vec<[f64; 2]> = (0..n).map(|i| [i as f64, 0.0]).collect();
        let p = Problem { weights: &weights, xy_km: &xy, adjacency: &adjacency, k: 3, tolerance: 0.05, centres: None, fixed: vec![None; n], start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new(), road_km: None };
        let assignment = vec![0, 0, 1, 1, 2, 2, 2, 2, 2];
        let goals = Goals::of(&p);
        let mut state = State::new(&p, assignment, &[[0.5, 0.0], [2.5, 0.0], [6.0, 0.0]], &goals);
        let before: f64 = (0..3).map(|t| state.dev(t).abs()).fold(0.0, f64::max);
        assert!(state.eject(0, p.tolerance), "the second heavy unit leaves territory 0");
        let after: f64 = (0..3).map(|t| state.dev(t).abs()).fold(0.0, f64::max);
        assert!(after < before, "{before} -> {after}: {:?}", state.assignment);
        assert_eq!(state.assignment[0], 0);
        assert_ne!(state.assignment[1], 0, "{:?}", state.assignment);
    }
}
