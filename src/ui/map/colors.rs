//! Map colours of a scenario: ZIP fills and account dots for a colour mode, with the
//! highlighted territory standing out. After an edit only what the edit touched is
//! recoloured (a brush stroke moves a few ZIPs per frame; the map has 30,000).

use crate::colormap::{self, ColorBy, ColorModeError, Legend};
use crate::metrics::ScenarioMetrics;
use crate::model::command::Effects;
use crate::model::entities::Rgb;
use crate::model::ids::{ScenarioId, TerritoryId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::session::{Changes, Session};
use crate::ui::style::rgb;
use egui::Color32;
use std::collections::HashMap;

/// How a mode paints: heat colours must read true, so they are nearly opaque; territory
/// colours stay light enough to see the basemap through them.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Paint {
    heat: bool,
    /// Drive time colours the accounts too: the ZIPs are a lighter wash under them.
    drive: bool,
    highlight: Option<TerritoryId>,
}

impl Paint {
    fn new(mode: &ColorBy, highlight: Option<TerritoryId>) -> Self {
        Self { heat: *mode != ColorBy::Territory, drive: *mode == ColorBy::DriveTime, highlight }
    }

    fn dim(&self, t: Option<TerritoryId>) -> bool {
        self.highlight.is_some() && t != self.highlight
    }

    fn unit(&self, color: Option<Rgb>, territory: Option<TerritoryId>) -> Color32 {
        let (alpha, dim_alpha) = match (self.heat, self.drive) {
            (_, true) => (125, 40),
            (true, false) => (215, 50),
            (false, false) => (140, 45),
        };
        match color {
            Some(c) => Color32::from_rgba_unmultiplied(c.0, c.1, c.2, if self.dim(territory) { dim_alpha } else { alpha }),
            None => Color32::from_rgba_unmultiplied(120, 120, 120, 60),
        }
    }

    /// An account's dot; one outside every ZIP and in no territory is faint: it is not
    /// part of the plan.
    fn account_dot(&self, account: &crate::model::Account, territory_color: Option<Rgb>, territory: Option<TerritoryId>) -> Color32 {
        if territory.is_none() && account.unit.is_none() {
            return Color32::from_rgba_unmultiplied(110, 110, 110, 70);
        }
        self.account(territory_color, territory)
    }

    /// An account's dot in the drive-time view: the legend's colour of its own minutes
    /// from its rep (grey when it has none).
    fn account_drive(&self, heat: Option<Rgb>, territory: Option<TerritoryId>) -> Color32 {
        let alpha = if self.dim(territory) { 70 } else { 255 };
        match heat {
            Some(c) => Color32::from_rgba_unmultiplied(c.0, c.1, c.2, alpha),
            None => Color32::from_rgba_unmultiplied(110, 110, 110, 70),
        }
    }

    fn account(&self, territory_color: Option<Rgb>, territory: Option<TerritoryId>) -> Color32 {
        let alpha = if self.dim(territory) { 70 } else { 255 };
        match territory_color.map(rgb) {
            // In heat modes the dots must not compete with the heat colours.
            Some(_) if self.heat => Color32::from_rgba_unmultiplied(40, 40, 40, alpha.min(170)),
            Some(c) => Color32::from_rgba_unmultiplied((c.r() as f32 * 0.75) as u8, (c.g() as f32 * 0.75) as u8, (c.b() as f32 * 0.75) as u8, alpha),
            None => Color32::from_gray(90),
        }
    }
}

fn territory_rgb(scenario: &Scenario) -> HashMap<TerritoryId, Rgb> {
    scenario.territories.iter().map(|t| (t.id, t.color)).collect()
}

pub struct ScenarioColors {
    pub units: Vec<Color32>,
    pub accounts: Vec<Color32>,
    pub legend: Legend,
}

