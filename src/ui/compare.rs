//! The compare view's state and tables: the reference scenario drawn beside the active
//! one, the ZIPs that change hands, per-territory figures before and after, and the
//! disruption ledger.

use crate::colormap::ColorBy;
use crate::metrics::compare::{compare_measured, Comparison, TerritoryPair};
use crate::metrics::ScenarioMetrics;
use crate::model::ids::ScenarioId;
use crate::session::Session;
use crate::ui::map::colors::scenario_colors;
use crate::ui::map::MapInteraction;
use crate::format::{short_amount, short_money};
use crate::ui::style::{BAD, GOOD};
use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};

pub struct CompareView {
    /// The reference scenario (left map, read-only); the active one is on the right.
    pub reference: ScenarioId,
    pub comparison: Option<Comparison>,
    /// Per unit: does its owner differ between the two scenarios.
    pub changed: Vec<bool>,
    pub map: MapInteraction,
    pub unit_colors: Vec<Color32>,
    pub account_colors: Vec<Color32>,
    pub colors_generation: u64,
    key: Option<(u64, ScenarioId, ScenarioId)>,
}

impl CompareView {
    pub fn new(reference: ScenarioId) -> Self {
        let mut map = MapInteraction::default();
        map.tool = crate::ui::map::Tool::Pan;
        Self {
            reference,
            comparison: None,
            changed: Vec::new(),
            map,
            unit_colors: Vec::new(),
            account_colors: Vec::new(),
            colors_generation: 0,
            key: None,
        }
    }

    /// Recomputes after any edit (the active scenario may be edited while comparing).
    pub fn refresh(&mut self, session: &Session) {
        let key = (session.generation(), self.reference, session.active_id());
        if self.key == Some(key) {
            return;
        }
        self.key = Some(key);
        let project = session.project();
        let Some(reference) = project.scenario(self.reference) else {
            self.comparison = None;
            return;
        };
        // The reference's figures follow model edits (weights, home bases), so they are
        // recomputed; the active scenario's are the session's live ones.
        let reference_metrics = ScenarioMetrics::compute_with_roads(project, reference, session.roads());
        let comparison = compare_measured(project, reference, &reference_metrics, session.scenario(), session.metrics());
        self.changed = vec![false; project.units.len()];
        for u in &comparison.changed_units {
            self.changed[u.index()] = true;
        }
        self.comparison = Some(comparison);
        // Territory colours of the reference cannot change while it is not active.
        if self.unit_colors.is_empty() {
            if let Ok(colors) = scenario_colors(project, reference, &reference_metrics, &ColorBy::Territory, None) {
                self.unit_colors = colors.units;
                self.account_colors = colors.accounts;
                self.colors_generation += 1;
            }
        }
    }
}

/// A request from the compare tables.
#[derive(Debug, PartialEq, Eq)]
pub enum CompareAction {
    ExportLedger,
    Close,
}

/// Disruption summary, per-territory table and ledger, side by side.
pub fn tables_ui(ui: &mut Ui, c: &Comparison) -> Option<CompareAction> {
    let mut action = None;
    ui.set_min_height(ui.available_height());
    // The buttons come first so a narrow window cuts the summary, not them.
    ui.horizontal(|ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        if ui.button("Close compare").clicked() {
            action = Some(CompareAction::Close);
        }
        if ui.button("Export ledger CSV…").clicked() {
            action = Some(CompareAction::ExportLedger);
        }
        ui.separator();
        ui.label(RichText::new(format!("{} -> {}", c.from, c.to)).strong());
        ui.separator();
        ui.label(format!(
            "{} ZIPs and {} accounts change owner · potential {} · revenue {} ({:.1}% of revenue)",
            c.moved_units,
            c.moved_accounts,
            short_amount(c.moved_potential, &c.potential_unit),
            short_money(c.moved_revenue),
            c.moved_revenue_pct
        ));
    });
    ui.separator();
    // Each table scrolls sideways in its own half: on a laptop-wide window the
    // columns are wider than the half and would otherwise be drawn over each other.
    ui.columns(2, |columns| {
        egui::ScrollArea::horizontal().id_salt("compare_territories_x").auto_shrink([false, false]).show(&mut columns[0], |ui| territory_table(ui, c));
        egui::ScrollArea::horizontal().id_salt("compare_ledger_x").auto_shrink([false, false]).show(&mut columns[1], |ui| ledger_table(ui, c));
    });
    action
}

/// A change of potential, in its unit.
fn delta_text(d: f64, unit: &str) -> RichText {
    let text = format!("{}{}", if d >= 0.0 { "+" } else { "-" }, short_amount(d.abs(), unit));
    RichText::new(text).color(if d.abs() < 1e-9 { Color32::GRAY } else { Color32::from_gray(30) })
}

