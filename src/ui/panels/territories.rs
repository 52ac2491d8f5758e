//! The territories panel: balance summary, one row per territory, create / rename /
//! recolour / lock. What the planner asks for goes into the app's action list.

use crate::metrics::shape::Shape;
use crate::metrics::ScenarioMetrics;
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::format::short_amount;
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

/// How the territory list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// The scenario's own order (the number keys follow it).
    #[default]
    ListOrder,
    Name,
    /// Furthest from the target first (over or under).
    Deviation,
    Potential,
    WorkloadIndex,
}

impl SortKey {
    const ALL: [SortKey; 5] = [SortKey::ListOrder, SortKey::Name, SortKey::Deviation, SortKey::Potential, SortKey::WorkloadIndex];

    fn label(self) -> &'static str {
        match self {
            SortKey::ListOrder => "List order",
            SortKey::Name => "Name",
            SortKey::Deviation => "Deviation (worst first)",
            SortKey::Potential => "Potential (largest first)",
            SortKey::WorkloadIndex => "Workload index (highest first)",
        }
    }
}

/// The list's search text and order (kept across frames), and the territories'
/// shapes as of a scenario and session generation.
#[derive(Clone, Debug, Default)]
pub struct ListState {
    pub search: String,
    pub sort: SortKey,
    /// Regions whose territories are folded away.
    pub collapsed: std::collections::BTreeSet<String>,
    shapes: Option<(crate::model::ids::ScenarioId, u64, std::collections::HashMap<TerritoryId, Shape>)>,
}

impl ListState {
    /// The territories' shapes, recomputed when the plan changed (a millisecond at
    /// national scale); `None` until the map has measured the units' borders.
    fn shapes(&mut self, project: &Project, scenario: &Scenario, generation: u64) -> Option<&std::collections::HashMap<TerritoryId, Shape>> {
        let stale = self.shapes.as_ref().is_none_or(|(id, g, _)| *id != scenario.id || *g != generation);
        if stale {
            let borders = project.unit_borders_if_built()?;
            self.shapes = Some((scenario.id, generation, crate::metrics::shape::territory_shapes(project, scenario, borders)));
        }
        self.shapes.as_ref().map(|(_, _, s)| s)
    }
}

/// The rows to show: positions in the scenario's list, filtered by the search text
/// (territory or rep name) and sorted.
pub fn visible_rows(project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics, state: &ListState) -> Vec<usize> {
    let needle = state.search.trim().to_lowercase();
    let rep_name = |i: usize| scenario.territories[i].rep.and_then(|r| project.reps.get(r.index())).map_or("", |r| r.name.as_str());
    let mut rows: Vec<usize> = (0..scenario.territories.len().min(metrics.territories.len()))
        .filter(|i| needle.is_empty() || scenario.territories[*i].name.to_lowercase().contains(&needle) || rep_name(*i).to_lowercase().contains(&needle))
        .collect();
    let m = |i: &usize| &metrics.territories[*i];
    match state.sort {
        SortKey::ListOrder => {}
        SortKey::Name => rows.sort_by_key(|i| scenario.territories[*i].name.to_lowercase()),
        SortKey::Deviation => rows.sort_by(|a, b| m(b).deviation_pct.abs().total_cmp(&m(a).deviation_pct.abs())),
        SortKey::Potential => rows.sort_by(|a, b| m(b).potential.total_cmp(&m(a).potential)),
        SortKey::WorkloadIndex => rows.sort_by(|a, b| m(b).workload_index.total_cmp(&m(a).workload_index)),
    }
    rows
}

/// A line of the territory table: a region's roll-up, or a territory (its position).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    Region(usize),
    Territory(usize),
}

/// The table's lines: with regions, each region's roll-up followed by its territories
/// (unless folded), in the order of `regions`; without, the rows as they are.
pub fn grouped_lines(scenario: &Scenario, rows: &[usize], regions: &[crate::metrics::report::RegionRow], collapsed: &std::collections::BTreeSet<String>) -> Vec<Line> {
    if regions.is_empty() {
        return rows.iter().map(|i| Line::Territory(*i)).collect();
    }
    let mut out = Vec::with_capacity(rows.len() + regions.len());
    for (g, region) in regions.iter().enumerate() {
        let name = (region.name != crate::metrics::report::NO_REGION_ROW).then_some(region.name.as_str());
        out.push(Line::Region(g));
        if collapsed.contains(&region.name) {
            continue;
        }
        out.extend(rows.iter().filter(|i| scenario.territories[**i].region.as_deref() == name).map(|i| Line::Territory(*i)));
    }
    out
}

/// The region submenu of a territory: move it to an existing region, a new one, or none.
fn region_menu(ui: &mut Ui, scenario: &Scenario, id: TerritoryId, actions: &mut Vec<AppAction>) {
    let current = scenario.territory(id).and_then(|t| t.region.clone());
    ui.menu_button("Region", |ui| {
        for name in scenario.regions() {
            if ui.radio(current.as_deref() == Some(name.as_str()), &name).clicked() {
                actions.push(AppAction::SetRegion(vec![id], Some(name.clone())));
                ui.close();
            }
        }
        if ui.radio(current.is_none(), "No region").clicked() {
            actions.push(AppAction::SetRegion(vec![id], None));
            ui.close();
        }
        ui.separator();
        if ui.button("New region…").clicked() {
            actions.push(AppAction::StartNewRegion(vec![id]));
            ui.close();
        }
    });
}

