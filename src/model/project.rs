//! The project: layers (units, accounts), reps, settings and scenarios.

use super::command::{Applied, Command, CommandContext, CommandError, Effects};
use super::entities::{Account, Rep, Unit};
use super::ids::{AccountId, ScenarioId, UnitId};
use super::scenario::{Inconsistency, Scenario};
use super::settings::Settings;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub units: Vec<Unit>,
    pub accounts: Vec<Account>,
    pub reps: Vec<Rep>,
    #[serde(default)]
    pub settings: Settings,
    pub scenarios: Vec<Scenario>,
    /// Today's alignment.
    pub baseline: ScenarioId,
    pub next_scenario_id: u32,
    /// The road network imported for drive times (kept in a file beside the project,
    /// see `drivetime::roads`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub road_network: Option<RoadNetworkInfo>,
    /// Accounts of each unit, by unit index; derived, rebuilt on load.
    #[serde(skip)]
    unit_accounts: Vec<Vec<AccountId>>,
    /// Border lengths of the units (see [`Project::unit_borders`]); derived when first
    /// asked for.
    #[serde(skip)]
    borders: DerivedBorders,
}

/// Where a project's road network came from, for the legend and the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoadNetworkInfo {
    /// The extract's file name.
    pub source: String,
    /// When it was imported ("2026-12-04 15:30 UTC").
    pub imported: String,
    pub nodes: u64,
    pub edges: u64,
}

impl RoadNetworkInfo {
    /// How legends, reports and the status line name it: "road network FILE (date)".
    pub fn label(&self) -> String {
        format!("road network {} ({})", self.source, self.imported)
    }
}

/// A lazily built copy of the units' border lengths, shared by the project's clones.
#[derive(Clone, Default)]
struct DerivedBorders(std::sync::Arc<std::sync::OnceLock<crate::spatial::borders::UnitBorders>>);

impl std::fmt::Debug for DerivedBorders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "DerivedBorders(built)" } else { "DerivedBorders(not yet)" })
    }
}

impl PartialEq for DerivedBorders {
    /// Derived from the units, which the projects compare.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Project {
    pub fn new(name: impl Into<String>, units: Vec<Unit>, accounts: Vec<Account>, reps: Vec<Rep>) -> Self {
        let mut project = Self {
            name: name.into(),
            description: String::new(),
            units,
            accounts,
            reps,
            settings: Settings::default(),
            scenarios: Vec::new(),
            baseline: ScenarioId(0),
            next_scenario_id: 0,
            road_network: None,
            unit_accounts: Vec::new(),
            borders: DerivedBorders::default(),
        };
        project.rebuild_indexes();
        project
    }

    /// Rebuilds derived lookups; call after changing units or accounts.
    pub fn rebuild_indexes(&mut self) {
        let mut unit_accounts = vec![Vec::new(); self.units.len()];
        for account in &self.accounts {
            if let Some(unit) = account.unit {
                if let Some(list) = unit_accounts.get_mut(unit.index()) {
                    list.push(account.id);
                }
            }
        }
        self.unit_accounts = unit_accounts;
        self.borders = DerivedBorders::default();
    }

    /// Each unit's border length with each neighbour and with the outside, in km (for
    /// perimeters and compactness). Built on first use (the arcs of every ZIP: about a
    /// second on a national project), then shared.
    pub fn unit_borders(&self) -> &crate::spatial::borders::UnitBorders {
        self.borders.0.get_or_init(|| crate::spatial::borders::unit_borders(&self.units))
    }

    /// The units' border lengths when already built (by the map, or an earlier
    /// [`Project::unit_borders`]); `None` rather than a wait.
    pub fn unit_borders_if_built(&self) -> Option<&crate::spatial::borders::UnitBorders> {
        self.borders.0.get()
    }

    /// Hands over border lengths built elsewhere (the map builds the arcs anyway).
    pub fn provide_unit_borders(&self, borders: crate::spatial::borders::UnitBorders) {
        if borders.len() == self.units.len() {
            let _ = self.borders.0.set(borders);
        }
    }

