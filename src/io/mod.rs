//! Reading and writing files: the project file; imports and exports come later.

pub mod basemap;
pub mod ledger;
pub mod pmtiles_header;
pub mod project_file;
