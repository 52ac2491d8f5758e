//! Map colour modes: from per-unit values to colours and a legend. Palettes come from
//! colorous (ColorBrewer / viridis family, colour-blind safe), not hand-made tables.
//! No egui here: the map turns `Rgb` into its own colour type.

use crate::model::entities::Rgb;
use colorous::Gradient;

/// What the map is coloured by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColorBy {
    Territory,
    /// The territory's workload index, diverging around 1.0 (team average).
    Workload,
    /// One-way drive minutes from the territory rep's home base.
    DriveTime,
    /// The territory's deviation from the target (mean) potential.
    Balance,
    /// The territory's utilization: hours needed / the rep's capacity.
    Utilization,
    /// A numeric attribute of units, or of accounts summed per unit (see `attributes`).
    Attribute(String),
}

/// Why the map cannot be coloured as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ColorModeError {
    #[error("unknown colour mode '{0}': use territory, workload, drivetime, balance, utilization or attr:NAME")]
    UnknownMode(String),
    #[error("no attribute '{name}'; available: {available}")]
    NoSuchAttribute { name: String, available: String },
}

impl ColorBy {
    pub fn parse(text: &str) -> Result<Self, ColorModeError> {
        match text {
            "territory" => Ok(ColorBy::Territory),
            "workload" => Ok(ColorBy::Workload),
            "drivetime" | "drive-time" | "drive" => Ok(ColorBy::DriveTime),
            "balance" => Ok(ColorBy::Balance),
            "utilization" | "utilisation" | "capacity" => Ok(ColorBy::Utilization),
            t if t.starts_with("attr:") && t.len() > 5 => Ok(ColorBy::Attribute(t[5..].to_string())),
            other => Err(ColorModeError::UnknownMode(other.to_string())),
        }
    }

    pub fn label(&self) -> String {
        match self {
            ColorBy::Territory => "Territory".into(),
            ColorBy::Workload => "Workload index".into(),
            ColorBy::DriveTime => "Drive time".into(),
            ColorBy::Balance => "Balance".into(),
            ColorBy::Utilization => "Utilization".into(),
            ColorBy::Attribute(name) => name.clone(),
        }
    }
}

fn rgb(c: colorous::Color) -> Rgb {
    Rgb(c.r, c.g, c.b)
}

/// A diverging scale: values inside the neutral band get the palette's middle colour;
/// beyond it, the colour deepens towards the ends of the range; values past the range
/// clamp. High values are red (over), low values blue (under).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DivergingScale {
    pub min: f64,
    pub max: f64,
    pub neutral_low: f64,
    pub neutral_high: f64,
}

impl DivergingScale {
    const PALETTE: Gradient = colorous::RED_BLUE;

    /// Position on the palette, 0 = deepest blue (low) .. 1 = deepest red (high).
    pub fn position(&self, value: f64) -> f64 {
        if !value.is_finite() {
            return 0.5;
        }
        if value >= self.neutral_low && value <= self.neutral_high {
            return 0.5;
        }
        // A visible step at the band edge, then deeper colours towards the range ends.
        if value > self.neutral_high {
            let span = (self.max - self.neutral_high).max(1e-12);
            0.62 + 0.38 * ((value - self.neutral_high) / span).clamp(0.0, 1.0)
        } else {
            let span = (self.neutral_low - self.min).max(1e-12);
            0.38 - 0.38 * ((self.neutral_low - value) / span).clamp(0.0, 1.0)
        }
    }

    pub fn color(&self, value: f64) -> Rgb {
        // RED_BLUE runs red (0) -> blue (1); flip so that high = red.
        rgb(Self::PALETTE.eval_continuous(1.0 - self.position(value)))
    }

    pub fn neutral(&self) -> Rgb {
        rgb(Self::PALETTE.eval_continuous(0.5))
    }
}

