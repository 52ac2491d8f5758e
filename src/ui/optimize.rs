//! The Optimize dialog: settings, a worker thread with progress and cancel, and the
//! proposal handed back to the app as a new scenario (one undoable step).

use super::actions::AppAction;
use super::app::TerritoryApp;
use super::jobs::Job;
use crate::model::command::Command;
use crate::model::ids::{ScenarioId, TerritoryId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::optimize::project::{local_scope, proposal_scenario, Measure, Options, Proposal, Request, PROPOSAL_NAME};
use crate::optimize::OptimizeError;
use egui::{RichText, Slider, Ui};

/// The dialog's settings.
pub struct OptimizeForm {
    pub measure: Measure,
    pub tolerance_pct: f64,
    pub territories: usize,
    pub disruption: f64,
    pub seed: u64,
    /// Keep each territory in one piece.
    pub contiguous: bool,
    /// Balance each sales region on its own; no ZIP changes region.
    pub within_regions: bool,
    /// The scenario to start from (its territories, reps and locks).
    pub start: ScenarioId,
    /// Local rebalance: only these territories change, among themselves.
    pub only: Option<Vec<TerritoryId>>,
    /// With fewer territories than the start has: the ones the planner chose to leave
    /// out (the rest are chosen by the core, see `left_out`).
    pub without: Vec<TerritoryId>,
}

impl OptimizeForm {
    pub fn for_scenario(scenario: &Scenario) -> Self {
        Self { measure: Measure::Potential, tolerance_pct: 10.0, territories: scenario.territories.len().max(1), disruption: 0.0, seed: 1, contiguous: true, within_regions: false, start: scenario.id, only: None, without: Vec::new() }
    }

    /// The same request the command line makes (checked by the core before it runs).
    pub fn request(&self) -> Request {
        let options = Options { measure: self.measure.clone(), tolerance: self.tolerance_pct / 100.0, disruption: self.disruption, seed: self.seed, contiguous: self.contiguous, within_regions: self.within_regions };
        Request { start: self.start, territories: self.territories, only: self.only.clone(), without: self.without.clone(), options }
    }
}

/// The dialog (open while `form` is set) and its run.
#[derive(Default)]
pub struct OptimizeDialog {
    pub form: Option<OptimizeForm>,
    pub job: Option<Job<Result<Proposal, OptimizeError>>>,
    /// The scenario the running job started from (compare opens against it).
    pub(super) start: Option<ScenarioId>,
    /// A finished proposal the planner has not yet accepted or discarded.
    pub proposal: Option<Proposal>,
}

impl OptimizeDialog {
    pub fn cancel(&self) {
        if let Some(job) = &self.job {
            job.cancel();
        }
    }
}

/// What the dialog asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum FormAction {
    Run,
    Cancel,
    Accept,
    Discard,
}

/// `local`: the highlighted territory and its neighbours, offered for a local rebalance.
pub fn form_ui(ui: &mut Ui, form: &mut OptimizeForm, project: &Project, local: Option<(String, Vec<TerritoryId>)>, job: Option<&Job<Result<Proposal, OptimizeError>>>, proposal: Option<&Proposal>) -> Option<FormAction> {
    let attributes: Vec<String> = project.unit_attribute_names().into_iter().filter(|n| !crate::io::import::looks_like_identifier(n)).collect();
    let mut action = None;
    ui.label("Proposes balanced, contiguous territories as a new scenario; the current one is not changed. Rep home bases are the centres; locked territories keep their ZIPs.");
    ui.add_enabled_ui(job.is_none() && proposal.is_none(), |ui| {
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
                    ui.weak(format!("{} left out", now - form.territories));
                }
            });
            ui.end_row();
            if let Some(start) = project.scenario(form.start).filter(|s| form.only.is_none() && form.territories < s.territories.len()) {
                leave_out_ui(ui, form, project, start);
            }
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
            let regions = project.scenario(form.start).map_or(0, |s| s.regions().len());
            ui.label("Regions");
            ui.add_enabled_ui(regions > 0, |ui| {
                let hint = if regions > 0 {
                    format!("Balance each of the {regions} regions with its own territories; no ZIP moves to another region, the territory count stays")
                } else {
                    "The start scenario has no regions: put territories in regions (right-click a territory > Region)".to_string()
                };
                if ui.checkbox(&mut form.within_regions, "Balance within each region").on_hover_text(hint).changed() && form.within_regions {
                    form.only = None;
                    form.territories = project.scenario(form.start).map_or(form.territories, |s| s.territories.len());
                }
            });
            if regions == 0 {
                form.within_regions = false;
            }
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
    match (job, proposal) {
        (Some(job), _) => {
            if super::jobs::progress_ui(ui, job) {
                action = Some(FormAction::Cancel);
            }
        }
        (None, Some(proposal)) => action = proposal_ui(ui, proposal),
        (None, None) => {
            if ui.button(RichText::new("Propose balanced territories").strong()).clicked() {
                action = Some(FormAction::Run);
            }
        }
    }
    action
}

