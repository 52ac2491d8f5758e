//! Large-neighbourhood refinement. Where the local search stalls with a territory still
//! outside the tolerance (few, large units: a move overshoots, a swap breaks a border),
//! that territory and the ones around it are partitioned again from scratch, as a
//! problem of their own, and the new partition replaces theirs when it is better
//! balanced against the global mean. A region grows ring by ring until, on average, it
//! weighs what its territories should, so that balancing inside it can succeed.

use super::goals::{Goals, Score};
use super::{solve_with, OptimizeError, Problem, Progress};

/// Territories in a region at most, and units (the sub-problem stays fast).
const MAX_REGION_TERRITORIES: usize = 12;
const MAX_REGION_UNITS: usize = 3_000;
/// Failed attempts on a territory (each with a wider region) before it is left alone.
const MAX_TRIES: u32 = 3;
/// Random starts of each regional solve.
const REGION_ATTEMPTS: u64 = 4;

/// Deviation of each territory from its goal (see [`Goals`]), as the search sees it.
pub(super) fn deviations(problem: &Problem, goals: &Goals, assignment: &[u32]) -> Vec<f64> {
    goals.deviations(&super::goals::loads(problem, assignment))
}

/// Territories adjacent to each territory.
fn territory_neighbours(problem: &Problem, assignment: &[u32]) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); problem.k];
    for (u, &t) in assignment.iter().enumerate() {
        for &v in &problem.adjacency[u] {
            let other = assignment[v as usize];
            if other != t && !out[t as usize].contains(&other) {
                out[t as usize].push(other);
            }
        }
    }
    out
}

/// `t` and the territories within `rings` steps of it, then further rings while the
/// region's mean deviation is beyond half the tolerance, within the size limits.
fn region_around(t: u32, rings: u32, neighbours: &[Vec<u32>], devs: &[f64], sizes: &[usize], tolerance: f64) -> Vec<u32> {
    let mut region = vec![t];
    let mut frontier = vec![t];
    let mut units = sizes[t as usize];
    let mut ring = 0;
    loop {
        let mean = region.iter().map(|r| devs[*r as usize]).sum::<f64>() / region.len() as f64;
        if ring >= rings && mean.abs() <= tolerance * 0.5 {
            break;
        }
        let mut next: Vec<u32> = frontier.iter().flat_map(|f| neighbours[*f as usize].iter().copied()).filter(|n| !region.contains(n)).collect();
        next.sort_unstable();
        next.dedup();
        // Those that offset the region's deviation first, so a partial ring helps most.
        next.sort_by(|a, b| (devs[*a as usize] * mean.signum()).total_cmp(&(devs[*b as usize] * mean.signum())).then(a.cmp(b)));
        let mut added = Vec::new();
        for n in next {
            if region.len() >= MAX_REGION_TERRITORIES || units + sizes[n as usize] > MAX_REGION_UNITS {
                break;
            }
            units += sizes[n as usize];
            region.push(n);
            added.push(n);
        }
        if added.is_empty() {
            break;
        }
        frontier = added;
        ring += 1;
    }
    region
}

