//! What the optimizer balances, and the weight of each ZIP under it.
//!
//! "Workload" is the workload index the app shows: tier-weighted accounts, potential,
//! visit hours and drive hours, each relative to its total, mixed by the workload
//! model's weights. Drive hours depend on who serves an account: the caller says which
//! home base each account's drive counts from (see optimize::project, which measures
//! from the nearest, then from the rep a first plan gave).

use crate::drivetime::roads::cache::RoadTimes;
use crate::drivetime::{great_circle_km, DensityClass, DistanceEstimate, DriveTimeModel};
use crate::model::entities::{Account, LonLat};
use crate::model::ids::AccountId;
use crate::model::project::Project;
use std::collections::BTreeMap;

/// What to balance.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    Potential,
    /// The workload index: accounts by tier, potential, visit hours and drive hours,
    /// weighted as the workload model says.
    Workload,
    /// Required visits x hours per visit.
    VisitHours,
    /// A numeric unit attribute.
    Attribute(String),
    /// A weighted mix: each part as a share of its own total, times its weight (so
    /// `0.5*potential+0.5*workload` counts both equally whatever their units).
    Mix(Vec<(f64, Measure)>),
}

/// Why a measure cannot be read or weighed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    #[error("'{0}': the weight before * must be a number")]
    WeightNotANumber(String),
    #[error("'{0}': the weight must be more than 0")]
    WeightNotPositive(String),
    #[error("unknown measure '{0}': use potential, workload, visits, attr:NAME or a mix like 0.5*potential+0.5*workload")]
    Unknown(String),
    #[error("{0} is zero everywhere, so it cannot be part of the mix")]
    ZeroEverywhere(String),
    #[error("the workload index is zero everywhere: the project has no accounts to weigh")]
    NoWorkload,
    #[error("no unit attribute '{name}'; the units have: {available}")]
    NoSuchAttribute { name: String, available: String },
}

impl Measure {
    /// `potential`, `workload`, `visits`, `attr:NAME`, or a mix such as
    /// `0.6*potential+0.4*workload`.
    pub fn parse(text: &str) -> Result<Self, MeasureError> {
        let terms: Vec<&str> = text.split('+').map(str::trim).collect();
        if terms.len() > 1 {
            let parts = terms
                .iter()
                .map(|term| {
                    let (weight, name) = match term.split_once('*') {
                        Some((w, name)) => (w.trim().parse::<f64>().map_err(|_| MeasureError::WeightNotANumber(term.to_string()))?, name.trim()),
                        None => (1.0, *term),
                    };
                    if !(weight.is_finite() && weight > 0.0) {
                        return Err(MeasureError::WeightNotPositive(term.to_string()));
                    }
                    Ok((weight, Self::parse_one(name)?))
                })
                .collect::<Result<Vec<_>, MeasureError>>()?;
            return Ok(Measure::Mix(parts));
        }
        Self::parse_one(text.trim())
    }

    fn parse_one(text: &str) -> Result<Self, MeasureError> {
        match text {
            "potential" => Ok(Measure::Potential),
            "workload" => Ok(Measure::Workload),
            "visits" => Ok(Measure::VisitHours),
            t if t.starts_with("attr:") && t.len() > 5 => Ok(Measure::Attribute(t[5..].to_string())),
            other => Err(MeasureError::Unknown(other.to_string())),
        }
    }

    /// Whether the weight of a ZIP depends on who serves it (the drive part of the
    /// workload index).
    pub fn uses_drive(&self) -> bool {
        match self {
            Measure::Workload => true,
            Measure::Mix(parts) => parts.iter().any(|p| p.1.uses_drive()),
            _ => false,
        }
    }

    /// How planners read it: "Potential", "60% potential + 40% workload index".
    pub fn label(&self) -> String {
        match self {
            Measure::Potential => "Potential".into(),
            Measure::Workload => "Workload index".into(),
            Measure::VisitHours => "Visit hours".into(),
            Measure::Attribute(a) => a.clone(),
            Measure::Mix(parts) => {
                let total: f64 = parts.iter().map(|p| p.0).sum();
                let names: Vec<String> = parts.iter().map(|(w, m)| format!("{:.0}% {}", 100.0 * w / total, m.label().to_lowercase())).collect();
                names.join(" + ")
            }
        }
    }
}

