//! The map as a picture for slides and reports: title, the map (or both maps of the
//! compare view), legend, scale bar, north note and basemap credit; no toolbar or
//! panels. Drawn off screen (see `offscreen`), so it needs no window.

use super::compare::CompareView;
use super::map::scene::BasemapScene;
use super::map::view::{MapInputs, MapView, Viewpoint};
use super::map::Selection;
use super::offscreen::{Frame, Offscreen};
use crate::colormap::{ColorBy, ColorModeError};
use crate::drivetime::roads::cache::RoadTimes;
use crate::model::ids::ScenarioId;
use crate::model::project::Project;
use crate::session::Session;
use crate::spatial::mercator::{from_mercator, MercBox};
use egui::{Color32, FontId, Pos2, RichText, Stroke, Ui};
use std::path::Path;

/// Frames drawn once everything is fitted and built, so layout and labels settle.
const SETTLE_FRAMES: u32 = 4;
/// Frames after which the picture is taken as it is (the finest detail still building).
const GIVE_UP_FRAMES: u32 = 900;
/// Largest side of an exported picture, in pixels (about 100 MB of pixels).
pub const MAX_SIDE: u32 = 8192;

/// The size of the picture, and how large everything is drawn in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PictureSize {
    pub width: u32,
    pub height: u32,
    /// 2: text and lines twice as large in pixels, the same map (for slides and print).
    pub scale: f32,
}

impl PictureSize {
    /// Refuses sizes that cannot make a readable picture.
    pub fn checked(self) -> Result<Self, String> {
        if !(0.5..=4.0).contains(&self.scale) {
            return Err(format!("scale {} is outside 0.5-4", self.scale));
        }
        let (w, h) = (self.width as f32 / self.scale, self.height as f32 / self.scale);
        if w < 320.0 || h < 240.0 {
            return Err(format!("{}x{} pixels at scale {} leaves {w:.0}x{h:.0} points: the map needs at least 320x240; make it larger or the scale smaller", self.width, self.height, self.scale));
        }
        if self.width > MAX_SIDE || self.height > MAX_SIDE {
            return Err(format!("{}x{} pixels: the largest side is {MAX_SIDE}", self.width, self.height));
        }
        Ok(self)
    }
}

/// The heading of the picture.
#[derive(Clone, Debug, Default)]
pub struct Titles {
    pub title: String,
    pub subtitle: String,
}

impl Titles {
    /// "Project - scenario" (or "reference vs scenario") and what the colours show.
    pub fn new(session: &Session, color_by: &ColorBy, reference: Option<ScenarioId>) -> Self {
        let project = session.project();
        let scenario = session.scenario();
        let mut title = if project.name.is_empty() { scenario.name.clone() } else { format!("{} - {}", project.name, scenario.name) };
        if let Some(r) = reference.and_then(|r| project.scenario(r)) {
            title = format!("{title}, against {}", r.name);
        }
        let colours = match color_by {
            ColorBy::Territory => "territories".to_string(),
            other => other.label().to_lowercase(),
        };
        let subtitle = format!(
            "Coloured by {colours} · {} · {} · {}",
            crate::format::count(scenario.territories.len(), "territory", "territories"),
            crate::format::count_grouped(project.units.len(), "ZIP", "ZIPs"),
            crate::format::utc_date(std::time::SystemTime::now()),
        );
        Self { title, subtitle }
    }
}

/// One frame of the picture.
pub fn picture_ui(ui: &mut Ui, view: &mut MapView, session: &Session, mut compare: Option<&mut CompareView>, titles: &Titles) {
    if let Some(reference) = compare.as_deref_mut() {
        reference.refresh(session);
    }
    if !titles.title.is_empty() {
        let changed = compare.as_ref().map(|c| c.changed.iter().filter(|c| **c).count());
        picture_title(ui, titles, changed);
    }
    egui::CentralPanel::default().frame(egui::Frame::NONE).show(ui, |ui| {
        let selection = Selection::default();
        let inputs = |compare| MapInputs { session, selection: &selection, highlight: None, target: None, compare, error: None, still: true };
        match compare {
            Some(reference) => {
                let (left, right) = ui.max_rect().split_left_right_at_fraction(0.5);
                ui.scope_builder(egui::UiBuilder::new().max_rect(left.shrink2(egui::vec2(1.0, 0.0))), |ui| view.reference_map_ui(ui, session, reference));
                ui.painter().vline(left.right(), left.y_range(), Stroke::new(2.0, Color32::WHITE));
                ui.scope_builder(egui::UiBuilder::new().max_rect(right.shrink2(egui::vec2(1.0, 0.0))), |ui| view.map_ui(ui, inputs(Some(&*reference))));
            }
            None => view.map_ui(ui, inputs(None)),
        }
        if let Some(map) = view.map.last_view {
            scale_and_north(ui, map.scale, from_mercator(map.centre_merc).lat, ui.max_rect());
        }
    });
}

