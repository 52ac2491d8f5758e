//! Gestures turned into commands: assigning the selection, the brush, clicks of the
//! one-click tools, what-if edits of territories and reps, scenario edits. Each is one
//! undo step; a refusal (a locked territory) becomes a message.

use super::actions::AppAction;
use super::app::TerritoryApp;
use super::compare::CompareView;
use super::map::{MapEvent, Picks, Tool};
use crate::colormap::{self, ColorBy};
use crate::model::command::Command;
use crate::model::entities::{LonLat, Rgb};
use crate::model::ids::{AccountId, ScenarioId, TerritoryId, UnitId};
use crate::model::palette::{territory_colour, territory_palette};
use crate::model::scenario::Scenario;

/// The palette colour after the scenario's existing territories.
fn next_territory_colour(scenario: &Scenario) -> Rgb {
    territory_colour(scenario.territories.len())
}

fn toggle<T: Ord>(set: &mut std::collections::BTreeSet<T>, item: T) {
    if !set.remove(&item) {
        set.insert(item);
    }
}

impl TerritoryApp {
    /// Runs an edit; a refusal (e.g. a locked territory) becomes a visible message.
    pub fn execute(&mut self, command: Command) -> bool {
        let label = command.label(self.session.project(), self.session.scenario());
        match self.session.execute(command) {
            Ok(_) => {
                self.say(label);
                true
            }
            Err(err) => {
                self.complain(err.to_string());
                false
            }
        }
    }

    pub fn undo(&mut self) {
        let label = self.session.undo_label().map(str::to_string);
        match self.session.undo() {
            Ok(Some(_)) => self.say(format!("Undid: {}", label.unwrap_or_default())),
            Ok(None) => self.say("Nothing to undo"),
            Err(err) => self.complain(err.to_string()),
        }
    }

    pub fn redo(&mut self) {
        let label = self.session.redo_label().map(str::to_string);
        match self.session.redo() {
            Ok(Some(_)) => self.say(format!("Redid: {}", label.unwrap_or_default())),
            Ok(None) => self.say("Nothing to redo"),
            Err(err) => self.complain(err.to_string()),
        }
    }

    /// Moves the selection to a territory: ZIPs as unit assignments, accounts picked on
    /// their own as account overrides; one undo step.
    pub fn assign_selection(&mut self, to: TerritoryId) {
        if self.selection.is_empty() {
            self.say("Select ZIPs or accounts first (click, lasso, rectangle)");
            return;
        }
        let units: Vec<UnitId> = self.selection.units.iter().copied().collect();
        let accounts: Vec<AccountId> = self.selection.accounts.iter().copied().collect();
        let name = self.session.scenario().territory(to).map(|t| t.name.clone()).unwrap_or_default();
        let command = match (units.is_empty(), accounts.is_empty()) {
            (false, true) => Command::assign_units(units, Some(to)),
            (true, false) => Command::assign_accounts(accounts, to),
            _ => Command::Batch {
                label: format!("Assign {} ZIPs and {} accounts to {name}", units.len(), accounts.len()),
                commands: vec![Command::assign_units(units, Some(to)), Command::assign_accounts(accounts, to)],
            },
        };
        if self.execute(command) {
            self.selection.clear();
        }
    }

    /// A gesture on the map.
    pub(super) fn apply_map_event(&mut self, event: MapEvent) {
        let tool = self.view.map.tool;
        match event {
            MapEvent::Clicked { at, .. } if tool == Tool::PlaceRep => self.place_rep(at),
            MapEvent::Clicked { at, .. } if tool == Tool::MoveHome => self.move_home(at),
            MapEvent::Clicked { unit, account, additive, .. } => {
                if !additive {
                    self.selection.clear();
                }
                let picks_account = self.view.map.picks != Picks::Zips || tool == Tool::Select && unit.is_none();
                if let Some(a) = account.filter(|_| picks_account) {
                    toggle(&mut self.selection.accounts, a);
                } else if let Some(u) = unit {
                    toggle(&mut self.selection.units, u);
                }
            }
            MapEvent::Selected { units, accounts, additive } => {
                if !additive {
                    self.selection.clear();
                }
                self.selection.units.extend(units);
                self.selection.accounts.extend(accounts);
                if let Some(t) = self.target.filter(|_| self.assign_on_release) {
                    self.assign_selection(t);
                }
            }
            MapEvent::BrushStarted => {
                let name = self.target.and_then(|t| self.session.scenario().territory(t)).map(|t| t.name.clone()).unwrap_or_default();
                self.session.begin_group(format!("Paint ZIPs into {name}"));
            }
            MapEvent::Brushed(units) => {
                let Some(t) = self.target else {
                    self.complain("Choose a target territory to paint with (number keys or the Target list)");
                    return;
                };
                let scenario = self.session.scenario();
                let todo: Vec<UnitId> = units.into_iter().filter(|u| scenario.unit_territory(*u) != Some(t)).collect();
                if !todo.is_empty() {
                    if let Err(err) = self.session.execute(Command::assign_units(todo, Some(t))) {
                        self.complain(err.to_string());
                    }
                }
            }
            MapEvent::BrushEnded => {
                if self.session.end_group() {
                    let label = self.session.undo_label().unwrap_or_default().to_string();
                    self.say(label);
                }
            }
        }
    }

    /// A new rep with a home base at `at` and an empty territory (one undo step).
    pub fn place_rep(&mut self, at: LonLat) {
        if self.search_roads_first(at, super::roads::HomeEdit::Place { at }) {
            return;
        }
        let scenario = self.session.scenario();
        let (command, id) = crate::model::whatif::add_rep_with_territory(self.session.project(), scenario, at, next_territory_colour(scenario));
        if self.execute(command) {
            self.target = Some(id);
            self.view.map.tool = Tool::Brush;
            self.say("New rep placed: paint their ZIPs with the brush; double-click the names to rename");
        }
    }