pub(super) fn refine(problem: &Problem, assignment: &mut [u32], centres: &[[f64; 2]], progress: Progress) -> Result<(), OptimizeError> {
    let k = problem.k;
    let n = assignment.len();
    let goals = Goals::of(problem);
    if k < 2 || goals.fair <= 0.0 {
        return Ok(());
    }
    let tolerance = problem.tolerance;
    let mut tries = vec![0u32; k];
    // Work is bounded by units solved again (times the starts of each solve), so that
    // the time stays in proportion to the input and the result does not depend on the
    // machine's speed.
    let budget = 6 * n + 20_000;
    let mut spent = 0usize;
    let mut round = 0u64;
    while spent < budget {
        let done = super::REFINE_FROM as f32 + (1.0 - super::REFINE_FROM as f32) * (spent as f32 / budget as f32).min(1.0);
        if !progress(done) {
            return Err(OptimizeError::Cancelled);
        }
        let devs = deviations(problem, &goals, assignment);
        let Some(t) = (0..k).filter(|t| tries[*t] < MAX_TRIES && devs[*t].abs() > tolerance).max_by(|a, b| devs[*a].abs().total_cmp(&devs[*b].abs()).then(b.cmp(a))) else {
            break;
        };
        let neighbours = territory_neighbours(problem, assignment);
        let mut sizes = vec![0usize; k];
        for &x in assignment.iter() {
            sizes[x as usize] += 1;
        }
        let region = region_around(t as u32, 1 + tries[t], &neighbours, &devs, &sizes, tolerance);
        round += 1;
        let before = Score::of(&devs, &region, tolerance);
        // Inside the region, balance around its own mean tightly enough that against
        // the global mean the tolerance holds.
        let offset = region.iter().map(|r| devs[*r as usize]).sum::<f64>() / region.len() as f64;
        let tighter = (tolerance - offset.abs()).max(tolerance * 0.25);
        let outcome = solve_region(problem, assignment, centres, &region, round, tighter)?;
        spent += region.iter().map(|r| sizes[*r as usize]).sum::<usize>() * (1 + REGION_ATTEMPTS as usize);
        let improved = outcome.and_then(|changes| {
            let mut trial = assignment.to_vec();
            for &(u, x) in &changes {
                trial[u] = x;
            }
            Score::of(&deviations(problem, &goals, &trial), &region, tolerance).better_than(&before).then_some(trial)
        });
        match improved {
            Some(trial) => {
                assignment.copy_from_slice(&trial);
                for r in &region {
                    tries[*r as usize] = 0;
                }
            }
            None => tries[t] += 1,
        }
    }
    Ok(())
}

/// Partitions the units of `region` again among its territories; returns the new
/// territory of each of its units, or `None` when the sub-problem fails (pieces).
fn solve_region(problem: &Problem, assignment: &[u32], centres: &[[f64; 2]], region: &[u32], round: u64, tolerance: f64) -> Result<Option<Vec<(usize, u32)>>, OptimizeError> {
    let position = |t: u32| region.iter().position(|r| *r == t);
    let members: Vec<usize> = (0..assignment.len()).filter(|u| position(assignment[*u]).is_some()).collect();
    if members.len() < region.len() {
        // Fewer units than territories (territories left empty): nothing to partition.
        return Ok(None);
    }
    let mut local = vec![u32::MAX; assignment.len()];
    for (i, u) in members.iter().enumerate() {
        local[*u] = i as u32;
    }
    let weights: Vec<f64> = members.iter().map(|u| problem.weights[*u]).collect();
    let xy: Vec<[f64; 2]> = members.iter().map(|u| problem.xy_km[*u]).collect();
    let adjacency: Vec<Vec<u32>> = members.iter().map(|u| problem.adjacency[*u].iter().map(|v| local[*v as usize]).filter(|l| *l != u32::MAX).collect()).collect();
    let fixed: Vec<Option<u32>> = members.iter().map(|u| problem.fixed[*u].and_then(position).map(|p| p as u32)).collect();
    let outside = region.len() as u32;
    let start = problem.start.as_ref().map(|s| members.iter().map(|u| position(s[*u]).map_or(outside, |p| p as u32)).collect());
    let base_loads: Vec<f64> = region.iter().map(|t| problem.base_load(*t as usize)).collect();
    let road_km = problem.road_km.map(|r| r.subset(&members, region));
    // Centres stay those of the region's territories, so that each new territory keeps
    // its identity (its rep, its units for the disruption weight).
    let sub = Problem {
        weights: &weights,
        xy_km: &xy,
        adjacency: &adjacency,
        k: region.len(),
        tolerance,
        centres: Some(region.iter().map(|t| centres[*t as usize]).collect()),
        fixed,
        start,
        disruption: problem.disruption,
        seed: problem.seed.wrapping_add(round),
        contiguous: problem.contiguous,
        base_loads,
        road_km: road_km.as_ref(),
    };
    // A sub-problem that cannot be solved leaves the region as it is; only a cancel
    // stops the whole run.
    let anchored = match solve_with(&sub, &mut |_| true, 1, false) {
        Ok(solution) => solution,
        Err(OptimizeError::Cancelled) => return Err(OptimizeError::Cancelled),
        Err(_) => return Ok(None),
    };
    let anchored_key = (anchored.noncontiguous, anchored.max_deviation);
    let (mut pieces, mut result) = (anchored.noncontiguous, anchored.assignment);
    // Without rep home bases the centres may move too: a few fresh starts, relabelled
    // to the territories they overlap most.
    if problem.centres.is_none() && problem.disruption == 0.0 {
        let free = Problem { centres: None, start: None, road_km: None, ..sub.clone() };
        let fresh = match solve_with(&free, &mut |_| true, REGION_ATTEMPTS, false) {
            Ok(solution) => solution,
            Err(OptimizeError::Cancelled) => return Err(OptimizeError::Cancelled),
            Err(_) => return Ok(None),
        };
        if (fresh.noncontiguous, fresh.max_deviation) < anchored_key {
            let current: Vec<u32> = members.iter().map(|u| position(assignment[*u]).map_or(0, |p| p as u32)).collect();
            (pieces, result) = (fresh.noncontiguous, relabel(&fresh.assignment, &current, &sub.fixed, region.len()));
        }
    }
    if problem.contiguous && pieces > 0 {
        return Ok(None);
    }
    // Every territory of the region must keep at least one unit.
    let mut kept = vec![false; region.len()];
    for x in &result {
        kept[*x as usize] = true;
    }
    if kept.contains(&false) {
        return Ok(None);
    }
    Ok(Some(members.iter().zip(&result).map(|(u, x)| (*u, region[*x as usize])).collect()))
}

