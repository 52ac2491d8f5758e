//! The Optimize dialog: settings, a worker thread with progress and cancel, and the
//! proposal handed back to the app as a new scenario.

use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::optimize::project::{propose, propose_local, Measure, Options, Proposal};
use crate::optimize::OptimizeError;
use egui::{RichText, Slider, Ui};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

/// The dialog's settings.
pub struct OptimizeForm {
    pub measure: Measure,
    pub tolerance_pct: f64,
    pub territories: usize,
    pub disruption: f64,
    pub seed: u64,
    /// Keep each territory in one piece.
    pub contiguous: bool,
    /// The scenario to start from (its territories, reps and locks).
    pub start: crate::model::ids::ScenarioId,
    /// Local rebalance: only these territories change, among themselves.
    pub only: Option<Vec<crate::model::ids::TerritoryId>>,
}

impl OptimizeForm {
    pub fn for_scenario(scenario: &Scenario) -> Self {
        Self { measure: Measure::Potential, tolerance_pct: 10.0, territories: scenario.territories.len().max(1), disruption: 0.0, seed: 1, contiguous: true, start: scenario.id, only: None }
    }
}

/// A run on the worker thread.
pub struct OptimizeJob {
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    result: mpsc::Receiver<Result<Proposal, OptimizeError>>,
    pub start_name: String,
}

impl OptimizeJob {
    /// Starts the optimizer on copies of the project and start scenario, so the UI
    /// stays free to draw (and the planner to look around) meanwhile.
    pub fn start(project: &Project, start: &Scenario, form: &OptimizeForm) -> Self {
        let progress = Arc::new(AtomicU32::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let (project, scenario) = (project.clone(), start.clone());
        let options = Options { measure: form.measure.clone(), tolerance: form.tolerance_pct / 100.0, disruption: form.disruption, seed: form.seed, contiguous: form.contiguous };
        let k = form.territories;
        let only = form.only.clone();
        let (p, c) = (Arc::clone(&progress), Arc::clone(&cancel));
        std::thread::spawn(move || {
            let mut report = |fraction: f32| {
                p.store((fraction.clamp(0.0, 1.0) * 1000.0) as u32, Ordering::Relaxed);
                !c.load(Ordering::Relaxed)
            };
            let outcome = match &only {
                Some(ids) => propose_local(&project, &scenario, ids, &options, &mut report),
                None => propose(&project, &scenario, k, &options, &mut report),
            };
            let _receiver_gone = tx.send(outcome);
        });
        Self { progress, cancel, result: rx, start_name: start.name.clone() }
    }

    pub fn fraction(&self) -> f32 {
        self.progress.load(Ordering::Relaxed) as f32 / 1000.0
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The outcome once the worker is done.
    pub fn poll(&self) -> Option<Result<Proposal, OptimizeError>> {
        match self.result.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(OptimizeError::Invalid("the optimizer stopped unexpectedly".into()))),
        }
    }
}

/// What the dialog asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum FormAction {
    Run,
    Cancel,
}

