//! Model > Quotas and KPIs: split a sales target over the active scenario's territories
//! (the same computation as `territory-designer quota`, set as one undoable edit), and
//! each territory's quota beside its utilization, penetration and white space.

use crate::format::{amount, money};
use crate::metrics::quota::{self, QuotaRequest, DEFAULT_CAPTURE_RATE};
use crate::metrics::ScenarioMetrics;
use crate::model::command::Command;
use crate::model::project::Project;
use crate::model::quota::{HybridWeights, QuotaMethod};
use crate::model::scenario::Scenario;
use egui::{Color32, RichText, Ui};

/// The window's inputs, kept while it is open.
#[derive(Clone, Debug, PartialEq)]
pub struct QuotaForm {
    pub method: QuotaMethod,
    pub total: f64,
    pub weights: HybridWeights,
    pub capture_rate: f64,
    /// Empty: the whole year.
    pub effective: String,
    pub error: Option<String>,
}

impl QuotaForm {
    /// A form for a scenario: its current quotas' settings, or a total of this year's
    /// revenue plus a tenth as a starting point.
    pub fn for_scenario(scenario: &Scenario, metrics: &ScenarioMetrics) -> Self {
        match &scenario.quotas {
            Some(q) => Self {
                method: q.method,
                total: q.total_cents as f64 / 100.0,
                weights: q.weights,
                capture_rate: q.capture_rate,
                effective: q.effective.clone().unwrap_or_default(),
                error: None,
            },
            None => {
                let revenue: f64 = metrics.territories.iter().map(|m| m.revenue).sum();
                Self {
                    method: QuotaMethod::Hybrid,
                    total: (revenue * 1.1 / 1000.0).round() * 1000.0,
                    weights: HybridWeights::default(),
                    capture_rate: DEFAULT_CAPTURE_RATE,
                    effective: String::new(),
                    error: None,
                }
            }
        }
    }

    fn request(&self) -> QuotaRequest {
        QuotaRequest {
            method: self.method,
            total: self.total,
            weights: self.weights,
            capture_rate: self.capture_rate,
            effective: Some(self.effective.trim().to_string()).filter(|e| !e.is_empty()),
        }
    }
}

/// Draws the window's content; returns the edit to make when the planner sets quotas.
pub fn quotas_ui(ui: &mut Ui, form: &mut QuotaForm, project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics) -> Option<Command> {
    let mut edit = None;
    ui.label(format!("Quotas of '{}'", scenario.name));
    egui::Grid::new("quota_form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        ui.label("Method");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut form.method, QuotaMethod::TopDown, "Top-down").on_hover_text("In proportion to each territory's potential");
            ui.selectable_value(&mut form.method, QuotaMethod::BottomUp, "Bottom-up").on_hover_text("In proportion to account targets: revenue plus a capture rate of the open potential");
            ui.selectable_value(&mut form.method, QuotaMethod::Hybrid, "Hybrid").on_hover_text("A blend of potential, revenue history and rep tenure");
        });
        ui.end_row();
        ui.label("Annual total");
        ui.add(egui::DragValue::new(&mut form.total).speed(10_000.0).range(0.0..=f64::MAX).custom_formatter(|v, _| money(v)));
        ui.end_row();
        match form.method {
            QuotaMethod::Hybrid => {
                ui.label("Weights");
                ui.horizontal(|ui| {
                    for (label, value) in [("potential", &mut form.weights.potential), ("revenue", &mut form.weights.revenue), ("tenure", &mut form.weights.tenure)] {
                        ui.add(egui::DragValue::new(value).speed(0.01).range(0.0..=1.0).max_decimals(2));
                        ui.weak(label);
                    }
                });
                ui.end_row();
            }
            QuotaMethod::BottomUp => {
                ui.label("Capture rate");
                ui.add(egui::Slider::new(&mut form.capture_rate, 0.0..=1.0).custom_formatter(|v, _| format!("{:.0}% of open potential", v * 100.0)));
                ui.end_row();
            }
            QuotaMethod::TopDown => {}
        }
        ui.label("Takes effect");
        ui.add(egui::TextEdit::singleline(&mut form.effective).hint_text("2027-07-01 (empty: the whole year)").desired_width(200.0))
            .on_hover_text("A mid-year change: the annual total is prorated to the days left in the year");
        ui.end_row();
    });
    ui.horizontal(|ui| {
        if ui.button(RichText::new("Set quotas").strong()).clicked() {
            match quota::plan(project, scenario, metrics, &form.request()) {
                Ok(plan) => {
                    form.error = None;
                    edit = Some(Command::SetQuotas { id: scenario.id, quotas: Some(Box::new(plan)) });
                }
                Err(e) => form.error = Some(e.to_string()),
            }
        }
        if scenario.quotas.is_some() && ui.button("Clear quotas").clicked() {
            edit = Some(Command::SetQuotas { id: scenario.id, quotas: None });
        }
    });
    if let Some(error) = &form.error {
        ui.colored_label(Color32::from_rgb(180, 30, 30), error);
    }
    if let Some((plan, reason)) = scenario.quotas.as_ref().and_then(|q| q.stale_reason(scenario).map(|r| (q, r))) {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(Color32::from_rgb(180, 100, 0), format!("Out of date: {reason}"));
            if ui.button("Split again").on_hover_text("The same total and method over the territories as they are now").clicked() {
                match quota::replan(project, scenario, metrics, plan) {
                    Ok(plan) => edit = Some(Command::SetQuotas { id: scenario.id, quotas: Some(Box::new(plan)) }),
                    Err(e) => form.error = Some(e.to_string()),
                }
            }
        });
    }
    ui.separator();
    kpi_table(ui, project, scenario, metrics);
    edit
}

