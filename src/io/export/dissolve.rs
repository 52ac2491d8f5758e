//! Territories as single shapes: the union of their units' polygons.

use crate::io::project_file::write_atomically;
use crate::metrics::report::{self, ReportRow};
use crate::metrics::ScenarioMetrics;
use crate::model::entities::Rgb;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use anyhow::{Context, Result};
use geo::orient::{Direction, Orient};
use geo::{MultiPolygon, Polygon};
use std::path::Path;

/// One territory's outline and figures.
#[derive(Clone, Debug)]
pub struct TerritoryShape {
    pub row: ReportRow,
    pub color: Rgb,
    pub geometry: MultiPolygon<f64>,
}

/// Dissolves every territory of the scenario (empty territories get an empty geometry).
/// Territories are dissolved in parallel; the union is robust to slivers and shared
/// edges (i_overlay through geo's `unary_union`).
pub fn dissolve(project: &Project, scenario: &Scenario, roads: Option<std::sync::Arc<crate::drivetime::roads::cache::RoadTimes>>) -> Result<Vec<TerritoryShape>> {
    let metrics = ScenarioMetrics::compute_with_roads(project, scenario, roads);
    project.unit_borders();
    let report = report::build(project, scenario, &metrics);
    let mut members: Vec<Vec<&Polygon<f64>>> = vec![Vec::new(); scenario.territories.len()];
    for (unit, territory) in project.units.iter().zip(&scenario.unit_territory) {
        if let Some(position) = territory.and_then(|t| scenario.territory_position(t)) {
            members[position].extend(unit.geometry.0.iter());
        }
    }
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut geometries: Vec<MultiPolygon<f64>> = vec![MultiPolygon::new(vec![]); members.len()];
    let mut failed = false;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(polygons) = members.get(i) else {
                            break;
                        };
                        done.push((i, union(polygons)));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(done) => {
                    for (i, geometry) in done {
                        geometries[i] = geometry;
                    }
                }
                Err(_) => failed = true,
            }
        }
    });
    if failed {
        anyhow::bail!("dissolving the territories failed unexpectedly (a bug); nothing was written");
    }
    Ok(scenario
        .territories
        .iter()
        .zip(report.territories)
        .zip(geometries)
        .map(|((t, row), geometry)| TerritoryShape { row, color: t.color, geometry })
        .collect())
}

fn union(polygons: &[&Polygon<f64>]) -> MultiPolygon<f64> {
    if polygons.is_empty() {
        return MultiPolygon::new(vec![]);
    }
    let oriented: Vec<Polygon<f64>> = polygons.iter().map(|p| (*p).clone().orient(Direction::Default)).collect();
    geo::unary_union(oriented.iter()).orient(Direction::Default)
}

/// The properties every export of a territory carries.
pub fn properties(shape: &TerritoryShape) -> serde_json::Map<String, serde_json::Value> {
    let r = &shape.row;
    let Rgb(red, green, blue) = shape.color;
    let mut map = serde_json::Map::new();
    map.insert("territory".into(), r.name.clone().into());
    map.insert("rep".into(), r.rep.clone().map(Into::into).unwrap_or(serde_json::Value::Null));
    map.insert("units".into(), r.units.into());
    map.insert("accounts".into(), r.accounts.into());
    map.insert("potential".into(), round(r.potential, 2).into());
    map.insert("revenue".into(), round(r.revenue, 2).into());
    map.insert("visit_hours".into(), round(r.visit_hours, 1).into());
    map.insert("drive_hours".into(), round(r.drive_hours, 1).into());
    map.insert("workload_index".into(), round(r.workload_index, 3).into());
    map.insert("deviation_pct".into(), round(r.deviation_pct, 2).into());
    map.insert("locked".into(), r.locked.into());
    map.insert("color".into(), format!("#{red:02x}{green:02x}{blue:02x}").into());
    map
}

fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

pub fn write_geojson(shapes: &[TerritoryShape], path: &Path) -> Result<()> {
    let features: Vec<geojson::Feature> = shapes
        .iter()
        .map(|s| geojson::Feature {
            bbox: None,
            geometry: (!s.geometry.0.is_empty()).then(|| geojson::Geometry::from(&s.geometry)),
            id: None,
            properties: Some(properties(s)),
            foreign_members: None,
        })
        .collect();
    let collection = geojson::FeatureCollection { bbox: None, features, foreign_members: None };
    let bytes = serde_json::to_vec(&collection).context("cannot encode the territories as GeoJSON")?;
    write_atomically(path, &bytes).with_context(|| format!("cannot write {}", path.display()))
}