/// Renames the territories of `fresh` after those of `current` they share most units
/// with (greedy); territories holding locked units already carry the right name.
fn relabel(fresh: &[u32], current: &[u32], fixed: &[Option<u32>], k: usize) -> Vec<u32> {
    let mut overlap = vec![vec![0usize; k]; k];
    for (f, c) in fresh.iter().zip(current) {
        overlap[*f as usize][*c as usize] += 1;
    }
    let mut name: Vec<Option<u32>> = vec![None; k];
    let mut taken = vec![false; k];
    for t in fixed.iter().flatten() {
        name[*t as usize] = Some(*t);
        taken[*t as usize] = true;
    }
    let mut pairs: Vec<(usize, usize, usize)> = (0..k).flat_map(|f| (0..k).map(move |c| (f, c))).map(|(f, c)| (overlap[f][c], f, c)).collect();
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, f, c) in pairs {
        if name[f].is_none() && !taken[c] {
            name[f] = Some(c as u32);
            taken[c] = true;
        }
    }
    fresh.iter().map(|f| name[*f as usize].unwrap_or(*f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relabel_follows_the_largest_overlap_and_keeps_locked_names() {
        // Fresh territories 0/1 are current 1/0.
        assert_eq!(relabel(&[0, 0, 1, 1], &[1, 1, 0, 0], &[None; 4], 2), vec![1, 1, 0, 0]);
        // A locked unit in fresh territory 0 pins its name, whatever the overlap.
        assert_eq!(relabel(&[0, 0, 1, 1], &[1, 1, 0, 0], &[Some(0), None, None, None], 2), vec![0, 0, 1, 1]);
    }

    #[test]
    fn deviations_do_not_count_what_a_heavy_unit_forces() {
        let weights = [9.0, 1.0, 1.0, 1.0];
        let xy = [[0.0, 0.0]; 4];
        let adjacency: Vec<Vec<u32>> = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
        let p = Problem { weights: &weights, xy_km: &xy, adjacency: &adjacency, k: 2, tolerance: 0.01, centres: None, fixed: vec![Some(0), None, None, None], start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new(), road_km: None };
        // The heavy unit locked alone is on its goal, all of its excess forced; the rest
        // is the other territory's fair share, exactly.
        let devs = deviations(&p, &Goals::of(&p), &[0, 1, 1, 1]);
        assert!(devs[0].abs() < 1e-12 && devs[1].abs() < 1e-12, "{devs:?}");
        // A light unit more in the heavy territory is a third of the fair share over.
        let devs = deviations(&p, &Goals::of(&p), &[0, 0, 1, 1]);
        assert!((devs[0] - 1.0 / 3.0).abs() < 1e-12 && (devs[1] + 1.0 / 3.0).abs() < 1e-12, "{devs:?}");
    }
}
