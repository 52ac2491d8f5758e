//! The optimizer on the peers' benchmark data (../shared/data/bench), same weights and
//! adjacency: max deviation, contiguity, mean weighted distance, time. Run with
//! `cargo bench --bench optimize`.

use std::path::Path;
use std::time::Instant;
use territory_designer::optimize::{bench_data, solve, Problem};

fn main() {
    let dir = Path::new("../shared/data/bench");
    if !dir.exists() {
        eprintln!("skipped: ../shared/data/bench is absent");
        return;
    }
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let cases = [("nc_sids2", "area_km2", 20, 0.01), ("georgia", "area_km2", 20, 0.01), ("us_counties", "weight", 20, 0.01), ("us_counties", "weight", 50, 0.01), ("us_counties", "weight", 50, 0.05), ("us_hex30k", "weight", 200, 0.01)];
    println!("{:<12} {:>4} {:>5} {:>9} {:>8} {:>10} {:>8} {:>14} {:>8}", "dataset", "K", "tol", "max dev", "pieces", "dist km", "secs", "unforced dev", "within");
    // SEEDS=5 runs each case with seeds 1..=5, to see how steady the figures are.
    let seeds: u64 = std::env::var("SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    for (name, weight, k, tol) in cases {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let data = bench_data::load(dir, name, weight).expect("bench data loads");
        for seed in 1..=seeds {
        let problem = Problem {
            weights: &data.weights,
            xy_km: &data.xy_km,
            adjacency: &data.adjacency,
            k,
            tolerance: tol,
            centres: None,
            fixed: vec![None; data.weights.len()],
            start: None,
            disruption: 0.0,
            seed,
            contiguous: true,
            base_loads: Vec::new(),
            road_km: None,
        };
        let started = Instant::now();
        let solution = solve(&problem, &mut |_| true).expect("solves");
        let secs = started.elapsed().as_secs_f64();
        // Territories within the tolerance of their share (the mean, or what is left of
        // it beside units that alone outweigh it).
        let within = solution.deviations.iter().filter(|d| d.abs() <= tol + 1e-12).count();
        println!(
            "{:<12} {:>4} {:>4.0}% {:>8.2}% {:>8} {:>10.1} {:>8.2} {:>13.2}% {:>8}",
            name,
            k,
            tol * 100.0,
            solution.max_deviation * 100.0,
            solution.noncontiguous,
            solution.mean_weighted_distance_km,
            secs,
            solution.unforced_deviation * 100.0,
            format!("{within}/{k}")
        );
        }
    }
}