/// Weights under a measure with some accounts pinned: a pinned account is not counted
/// in its unit but listed on its own, so its load can stay with its territory.
pub struct Weights {
    pub units: Vec<f64>,
    pub pinned: Vec<(AccountId, f64)>,
}

impl Weights {
    fn total(&self) -> f64 {
        self.units.iter().sum::<f64>() + self.pinned.iter().map(|p| p.1).sum::<f64>()
    }
}

/// The weight of every unit under a measure (accounts counted in their unit; drive
/// measured from the nearest rep's home base).
pub fn unit_weights(project: &Project, measure: &Measure) -> Result<Vec<f64>, MeasureError> {
    let nearest = |a: &Account| project.reps.iter().map(|r| r.home).min_by(|x, y| great_circle_km(*x, a.location).total_cmp(&great_circle_km(*y, a.location)));
    weights(project, measure, &nearest, None, &|_| false).map(|w| w.units)
}

/// Weights of the units (and pinned accounts) under `measure`; `drive_from` gives the
/// home base an account's drive time is measured from (none: no drive), by road where
/// `roads` reach the account, else by the estimate.
pub fn weights(project: &Project, measure: &Measure, drive_from: &dyn Fn(&Account) -> Option<LonLat>, roads: Option<&RoadTimes>, pinned: &dyn Fn(&Account) -> bool) -> Result<Weights, MeasureError> {
    match measure {
        Measure::Mix(parts) => {
            let mut weighed = Vec::with_capacity(parts.len());
            for (share, part) in parts {
                let w = weights(project, part, drive_from, roads, pinned)?;
                if w.total() <= 0.0 {
                    return Err(MeasureError::ZeroEverywhere(part.label()));
                }
                weighed.push((*share, w));
            }
            Ok(mix(project, weighed))
        }
        Measure::Workload => {
            let w = project.settings.index_weights;
            let parts = [(w.accounts, Figure::TierAccounts), (w.potential, Figure::Potential), (w.visits, Figure::VisitHours), (w.drive, Figure::DriveHours)];
            // A figure that is zero everywhere (no visits, no reps to drive from) is
            // even already: it takes no part.
            let weighed: Vec<(f64, Weights)> = parts.iter().filter(|p| p.0 > 0.0).map(|(share, figure)| (*share, figure_weights(project, *figure, drive_from, roads, pinned))).filter(|p| p.1.total() > 0.0).collect();
            if weighed.is_empty() {
                return Err(MeasureError::NoWorkload);
            }
            Ok(mix(project, weighed))
        }
        Measure::Potential => Ok(figure_weights(project, Figure::Potential, drive_from, roads, pinned)),
        Measure::VisitHours => Ok(figure_weights(project, Figure::VisitHours, drive_from, roads, pinned)),
        Measure::Attribute(name) => {
            if !project.units.iter().any(|u| u.attributes.contains_key(name)) {
                return Err(MeasureError::NoSuchAttribute { name: name.clone(), available: project.unit_attribute_names().join(", ") });
            }
            Ok(Weights { units: project.units.iter().map(|u| u.attributes.get(name).copied().unwrap_or(0.0).max(0.0)).collect(), pinned: Vec::new() })
        }
    }
}

/// Parts mixed by share: each as a fraction of its own total, scaled so the mix keeps
/// the magnitude of the project's unit count.
fn mix(project: &Project, parts: Vec<(f64, Weights)>) -> Weights {
    let mut units = vec![0.0; project.units.len()];
    let mut accounts: BTreeMap<AccountId, f64> = BTreeMap::new();
    let share_sum: f64 = parts.iter().map(|p| p.0).sum();
    for (share, w) in parts {
        let scale = share / share_sum / w.total() * project.units.len() as f64;
        for (m, x) in units.iter_mut().zip(w.units) {
            *m += x * scale;
        }
        for (a, x) in w.pinned {
            *accounts.entry(a).or_insert(0.0) += x * scale;
        }
    }
    Weights { units, pinned: accounts.into_iter().collect() }
}

/// A figure each account adds to its territory.
#[derive(Clone, Copy)]
enum Figure {
    TierAccounts,
    Potential,
    VisitHours,
    /// Yearly drive: visits x round trip from the nearest home base.
    DriveHours,
}

