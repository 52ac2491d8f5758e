//! Reading and writing files: the project file; imports and exports come later.

pub mod basemap;
pub mod project_file;