#[allow(clippy::too_many_arguments)]
pub fn territories_ui(
    ui: &mut Ui,
    project: &Project,
    scenario: &Scenario,
    metrics: &ScenarioMetrics,
    highlight: Option<TerritoryId>,
    target: Option<TerritoryId>,
    generation: u64,
    state: &mut ListState,
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
    if scenario.territories.is_empty() {
        ui.weak("No territories yet: + New, + New rep…, File > Import alignment, or Optimize… to propose them.");
    }
    if scenario.territories.len() > 9 {
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut state.search).hint_text("Find a territory or rep").desired_width(180.0));
            egui::ComboBox::from_label("order").selected_text(state.sort.label()).show_ui(ui, |ui| {
                for key in SortKey::ALL {
                    ui.selectable_value(&mut state.sort, key, key.label());
                }
            });
        });
    }
    let rows = visible_rows(project, scenario, metrics, state);
    let regions = crate::metrics::report::regions(scenario, metrics);
    let lines = grouped_lines(scenario, &rows, &regions, &state.collapsed);
    let shapes = state.shapes(project, scenario, generation).cloned().unwrap_or_default();
    let pool = metrics.unassigned();
    let outside = metrics.outside();
    let footer = if pool.units > 0 { 24.0 } else { 0.0 } + if outside.accounts > 0 { 24.0 } else { 0.0 };
    let height = (ui.available_height() - footer).max(80.0);
    if !scenario.territories.is_empty() {
        egui_extras::TableBuilder::new(ui)
            .id_salt("territory_table")
            .striped(true)
            .min_scrolled_height(height)
            .max_scroll_height(height)
            .column(egui_extras::Column::exact(22.0))
            .column(egui_extras::Column::exact(30.0))
            .column(egui_extras::Column::initial(130.0).clip(true))
            .column(egui_extras::Column::initial(84.0).clip(true))
            .columns(egui_extras::Column::auto(), 6)
            .column(egui_extras::Column::remainder())
            .header(18.0, |mut header| {
                let titles = [
                    ("", ""),
                    ("", ""),
                    ("Territory", ""),
                    ("Rep", ""),
                    ("Accts", "Accounts"),
                    ("Potential", ""),
                    ("Index", "Workload index: 1.00 is the team average"),
                    ("Dev", "Potential against the mean"),
                    ("Km", "Mean drive from the rep's home base to an account, km"),
                    ("Shape", "Compactness (Polsby-Popper): 1 for a disc, near 0 for a snake or a ring"),
                    ("", ""),
                ];
                for (title, hint) in titles {
                    header.col(|ui| {
                        let label = ui.label(RichText::new(title).small().strong());
                        if !hint.is_empty() {
                            label.on_hover_text(hint);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, lines.len(), |mut row| {
                    let i = match lines[row.index()] {
                        Line::Territory(i) => i,
                        Line::Region(g) => {
                            region_row(&mut row, &regions[g], project, &mut state.collapsed, actions);
                            return;
                        }
                    };
                    let (t, m) = (&scenario.territories[i], &metrics.territories[i]);
                    row.col(|ui| {
                        let key = if i < 9 { format!("{}", i + 1) } else { String::new() };
                        if ui.selectable_label(target == Some(t.id), key).on_hover_text("Make this the target of brush and assign").clicked() {
                            actions.push(AppAction::SetTarget(t.id));
                        }
                    });
                    row.col(|ui| {
                        let mut color = [t.color.0, t.color.1, t.color.2];
                        if ui.color_edit_button_srgb(&mut color).changed() {
                            actions.push(AppAction::Recolor(t.id, Rgb(color[0], color[1], color[2])));
                        }
                    });
                    row.col(|ui| {
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
                            region_menu(ui, scenario, t.id, actions);
                            if ui.button("Delete territory (ZIPs unassigned)").clicked() {
                                actions.push(AppAction::DeleteTerritory(t.id));
                            }
                        });
                    });
                    row.col(|ui| {
                        let rep = t.rep.and_then(|r| project.reps.get(r.index())).map(|r| r.name.as_str()).unwrap_or("(vacant)");
                        ui.label(rep);
                    });
                    row.col(|ui| {
                        ui.label(m.accounts.to_string());
                    });
                    row.col(|ui| {
                        ui.label(short_amount(m.potential, &project.settings.potential_unit));
                    });
                    row.col(|ui| {
                        ui.label(RichText::new(format!("{:.2}", m.workload_index)).color(index_color(m.workload_index, th)).strong());
                    });
                    row.col(|ui| {
                        ui.label(RichText::new(format!("{:+.0}%", m.deviation_pct)).color(deviation_color(m.deviation_pct, th)).strong());
                    });
                    row.col(|ui| {
                        ui.label(format!("{:.0}", m.mean_drive_km));
                    });
                    row.col(|ui| {
                        match shapes.get(&t.id).filter(|s| s.area_km2 > 0.0) {
                            Some(shape) => ui.label(format!("{:.2}", shape.compactness)),
                            None => ui.weak("–"),
                        };
                    });
                    row.col(|ui| {
                        // In a narrow panel the word is cut, not stacked letter by letter.
                        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                        let mut locked = t.locked;
                        if ui.checkbox(&mut locked, "Lock").on_hover_text("A locked territory refuses edits").changed() {
                            actions.push(AppAction::SetLocked(t.id, locked));
                        }
                    });
                });
            });
    }
    if pool.units > 0 {
        ui.label(RichText::new(format!("{} ZIPs and {} accounts are unassigned", pool.units, pool.accounts)).color(BAD));
    }
    if outside.accounts > 0 {
        ui.weak(format!(
            "{} accounts ({} potential) lie outside every ZIP: not part of the plan",
            outside.accounts,
            short_amount(outside.potential, &project.settings.potential_unit)
        ))
        .on_hover_text("Accounts of the CRM file beyond the project's ZIPs (e.g. other states). Import without them with --accounts-outside drop, or the import dialog's choice.");
    }
}