/// A sequential scale from `min` to `max` (clamped), linear or logarithmic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SequentialScale {
    pub min: f64,
    pub max: f64,
    pub palette: SequentialPalette,
    /// Logarithmic: for skewed densities, where a linear scale paints everything but a
    /// few city ZIPs in the lowest colour. `min` must then be positive.
    pub log: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequentialPalette {
    /// Yellow-orange-red: "more is worse" (drive time).
    YellowOrangeRed,
    /// Viridis: neutral quantities (densities, attributes).
    Viridis,
}

impl SequentialScale {
    pub fn position(&self, value: f64) -> f64 {
        if !value.is_finite() || self.max <= self.min {
            return 0.0;
        }
        if self.log {
            if value <= self.min {
                return 0.0;
            }
            return ((value / self.min).ln() / (self.max / self.min).ln()).clamp(0.0, 1.0);
        }
        ((value - self.min) / (self.max - self.min)).clamp(0.0, 1.0)
    }

    /// The value at a position along the scale (inverse of `position` inside the range).
    pub fn value_at(&self, t: f64) -> f64 {
        if self.log {
            self.min * (self.max / self.min).powf(t)
        } else {
            self.min + (self.max - self.min) * t
        }
    }

    pub fn color(&self, value: f64) -> Rgb {
        let t = self.position(value);
        match self.palette {
            SequentialPalette::YellowOrangeRed => rgb(colorous::YELLOW_ORANGE_RED.eval_continuous(0.08 + 0.92 * t)),
            SequentialPalette::Viridis => rgb(colorous::VIRIDIS.eval_continuous(1.0 - t)),
        }
    }
}

/// How a legend is drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum LegendKind {
    Categorical(Vec<(String, Rgb)>),
    Diverging(DivergingScale),
    Sequential(SequentialScale),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    pub title: String,
    /// Unit of the values, e.g. "x team average", "min", "% from target".
    pub unit: String,
    pub kind: LegendKind,
    /// Short notes under the scale, e.g. "0.8-1.2 = balanced".
    pub note: String,
}

impl Legend {
    /// Colour stops to draw a continuous bar: (value, colour) from low to high.
    pub fn stops(&self, count: usize) -> Vec<(f64, Rgb)> {
        let count = count.max(2);
        let at = |i: usize| i as f64 / (count - 1) as f64;
        match &self.kind {
            LegendKind::Diverging(s) => (0..count).map(|i| s.min + (s.max - s.min) * at(i)).map(|v| (v, s.color(v))).collect(),
            LegendKind::Sequential(s) => (0..count).map(|i| s.value_at(at(i))).map(|v| (v, s.color(v))).collect(),
            LegendKind::Categorical(_) => Vec::new(),
        }
    }
}

/// A value beyond which the top few outliers would crush the scale: the 95th
/// percentile of the finite values, rounded up to a readable number.
pub fn robust_max(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 1.0;
    }
    v.sort_by(f64::total_cmp);
    nice_ceiling(percentile(&v, 0.95).max(f64::MIN_POSITIVE))
}

/// The value at fraction `p` of sorted, non-empty values (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// A scale for an attribute: logarithmic when the values are positive and span more than
/// two orders of magnitude between their 5th and 95th percentiles (densities usually
/// do), linear from zero otherwise.
pub fn attribute_scale(values: impl Iterator<Item = f64>) -> SequentialScale {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let palette = SequentialPalette::Viridis;
    if v.is_empty() {
        return SequentialScale { min: 0.0, max: 1.0, palette, log: false };
    }
    let max = nice_ceiling(percentile(&v, 0.95).max(f64::MIN_POSITIVE));
    // Zeros (ZIPs without accounts) are common in densities: judge the spread on the
    // positive values, and let zeros take the lowest colour.
    let positive: Vec<f64> = v.iter().copied().filter(|x| *x > 0.0).collect();
    if v[0] >= 0.0 && positive.len() * 5 >= v.len() {
        let (p5, p95) = (percentile(&positive, 0.05), percentile(&positive, 0.95));
        if p95 / p5 > 100.0 {
            let max = nice_ceiling(p95);
            return SequentialScale { min: nice_floor(p5), max, palette, log: true };
        }
    }
    SequentialScale { min: v[0].min(0.0), max, palette, log: false }
}

