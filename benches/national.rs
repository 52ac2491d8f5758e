//! The national project (29,984 ZIPs, 200,000 accounts, 200 reps; built once from
//! ../shared/data into target/bench-data): opening, the app's frames while panning,
//! zooming and editing in a heat mode (update and egui tessellation, as the `profile`
//! subcommand measures them), and lasso + assign of 1,000 ZIPs. Skipped with a note
//! when ../shared/data or python3 is missing.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use egui_kittest::Harness;
use std::path::Path;
use territory_designer::colormap::ColorBy;
use territory_designer::model::{Command, LonLat, Project, UnitId};
use territory_designer::session::Session;
use territory_designer::spatial::mercator::from_mercator;
use territory_designer::ui::map::scene::{BasemapScene, MapScene};
use territory_designer::ui::TerritoryApp;
use walkers::lon_lat;

fn national() -> Option<Project> {
    let shared = Path::new("../shared/data");
    if !shared.join("zcta").exists() {
        eprintln!("skipped: ../shared/data is absent");
        return None;
    }
    let project = territory_designer::fixtures::national_project(shared, Path::new("target/bench-data/national.tdproj"));
    if project.is_none() {
        eprintln!("skipped: the national project could not be built (is python3 installed?)");
    }
    project
}

/// Frames of the real app: the egui pass plus the tessellation of what it drew.
fn frame(harness: &mut Harness<'_, TerritoryApp>) {
    harness.step();
    let output = harness.output();
    let primitives = harness.ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
    black_box(primitives);
}

fn bench(c: &mut Criterion) {
    let Some(project) = national() else { return };
    c.bench_function("national: build the map scene (levels of detail, clusters, indexes)", |b| {
        b.iter(|| black_box(MapScene::new(&project, BasemapScene::empty())))
    });

    let scene = MapScene::new(&project, BasemapScene::empty());
    let arcs: Vec<(u32, Option<u32>)> = scene.lod.arcs.iter().map(|a| (a.left, a.right)).collect();
    let homes: Vec<LonLat> = project.reps.iter().map(|r| r.home).collect();
    let edges = territory_designer::drivetime::zones::zone_edges(&project, None, &homes, &[30.0, 60.0, 90.0], &arcs);
    eprintln!("national zones: {} outline pieces around {} homes", edges.len(), homes.len());
    c.bench_function("national: drive-time zones 30/60/90 min around 200 homes (estimate)", |b| {
        b.iter(|| black_box(territory_designer::drivetime::zones::zone_edges(&project, None, &homes, &[30.0, 60.0, 90.0], &arcs)))
    });
    drop(scene);

    let app = TerritoryApp::new(project.clone(), None);
    let mut harness = Harness::builder().with_size([1600.0, 1000.0]).with_max_steps(1_000_000).build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);
    harness.run_steps(8);
    let home = harness.state().view.scene.home_extent;
    let zoom = harness.state().view.memory.zoom();
    let centre_at = |h: &mut Harness<'_, TerritoryApp>, at: [f64; 2], z: f64| {
        let c = from_mercator(at);
        h.state_mut().view.memory.center_at(lon_lat(c.lon, c.lat));
        let _ = h.state_mut().view.memory.set_zoom(z);
    };
    let mut k = 0u32;
    c.bench_function("national: frame while panning at national zoom", |b| {
        b.iter(|| {
            k += 1;
            let t = (k % 100) as f64 / 100.0 * std::f64::consts::TAU;
            let [w, h] = home.size();
            let centre = home.center();
            centre_at(&mut harness, [centre[0] + 0.3 * w * t.sin(), centre[1] + 0.2 * h * (2.0 * t).sin()], zoom);
            frame(&mut harness);
        })
    });
    harness.state_mut().view.map.layers.drive_zones = true;
    harness.run_steps(2);
    let mut k = 0u32;
    c.bench_function("national: frame while panning at national zoom, drive-time zones on", |b| {
        b.iter(|| {
            k += 1;
            let t = (k % 100) as f64 / 100.0 * std::f64::consts::TAU;
            let [w, h] = home.size();
            let centre = home.center();
            centre_at(&mut harness, [centre[0] + 0.3 * w * t.sin(), centre[1] + 0.2 * h * (2.0 * t).sin()], zoom + 2.0);
            frame(&mut harness);
        })
    });
    harness.state_mut().view.map.layers.drive_zones = false;
    let mut k = 0u32;
    c.bench_function("national: frame while zooming (national to city zoom and back)", |b| {
        b.iter(|| {
            k += 1;
            let step = (k % 40) as f64;
            let depth = if step < 20.0 { step } else { 40.0 - step } * 0.3;
            centre_at(&mut harness, home.center(), zoom + depth);
            frame(&mut harness);
        })
    });
    centre_at(&mut harness, home.center(), zoom);
    harness.state_mut().set_color_by(ColorBy::Workload);
    harness.run_steps(2);
    let territories: Vec<_> = harness.state().session.scenario().territories.iter().map(|t| t.id).collect();
    let mut k = 0usize;
    c.bench_function("national: frame after an edit in the workload mode (20 ZIPs move)", |b| {
        b.iter(|| {
            k += 1;
            let scenario = harness.state().session.scenario();
            let (from, to) = (territories[k % territories.len()], territories[(k + 1) % territories.len()]);
            let units: Vec<UnitId> = (0..scenario.unit_territory.len() as u32).map(UnitId).filter(|u| scenario.unit_territory(*u) == Some(from)).take(20).collect();
            harness.state_mut().execute(Command::assign_units(units, Some(to)));
            frame(&mut harness);
        })
    });

    // Lasso + assign of about 1,000 ZIPs in the middle of the country, then undo.
    let mut session = Session::new(project);
    let index = territory_designer::spatial::selection::PointIndex::new(session.project().units.iter().map(|u| u.centroid));
    let centre = from_mercator(home.center());
    let ring = |r: f64| -> Vec<LonLat> { (0..200).map(|i| i as f64 / 200.0 * std::f64::consts::TAU).map(|t| LonLat::new(centre.lon + r * t.cos(), centre.lat + r * t.sin())).collect() };
    let mut radius = 0.5;
    while index.in_lasso(&ring(radius)).len() < 1000 {
        radius *= 1.2;
    }
    let lasso = ring(radius);
    let target = session.scenario().territories[0].id;
    c.bench_function("national: lasso + assign ~1,000 ZIPs with live metrics, then undo", |b| {
        b.iter(|| {
            let picked = index.in_lasso(&lasso);
            session.execute(Command::assign_units(picked.into_iter().map(UnitId), Some(target))).unwrap();
            session.undo().unwrap();
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
