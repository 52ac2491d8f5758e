//! An open project: the project itself, one undo history per scenario, the active
//! scenario and its live metrics. Every edit goes through `execute`, `undo` or `redo`.

use crate::drivetime::roads::cache::RoadTimes;
use crate::metrics::ScenarioMetrics;
use crate::model::command::{Command, CommandError, Effects};
use crate::model::history::{History, HistoryEntry};
use crate::model::ids::ScenarioId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// What changed since a generation, for caches that update instead of rebuilding.
#[derive(Clone, Debug, PartialEq)]
pub enum Changes {
    Nothing,
    /// These edits, merged in order.
    Edits(Effects),
    /// Everything may have changed (another scenario, a new model): rebuild.
    Everything,
}

/// How many recent edits `changes_since` can replay; older callers rebuild.
const CHANGE_LOG: usize = 64;

pub struct Session {
    project: Project,
    histories: HashMap<ScenarioId, History>,
    active: ScenarioId,
    metrics: ScenarioMetrics,
    /// Bumped by every change; caches compare it to know when to rebuild.
    generation: u64,
    /// Generation at the last save; the project is dirty when they differ.
    saved_generation: u64,
    /// The effects of recent edits with the generation each produced.
    change_log: VecDeque<(u64, Effects)>,
    /// The last generation at which everything changed.
    reset_generation: u64,
    /// An open gesture (e.g. a brush stroke): its inverses become one undo step.
    group: Option<(String, Vec<Command>)>,
    /// The workload model before a live edit (slider drag) started.
    model_before: Option<Command>,
    /// Road drive times, once the project's road network is loaded.
    roads: Option<Arc<RoadTimes>>,
}

impl Session {
    /// Opens a project on its baseline scenario.
    pub fn new(project: Project) -> Self {
        Self::open(project, None, None)
    }

    /// Opens a project on `scenario` (the baseline when `None` or unknown), with drive
    /// times by road where `roads` has them; the metrics are computed once.
    pub fn open(project: Project, scenario: Option<ScenarioId>, roads: Option<Arc<RoadTimes>>) -> Self {
        let wanted = scenario.and_then(|id| project.scenario(id)).map(|s| s.id);
        let active = wanted.or(project.baseline_scenario().map(|s| s.id)).or(project.scenarios.first().map(|s| s.id)).unwrap_or(ScenarioId(0));
        let metrics = match project.scenario(active) {
            Some(scenario) => ScenarioMetrics::compute_with_roads(&project, scenario, roads.clone()),
            None => ScenarioMetrics::compute_with_roads(&project, &Scenario::new(active, "", project.units.len()), roads.clone()),
        };
        Self { project, histories: HashMap::new(), active, metrics, generation: 0, saved_generation: 0, change_log: VecDeque::new(), reset_generation: 0, group: None, model_before: None, roads }
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
        self.reset();
    }

    /// What changed since `generation` (a value `generation()` returned earlier).
    pub fn changes_since(&self, generation: u64) -> Changes {
        if generation == self.generation {
            return Changes::Nothing;
        }
        let replayable = generation >= self.reset_generation && self.change_log.front().is_some_and(|(g, _)| *g <= generation + 1);
        if !replayable || generation > self.generation {
            return Changes::Everything;
        }
        let mut merged = Effects::default();
        for (_, effects) in self.change_log.iter().filter(|(g, _)| *g > generation) {
            merged.merge(effects.clone());
        }
        Changes::Edits(merged)
    }

    /// Everything changed: caches rebuild.
    fn reset(&mut self) {
        self.generation += 1;
        self.reset_generation = self.generation;
        self.change_log.clear();
    }

    pub fn mark_saved(&mut self) {
        self.saved_generation = self.generation;
    }