    /// Moves the target territory's rep's home base to `at`.
    pub fn move_home(&mut self, at: LonLat) {
        let rep = self.target.and_then(|t| self.session.scenario().territory(t)).and_then(|t| t.rep);
        match rep {
            Some(rep) => {
                if !self.search_roads_first(at, super::roads::HomeEdit::Move { rep, at }) {
                    self.set_rep_home(rep, at);
                }
            }
            None => self.complain("Pick a target territory that has a rep, then click its new home base"),
        }
    }

    /// The what-if itself: `rep`'s home base at `at` (one undo step).
    pub(super) fn set_rep_home(&mut self, rep: crate::model::ids::RepId, at: LonLat) {
        if self.execute(Command::SetRepHome { rep, home: at }) {
            self.view.map.tool = Tool::Select;
        }
    }

    /// "The rep leaves": hands the territory's ZIPs to its neighbours.
    pub fn hand_off(&mut self, id: TerritoryId) {
        match crate::model::whatif::hand_off_territory(self.session.project(), self.session.scenario(), id, self.view.scene.neighbours()) {
            Ok(command) => {
                self.execute(command);
            }
            Err(e) => self.complain(e.to_string()),
        }
    }

    /// An empty territory at the end of the list, then its name to type.
    pub(super) fn create_territory(&mut self) {
        let scenario = self.session.scenario();
        let name = format!("Territory {}", scenario.territories.len() + 1);
        let (command, id) = Command::create_territory(scenario, name.clone(), next_territory_colour(scenario), None);
        if self.execute(command) {
            self.target = Some(id);
            self.dialogs.territory_rename = Some((id, name));
        }
    }

    /// Highlights a territory and zooms to it; again clears the highlight.
    pub(super) fn focus(&mut self, id: TerritoryId) {
        if self.highlight == Some(id) {
            self.highlight = None;
            return;
        }
        self.highlight = Some(id);
        self.target = Some(id);
        if let Some(extent) = self.view.territory_extent(&self.session, id) {
            self.view.fit_to(extent);
        }
    }

    /// Makes a scenario active (its own undo history comes with it).
    pub fn switch_scenario(&mut self, id: ScenarioId) {
        self.session.set_active(id);
        self.follow_active_scenario();
    }

    pub(super) fn new_blank_scenario(&mut self) {
        let project = self.session.project();
        let name = project.unused_scenario_name("New scenario");
        match project.blank_scenario(&name, &territory_palette(project.reps.len().max(1))) {
            Ok(blank) => {
                if self.execute(Command::add_scenario(format!("New scenario '{name}'"), blank)) {
                    self.say("New blank scenario: paint ZIPs into the territories with the brush or lasso");
                }
            }
            Err(e) => self.complain(e.to_string()),
        }
    }

    pub(super) fn duplicate_scenario(&mut self) {
        let project = self.session.project();
        let source = self.session.scenario();
        let name = project.copy_name(&source.name);
        match project.scenario_copy(source.id, &name) {
            Ok(copy) => {
                let label = format!("Duplicate '{}'", source.name);
                if self.execute(Command::add_scenario(label, copy)) {
                    self.say(format!("Created '{name}': edits now go to the copy"));
                }
            }
            Err(e) => self.complain(e.to_string()),
        }
    }

    /// After anything that may change the active scenario (a switch, an undo of a
    /// duplicate, a delete): the selection, highlight and target belong to the old one.
    pub(super) fn follow_active_scenario(&mut self) {
        let active = self.session.active_id();
        if self.shown_scenario != Some(active) {
            self.shown_scenario = Some(active);
            self.selection.clear();
            self.highlight = None;
            self.target = self.session.scenario().territories.first().map(|t| t.id);
        }
        let scenario = self.session.scenario();
        if self.target.is_some_and(|t| scenario.territory(t).is_none()) {
            self.target = scenario.territories.first().map(|t| t.id);
        }
        if self.highlight.is_some_and(|t| scenario.territory(t).is_none()) {
            self.highlight = None;
        }
        let project = self.session.project();
        if self.compare.as_ref().is_some_and(|c| c.reference == active || project.scenario(c.reference).is_none()) {
            self.compare = None;
        }
    }

    /// Opens the compare view against a reference scenario (`None` closes it).
    pub fn set_compare(&mut self, reference: Option<ScenarioId>) {
        self.compare = reference.filter(|r| *r != self.session.active_id()).map(CompareView::new);
    }

    /// Switches the map colours (and says why when the mode is not available).
    pub fn set_color_by(&mut self, mode: ColorBy) {
        self.view.color_by = mode;
        self.refresh_colors();
    }

    /// A: the next numeric attribute.
    pub(super) fn cycle_attribute(&mut self) {
        let names = colormap::attribute_names(self.session.project());
        let next = match self.view.color_by.clone() {
            ColorBy::Attribute(current) => names.iter().position(|n| n == &current).map_or(0, |i| (i + 1) % names.len().max(1)),
            _ => 0,
        };
        if let Some(name) = names.get(next) {
            self.act(AppAction::SetColorBy(ColorBy::Attribute(name.clone())));
        }
    }

    /// Brings the map colours up to date; a mode that cannot be shown falls back to
    /// territory colours with a message.
    pub(super) fn refresh_colors(&mut self) {
        if let Err(e) = self.view.refresh(&self.session, self.highlight) {
            self.view.color_by = ColorBy::Territory;
            self.complain(format!("Cannot colour the map by that: {e}"));
            if let Err(e) = self.view.refresh(&self.session, self.highlight) {
                self.complain(format!("Cannot colour the map: {e}"));
            }
        }
    }
}
