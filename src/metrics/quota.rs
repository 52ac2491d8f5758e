//! Splitting a sales target over a scenario's territories (docs/domain.md, Quotas):
//! top-down by potential, bottom-up from account-level targets, or a hybrid of
//! potential, revenue history and rep tenure. Amounts are apportioned in cents by the
//! largest-remainder method, so they add up to the total exactly; a mid-year change
//! prorates the annual total to the rest of the year.

use super::ScenarioMetrics;
use crate::model::project::Project;
use crate::model::quota::{HybridWeights, QuotaMethod, QuotaPlan};
use crate::model::scenario::Scenario;
use std::collections::BTreeMap;

/// What the planner asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct QuotaRequest {
    pub method: QuotaMethod,
    /// The annual total, in the currency of revenue.
    pub total: f64,
    pub weights: HybridWeights,
    pub capture_rate: f64,
    /// "2027-07-01": prorate the annual total to the days from then to the year's end.
    pub effective: Option<String>,
}

/// The default share of open potential a bottom-up target expects to win.
pub const DEFAULT_CAPTURE_RATE: f64 = 0.25;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuotaError {
    #[error("the total must be a positive amount (got {0})")]
    Total(f64),
    #[error("weights must be zero or more and not all zero (got {0}, {1}, {2})")]
    Weights(f64, f64, f64),
    #[error("the capture rate is a share between 0 and 1 (got {0})")]
    CaptureRate(f64),
    #[error("'{0}' is not a date: write it as 2027-07-01")]
    Date(String),
    #[error("the scenario has no territories to give quotas to")]
    NoTerritories,
}

/// Computes the quotas of every territory of `scenario`.
pub fn plan(project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics, request: &QuotaRequest) -> Result<QuotaPlan, QuotaError> {
    if !(request.total.is_finite() && request.total > 0.0) {
        return Err(QuotaError::Total(request.total));
    }
    let w = request.weights;
    if [w.potential, w.revenue, w.tenure].iter().any(|v| !v.is_finite() || *v < 0.0) || w.potential + w.revenue + w.tenure <= 0.0 {
        return Err(QuotaError::Weights(w.potential, w.revenue, w.tenure));
    }
    if !(0.0..=1.0).contains(&request.capture_rate) {
        return Err(QuotaError::CaptureRate(request.capture_rate));
    }
    if scenario.territories.is_empty() {
        return Err(QuotaError::NoTerritories);
    }
    let annual_cents = (request.total * 100.0).round() as i64;
    let total_cents = match &request.effective {
        Some(date) => {
            let remaining = year_remaining_fraction(date).ok_or_else(|| QuotaError::Date(date.clone()))?;
            (annual_cents as f64 * remaining).round() as i64
        }
        None => annual_cents,
    };
    let weights = shares(project, scenario, metrics, request);
    let cents = largest_remainder(total_cents, &weights);
    Ok(QuotaPlan {
        method: request.method,
        total_cents,
        weights: request.weights,
        capture_rate: request.capture_rate,
        effective: request.effective.clone(),
        cents: scenario.territories.iter().map(|t| t.id).zip(cents).collect::<BTreeMap<_, _>>(),
        alignment: Some(crate::model::quota::alignment_fingerprint(scenario)),
    })
}

/// The same quotas (method, total, weights, date) split again over the scenario's
/// territories as they are now: after ZIPs moved, or on an optimizer's proposal.
pub fn replan(project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics, old: &QuotaPlan) -> Result<QuotaPlan, QuotaError> {
    if scenario.territories.is_empty() {
        return Err(QuotaError::NoTerritories);
    }
    let request = QuotaRequest { method: old.method, total: old.total_cents as f64 / 100.0, weights: old.weights, capture_rate: old.capture_rate, effective: None };
    let cents = largest_remainder(old.total_cents, &shares(project, scenario, metrics, &request));
    Ok(QuotaPlan {
        cents: scenario.territories.iter().map(|t| t.id).zip(cents).collect(),
        alignment: Some(crate::model::quota::alignment_fingerprint(scenario)),
        ..old.clone()
    })
}