/// 1, 2, 5 x 10^k at or below `x` (x > 0).
pub fn nice_floor(x: f64) -> f64 {
    let base = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * base).find(|v| *v <= x * (1.0 + 1e-12)).unwrap_or(base)
}

/// 1, 2, 2.5, 5 x 10^k at or above `x`.
pub fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let exp = x.log10().floor();
    let base = 10f64.powf(exp);
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * base >= x * (1.0 - 1e-12) {
            return m * base;
        }
    }
    10.0 * base
}

/// Colours of every unit for a mode (`None`: no value, e.g. unassigned) and the legend.
pub struct UnitColors {
    pub units: Vec<Option<Rgb>>,
    pub legend: Legend,
}

/// Account figures that can be mapped as a density per km2, besides account attributes.
const ACCOUNT_DENSITIES: [(&str, &str); 4] = [
    ("potential_per_km2", "Potential per km²"),
    ("revenue_per_km2", "Revenue per km²"),
    ("accounts_per_km2", "Accounts per km²"),
    ("white_space_per_km2", "White space per km²"),
];

/// The attributes `attr:NAME` offers: account densities, account attributes summed per
/// km2 (`NAME_per_km2`), and unit attributes as they are; codes and ids (FIPS, ZIP) are
/// left out, as a sum or a colour scale of them means nothing.
pub fn attribute_names(project: &crate::model::Project) -> Vec<String> {
    let quantity = |k: &String| !crate::io::import::looks_like_identifier(k);
    let mut names: Vec<String> = ACCOUNT_DENSITIES.iter().map(|(n, _)| n.to_string()).collect();
    let mut account_keys = std::collections::BTreeSet::new();
    for a in &project.accounts {
        account_keys.extend(a.attributes.keys().filter(|k| quantity(k)).cloned());
    }
    names.extend(account_keys.into_iter().map(|k| format!("{k}_per_km2")));
    names.extend(project.unit_attribute_names().into_iter().filter(quantity));
    names
}

fn attribute_values(project: &crate::model::Project, name: &str) -> Result<(Vec<Option<f64>>, String), ColorModeError> {
    let per_area = |f: &dyn Fn(&crate::model::Account) -> f64| -> Vec<Option<f64>> {
        let mut sums = vec![0.0; project.units.len()];
        for a in &project.accounts {
            if let Some(u) = a.unit {
                sums[u.index()] += f(a);
            }
        }
        project.units.iter().zip(sums).map(|(u, s)| (u.area_km2 > 0.0).then(|| s / u.area_km2)).collect()
    };
    if let Some((_, title)) = ACCOUNT_DENSITIES.iter().find(|(n, _)| *n == name) {
        let values = match name {
            "potential_per_km2" => per_area(&|a| a.potential),
            "revenue_per_km2" => per_area(&|a| a.revenue),
            // The potential of accounts that buy nothing yet: where to hunt.
            "white_space_per_km2" => per_area(&|a| if a.revenue <= 0.0 { a.potential.max(0.0) } else { 0.0 }),
            _ => per_area(&|_| 1.0),
        };
        let title = if name == "accounts_per_km2" { title.to_string() } else {
            let unit = if matches!(name, "potential_per_km2" | "white_space_per_km2") { project.settings.potential_unit.as_str() } else { crate::model::settings::DEFAULT_POTENTIAL_UNIT };
            format!("{title} ({unit})")
        };
        return Ok((values, title));
    }
    if let Some(key) = name.strip_suffix("_per_km2") {
        if project.accounts.iter().any(|a| a.attributes.contains_key(key)) {
            let key = key.to_string();
            return Ok((per_area(&|a| a.attributes.get(&key).copied().unwrap_or(0.0)), format!("{key} per km²")));
        }
    }
    if project.units.iter().any(|u| u.attributes.contains_key(name)) {
        return Ok((project.units.iter().map(|u| u.attributes.get(name).copied()).collect(), name.to_string()));
    }
    Err(ColorModeError::NoSuchAttribute { name: name.to_string(), available: attribute_names(project).join(", ") })
}

