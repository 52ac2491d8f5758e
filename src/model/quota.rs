//! Quotas of a scenario: how a sales target is split over its territories, and the
//! split itself, in cents so that it adds up to the total exactly.

use super::ids::TerritoryId;
use super::scenario::Scenario;
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
    /// The alignment the quotas were set on (see [`alignment_fingerprint`]); `None` in
    /// files from before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<u64>,
}

impl QuotaPlan {
    pub fn quota(&self, territory: TerritoryId) -> Option<f64> {
        self.cents.get(&territory).map(|c| *c as f64 / 100.0)
    }

    /// Why the quotas no longer fit the scenario, if they do not: territories were
    /// added or removed, or ZIPs and accounts moved since they were set.
    pub fn stale_reason(&self, scenario: &Scenario) -> Option<String> {
        let without: Vec<&str> = scenario.territories.iter().filter(|t| !self.cents.contains_key(&t.id)).map(|t| t.name.as_str()).collect();
        if !without.is_empty() {
            return Some(format!("{} {} no quota: set the quotas again", without.join(", "), if without.len() == 1 { "has" } else { "have" }));
        }
        let gone = self.cents.keys().filter(|id| scenario.territory(**id).is_none()).count();
        if gone > 0 {
            return Some(format!("{gone} territories with a quota were removed: the quotas no longer add up to the total; set them again"));
        }
        match self.alignment {
            Some(f) if f != alignment_fingerprint(scenario) => Some("ZIPs or accounts moved since the quotas were set: set them again to follow the new territories".into()),
            _ => None,
        }
    }
}

/// A fingerprint of which territory holds each ZIP and overridden account (FNV-1a, so
/// it is the same on every machine and build).
pub fn alignment_fingerprint(scenario: &Scenario) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |value: u64| {
        for byte in value.to_le_bytes() {
            hash ^= byte as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for t in &scenario.unit_territory {
        feed(t.map_or(u64::MAX, |t| t.0 as u64));
    }
    for (account, t) in &scenario.account_overrides {
        feed(((account.0 as u64) << 32) | t.0 as u64);
    }
    hash
}
