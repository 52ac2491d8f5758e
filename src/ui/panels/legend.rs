//! The map legend: the palette, its value range and units, and what the colours mean.

use crate::colormap::{Legend, LegendKind};
use crate::ui::style::rgb;
use egui::{Color32, Mesh, Pos2, Rect, RichText, Sense, Ui, Vec2};

const BAR_WIDTH: f32 = 260.0;
const BAR_HEIGHT: f32 = 14.0;

/// `still`: drawn into a picture, where nothing can be hovered.
pub fn legend_ui(ui: &mut Ui, legend: &Legend, still: bool) {
    ui.set_max_width(BAR_WIDTH + 8.0);
    let title = if legend.unit.is_empty() { legend.title.clone() } else { format!("{} ({})", legend.title, legend.unit) };
    ui.label(RichText::new(title).strong());
    match &legend.kind {
        LegendKind::Categorical(entries) => categorical(ui, entries, still),
        LegendKind::Diverging(scale) => {
            gradient(ui, legend);
            let mut ticks = vec![scale.min, scale.neutral_low, scale.neutral_high, scale.max];
            if (scale.neutral_high - scale.neutral_low) / (scale.max - scale.min).max(1e-12) > 0.3 {
                ticks.insert(2, (scale.neutral_low + scale.neutral_high) / 2.0);
            }
            let span = (scale.max - scale.min).max(1e-12);
            let ticks: Vec<(f64, f64)> = ticks.into_iter().map(|v| (v, (v - scale.min) / span)).collect();
            tick_labels(ui, legend, &ticks, true);
        }
        LegendKind::Sequential(scale) => {
            gradient(ui, legend);
            // The middle tick on a round number: a power of ten on a log scale.
            let mid = if scale.log { 10f64.powf(scale.value_at(0.5).log10().round()) } else { scale.value_at(0.5) };
            let ticks: Vec<(f64, f64)> = [scale.min, mid, scale.max].into_iter().map(|v| (v, scale.position(v))).collect();
            tick_labels(ui, legend, &ticks, scale.log);
        }
    }
    if !legend.note.is_empty() {
        ui.label(RichText::new(&legend.note).size(11.0));
    }
}

/// Territory entries shown over the map; a national plan with 200 territories would
/// cover the window. The territory list has them all, and the map names them.
const MAX_CATEGORIES: usize = 16;

fn categorical(ui: &mut Ui, entries: &[(String, crate::model::entities::Rgb)], still: bool) {
    if entries.len() > MAX_CATEGORIES {
        ui.label(RichText::new(format!("{} territories, named on the map; neighbours never share a colour.", entries.len())).small());
        if !still {
            ui.label(RichText::new("Hover a ZIP for its territory; the list on the right has them all.").small().weak());
        }
        return;
    }
    egui::Grid::new("legend_categories").num_columns(2).spacing([10.0, 1.0]).show(ui, |ui| {
        for (i, (name, color)) in entries.iter().take(MAX_CATEGORIES).enumerate() {
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
                ui.painter().rect_filled(rect, 2.0, rgb(*color));
                ui.label(RichText::new(name).small());
            });
            if i % 2 == 1 {
                ui.end_row();
            }
        }
    });
}

fn gradient(ui: &mut Ui, legend: &Legend) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(BAR_WIDTH, BAR_HEIGHT), Sense::hover());
    let stops = legend.stops(64);
    let mut mesh = Mesh::default();
    let step = rect.width() / (stops.len() - 1) as f32;
    for (i, pair) in stops.windows(2).enumerate() {
        let x0 = rect.left() + i as f32 * step;
        let cell = Rect::from_min_max(Pos2::new(x0, rect.top()), Pos2::new(x0 + step + 0.5, rect.bottom()));
        mesh.add_colored_rect(cell, rgb(pair[0].1));
    }
    ui.painter().add(mesh);
    ui.painter().rect_stroke(rect, 0.0, egui::Stroke::new(1.0, Color32::from_gray(90)), egui::StrokeKind::Outside);
}

/// Labels under the bar: (value, position 0..1 along the bar). The ends say "≤" / "≥"
/// because values beyond the range clamp to the end colours.
fn tick_labels(ui: &mut Ui, legend: &Legend, ticks: &[(f64, f64)], clamps_low: bool) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(BAR_WIDTH, 14.0), Sense::hover());
    let font = egui::FontId::proportional(11.0);
    let color = ui.visuals().text_color();
    for (i, &(v, t)) in ticks.iter().enumerate() {
        let x = rect.left() + t as f32 * rect.width();
        let mut text = format_value(v, &legend.unit);
        let align = if i == 0 {
            if clamps_low {
                text = format!("≤{text}");
            }
            egui::Align2::LEFT_TOP
        } else if i == ticks.len() - 1 {
            text = format!("≥{text}");
            egui::Align2::RIGHT_TOP
        } else {
            egui::Align2::CENTER_TOP
        };
        ui.painter().line_segment([Pos2::new(x, rect.top() - 3.0), Pos2::new(x, rect.top() + 1.0)], egui::Stroke::new(1.0, Color32::from_gray(60)));
        ui.painter().text(Pos2::new(x, rect.top() + 1.0), align, text, font.clone(), color);
    }
}

fn format_value(v: f64, unit: &str) -> String {
    match unit {
        "% from mean" => format!("{v:+.0}%"),
        "x team average" => format!("{v:.1}"),
        "min" => format!("{v:.0}"),
        _ if v.abs() >= 1e6 => format!("{:.1}M", v / 1e6),
        _ if v.abs() >= 1e4 => format!("{:.0}k", v / 1e3),
        _ if v.abs() >= 100.0 => format!("{v:.0}"),
        _ if v.abs() >= 1.0 || v == 0.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}
