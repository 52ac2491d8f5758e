//! Douglas-Peucker simplification of arcs. Both ends of an arc are kept (they are
//! junctions other arcs end at too), so the simplified arcs still join up; a closed arc
//! keeps its start and the point farthest from it, so it stays a ring.

/// Squared distance from `p` to the segment `a`-`b`.
fn segment_distance_sq(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len_sq = dx * dx + dy * dy;
    let t = if len_sq > 0.0 { (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len_sq).clamp(0.0, 1.0) } else { 0.0 };
    let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    x * x + y * y
}

/// Marks the points of `points[first..=last]` to keep at `tolerance` (first and last
/// are kept by the caller).
fn mark(points: &[[f64; 2]], first: usize, last: usize, tolerance_sq: f64, keep: &mut [bool]) {
    let mut stack = vec![(first, last)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let mut farthest = (0.0, a);
        for (i, p) in points.iter().enumerate().take(b).skip(a + 1) {
            let d = segment_distance_sq(*p, points[a], points[b]);
            if d > farthest.0 {
                farthest = (d, i);
            }
        }
        if farthest.0 > tolerance_sq {
            keep[farthest.1] = true;
            stack.push((a, farthest.1));
            stack.push((farthest.1, b));
        }
    }
}

/// The arc's points that a line within `tolerance` of every original point needs.
pub fn simplify_arc(points: &[[f64; 2]], tolerance: f64) -> Vec<[f64; 2]> {
    let n = points.len();
    if n <= 2 || tolerance <= 0.0 {
        return points.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let tolerance_sq = tolerance * tolerance;
    if points[0] == points[n - 1] {
        // A closed arc: split it at the point farthest from its start.
        let far = (1..n - 1).max_by(|a, b| dist_sq(points[*a], points[0]).total_cmp(&dist_sq(points[*b], points[0]))).unwrap_or(1);
        keep[far] = true;
        mark(points, 0, far, tolerance_sq, &mut keep);
        mark(points, far, n - 1, tolerance_sq, &mut keep);
    } else {
        mark(points, 0, n - 1, tolerance_sq, &mut keep);
    }
    points.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

fn dist_sq(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_keeps_its_ends_and_a_bump_above_the_tolerance_stays() {
        let line: Vec<[f64; 2]> = (0..=10).map(|i| [i as f64, 0.0]).collect();
        assert_eq!(simplify_arc(&line, 0.1), vec![[0.0, 0.0], [10.0, 0.0]]);
        let mut bumpy = line.clone();
        bumpy[5] = [5.0, 1.0];
        assert_eq!(simplify_arc(&bumpy, 0.9), vec![[0.0, 0.0], [5.0, 1.0], [10.0, 0.0]]);
        assert_eq!(simplify_arc(&bumpy, 0.5).len(), 5, "(4, 0) is 0.78 from the chord to the bump");
        assert_eq!(simplify_arc(&bumpy, 2.0).len(), 2);
    }

    #[test]
    fn every_dropped_point_lies_within_the_tolerance_of_the_result() {
        let wiggly: Vec<[f64; 2]> = (0..400).map(|i| {
            let t = i as f64 / 10.0;
            [t, (t * 1.7).sin() * 0.8 + (t * 5.3).cos() * 0.2]
        }).collect();
        for tolerance in [0.01, 0.1, 0.5] {
            let simple = simplify_arc(&wiggly, tolerance);
            assert!(simple.len() < wiggly.len());
            for p in &wiggly {
                let d = simple.windows(2).map(|w| segment_distance_sq(*p, w[0], w[1])).fold(f64::INFINITY, f64::min);
                assert!(d.sqrt() <= tolerance + 1e-12, "{p:?} is {} away at tolerance {tolerance}", d.sqrt());
            }
        }
    }

    #[test]
    fn a_closed_arc_stays_a_ring() {
        let circle: Vec<[f64; 2]> = (0..=64).map(|i| {
            let t = (i % 64) as f64 / 64.0 * std::f64::consts::TAU;
            [t.cos(), t.sin()]
        }).collect();
        let coarse = simplify_arc(&circle, 0.5);
        assert_eq!(coarse.first(), coarse.last());
        assert!(coarse.len() >= 4, "{coarse:?}");
    }
}
