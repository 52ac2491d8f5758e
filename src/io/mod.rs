//! Reading and writing files: the project file, imports (units, accounts, reps,
//! alignments) and exports (territory polygons, assignments, metrics).

pub mod atomic;
pub mod basemap;
pub mod export;
pub mod import;
pub mod limits;
pub mod ledger;
pub mod pmtiles_header;
pub mod project_file;
pub mod shared_file;
pub mod spreadsheet;
