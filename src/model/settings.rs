//! Planning settings. Every figure is a default from docs/domain.md that the planner can
//! change; they are stored in the project file.

use super::entities::Tier;
use serde::{Deserialize, Serialize};

/// Weights of the four inputs of the workload index.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexWeights {
    pub accounts: f64,
    pub potential: f64,
    pub visits: f64,
    pub drive: f64,
}

/// The sales motions with a preset of index weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadPreset {
    /// Field sales: drive time weighs heavily.
    Field,
    /// Inside sales: account count and call cadence.
    Inside,
    /// Strategic enterprise: potential and visit frequency.
    StrategicEnterprise,
}

impl WorkloadPreset {
    pub const ALL: [WorkloadPreset; 3] = [
        WorkloadPreset::Field,
        WorkloadPreset::Inside,
        WorkloadPreset::StrategicEnterprise,
    ];

    pub fn weights(self) -> IndexWeights {
        match self {
            WorkloadPreset::Field => IndexWeights { accounts: 0.2, potential: 0.2, visits: 0.2, drive: 0.4 },
            WorkloadPreset::Inside => IndexWeights { accounts: 0.5, potential: 0.1, visits: 0.4, drive: 0.0 },
            WorkloadPreset::StrategicEnterprise => {
                IndexWeights { accounts: 0.1, potential: 0.45, visits: 0.45, drive: 0.0 }
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WorkloadPreset::Field => "Field sales",
            WorkloadPreset::Inside => "Inside sales",
            WorkloadPreset::StrategicEnterprise => "Strategic enterprise",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "field" | "field_sales" => Some(WorkloadPreset::Field),
            "inside" | "inside_sales" => Some(WorkloadPreset::Inside),
            "strategic" | "strategic_enterprise" | "strategicenterprise" | "enterprise" => Some(WorkloadPreset::StrategicEnterprise),
            _ => None,
        }
    }
}

/// A value per account tier.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerTier {
    pub strategic: f64,
    pub mid_market: f64,
    pub smb: f64,
}

impl PerTier {
    pub fn get(&self, tier: Tier) -> f64 {
        match tier {
            Tier::Strategic => self.strategic,
            Tier::MidMarket => self.mid_market,
            Tier::Smb => self.smb,
        }
    }
}

/// Parameters of the instant drive-time estimate: great-circle distance x circuity; the
/// first and last few km at the speed of the destination's area (urban slower, rural
/// faster), the rest at a speed that rises towards the highway speed with the length
/// of the trip (see `drivetime::DistanceEstimate`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriveModelSettings {
    pub circuity: f64,
    /// Length of each end of a trip driven on local roads, km.
    pub local_leg_km: f64,
    /// Mean speed of a long trip between its ends (interstates and highways), km/h.
    pub highway_speed_kmh: f64,
    pub urban_speed_kmh: f64,
    pub suburban_speed_kmh: f64,
    pub rural_speed_kmh: f64,
    /// Units smaller than this are urban (ZIPs are small where people are dense).
    pub urban_max_unit_km2: f64,
    /// Units smaller than this (and not urban) are suburban; larger ones rural.
    pub suburban_max_unit_km2: f64,
}

impl Default for DriveModelSettings {
    fn default() -> Self {
        Self {
            circuity: 1.3,
            local_leg_km: 3.0,
            highway_speed_kmh: 90.0,
            urban_speed_kmh: 30.0,
            suburban_speed_kmh: 50.0,
            rural_speed_kmh: 70.0,
            urban_max_unit_km2: 25.0,
            suburban_max_unit_km2: 150.0,
        }
    }
}

/// Thresholds the balance figures are flagged against.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalanceThresholds {
    /// Allowed deviation of potential from the mean, as a fraction (0.10 = 10%).
    pub tolerance: f64,
    pub index_low: f64,
    pub index_high: f64,
    /// A Gini coefficient above this is a structural imbalance.
    pub gini: f64,
    /// A top/bottom quartile ratio above this is a warning.
    pub quartile_ratio: f64,
}

impl Default for BalanceThresholds {
    fn default() -> Self {
        Self { tolerance: 0.10, index_low: 0.8, index_high: 1.2, gini: 0.22, quartile_ratio: 1.6 }
    }
}

/// Potential is money unless the planner says otherwise.
pub const DEFAULT_POTENTIAL_UNIT: &str = "$";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The preset the weights came from; `None` once the planner sets custom weights.
    pub preset: Option<WorkloadPreset>,
    pub index_weights: IndexWeights,
    pub tier_weights: PerTier,
    pub hours_per_visit: PerTier,
    /// Capacity assumed for a vacant territory (no rep).
    pub default_capacity_hours: f64,
    pub senior_experience: f64,
    pub junior_experience: f64,
    pub drive: DriveModelSettings,
    pub thresholds: BalanceThresholds,
    /// What potential is counted in: a currency symbol written before figures (`$`,
    /// `€`) or a word after them (`beds`, `students`).
    pub potential_unit: String,
    /// Hours an active account takes a month, for the playbook's accounts-per-rep figure.
    pub hours_per_account_month: f64,
    /// Utilization (hours needed / capacity) below this is flagged as under-used...
    pub utilization_low: f64,
    /// ... and above this as over capacity.
    pub utilization_high: f64,
    /// Open pipeline a territory should hold, as a multiple of the quota still to win
    /// (quota - revenue); below it the territory is flagged.
    pub pipeline_coverage_target: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            preset: Some(WorkloadPreset::Field),
            index_weights: WorkloadPreset::Field.weights(),
            tier_weights: PerTier { strategic: 3.0, mid_market: 2.0, smb: 1.0 },
            hours_per_visit: PerTier { strategic: 3.0, mid_market: 2.0, smb: 1.0 },
            default_capacity_hours: 1500.0,
            senior_experience: 1.5,
            junior_experience: 1.0,
            drive: DriveModelSettings::default(),
            thresholds: BalanceThresholds::default(),
            potential_unit: DEFAULT_POTENTIAL_UNIT.to_string(),
            hours_per_account_month: 3.0,
            utilization_low: 0.70,
            utilization_high: 1.0,
            pipeline_coverage_target: 3.0,
        }
    }
}

impl Settings {
    pub fn apply_preset(&mut self, preset: WorkloadPreset) {
        self.preset = Some(preset);
        self.index_weights = preset.weights();
    }
}

/// How many accounts one rep can carry: usable selling hours / hours per account per year.
/// The domain example: 1,500 h at 3 h/account/month is about 42 accounts.
pub fn accounts_per_rep(selling_hours_per_year: f64, hours_per_account_per_month: f64) -> f64 {
    if hours_per_account_per_month <= 0.0 {
        return f64::INFINITY;
    }
    selling_hours_per_year / (hours_per_account_per_month * 12.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_example_of_the_domain() {
        let accounts = accounts_per_rep(1500.0, 3.0);
        assert!((accounts - 41.67).abs() < 0.01, "{accounts}");
        assert_eq!(accounts.round() as i64, 42);
    }

    #[test]
    fn presets_parse_and_differ() {
        for preset in WorkloadPreset::ALL {
            assert_eq!(WorkloadPreset::parse(&format!("{preset:?}")), Some(preset));
            let w = preset.weights();
            assert!((w.accounts + w.potential + w.visits + w.drive - 1.0).abs() < 1e-12);
        }
        assert!(WorkloadPreset::Field.weights().drive > WorkloadPreset::Inside.weights().drive);
        assert_eq!(WorkloadPreset::parse("strategic-enterprise"), Some(WorkloadPreset::StrategicEnterprise));
    }
}
