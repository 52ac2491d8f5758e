//! Balanced, contiguous, compact partitions of units into K territories.
//!
//! 1. Centres: rep home bases when given, else weighted k-means++ and Lloyd steps.
//! 2. Balanced assignment for fixed centres (Hess & Samuels): each unit goes to the
//!    centre minimising distance minus that territory's offset; the offsets are fitted
//!    by a price-adjustment sweep over each unit's nearest centres, so every territory
//!    receives close to W/K.
//! 3. Contiguity repair: stray pieces go to the adjacent territory that hurts balance
//!    least.
//! 4. Local search on boundary units: single moves that keep both territories whole,
//!    and chains of moves along a path of territories from the heaviest to a light one,
//!    until every territory is within the tolerance (or nothing improves).
//! 5. Regional refinement (large-neighbourhood search): a territory still outside the
//!    tolerance is partitioned again from scratch with the territories around it.
//!
//! Locked units never move; a disruption weight keeps units in their starting territory.
//! Deterministic for a given seed. No UI here.

pub mod bench_data;
mod graph;
pub mod project;
mod regions;
mod search;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
    pub centres: Vec<[f64; 2]>,
}

/// Progress in 0..1; return `false` to cancel.
pub type Progress<'a> = &'a mut dyn FnMut(f32) -> bool;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimizeError {
    #[error("{0}")]
    Invalid(String),
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
    let target = locked.total_weight() / locked.k as f64;
    let mut assignment = best.assignment;
    regions::refine(&locked, &mut assignment, &best.centres, target, progress)?;
    let centres = if locked.centres.is_some() { best.centres } else { weighted_centroids(&locked, &assignment, &best.centres) };
    Ok(evaluate(&locked, assignment, centres, best.lower_bound))
}

/// Where in the progress bar the regional refinement starts.
const REFINE_FROM: f64 = 0.85;

/// The problem with each heavy unit locked alone in its territory (see [`heavy_units`]);
/// not with rep home bases as centres, which say where territories are.
fn with_heavy_units_locked<'a>(problem: &Problem<'a>) -> Problem<'a> {
    let mut fixed = problem.fixed.clone();
    if problem.centres.is_none() {
        for (u, t) in heavy_units(problem) {
            fixed[u] = Some(t);
        }
    }
    Problem { fixed, ..problem.clone() }
}

/// Units heavier than the mean, heaviest first, each with the territory it becomes on
/// its own (one without locked units; at most k - 1 of them): anything added to such a
/// unit only deepens its excess.
fn heavy_units(problem: &Problem) -> Vec<(usize, u32)> {
    let total = problem.total_weight();
    let mut heavy: Vec<usize> = (0..problem.weights.len()).filter(|u| problem.weights[*u] > total / problem.k as f64 && problem.fixed[*u].is_none()).collect();
    heavy.sort_by(|a, b| problem.weights[*b].total_cmp(&problem.weights[*a]).then(a.cmp(b)));
    let mut anchored = vec![false; problem.k];
    for t in problem.fixed.iter().flatten() {
        if let Some(a) = anchored.get_mut(*t as usize) {
            *a = true;
        }
    }
    let free: Vec<u32> = (0..problem.k as u32).filter(|t| !anchored[*t as usize]).collect();
    heavy.truncate(free.len().saturating_sub(1));
    heavy.into_iter().zip(free).collect()
}

fn solve_once(problem: &Problem, progress: Progress) -> Result<Solution, OptimizeError> {
    // Without given centres, heavy units are locked alone, and their territories
    // centred on them (see kmeans_pp).
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
    let total = problem.total_weight();
    let target = total / k as f64;
    let heaviest = problem.weights.iter().copied().fold(0.0, f64::max);
    let lower_bound = if target > 0.0 { (heaviest / target - 1.0).max(0.0) } else { 0.0 };
    let mut rng = ChaCha8Rng::seed_from_u64(problem.seed);

    let fixed_centres = problem.centres.is_some();
    let mut centres = match &problem.centres {
        Some(c) => c.clone(),
        None => kmeans_pp(problem, &mut rng),
    };
    if !progress(0.05) {
        return Err(OptimizeError::Cancelled);
    }
    let rounds = if fixed_centres { 1 } else { 6 };
    let mut assignment = vec![0u32; n];
    for round in 0..rounds {
        assignment = balanced_assignment(problem, &centres, target);
        if !fixed_centres {
            centres = weighted_centroids(problem, &assignment, &centres);
        }
        if !progress(0.05 + 0.35 * (round + 1) as f32 / rounds as f32) {
            return Err(OptimizeError::Cancelled);
        }
    }
    if problem.contiguous {
        graph::repair_contiguity(problem, &mut assignment);
    }
    if !progress(0.45) {
        return Err(OptimizeError::Cancelled);
    }
    search::improve(problem, &mut assignment, &centres, target, progress)?;
    if !fixed_centres {
        centres = weighted_centroids(problem, &assignment, &centres);
    }
    Ok(evaluate(problem, assignment, centres, lower_bound))
}

