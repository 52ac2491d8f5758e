//! Side panels: the territories table with the balance summary.

pub mod territories;
