//! Typed ids. Units, accounts and reps are dense indices into the project's vectors, so
//! metrics can use plain arrays; territories and scenarios get stable ids that survive
//! deletion of their neighbours.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

typed_id!(
    /// Index of a unit (ZIP polygon) in `Project::units`.
    UnitId, "unit#"
);
typed_id!(
    /// Index of an account in `Project::accounts`.
    AccountId, "account#"
);
typed_id!(
    /// Index of a rep in `Project::reps`.
    RepId, "rep#"
);
typed_id!(
    /// Stable id of a territory inside one scenario.
    TerritoryId, "territory#"
);
typed_id!(
    /// Stable id of a scenario inside one project.
    ScenarioId, "scenario#"
);