/// The scale of a mode that colours a ZIP by its territory's figure (workload index,
/// balance), with its legend.
fn territory_scale(project: &crate::model::Project, mode: &ColorBy) -> Option<(DivergingScale, Legend)> {
    let th = project.settings.thresholds;
    match mode {
        ColorBy::Workload => {
            let scale = DivergingScale { min: (th.index_low - 0.3).max(0.0), max: th.index_high + 0.3, neutral_low: th.index_low, neutral_high: th.index_high };
            let note = format!("{:.1}-{:.1} balanced · red overloaded · blue underloaded", th.index_low, th.index_high);
            Some((scale, Legend { title: "Workload index".into(), unit: "x team average".into(), kind: LegendKind::Diverging(scale), note }))
        }
        ColorBy::Balance => {
            let tol = th.tolerance * 100.0;
            let span = (5.0 * tol).max(50.0);
            let scale = DivergingScale { min: -span, max: span, neutral_low: -tol, neutral_high: tol };
            let note = format!("within ±{tol:.0}% of target potential is balanced");
            Some((scale, Legend { title: "Potential vs target".into(), unit: "% from mean".into(), kind: LegendKind::Diverging(scale), note }))
        }
        ColorBy::Utilization => {
            let s = &project.settings;
            let (low, high) = (s.utilization_low * 100.0, s.utilization_high * 100.0);
            let scale = DivergingScale { min: (low - 40.0).max(0.0), max: high + 60.0, neutral_low: low, neutral_high: high };
            let note = format!("{low:.0}-{high:.0}% fits the rep · red over capacity · blue under-used");
            Some((scale, Legend { title: "Utilization".into(), unit: "% of capacity".into(), kind: LegendKind::Diverging(scale), note }))
        }
        _ => None,
    }
}

/// The colour of each territory in modes that colour a ZIP by its territory (territory
/// colours, workload index, balance); `None` in modes where each ZIP has its own value.
/// Cost: O(territories).
pub fn territory_colors(
    project: &crate::model::Project,
    scenario: &crate::model::Scenario,
    metrics: &crate::metrics::ScenarioMetrics,
    mode: &ColorBy,
) -> Option<std::collections::HashMap<crate::model::TerritoryId, Rgb>> {
    if *mode == ColorBy::Territory {
        return Some(scenario.territories.iter().map(|t| (t.id, t.color)).collect());
    }
    let (scale, _) = territory_scale(project, mode)?;
    let value = |m: &crate::metrics::TerritoryMetrics| match mode {
        ColorBy::Workload => m.workload_index,
        ColorBy::Utilization => m.workload * 100.0,
        _ => m.deviation_pct,
    };
    Some(metrics.territories.iter().map(|m| (m.id, scale.color(value(m)))).collect())
}

/// The territory legend's note: whether grey means something on this map.
pub fn territory_note(scenario: &crate::model::Scenario) -> String {
    let mut notes = Vec::new();
    if scenario.unit_territory.iter().any(Option::is_none) {
        notes.push("grey: unassigned");
    }
    if !scenario.regions().is_empty() {
        notes.push("orange line: region border");
    }
    notes.join(" · ")
}

/// One-way drive minutes to a unit's centre from its territory's rep.
pub fn drive_minutes(project: &crate::model::Project, scenario: &crate::model::Scenario, metrics: &crate::metrics::ScenarioMetrics, unit: usize) -> Option<f64> {
    let t = scenario.unit_territory.get(unit).copied().flatten()?;
    metrics.drive_hours_to(project, scenario, t, project.units.get(unit)?.centroid, unit).map(|h| h * 60.0)
}

