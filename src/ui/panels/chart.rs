//! The balance chart: one bar per territory for potential and for the workload index,
//! with the mean and the tolerance band, so the outliers stand out. Clicking a bar asks
//! the app to highlight that territory on the map.

use crate::metrics::ScenarioMetrics;
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::format::short_amount;
use crate::ui::style::rgb;
use egui::{Color32, Rect, RichText, Stroke, Ui};
use egui_plot::{Axis, AxisHints, Bar, BarChart, GridMark, HLine, LineStyle, Plot, Span};

const BAND: Color32 = Color32::from_rgba_premultiplied(6, 32, 20, 60);
const MEAN: Color32 = Color32::from_rgb(40, 40, 40);

/// More territories than this are charted largest first, coloured by where they stand
/// against the band rather than by territory: 200 bars in territory colours say little.
const SORTED_ABOVE: usize = 24;

/// One bar per territory, in display order (or sorted by value, see `SORTED_ABOVE`).
struct Bars {
    ids: Vec<TerritoryId>,
    names: Vec<String>,
    colors: Vec<Color32>,
    /// Position in the scenario's list of each bar.
    order: Vec<usize>,
    sorted: bool,
}

impl Bars {
    fn of(scenario: &Scenario) -> Self {
        Self {
            ids: scenario.territories.iter().map(|t| t.id).collect(),
            names: scenario.territories.iter().map(|t| t.name.clone()).collect(),
            colors: scenario.territories.iter().map(|t| rgb(t.color)).collect(),
            order: (0..scenario.territories.len()).collect(),
            sorted: false,
        }
    }

    /// The bars of many territories, largest value first, coloured red above the band,
    /// blue below and green inside.
    fn sorted_by(&self, values: &[f64], band: &std::ops::RangeInclusive<f64>) -> Self {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|a, b| values[*b].total_cmp(&values[*a]));
        let status = |v: f64| if v > *band.end() { Color32::from_rgb(214, 96, 77) } else if v < *band.start() { Color32::from_rgb(67, 147, 195) } else { Color32::from_rgb(120, 180, 120) };
        Self {
            ids: order.iter().map(|i| self.ids[*i]).collect(),
            names: order.iter().map(|i| self.names[*i].clone()).collect(),
            colors: order.iter().map(|i| status(values[*i])).collect(),
            order,
            sorted: true,
        }
    }

    /// Territory numbers under the bars: names would overlap at a dozen territories.
    /// Sorted bars carry no number (their rank says nothing of which territory).
    fn axis_label(&self, mark: GridMark) -> String {
        let i = mark.value.round();
        if self.sorted || (mark.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= self.ids.len() {
            return String::new();
        }
        format!("{}", i as usize + 1)
    }

    fn bars(&self, values: impl Iterator<Item = f64>, highlight: Option<TerritoryId>, label: impl Fn(f64) -> String) -> Vec<Bar> {
        values
            .enumerate()
            .map(|(i, v)| {
                let number = self.order[i] + 1;
                let mut bar = Bar::new(i as f64, v).width(0.7).fill(self.colors[i]).name(format!("{number} {}: {}", self.names[i], label(v)));
                if highlight == Some(self.ids[i]) {
                    bar = bar.stroke(Stroke::new(2.5, Color32::BLACK));
                }
                bar
            })
            .collect()
    }

    /// Each bar's column on screen (full plot height, so short bars are easy to hit).
    fn columns(&self, response: &egui_plot::PlotResponse<()>) -> Vec<(TerritoryId, Rect)> {
        let frame = *response.transform.frame();
        self.ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let left = response.transform.position_from_point_x(i as f64 - 0.4);
                let right = response.transform.position_from_point_x(i as f64 + 0.4);
                (*id, Rect::from_x_y_ranges(left..=right, frame.y_range()))
            })
            .collect()
    }
}

/// What the charts report back.
#[derive(Debug, Default)]
pub struct ChartOutcome {
    /// The territory whose bar was clicked.
    pub clicked: Option<TerritoryId>,
    /// Where each territory's bars are on screen (both charts).
    pub columns: Vec<(TerritoryId, Rect)>,
}

fn clicked_column(response: &egui_plot::PlotResponse<()>, columns: &[(TerritoryId, Rect)]) -> Option<TerritoryId> {
    if !response.response.clicked() {
        return None;
    }
    let pos = response.response.interact_pointer_pos()?;
    columns.iter().find(|(_, r)| r.contains(pos)).map(|(id, _)| *id)
}

/// One bar chart with a reference line and a band.
struct Chart {
    id: &'static str,
    title: &'static str,
    note: String,
    y_label: &'static str,
    y_max: f64,
    values: Vec<f64>,
    format: std::rc::Rc<dyn Fn(f64) -> String>,
    reference: (String, f64),
    /// The tolerance band (its meaning is in the note: a label inside the band
    /// would be squeezed into a rotated "0.8...").
    band: std::ops::RangeInclusive<f64>,
}

