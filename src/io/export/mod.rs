//! Exports for the CRM, the GIS team and the reps: dissolved territory polygons with
//! their metrics (GeoJSON, Shapefile), ZIP -> territory, account -> territory/rep and
//! per-territory metrics (CSV). Every file is written whole, then renamed into place.

pub mod dissolve;
pub mod report_pdf;
pub mod shapefile_writer;
pub mod tables;

pub use dissolve::{dissolve, TerritoryShape};

use std::path::Path;

/// The formats `export --territories FILE` understands, from the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolygonFormat {
    GeoJson,
    Shapefile,
}

impl PolygonFormat {
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" => Some(Self::GeoJson),
            "shp" => Some(Self::Shapefile),
            _ => None,
        }
    }
}

/// Writes the dissolved territories of a scenario in the format the path names.
/// `roads`: drive times by road for the metrics, when the project has a network.
pub fn write_territories(project: &crate::model::project::Project, scenario: &crate::model::scenario::Scenario, roads: Option<std::sync::Arc<crate::drivetime::roads::cache::RoadTimes>>, path: &Path) -> anyhow::Result<usize> {
    let format = PolygonFormat::from_path(path)
        .ok_or_else(|| anyhow::anyhow!("{}: territories are exported as .geojson or .shp; use one of these extensions", path.display()))?;
    let shapes = dissolve(project, scenario, roads)?;
    match format {
        PolygonFormat::GeoJson => dissolve::write_geojson(&shapes, path)?,
        PolygonFormat::Shapefile => shapefile_writer::write(&shapes, path)?,
    }
    Ok(shapes.len())
}