/// Who is left without a territory when fewer are asked for: the automatic choice,
/// and a box per territory to choose instead.
fn leave_out_ui(ui: &mut Ui, form: &mut OptimizeForm, project: &Project, start: &Scenario) {
    let surplus = start.territories.len() - form.territories;
    form.without.retain(|id| start.territory(*id).is_some_and(|t| !t.locked));
    form.without.truncate(surplus);
    let chosen = crate::optimize::project::left_out(project, start, form.territories, &form.without);
    ui.label("Left out");
    ui.vertical(|ui| {
        let names: Vec<String> = chosen.iter().filter_map(|id| start.territory(*id)).map(|t| t.name.clone()).collect();
        ui.label(RichText::new(names.join(", ")).strong());
        let automatic = chosen.len() - form.without.len().min(chosen.len());
        if automatic > 0 {
            ui.weak(format!("{automatic} chosen for you: territories without a rep first, then the rep whose home is nearest another rep's. Tick to choose instead."));
        }
        egui::CollapsingHeader::new("Choose who is left out").id_salt("optimize_leave_out").show(ui, |ui| {
            egui::ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
                for t in start.territories.iter().filter(|t| !t.locked) {
                    let mut ticked = form.without.contains(&t.id);
                    let rep = t.rep.and_then(|r| project.reps.get(r.index())).map_or_else(|| "no rep".to_string(), |r| r.name.clone());
                    if ui.checkbox(&mut ticked, format!("{} ({rep})", t.name)).changed() {
                        if ticked {
                            form.without.push(t.id);
                            if form.without.len() > surplus {
                                form.without.remove(0);
                            }
                        } else {
                            form.without.retain(|x| *x != t.id);
                        }
                    }
                }
            });
        });
    });
    ui.end_row();
}

/// The finished proposal, before the planner takes it: how it did, why it misses the
/// tolerance if it does, who is left out; add it as a scenario or discard it.
fn proposal_ui(ui: &mut Ui, proposal: &Proposal) -> Option<FormAction> {
    let met = proposal.solution.unforced_deviation <= proposal.tolerance + 1e-12 && proposal.solution.noncontiguous == 0;
    let (title, color) = if met { ("Proposal within the tolerance", super::style::GOOD) } else { ("Proposal outside the tolerance", super::style::BAD) };
    ui.label(RichText::new(title).strong().color(color));
    ui.label(proposal.summary());
    if !proposal.reps_without_territory.is_empty() {
        ui.label(RichText::new(format!("Left without a territory: {}", proposal.reps_without_territory.join(", "))).strong());
    }
    if !proposal.explanation.is_empty() {
        egui::ScrollArea::vertical().max_height(220.0).id_salt("optimize_explanation").show(ui, |ui| {
            for line in &proposal.explanation {
                ui.label(format!("• {line}"));
            }
        });
    }
    let mut action = None;
    ui.horizontal(|ui| {
        if ui.button(RichText::new("Add as a new scenario").strong()).clicked() {
            action = Some(FormAction::Accept);
        }
        if ui.button("Discard").on_hover_text("Back to the settings; nothing changes").clicked() {
            action = Some(FormAction::Discard);
        }
    });
    action
}

