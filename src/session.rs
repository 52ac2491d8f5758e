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
    /// The workload model before a live edit (slider drag) started.
    model_before: Option<Command>,
}

impl Session {
    /// Opens a project on its baseline scenario.
    pub fn new(project: Project) -> Self {
        let active = project.baseline_scenario().or(project.scenarios.first()).map(|s| s.id).unwrap_or(ScenarioId(0));
        let metrics = match project.scenario(active) {
            Some(scenario) => ScenarioMetrics::compute(&project, scenario),
            None => ScenarioMetrics::compute(&project, &Scenario::new(active, "", project.units.len())),
        };
        Self { project, histories: HashMap::new(), active, metrics, generation: 0, saved_generation: 0, group: None, model_before: None }
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

    /// Copies a scenario (with a free "(copy)" name) and makes the copy active.
    pub fn duplicate_scenario(&mut self, source: ScenarioId) -> Result<ScenarioId, String> {
        self.commit_model();
        let name = self.project.scenario(source).map(|s| self.project.copy_name(&s.name)).ok_or("no such scenario")?;
        let id = self.project.duplicate_scenario(source, &name)?;
        self.set_active(id);
        Ok(id)
    }

    /// Adds a blank scenario (a territory per rep, nothing assigned) and makes it active.
    pub fn add_blank_scenario(&mut self, palette: &[crate::model::Rgb]) -> Result<ScenarioId, String> {
        self.commit_model();
        let name = self.project.unused_scenario_name("New scenario");
        let id = self.project.add_blank_scenario(&name, palette)?;
        self.set_active(id);
        Ok(id)
    }

    /// Adds an optimizer proposal as a new scenario (not active yet).
    pub fn add_proposal(&mut self, proposal: &crate::optimize::project::Proposal, name: &str) -> Result<ScenarioId, String> {
        let id = crate::optimize::project::add_proposal(&mut self.project, proposal, name)?;
        self.generation += 1;
        Ok(id)
    }

    /// Adds an alignment CSV (zip, territory[, rep]) as a new scenario named after
    /// `name` (numbered if taken). Returns its id and how many ZIPs the file left out.
    pub fn import_alignment(&mut self, path: &std::path::Path, name: &str) -> Result<(ScenarioId, usize), crate::io::import::ImportError> {
        let (id, import) = crate::io::import::new_project::import_alignment(&mut self.project, path, name, false)?;
        self.generation += 1;
        Ok((id, import.unmentioned_units))
    }

    pub fn rename_scenario(&mut self, id: ScenarioId, name: &str) -> Result<(), String> {
        self.project.rename_scenario(id, name)?;
        self.generation += 1;
        Ok(())
    }

    /// Removes a scenario and its history; the baseline becomes active if it was.
    pub fn remove_scenario(&mut self, id: ScenarioId) -> Result<(), String> {
        self.commit_model();
        self.project.remove_scenario(id)?;
        self.histories.remove(&id);
        if self.active == id {
            self.set_active(self.project.baseline);
        } else {
            self.generation += 1;
        }
        Ok(())
    }

    pub fn set_baseline(&mut self, id: ScenarioId) -> Result<(), String> {
        self.project.set_baseline(id)?;
        self.generation += 1;
        Ok(())
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
        self.commit_model();
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

    /// The current workload model as a command that would restore it.
    pub fn model_command(&self) -> Command {
        let p = &self.project;
        Command::SetModel {
            settings: Box::new(p.settings.clone()),
            capacities: p.reps.iter().map(|r| (r.id, r.capacity_hours, r.experience)).collect(),
        }
    }

    /// Applies a workload model at once (metrics recompute) without recording an undo
    /// step yet: call `commit_model` when the gesture (e.g. a slider drag) ends.
    pub fn preview_model(&mut self, model: Command) -> Result<(), CommandError> {
        let before = self.model_command();
        let applied = self.project.apply_command(self.active, model)?;
        self.model_before.get_or_insert(before);
        self.after_change(&applied.effects);
        Ok(())
    }

    /// Records the live model edit as one undo step; returns whether there was one.
    pub fn commit_model(&mut self) -> bool {
        let Some(before) = self.model_before.take() else { return false };
        if before == self.model_command() {
            return false;
        }
        let label = "Change workload model".to_string();
        match &mut self.group {
            Some((_, inverses)) => inverses.push(before),
            None => self.histories.entry(self.active).or_default().record(label, before),
        }
        true
    }

    fn after_change(&mut self, effects: &Effects) {
        if effects.model_changed {
            self.recompute();
            return;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;
    use crate::model::WorkloadPreset;

    fn with_preset(session: &Session, preset: WorkloadPreset) -> Command {
        let Command::SetModel { mut settings, capacities } = session.model_command() else { unreachable!() };
        settings.apply_preset(preset);
        Command::SetModel { settings, capacities }
    }

    #[test]
    fn a_live_model_edit_is_one_undo_step_and_undo_restores_the_figures() {
        let mut session = Session::new(grid_project(8, 6, 0.1, 150, 5, 7));
        let before: Vec<f64> = session.metrics().territories.iter().map(|t| t.workload_index).collect();
        session.preview_model(with_preset(&session, WorkloadPreset::Inside)).unwrap();
        session.preview_model(with_preset(&session, WorkloadPreset::StrategicEnterprise)).unwrap();
        assert_eq!(session.project().settings.preset, Some(WorkloadPreset::StrategicEnterprise));
        let live: Vec<f64> = session.metrics().territories.iter().map(|t| t.workload_index).collect();
        assert_ne!(before, live, "the preset must change the workload index");
        assert!(session.commit_model());
        assert!(!session.commit_model(), "nothing left to commit");
        assert_eq!(session.undo_label(), Some("Change workload model"));
        session.undo().unwrap();
        assert_eq!(session.project().settings.preset, Some(WorkloadPreset::Field));
        let after: Vec<f64> = session.metrics().territories.iter().map(|t| t.workload_index).collect();
        assert_eq!(before, after);
        session.redo().unwrap();
        assert_eq!(session.project().settings.preset, Some(WorkloadPreset::StrategicEnterprise));
    }

    #[test]
    fn a_model_with_a_non_positive_capacity_is_refused_and_changes_nothing() {
        let mut session = Session::new(grid_project(8, 6, 0.1, 150, 5, 7));
        let Command::SetModel { settings, mut capacities } = session.model_command() else { unreachable!() };
        capacities[0].1 = 0.0;
        let err = session.preview_model(Command::SetModel { settings, capacities }).unwrap_err();
        assert!(err.to_string().contains("capacity"), "{err}");
        assert!(!session.commit_model());
    }
}
