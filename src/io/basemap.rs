//! The offline vector basemap shipped in `assets/basemap` and embedded in the binary:
//! land and lakes (Natural Earth), US states and counties (us-atlas).

use flate2::read::GzDecoder;
use geo::{Geometry, MultiPolygon, Polygon};
use std::io::Read;

const LAND: &[u8] = include_bytes!("../../assets/basemap/ne_10m_land_north_america.geojson.gz");
const LAKES: &[u8] = include_bytes!("../../assets/basemap/ne_50m_lakes.geojson.gz");
const STATES: &[u8] = include_bytes!("../../assets/basemap/us_states_10m.geojson.gz");
const COUNTIES: &[u8] = include_bytes!("../../assets/basemap/us_counties_10m.geojson.gz");

/// A basemap layer that cannot be decoded (a packaging bug: the assets are built in).
#[derive(Debug, thiserror::Error)]
#[error("the built-in basemap's {layer} layer is damaged: {detail}")]
pub struct BasemapError {
    pub layer: &'static str,
    pub detail: String,
}

/// Polygons of the basemap in lon/lat.
pub struct Basemap {
    pub land: Vec<MultiPolygon<f64>>,
    pub lakes: Vec<MultiPolygon<f64>>,
    pub states: Vec<MultiPolygon<f64>>,
    pub counties: Vec<MultiPolygon<f64>>,
}

impl Basemap {
    /// Decodes the embedded basemap. The assets are part of the build, so a failure here
    /// is a packaging bug; it is reported, not panicked on.
    pub fn embedded() -> Result<Self, BasemapError> {
        Ok(Self {
            land: polygons(LAND, "land")?,
            lakes: polygons(LAKES, "lakes")?,
            states: polygons(STATES, "states")?,
            counties: polygons(COUNTIES, "counties")?,
        })
    }
}

fn polygons(gz: &[u8], layer: &'static str) -> Result<Vec<MultiPolygon<f64>>, BasemapError> {
    let mut text = String::new();
    GzDecoder::new(gz).read_to_string(&mut text).map_err(|e| BasemapError { layer, detail: e.to_string() })?;
    let collection: geojson::FeatureCollection = text.parse().map_err(|e: geojson::Error| BasemapError { layer, detail: e.to_string() })?;
    let mut out = Vec::with_capacity(collection.features.len());
    for feature in collection.features {
        let Some(geometry) = feature.geometry else { continue };
        let polygons = match Geometry::<f64>::try_from(geometry) {
            Ok(Geometry::Polygon(p)) => vec![p],
            Ok(Geometry::MultiPolygon(mp)) => mp.0,
            _ => continue,
        };
        out.push(MultiPolygon(polygons.into_iter().filter(|p| !wraps_the_antimeridian(p)).collect()));
    }
    Ok(out)
}

/// The land file is world land clipped to North America; Russia's polygons, cut at the
/// antimeridian, came out of that clip as slivers whose edges run from -180 to -50
/// (drawn as a band of land across the Arctic and a box west of Alaska). No real
/// coastline edge spans 90 degrees of longitude.
fn wraps_the_antimeridian(polygon: &Polygon<f64>) -> bool {
    polygon.exterior().lines().any(|line| (line.end.x - line.start.x).abs() > 90.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn embedded_basemap_decodes() {
        let basemap = super::Basemap::embedded().unwrap();
        assert!(!basemap.land.is_empty());
        assert!(basemap.states.len() >= 50);
        assert!(basemap.counties.len() > 3000);
    }

    #[test]
    fn no_land_sliver_spans_the_arctic() {
        let basemap = super::Basemap::embedded().unwrap();
        let pieces: Vec<_> = basemap.land.iter().flat_map(|mp| &mp.0).collect();
        assert!(pieces.len() > 900, "{} land polygons", pieces.len());
        for p in pieces {
            let rect = geo::BoundingRect::bounding_rect(p).unwrap();
            assert!(rect.width() < 120.0, "a land polygon spans {:.0} degrees of longitude", rect.width());
        }
    }
}
