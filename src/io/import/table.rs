//! The common shape of a geometry file after reading: named fields, one record and one
//! geometry per feature, in the file's own coordinates.

use geo::MultiPolygon;
use std::path::PathBuf;

/// One attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    /// The value as planners would type it: numbers without a trailing ".0".
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n}"),
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Cell::Number(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

/// Features of a geometry file. A feature without polygon geometry has `None` and a
/// note in `skipped` saying what it had instead.
#[derive(Clone, Debug, Default)]
pub struct FeatureTable {
    pub source: PathBuf,
    pub fields: Vec<String>,
    pub records: Vec<Vec<Cell>>,
    pub geometries: Vec<Option<MultiPolygon<f64>>>,
    /// What the file says its coordinates are, if it says.
    pub crs: Option<String>,
}

impl FeatureTable {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == name).or_else(|| self.fields.iter().position(|f| f.eq_ignore_ascii_case(name)))
    }

    /// The bounding box of every vertex: (min x, min y, max x, max y).
    pub fn extent(&self) -> Option<[f64; 4]> {
        let mut extent: Option<[f64; 4]> = None;
        for geometry in self.geometries.iter().flatten() {
            for polygon in geometry {
                for c in polygon.exterior().coords() {
                    let e = extent.get_or_insert([c.x, c.y, c.x, c.y]);
                    e[0] = e[0].min(c.x);
                    e[1] = e[1].min(c.y);
                    e[2] = e[2].max(c.x);
                    e[3] = e[3].max(c.y);
                }
            }
        }
        extent
    }
}
