//! Applying a 500-ZIP assignment to the sample and updating metrics incrementally
//! (target: under 1 ms), against a full recompute.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::path::Path;
use territory_designer::io::project_file;
use territory_designer::metrics::ScenarioMetrics;
use territory_designer::model::{Command, UnitId};
use territory_designer::session::Session;

fn bench(c: &mut Criterion) {
    let project = project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).expect("the bundled sample loads");
    let mut session = Session::new(project);
    let target = session.scenario().territories[0].id;
    let units: Vec<UnitId> = (0..session.project().units.len() as u32)
        .map(UnitId)
        .filter(|u| session.scenario().unit_territory(*u) != Some(target))
        .take(500)
        .collect();
    let moved: usize = units.iter().map(|u| session.project().accounts_in_unit(*u).len()).sum();
    eprintln!("500 ZIPs carry {moved} accounts");

    c.bench_function("assign 500 ZIPs + incremental metrics (execute and undo = 2 edits)", |b| {
        b.iter(|| {
            session.execute(Command::assign_units(units.iter().copied(), Some(target))).unwrap();
            session.undo().unwrap();
        })
    });
    c.bench_function("full metrics recompute of the sample", |b| {
        b.iter(|| black_box(ScenarioMetrics::compute(session.project(), session.scenario())))
    });
    c.bench_function("load the sample project file", |b| {
        b.iter(|| black_box(project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).unwrap()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