/// Each territory's weight, in display order (any scale; all zero means equal).
fn shares(project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics, request: &QuotaRequest) -> Vec<f64> {
    let potential: Vec<f64> = metrics.territories.iter().map(|m| m.potential.max(0.0)).collect();
    match request.method {
        QuotaMethod::TopDown => potential,
        QuotaMethod::BottomUp => {
            let mut targets: BTreeMap<crate::model::ids::TerritoryId, f64> = BTreeMap::new();
            for a in &project.accounts {
                if let Some(t) = scenario.account_territory(a.id, a.unit) {
                    let open = (a.potential - a.revenue).max(0.0);
                    *targets.entry(t).or_default() += a.revenue.max(0.0) + request.capture_rate * open;
                }
            }
            scenario.territories.iter().map(|t| targets.get(&t.id).copied().unwrap_or(0.0)).collect()
        }
        QuotaMethod::Hybrid => {
            let revenue: Vec<f64> = metrics.territories.iter().map(|m| m.revenue.max(0.0)).collect();
            let tenure: Vec<f64> = scenario
                .territories
                .iter()
                .map(|t| t.rep.and_then(|r| project.reps.get(r.index())).map_or(project.settings.junior_experience, |r| r.experience).max(0.0))
                .collect();
            let w = request.weights;
            // A part with nothing in it (no revenue history yet) gives its weight to
            // the others rather than splitting it evenly.
            let parts = [(w.potential, &potential), (w.revenue, &revenue), (w.tenure, &tenure)];
            let live: Vec<(f64, &Vec<f64>, f64)> = parts.iter().map(|(w, v)| (*w, *v, v.iter().sum::<f64>())).filter(|(w, _, sum)| *w > 0.0 && *sum > 0.0).collect();
            let weight_sum: f64 = live.iter().map(|(w, _, _)| w).sum();
            (0..scenario.territories.len()).map(|i| live.iter().map(|(w, v, sum)| w / weight_sum * v[i] / sum).sum()).collect()
        }
    }
}

