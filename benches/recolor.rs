//! Recolouring every ZIP for each colour mode (target: under 16 ms), on the bundled
//! sample (3,033 ZIPs, 8,000 accounts) and on a national-scale grid (34,000 units,
//! 90,000 accounts: about the count of US ZCTAs).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::path::Path;
use territory_designer::colormap::{unit_colors, ColorBy};
use territory_designer::fixtures::grid_project;
use territory_designer::io::project_file;
use territory_designer::metrics::ScenarioMetrics;
use territory_designer::model::Project;

/// A colour mode by name, built on demand.
type Mode = (&'static str, fn() -> ColorBy);

const MODES: [Mode; 5] = [
    ("territory", || ColorBy::Territory),
    ("workload", || ColorBy::Workload),
    ("drive time", || ColorBy::DriveTime),
    ("balance", || ColorBy::Balance),
    ("potential per km2", || ColorBy::Attribute("potential_per_km2".into())),
];

fn recolor(c: &mut Criterion, label: &str, project: &Project) {
    let scenario = &project.scenarios[0];
    let metrics = ScenarioMetrics::compute(project, scenario);
    for (name, mode) in MODES {
        let mode = mode();
        c.bench_function(&format!("recolour all units, {name} ({label})"), |b| {
            b.iter(|| black_box(unit_colors(project, scenario, &metrics, &mode).unwrap()))
        });
    }
}

fn bench(c: &mut Criterion) {
    let sample = project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).expect("the bundled sample loads");
    recolor(c, "sample, 3,033 ZIPs", &sample);
    let national = grid_project(200, 170, 0.15, 90_000, 300, 11);
    recolor(c, "national grid, 34,000 units", &national);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