/// The heading strip. Side by side, the changed ZIPs are outlined: it says so.
fn picture_title(ui: &mut Ui, titles: &Titles, changed: Option<usize>) {
    egui::Panel::top("picture_title").frame(egui::Frame::new().fill(Color32::WHITE).inner_margin(egui::Margin::symmetric(14, 8))).show(ui, |ui| {
        ui.label(RichText::new(&titles.title).size(20.0).color(Color32::from_gray(20)));
        let mut subtitle = titles.subtitle.clone();
        if let Some(n) = changed {
            subtitle.push_str(&format!(" · outlined in magenta: the {} that change territory", crate::format::count_grouped(n, "ZIP", "ZIPs")));
        }
        ui.label(RichText::new(subtitle).size(12.5).color(Color32::from_gray(80)));
    });
}

/// A scale bar in miles and kilometres and a north arrow, bottom right of `rect`.
fn scale_and_north(ui: &Ui, points_per_world: f64, lat: f64, rect: egui::Rect) {
    let metres_per_point = 40_075_016.686 * lat.to_radians().cos() / points_per_world.max(1e-9);
    let max_points = 150.0;
    let (mi, mi_points) = round_length(max_points * metres_per_point / 1609.344);
    let (km, km_points) = round_length(max_points * metres_per_point / 1000.0);
    let (mi_points, km_points) = ((mi_points * max_points) as f32, (km_points * max_points) as f32);
    let painter = ui.painter();
    let right = rect.right() - 16.0;
    let base = rect.bottom() - 34.0;
    let width = mi_points.max(km_points);
    let panel = egui::Rect::from_min_max(egui::pos2(right - width - 14.0, base - 44.0), egui::pos2(right + 8.0, base + 24.0));
    painter.rect_filled(panel, 4.0, Color32::from_rgba_unmultiplied(255, 255, 255, 225));
    let ink = Color32::from_gray(30);
    let bar = |y: f32, length: f32, label: String, above: bool| {
        let left = right - length;
        painter.line_segment([egui::pos2(left, y), egui::pos2(right, y)], Stroke::new(2.0, ink));
        for x in [left, right] {
            let tick = if above { -5.0 } else { 5.0 };
            painter.line_segment([egui::pos2(x, y), egui::pos2(x, y + tick)], Stroke::new(1.5, ink));
        }
        let at = if above { egui::pos2(right, y - 6.0) } else { egui::pos2(right, y + 6.0) };
        painter.text(at, if above { egui::Align2::RIGHT_BOTTOM } else { egui::Align2::RIGHT_TOP }, label, FontId::proportional(11.0), ink);
    };
    bar(base, mi_points, format!("{} mi", trim(mi)), true);
    bar(base + 1.0, km_points, format!("{} km", trim(km)), false);
    // North is up on a web-mercator map: say so with an arrow.
    let tip = Pos2::new(panel.left() + 14.0, panel.top() + 8.0);
    let arrow = vec![tip, tip + egui::vec2(6.0, 16.0), tip + egui::vec2(0.0, 12.0), tip + egui::vec2(-6.0, 16.0)];
    painter.add(egui::Shape::convex_polygon(arrow, ink, Stroke::NONE));
    painter.text(tip + egui::vec2(0.0, 18.0), egui::Align2::CENTER_TOP, "N", FontId::proportional(11.0), ink);
}

/// The largest 1, 2 or 5 x 10^k not above `max`, and its share of `max`.
fn round_length(max: f64) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (0.0, 0.0);
    }
    let magnitude = 10f64.powf(max.log10().floor());
    let step = [5.0, 2.0, 1.0].into_iter().map(|m| m * magnitude).find(|l| *l <= max).unwrap_or(magnitude);
    (step, step / max)
}

