//! Dispersion figures across territories: Gini, deviation from the mean, quartile ratio.

/// Gini coefficient of non-negative values: 0 = all equal, towards 1 = one holds all.
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len();
    let total: f64 = values.iter().sum();
    if n < 2 || total <= 0.0 {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let weighted: f64 = sorted.iter().enumerate().map(|(i, x)| (2.0 * (i as f64 + 1.0) - n as f64 - 1.0) * x).sum();
    weighted / (n as f64 * total)
}

pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Deviation of a value from the mean, in percent.
pub fn deviation_pct(value: f64, mean: f64) -> f64 {
    if mean == 0.0 {
        0.0
    } else {
        (value - mean) / mean * 100.0
    }
}

/// Largest absolute deviation from the mean, in percent.
pub fn max_abs_deviation_pct(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| deviation_pct(*v, m).abs()).fold(0.0, f64::max)
}

/// Mean of the top quarter of values over the mean of the bottom quarter (at least one
/// value each). `None` when the bottom quarter is zero (the ratio is unbounded).
pub fn quartile_ratio(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q = (sorted.len() / 4).max(1);
    let bottom = mean(&sorted[..q]);
    let top = mean(&sorted[sorted.len() - q..]);
    if bottom <= 0.0 {
        None
    } else {
        Some(top / bottom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_hand_computed_cases() {
        assert_eq!(gini(&[5.0, 5.0, 5.0, 5.0]), 0.0);
        // One of four holds everything: (n-1)/n = 0.75.
        assert!((gini(&[0.0, 0.0, 0.0, 8.0]) - 0.75).abs() < 1e-12);
        // [1,2,3,4]: sum |xi-xj| over pairs = 20 (x2 ordered) / (2 n^2 mean) = 20/(2*16*2.5) = 0.25.
        assert!((gini(&[4.0, 1.0, 3.0, 2.0]) - 0.25).abs() < 1e-12);
        assert_eq!(gini(&[]), 0.0);
    }

    #[test]
    fn deviation_and_quartiles() {
        let v = [80.0, 100.0, 120.0, 100.0];
        assert!((max_abs_deviation_pct(&v) - 20.0).abs() < 1e-12);
        assert!((deviation_pct(120.0, 100.0) - 20.0).abs() < 1e-12);
        // Top quarter = 120, bottom = 80: 1.5x.
        assert!((quartile_ratio(&v).unwrap() - 1.5).abs() < 1e-12);
        // 8 values: quarter = 2 values each side.
        let v = [1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0];
        assert!((quartile_ratio(&v).unwrap() - 3.0).abs() < 1e-12);
        assert_eq!(quartile_ratio(&[0.0, 5.0]), None);
    }
}
