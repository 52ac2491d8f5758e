//! CPU time to build a frame of the real app on the sample while panning and zooming
//! (target: under 16 ms), and lasso selection + assignment of 1,000 ZIPs.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use std::path::Path;
use territory_designer::io::project_file;
use territory_designer::model::{Command, LonLat, UnitId};
use territory_designer::session::Session;
use territory_designer::spatial::selection::PointIndex;
use territory_designer::ui::TerritoryApp;

fn sample() -> territory_designer::model::Project {
    project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).expect("the bundled sample loads")
}

fn frames(c: &mut Criterion) {
    let app = TerritoryApp::new(sample(), None);
    let mut harness = Harness::builder()
        .with_size([1600.0, 1000.0])
        .with_max_steps(1_000_000)
        .build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);
    harness.run_steps(6);
    harness.get_by_label_step("Pan");
    let centre = Pos2::new(500.0, 500.0);
    harness.event(Event::PointerMoved(centre));
    harness.event(Event::PointerButton { pos: centre, button: PointerButton::Primary, pressed: true, modifiers: Modifiers::NONE });
    harness.step();
    let mut k = 0u32;
    c.bench_function("frame while panning (full app, basemap, sample)", |b| {
        b.iter(|| {
            k += 1;
            // Wobble left and right so the map keeps moving without drifting away.
            let dx = if k % 40 < 20 { 6.0 } else { -6.0 };
            harness.event(Event::PointerMoved(centre + egui::vec2(dx * (k % 20) as f32, 0.0)));
            harness.step();
        })
    });
    harness.event(Event::PointerButton { pos: centre, button: PointerButton::Primary, pressed: false, modifiers: Modifiers::NONE });
    harness.step();
    let zoom_before = harness.state().view.memory.zoom();
    harness.event(Event::Zoom(1.2));
    harness.step();
    eprintln!("zoom {zoom_before:.3} -> {:.3} after one zoom event", harness.state().view.memory.zoom());
    let mut k = 0u32;
    c.bench_function("frame while zooming (full app, basemap, sample)", |b| {
        b.iter(|| {
            k += 1;
            let factor = if k % 20 < 10 { 1.05 } else { 1.0 / 1.05 };
            harness.event(Event::Zoom(factor));
            harness.step();
        })
    });
    c.bench_function("idle frame (nothing moved, cached map mesh)", |b| b.iter(|| harness.step()));

    // An edit in a heat mode: metrics update, every ZIP is recoloured and the map mesh
    // rebuilt, all within the one frame.
    let pittsburgh = harness.state().session.scenario().territories[1].id;
    let northwest = harness.state().session.scenario().territories[5].id;
    let moved: Vec<UnitId> = {
        let scenario = harness.state().session.scenario();
        (0..scenario.unit_territory.len() as u32).map(UnitId).filter(|u| scenario.unit_territory(*u) == Some(pittsburgh)).take(100).collect()
    };
    harness.state_mut().set_color_by(territory_designer::colormap::ColorBy::Workload);
    harness.step();
    let mut k = 0u32;
    c.bench_function("frame after an edit in workload-heat mode (100 ZIPs move, all ZIPs recoloured)", |b| {
        b.iter(|| {
            k += 1;
            let to = if k % 2 == 0 { pittsburgh } else { northwest };
            harness.state_mut().execute(Command::assign_units(moved.iter().copied(), Some(to)));
            harness.step();
        })
    });
}

trait StepLabel {
    fn get_by_label_step(&mut self, label: &str);
}

impl StepLabel for Harness<'_, TerritoryApp> {
    fn get_by_label_step(&mut self, label: &str) {
        use egui_kittest::kittest::Queryable;
        self.get_by_label(label).click();
        self.run_steps(2);
    }
}

fn lasso_1000(c: &mut Criterion) {
    let project = sample();
    let index = PointIndex::new(project.units.iter().map(|u| u.centroid));
    // A lasso around south-eastern Pennsylvania and New Jersey: about 1,000 ZIP centroids.
    let (cx, cy) = (-74.9, 40.3);
    let lasso: Vec<LonLat> = (0..200)
        .map(|k| {
            let t = k as f64 / 200.0 * std::f64::consts::TAU;
            LonLat::new(cx + 1.25 * t.cos(), cy + 0.95 * t.sin())
        })
        .collect();
    let picked = index.in_lasso(&lasso);
    eprintln!("the lasso picks {} ZIPs", picked.len());
    let mut session = Session::new(project);
    let target = session.scenario().territories[2].id;
    let units: Vec<UnitId> = picked.iter().map(|u| UnitId(*u)).collect();
    c.bench_function("lasso select (200-point lasso) + assign ~1,000 ZIPs + metrics, then undo", |b| {
        b.iter(|| {
            let picked = black_box(index.in_lasso(&lasso));
            session.execute(Command::assign_units(picked.into_iter().map(UnitId), Some(target))).unwrap();
            session.undo().unwrap();
        })
    });
    c.bench_function("assign the same ~1,000 ZIPs (execute only; undo outside the timing)", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                let start = std::time::Instant::now();
                session.execute(Command::assign_units(units.iter().copied(), Some(target))).unwrap();
                total += start.elapsed();
                session.undo().unwrap();
            }
            total
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = frames, lasso_1000
}
criterion_main!(benches);