impl Chart {
    fn show(self, ui: &mut Ui, bars: &Bars, width: f32, highlight: Option<TerritoryId>, outcome: &mut ChartOutcome) {
        let sorted;
        let (bars, values) = if bars.ids.len() > SORTED_ABOVE {
            sorted = bars.sorted_by(&self.values, &self.band);
            let values: Vec<f64> = sorted.order.iter().map(|i| self.values[*i]).collect();
            (&sorted, values)
        } else {
            (bars, self.values.clone())
        };
        // The note is cut, not the chart beside it, when the window is narrow.
        ui.set_max_width(width);
        ui.horizontal(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            ui.label(RichText::new(self.title).strong());
            let note = if bars.ids.len() > SORTED_ABOVE { format!("largest first · red above the band, blue below · {}", self.note) } else { self.note.clone() };
            ui.weak(&note).on_hover_text(&note);
        });
        let count = bars.ids.len();
        let ticks = move |_: egui_plot::GridInput| (0..count).map(|i| GridMark { value: i as f64, step_size: 1.0 }).collect::<Vec<_>>();
        // Fill what the panel gives, exactly: a plot taller than that would grow the
        // panel every frame and shift the map under the pointer.
        let height = (ui.available_height() - ui.spacing().item_spacing.y).max(60.0);
        let format = self.format.clone();
        let axis_format = self.format;
        let response = Plot::new(self.id)
            .width(width)
            .height(height)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .show_grid([false, true])
            .include_x(-0.6)
            .include_x(count as f64 - 0.4)
            .include_y(0.0)
            .include_y(self.y_max)
            .y_axis_label(self.y_label)
            .custom_x_axes(vec![AxisHints::new_x().formatter(|mark, _| bars.axis_label(mark)).label_spacing(12.0..=20.0)])
            .x_grid_spacer(ticks)
            .y_axis_formatter(move |mark, _| axis_format(mark.value))
            .label_formatter(|_| None)
            .show(ui, |plot| {
                plot.span(Span::new("", self.band).axis(Axis::Y).fill(BAND));
                plot.bar_chart(BarChart::new(self.title, bars.bars(values.into_iter(), highlight, |v| format(v))));
                let (name, y) = self.reference;
                plot.hline(HLine::new(name, y).color(MEAN).style(LineStyle::dashed_loose()).width(1.5));
            });
        let columns = bars.columns(&response);
        outcome.clicked = outcome.clicked.or(clicked_column(&response, &columns));
        outcome.columns.extend(columns);
    }
}

/// Draws both charts side by side.
pub fn balance_chart_ui(ui: &mut Ui, project: &Project, scenario: &Scenario, metrics: &ScenarioMetrics, highlight: Option<TerritoryId>) -> ChartOutcome {
    // A resizable panel takes its content's height: claim all of it, or the panel
    // shrinks a little every frame (and the map moves under the pointer).
    ui.set_min_height(ui.available_height());
    let bars = Bars::of(scenario);
    let mut outcome = ChartOutcome::default();
    if bars.ids.is_empty() {
        ui.weak("No territories yet.");
        return outcome;
    }
    let th = project.settings.thresholds;
    let unit = project.settings.potential_unit.clone();
    let mean = metrics.balance.mean_potential;
    let half = ((ui.available_width() - 12.0) / 2.0).max(160.0);
    let mean_band = mean * (1.0 - th.tolerance)..=mean * (1.0 + th.tolerance);
    let max_index = metrics.territories.iter().map(|m| m.workload_index).fold(th.index_high, f64::max);
    let charts = [
        Chart {
            id: "potential_chart",
            title: "Potential by territory",
            note: format!("dashed: mean {} · green: ±{:.0}% tolerance", short_amount(mean, &unit), th.tolerance * 100.0),
            y_label: "Potential",
            y_max: mean * (1.0 + th.tolerance) * 1.05,
            values: metrics.territories.iter().map(|m| m.potential).collect(),
            reference: (format!("Mean {}", short_amount(mean, &unit)), mean),
            format: std::rc::Rc::new(move |v| short_amount(v, &unit)),
            band: mean_band,
        },
        Chart {
            id: "index_chart",
            title: "Workload index",
            note: format!("dashed: team average 1.0 · green: {:.1}-{:.1} balanced", th.index_low, th.index_high),
            y_label: "Index",
            y_max: max_index * 1.05,
            values: metrics.territories.iter().map(|m| m.workload_index).collect(),
            format: std::rc::Rc::new(|v| format!("{v:.2}")),
            reference: ("Team average 1.0".into(), 1.0),
            band: th.index_low..=th.index_high,
        },
    ];
    ui.horizontal_top(|ui| {
        for chart in charts {
            ui.vertical(|ui| chart.show(ui, &bars, half, highlight, &mut outcome));
        }
    });
    outcome
}
