//! Quotas of a scenario: how a sales target is split over its territories, and the
//! split itself, in cents so that it adds up to the total exactly.

use super::ids::TerritoryId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the total is split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuotaMethod {
    /// In proportion to each territory's potential.
    TopDown,
    /// In proportion to account-level targets: current revenue plus a capture rate of
    /// the open potential.
    BottomUp,
    /// A blend of potential share, historical revenue share and rep tenure share.
    Hybrid,
}

impl QuotaMethod {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "top-down" | "topdown" => Some(Self::TopDown),
            "bottom-up" | "bottomup" => Some(Self::BottomUp),
            "hybrid" => Some(Self::Hybrid),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::TopDown => "top-down",
            Self::BottomUp => "bottom-up",
            Self::Hybrid => "hybrid",
        }
    }
}

/// The hybrid method's weights: potential share, revenue share, tenure share.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HybridWeights {
    pub potential: f64,
    pub revenue: f64,
    pub tenure: f64,
}

impl Default for HybridWeights {
    /// The playbook's common weighting: 60% potential, 30% history, 10% tenure.
    fn default() -> Self {
        Self { potential: 0.6, revenue: 0.3, tenure: 0.1 }
    }
}

/// A scenario's quotas: how they were set and the amount of each territory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuotaPlan {
    pub method: QuotaMethod,
    /// The annual total, in cents.
    pub total_cents: i64,
    pub weights: HybridWeights,
    /// Share of open potential (potential - revenue) a bottom-up target expects to win.
    pub capture_rate: f64,
    /// For a mid-year change: the day it takes effect ("2027-07-01"); quotas are the
    /// annual amount prorated to the rest of the year.
    #[serde(default)]
    pub effective: Option<String>,
    /// Each territory's quota, in cents; they add up to the (prorated) total exactly.
    pub cents: BTreeMap<TerritoryId, i64>,
}

impl QuotaPlan {
    pub fn quota(&self, territory: TerritoryId) -> Option<f64> {
        self.cents.get(&territory).map(|c| *c as f64 / 100.0)
    }
}
