//! Small deterministic projects for tests, benches and UI tests.

use crate::model::entities::{Account, LonLat, Rep, RepRole, Rgb, Tier, Unit};
use crate::model::ids::{AccountId, RepId, UnitId};
use crate::model::project::Project;
use crate::spatial::geodesic_area_km2;
use geo::{polygon, MultiPolygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// A `cols` x `rows` grid of square units (`cell_deg` degrees) starting at (-78, 40),
/// `accounts` random accounts, one rep per territory, territories as vertical stripes.
pub fn grid_project(cols: usize, rows: usize, cell_deg: f64, accounts: usize, territories: usize, seed: u64) -> Project {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (x0, y0) = (-78.0, 40.0);
    let mut units = Vec::with_capacity(cols * rows);
    for r in 0..rows {
        for c in 0..cols {
            let (x, y) = (x0 + c as f64 * cell_deg, y0 + r as f64 * cell_deg);
            let geometry = MultiPolygon(vec![polygon![
                (x: x, y: y), (x: x + cell_deg, y: y), (x: x + cell_deg, y: y + cell_deg), (x: x, y: y + cell_deg)
            ]]);
            let id = UnitId(units.len() as u32);
            units.push(Unit {
                id,
                code: format!("{:05}", 10000 + id.0),
                name: format!("Cell {c},{r}"),
                area_km2: geodesic_area_km2(&geometry),
                centroid: LonLat::new(x + cell_deg / 2.0, y + cell_deg / 2.0),
                geometry,
                attributes: BTreeMap::from([("households".to_string(), (r * cols + c) as f64 * 10.0)]),
            });
        }
    }
    let accounts: Vec<Account> = (0..accounts)
        .map(|i| {
            let unit = rng.gen_range(0..units.len());
            let u = &units[unit];
            let tier = [Tier::Strategic, Tier::MidMarket, Tier::Smb, Tier::Smb][rng.gen_range(0..4)];
            let half = cell_deg * 0.45;
            Account {
                id: AccountId(i as u32),
                external_id: format!("A{i}"),
                name: format!("Account {i}"),
                location: LonLat::new(
                    u.centroid.lon + rng.gen_range(-half..half),
                    u.centroid.lat + rng.gen_range(-half..half),
                ),
                unit: Some(u.id),
                potential: rng.gen_range(1_000.0..100_000.0f64).round(),
                revenue: rng.gen_range(0.0..20_000.0f64).round(),
                tier,
                visits_per_year: rng.gen_range(0..13) as f64,
                industry: "Retail".into(),
                owner: None,
                relationship: 0.5,
                named: false,
                attributes: BTreeMap::new(),
                contacted: None,
                pipeline: None,
            }
        })
        .collect();
    let reps: Vec<Rep> = (0..territories)
        .map(|i| Rep {
            id: RepId(i as u32),
            name: format!("Rep {i}"),
            home: LonLat::new(x0 + (i as f64 + 0.5) * cols as f64 * cell_deg / territories as f64, y0 + rows as f64 * cell_deg / 2.0),
            capacity_hours: 1500.0,
            experience: if i % 2 == 0 { 1.0 } else { 1.5 },
            role: RepRole::Farmer,
            region: None,
        })
        .collect();
    let mut project = Project::new("Grid", units, accounts, reps);
    let scenario_id = project.add_scenario("Baseline");
    project.baseline = scenario_id;
    let scenario = project.scenario_mut(scenario_id).expect("just added");
    let ids: Vec<_> = (0..territories)
        .map(|i| scenario.push_territory(format!("T{i}"), Rgb(40 * i as u8, 100, 200), Some(RepId(i as u32))))
        .collect();
    for r in 0..rows {
        for c in 0..cols {
            scenario.unit_territory[r * cols + c] = Some(ids[(c * territories / cols).min(territories - 1)]);
        }
    }
    for account in &mut project.accounts {
        account.owner = account.unit.and_then(|u| project.scenarios[0].unit_territory(u)).map(|t| RepId(t.0));
    }
    project
}

/// Rook neighbours of the cells of `grid_project(cols, rows, ..)` (row-major ids).
/// A square unit of `size` degrees with its lower-left corner at (x, y).
pub fn square_unit(id: u32, x: f64, y: f64, size: f64) -> Unit {
    Unit {
        id: UnitId(id),
        code: id.to_string(),
        name: String::new(),
        area_km2: 1.0,
        centroid: LonLat::new(x + size / 2.0, y + size / 2.0),
        geometry: MultiPolygon(vec![polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)]]),
        attributes: Default::default(),
    }
}

pub fn grid_neighbours(cols: usize, rows: usize) -> Vec<Vec<u32>> {
    (0..cols * rows)
        .map(|i| {
            let (c, r) = (i % cols, i / cols);
            let candidates = [(c > 0).then(|| i - 1), (c + 1 < cols).then(|| i + 1), (r > 0).then(|| i - cols), (r + 1 < rows).then(|| i + cols)];
            candidates.into_iter().flatten().map(|n| n as u32).collect()
        })
        .collect()
}

/// The national project of the issue tracker's benchmarks: every ZCTA of
/// `shared/zcta`, the 200,000 accounts and 200 reps of `shared/bench/make_national.py`,
/// and a baseline where every ZIP goes to the rep with the nearest home base. Built
/// once into `cache` (a project file) and read from there afterwards. `None` when the
/// shared data or python3 is missing.
pub fn national_project(shared: &std::path::Path, cache: &std::path::Path) -> Option<Project> {
    use crate::io::import::new_project::{build, NewProjectSpec};
    use crate::io::project_file;
    if let Ok(project) = project_file::load(cache) {
        return Some(project);
    }
    let dir = cache.parent()?.join("national-inputs");
    std::fs::create_dir_all(&dir).ok()?;
    if !dir.join("reps.csv").exists() {
        let status = std::process::Command::new("python3")
            .arg(shared.join("bench/make_national.py"))
            .args(["--out".as_ref(), dir.as_os_str()])
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    let spec = NewProjectSpec {
        name: "National (bench)".into(),
        units: vec![shared.join("zcta")],
        units_options: Default::default(),
        accounts: Some(dir.join("accounts.csv")),
        account_mapping: None,
        account_overrides: Vec::new(),
        reps: Some(dir.join("reps.csv")),
        alignment: None,
        accept_good_rows: true,
        ..Default::default()
    };
    let (mut project, _) = build(&spec, &mut |_| true).ok()?;
    let homes: Vec<LonLat> = project.reps.iter().map(|r| r.home).collect();
    let scenario = &mut project.scenarios[0];
    let territories: Vec<_> = scenario.territories.iter().map(|t| (t.id, t.rep)).collect();
    for (u, unit) in project.units.iter().enumerate() {
        let nearest = territories
            .iter()
            .filter_map(|(t, rep)| Some((*t, homes.get((*rep)?.index())?)))
            .min_by(|a, b| crate::drivetime::great_circle_km(*a.1, unit.centroid).total_cmp(&crate::drivetime::great_circle_km(*b.1, unit.centroid)))
            .map(|(t, _)| t);
        scenario.unit_territory[u] = nearest;
    }
    let neighbours = crate::spatial::rook_neighbours(&project.units);
    crate::io::import::new_project::recolour_neighbours(scenario, &neighbours);
    project_file::save(&project, cache).ok()?;
    Some(project)
}
