//! Where territories start, when no rep home bases say so.
//!
//! A territory holding locked units (a heavy unit locked alone, or the planner's locks)
//! is centred on them. The others come from recursive coordinate bisection of the
//! remaining units: cut the units across their longer extent where the weight splits
//! in proportion to the territories on each side, and again on each side. Every part
//! then weighs what a territory should, so dense areas get as many centres as their
//! weight calls for (k-means++ seeds by distance, and leaves a dense city short of
//! centres: a pocket of heavy units among a few centres cannot be balanced after).

use super::Problem;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Largest turn of a cut away from the longer axis, radians: the seed varies the cuts.
const MAX_TURN: f64 = 0.35;

pub fn seed(problem: &Problem, rng: &mut ChaCha8Rng) -> Vec<[f64; 2]> {
    let k = problem.k;
    let xy = problem.xy_km;
    let mut anchor_sums = vec![[0.0f64; 3]; k];
    for (u, t) in problem.fixed.iter().enumerate() {
        if let Some(s) = t.and_then(|t| anchor_sums.get_mut(t as usize)) {
            let w = problem.weights[u].max(1e-9);
            s[0] += w * xy[u][0];
            s[1] += w * xy[u][1];
            s[2] += w;
        }
    }
    let anchors: Vec<Option<[f64; 2]>> = anchor_sums.iter().map(|s| (s[2] > 0.0).then(|| [s[0] / s[2], s[1] / s[2]])).collect();
    let free_territories = anchors.iter().filter(|a| a.is_none()).count();
    let free_units: Vec<u32> = (0..problem.weights.len() as u32).filter(|u| problem.fixed[*u as usize].is_none()).collect();
    let mut parts = Vec::with_capacity(free_territories);
    bisect(problem, free_units, free_territories, rng, &mut parts);
    let mut free = parts.into_iter();
    anchors.iter().map(|a| a.or_else(|| free.next()).unwrap_or([0.0, 0.0])).collect()
}

/// Splits `units` into `k` parts of proportional weight; pushes each part's weighted
/// centre (or, for a part left without units, the centre of the whole).
fn bisect(problem: &Problem, mut units: Vec<u32>, k: usize, rng: &mut ChaCha8Rng, out: &mut Vec<[f64; 2]>) {
    if k == 0 {
        return;
    }
    let xy = problem.xy_km;
    let weight = |u: u32| problem.weights[u as usize].max(1e-9);
    if k == 1 || units.len() <= 1 {
        let centre = weighted_centre(problem, &units);
        out.extend(std::iter::repeat_n(centre, k));
        return;
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for &u in &units {
        for d in 0..2 {
            lo[d] = lo[d].min(xy[u as usize][d]);
            hi[d] = hi[d].max(xy[u as usize][d]);
        }
    }
    let base = if hi[0] - lo[0] >= hi[1] - lo[1] { 0.0 } else { std::f64::consts::FRAC_PI_2 };
    let angle = base + rng.gen_range(-MAX_TURN..=MAX_TURN);
    let (cos, sin) = (angle.cos(), angle.sin());
    let along = |u: u32| xy[u as usize][0] * cos + xy[u as usize][1] * sin;
    units.sort_by(|a, b| along(*a).total_cmp(&along(*b)).then(a.cmp(b)));
    let left_k = k / 2;
    let total: f64 = units.iter().map(|u| weight(*u)).sum();
    let wanted = total * left_k as f64 / k as f64;
    // The cut where the running weight comes nearest the left side's share.
    let mut running = 0.0;
    let mut cut = 0;
    for (i, &u) in units.iter().enumerate() {
        let w = weight(u);
        if (running + w - wanted).abs() > (running - wanted).abs() {
            break;
        }
        running += w;
        cut = i + 1;
    }
    let cut = cut.clamp(1, units.len() - 1);
    let right = units.split_off(cut);
    bisect(problem, units, left_k, rng, out);
    bisect(problem, right, k - left_k, rng, out);
}

fn weighted_centre(problem: &Problem, units: &[u32]) -> [f64; 2] {
    let mut s = [0.0f64; 3];
    for &u in units {
        let w = problem.weights[u as usize].max(1e-9);
        s[0] += w * problem.xy_km[u as usize][0];
        s[1] += w * problem.xy_km[u as usize][1];
        s[2] += w;
    }
    if s[2] > 0.0 {
        [s[0] / s[2], s[1] / s[2]]
    } else {
        [0.0, 0.0]
    }
}

/// Weighted centre of each territory of an assignment (the old centre for an empty one).
pub fn weighted_centroids(problem: &Problem, assignment: &[u32], old: &[[f64; 2]]) -> Vec<[f64; 2]> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_dense_corner_gets_centres_in_proportion_to_its_weight() {
        // A 10 x 10 grid whose 2 x 2 corner holds as much weight as the other 96 units.
        let n = 100;
        let xy: Vec<[f64; 2]> = (0..n).map(|i| [(i % 10) as f64, (i / 10) as f64]).collect();
        let weights: Vec<f64> = (0..n).map(|i| if i % 10 < 2 && i / 10 < 2 { 24.0 } else { 1.0 }).collect();
        let adjacency = vec![Vec::new(); n];
        let p = Problem { weights: &weights, xy_km: &xy, adjacency: &adjacency, k: 8, tolerance: 0.01, centres: None, fixed: vec![None; n], start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new(), road_km: None };
        let centres = seed(&p, &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(centres.len(), 8);
        let in_corner = centres.iter().filter(|c| c[0] < 2.0 && c[1] < 2.0).count();
        assert!(in_corner >= 3, "half the weight, so about half the centres: {centres:?}");
    }

    #[test]
    fn locked_units_anchor_their_territory() {
        let xy: Vec<[f64; 2]> = (0..6).map(|i| [i as f64, 0.0]).collect();
        let weights = vec![1.0; 6];
        let adjacency = vec![Vec::new(); 6];
        let fixed = vec![None, None, None, None, None, Some(1)];
        let p = Problem { weights: &weights, xy_km: &xy, adjacency: &adjacency, k: 2, tolerance: 0.01, centres: None, fixed, start: None, disruption: 0.0, seed: 1, contiguous: true, base_loads: Vec::new(), road_km: None };
        let centres = seed(&p, &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(centres[1], [5.0, 0.0]);
        assert_eq!(centres[0], [2.0, 0.0], "the free territory is centred on the free units");
    }
}
