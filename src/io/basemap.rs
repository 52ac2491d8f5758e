//! The offline vector basemap shipped in `assets/basemap` and embedded in the binary:
//! land and lakes (Natural Earth), US states and counties (us-atlas).

use flate2::read::GzDecoder;
use geo::{Geometry, MultiPolygon};
use std::io::Read;

const LAND: &[u8] = include_bytes!("../../assets/basemap/ne_10m_land_north_america.geojson.gz");
const LAKES: &[u8] = include_bytes!("../../assets/basemap/ne_50m_lakes.geojson.gz");
const STATES: &[u8] = include_bytes!("../../assets/basemap/us_states_10m.geojson.gz");
const COUNTIES: &[u8] = include_bytes!("../../assets/basemap/us_counties_10m.geojson.gz");

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
    pub fn embedded() -> Result<Self, String> {
        Ok(Self {
            land: polygons(LAND, "land")?,
            lakes: polygons(LAKES, "lakes")?,
            states: polygons(STATES, "states")?,
            counties: polygons(COUNTIES, "counties")?,
        })
    }
}

fn polygons(gz: &[u8], what: &str) -> Result<Vec<MultiPolygon<f64>>, String> {
    let mut text = String::new();
    GzDecoder::new(gz).read_to_string(&mut text).map_err(|e| format!("basemap {what}: {e}"))?;
    let collection: geojson::FeatureCollection = text.parse().map_err(|e| format!("basemap {what}: {e}"))?;
    let mut out = Vec::with_capacity(collection.features.len());
    for feature in collection.features {
        let Some(geometry) = feature.geometry else { continue };
        match Geometry::<f64>::try_from(geometry) {
            Ok(Geometry::Polygon(p)) => out.push(MultiPolygon(vec![p])),
            Ok(Geometry::MultiPolygon(mp)) => out.push(mp),
            _ => {}
        }
    }
    Ok(out)
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
}
