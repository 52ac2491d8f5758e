//! Importing every ZIP polygon of ../shared/data/zcta (48 state files, ~30,000 polygons,
//! ~5 M vertices), saving and loading the project; then dissolving them into territories.
//! Run with `cargo bench --bench import`; peak memory of the whole run:
//! `/usr/bin/time -v target/release/territory-designer new --units ../shared/data/zcta/*.geojson.gz --out us.tdproj`.

use std::path::{Path, PathBuf};
use std::time::Instant;
use territory_designer::io::import::units::{self, UnitsOptions};
use territory_designer::io::project_file;
use territory_designer::model::project::Project;

fn main() {
    let dir = Path::new("../shared/data/zcta");
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("skipped: ../shared/data/zcta is absent");
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.to_string_lossy().ends_with("_zctas.geojson.gz")).collect();
    paths.sort();
    let timed = |what: &str, started: Instant| println!("{what:<34} {:>7.2} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    let tables = units::read_tables(&paths, &mut |_| true).expect("the ZIP files read");
    timed(&format!("read {} files (decompress, parse)", paths.len()), started);
    let started = Instant::now();
    let import = units::build(&tables, &UnitsOptions::default(), &mut |_| true).expect("units build");
    timed(&format!("build {} units (check, area, point)", import.units.len()), started);
    drop(tables);
    let mut project = Project::new("US", import.units, vec![], vec![]);
    project.add_scenario("Plan");
    let started = Instant::now();
    let bytes = project_file::to_bytes(&project).expect("serializes");
    timed(&format!("encode project ({} MB)", bytes.len() / 1_000_000), started);
    let started = Instant::now();
    let loaded = project_file::from_bytes(&bytes, Path::new("us.tdproj")).expect("loads");
    timed("decode and validate project", started);
    assert_eq!(loaded.units.len(), project.units.len());

    // Dissolve: 200 territories of consecutive ZIP codes (contiguous-ish, ragged).
    let scenario = project.scenarios[0].id;
    let n = project.units.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| project.units[*a].code.cmp(&project.units[*b].code));
    let s = project.scenario_mut(scenario).expect("scenario");
    let territories: Vec<_> = (0..200).map(|i| s.push_territory(format!("T{i}"), territory_designer::model::entities::Rgb(0, 0, 0), None)).collect();
    for (rank, unit) in order.into_iter().enumerate() {
        s.unit_territory[unit] = Some(territories[rank * 200 / n]);
    }
    let scenario = project.scenario(scenario).expect("scenario").clone();
    let started = Instant::now();
    let shapes = territory_designer::io::export::dissolve(&project, &scenario, None).expect("dissolves");
    timed(&format!("dissolve into {} territories", shapes.len()), started);
}