/// The top of the drive-time scale: the 95th percentile of the ZIPs that hold accounts
/// (of all ZIPs when none do), at least 30 min. Empty ZIPs at the far end of a state
/// would otherwise stretch the scale to hours and paint every account the palest colour;
/// beyond the top they take the darkest one, which is what they are: far.
fn drive_scale_max(project: &crate::model::Project, unit_minutes: &[Option<f64>]) -> f64 {
    let holds_accounts = |u: usize| !project.accounts_in_unit(crate::model::UnitId(u as u32)).is_empty();
    let at_accounts: Vec<f64> = unit_minutes.iter().enumerate().filter(|(u, _)| holds_accounts(*u)).filter_map(|(_, m)| *m).collect();
    let max = if at_accounts.is_empty() { robust_max(unit_minutes.iter().flatten().copied()) } else { robust_max(at_accounts.into_iter()) };
    max.max(30.0)
}

/// The colour a legend's scale gives a value.
pub fn legend_color(legend: &Legend, value: f64) -> Rgb {
    match &legend.kind {
        LegendKind::Diverging(s) => s.color(value),
        LegendKind::Sequential(s) => s.color(value),
        LegendKind::Categorical(_) => Rgb(128, 128, 128),
    }
}

/// Computes the colour of every unit for a mode. Cost: O(units) (+ O(accounts) for
/// account densities).
pub fn unit_colors(
    project: &crate::model::Project,
    scenario: &crate::model::Scenario,
    metrics: &crate::metrics::ScenarioMetrics,
    mode: &ColorBy,
) -> Result<UnitColors, ColorModeError> {
    let (values, legend): (Vec<Option<f64>>, Legend) = match mode {
        ColorBy::DriveTime => {
            let values: Vec<Option<f64>> = (0..project.units.len()).map(|i| drive_minutes(project, scenario, metrics, i)).collect();
            let max = drive_scale_max(project, &values);
            let scale = SequentialScale { min: 0.0, max, palette: SequentialPalette::YellowOrangeRed, log: false };
            let note = format!("one way from the rep's home base (houses): ZIPs from their centre, dots each account's own; {}", metrics.drive_source());
            (values, Legend { title: "Drive time".into(), unit: "min".into(), kind: LegendKind::Sequential(scale), note })
        }
        ColorBy::Attribute(name) => {
            let (values, title) = attribute_values(project, name)?;
            let scale = attribute_scale(values.iter().flatten().copied());
            let note = if scale.log { "log scale · zero and the lowest 5% at the lowest colour" } else { "top 5% at the top colour" };
            (values, Legend { title, unit: String::new(), kind: LegendKind::Sequential(scale), note: note.to_string() })
        }
        ColorBy::Territory | ColorBy::Workload | ColorBy::Balance | ColorBy::Utilization => {
            let by_territory = territory_colors(project, scenario, metrics, mode).unwrap_or_default();
            let units = scenario.unit_territory.iter().map(|t| t.and_then(|t| by_territory.get(&t).copied())).collect();
            let legend = match territory_scale(project, mode) {
                Some((_, legend)) => legend,
                None => {
                    let entries = scenario.territories.iter().map(|t| (t.name.clone(), t.color)).collect();
                    Legend { title: "Territory colours".into(), unit: String::new(), kind: LegendKind::Categorical(entries), note: territory_note(scenario) }
                }
            };
            return Ok(UnitColors { units, legend });
        }
    };
    let units = values.iter().map(|v| v.map(|v| legend_color(&legend, v))).collect();
    Ok(UnitColors { units, legend })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload() -> DivergingScale {
        DivergingScale { min: 0.5, max: 1.5, neutral_low: 0.8, neutral_high: 1.2 }
    }

    #[test]
    fn the_drive_scale_follows_the_zips_with_accounts() {
        let mut project = crate::fixtures::grid_project(10, 10, 0.1, 50, 2, 7);
        // Accounts only in the first ten ZIPs, 5-50 minutes away; the empty rest 4 h.
        for (i, a) in project.accounts.iter_mut().enumerate() {
            a.unit = Some(crate::model::UnitId((i % 10) as u32));
        }
        project.rebuild_indexes();
        let minutes: Vec<Option<f64>> = (0..100).map(|u| Some(if u < 10 { 5.0 + u as f64 * 5.0 } else { 240.0 })).collect();
        assert_eq!(drive_scale_max(&project, &minutes), 50.0);
        // Near accounts still get a scale of at least half an hour.
        let near: Vec<Option<f64>> = minutes.iter().map(|m| m.map(|m| m / 10.0)).collect();
        assert_eq!(drive_scale_max(&project, &near), 30.0);
        // No account in any ZIP: the ZIPs themselves set it.
        project.accounts.clear();
        project.rebuild_indexes();
        assert_eq!(drive_scale_max(&project, &minutes), 250.0);
    }

    #[test]
    fn team_average_is_the_neutral_colour_and_the_band_is_neutral() {
        let s = workload();
        assert_eq!(s.color(1.0), s.neutral());
        assert_eq!(s.color(0.8), s.neutral());
        assert_eq!(s.color(1.2), s.neutral());
        assert_ne!(s.color(1.21), s.neutral());
        assert_ne!(s.color(0.79), s.neutral());
    }

    #[test]
    fn high_is_red_low_is_blue_and_values_beyond_the_range_clamp() {
        let s = workload();
        let over = s.color(1.45);
        let under = s.color(0.55);
        assert!(over.0 > over.2, "overloaded is red: {over:?}");
        assert!(under.2 > under.0, "underloaded is blue: {under:?}");
        assert_eq!(s.color(1.5), s.color(7.0));
        assert_eq!(s.color(0.5), s.color(-3.0));
        assert_eq!(s.color(f64::NAN), s.neutral());
    }

    #[test]
    fn sequential_clamps_and_grows() {
        let s = SequentialScale { min: 0.0, max: 120.0, palette: SequentialPalette::YellowOrangeRed, log: false };
        assert_eq!(s.color(-5.0), s.color(0.0));
        assert_eq!(s.color(500.0), s.color(120.0));
        assert!(s.position(60.0) > s.position(30.0));
        let far = s.color(120.0);
        assert!(far.0 > 100 && far.1 < 60, "long drives are dark red: {far:?}");
    }

    #[test]
    fn parsing_and_nice_numbers() {
        assert_eq!(ColorBy::parse("attr:area_km2"), Ok(ColorBy::Attribute("area_km2".into())));
        assert_eq!(ColorBy::parse("drivetime"), Ok(ColorBy::DriveTime));
        assert!(ColorBy::parse("rainbow").is_err());
        assert_eq!(nice_ceiling(87.0), 100.0);
        assert_eq!(nice_ceiling(130.0), 200.0);
        assert_eq!(nice_ceiling(2.2), 2.5);
        assert_eq!(robust_max((1..=100).map(|x| x as f64)), 100.0);
        assert_eq!(nice_floor(0.37), 0.2);
        assert_eq!(nice_floor(730.0), 500.0);
    }

    #[test]
    fn skewed_densities_get_a_log_scale_and_even_ones_a_linear_scale() {
        let skewed = attribute_scale((0..1000).map(|i| 1.5f64.powi(i % 40)));
        assert!(skewed.log && skewed.min > 0.0, "{skewed:?}");
        assert!(skewed.position(skewed.value_at(0.5)) - 0.5 < 1e-9);
        // On a log scale, 10x is the same step anywhere.
        let step = |v: f64| skewed.position(v * 10.0) - skewed.position(v);
        assert!((step(skewed.min * 2.0) - step(skewed.min * 20.0)).abs() < 1e-9);
        let with_zeros = attribute_scale((0..1000).map(|i| if i % 2 == 0 { 0.0 } else { 1.5f64.powi(i % 40) }));
        assert!(with_zeros.log, "zeros (ZIPs without accounts) do not hide the skew");
        assert_eq!(with_zeros.position(0.0), 0.0);
        let even = attribute_scale((1..=100).map(|x| x as f64));
        assert!(!even.log);
        assert_eq!((even.min, even.max), (0.0, 100.0));
    }
}