impl TerritoryApp {
    pub fn open_optimize(&mut self) {
        if self.optimize.form.is_none() {
            self.optimize.form = Some(OptimizeForm::for_scenario(self.session.scenario()));
        }
    }

    /// Starts the optimizer on copies of the project, so the UI stays free to draw (and
    /// the planner to look around) meanwhile.
    pub(super) fn run_optimize(&mut self) {
        let Some(form) = &self.optimize.form else { return };
        let request = form.request();
        if let Err(e) = request.check(self.session.project()) {
            self.complain(format!("Cannot optimize: {e}"));
            return;
        }
        let project = self.session.project().clone();
        self.optimize.start = Some(request.start);
        let roads = self.session.roads();
        self.optimize.job = Some(Job::spawn("Balancing territories", move |progress| request.run(&project, roads.as_deref(), progress)));
    }

    /// The dialog, and the job's outcome once it arrives.
    pub(super) fn optimize_window_ui(&mut self, ctx: &egui::Context) {
        if let Some(outcome) = self.optimize.job.as_ref().and_then(Job::poll) {
            self.optimize.job = None;
            match outcome {
                Ok(Ok(proposal)) => {
                    self.say("The proposal is ready: look it over in the Optimize window");
                    self.optimize.proposal = Some(proposal);
                }
                Ok(Err(OptimizeError::Cancelled)) => self.say("Optimization cancelled; nothing changed"),
                Ok(Err(e)) => self.complain(format!("Cannot optimize: {e}")),
                Err(()) => self.complain("The optimizer stopped unexpectedly; nothing changed"),
            }
        }
        if self.optimize.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        let Some(mut form) = self.optimize.form.take() else { return };
        // A local rebalance works on the active scenario's territories.
        let local = self.highlight.filter(|_| form.start == self.session.active_id()).and_then(|t| {
            let scenario = self.session.scenario();
            Some((scenario.territory(t)?.name.clone(), local_scope(scenario, self.view.scene.neighbours(), t)))
        });
        if form.only.as_ref().is_some_and(|ids| local.as_ref().is_none_or(|(_, l)| l != ids)) {
            form.only = None;
        }
        let mut open = true;
        let mut action = None;
        egui::Window::new("Optimize").open(&mut open).collapsible(false).resizable(false).default_pos([260.0, 120.0]).show(ctx, |ui| {
            ui.set_max_width(420.0);
            action = form_ui(ui, &mut form, self.session.project(), local, self.optimize.job.as_ref(), self.optimize.proposal.as_ref());
        });
        self.optimize.form = Some(form);
        match action {
            Some(FormAction::Run) => self.act(AppAction::RunOptimize),
            Some(FormAction::Cancel) => self.act(AppAction::CancelOptimize),
            Some(FormAction::Accept) => self.act(AppAction::AcceptProposal),
            Some(FormAction::Discard) => self.act(AppAction::DiscardProposal),
            None => {}
        }
        if !open {
            self.act(AppAction::CloseOptimize);
        }
    }

    /// Adds the pending proposal as a new scenario (one undoable step), makes it active
    /// and opens the compare view against the scenario it started from.
    pub(super) fn accept_pending_proposal(&mut self) {
        if let Some(proposal) = self.optimize.proposal.take() {
            self.accept_proposal(&proposal);
        }
    }

    fn accept_proposal(&mut self, proposal: &Proposal) {
        let reference = self.optimize.start.take().filter(|id| self.session.project().scenario(*id).is_some());
        let name = self.session.project().unused_scenario_name(PROPOSAL_NAME);
        let scenario = proposal_scenario(self.session.project(), proposal, &name);
        if self.execute(Command::add_scenario(format!("Optimizer proposal '{name}'"), scenario)) {
            self.set_compare(reference);
            self.optimize.form = None;
            self.say(format!("'{name}': {}", proposal.summary()));
        }
    }
}
