//! Map colours of a scenario: ZIP fills and account dots for a colour mode, with the
//! highlighted territory standing out.

use crate::colormap::{self, ColorBy, Legend};
use crate::metrics::ScenarioMetrics;
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::ui::style::rgb;
use egui::Color32;

pub struct ScenarioColors {
    pub units: Vec<Color32>,
    pub accounts: Vec<Color32>,
    pub legend: Legend,
}

pub fn scenario_colors(
    project: &Project,
    scenario: &Scenario,
    metrics: &ScenarioMetrics,
    mode: &ColorBy,
    highlight: Option<TerritoryId>,
) -> Result<ScenarioColors, String> {
    let computed = colormap::unit_colors(project, scenario, metrics, mode)?;
    let heat = *mode != ColorBy::Territory;
    let dim = |t: Option<TerritoryId>| highlight.is_some() && t != highlight;
    // Heat colours must read true, so they are nearly opaque; territory colours stay
    // light enough to see the basemap through them.
    let (alpha, dim_alpha) = if heat { (215, 50) } else { (140, 45) };
    let units = computed
        .units
        .iter()
        .zip(&scenario.unit_territory)
        .map(|(c, t)| match c {
            Some(c) => Color32::from_rgba_unmultiplied(c.0, c.1, c.2, if dim(*t) { dim_alpha } else { alpha }),
            None => Color32::from_rgba_unmultiplied(120, 120, 120, 60),
        })
        .collect();
    let colour_of = |t: Option<TerritoryId>| t.and_then(|t| scenario.territory(t)).map(|t| rgb(t.color));
    let accounts = project
        .accounts
        .iter()
        .map(|a| {
            let t = scenario.account_territory(a.id, a.unit);
            let alpha = if dim(t) { 70 } else { 255 };
            match colour_of(t) {
                // In heat modes the dots must not compete with the heat colours.
                Some(_) if heat => Color32::from_rgba_unmultiplied(40, 40, 40, alpha.min(170)),
                Some(c) => Color32::from_rgba_unmultiplied((c.r() as f32 * 0.75) as u8, (c.g() as f32 * 0.75) as u8, (c.b() as f32 * 0.75) as u8, alpha),
                None => Color32::from_gray(90),
            }
        })
        .collect();
    Ok(ScenarioColors { units, accounts, legend: computed.legend })
}