/// One row per territory: quota and share, utilization, penetration, white space.
fn kpi_table(ui: &mut Ui, project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics) {
    let settings = &project.settings;
    let total = scenario.quotas.as_ref().map(|q| q.total_cents as f64 / 100.0);
    let activity = metrics.territories.iter().any(|m| m.activity_accounts > 0);
    let pipeline = metrics.territories.iter().any(|m| m.pipeline_accounts > 0);
    let mut columns = vec![
        ("Territory", String::new()),
        ("Quota", "This scenario's quota".to_string()),
        ("Share", "Share of the total".to_string()),
        ("Utilization", "Hours needed (visits + drive) / the rep's capacity".to_string()),
        ("Penetration", "Accounts with revenue / accounts".to_string()),
        ("White space", "Accounts with potential and no revenue".to_string()),
        ("WS potential", "Potential of the white space".to_string()),
    ];
    if activity {
        columns.push(("Coverage", "Accounts contacted / accounts (the CRM's activity column)".to_string()));
    }
    if pipeline {
        columns.push(("Pipeline", format!("Open pipeline / quota still to win (quota - revenue); red below {:.0}x", settings.pipeline_coverage_target)));
    }
    egui_extras::TableBuilder::new(ui)
        .id_salt("quota_kpis")
        .striped(true)
        .max_scroll_height(360.0)
        .column(egui_extras::Column::initial(150.0).clip(true))
        .columns(egui_extras::Column::auto(), columns.len() - 1)
        .header(18.0, |mut header| {
            for (title, hint) in &columns {
                header.col(|ui| {
                    let label = ui.label(RichText::new(*title).small().strong());
                    if !hint.is_empty() {
                        label.on_hover_text(hint);
                    }
                });
            }
        })
        .body(|mut body| {
            for (t, m) in scenario.territories.iter().zip(&metrics.territories) {
                body.row(20.0, |mut row| {
                    let quota = scenario.quotas.as_ref().and_then(|q| q.quota(t.id));
                    row.col(|ui| {
                        ui.label(&t.name);
                    });
                    row.col(|ui| {
                        ui.label(quota.map_or("–".into(), money));
                    });
                    row.col(|ui| {
                        ui.label(match (quota, total) {
                            (Some(q), Some(total)) if total > 0.0 => format!("{:.1}%", q / total * 100.0),
                            _ => "–".into(),
                        });
                    });
                    row.col(|ui| {
                        let colour = if m.workload > settings.utilization_high {
                            Color32::from_rgb(190, 40, 40)
                        } else if m.workload < settings.utilization_low && m.accounts > 0 {
                            Color32::from_rgb(40, 90, 180)
                        } else {
                            Color32::from_gray(40)
                        };
                        ui.label(RichText::new(format!("{:.0}%", m.workload * 100.0)).color(colour));
                    });
                    row.col(|ui| {
                        ui.label(if m.accounts > 0 { format!("{:.0}%", m.customers as f64 / m.accounts as f64 * 100.0) } else { "–".into() });
                    });
                    row.col(|ui| {
                        ui.label(m.white_space_accounts.to_string());
                    });
                    row.col(|ui| {
                        ui.label(amount(m.white_space_potential, &settings.potential_unit));
                    });
                    if activity {
                        row.col(|ui| {
                            ui.label(crate::metrics::report::coverage_pct(m.contacted, m.activity_accounts).map_or("–".into(), |c| format!("{c:.0}%")));
                        });
                    }
                    if pipeline {
                        row.col(|ui| {
                            let cover = crate::metrics::report::pipeline_coverage(m.pipeline, m.pipeline_accounts, quota, m.revenue);
                            let text = match cover {
                                Some(x) => RichText::new(if x >= 10.0 { format!("{x:.0}x") } else { format!("{x:.1}x") }).color(if x < settings.pipeline_coverage_target { Color32::from_rgb(190, 40, 40) } else { Color32::from_gray(40) }),
                                None => RichText::new(money(m.pipeline)),
                            };
                            ui.label(text).on_hover_text(format!("Open pipeline {}", money(m.pipeline)));
                        });
                    }
                });
            }
        });
    if let Some(total) = total {
        ui.weak(format!("Quotas add up to {} ({}).", money(total), scenario.quotas.as_ref().map_or("", |q| q.method.label())));
    }
    for region in crate::metrics::report::regions(scenario, metrics) {
        let quota = match (region.quota, total) {
            (Some(q), Some(total)) if total > 0.0 => format!(", quota {} ({:.1}%)", money(q), q / total * 100.0),
            _ => String::new(),
        };
        ui.label(format!(
            "{}: {}, potential {}{quota}, utilization {:.0}%",
            region.name,
            crate::format::count(region.territories.len(), "territory", "territories"),
            amount(region.potential, &settings.potential_unit),
            region.utilization_pct
        ));
    }
    ui.weak(format!(
        "Utilization is red above {:.0}% and blue below {:.0}% (Model > Workload model).",
        settings.utilization_high * 100.0,
        settings.utilization_low * 100.0
    ));
}
