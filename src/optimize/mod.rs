//! Balanced, contiguous, compact partitions of units into K territories.
//!
//! 0. Goals: a unit heavier than a territory's share becomes a territory of its own
//!    (anything added only deepens its excess); the others share what is left evenly
//!    (see goals).
//! 1. Centres: rep home bases when given, else recursive coordinate bisection of the
//!    units by weight, so dense areas get the centres their weight calls for.
//! 2. Balanced assignment for fixed centres (Hess & Samuels): each unit goes to the
//!    centre minimising distance minus that territory's offset; the offsets (dual
//!    prices) are fitted by exact coordinate ascent over each unit's nearest centres.
//!    A few Lloyd rounds move the centres to their territories' weighted centres.
//! 3. Contiguity repair: stray pieces go to the adjacent territory with least load.
//! 4. Flows (see flow): every territory's excess is routed over the territory graph
//!    by least squares and carried out by moving light border units, a few rounds.
//! 5. Local search on boundary units: single moves that keep both territories whole,
//!    swaps, chains along a path of territories, and ejection of a heavy unit whose
//!    weight a flow then spreads over the territories around, until every territory is
//!    within the tolerance (or nothing improves).
//! 6. Regional refinement (large-neighbourhood search): a territory still outside the
//!    tolerance is partitioned again from scratch with the territories around it.
//! 7. In a project's plan (see project), units without weight (ZIPs without accounts)
//!    then go to the nearest adjacent territory while every territory stays whole (see
//!    tidy): balance never priced them.
//!
//! Locked units never move; a disruption weight keeps units in their starting territory.
//! Deterministic for a given seed. No UI here.

#[cfg(any(test, feature = "test-support"))]
pub mod bench_data;
mod anchored;
mod centres;
mod explain;
mod flow;
mod goals;
mod graph;
mod heap;
mod links;
pub mod measure;
mod plan;
pub mod project;
mod regions;
pub mod roads;
mod search;
mod state;
mod tidy;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use goals::Goals;

pub use graph::components_of;

/// What to partition.
#[derive(Clone)]
pub struct Problem<'a> {
    pub weights: &'a [f64],
    /// Planar coordinates in km (e.g. an equal-area or local projection).
    pub xy_km: &'a [[f64; 2]],
    /// Rook adjacency, symmetric.
    pub adjacency: &'a [Vec<u32>],
    pub k: usize,
    /// Allowed deviation from the mean weight, as a fraction (0.01 = 1%).
    pub tolerance: f64,
    /// Fixed centres (rep home bases), one per territory.
    pub centres: Option<Vec<[f64; 2]>>,
    /// Units that must stay in a territory (locks).
    pub fixed: Vec<Option<u32>>,
    /// The plan to stay close to (for the disruption weight).
    pub start: Option<Vec<u32>>,
    /// 0 = ignore the start plan; 1 = moving a unit costs as much as its distance to
    /// its centre at the typical scale.
    pub disruption: f64,
    pub seed: u64,
    /// Keep every territory in one piece (the default). Off, units may leave pieces
    /// behind: for plans where adjacency matters less than balance.
    pub contiguous: bool,
    /// Load each territory carries whatever units it gets (named accounts, account
    /// overrides); empty = none.
    pub base_loads: Vec<f64>,
    /// Road km from the fixed centres (rep home bases) to the units, when the project
    /// has a road network: then distances to centres are by road.
    pub road_km: Option<&'a roads::RoadKm>,
}

