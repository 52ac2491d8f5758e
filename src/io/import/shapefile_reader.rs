//! ESRI Shapefiles (.shp + .dbf, optional .prj) into a feature table.

use super::table::{Cell, FeatureTable};
use super::{check_cancel, ImportError, Progress};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use shapefile::dbase::{self, FieldValue};
use shapefile::{PolygonRing, Shape};
use std::path::Path;

/// Reads the shapes and records of `path` (the .shp). Returns the table and the text of
/// the .prj beside it, if there is one.
pub fn read(path: &Path, progress: Progress<'_>) -> Result<(FeatureTable, Option<String>), ImportError> {
    let dbf_path = path.with_extension("dbf");
    let prj_path = path.with_extension("prj");
    let mut shapes = shapefile::ShapeReader::from_path(path).map_err(|e| ImportError::file(path, shape_error(&e, "its header")))?;
    let mut dbf = dbase::Reader::from_path(&dbf_path).map_err(|e| {
        let what = match &e.kind() {
            dbase::ErrorKind::IoError(io) if io.kind() == std::io::ErrorKind::NotFound => {
                "the attribute table is missing: a shapefile comes as .shp, .shx and .dbf files of the same name; copy the .dbf beside the .shp".to_string()
            }
            _ => format!("the attribute table cannot be read ({e}); the .dbf may be damaged"),
        };
        ImportError::file(&dbf_path, what)
    })?;
    let fields: Vec<String> = dbf.fields().iter().map(|f| f.name().to_string()).filter(|n| n != "DeletionFlag").collect();
    let mut table = FeatureTable { source: path.to_path_buf(), fields, ..FeatureTable::default() };
    for (i, shape) in shapes.iter_shapes().enumerate() {
        let shape = shape.map_err(|e| ImportError::file(path, shape_error(&e, &format!("shape {}", i + 1))))?;
        table.geometries.push(polygons(shape));
        if i % 1024 == 0 {
            check_cancel(progress, 0.0)?;
        }
    }
    for (i, record) in dbf.iter_records().enumerate() {
        let record = record.map_err(|e| ImportError::file(&dbf_path, format!("record {} cannot be read ({e}); the .dbf may be truncated", i + 1)))?;
        let mut map: std::collections::HashMap<String, FieldValue> = record.into();
        table.records.push(table.fields.iter().map(|f| map.remove(f).map(cell).unwrap_or(Cell::Empty)).collect());
    }
    if table.records.len() != table.geometries.len() {
        return Err(ImportError::file(
            path,
            format!(
                "the .shp has {} shapes but the .dbf has {} records: the files do not belong together or one of them is truncated; export the layer again",
                table.geometries.len(),
                table.records.len()
            ),
        ));
    }
    let prj = match std::fs::read_to_string(&prj_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ImportError::file(&prj_path, format!("cannot read the projection file: {e}"))),
    };
    Ok((table, prj))
}

fn shape_error(e: &shapefile::Error, at: &str) -> String {
    match e {
        shapefile::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            format!("the file ends in the middle of {at}: it is truncated; copy or export it again")
        }
        shapefile::Error::IoError(io) if io.kind() == std::io::ErrorKind::NotFound => "the file does not exist".into(),
        shapefile::Error::InvalidFileCode(_) => "this is not an ESRI Shapefile (.shp)".into(),
        other => format!("{at} cannot be read ({other}); the file may be damaged"),
    }
}

fn cell(value: FieldValue) -> Cell {
    match value {
        FieldValue::Character(Some(s)) | FieldValue::Memo(s) if !s.trim().is_empty() => Cell::Text(s.trim().to_string()),
        FieldValue::Numeric(Some(n)) | FieldValue::Double(n) | FieldValue::Currency(n) => Cell::Number(n),
        FieldValue::Float(Some(n)) => Cell::Number(f64::from(n)),
        FieldValue::Integer(n) => Cell::Number(f64::from(n)),
        FieldValue::Logical(Some(b)) => Cell::Text(b.to_string()),
        FieldValue::Date(Some(d)) => Cell::Text(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())),
        _ => Cell::Empty,
    }
}

/// Rings in file order: an inner ring belongs to the outer ring before it; an inner ring
/// with none before it (a file with reversed winding) becomes an outer ring.
fn polygons(shape: Shape) -> Option<MultiPolygon<f64>> {
    let rings: Vec<(bool, Vec<Coord<f64>>)> = match shape {
        Shape::Polygon(p) => p.into_inner().into_iter().map(|r| ring(r, |pt| Coord { x: pt.x, y: pt.y })).collect(),
        Shape::PolygonM(p) => p.into_inner().into_iter().map(|r| ring(r, |pt| Coord { x: pt.x, y: pt.y })).collect(),
        Shape::PolygonZ(p) => p.into_inner().into_iter().map(|r| ring(r, |pt| Coord { x: pt.x, y: pt.y })).collect(),
        _ => return None,
    };
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    for (outer, coords) in rings {
        match polygons.last_mut() {
            Some(last) if !outer => last.interiors_push(LineString::new(coords)),
            _ => polygons.push(Polygon::new(LineString::new(coords), vec![])),
        }
    }
    (!polygons.is_empty()).then(|| MultiPolygon::new(polygons))
}

fn ring<P>(ring: PolygonRing<P>, coord: impl Fn(&P) -> Coord<f64>) -> (bool, Vec<Coord<f64>>) {
    match ring {
        PolygonRing::Outer(points) => (true, points.iter().map(coord).collect()),
        PolygonRing::Inner(points) => (false, points.iter().map(coord).collect()),
    }
}