/// Splits `total` cents in proportion to `weights` (equally when they are all zero):
/// each gets the floor of its exact share, and the cents left go to the largest
/// remainders (the first territory on a tie). The parts add up to `total` exactly.
pub fn largest_remainder(total: i64, weights: &[f64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
    let exact: Vec<f64> = if sum > 0.0 {
        weights.iter().map(|w| if w.is_finite() && *w > 0.0 { total as f64 * w / sum } else { 0.0 }).collect()
    } else {
        vec![total as f64 / weights.len() as f64; weights.len()]
    };
    let mut parts: Vec<i64> = exact.iter().map(|e| e.floor() as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    // Float error can leave a cent or two more than there are remainders: go round.
    let mut i = 0;
    while left != 0 {
        let at = order[i % order.len()];
        let step = left.signum();
        parts[at] += step;
        left -= step;
        i += 1;
    }
    parts
}

/// The share of the year left from a date (inclusive) to December 31.
fn year_remaining_fraction(date: &str) -> Option<f64> {
    let mut parts = date.trim().split('-');
    let (year, month, day): (i64, u32, u32) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if parts.next().is_some() || !(1..=12).contains(&month) {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let lengths = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if day == 0 || day > lengths[month as usize - 1] {
        return None;
    }
    let day_of_year: u32 = lengths[..month as usize - 1].iter().sum::<u32>() + day;
    let days: u32 = lengths.iter().sum();
    Some((days - day_of_year + 1) as f64 / days as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn largest_remainder_adds_up_to_the_cent() {
        assert_eq!(largest_remainder(100, &[1.0, 1.0, 1.0]), [34, 33, 33]);
        assert_eq!(largest_remainder(1000, &[0.0, 0.0]), [500, 500]);
        assert_eq!(largest_remainder(7, &[2.0, 5.0, 0.0]), [2, 5, 0]);
        // 1,000,000.00 by 1:2:4 -> 142857.142..., 285714.285..., 571428.571...
        let parts = largest_remainder(100_000_000, &[1.0, 2.0, 4.0]);
        assert_eq!(parts, [14_285_714, 28_571_429, 57_142_857]);
        assert_eq!(parts.iter().sum::<i64>(), 100_000_000);
        for n in 1..40 {
            let weights: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 + 0.37).collect();
            assert_eq!(largest_remainder(123_456_789, &weights).iter().sum::<i64>(), 123_456_789);
        }
    }

    #[test]
    fn mid_year_changes_prorate_by_days_left() {
        assert_eq!(year_remaining_fraction("2027-01-01"), Some(1.0));
        assert_eq!(year_remaining_fraction("2027-12-31"), Some(1.0 / 365.0));
        assert_eq!(year_remaining_fraction("2028-07-01"), Some(184.0 / 366.0));
        for bad in ["2027-02-29", "2027-13-01", "July 1", "2027-07"] {
            assert_eq!(year_remaining_fraction(bad), None, "{bad}");
        }
    }

    /// Two territories of a hand-sized project with known accounts.
    fn two_territories() -> (Project, Scenario) {
        let mut project = grid_project(2, 1, 0.1, 0, 2, 2);
        // Accounts: A in unit 0 (territory 1), B and C in unit 1 (territory 2).
        let make = |id: u32, unit: u32, potential: f64, revenue: f64| crate::model::entities::Account {
            id: crate::model::ids::AccountId(id),
            external_id: format!("A{id}"),
            name: format!("A{id}"),
            location: crate::model::entities::LonLat::new(-77.95 + unit as f64 * 0.1, 40.05),
            unit: Some(crate::model::ids::UnitId(unit)),
            potential,
            revenue,
            tier: crate::model::entities::Tier::Smb,
            visits_per_year: 1.0,
            industry: String::new(),
            owner: None,
            relationship: 0.0,
            named: false,
            attributes: Default::default(),
            contacted: None,
            pipeline: None,
        };
        project.accounts = vec![make(0, 0, 300.0, 100.0), make(1, 1, 500.0, 0.0), make(2, 1, 200.0, 200.0)];
        project.rebuild_indexes();
        project.reps[0].experience = 1.5;
        project.reps[1].experience = 1.0;
        let scenario = project.scenarios[0].clone();
        (project, scenario)
    }

    fn run(method: QuotaMethod, total: f64) -> (Vec<i64>, QuotaPlan) {
        let (project, scenario) = two_territories();
        let metrics = ScenarioMetrics::compute(&project, &scenario);
        let request = QuotaRequest { method, total, weights: HybridWeights::default(), capture_rate: 0.25, effective: None };
        let plan = plan(&project, &scenario, &metrics, &request).unwrap();
        (scenario.territories.iter().map(|t| plan.cents[&t.id]).collect(), plan)
    }

    #[test]
    fn each_method_matches_a_hand_computation() {
        let (project, scenario) = two_territories();
        assert_eq!(scenario.unit_territory, [Some(scenario.territories[0].id), Some(scenario.territories[1].id)], "unit 0 -> first, unit 1 -> second");
        assert_eq!(project.reps.len(), 2);
        // Top-down: potential 300 vs 700 of 1,000.00 -> 300.00 / 700.00.
        assert_eq!(run(QuotaMethod::TopDown, 1000.0).0, [30_000, 70_000]);
        // Bottom-up: A: 100 + 0.25 x 200 = 150; B: 0 + 0.25 x 500 = 125, C: 200 + 0 = 200
        // -> 150 : 325 of 950.00 -> 300.00 : 650.00.
        assert_eq!(run(QuotaMethod::BottomUp, 950.0).0, [30_000, 65_000]);
        // Hybrid 0.6/0.3/0.1: potential shares .3/.7, revenue 100 : 200 -> 1/3 : 2/3,
        // tenure 1.5 : 1.0 -> .6/.4: first = .18 + .1 + .06 = .34 -> 340.00 of 1,000.00.
        assert_eq!(run(QuotaMethod::Hybrid, 1000.0).0, [34_000, 66_000]);
        // Cents add up whatever the total.
        for method in [QuotaMethod::TopDown, QuotaMethod::BottomUp, QuotaMethod::Hybrid] {
            let (parts, plan) = run(method, 1_234_567.89);
            assert_eq!(parts.iter().sum::<i64>(), 123_456_789);
            assert_eq!(plan.total_cents, 123_456_789);
        }
    }

    #[test]
    fn bad_requests_are_refused_with_reasons() {
        let (project, scenario) = two_territories();
        let metrics = ScenarioMetrics::compute(&project, &scenario);
        let ok = QuotaRequest { method: QuotaMethod::Hybrid, total: 10.0, weights: HybridWeights::default(), capture_rate: 0.25, effective: None };
        let refused = |r: QuotaRequest| plan(&project, &scenario, &metrics, &r).unwrap_err();
        assert_eq!(refused(QuotaRequest { total: -1.0, ..ok.clone() }), QuotaError::Total(-1.0));
        assert!(matches!(refused(QuotaRequest { weights: HybridWeights { potential: 0.0, revenue: 0.0, tenure: 0.0 }, ..ok.clone() }), QuotaError::Weights(..)));
        assert_eq!(refused(QuotaRequest { capture_rate: 1.5, ..ok.clone() }), QuotaError::CaptureRate(1.5));
        assert!(matches!(refused(QuotaRequest { effective: Some("soon".into()), ..ok.clone() }), QuotaError::Date(_)));
        let prorated = plan(&project, &scenario, &metrics, &QuotaRequest { effective: Some("2027-07-01".into()), total: 365.0, ..ok }).unwrap();
        assert_eq!(prorated.total_cents, 18_400, "184 of 365 days left");
        assert_eq!(prorated.cents.values().sum::<i64>(), 18_400);
    }
}