/// Figures of an assignment.
pub fn evaluate(problem: &Problem, assignment: Vec<u32>, centres: Vec<[f64; 2]>, lower_bound: f64) -> Solution {
    let k = problem.k;
    let mut loads = problem.initial_loads();
    let mut distance = 0.0;
    for (u, &t) in assignment.iter().enumerate() {
        loads[t as usize] += problem.weights[u];
        distance += problem.weights[u] * dist(problem.xy_km[u], centres[t as usize]);
    }
    let total: f64 = loads.iter().sum();
    let unit_total: f64 = problem.weights.iter().sum();
    let target = total / k as f64;
    let max_deviation = if target > 0.0 { loads.iter().map(|l| (l - target).abs() / target).fold(0.0, f64::max) } else { 0.0 };
    let noncontiguous = (0..k as u32).filter(|t| components_of(problem.adjacency, &assignment, *t).len() > 1).count();
    let unforced_deviation = if target > 0.0 { regions::deviations(problem, &assignment, target).iter().map(|d| d.abs()).fold(0.0, f64::max) } else { 0.0 };
    Solution {
        unforced_deviation,
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

/// Centres without rep home bases: a territory with locked units (heavy units are
/// locked alone by now) is centred on them; the others by weighted k-means++ after
/// those, then a few Lloyd steps that leave the anchored centres in place.
fn kmeans_pp(problem: &Problem, rng: &mut ChaCha8Rng) -> Vec<[f64; 2]> {
    let n = problem.weights.len();
    let k = problem.k;
    let xy = problem.xy_km;
    let w = |u: usize| problem.weights[u].max(1e-9);
    let mut anchor_sums = vec![[0.0f64; 3]; k];
    for (u, t) in problem.fixed.iter().enumerate() {
        if let Some(s) = t.and_then(|t| anchor_sums.get_mut(t as usize)) {
            s[0] += w(u) * xy[u][0];
            s[1] += w(u) * xy[u][1];
            s[2] += w(u);
        }
    }
    let anchors: Vec<Option<[f64; 2]>> = anchor_sums.iter().map(|s| (s[2] > 0.0).then(|| [s[0] / s[2], s[1] / s[2]])).collect();
    let mut picked: Vec<[f64; 2]> = anchors.iter().flatten().copied().collect();
    let anchored = picked.len();
    let total: f64 = (0..n).map(w).sum();
    if picked.is_empty() {
        let mut pick = rng.gen_range(0.0..total);
        let first = (0..n).find(|u| {
            pick -= w(*u);
            pick <= 0.0
        });
        picked.push(xy[first.unwrap_or(0)]);
    }
    let mut d2: Vec<f64> = (0..n).map(|u| picked.iter().map(|c| dist(xy[u], *c).powi(2)).fold(f64::INFINITY, f64::min)).collect();
    while picked.len() < k {
        let sum: f64 = (0..n).map(|u| d2[u] * w(u)).sum();
        let next = if sum <= 0.0 {
            rng.gen_range(0..n)
        } else {
            let mut pick = rng.gen_range(0.0..sum);
            (0..n).find(|u| {
                pick -= d2[*u] * w(*u);
                pick <= 0.0
            }).unwrap_or(n - 1)
        };
        picked.push(xy[next]);
        for u in 0..n {
            d2[u] = d2[u].min(dist(xy[u], xy[next]).powi(2));
        }
    }
    // Anchored territories take their own centres, the others the picked ones in order.
    let mut free = picked.into_iter().skip(anchored);
    let mut centres: Vec<[f64; 2]> = anchors.iter().map(|a| a.or_else(|| free.next()).unwrap_or([0.0, 0.0])).collect();
    for _ in 0..8 {
        let assignment: Vec<u32> = (0..n).map(|u| nearest(&centres, xy[u]) as u32).collect();
        centres = weighted_centroids(problem, &assignment, &centres);
        for (c, a) in centres.iter_mut().zip(&anchors) {
            if let Some(a) = a {
                *c = *a;
            }
        }
    }
    centres
}

fn nearest(centres: &[[f64; 2]], p: [f64; 2]) -> usize {
    (0..centres.len()).min_by(|a, b| dist(centres[*a], p).total_cmp(&dist(centres[*b], p))).unwrap_or(0)
}

fn weighted_centroids(problem: &Problem, assignment: &[u32], old: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut sums = vec![[0.0f64; 3]; problem.k];
    for (u, &t) in assignment.iter().enumerate() {
        let w = problem.weights[u].max(1e-9);
        let s = &mut sums[t as usize];
        s[0] += w * problem.xy_km[u][0];
        s[1] += w * problem.xy_km[u][1];
        s[2] += w;
    }
    sums.iter().zip(old).map(|(s, o)| if s[2] > 0.0 { [s[0] / s[2], s[1] / s[2]] } else { *o }).collect()
}

/// Candidate centres of each unit: its L nearest.
fn candidates(problem: &Problem, centres: &[[f64; 2]], l: usize) -> Vec<Vec<(u32, f64)>> {
    problem
        .xy_km
        .iter()
        .map(|p| {
            let mut all: Vec<(u32, f64)> = centres.iter().enumerate().map(|(c, q)| (c as u32, dist(*p, *q))).collect();
            let l = l.min(all.len());
            all.select_nth_unstable_by(l - 1, |a, b| a.1.total_cmp(&b.1));
            all.truncate(l);
            all
        })
        .collect()
}

/// Hess-Samuels style balanced assignment: prices (offsets) per territory are raised
/// where load is short and lowered where it is over, until loads are near W/K.
fn balanced_assignment(problem: &Problem, centres: &[[f64; 2]], target: f64) -> Vec<u32> {
    let n = problem.weights.len();
    let k = problem.k;
    let cands = candidates(problem, centres, 10.min(k));
    // A typical distance sets the scale of the offsets and of the disruption cost.
    let scale = {
        let mut d: Vec<f64> = cands.iter().map(|c| c.iter().map(|x| x.1).fold(f64::INFINITY, f64::min)).collect();
        d.sort_by(f64::total_cmp);
        d.get(n / 2).copied().unwrap_or(1.0).max(1e-6) * 2.0 + 1e-6
    };
    // What each territory should receive: the mean, or more when its locked units alone
    // weigh more (a heavy unit locked on its own): that excess cannot be priced away.
    let mut locked = vec![0.0f64; k];
    for (u, t) in problem.fixed.iter().enumerate() {
        if let Some(t) = t {
            locked[*t as usize] += problem.weights[u];
        }
    }
    let goal: Vec<f64> = (0..k).map(|t| target.max(locked[t] + problem.base_load(t))).collect();
    let mut offset = vec![0.0f64; k];
    let mut assignment = vec![0u32; n];
    // The best sweep is kept: the prices oscillate near the end.
    let mut best: (f64, Vec<u32>) = (f64::INFINITY, Vec::new());
    let sweeps = 300;
    for sweep in 0..sweeps {
        let mut loads = problem.initial_loads();
        for u in 0..n {
            let t = match problem.fixed[u] {
                Some(t) => t,
                None => {
                    let mut best = (cands[u][0].0, f64::INFINITY);
                    for &(c, d) in &cands[u] {
                        let stay = match &problem.start {
                            Some(s) if s[u] != c => problem.disruption * scale,
                            _ => 0.0,
                        };
                        let cost = d + stay - offset[c as usize];
                        if cost < best.1 {
                            best = (c, cost);
                        }
                    }
                    best.0
                }
            };
            assignment[u] = t;
            loads[t as usize] += problem.weights[u];
        }
        let worst = loads.iter().zip(&goal).map(|(l, g)| (l - g).abs() / target.max(1e-12)).fold(0.0, f64::max);
        if worst < best.0 {
            best = (worst, assignment.clone());
        }
        // Close enough: the local search does the rest.
        if worst < problem.tolerance * 0.5 {
            break;
        }
        let eta = scale * 0.5 * (1.0 - sweep as f64 / sweeps as f64).max(0.05);
        for c in 0..k {
            offset[c] += eta * ((goal[c] - loads[c]) / target.max(1e-12)).clamp(-1.0, 1.0);
        }
    }
    best.1
}
