//! Colours and formats shared by the panels.

use crate::model::entities::Rgb;
use crate::model::settings::BalanceThresholds;
use egui::Color32;

pub const GOOD: Color32 = Color32::from_rgb(26, 135, 84);
pub const WARN: Color32 = Color32::from_rgb(196, 130, 0);
pub const BAD: Color32 = Color32::from_rgb(200, 40, 40);

pub fn rgb(c: Rgb) -> Color32 {
    Color32::from_rgb(c.0, c.1, c.2)
}

/// Green within tolerance, amber within twice the tolerance, red beyond.
pub fn deviation_color(deviation_pct: f64, th: &BalanceThresholds) -> Color32 {
    let tol = th.tolerance * 100.0;
    let d = deviation_pct.abs();
    if d <= tol {
        GOOD
    } else if d <= 2.0 * tol {
        WARN
    } else {
        BAD
    }
}

/// Green inside the band (0.8-1.2), amber up to the domain's "under/overloaded" marks
/// (0.7 / 1.4), red beyond.
pub fn index_color(index: f64, th: &BalanceThresholds) -> Color32 {
    if index >= th.index_low && index <= th.index_high {
        GOOD
    } else if index >= th.index_low - 0.1 && index <= th.index_high + 0.2 {
        WARN
    } else {
        BAD
    }
}

pub fn threshold_color(value: f64, limit: f64) -> Color32 {
    if value <= limit {
        GOOD
    } else if value <= limit * 1.25 {
        WARN
    } else {
        BAD
    }
}
