//! Importing what planners have: unit polygons (GeoJSON, ESRI Shapefile), CRM accounts,
//! reps and an existing alignment (CSV), and a new project built from them.
//!
//! Every reader validates its whole input before anything is built, names the file,
//! row or feature of each problem, and never panics on what a user can give it.

pub mod accounts;
pub mod alignment;
pub mod columns;
pub mod crs;
pub mod geojson_reader;
pub mod new_project;
pub mod regions;
pub mod reps;
pub mod shapefile_reader;
pub mod table;
pub mod units;

use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ImportError {
    /// The file as a whole cannot be used; the message says why and what to do.
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    /// Rows were rejected and the caller did not accept importing only the good ones.
    #[error("{}: {} of {} rows have problems (first: {}); fix them or import only the good rows", path.display(), issues.len(), rows, issues.first().map(|i| i.to_string()).unwrap_or_default())]
    Rows { path: PathBuf, rows: usize, issues: Vec<RowIssue> },
    #[error("import cancelled")]
    Cancelled,
}

impl ImportError {
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self::File { path: path.to_path_buf(), message: message.into() }
    }
}

/// A problem with one row of a CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct RowIssue {
    /// The line number a text editor shows (the header is line 1), whatever the line
    /// ends (LF or CRLF).
    pub row: usize,
    pub column: String,
    pub value: String,
    pub why: String,
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.row, self.why)
        } else {
            write!(f, "line {}, column '{}', value '{}': {}", self.row, self.column, self.value, self.why)
        }
    }
}

/// Whether a column name says it holds identifiers or codes (ZIP, FIPS, NAICS, ids),
/// which are numbers to a parser but meaningless summed or mapped as a density.
pub fn looks_like_identifier(name: &str) -> bool {
    // Words of the name: split at separators and lower-to-upper case changes, trailing
    // digits dropped (`ZCTA5CE10`, `STATEFP20`, `countyFips`).
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if (!c.is_alphanumeric() || (c.is_uppercase() && previous_lower)) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase();
    }
    words.push(current);
    const CODES: [&str; 18] =
        ["id", "fips", "zip", "zipcode", "zcta", "code", "geoid", "naics", "sic", "phone", "telephone", "fax", "fid", "objectid", "oid", "postal", "postcode", "zip4"];
    words.iter().map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit())).filter(|w| !w.is_empty()).any(|w| {
        CODES.contains(&w)
            || w.ends_with("fips")
            || (w.len() > 4 && (w.ends_with("id") && !w.ends_with("paid") && !w.ends_with("aid") && !w.ends_with("void")))
            || w.starts_with("zcta")
            || w.starts_with("geoid")
            || (w.len() > 2 && (w.ends_with("fp") || w.ends_with("ce")) && (w.starts_with("state") || w.starts_with("county") || w.starts_with("zcta") || w.starts_with("place")))
    })
}

/// Reports progress as a fraction in 0..=1; returns false to cancel.
pub type Progress<'a> = &'a mut dyn FnMut(f32) -> bool;

/// A progress callback that never cancels.
pub fn no_progress() -> impl FnMut(f32) -> bool {
    |_| true
}

pub(crate) fn check_cancel(progress: Progress<'_>, fraction: f32) -> Result<(), ImportError> {
    if progress(fraction) {
        Ok(())
    } else {
        Err(ImportError::Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_identifier;

    #[test]
    fn identifier_columns_are_told_from_quantities() {
        for id in ["county_fips", "COUNTYFIPS", "ZIP", "ZIP4", "zip_code", "NAICS_CODE", "NCESID", "DISTRICTID", "SHELTER_ID", "GEOID10", "ZCTA5CE10", "STATEFP20", "countyFips", "OBJECTID", "phone"] {
            assert!(looks_like_identifier(id), "{id}");
        }
        for quantity in ["ENROLLMENT", "FT_TEACHERS", "POPULATION", "employees", "ALAND10", "revenue_paid", "beds", "Annual Potential", "visits"] {
            assert!(!looks_like_identifier(quantity), "{quantity}");
        }
    }
}
