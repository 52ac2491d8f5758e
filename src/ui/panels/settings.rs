//! The workload-model window: index weights and presets, tier weights, hours per visit,
//! rep capacity and experience, the drive-time model and the balance thresholds.
//! It edits a draft; the app previews every change at once and records one undo step
//! when the gesture ends.

use crate::model::command::Command;
use crate::model::ids::RepId;
use crate::model::settings::{PerTier, Settings, WorkloadPreset};
use egui::{DragValue, RichText, Slider, Ui};

/// An editable copy of the workload model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelDraft {
    pub settings: Settings,
    /// Rep id, name, yearly capacity hours, experience multiplier.
    pub reps: Vec<(RepId, String, f64, f64)>,
}

impl ModelDraft {
    pub fn from_project(project: &crate::model::Project) -> Self {
        Self {
            settings: project.settings.clone(),
            reps: project.reps.iter().map(|r| (r.id, r.name.clone(), r.capacity_hours, r.experience)).collect(),
        }
    }

    pub fn to_command(&self) -> Command {
        Command::SetModel {
            settings: Box::new(self.settings.clone()),
            capacities: self.reps.iter().map(|(id, _, c, e)| (*id, *c, *e)).collect(),
        }
    }
}

/// Draws the editor; returns whether the draft changed this frame.
pub fn model_ui(ui: &mut Ui, draft: &mut ModelDraft) -> bool {
    let before = draft.clone();
    egui::ScrollArea::vertical().max_height(ui.ctx().content_rect().height() * 0.75).show(ui, |ui| {
        let s = &mut draft.settings;
        ui.heading("Workload index");
        ui.label("The index mixes four inputs, each relative to the team average. Pick the preset of your sales motion or set your own weights.");
        ui.horizontal_wrapped(|ui| {
            for preset in WorkloadPreset::ALL {
                if ui.radio(s.preset == Some(preset), preset.label()).clicked() {
                    s.apply_preset(preset);
                }
            }
            if ui.radio(s.preset.is_none(), "Custom").clicked() {
                s.preset = None;
            }
        });
        let mut weights = s.index_weights;
        egui::Grid::new("index_weights").num_columns(2).show(ui, |ui| {
            weight_row(ui, "Accounts (tier-weighted)", &mut weights.accounts);
            weight_row(ui, "Potential", &mut weights.potential);
            weight_row(ui, "Visit hours", &mut weights.visits);
            weight_row(ui, "Drive hours", &mut weights.drive);
        });
        if weights != s.index_weights {
            s.index_weights = weights;
            s.preset = WorkloadPreset::ALL.into_iter().find(|p| p.weights() == weights);
        }
        let sum = weights.accounts + weights.potential + weights.visits + weights.drive;
        if sum <= 0.0 {
            ui.label(RichText::new("All weights are zero: every territory reads 1.0.").color(crate::ui::style::WARN));
        } else if (sum - 1.0).abs() > 1e-6 {
            ui.weak(format!("Weights sum to {sum:.2}; they are scaled to 1."));
        }

        ui.separator();
        ui.heading("Accounts and visits");
        egui::Grid::new("per_tier").num_columns(4).show(ui, |ui| {
            ui.label("");
            ui.strong("Strategic");
            ui.strong("Mid-market");
            ui.strong("SMB");
            ui.end_row();
            per_tier_row(ui, "Tier weight", &mut s.tier_weights, 0.1, "");
            per_tier_row(ui, "Hours per visit", &mut s.hours_per_visit, 0.25, " h");
        });
        ui.horizontal(|ui| {
            ui.label("Potential is counted in");
            ui.add(egui::TextEdit::singleline(&mut s.potential_unit).desired_width(90.0).hint_text("$"))
                .on_hover_text("A currency sign ($, €, £) is written before figures; a word (beds, students, seats) after them.");
            ui.weak(crate::format::amount(12_500.0, &s.potential_unit));
        });

        ui.separator();
        ui.heading("Reps");
        egui::Grid::new("rep_capacity").num_columns(3).striped(true).show(ui, |ui| {
            ui.strong("Rep");
            ui.strong("Selling hours / year");
            ui.strong("Experience");
            ui.end_row();
            for (_, name, capacity, experience) in &mut draft.reps {
                ui.label(name.as_str());
                ui.add(DragValue::new(capacity).range(100.0..=4000.0).speed(10.0).suffix(" h"));
                ui.add(DragValue::new(experience).range(0.25..=3.0).speed(0.01).fixed_decimals(2).prefix("x"));
                ui.end_row();
            }
        });
        let s = &mut draft.settings;
        ui.horizontal(|ui| {
            ui.label("Vacant territory capacity");
            ui.add(DragValue::new(&mut s.default_capacity_hours).range(100.0..=4000.0).speed(10.0).suffix(" h"));
        });

        ui.separator();
        ui.heading("Drive-time estimate");
        ui.weak("Straight-line distance x circuity. The first and last few km at the speed of the destination's area (small ZIPs are dense); the rest faster, up to the highway speed on long trips.");
        let d = &mut s.drive;
        egui::Grid::new("drive_model").num_columns(2).show(ui, |ui| {
            ui.label("Circuity");
            ui.add(Slider::new(&mut d.circuity, 1.0..=2.0).fixed_decimals(2));
            ui.end_row();
            ui.label("Local roads at each end");
            ui.add(Slider::new(&mut d.local_leg_km, 0.0..=20.0).suffix(" km").fixed_decimals(1));
            ui.end_row();
            ui.label("Highway speed");
            ui.add(Slider::new(&mut d.highway_speed_kmh, 40.0..=130.0).suffix(" km/h").fixed_decimals(0));
            ui.end_row();
            ui.label("Urban speed");
            ui.add(Slider::new(&mut d.urban_speed_kmh, 10.0..=120.0).suffix(" km/h").fixed_decimals(0));
            ui.end_row();
            ui.label("Suburban speed");
            ui.add(Slider::new(&mut d.suburban_speed_kmh, 10.0..=120.0).suffix(" km/h").fixed_decimals(0));
            ui.end_row();
            ui.label("Rural speed");
            ui.add(Slider::new(&mut d.rural_speed_kmh, 10.0..=130.0).suffix(" km/h").fixed_decimals(0));
            ui.end_row();
            ui.label("Urban below");
            ui.add(DragValue::new(&mut d.urban_max_unit_km2).range(1.0..=500.0).suffix(" km² per ZIP"));
            ui.end_row();
            ui.label("Suburban below");
            ui.add(DragValue::new(&mut d.suburban_max_unit_km2).range(d.urban_max_unit_km2..=5000.0).suffix(" km² per ZIP"));
            ui.end_row();
        });

        ui.separator();
        ui.heading("Balance thresholds");
        let t = &mut s.thresholds;
        let mut tolerance_pct = t.tolerance * 100.0;
        egui::Grid::new("thresholds").num_columns(2).show(ui, |ui| {
            ui.label("Potential tolerance");
            ui.add(Slider::new(&mut tolerance_pct, 1.0..=50.0).suffix(" %").fixed_decimals(0));
            ui.end_row();
            ui.label("Balanced index band");
            ui.horizontal(|ui| {
                ui.add(DragValue::new(&mut t.index_low).range(0.1..=1.0).speed(0.01).fixed_decimals(2));
                ui.label("to");
                ui.add(DragValue::new(&mut t.index_high).range(1.0..=3.0).speed(0.01).fixed_decimals(2));
            });
            ui.end_row();
            ui.label("Gini limit");
            ui.add(Slider::new(&mut t.gini, 0.05..=0.6).fixed_decimals(2));
            ui.end_row();
            ui.label("Top/bottom quartile limit");
            ui.add(Slider::new(&mut t.quartile_ratio, 1.0..=4.0).fixed_decimals(1).suffix("x"));
            ui.end_row();
        });
        if (tolerance_pct / 100.0 - t.tolerance).abs() > 1e-9 {
            t.tolerance = tolerance_pct / 100.0;
        }
    });
    *draft != before
}

fn weight_row(ui: &mut Ui, label: &str, value: &mut f64) {
    ui.label(label);
    ui.add(Slider::new(value, 0.0..=1.0).fixed_decimals(2).step_by(0.05));
    ui.end_row();
}

fn per_tier_row(ui: &mut Ui, label: &str, values: &mut PerTier, speed: f64, suffix: &str) {
    ui.label(label);
    for v in [&mut values.strategic, &mut values.mid_market, &mut values.smb] {
        ui.add(DragValue::new(v).range(0.0..=50.0).speed(speed).fixed_decimals(2).suffix(suffix));
    }
    ui.end_row();
}