impl Problem<'_> {
    /// The fixed load of territory `t`.
    pub fn base_load(&self, t: usize) -> f64 {
        self.base_loads.get(t).copied().unwrap_or(0.0)
    }

    /// Loads of each territory before any unit: the base loads, zero-padded to k.
    pub fn initial_loads(&self) -> Vec<f64> {
        (0..self.k).map(|t| self.base_load(t)).collect()
    }

    /// Distance from unit `u` to territory `t`'s centre (at `centre`), km: by road
    /// when known, else the straight line (times the estimate's circuity when the
    /// problem has road figures at all, so both kinds compare).
    pub fn centre_km(&self, u: usize, t: usize, centre: [f64; 2]) -> f64 {
        match self.road_km {
            Some(r) => r.get(t, u).unwrap_or_else(|| dist(self.xy_km[u], centre) * r.circuity),
            None => dist(self.xy_km[u], centre),
        }
    }

    /// Units plus base loads.
    pub fn total_weight(&self) -> f64 {
        self.weights.iter().sum::<f64>() + self.base_loads.iter().sum::<f64>()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Territory of each unit, 0..k.
    pub assignment: Vec<u32>,
    pub loads: Vec<f64>,
    /// Largest |load - mean| / mean, as a fraction.
    pub max_deviation: f64,
    /// Territories in more than one piece.
    pub noncontiguous: usize,
    /// Sum of weight x distance to the territory's centre / total weight, km.
    pub mean_weighted_distance_km: f64,
    /// The deviation forced by the heaviest unit alone (0 when the tolerance is reachable
    /// as far as single units go).
    pub lower_bound: f64,
    /// Largest deviation not forced by a single unit heavier than the mean: what the
    /// tolerance is checked against when some units alone exceed it.
    pub unforced_deviation: f64,
    /// Each territory's deviation from its goal (the fair share, or what its heavy
    /// unit alone forces), as a fraction of the fair share.
    pub deviations: Vec<f64>,
    pub centres: Vec<[f64; 2]>,
}

/// Progress in 0..1; return `false` to cancel.
pub type Progress<'a> = &'a mut dyn FnMut(f32) -> bool;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimizeError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Measure(#[from] measure::MeasureError),
    #[error("cancelled")]
    Cancelled,
}

/// Attempts with different random centres when the first misses the tolerance; the best
/// is kept (GRASP-style multi-start; deterministic: the seeds are seed, seed+1, ...).
const ATTEMPTS: u64 = 8;

pub fn solve(problem: &Problem, progress: Progress) -> Result<Solution, OptimizeError> {
    // Large inputs get fewer attempts: each one already takes seconds.
    let attempts = if problem.centres.is_some() || problem.weights.len() > 10_000 { 1 } else { ATTEMPTS };
    solve_with(problem, progress, attempts, true)
}

/// [`solve`] with a number of attempts, and with or without the regional refinement of
/// the best one (which itself solves regions without it).
fn solve_with(problem: &Problem, progress: Progress, attempts: u64, refine: bool) -> Result<Solution, OptimizeError> {
    let within = |s: &Solution| s.noncontiguous == 0 && s.unforced_deviation <= problem.tolerance;
    let key = |s: &Solution| (s.noncontiguous, s.unforced_deviation, s.max_deviation);
    let span = if refine { REFINE_FROM as f32 } else { 1.0 };
    let mut best: Option<Solution> = None;
    for attempt in 0..attempts {
        let seeded = Problem { seed: problem.seed.wrapping_add(attempt), ..problem.clone() };
        let base = span * attempt as f32 / attempts as f32;
        let mut scaled = |f: f32| progress(base + span * f / attempts as f32);
        let solution = solve_once(&seeded, &mut scaled)?;
        let better = best.as_ref().is_none_or(|b| key(&solution) < key(b));
        if better {
            best = Some(solution);
        }
        if best.as_ref().is_some_and(within) {
            break;
        }
    }
    let best = best.ok_or_else(|| OptimizeError::Invalid("no attempt ran".into()))?;
    if !refine || within(&best) {
        return Ok(best);
    }
    let locked = with_heavy_units_locked(problem);
    let mut assignment = best.assignment;
    regions::refine(&locked, &mut assignment, &best.centres, progress)?;
    let centres = if locked.centres.is_some() { best.centres } else { centres::weighted_centroids(&locked, &assignment, &best.centres) };
    Ok(evaluate(&locked, assignment, centres, best.lower_bound))
}

/// Where in the progress bar the regional refinement starts.
const REFINE_FROM: f64 = 0.85;

/// The problem with each heavy unit locked alone in a territory of its own (see
/// [`heavy_units`]).
fn with_heavy_units_locked<'a>(problem: &Problem<'a>) -> Problem<'a> {
    let mut fixed = problem.fixed.clone();
    for (u, t) in heavy_units(problem) {
        fixed[u] = Some(t);
    }
    Problem { fixed, ..problem.clone() }
}

