//! The territories panel: balance summary, one row per territory, create / rename /
//! recolour / lock. What the planner asks for goes into the app's action list.

use crate::metrics::ScenarioMetrics;
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::format::short_money;
use crate::model::entities::Rgb;
use crate::ui::actions::AppAction;
use crate::ui::style::{deviation_color, index_color, threshold_color, BAD, GOOD};
use egui::{Color32, RichText, Ui};

pub fn balance_ui(ui: &mut Ui, project: &Project, metrics: &ScenarioMetrics) {
    let b = &metrics.balance;
    let th = &project.settings.thresholds;
    if metrics.territories.len() < 2 {
        // Balance compares territories: a new project (one pool) has nothing to compare.
        ui.heading("Balance");
        ui.weak("Balance figures appear once there are two territories or more: add territories (+ New, + New rep…), import an alignment (File), or let Optimize… propose them.");
        return;
    }
    ui.horizontal(|ui| {
        ui.heading("Balance");
        let (text, color) = if b.balanced { ("Balanced", GOOD) } else { ("Unbalanced", BAD) };
        ui.label(RichText::new(text).strong().color(Color32::WHITE).background_color(color));
    });
    egui::Grid::new("balance_grid").num_columns(3).spacing([12.0, 2.0]).show(ui, |ui| {
        ui.label("Gini (potential)");
        ui.label(RichText::new(format!("{:.3}", b.gini_potential)).strong().color(threshold_color(b.gini_potential, th.gini)));
        ui.weak(format!("limit {:.2}", th.gini));
        ui.end_row();
        ui.label("Gini (workload)");
        ui.label(RichText::new(format!("{:.3}", b.gini_workload)).strong().color(threshold_color(b.gini_workload, th.gini)));
        ui.weak(format!("limit {:.2}", th.gini));
        ui.end_row();
        ui.label("Max deviation");
        ui.label(
            RichText::new(format!("{:.1}%", b.max_deviation_pct))
                .strong()
                .color(threshold_color(b.max_deviation_pct, th.tolerance * 100.0)),
        );
        ui.weak(format!("tolerance {:.0}%", th.tolerance * 100.0));
        ui.end_row();
        ui.label("Top/bottom quartile");
        match b.quartile_ratio {
            Some(q) => ui.label(RichText::new(format!("{q:.2}x")).strong().color(threshold_color(q, th.quartile_ratio))),
            None => ui.label(RichText::new("unbounded").strong().color(BAD)),
        };
        ui.weak(format!("limit {:.1}x", th.quartile_ratio));
        ui.end_row();
        ui.label("Workload index");
        ui.label(RichText::new(format!("{:.2} - {:.2}", b.workload_index_min, b.workload_index_max)).strong());
        ui.weak(format!("band {:.1}-{:.1}", th.index_low, th.index_high));
        ui.end_row();
    });
}

pub fn territories_ui(
    ui: &mut Ui,
    project: &Project,
    scenario: &Scenario,
    metrics: &ScenarioMetrics,
    highlight: Option<TerritoryId>,
    target: Option<TerritoryId>,
    actions: &mut Vec<AppAction>,
) {
    let th = &project.settings.thresholds;
    ui.horizontal(|ui| {
        ui.heading("Territories");
        if ui.button("+ New").on_hover_text("Create an empty territory").clicked() {
            actions.push(AppAction::CreateTerritory);
        }
        if ui.button("+ New rep…").on_hover_text("Click a home base on the map: a new rep with an empty territory").clicked() {
            actions.push(AppAction::StartPlaceRep);
        }
    });
    ui.weak("Click a name to highlight and zoom; right-click it for what-if edits; the number is its key for assigning.");
    egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
        if scenario.territories.is_empty() {
            ui.weak("No territories yet: + New, + New rep…, File > Import alignment, or Optimize… to propose them.");
        }
        egui::Grid::new("territory_grid").num_columns(9).striped(true).spacing([8.0, 4.0]).show(ui, |ui| {
            if !scenario.territories.is_empty() {
                for header in ["", "", "Territory", "Rep", "Accts", "Potential", "Index", "Dev", ""] {
                    ui.label(RichText::new(header).small().strong());
                }
                ui.end_row();
            }
            for (i, (t, m)) in scenario.territories.iter().zip(&metrics.territories).enumerate() {
                let key = if i < 9 { format!("{}", i + 1) } else { String::new() };
                let is_target = target == Some(t.id);
                if ui
                    .selectable_label(is_target, key)
                    .on_hover_text("Make this the target of brush and assign")
                    .clicked()
                {
                    actions.push(AppAction::SetTarget(t.id));
                }
                let mut color = [t.color.0, t.color.1, t.color.2];
                if ui.color_edit_button_srgb(&mut color).changed() {
                    actions.push(AppAction::Recolor(t.id, Rgb(color[0], color[1], color[2])));
                }
                let mut name = RichText::new(&t.name);
                if highlight == Some(t.id) {
                    name = name.strong().underline();
                }
                let response = ui.add(egui::Button::selectable(highlight == Some(t.id), name)).on_hover_text("Click: highlight and zoom. Double-click: rename");
                if response.double_clicked() {
                    actions.push(AppAction::StartRenameTerritory(t.id));
                } else if response.clicked() {
                    actions.push(AppAction::Focus(t.id));
                }
                response.context_menu(|ui| {
                    if ui.button("Rep leaves: hand ZIPs to neighbours").clicked() {
                        actions.push(AppAction::HandOff(t.id));
                    }
                    if ui.add_enabled(t.rep.is_some(), egui::Button::new("Vacate (no rep)")).clicked() {
                        actions.push(AppAction::Vacate(t.id));
                    }
                    if ui.add_enabled(t.rep.is_some(), egui::Button::new("Move home base…")).clicked() {
                        actions.push(AppAction::StartMoveHome(t.id));
                    }
                    if ui.button("Rename…").clicked() {
                        actions.push(AppAction::StartRenameTerritory(t.id));
                    }
                    if ui.button("Delete territory (ZIPs unassigned)").clicked() {
                        actions.push(AppAction::DeleteTerritory(t.id));
                    }
                });
                let rep = t.rep.and_then(|r| project.reps.get(r.index())).map(|r| r.name.as_str()).unwrap_or("(vacant)");
                ui.label(rep);
                ui.label(m.accounts.to_string());
                ui.label(short_money(m.potential));
                ui.label(RichText::new(format!("{:.2}", m.workload_index)).color(index_color(m.workload_index, th)).strong());
                ui.label(RichText::new(format!("{:+.0}%", m.deviation_pct)).color(deviation_color(m.deviation_pct, th)).strong());
                let mut locked = t.locked;
                if ui.checkbox(&mut locked, "Lock").on_hover_text("A locked territory refuses edits").changed() {
                    actions.push(AppAction::SetLocked(t.id, locked));
                }
                ui.end_row();
            }
        });
        let pool = metrics.unassigned();
        if pool.units > 0 {
            ui.label(RichText::new(format!("{} ZIPs and {} accounts are unassigned", pool.units, pool.accounts)).color(BAD));
        }
    });
}
