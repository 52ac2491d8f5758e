//! Road networks at state size: a synthetic grid of 2.1 M junctions (1,450 x 1,450,
//! 300 m apart, two-way, a motorway every 20th row) stands for a 300-500 MB extract.
//! Measures building the graph (parallel edges, strongly connected part), saving and
//! loading it, snapping, and searches from a home base: to the whole state, and with a
//! one-hour cut-off (a rep's territory).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Instant;
use territory_designer::drivetime::roads::search::{reach_from, Snapper};
use territory_designer::drivetime::roads::{RoadEdge, RoadNetwork};

const SIDE: u32 = 1450;
/// South-west corner of the grid: where `fixtures::grid_project` puts its ZIPs.
const ORIGIN: [f64; 2] = [-78.0, 40.0];

fn grid() -> (Vec<[f64; 2]>, Vec<RoadEdge>) {
    let step = 0.0027; // about 300 m of latitude
    let mut nodes = Vec::with_capacity((SIDE * SIDE) as usize);
    for r in 0..SIDE {
        for c in 0..SIDE {
            nodes.push([ORIGIN[0] + c as f64 * step * 1.3, ORIGIN[1] + r as f64 * step]);
        }
    }
    let mut edges = Vec::with_capacity((SIDE * SIDE * 4) as usize);
    for r in 0..SIDE {
        for c in 0..SIDE {
            let a = r * SIDE + c;
            let speed = if r % 20 == 0 { 90.0 } else { 25.0 };
            if c + 1 < SIDE {
                edges.push((a, a + 1, 300.0, 300.0 / (speed / 3.6)));
                edges.push((a + 1, a, 300.0, 300.0 / (speed / 3.6)));
            }
            if r + 1 < SIDE {
                edges.push((a, a + SIDE, 300.0, 300.0 / (25.0 / 3.6)));
                edges.push((a + SIDE, a, 300.0, 300.0 / (25.0 / 3.6)));
            }
        }
    }
    (nodes, edges)
}

fn bench(c: &mut Criterion) {
    let (nodes, edges) = grid();
    let started = Instant::now();
    let network = RoadNetwork::from_edges(nodes.clone(), edges.clone());
    eprintln!("build {} junctions, {} links: {:.2} s", network.node_count(), network.edge_count(), started.elapsed().as_secs_f64());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.roads");
    let started = Instant::now();
    network.save(&path).unwrap();
    eprintln!("save: {:.2} s, {} MB", started.elapsed().as_secs_f64(), std::fs::metadata(&path).unwrap().len() / 1_000_000);
    let started = Instant::now();
    let loaded = RoadNetwork::load(&path).unwrap();
    eprintln!("load: {:.2} s", started.elapsed().as_secs_f64());
    assert_eq!(loaded.node_count(), network.node_count());
    let started = Instant::now();
    let snapper = Snapper::new(&network);
    eprintln!("snap index: {:.2} s", started.elapsed().as_secs_f64());
    let home = snapper.snap(ORIGIN[0] + 1.0, ORIGIN[1] + 1.9).expect("on the grid");
    let mut group = c.benchmark_group("roads");
    group.sample_size(10);
    group.bench_function("build 2.1 M-junction graph", |b| b.iter(|| black_box(RoadNetwork::from_edges(nodes.clone(), edges.clone()))));
    group.bench_function("search from a home base to the whole state", |b| b.iter(|| black_box(reach_from(&network, &home, f64::INFINITY))));
    group.bench_function("search from a home base, 1 h cut-off", |b| b.iter(|| black_box(reach_from(&network, &home, 3600.0))));
    group.bench_function("snap 10,000 points", |b| {
        b.iter(|| (0..10_000).filter_map(|i| snapper.snap(ORIGIN[0] + (i % 100) as f64 * 0.05, ORIGIN[1] + (i / 100) as f64 * 0.039)).count())
    });
    group.finish();
    drop(snapper);
    national_times(network);
}

/// The target: 200 reps, 30,000 ZIP centres and 200,000 accounts on the 2 M
/// junction graph. ZIPs of a 200 x 150 grid over the roads, territories as 20 x 10
/// blocks with the rep at the middle of each.
fn national_times(network: RoadNetwork) {
    use territory_designer::drivetime::roads::cache::{search_reach, RoadTimes};
    use territory_designer::model::entities::LonLat;
    let (cols, rows, cell) = (200usize, 150usize, 0.0245);
    let mut project = territory_designer::fixtures::grid_project(cols, rows, cell, 200_000, 200, 7);
    let ids: Vec<_> = project.scenarios[0].territories.iter().map(|t| t.id).collect();
    for r in 0..rows {
        for c in 0..cols {
            project.scenarios[0].unit_territory[r * cols + c] = Some(ids[(r * 10 / rows) * 20 + c * 20 / cols]);
        }
    }
    for (i, rep) in project.reps.iter_mut().enumerate() {
        let (bc, br) = (i % 20, i / 20);
        rep.home = LonLat::new(ORIGIN[0] + (bc as f64 + 0.5) * cols as f64 * cell / 20.0, ORIGIN[1] + (br as f64 + 0.5) * rows as f64 * cell / 10.0);
    }
    let started = Instant::now();
    let times = RoadTimes::new(std::sync::Arc::new(network), &project, "synthetic".into());
    let snapped = started.elapsed().as_secs_f64();
    let reach = search_reach(&project);
    let mean_cutoff = reach.iter().map(|r| r.1).sum::<f64>() / reach.len() as f64;
    let started = Instant::now();
    times.prepare(&reach, &mut |_| true);
    let searched = started.elapsed().as_secs_f64();
    let times = std::sync::Arc::new(times);
    let metrics = territory_designer::metrics::ScenarioMetrics::compute_with_roads(&project, &project.scenarios[0], Some(times.clone()));
    eprintln!(
        "road times, 200 reps x 30,000 ZIPs x 200,000 accounts: snap index and snaps {snapped:.2} s, 200 searches (mean cut-off {mean_cutoff:.1} h) {searched:.2} s; drive hours {:.0}",
        metrics.territories.iter().map(|t| t.drive_hours).sum::<f64>()
    );
    // The optimizer on the same project, by straight line and by road.
    use territory_designer::optimize::project::{Measure, Options, Request};
    let options = Options { measure: Measure::Potential, tolerance: 0.05, disruption: 0.0, seed: 1, contiguous: true, within_regions: false };
    let request = Request { start: project.scenarios[0].id, territories: 200, only: None, without: Vec::new(), options };
    for (name, roads) in [("straight line", None), ("by road", Some(&*times))] {
        let started = Instant::now();
        let proposal = request.run(&project, roads, &mut |_| true).expect("the grid optimizes");
        eprintln!("optimize 200 territories of 30,000 ZIPs, {name}: {:.1} s; {}", started.elapsed().as_secs_f64(), proposal.summary());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
