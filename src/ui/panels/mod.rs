//! Side panels: the scenario bar, the territories table with the balance summary, the
//! balance chart, the map legend and the workload-model settings.

pub mod chart;
pub mod legend;
pub mod quotas;
pub mod scenarios;
pub mod settings;
pub mod territories;
