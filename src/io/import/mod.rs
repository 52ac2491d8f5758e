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

/// A problem with one row (CSV) or feature (GeoJSON, Shapefile).
#[derive(Clone, Debug, PartialEq)]
pub struct RowIssue {
    /// 1-based line number for CSV files (the header is line 1), 1-based feature number
    /// for geometry files.
    pub row: usize,
    pub column: String,
    pub value: String,
    pub why: String,
}

impl fmt::Display for RowIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "row {}: {}", self.row, self.why)
        } else {
            write!(f, "row {}, column '{}', value '{}': {}", self.row, self.column, self.value, self.why)
        }
    }
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