/// Units heavier than the fair share, heaviest first, each with the territory it
/// becomes on its own: anything added to such a unit only deepens its excess. Each one
/// locked lowers the fair share of the rest, which may make the next one heavy too.
/// A territory is free for it when it holds no locked unit and no base load; with rep
/// home bases, the free territory whose centre is nearest. At most k - 1 of them.
fn heavy_units(problem: &Problem) -> Vec<(usize, u32)> {
    let mut floors = goals::floors(problem);
    let mut order: Vec<usize> = (0..problem.weights.len()).filter(|u| problem.fixed[*u].is_none()).collect();
    order.sort_by(|a, b| problem.weights[*b].total_cmp(&problem.weights[*a]).then(a.cmp(b)));
    let total = problem.total_weight();
    let mut heavy = Vec::new();
    for u in order {
        let fair = Goals::from_floors(&floors, total).fair;
        let free = (0..problem.k).filter(|t| floors[*t] == 0.0);
        if problem.weights[u] <= fair || free.clone().count() < 2 {
            break;
        }
        let chosen = match &problem.centres {
            Some(c) => free.min_by(|a, b| problem.centre_km(u, *a, c[*a]).total_cmp(&problem.centre_km(u, *b, c[*b])).then(a.cmp(b))),
            None => free.min(),
        };
        let Some(t) = chosen else { break };
        floors[t] = problem.weights[u];
        heavy.push((u, t as u32));
    }
    heavy
}

fn solve_once(problem: &Problem, progress: Progress) -> Result<Solution, OptimizeError> {
    // Heavy units are locked alone (without given centres, their territories are
    // centred on them: see centres::seed).
    let problem = &with_heavy_units_locked(problem);
    let n = problem.weights.len();
    let k = problem.k;
    if k == 0 || k > n {
        return Err(OptimizeError::Invalid(format!("cannot make {k} territories from {n} units")));
    }
    if problem.xy_km.len() != n || problem.adjacency.len() != n || problem.fixed.len() != n {
        return Err(OptimizeError::Invalid("weights, coordinates, adjacency and locks must have one entry per unit".into()));
    }
    if problem.weights.iter().chain(&problem.base_loads).any(|w| !w.is_finite() || *w < 0.0) {
        return Err(OptimizeError::Invalid("weights must be finite and not negative".into()));
    }
    if problem.base_loads.len() > k {
        return Err(OptimizeError::Invalid(format!("{} base loads for {k} territories", problem.base_loads.len())));
    }
    if let Some(c) = &problem.centres {
        if c.len() != k {
            return Err(OptimizeError::Invalid(format!("{} centres for {k} territories", c.len())));
        }
    }
    let lower_bound = lower_bound(problem);
    let goals = Goals::of(problem);
    let mut rng = ChaCha8Rng::seed_from_u64(problem.seed);

    let fixed_centres = problem.centres.is_some();
    let mut centres = match &problem.centres {
        Some(c) => c.clone(),
        None => centres::seed(problem, &mut rng),
    };
    if !progress(0.05) {
        return Err(OptimizeError::Cancelled);
    }
    let mut assignment = vec![0u32; n];
    if fixed_centres && problem.contiguous {
        // Anchored at home bases: priced along the adjacency (see anchored).
        assignment = anchored::assign(problem, &centres, &goals);
    } else {
        let rounds = if fixed_centres { 1 } else { 3 };
        let mut offsets = vec![0.0; k];
        for round in 0..rounds {
            assignment = balanced_assignment(problem, &centres, &goals, &mut offsets);
            if !fixed_centres {
                centres = centres::weighted_centroids(problem, &assignment, &centres);
            }
            if !progress(0.05 + 0.35 * (round + 1) as f32 / rounds as f32) {
                return Err(OptimizeError::Cancelled);
            }
        }
    }
    if problem.contiguous {
        graph::repair_contiguity(problem, &mut assignment);
    }
    let mut state = state::State::new(problem, assignment, &centres, &goals);
    state.rebalance();
    if !progress(0.45) {
        return Err(OptimizeError::Cancelled);
    }
    search::improve(&mut state, progress)?;
    hold_the_stuck(&mut state, &goals, progress)?;
    let assignment = state.assignment;
    if !fixed_centres {
        centres = centres::weighted_centroids(problem, &assignment, &centres);
    }
    Ok(evaluate(problem, assignment, centres, lower_bound))
}

/// Rounds of holding stuck territories and searching again.
const HOLD_ROUNDS: usize = 3;