fn territory_table(ui: &mut Ui, c: &Comparison) {
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
    let b = &c.balance_before;
    let a = &c.balance_after;
    let better = |before: f64, after: f64| if after < before - 1e-9 { GOOD } else if after > before + 1e-9 { BAD } else { Color32::GRAY };
    ui.horizontal(|ui| {
        ui.label("Gini");
        ui.label(RichText::new(format!("{:.3} -> {:.3}", b.gini_potential, a.gini_potential)).strong().color(better(b.gini_potential, a.gini_potential)));
        ui.separator();
        ui.label("Max dev.");
        ui.label(RichText::new(format!("{:.0}% -> {:.0}%", b.max_deviation_pct, a.max_deviation_pct)).strong().color(better(b.max_deviation_pct, a.max_deviation_pct)));
        ui.separator();
        ui.label("Index");
        let spread = |x: &crate::metrics::Balance| x.workload_index_max - x.workload_index_min;
        ui.label(
            RichText::new(format!("{:.2}-{:.2} -> {:.2}-{:.2}", b.workload_index_min, b.workload_index_max, a.workload_index_min, a.workload_index_max))
                .strong()
                .color(better(spread(b), spread(a))),
        );
    });
    if let Some(q) = c.moved_quota {
        ui.label(format!("Quota moved with the new alignment: {}", crate::format::money(q)));
    }
    let quotas = c.has_quotas();
    let mut titles = vec!["Territory", "Accts", "Potential", "change", "Index"];
    let potential_hint = "Potential in the scenario compared (hover: before -> after)";
    if quotas {
        titles.push("Quota");
    }
    // The body gets what is left under the header row, so the panel keeps its size.
    let height = (ui.available_height() - 18.0 - 3.0 * ui.spacing().item_spacing.y).max(40.0);
    TableBuilder::new(ui)
        .id_salt("compare_territories")
        .striped(true)
        .min_scrolled_height(height)
        .max_scroll_height(height)
        .column(Column::initial(120.0).clip(true))
        .columns(Column::auto(), titles.len() - 1)
        .header(18.0, |mut h| {
            for title in titles {
                h.col(|ui| {
                    let label = ui.strong(title);
                    if title == "Potential" {
                        label.on_hover_text(potential_hint);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(18.0, c.territories.len(), |mut row| {
                let p: &TerritoryPair = &c.territories[row.index()];
                let get = |r: &Option<crate::metrics::report::ReportRow>, f: fn(&crate::metrics::report::ReportRow) -> f64| r.as_ref().map(f);
                let pair = |x: Option<f64>, y: Option<f64>, text: &dyn Fn(f64) -> String| format!("{} -> {}", x.map_or("-".into(), text), y.map_or("-".into(), text));
                row.col(|ui| {
                    ui.label(&p.name);
                });
                row.col(|ui| {
                    ui.label(pair(get(&p.before, |r| r.accounts as f64), get(&p.after, |r| r.accounts as f64), &|v| format!("{v:.0}")));
                });
                let (pb, pa) = (get(&p.before, |r| r.potential), get(&p.after, |r| r.potential));
                row.col(|ui| {
                    // The new figure; the change beside it says where it came from.
                    let text = pa.or(pb).map_or("-".into(), |v| short_amount(v, &c.potential_unit));
                    ui.label(text).on_hover_text(pair(pb, pa, &|v| short_amount(v, &c.potential_unit)));
                });
                row.col(|ui| {
                    if let (Some(x), Some(y)) = (pb, pa) {
                        ui.label(delta_text(y - x, &c.potential_unit));
                    }
                });
                row.col(|ui| {
                    ui.label(pair(get(&p.before, |r| r.workload_index), get(&p.after, |r| r.workload_index), &|v| format!("{v:.2}")));
                });
                if quotas {
                    let (qb, qa) = (p.before.as_ref().and_then(|r| r.quota), p.after.as_ref().and_then(|r| r.quota));
                    row.col(|ui| {
                        let full = |q: Option<f64>| q.map_or("-".to_string(), crate::format::money);
                        let response = match (qb, qa) {
                            (Some(b), Some(a)) => ui.label(delta_text(a - b, "$")),
                            _ => ui.label(pair(qb, qa, &|v| short_amount(v, "$"))),
                        };
                        response.on_hover_text(format!("Quota {} -> {}", full(qb), full(qa)));
                    });
                }
            });
        });
}

fn ledger_table(ui: &mut Ui, c: &Comparison) {
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
    ui.label(RichText::new(format!("Hand-offs: {} accounts change owner, largest revenue first", c.ledger.len())).strong());
    // The body gets what is left under the header row, so the panel keeps its size.
    let height = (ui.available_height() - 18.0 - 3.0 * ui.spacing().item_spacing.y).max(40.0);
    TableBuilder::new(ui)
        .id_salt("compare_ledger")
        .striped(true)
        .min_scrolled_height(height)
        .max_scroll_height(height)
        .column(Column::initial(92.0).clip(true))
        .columns(Column::initial(76.0).clip(true), 2)
        .columns(Column::auto(), 3)
        .header(18.0, |mut h| {
            for title in ["Account", "From", "To", "Potential", "Revenue", "Rel."] {
                h.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(18.0, c.ledger.len(), |mut row| {
                let r = &c.ledger[row.index()];
                row.col(|ui| {
                    ui.label(&r.account).on_hover_text(&r.account_id);
                });
                row.col(|ui| {
                    ui.label(if r.from_rep.is_empty() { &r.from_territory } else { &r.from_rep }).on_hover_text(&r.from_territory);
                });
                row.col(|ui| {
                    ui.label(if r.to_rep.is_empty() { &r.to_territory } else { &r.to_rep }).on_hover_text(&r.to_territory);
                });
                row.col(|ui| {
                    ui.label(short_amount(r.potential, &c.potential_unit));
                });
                row.col(|ui| {
                    ui.label(short_money(r.revenue));
                });
                row.col(|ui| {
                    // A strong relationship lost is the real cost of a hand-off.
                    let color = if r.relationship >= 0.7 { BAD } else { ui.visuals().text_color() };
                    ui.label(RichText::new(format!("{:.0}%", r.relationship * 100.0)).color(color));
                });
            });
        });
}
