//! The pure domain: ids, entities, scenarios, the project, settings, and the commands
//! that edit a scenario. Nothing here knows about windows or files.

pub mod command;
pub mod entities;
pub mod geometry_serde;
pub mod history;
pub mod ids;
pub mod palette;
pub mod project;
pub mod quota;
pub mod scenario;
pub mod settings;
pub mod whatif;

pub use command::{Command, CommandError, Effects};
pub use entities::{Account, LonLat, Rep, RepRole, Rgb, Territory, Tier, Unit};
pub use history::History;
pub use ids::{AccountId, RepId, ScenarioId, TerritoryId, UnitId};
pub use project::Project;
pub use scenario::Scenario;
pub use settings::{IndexWeights, Settings, WorkloadPreset};
