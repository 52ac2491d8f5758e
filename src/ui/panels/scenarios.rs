//! The scenario bar at the top of the right panel: switch, new, duplicate, rename,
//! delete, baseline; compare with another scenario; start the optimizer.

use crate::model::ids::ScenarioId;
use crate::model::project::Project;
use crate::ui::actions::AppAction;
use egui::Ui;

/// "2026 alignment (baseline)".
fn scenario_label(project: &Project, id: ScenarioId) -> String {
    let name = project.scenario(id).map(|s| s.name.clone()).unwrap_or_default();
    if id == project.baseline { format!("{name} (baseline)") } else { name }
}

/// Draws the bar; what the planner asks for goes into `actions`.
pub fn scenario_bar_ui(ui: &mut Ui, project: &Project, active: ScenarioId, comparing: Option<ScenarioId>, actions: &mut Vec<AppAction>) {
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label("scenario").selected_text(scenario_label(project, active)).show_ui(ui, |ui| {
            for s in &project.scenarios {
                if ui.selectable_label(s.id == active, scenario_label(project, s.id)).clicked() && s.id != active {
                    actions.push(AppAction::SwitchScenario(s.id));
                }
            }
        });
        if ui.button("New").on_hover_text("A blank scenario: one empty territory per rep, every ZIP unassigned").clicked() {
            actions.push(AppAction::NewBlankScenario);
        }
        if ui.button("Duplicate").on_hover_text("Copy this scenario and edit the copy").clicked() {
            actions.push(AppAction::DuplicateScenario);
        }
        if ui.button("Rename…").clicked() {
            actions.push(AppAction::StartRenameScenario);
        }
        if ui.add_enabled(project.scenarios.len() > 1, egui::Button::new("Delete…")).clicked() {
            actions.push(AppAction::AskDeleteScenario);
        }
        let baseline = ui.add_enabled(project.baseline != active, egui::Button::new("Set as baseline"));
        if baseline.on_hover_text("Mark this scenario as today's alignment").clicked() {
            actions.push(AppAction::SetBaseline);
        }
    });
    ui.horizontal(|ui| {
        let current = comparing.map_or("(off)".to_string(), |id| scenario_label(project, id));
        egui::ComboBox::from_label("compare with").selected_text(current).show_ui(ui, |ui| {
            if ui.selectable_label(comparing.is_none(), "(off)").clicked() {
                actions.push(AppAction::Compare(None));
            }
            for s in project.scenarios.iter().filter(|s| s.id != active) {
                if ui.selectable_label(comparing == Some(s.id), scenario_label(project, s.id)).clicked() {
                    actions.push(AppAction::Compare(Some(s.id)));
                }
            }
        });
        ui.separator();
        if ui.button("Optimize…").on_hover_text("Propose balanced, contiguous territories as a new scenario").clicked() {
            actions.push(AppAction::OpenOptimize);
        }
    });
}