/// Territories still outside the tolerance after the search are stuck there (walled in
/// at the end of a chain, or ringed by territories that cannot take more): each is held
/// at its load and the search runs again with the others sharing the rest evenly, so
/// that one stuck territory leaves the others balanced among themselves instead of its
/// neighbours carrying the difference. Kept only when the true worst deviation is no
/// worse (within a tenth of a percent) and the spread is smaller.
fn hold_the_stuck(state: &mut state::State, goals: &Goals, progress: Progress) -> Result<(), OptimizeError> {
    let k = state.loads.len();
    let tolerance = state.problem.tolerance;
    let true_devs = |s: &state::State| goals.deviations(&s.loads);
    let key = |devs: &[f64]| (devs.iter().map(|d| d.abs()).fold(0.0, f64::max), devs.iter().map(|d| d * d).sum::<f64>());
    let mut held: Vec<Option<f64>> = vec![None; k];
    for _ in 0..HOLD_ROUNDS {
        // Those walled in below their share first: the ones above it are then often
        // only carrying what those could not take.
        let mut stuck: Vec<usize> = (0..k).filter(|t| held[*t].is_none() && state.dev(*t) < -tolerance).collect();
        if stuck.is_empty() {
            stuck = (0..k).filter(|t| held[*t].is_none() && state.dev(*t) > tolerance).collect();
        }
        if stuck.is_empty() || stuck.len() == k {
            break;
        }
        let before = key(&true_devs(state));
        let saved = (state.assignment.clone(), state.goals.clone());
        for t in stuck {
            held[t] = Some(state.loads[t]);
        }
        state.goals = goals.holding(&held);
        state.rebalance();
        search::improve(state, progress)?;
        let after = key(&true_devs(state));
        if after.0 > before.0 + 1e-3 || after.1 >= before.1 {
            // Worse: back to where it was.
            let (assignment, kept_goals) = saved;
            for (u, t) in assignment.iter().enumerate() {
                if state.assignment[u] != *t {
                    state.relocate(u as u32, *t);
                }
            }
            state.goals = kept_goals;
            break;
        }
    }
    state.goals = goals.clone();
    Ok(())
}

/// How far from its goal a territory may end without being moved further, as a share of
/// the fair share: none normally (as balanced as it gets), but with a disruption weight
/// most of the tolerance, so that no unit changes hands for balance nobody asked for.
pub(crate) fn slack(problem: &Problem) -> f64 {
    if problem.disruption > 0.0 && problem.start.is_some() {
        problem.tolerance * SLACK_SHARE
    } else {
        0.0
    }
}

/// Share of the tolerance used as slack when changes should be small.
const SLACK_SHARE: f64 = 0.8;

/// The deviation from the mean that the heaviest unit alone forces on any plan.
pub(crate) fn lower_bound(problem: &Problem) -> f64 {
    let mean = problem.total_weight() / problem.k.max(1) as f64;
    let heaviest = problem.weights.iter().copied().fold(0.0, f64::max);
    if mean > 0.0 { (heaviest / mean - 1.0).max(0.0) } else { 0.0 }
}

/// Figures of an assignment.
pub fn evaluate(problem: &Problem, assignment: Vec<u32>, centres: Vec<[f64; 2]>, lower_bound: f64) -> Solution {
    let k = problem.k;
    let loads = goals::loads(problem, &assignment);
    let distance: f64 = assignment.iter().enumerate().map(|(u, &t)| problem.weights[u] * problem.centre_km(u, t as usize, centres[t as usize])).sum();
    let total: f64 = loads.iter().sum();
    let unit_total: f64 = problem.weights.iter().sum();
    let mean = total / k as f64;
    let max_deviation = if mean > 0.0 { loads.iter().map(|l| (l - mean).abs() / mean).fold(0.0, f64::max) } else { 0.0 };
    let noncontiguous = (0..k as u32).filter(|t| components_of(problem.adjacency, &assignment, *t).len() > 1).count();
    let deviations = Goals::of_assignment(problem, &assignment).deviations(&loads);
    let unforced_deviation = deviations.iter().map(|d| d.abs()).fold(0.0, f64::max);
    Solution {
        unforced_deviation,
        deviations,
        assignment,
        loads,
        max_deviation,
        noncontiguous,
        mean_weighted_distance_km: if unit_total > 0.0 { distance / unit_total } else { 0.0 },
        lower_bound,
        centres,
    }
}