/// Every colour of a scenario at once (the compare view's reference map).
pub fn scenario_colors(
    project: &Project,
    scenario: &Scenario,
    metrics: &ScenarioMetrics,
    mode: &ColorBy,
    highlight: Option<TerritoryId>,
) -> Result<ScenarioColors, ColorModeError> {
    let computed = colormap::unit_colors(project, scenario, metrics, mode)?;
    let paint = Paint::new(mode, highlight);
    let units = computed.units.iter().zip(&scenario.unit_territory).map(|(c, t)| paint.unit(*c, *t)).collect();
    let colours = territory_rgb(scenario);
    let minutes = (*mode == ColorBy::DriveTime).then(|| metrics.account_minutes(project, scenario));
    let accounts = project
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let t = scenario.account_territory(a.id, a.unit);
            match &minutes {
                Some(minutes) => paint.account_drive(minutes.get(i).copied().flatten().map(|m| colormap::legend_color(&computed.legend, m)), t),
                None => paint.account_dot(a, t.and_then(|t| colours.get(&t).copied()), t),
            }
        })
        .collect();
    Ok(ScenarioColors { units, accounts, legend: computed.legend })
}

/// An account's dot in the drive-time view, on the scale of `legend` (the one the map
/// shows, kept between full recolours).
fn account_drive_dot(session: &Session, paint: &Paint, legend: &colormap::Legend, account: crate::model::AccountId) -> Color32 {
    let (project, scenario) = (session.project(), session.scenario());
    let minutes = session.metrics().account_drive(project, scenario, account).map(|d| d.hours * 60.0);
    let territory = project.accounts.get(account.index()).and_then(|a| scenario.account_territory(a.id, a.unit));
    paint.account_drive(minutes.map(|m| colormap::legend_color(legend, m)), territory)
}

/// What the colours were computed for.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    generation: u64,
    scenario: ScenarioId,
    mode: ColorBy,
    highlight: Option<TerritoryId>,
}

/// The map's colours, kept up to date with the session.
#[derive(Default)]
pub struct ColorCache {
    pub units: Vec<Color32>,
    pub accounts: Vec<Color32>,
    pub legend: Option<Legend>,
    /// Bumped whenever a colour changes (the map's mesh cache keys on it).
    pub generation: u64,
    /// Palette colour of each unit before transparency (`None`: grey).
    unit_rgb: Vec<Option<Rgb>>,
    /// In modes that colour a ZIP by its territory: each territory's colour.
    by_territory: Option<HashMap<TerritoryId, Rgb>>,
    key: Option<Key>,
}

/// Edits after which recolouring what they touched is enough.
fn recolours_in_place(effects: &Effects) -> bool {
    !effects.structure_changed && !effects.model_changed && effects.props_changed.is_empty() && effects.rep_changed.is_empty() && effects.activate.is_none()
}

impl ColorCache {
    /// Brings the colours up to date: nothing to do, the edits since last time, or
    /// everything when the mode, highlight or scenario changed.
    pub fn refresh(&mut self, session: &Session, mode: &ColorBy, highlight: Option<TerritoryId>) -> Result<(), ColorModeError> {
        let scenario = session.active_id();
        let same_view = self.key.as_ref().is_some_and(|k| k.scenario == scenario && &k.mode == mode && k.highlight == highlight);
        if same_view {
            let since = self.key.as_ref().map_or(0, |k| k.generation);
            match session.changes_since(since) {
                Changes::Nothing => return Ok(()),
                Changes::Edits(effects) if recolours_in_place(&effects) => {
                    self.update(session, mode, highlight, &effects);
                    self.key = Some(Key { generation: session.generation(), scenario, mode: mode.clone(), highlight });
                    return Ok(());
                }
                _ => {}
            }
        }
        self.rebuild(session, mode, highlight)
    }

