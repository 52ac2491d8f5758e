//! An open project: the project itself, one undo history per scenario, the active
//! scenario and its live metrics. Every edit goes through `execute`, `undo` or `redo`.

use crate::metrics::ScenarioMetrics;
use crate::model::command::{Command, CommandError, Effects};
use crate::model::history::{History, HistoryEntry};
use crate::model::ids::ScenarioId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use std::collections::HashMap;

pub struct Session {
    project: Project,
    histories: HashMap<ScenarioId, History>,
    active: ScenarioId,
    metrics: ScenarioMetrics,
    /// Bumped by every change; caches compare it to know when to rebuild.
    generation: u64,
    /// Generation at the last save; the project is dirty when they differ.
    saved_generation: u64,
    /// An open gesture (e.g. a brush stroke): its inverses become one undo step.
    group: Option<(String, Vec<Command>)>,
}

impl Session {
    /// Opens a project on its baseline scenario.
    pub fn new(project: Project) -> Self {
        let active = project.baseline_scenario().or(project.scenarios.first()).map(|s| s.id).unwrap_or(ScenarioId(0));
        let metrics = match project.scenario(active) {
            Some(scenario) => ScenarioMetrics::compute(&project, scenario),
            None => ScenarioMetrics::compute(&project, &Scenario::new(active, "", project.units.len())),
        };
        Self { project, histories: HashMap::new(), active, metrics, generation: 0, saved_generation: 0, group: None }
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    pub fn into_project(self) -> Project {
        self.project
    }

    pub fn active_id(&self) -> ScenarioId {
        self.active
    }

    pub fn scenario(&self) -> &Scenario {
        self.project.scenario(self.active).expect("the active scenario exists")
    }

    pub fn metrics(&self) -> &ScenarioMetrics {
        &self.metrics
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn is_dirty(&self) -> bool {
        self.generation != self.saved_generation
    }

    /// Marks the project as changed since its last save (e.g. recovered from an autosave).
    pub fn mark_modified(&mut self) {
        self.generation += 1;
    }

    pub fn mark_saved(&mut self) {
        self.saved_generation = self.generation;
    }

    /// Switches the active scenario; its history is kept.
    pub fn set_active(&mut self, id: ScenarioId) -> bool {
        self.end_group();
        let Some(scenario) = self.project.scenario(id) else { return false };
        self.metrics = ScenarioMetrics::compute(&self.project, scenario);
        self.active = id;
        self.generation += 1;
        true
    }

    pub fn history(&self) -> Option<&History> {
        self.histories.get(&self.active)
    }

    pub fn undo_label(&self) -> Option<&str> {
        self.history().and_then(History::undo_label)
    }

    pub fn redo_label(&self) -> Option<&str> {
        self.history().and_then(History::redo_label)
    }

    /// Applies an edit to the active scenario as one undo step.
    pub fn execute(&mut self, command: Command) -> Result<Effects, CommandError> {
        let label = command.label(self.scenario());
        let applied = self.project.apply_command(self.active, command)?;
        match &mut self.group {
            Some((_, inverses)) => inverses.push(applied.inverse),
            None => self.histories.entry(self.active).or_default().record(label, applied.inverse),
        }
        self.after_change(&applied.effects);
        Ok(applied.effects)
    }

    /// Undoes the last edit of the active scenario; `Ok(None)` when there is none.
    pub fn undo(&mut self) -> Result<Option<Effects>, CommandError> {
        self.step(true)
    }

    pub fn redo(&mut self) -> Result<Option<Effects>, CommandError> {
        self.step(false)
    }

    /// Starts a gesture: every edit until `end_group` becomes one undo step.
    pub fn begin_group(&mut self, label: impl Into<String>) {
        self.end_group();
        self.group = Some((label.into(), Vec::new()));
    }

    /// Ends the gesture; returns whether it recorded an undo step.
    pub fn end_group(&mut self) -> bool {
        let Some((label, mut inverses)) = self.group.take() else { return false };
        if inverses.is_empty() {
            return false;
        }
        inverses.reverse();
        self.histories.entry(self.active).or_default().record(label.clone(), Command::Batch { label, commands: inverses });
        true
    }

    pub fn in_group(&self) -> bool {
        self.group.is_some()
    }

    fn step(&mut self, undo: bool) -> Result<Option<Effects>, CommandError> {
        self.end_group();
        let history = self.histories.entry(self.active).or_default();
        let entry = if undo { history.pop_undo() } else { history.pop_redo() };
        let Some(entry) = entry else { return Ok(None) };
        let label = entry.label.clone();
        match self.project.apply_command(self.active, entry.command.clone()) {
            Ok(applied) => {
                let history = self.histories.entry(self.active).or_default();
                let opposite = HistoryEntry { label, command: applied.inverse };
                if undo {
                    history.push_redo(opposite);
                } else {
                    history.push_undo(opposite);
                }
                self.after_change(&applied.effects);
                Ok(Some(applied.effects))
            }
            Err(err) => {
                // Put it back so the history stays consistent with the scenario.
                let history = self.histories.entry(self.active).or_default();
                if undo {
                    history.push_undo(entry);
                } else {
                    history.push_redo(entry);
                }
                Err(err)
            }
        }
    }

    fn after_change(&mut self, effects: &Effects) {
        let scenario = self.project.scenario(self.active).expect("the active scenario exists");
        self.metrics.update(&self.project, scenario, effects);
        self.generation += 1;
    }

    /// Replaces the project's settings and recomputes the metrics.
    pub fn set_settings(&mut self, settings: crate::model::Settings) {
        self.project.settings = settings;
        self.recompute();
    }

    /// Recomputes the metrics of the active scenario from scratch.
    pub fn recompute(&mut self) {
        let scenario = self.project.scenario(self.active).expect("the active scenario exists");
        self.metrics = ScenarioMetrics::compute(&self.project, scenario);
        self.generation += 1;
    }
}