/// A region's roll-up line: click folds it, right-click renames or dissolves it.
fn region_row(row: &mut egui_extras::TableRow, region: &crate::metrics::report::RegionRow, project: &Project, collapsed: &mut std::collections::BTreeSet<String>, actions: &mut Vec<AppAction>) {
    let th = &project.settings.thresholds;
    let folded = collapsed.contains(&region.name);
    let real = region.name != crate::metrics::report::NO_REGION_ROW;
    row.col(|_| {});
    row.col(|ui| {
        if ui.small_button(if folded { "+" } else { "-" }).on_hover_text("Fold or unfold the region").clicked() {
            if folded {
                collapsed.remove(&region.name);
            } else {
                collapsed.insert(region.name.clone());
            }
        }
    });
    row.col(|ui| {
        let response = ui.label(RichText::new(&region.name).strong()).on_hover_text(format!(
            "Region: {} territories, {} ZIPs, hours needed {:.0} of {:.0} ({:.0}% utilization){}",
            region.territories.len(),
            region.units,
            region.hours_needed,
            region.capacity_hours,
            region.utilization_pct,
            region.quota.map(|q| format!(", quota {}", crate::format::money(q))).unwrap_or_default()
        ));
        if real {
            response.context_menu(|ui| {
                if ui.button("Rename region…").clicked() {
                    actions.push(AppAction::StartRenameRegion(region.name.clone()));
                    ui.close();
                }
                if ui.button("Dissolve region (territories stay)").clicked() {
                    actions.push(AppAction::DissolveRegion(region.name.clone()));
                    ui.close();
                }
            });
        }
    });
    row.col(|ui| {
        ui.weak(crate::format::count(region.territories.len(), "territory", "territories"));
    });
    row.col(|ui| {
        ui.label(RichText::new(region.accounts.to_string()).strong());
    });
    row.col(|ui| {
        ui.label(RichText::new(short_amount(region.potential, &project.settings.potential_unit)).strong());
    });
    row.col(|ui| {
        ui.label(RichText::new(format!("{:.2}", region.workload_index_max)).color(index_color(region.workload_index_max, th)))
            .on_hover_text(format!("Workload index of its territories: {:.2} to {:.2}", region.workload_index_min, region.workload_index_max));
    });
    row.col(|ui| {
        ui.label(RichText::new(format!("±{:.0}%", region.max_deviation_pct)).color(deviation_color(region.max_deviation_pct, th)))
            .on_hover_text("Largest deviation of a territory's potential from the region's mean: the balance within the region");
    });
    row.col(|_| {});
    row.col(|_| {});
    row.col(|_| {});
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn the_list_filters_by_name_or_rep_and_sorts_by_deviation() {
        let project = grid_project(8, 6, 0.1, 300, 5, 3);
        let scenario = &project.scenarios[0];
        let metrics = ScenarioMetrics::compute(&project, scenario);
        let all = visible_rows(&project, scenario, &metrics, &ListState::default());
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
        let found = visible_rows(&project, scenario, &metrics, &ListState { search: "t3".into(), sort: SortKey::ListOrder, ..Default::default() });
        assert_eq!(found, vec![3]);
        let by_rep = visible_rows(&project, scenario, &metrics, &ListState { search: "REP 2".into(), sort: SortKey::ListOrder, ..Default::default() });
        assert_eq!(by_rep, vec![2]);
        let worst = visible_rows(&project, scenario, &metrics, &ListState { search: String::new(), sort: SortKey::Deviation, ..Default::default() });
        let devs: Vec<f64> = worst.iter().map(|i| metrics.territories[*i].deviation_pct.abs()).collect();
        assert!(devs.windows(2).all(|w| w[0] >= w[1]), "{devs:?}");
    }
}