pub(crate) fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Candidate centres of each unit: its L nearest.
fn candidates(problem: &Problem, centres: &[[f64; 2]], l: usize) -> Vec<Vec<(u32, f64)>> {
    (0..problem.xy_km.len())
        .map(|u| {
            let mut all: Vec<(u32, f64)> = centres.iter().enumerate().map(|(c, q)| (c as u32, problem.centre_km(u, c, *q))).collect();
            let l = l.min(all.len());
            all.select_nth_unstable_by(l - 1, |a, b| a.1.total_cmp(&b.1));
            all.truncate(l);
            all
        })
        .collect()
}

/// The territories each unit may join and its distance to each, packed: unit u's are
/// at `start[u]..start[u + 1]`.
pub(crate) struct Candidates {
    start: Vec<usize>,
    territory: Vec<u32>,
    distance: Vec<f64>,
}

impl Candidates {
    pub(crate) fn from_lists(lists: Vec<Vec<(u32, f64)>>) -> Self {
        let mut c = Self { start: Vec::with_capacity(lists.len() + 1), territory: Vec::new(), distance: Vec::new() };
        c.start.push(0);
        for list in lists {
            for (t, d) in list {
                c.territory.push(t);
                c.distance.push(d);
            }
            c.start.push(c.territory.len());
        }
        c
    }

    fn of(&self, u: usize) -> std::ops::Range<usize> {
        self.start[u]..self.start[u + 1]
    }
}

/// Hess-Samuels balanced assignment for fixed centres, by straight-line distance to
/// the nearest few (see [`balanced_assignment_over`]).
fn balanced_assignment(problem: &Problem, centres: &[[f64; 2]], goals: &Goals, offsets: &mut [f64]) -> Vec<u32> {
    let cands = Candidates::from_lists(candidates(problem, centres, CANDIDATES.min(problem.k)));
    balanced_assignment_over(problem, cands, goals, offsets)
}