fn figure_weights(project: &Project, figure: Figure, drive_from: &dyn Fn(&Account) -> Option<LonLat>, roads: Option<&RoadTimes>, pinned: &dyn Fn(&Account) -> bool) -> Weights {
    let settings = &project.settings;
    let model = DistanceEstimate::new(settings.drive);
    let mut units = vec![0.0; project.units.len()];
    let mut pinned_out = Vec::new();
    for (index, a) in project.accounts.iter().enumerate() {
        let value = match figure {
            Figure::TierAccounts => settings.tier_weights.get(a.tier),
            Figure::Potential => a.potential,
            Figure::VisitHours => a.visits_per_year.max(0.0) * settings.hours_per_visit.get(a.tier),
            Figure::DriveHours => {
                // As the app's metrics: the density of the account's ZIP, suburban without one.
                let density = a.unit.and_then(|u| project.units.get(u.index())).map_or(DensityClass::Suburban, |u| model.density_of_unit(u.area_km2));
                let one_way = |home: LonLat| {
                    let by_road = roads.and_then(|r| r.home(home).account(index)).map(|(hours, _)| hours);
                    by_road.unwrap_or_else(|| model.one_way_hours(home, a.location, density))
                };
                drive_from(a).map_or(0.0, |home| a.visits_per_year.max(0.0) * 2.0 * one_way(home))
            }
        };
        if pinned(a) {
            pinned_out.push((a.id, value));
        } else if let Some(u) = a.unit {
            units[u.index()] += value;
        }
    }
    Weights { units, pinned: pinned_out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_parse_and_mix_by_shares() {
        assert_eq!(Measure::parse("potential"), Ok(Measure::Potential));
        assert_eq!(Measure::parse("visits"), Ok(Measure::VisitHours));
        assert_eq!(Measure::parse("attr:ALAND10"), Ok(Measure::Attribute("ALAND10".into())));
        let mix = Measure::parse("0.6*potential + 0.4*workload").unwrap();
        assert_eq!(mix, Measure::Mix(vec![(0.6, Measure::Potential), (0.4, Measure::Workload)]));
        assert_eq!(mix.label(), "60% potential + 40% workload index");
        assert!(Measure::parse("x*potential+workload").unwrap_err().to_string().contains("must be a number"));
        assert!(Measure::parse("-1*potential+workload").unwrap_err().to_string().contains("more than 0"));
        assert!(Measure::parse("potential+colour").unwrap_err().to_string().contains("unknown measure 'colour'"));

        // Two units: potential 30/10, workload 1/3. As shares: potential 0.75/0.25,
        // workload 0.25/0.75; an even mix weighs them equally.
        let mut project = crate::fixtures::grid_project(2, 1, 0.1, 0, 1, 1);
        project.units[0].attributes.insert("a".into(), 30.0);
        project.units[1].attributes.insert("a".into(), 10.0);
        project.units[0].attributes.insert("b".into(), 1.0);
        project.units[1].attributes.insert("b".into(), 3.0);
        let even = unit_weights(&project, &Measure::parse("attr:a+attr:b").unwrap()).unwrap();
        assert!((even[0] - even[1]).abs() < 1e-12, "{even:?}");
        let mostly_a = unit_weights(&project, &Measure::parse("3*attr:a+1*attr:b").unwrap()).unwrap();
        assert!(mostly_a[0] > mostly_a[1]);
        assert!((mostly_a.iter().sum::<f64>() - 2.0).abs() < 1e-12, "scaled to the unit count");
    }

    /// Balancing the workload measure evens out the workload index the app reports
    /// (which a plain count of visit hours does not).
    #[test]
    fn the_workload_measure_is_the_index_the_app_shows() {
        use crate::metrics::ScenarioMetrics;
        let project = crate::fixtures::grid_project(6, 4, 0.2, 400, 3, 7);
        let scenario = &project.scenarios[0];
        let weights = unit_weights(&project, &Measure::Workload).unwrap();
        let metrics = ScenarioMetrics::compute(&project, scenario);
        // Per territory, the measure's load relative to the mean is the index, except
        // for the drive part (measured from the nearest home base here, from the
        // territory's own rep in the app): the stripes are served by their nearest rep,
        // so the two agree closely.
        let mean = weights.iter().sum::<f64>() / 3.0;
        for t in &scenario.territories {
            let load: f64 = (0..project.units.len()).filter(|u| scenario.unit_territory[*u] == Some(t.id)).map(|u| weights[u]).sum();
            let index = metrics.territory(t.id).unwrap().workload_index;
            assert!((load / mean - index).abs() < 0.05, "{}: measure {:.3} vs index {:.3}", t.name, load / mean, index);
        }
    }
}