    pub fn accounts_in_unit(&self, unit: UnitId) -> &[AccountId] {
        self.unit_accounts.get(unit.index()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Names of the numeric unit attributes, sorted, each once.
    pub fn unit_attribute_names(&self) -> Vec<String> {
        let names: std::collections::BTreeSet<&String> = self.units.iter().flat_map(|u| u.attributes.keys()).collect();
        names.into_iter().cloned().collect()
    }

    /// Adds an empty scenario and returns its id.
    pub fn add_scenario(&mut self, name: impl Into<String>) -> ScenarioId {
        let id = ScenarioId(self.next_scenario_id);
        self.next_scenario_id += 1;
        self.scenarios.push(Scenario::new(id, name, self.units.len()));
        id
    }

    /// An empty scenario under the next free id, not yet in the project (add it with
    /// `Command::add_scenario` or `insert_scenario`).
    pub fn next_scenario(&self, name: impl Into<String>) -> Scenario {
        Scenario::new(ScenarioId(self.next_scenario_id), name, self.units.len())
    }

    /// A copy of a scenario (alignment, overrides, territories and their ids, so the copy
    /// compares territory by territory) under the next free id, not yet in the project.
    pub fn scenario_copy(&self, source: ScenarioId, name: &str) -> Result<Scenario, CommandError> {
        let mut copy = self.scenario(source).ok_or(CommandError::NoSuchScenario(source.0))?.clone();
        copy.id = ScenarioId(self.next_scenario_id);
        copy.name = self.checked_scenario_name(name, None)?;
        Ok(copy)
    }

    /// A blank scenario to draw from scratch: one empty territory per rep (named after
    /// the rep, in the palette's colours), every ZIP unassigned. Not yet in the project.
    pub fn blank_scenario(&self, name: &str, palette: &[super::entities::Rgb]) -> Result<Scenario, CommandError> {
        let mut scenario = self.next_scenario(self.checked_scenario_name(name, None)?);
        for (i, rep) in self.reps.iter().enumerate() {
            let color = palette.get(i % palette.len().max(1)).copied().unwrap_or(super::entities::Rgb(128, 128, 128));
            let id = scenario.push_territory(rep.name.clone(), color, Some(rep.id));
            if let Some(t) = scenario.territory_mut(id) {
                t.region = rep.region.clone();
            }
        }
        Ok(scenario)
    }

    /// Adds a scenario built elsewhere (not an undoable edit: for building projects).
    pub fn insert_scenario(&mut self, scenario: Scenario) -> Result<ScenarioId, CommandError> {
        let id = scenario.id;
        let active = self.baseline;
        self.apply_command(active, Command::add_scenario("Add scenario", scenario))?;
        Ok(id)
    }

    /// Copies a scenario into the project; returns the new id (not an undoable edit).
    pub fn duplicate_scenario(&mut self, source: ScenarioId, name: &str) -> Result<ScenarioId, CommandError> {
        let copy = self.scenario_copy(source, name)?;
        self.insert_scenario(copy)
    }

    pub fn add_blank_scenario(&mut self, name: &str, palette: &[super::entities::Rgb]) -> Result<ScenarioId, CommandError> {
        let blank = self.blank_scenario(name, palette)?;
        self.insert_scenario(blank)
    }

    pub fn rename_scenario(&mut self, id: ScenarioId, name: &str) -> Result<(), CommandError> {
        self.apply_command(id, Command::rename_scenario(id, name)).map(|_| ())
    }

    /// Removes a scenario. The last one cannot go; if the baseline goes, the first
    /// remaining scenario becomes the baseline.
    pub fn remove_scenario(&mut self, id: ScenarioId) -> Result<(), CommandError> {
        self.apply_command(self.baseline, Command::remove_scenario(id)).map(|_| ())
    }

    pub fn set_baseline(&mut self, id: ScenarioId) -> Result<(), CommandError> {
        self.apply_command(id, Command::set_baseline(id)).map(|_| ())
    }

    /// A name that is not empty and not taken by another scenario (case-insensitive).
    fn checked_scenario_name(&self, name: &str, except: Option<ScenarioId>) -> Result<String, CommandError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CommandError::EmptyScenarioName);
        }
        if self.scenarios.iter().any(|s| Some(s.id) != except && s.name.eq_ignore_ascii_case(name)) {
            return Err(CommandError::ScenarioNameTaken(name.to_string()));
        }
        Ok(name.to_string())
    }

    /// "NAME (copy)", "NAME (copy 2)", ...: the first free one.
    pub fn copy_name(&self, name: &str) -> String {
        self.free_scenario_name(format!("{name} (copy)"), |k| format!("{name} (copy {k})"))
    }

    /// NAME if no scenario has it, else "NAME 2", "NAME 3", ...: the first free one.
    pub fn unused_scenario_name(&self, name: &str) -> String {
        self.free_scenario_name(name.to_string(), |k| format!("{name} {k}"))
    }

    fn free_scenario_name(&self, first: String, numbered: impl Fn(u32) -> String) -> String {
        let free = |n: &str| !self.scenarios.iter().any(|s| s.name.eq_ignore_ascii_case(n));
        if free(&first) {
            return first;
        }
        (2..).map(numbered).find(|n| free(n)).unwrap_or(first)
    }

    pub fn scenario(&self, id: ScenarioId) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    pub fn scenario_mut(&mut self, id: ScenarioId) -> Option<&mut Scenario> {
        self.scenarios.iter_mut().find(|s| s.id == id)
    }

    pub fn scenario_by_name(&self, name: &str) -> Option<&Scenario> {
        self.scenarios
            .iter()
            .find(|s| s.name == name)
            .or_else(|| self.scenarios.iter().find(|s| s.name.eq_ignore_ascii_case(name)))
    }

    pub fn baseline_scenario(&self) -> Option<&Scenario> {
        self.scenario(self.baseline)
    }

    /// Checks ids, references and scenario invariants; used after loading a file.
    pub fn validate(&self) -> Result<(), Inconsistency> {
        let fail = |text: String| Err(Inconsistency(text));
        for (i, unit) in self.units.iter().enumerate() {
            if unit.id.index() != i {
                return fail(format!("unit '{}' has id {} at position {i}", unit.code, unit.id.0));
            }
        }
        for (i, account) in self.accounts.iter().enumerate() {
            if account.id.index() != i {
                return fail(format!("account '{}' has id {} at position {i}", account.external_id, account.id.0));
            }
            if let Some(unit) = account.unit {
                if unit.index() >= self.units.len() {
                    return fail(format!("account '{}' lies in missing unit {}", account.external_id, unit.0));
                }
            }
            if let Some(owner) = account.owner {
                if owner.index() >= self.reps.len() {
                    return fail(format!("account '{}' is owned by missing rep {}", account.external_id, owner.0));
                }
            }
        }
        for (i, rep) in self.reps.iter().enumerate() {
            if rep.id.index() != i {
                return fail(format!("rep '{}' has id {} at position {i}", rep.name, rep.id.0));
            }
        }
        if self.scenarios.is_empty() {
            return fail("the project has no scenario".into());
        }
        if self.scenario(self.baseline).is_none() {
            return fail(format!("the baseline scenario {} does not exist", self.baseline.0));
        }
        for scenario in &self.scenarios {
            scenario.check(self.units.len(), self.accounts.len())?;
            for t in &scenario.territories {
                if let Some(rep) = t.rep {
                    if rep.index() >= self.reps.len() {
                        return fail(format!("territory '{}' has missing rep {}", t.name, rep.0));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Project {
    /// Applies a command; `scenario` is the active one, which alignment edits change
    /// (see `Session::execute` for undo and metrics).
    pub fn apply_command(&mut self, scenario: ScenarioId, command: Command) -> Result<Applied, CommandError> {
        let changed_model = Effects { model_changed: true, ..Effects::default() };
        match command {
            Command::SetModel { settings, capacities } => self.set_model(*settings, capacities),
            Command::AddRep { rep } => {
                if rep.id.index() != self.reps.len() {
                    return Err(CommandError::Invalid(format!("a new rep must have id {}", self.reps.len())));
                }
                let id = rep.id;
                self.reps.push(*rep);
                Ok(Applied { effects: changed_model, inverse: Command::RemoveRep { id } })
            }
            Command::RemoveRep { id } => {
                if id.index() + 1 != self.reps.len() {
                    return Err(CommandError::Invalid("only the last rep added can be removed".into()));
                }
                if self.scenarios.iter().any(|s| s.territory_of_rep(id).is_some()) {
                    return Err(CommandError::Invalid(format!("{} still has a territory", self.reps[id.index()].name)));
                }
                let rep = self.reps.pop().ok_or(CommandError::NoSuchRep(id.0))?;
                Ok(Applied { effects: changed_model, inverse: Command::AddRep { rep: Box::new(rep) } })
            }
            Command::SetRepHome { rep, home } => {
                if !(home.lon.is_finite() && home.lat.is_finite() && home.lat.abs() <= 90.0 && home.lon.abs() <= 180.0) {
                    return Err(CommandError::Invalid("a home base needs a valid longitude and latitude".into()));
                }
                let r = self.reps.get_mut(rep.index()).ok_or(CommandError::NoSuchRep(rep.0))?;
                let old = std::mem::replace(&mut r.home, home);
                Ok(Applied { effects: changed_model, inverse: Command::SetRepHome { rep, home: old } })
            }
            Command::SetRoadNetwork { info } => {
                let old = std::mem::replace(&mut self.road_network, info.map(|i| *i));
                Ok(Applied { effects: Effects::default(), inverse: Command::SetRoadNetwork { info: old.map(Box::new) } })
            }
            Command::InsertScenario { label: _, position, scenario: added, history: _, baseline } => {
                self.insert_scenario_at(scenario, position, *added, baseline)
            }
            Command::RemoveScenario { id, then_active } => self.remove_scenario_edit(scenario, id, then_active),
            Command::RenameScenario { id, name } => {
                let name = self.checked_scenario_name(&name, Some(id))?;
                let target = self.scenario_mut(id).ok_or(CommandError::NoSuchScenario(id.0))?;
                let old = std::mem::replace(&mut target.name, name);
                Ok(Applied { effects: Effects { scenarios_changed: true, ..Effects::default() }, inverse: Command::RenameScenario { id, name: old } })
            }
            Command::SetQuotas { id, quotas } => {
                let target = self.scenario_mut(id).ok_or(CommandError::NoSuchScenario(id.0))?;
                let old = std::mem::replace(&mut target.quotas, quotas.map(|q| *q));
                Ok(Applied { effects: Effects { scenarios_changed: true, ..Effects::default() }, inverse: Command::SetQuotas { id, quotas: old.map(Box::new) } })
            }
            Command::SetBaseline { id } => {
                self.scenario(id).ok_or(CommandError::NoSuchScenario(id.0))?;
                let old = std::mem::replace(&mut self.baseline, id);
                Ok(Applied { effects: Effects { scenarios_changed: true, ..Effects::default() }, inverse: Command::SetBaseline { id: old } })
            }
            Command::Batch { commands, .. } if commands.iter().any(Command::is_scenario_level) => {
                Err(CommandError::Invalid("adding, removing or renaming scenarios is an edit of its own, not part of a batch".into()))
            }
            Command::Batch { label, commands } if commands.iter().any(Command::is_project_level) => {
                // A batch mixing project and scenario edits: each part goes its own way.
                let mut effects = Effects::default();
                let mut inverses = Vec::with_capacity(commands.len());
                for part in commands {
                    match self.apply_command(scenario, part) {
                        Ok(applied) => {
                            effects.merge(applied.effects);
                            inverses.push(applied.inverse);
                        }
                        Err(err) => {
                            for inverse in inverses.into_iter().rev() {
                                let _rolled_back = self.apply_command(scenario, inverse);
                            }
                            return Err(err);
                        }
                    }
                }
                inverses.reverse();
                Ok(Applied { effects, inverse: Command::Batch { label, commands: inverses } })
            }
            command => self.apply_scenario_command(scenario, command),
        }
    }

    fn insert_scenario_at(&mut self, active: ScenarioId, position: usize, added: Scenario, baseline: bool) -> Result<Applied, CommandError> {
        let id = added.id;
        if self.scenario(id).is_some() {
            return Err(CommandError::DuplicateScenario(id.0));
        }
        self.checked_scenario_name(&added.name, None)?;
        added.check(self.units.len(), self.accounts.len()).map_err(|e| CommandError::Invalid(e.0))?;
        if let Some(rep) = added.territories.iter().filter_map(|t| t.rep).find(|r| r.index() >= self.reps.len()) {
            return Err(CommandError::NoSuchRep(rep.0));
        }
        // Ids only grow: histories of other scenarios may still bring back a removed
        // one under its id, so a freed id is never handed out again.
        self.next_scenario_id = self.next_scenario_id.max(id.0 + 1);
        let position = position.min(self.scenarios.len());
        self.scenarios.insert(position, added);
        if baseline {
            self.baseline = id;
        }
        Ok(Applied {
            effects: Effects { scenarios_changed: true, activate: Some(id), ..Effects::default() },
            inverse: Command::RemoveScenario { id, then_active: Some(active).filter(|a| *a != id) },
        })
    }

    fn remove_scenario_edit(&mut self, active: ScenarioId, id: ScenarioId, then_active: Option<ScenarioId>) -> Result<Applied, CommandError> {
        let position = self.scenarios.iter().position(|s| s.id == id).ok_or(CommandError::NoSuchScenario(id.0))?;
        if self.scenarios.len() <= 1 {
            return Err(CommandError::LastScenario);
        }
        let removed = self.scenarios.remove(position);
        let was_baseline = self.baseline == id;
        if was_baseline {
            self.baseline = self.scenarios[0].id;
        }
        let then_active = then_active.filter(|t| self.scenario(*t).is_some());
        let activate = if active == id { Some(then_active.unwrap_or(self.baseline)) } else { then_active };
        let label = format!("Restore scenario '{}'", removed.name);
        Ok(Applied {
            effects: Effects { scenarios_changed: true, activate, ..Effects::default() },
            inverse: Command::InsertScenario { label, position, scenario: Box::new(removed), history: None, baseline: was_baseline },
        })
    }

    fn apply_scenario_command(&mut self, scenario: ScenarioId, command: Command) -> Result<Applied, CommandError> {
        let ctx = CommandContext { accounts: &self.accounts, unit_accounts: &self.unit_accounts, rep_count: self.reps.len() };
        let scenario = self.scenarios.iter_mut().find(|s| s.id == scenario).ok_or(CommandError::NoSuchScenario(scenario.0))?;
        command.apply(scenario, &ctx)
    }

    fn set_model(&mut self, settings: Settings, capacities: Vec<(super::ids::RepId, f64, f64)>) -> Result<Applied, CommandError> {
        for (rep, capacity, experience) in &capacities {
            if rep.index() >= self.reps.len() {
                return Err(CommandError::NoSuchRep(rep.0));
            }
            if !(capacity.is_finite() && *capacity > 0.0 && experience.is_finite() && *experience > 0.0) {
                return Err(CommandError::Invalid(format!("rep {}: capacity and experience must be positive", self.reps[rep.index()].name)));
            }
        }
        let old_capacities = capacities
            .iter()
            .map(|(rep, _, _)| {
                let r = &self.reps[rep.index()];
                (*rep, r.capacity_hours, r.experience)
            })
            .collect();
        for (rep, capacity, experience) in capacities {
            let r = &mut self.reps[rep.index()];
            r.capacity_hours = capacity;
            r.experience = experience;
        }
        let old_settings = std::mem::replace(&mut self.settings, settings);
        Ok(Applied {
            effects: Effects { model_changed: true, ..Effects::default() },
            inverse: Command::SetModel { settings: Box::new(old_settings), capacities: old_capacities },
        })
    }
}

#[cfg(test)]
mod scenario_tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn scenarios_are_copied_renamed_and_removed_with_their_rules() {
        let mut project = grid_project(4, 4, 0.1, 20, 2, 5);
        let base = project.scenarios[0].id;
        let name = project.copy_name(&project.scenarios[0].name.clone());
        let copy = project.duplicate_scenario(base, &name).unwrap();
        assert_eq!(project.scenario(copy).unwrap().unit_territory, project.scenario(base).unwrap().unit_territory);
        assert!(matches!(project.duplicate_scenario(base, &name.to_uppercase()), Err(CommandError::ScenarioNameTaken(_))));
        assert_eq!(project.rename_scenario(copy, "  "), Err(CommandError::EmptyScenarioName));
        project.rename_scenario(copy, "Draft").unwrap();
        assert_eq!(project.copy_name("Draft"), "Draft (copy)");
        project.set_baseline(copy).unwrap();
        project.remove_scenario(copy).unwrap();
        assert_eq!(project.baseline, base, "the baseline moves to a remaining scenario");
        assert_eq!(project.remove_scenario(base), Err(CommandError::LastScenario));
        let blank = project.add_blank_scenario("Blank", &[crate::model::Rgb(1, 2, 3)]).unwrap();
        let blank = project.scenario(blank).unwrap();
        assert_eq!(blank.territories.len(), project.reps.len());
        assert!(blank.unit_territory.iter().all(Option::is_none));
    }

    #[test]
    fn each_scenario_edit_has_an_exact_inverse() {
        let original = grid_project(4, 4, 0.1, 20, 2, 5);
        let base = original.scenarios[0].id;
        let copy = original.scenario_copy(base, "Copy").unwrap();
        let edits = [
            Command::add_scenario("Duplicate", copy.clone()),
            Command::rename_scenario(base, "Renamed"),
        ];
        for edit in edits {
            let mut project = original.clone();
            let applied = project.apply_command(base, edit).unwrap();
            assert_ne!(project, original);
            let undone = project.apply_command(base, applied.inverse).unwrap();
            let mut expected = original.clone();
            expected.next_scenario_id = project.next_scenario_id;
            assert_eq!(project, expected);
            project.apply_command(base, undone.inverse).unwrap();
        }
        // Removing the baseline and bringing it back restores it as the baseline, in place.
        let mut project = original.clone();
        project.insert_scenario(copy.clone()).unwrap();
        let before = project.clone();
        let removed = project.apply_command(base, Command::remove_scenario(base)).unwrap();
        assert_eq!(removed.effects.activate, Some(copy.id), "the active scenario went: the new baseline takes over");
        assert_eq!(project.baseline, copy.id);
        let restored = project.apply_command(copy.id, removed.inverse).unwrap();
        assert_eq!(restored.effects.activate, Some(base));
        assert_eq!(project, before);
        let baseline = project.apply_command(base, Command::set_baseline(copy.id)).unwrap();
        project.apply_command(base, baseline.inverse).unwrap();
        assert_eq!(project, before);
    }

    #[test]
    fn an_inserted_scenario_must_fit_the_project() {
        let mut project = grid_project(4, 4, 0.1, 20, 2, 5);
        let base = project.scenarios[0].id;
        let mut wrong = project.next_scenario("Short");
        wrong.unit_territory.pop();
        assert!(matches!(project.apply_command(base, Command::add_scenario("x", wrong)), Err(CommandError::Invalid(_))));
        let mut clash = project.next_scenario("Clash");
        clash.id = base;
        assert_eq!(project.apply_command(base, Command::add_scenario("x", clash)).err(), Some(CommandError::DuplicateScenario(base.0)));
        let batch = Command::Batch { label: "b".into(), commands: vec![Command::rename_scenario(base, "B")] };
        assert!(project.apply_command(base, batch).is_err(), "scenario edits stand alone");
    }
}