/// Hess-Samuels balanced assignment. Each unit goes to the candidate territory with
/// the least cost minus that territory's offset (cost = distance, plus the disruption
/// charge for leaving the start plan). The offsets (the dual prices of the
/// transportation problem) are fitted by exact coordinate ascent: in turn, each
/// territory's offset is set where its load crosses its goal, given the others'. Warm
/// starts from `offsets`, and leaves the fitted ones there.
pub(crate) fn balanced_assignment_over(problem: &Problem, cands: Candidates, goals: &Goals, offsets: &mut [f64]) -> Vec<u32> {
    let n = problem.weights.len();
    let k = problem.k;
    // A typical distance sets the scale of the disruption cost.
    let scale = {
        let mut d: Vec<f64> = (0..n).map(|u| cands.of(u).map(|i| cands.distance[i]).fold(f64::INFINITY, f64::min)).filter(|d| d.is_finite()).collect();
        d.sort_by(f64::total_cmp);
        d.get(d.len() / 2).copied().unwrap_or(1.0).max(1e-6) * 2.0 + 1e-6
    };
    let cand_t = &cands.territory;
    let cand_cost: Vec<f64> = (0..n)
        .flat_map(|u| cands.of(u).map(move |i| (u, i)))
        .map(|(u, i)| {
            let leaves = problem.start.as_ref().is_some_and(|s| s[u] != cand_t[i]);
            cands.distance[i] + if leaves { problem.disruption * scale } else { 0.0 }
        })
        .collect();
    // For each territory, the free units that may join it, with their cost there.
    let mut bidders: Vec<Vec<(u32, f64)>> = vec![Vec::new(); k];
    for u in 0..n {
        if problem.fixed[u].is_none() {
            for i in cands.of(u) {
                bidders[cand_t[i] as usize].push((u as u32, cand_cost[i]));
            }
        }
    }
    let best_of = |u: usize, offsets: &[f64], except: u32| -> (u32, f64) {
        let mut best = (u32::MAX, f64::INFINITY);
        for i in cands.of(u) {
            let t = cand_t[i];
            let reduced = cand_cost[i] - offsets[t as usize];
            if t != except && reduced < best.1 {
                best = (t, reduced);
            }
        }
        best
    };
    let mut assignment: Vec<u32> = (0..n).map(|u| problem.fixed[u].unwrap_or_else(|| best_of(u, offsets, u32::MAX).0)).collect();
    // A unit without a candidate (none given) stays with the first territory.
    for a in assignment.iter_mut().filter(|a| **a == u32::MAX) {
        *a = 0;
    }
    let mut loads = goals::loads(problem, &assignment);
    let quality = |loads: &[f64]| goals.deviations(loads).iter().map(|d| d * d).sum::<f64>();
    let mut best = (quality(&loads), assignment.clone());
    let mut thresholds: Vec<(f64, f64, u32)> = Vec::new();
    // Base loads and locked units count whatever the offsets.
    let floors = goals::floors(problem);
    let band = slack(problem) * goals.fair;
    let mut since_best = 0;
    for _sweep in 0..MAX_SWEEPS {
        for c in 0..k {
            // A bidder joins c when c's offset exceeds its threshold: its cost at c
            // minus its best cost elsewhere.
            thresholds.clear();
            for &(u, own) in &bidders[c] {
                let (_, elsewhere) = best_of(u as usize, offsets, c as u32);
                thresholds.push((own - elsewhere, own, u));
            }
            if thresholds.is_empty() {
                continue;
            }
            // Ties (units beyond both centres in one direction) go nearest c first, so
            // that what c takes of them joins it.
            thresholds.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            // Take bidders in threshold order (those with nowhere else to go in any case)
            // as far as lands the load nearest the goal; with a disruption weight
            // anywhere inside the slack band will do, and the count nearest the current
            // one is kept (fewer units change hands).
            let (lo, hi) = (goals.goal[c] - band, goals.goal[c] + band);
            let off = |load: f64| if load < lo { lo - load } else if load > hi { load - hi } else { 0.0 };
            let current = thresholds.iter().filter(|x| assignment[x.2 as usize] == c as u32).count();
            let mut load = floors[c];
            let mut best_take = (f64::INFINITY, usize::MAX, 0usize);
            for taken in 0..=thresholds.len() {
                if taken > 0 {
                    load += problem.weights[thresholds[taken - 1].2 as usize];
                }
                let forced = thresholds.get(taken).is_some_and(|x| x.0 == f64::NEG_INFINITY);
                let key = (off(load), taken.abs_diff(current));
                if !forced && (key.0 < best_take.0 - 1e-12 || (key.0 <= best_take.0 + 1e-12 && key.1 < best_take.1)) {
                    best_take = (key.0, key.1, taken);
                }
                // Past the band, more only goes further.
                if load > hi && off(load) > best_take.0 {
                    break;
                }
            }
            let taken = best_take.2;
            let below = if taken > 0 { thresholds[taken - 1].0 } else { f64::NEG_INFINITY };
            let above = thresholds.get(taken).map_or(f64::INFINITY, |x| x.0);
            offsets[c] = match (below.is_finite(), above.is_finite()) {
                (true, true) => 0.5 * (below + above),
                (true, false) => below + scale * 1e-3,
                (false, true) => above - scale * 1e-3,
                (false, false) => offsets[c],
            };
            for (i, &(_, _, u)) in thresholds.iter().enumerate() {
                let u = u as usize;
                let to = if i < taken { c as u32 } else if assignment[u] == c as u32 { best_of(u, offsets, c as u32).0 } else { continue };
                if to != assignment[u] && to != u32::MAX {
                    loads[assignment[u] as usize] -= problem.weights[u];
                    loads[to as usize] += problem.weights[u];
                    assignment[u] = to;
                }
            }
        }
        let q = quality(&loads);
        if q < best.0 * (1.0 - 1e-3) {
            best = (q, assignment.clone());
            since_best = 0;
        } else {
            since_best += 1;
        }
        // Close enough (the local search does the rest), or no longer improving.
        let worst = goals.deviations(&loads).iter().map(|d| d.abs()).fold(0.0, f64::max);
        if worst < problem.tolerance * 0.5 || since_best >= 3 {
            break;
        }
    }
    best.1
}

/// Candidate centres per unit in the balanced assignment.
const CANDIDATES: usize = 10;
/// Price sweeps at most per balanced assignment.
const MAX_SWEEPS: usize = 60;