fn trim(value: f64) -> String {
    if value >= 1.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// A picture being drawn off screen from the app's map view, a frame at a time, so the
/// window stays responsive while the finer detail is built.
pub struct PictureJob {
    screen: Offscreen,
    viewpoint: Viewpoint,
    compare: Option<CompareView>,
    titles: Titles,
    settled: u32,
    frames: u32,
}

impl PictureJob {
    /// `extent`: the area to show; `reference`: draw both maps of the compare view.
    pub fn new(view: &MapView, size: PictureSize, extent: MercBox, color_by: ColorBy, reference: Option<ScenarioId>, titles: Titles) -> Self {
        Self {
            screen: Offscreen::new([size.width, size.height], size.scale),
            viewpoint: view.viewpoint_fitting(extent, color_by),
            compare: reference.map(|r| {
                let mut c = CompareView::new(r);
                c.map.layers = view.map.layers;
                c
            }),
            titles,
            settled: 0,
            frames: 0,
        }
    }

    /// Draws one frame with `view`; true once the picture is ready. Fails when the
    /// colour mode cannot be drawn for this scenario.
    pub fn step(&mut self, view: &mut MapView, session: &Session) -> Result<bool, ColorModeError> {
        view.swap_viewpoint(&mut self.viewpoint);
        let colours = view.refresh(session, None);
        let settled = match colours {
            Ok(()) => {
                let Self { screen, compare, titles, .. } = self;
                screen.run(|ui| picture_ui(ui, view, session, compare.as_mut(), titles));
                view.is_settled()
            }
            Err(_) => false,
        };
        view.swap_viewpoint(&mut self.viewpoint);
        colours?;
        self.frames += 1;
        self.settled = if settled { self.settled + 1 } else { 0 };
        Ok(self.settled >= SETTLE_FRAMES || self.frames >= GIVE_UP_FRAMES)
    }

    pub fn finish(self) -> Option<Frame> {
        self.screen.finish()
    }
}

/// What `export --map-image` draws.
pub struct MapImageSpec {
    pub scenario: ScenarioId,
    pub roads: Option<std::sync::Arc<RoadTimes>>,
    pub size: PictureSize,
    pub color_by: ColorBy,
    pub reference: Option<ScenarioId>,
}

/// A map view of a project without a window, on one of its scenarios.
pub struct Headless {
    view: MapView,
    session: Session,
}

impl Headless {
    /// `roads`: drive times by road for the heat maps, when the project has a network.
    pub fn new(project: Project, scenario: ScenarioId, roads: Option<std::sync::Arc<RoadTimes>>) -> Self {
        let view = MapView::new(&project, BasemapScene::take_embedded());
        let session = Session::open(project, Some(scenario), roads);
        Self { view, session }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Draws a picture of the whole scenario and returns its pixels.
    pub fn render(&mut self, size: PictureSize, color_by: ColorBy, reference: Option<ScenarioId>, titles: Titles) -> anyhow::Result<egui::ColorImage> {
        let size = size.checked().map_err(|e| anyhow::anyhow!(e))?;
        let extent = self.view.scene.home_extent;
        let reference = reference.filter(|r| *r != self.session.active_id());
        let mut job = PictureJob::new(&self.view, size, extent, color_by, reference, titles);
        while !job.step(&mut self.view, &self.session)? {
            if self.view.scene.lod.is_building() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        let frame = job.finish().ok_or_else(|| anyhow::anyhow!("nothing was drawn"))?;
        Ok(frame.rasterize())
    }
}

/// Draws the picture of a project without a window, and returns its pixels.
pub fn render(project: Project, spec: &MapImageSpec) -> anyhow::Result<egui::ColorImage> {
    let mut headless = Headless::new(project, spec.scenario, spec.roads.clone());
    let titles = Titles::new(headless.session(), &spec.color_by, spec.reference);
    headless.render(spec.size, spec.color_by.clone(), spec.reference, titles)
}

/// The scenario report without a window: its maps drawn off screen, then the PDF.
/// Returns the page count.
pub fn write_report(project: Project, scenario: ScenarioId, baseline: Option<ScenarioId>, roads: Option<std::sync::Arc<RoadTimes>>, out: &Path) -> anyhow::Result<usize> {
    let mut headless = Headless::new(project, scenario, roads.clone());
    let mut images = Vec::new();
    for (size, color_by, _, _) in super::share::REPORT_PICTURES.iter() {
        images.push(headless.render(*size, color_by.clone(), None, Titles::default())?);
    }
    super::share::write_report_pdf(headless.session().project(), scenario, baseline, roads, &images, out)
}

/// The picture's pixels as 8-bit RGB (pictures are opaque: drawn on white).
pub fn to_rgb(image: &egui::ColorImage) -> Vec<u8> {
    image.pixels.iter().flat_map(|p| [p.r(), p.g(), p.b()]).collect()
}

/// `render`, written as a PNG.
pub fn write(project: Project, spec: &MapImageSpec, out: &Path) -> anyhow::Result<()> {
    let image = render(project, spec)?;
    super::screenshot::write_png(out, &image)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bars_use_round_lengths() {
        assert_eq!(round_length(137.0), (100.0, 100.0 / 137.0));
        assert_eq!(round_length(60.0).0, 50.0);
        assert_eq!(round_length(3.3).0, 2.0);
        assert_eq!(round_length(0.9).0, 0.5);
        assert_eq!(round_length(0.0), (0.0, 0.0));
    }

    #[test]
    fn sizes_that_cannot_hold_a_map_are_refused() {
        assert!(PictureSize { width: 1920, height: 1080, scale: 2.0 }.checked().is_ok());
        assert!(PictureSize { width: 400, height: 300, scale: 2.0 }.checked().unwrap_err().contains("at least 320x240"));
        assert!(PictureSize { width: 20_000, height: 1000, scale: 1.0 }.checked().is_err());
        assert!(PictureSize { width: 1000, height: 1000, scale: 9.0 }.checked().is_err());
    }
}