/// `local`: the highlighted territory and its neighbours, offered for a local rebalance.
pub fn form_ui(ui: &mut Ui, form: &mut OptimizeForm, project: &Project, local: Option<(String, Vec<crate::model::ids::TerritoryId>)>, job: Option<&OptimizeJob>) -> Option<FormAction> {
    let attributes = project.unit_attribute_names();
    let mut action = None;
    ui.label("Proposes balanced, contiguous territories as a new scenario; the current one is not changed. Rep home bases are the centres; locked territories keep their ZIPs.");
    ui.add_enabled_ui(job.is_none(), |ui| {
        egui::Grid::new("optimize_form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            let label = ui.label("Start from");
            let current = project.scenario(form.start).map(|s| s.name.clone()).unwrap_or_default();
            let combo = egui::ComboBox::from_id_salt("optimize_start").selected_text(current).show_ui(ui, |ui| {
                for s in &project.scenarios {
                    if ui.selectable_label(s.id == form.start, &s.name).clicked() && s.id != form.start {
                        form.start = s.id;
                        form.territories = s.territories.len().max(1);
                        form.only = None;
                    }
                }
            });
            combo.response.labelled_by(label.id);
            ui.end_row();
            ui.label("Balance");
            let label = form.measure.label();
            egui::ComboBox::from_id_salt("optimize_measure").selected_text(label).show_ui(ui, |ui| {
                ui.selectable_value(&mut form.measure, Measure::Potential, "Potential");
                ui.selectable_value(&mut form.measure, Measure::Workload, "Workload index").on_hover_text("Accounts by tier, potential, visit hours and drive time, weighted as the workload model says");
                ui.selectable_value(&mut form.measure, Measure::VisitHours, "Visit hours");
                let half = Measure::Mix(vec![(0.5, Measure::Potential), (0.5, Measure::Workload)]);
                if ui.selectable_label(matches!(form.measure, Measure::Mix(_)), "Mix of potential and workload index").clicked() && !matches!(form.measure, Measure::Mix(_)) {
                    form.measure = half;
                }
                for a in &attributes {
                    ui.selectable_value(&mut form.measure, Measure::Attribute(a.clone()), a);
                }
            });
            ui.end_row();
            if let Measure::Mix(parts) = &mut form.measure {
                ui.label("Potential share");
                let mut share = parts.first().map(|p| p.0 * 100.0).unwrap_or(50.0);
                if ui.add(Slider::new(&mut share, 0.0..=100.0).suffix(" %").fixed_decimals(0)).changed() {
                    let share = share.clamp(1.0, 99.0) / 100.0;
                    *parts = vec![(share, Measure::Potential), (1.0 - share, Measure::Workload)];
                }
                ui.end_row();
            }
            ui.label("Tolerance");
            ui.add(Slider::new(&mut form.tolerance_pct, 1.0..=30.0).suffix(" %").fixed_decimals(0));
            ui.end_row();
            ui.label("Territories");
            ui.horizontal(|ui| {
                ui.add_enabled(form.only.is_none(), egui::DragValue::new(&mut form.territories).range(1..=500));
                let now = project.scenario(form.start).map_or(0, |s| s.territories.len());
                if form.territories == now {
                    ui.weak("the current ones");
                } else if form.territories > now {
                    ui.weak(format!("{} new, without a rep", form.territories - now));
                } else {
                    ui.weak(format!("the last {} dropped", now - form.territories));
                }
            });
            ui.end_row();
            ui.label("Scope");
            ui.vertical(|ui| {
                if ui.radio(form.only.is_none(), "All territories").clicked() {
                    form.only = None;
                }
                match &local {
                    Some((name, ids)) => {
                        let text = format!("Only {name} and its {} neighbours", ids.len() - 1);
                        if ui.radio(form.only.is_some(), text).clicked() {
                            form.only = Some(ids.clone());
                        }
                    }
                    None => {
                        ui.weak("Highlight a territory (click its name) to rebalance it with its neighbours only.");
                    }
                }
            });
            ui.end_row();
            ui.label("Contiguity");
            ui.checkbox(&mut form.contiguous, "Keep each territory in one piece").on_hover_text("Off: ZIPs may be split off from their territory when that balances better");
            ui.end_row();
            ui.label("Keep changes small");
            ui.add(Slider::new(&mut form.disruption, 0.0..=3.0).fixed_decimals(1)).on_hover_text("0: ignore today's alignment; higher: move fewer ZIPs");
            ui.end_row();
        });
    });
    ui.separator();
    match job {
        Some(job) => {
            ui.horizontal(|ui| {
                ui.add(egui::ProgressBar::new(job.fraction()).show_percentage().desired_width(240.0));
                if ui.button("Cancel").clicked() {
                    action = Some(FormAction::Cancel);
                }
            });
        }
        None => {
            if ui.button(RichText::new("Propose balanced territories").strong()).clicked() {
                action = Some(FormAction::Run);
            }
        }
    }
    action
}