    /// Switches the active scenario; its history is kept.
    pub fn set_active(&mut self, id: ScenarioId) -> bool {
        self.end_group();
        let Some(scenario) = self.project.scenario(id) else { return false };
        self.metrics = ScenarioMetrics::compute_with_roads(&self.project, scenario, self.roads.clone());
        self.active = id;
        self.reset();
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

    /// Applies an edit to the active scenario (or the project, or its set of scenarios)
    /// as one undo step. An edit that makes another scenario active records its undo
    /// step in that scenario's history, so undo right after it takes it back.
    pub fn execute(&mut self, command: Command) -> Result<Effects, CommandError> {
        if command.is_scenario_level() {
            self.end_group();
            self.commit_model();
        }
        let label = command.label(&self.project, self.scenario());
        let (effects, inverse) = self.apply(command)?;
        match &mut self.group {
            Some((_, inverses)) => inverses.push(inverse),
            None => self.histories.entry(self.active).or_default().record(label, inverse),
        }
        Ok(effects)
    }

    /// Applies a command, moves undo histories along with scenarios that come and go,
    /// switches the active scenario when the edit says so and updates the metrics.
    fn apply(&mut self, mut command: Command) -> Result<(Effects, Command), CommandError> {
        let restored = command.take_history();
        let removing = match &command {
            Command::RemoveScenario { id, .. } => Some(*id),
            _ => None,
        };
        let applied = self.project.apply_command(self.active, command)?;
        let mut inverse = applied.inverse;
        if let Some(id) = removing {
            inverse.attach_history(self.histories.remove(&id));
        }
        if let (Some(history), Some(id)) = (restored, applied.effects.activate) {
            self.histories.insert(id, history);
        }
        match applied.effects.activate.filter(|id| *id != self.active) {
            Some(id) => {
                self.set_active(id);
            }
            None => self.after_change(&applied.effects),
        }
        Ok((applied.effects, inverse))
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
        let from = self.active;
        match self.apply(entry.command.clone()) {
            Ok((effects, inverse)) => {
                // The opposite step goes where the planner now is: undoing "Duplicate"
                // lands in the original, where redo brings the copy back.
                let history = self.histories.entry(self.active).or_default();
                let opposite = HistoryEntry { label, command: inverse };
                if undo {
                    history.push_redo(opposite);
                } else {
                    history.push_undo(opposite);
                }
                Ok(Some(effects))
            }
            Err(err) => {
                // Put it back so the history stays consistent with the scenario.
                let history = self.histories.entry(from).or_default();
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
        if self.change_log.len() == CHANGE_LOG {
            self.change_log.pop_front();
        }
        self.change_log.push_back((self.generation, effects.clone()));
    }

    /// Replaces the project's settings and recomputes the metrics.
    pub fn set_settings(&mut self, settings: crate::model::Settings) {
        self.project.settings = settings;
        self.recompute();
    }

    /// Recomputes the metrics of the active scenario from scratch.
    pub fn recompute(&mut self) {
        let scenario = self.project.scenario(self.active).expect("the active scenario exists");
        self.metrics = ScenarioMetrics::compute_with_roads(&self.project, scenario, self.roads.clone());
        self.reset();
    }

    /// Drive times by road from now on (`None`: the estimate); the metrics are redone.
    pub fn set_roads(&mut self, roads: Option<Arc<RoadTimes>>) {
        self.roads = roads;
        self.recompute();
    }

    /// The road drive times in use, if any (for metrics of other scenarios).
    pub fn roads(&self) -> Option<Arc<RoadTimes>> {
        self.roads.clone()
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

    #[test]
    fn duplicate_is_undone_from_the_copy_and_redone_from_the_original() {
        let mut session = Session::new(grid_project(8, 6, 0.1, 150, 5, 7));
        let original = session.active_id();
        let t = session.scenario().territories[1].id;
        session.execute(Command::assign_units([crate::model::UnitId(0)], Some(t))).unwrap();
        let copy = session.project().scenario_copy(original, "Copy").unwrap();
        let copy_id = copy.id;
        session.execute(Command::add_scenario("Duplicate 'Baseline'", copy)).unwrap();
        assert_eq!(session.active_id(), copy_id, "the copy becomes active");
        assert_eq!(session.undo_label(), Some("Duplicate 'Baseline'"));
        session.undo().unwrap();
        assert_eq!(session.active_id(), original);
        assert!(session.project().scenario(copy_id).is_none());
        assert_eq!(session.redo_label(), Some("Duplicate 'Baseline'"));
        assert!(session.undo_label().is_some(), "the original keeps its own history");
        session.redo().unwrap();
        assert_eq!(session.active_id(), copy_id);
        assert!(session.project().scenario(copy_id).is_some());
    }

    #[test]
    fn a_deleted_scenario_comes_back_with_its_history() {
        let mut session = Session::new(grid_project(8, 6, 0.1, 150, 5, 7));
        let original = session.active_id();
        let copy = session.project().scenario_copy(original, "Draft").unwrap();
        let draft = copy.id;
        session.execute(Command::add_scenario("Duplicate", copy)).unwrap();
        let t = session.scenario().territories[2].id;
        session.execute(Command::assign_units([crate::model::UnitId(3), crate::model::UnitId(4)], Some(t))).unwrap();
        let edited = session.scenario().clone();
        session.execute(Command::remove_scenario(draft)).unwrap();
        assert_eq!(session.active_id(), original, "the baseline takes over");
        assert_eq!(session.undo_label(), Some("Delete scenario 'Draft'"));
        session.undo().unwrap();
        assert_eq!(session.active_id(), draft);
        assert_eq!(session.scenario(), &edited);
        assert_eq!(session.undo_label(), Some("Assign 2 ZIPs to T2"), "its own edits undo as before");
        session.undo().unwrap();
        assert_eq!(session.scenario().unit_territory, session.project().scenario(original).unwrap().unit_territory);
        assert_eq!(session.redo_label(), Some("Assign 2 ZIPs to T2"));
    }

    #[test]
    fn rename_and_baseline_undo_in_place() {
        let mut session = Session::new(grid_project(8, 6, 0.1, 150, 5, 7));
        let original = session.active_id();
        let copy = session.project().scenario_copy(original, "Other").unwrap();
        let other = copy.id;
        session.execute(Command::add_scenario("Duplicate", copy)).unwrap();
        session.execute(Command::set_baseline(other)).unwrap();
        session.execute(Command::rename_scenario(other, "Today")).unwrap();
        assert_eq!(session.project().baseline, other);
        assert_eq!(session.scenario().name, "Today");
        let err = session.execute(Command::rename_scenario(other, "  ")).unwrap_err();
        assert_eq!(err, CommandError::EmptyScenarioName);
        session.undo().unwrap();
        assert_eq!(session.scenario().name, "Other");
        session.undo().unwrap();
        assert_eq!(session.project().baseline, original);
        assert_eq!(session.active_id(), other, "undoing in place keeps the scenario active");
    }

    #[test]
    fn changes_since_replays_recent_edits_and_says_everything_after_a_switch() {
        let mut session = Session::new(grid_project(8, 6, 0.1, 150, 5, 7));
        let start = session.generation();
        assert_eq!(session.changes_since(start), Changes::Nothing);
        let t = session.scenario().territories[1].id;
        session.execute(Command::assign_units([crate::model::UnitId(0)], Some(t))).unwrap();
        session.execute(Command::assign_units([crate::model::UnitId(1)], Some(t))).unwrap();
        let Changes::Edits(effects) = session.changes_since(start) else { panic!("two edits to replay") };
        let units: Vec<u32> = effects.units.iter().map(|(u, _, _)| u.0).collect();
        assert_eq!(units, vec![0, 1]);
        let middle = session.generation() - 1;
        let Changes::Edits(effects) = session.changes_since(middle) else { panic!("one edit to replay") };
        assert_eq!(effects.units.len(), 1);
        let before_switch = session.generation();
        let copy = session.project().scenario_copy(session.active_id(), "Copy").unwrap();
        session.execute(Command::add_scenario("Duplicate", copy)).unwrap();
        assert_eq!(session.changes_since(before_switch), Changes::Everything);
        for _ in 0..CHANGE_LOG + 1 {
            session.execute(Command::rename_scenario(session.active_id(), "Again")).ok();
            session.execute(Command::assign_units([crate::model::UnitId(2)], Some(t))).unwrap();
            session.execute(Command::assign_units([crate::model::UnitId(2)], None)).unwrap();
        }
        assert_eq!(session.changes_since(before_switch + 1), Changes::Everything, "too old to replay");
    }
}
