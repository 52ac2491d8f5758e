//! GeoJSON FeatureCollections (plain or gzip-compressed) into a feature table.

use super::table::{Cell, FeatureTable};
use super::ImportError;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use geojson::{GeoJson, Geometry, GeometryValue, Position};
use std::collections::HashMap;
use std::path::Path;

/// Reads the bytes of a file, decompressing gzip when the bytes say so, up to the
/// GeoJSON limit (a gzip bomb stops there, with a message naming the file and limit).
pub fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>, ImportError> {
    use crate::io::limits::{self, LimitError};
    limits::read_file(path, limits::MAX_GEOJSON_BYTES, limits::Watch::JsonValues).map_err(|e| match e {
        LimitError::Io(e) => ImportError::file(path, format!("cannot read the file: {e}")),
        LimitError::Damaged(e) => ImportError::file(path, format!("the compressed data is damaged ({e}); extract it again")),
        other => ImportError::file(path, other.to_string()),
    })
}

pub fn read(path: &Path) -> Result<FeatureTable, ImportError> {
    let bytes = read_maybe_gzip(path)?;
    parse(&bytes, path)
}

/// Parses GeoJSON bytes; `path` names the source in messages.
pub fn parse(bytes: &[u8], path: &Path) -> Result<FeatureTable, ImportError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::file(path, "the file is empty; export the layer again as GeoJSON"));
    }
    let geojson: GeoJson = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::file(path, format!("not valid GeoJSON ({e}); the file may be truncated or in another format")))?;
    let collection = match geojson {
        GeoJson::FeatureCollection(collection) => collection,
        GeoJson::Feature(_) => {
            return Err(ImportError::file(path, "it holds a single Feature, not a FeatureCollection; save the layer as a FeatureCollection of polygons"))
        }
        GeoJson::Geometry(g) => {
            return Err(ImportError::file(
                path,
                format!(
                "it holds a bare {} geometry, not a FeatureCollection; save the layer as a FeatureCollection of polygons with their ZIP codes as properties",
                g.value.type_name()
            ),
            ))
        }
    };
    let crs = collection
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|crs| crs.pointer("/properties/name"))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    let mut table = FeatureTable { source: path.to_path_buf(), crs, ..FeatureTable::default() };
    let mut field_of: HashMap<String, usize> = HashMap::new();
    for feature in &collection.features {
        if let Some(properties) = &feature.properties {
            for key in properties.keys() {
                if !field_of.contains_key(key) {
                    field_of.insert(key.clone(), table.fields.len());
                    table.fields.push(key.clone());
                }
            }
        }
    }
    table.records.reserve(collection.features.len());
    table.geometries.reserve(collection.features.len());
    for (i, feature) in collection.features.iter().enumerate() {
        let mut record = vec![Cell::Empty; table.fields.len()];
        if let Some(properties) = &feature.properties {
            for (key, value) in properties {
                record[field_of[key]] = cell(value);
            }
        }
        table.records.push(record);
        let geometry = match &feature.geometry {
            Some(g) => polygons(g).map_err(|why| ImportError::file(path, format!("feature {}: {why}", i + 1)))?,
            None => None,
        };
        table.geometries.push(geometry);
    }
    Ok(table)
}

fn cell(value: &serde_json::Value) -> Cell {
    match value {
        serde_json::Value::Null => Cell::Empty,
        serde_json::Value::Number(n) => n.as_f64().map(Cell::Number).unwrap_or(Cell::Empty),
        serde_json::Value::String(s) if s.trim().is_empty() => Cell::Empty,
        serde_json::Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

/// Why a feature's geometry cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
enum GeometryProblem {
    #[error("a polygon without rings")]
    NoRings,
    #[error("a position with {0} values instead of longitude, latitude")]
    BadPosition(usize),
}

/// The polygons of a geometry; `None` when it has none (points, lines).
fn polygons(geometry: &Geometry) -> Result<Option<MultiPolygon<f64>>, GeometryProblem> {
    let mut out = Vec::new();
    collect(&geometry.value, &mut out)?;
    Ok(if out.is_empty() { None } else { Some(MultiPolygon::new(out)) })
}

fn collect(value: &GeometryValue, out: &mut Vec<Polygon<f64>>) -> Result<(), GeometryProblem> {
    match value {
        GeometryValue::Polygon { coordinates } => out.push(polygon(coordinates)?),
        GeometryValue::MultiPolygon { coordinates } => {
            for p in coordinates {
                out.push(polygon(p)?);
            }
        }
        GeometryValue::GeometryCollection { geometries } => {
            for g in geometries {
                collect(&g.value, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn polygon(rings: &[Vec<Position>]) -> Result<Polygon<f64>, GeometryProblem> {
    let mut rings = rings.iter().map(|r| ring(r));
    let exterior = rings.next().transpose()?.ok_or(GeometryProblem::NoRings)?;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn ring(positions: &[Position]) -> Result<LineString<f64>, GeometryProblem> {
    positions
        .iter()
        .map(|p| match p.as_slice() {
            [x, y, ..] if x.is_finite() && y.is_finite() => Ok(Coord { x: *x, y: *y }),
            other => Err(GeometryProblem::BadPosition(other.len())),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<FeatureTable, ImportError> {
        parse(text.as_bytes(), Path::new("test.geojson"))
    }

    #[test]
    fn reads_properties_and_polygons() {
        let t = parse_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"ZIP":"08001","pop":120},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
            {"type":"Feature","properties":{"ZIP":"08002","extra":null},"geometry":null}]}"#,
        )
        .unwrap();
        assert_eq!(t.fields, ["ZIP", "pop", "extra"]);
        assert_eq!(t.records[0][1], Cell::Number(120.0));
        assert_eq!(t.records[1][2], Cell::Empty);
        assert!(t.geometries[0].is_some() && t.geometries[1].is_none());
    }

    #[test]
    fn refuses_what_is_not_a_feature_collection() {
        let cases = [
            "",
            "  \n",
            "{\"type\":\"Point\",\"coordinates\":[1,2]}",
            "{\"type\":\"Feature\",\"properties\":{},\"geometry\":null}",
            "{\"type\":\"FeatureCollection\",\"features\":[",
            "not json",
        ];
        for case in cases {
            let err = parse_str(case).unwrap_err().to_string();
            assert!(err.starts_with("test.geojson: "), "{err}");
        }
        assert!(parse_str("{\"type\":\"Point\",\"coordinates\":[1,2]}").unwrap_err().to_string().contains("not a FeatureCollection"));
    }
}