    /// Recomputes every colour.
    pub fn rebuild(&mut self, session: &Session, mode: &ColorBy, highlight: Option<TerritoryId>) -> Result<(), ColorModeError> {
        let (project, scenario, metrics) = (session.project(), session.scenario(), session.metrics());
        let computed = colormap::unit_colors(project, scenario, metrics, mode)?;
        let colors = scenario_colors(project, scenario, metrics, mode, highlight)?;
        self.units = colors.units;
        self.accounts = colors.accounts;
        self.legend = Some(colors.legend);
        self.unit_rgb = computed.units;
        self.by_territory = colormap::territory_colors(project, scenario, metrics, mode);
        self.generation += 1;
        self.key = Some(Key { generation: session.generation(), scenario: scenario.id, mode: mode.clone(), highlight });
        Ok(())
    }

    /// Recolours the units and accounts an edit moved, and the units of territories
    /// whose colour changed with it (their workload index or balance).
    fn update(&mut self, session: &Session, mode: &ColorBy, highlight: Option<TerritoryId>, effects: &Effects) {
        let (project, scenario, metrics) = (session.project(), session.scenario(), session.metrics());
        let paint = Paint::new(mode, highlight);
        let mut changed = false;
        let mut recolour_unit = |cache: &mut Self, u: usize, rgb: Option<Rgb>| {
            let t = scenario.unit_territory.get(u).copied().flatten();
            if let (Some(slot), Some(fill)) = (cache.unit_rgb.get_mut(u), cache.units.get_mut(u)) {
                *slot = rgb;
                *fill = paint.unit(rgb, t);
                changed = true;
            }
        };
        match colormap::territory_colors(project, scenario, metrics, mode) {
            Some(table) => {
                let before = self.by_territory.take().unwrap_or_default();
                let recoloured: Vec<TerritoryId> = table.iter().filter(|(t, c)| before.get(t) != Some(c)).map(|(t, _)| *t).collect();
                if !recoloured.is_empty() {
                    for (u, t) in scenario.unit_territory.iter().enumerate() {
                        if t.is_some_and(|t| recoloured.contains(&t)) {
                            recolour_unit(self, u, t.and_then(|t| table.get(&t).copied()));
                        }
                    }
                }
                for (unit, _, to) in &effects.units {
                    recolour_unit(self, unit.index(), to.and_then(|t| table.get(&t).copied()));
                }
                self.by_territory = Some(table);
                if let Some(legend) = self.legend.as_mut().filter(|_| *mode == ColorBy::Territory) {
                    legend.note = colormap::territory_note(scenario);
                }
            }
            None => {
                let legend = self.legend.clone();
                for (unit, _, _) in &effects.units {
                    let u = unit.index();
                    let rgb = match (mode, &legend) {
                        (ColorBy::DriveTime, Some(legend)) => colormap::drive_minutes(project, scenario, metrics, u).map(|m| colormap::legend_color(legend, m)),
                        // Attributes belong to the ZIP, not to its territory.
                        _ => self.unit_rgb.get(u).copied().flatten(),
                    };
                    recolour_unit(self, u, rgb);
                }
            }
        }
        if let (ColorBy::DriveTime, Some(legend)) = (mode, self.legend.clone()) {
            // A dot's minutes change with its rep: the accounts of moved ZIPs and the
            // accounts moved on their own.
            let moved = effects.units.iter().flat_map(|(unit, _, _)| project.accounts_in_unit(*unit).iter().copied()).chain(effects.accounts.iter().map(|m| m.account));
            for account in moved {
                let colour = account_drive_dot(session, &paint, &legend, account);
                if let Some(dot) = self.accounts.get_mut(account.index()) {
                    *dot = colour;
                    changed = true;
                }
            }
        } else if !effects.accounts.is_empty() {
            let colours = territory_rgb(scenario);
            for moved in &effects.accounts {
                if let (Some(dot), Some(account)) = (self.accounts.get_mut(moved.account.index()), project.accounts.get(moved.account.index())) {
                    *dot = paint.account_dot(account, moved.to.and_then(|t| colours.get(&t).copied()), moved.to);
                    changed = true;
                }
            }
        }
        if changed {
            self.generation += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;
    use crate::model::{Command, UnitId};

    /// After any edit, the incrementally updated colours equal a full recomputation.
    #[test]
    fn updated_colours_equal_recomputed_ones_in_every_mode() {
        let modes = [ColorBy::Territory, ColorBy::Workload, ColorBy::Balance, ColorBy::DriveTime, ColorBy::Attribute("potential_per_km2".into())];
        for mode in modes {
            for highlight in [None, Some(1)] {
                let mut session = Session::new(grid_project(10, 8, 0.1, 300, 5, 3));
                let highlight = highlight.map(|i| session.scenario().territories[i].id);
                let mut cache = ColorCache::default();
                cache.refresh(&session, &mode, highlight).unwrap();
                let targets: Vec<TerritoryId> = session.scenario().territories.iter().map(|t| t.id).collect();
                for step in 0..12u32 {
                    let units: Vec<UnitId> = (0..4).map(|k| UnitId((step * 7 + k * 13) % 80)).collect();
                    let to = if step % 5 == 4 { None } else { Some(targets[step as usize % targets.len()]) };
                    session.execute(Command::assign_units(units, to)).unwrap();
                    if step % 3 == 0 {
                        session.execute(Command::assign_accounts([crate::model::AccountId(step * 11 % 300)], targets[(step as usize + 2) % targets.len()])).unwrap();
                    }
                    let generation = cache.generation;
                    cache.refresh(&session, &mode, highlight).unwrap();
                    assert!(cache.generation > generation, "{mode:?}: the edit changed colours");
                    let full = scenario_colors(session.project(), session.scenario(), session.metrics(), &mode, highlight).unwrap();
                    if mode != ColorBy::DriveTime {
                        assert_eq!(cache.units, full.units, "{mode:?} step {step}");
                        assert_eq!(cache.accounts, full.accounts, "{mode:?} step {step}");
                    } else {
                        // Drive time keeps its legend's range between full recolours:
                        // every colour is that legend's colour of the minutes now.
                        let legend = cache.legend.clone().unwrap();
                        let paint = Paint::new(&mode, highlight);
                        let (project, scenario) = (session.project(), session.scenario());
                        for u in 0..project.units.len() {
                            let rgb = colormap::drive_minutes(project, scenario, session.metrics(), u).map(|m| colormap::legend_color(&legend, m));
                            assert_eq!(cache.units[u], paint.unit(rgb, scenario.unit_territory[u]), "{mode:?} step {step} unit {u}");
                        }
                        for a in &project.accounts {
                            assert_eq!(cache.accounts[a.id.index()], account_drive_dot(&session, &paint, &legend, a.id), "{mode:?} step {step} account {}", a.id.0);
                        }
                        if step == 0 {
                            let heated = cache.accounts.iter().filter(|c| c.r() != c.g() || c.g() != c.b()).count();
                            assert!(heated > 250, "accounts take their minutes' colour: {heated}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_recolour_or_new_territory_rebuilds_and_nothing_new_keeps_the_generation() {
        let mut session = Session::new(grid_project(6, 4, 0.1, 50, 3, 3));
        let mut cache = ColorCache::default();
        cache.refresh(&session, &ColorBy::Territory, None).unwrap();
        let generation = cache.generation;
        cache.refresh(&session, &ColorBy::Territory, None).unwrap();
        assert_eq!(cache.generation, generation);
        let t = session.scenario().territories[0].id;
        session.execute(Command::recolor_territory(t, Rgb(1, 2, 3))).unwrap();
        cache.refresh(&session, &ColorBy::Territory, None).unwrap();
        let full = scenario_colors(session.project(), session.scenario(), session.metrics(), &ColorBy::Territory, None).unwrap();
        assert_eq!(cache.units, full.units);
    }
}
