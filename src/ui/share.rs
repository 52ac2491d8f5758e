//! File > Export map image… and File > Export scenario report…: the pictures are drawn
//! off screen from the window's own map, one frame per window frame (the window stays
//! live while the finer detail is built), then rasterized and written on a worker.

use super::app::TerritoryApp;
use super::jobs::Job;
use super::map_image::{to_rgb, PictureJob, PictureSize, Titles};
use super::offscreen::Frame;
use crate::colormap::ColorBy;
use crate::io::export::report_pdf::{self, MapPicture, ReportSpec};
use crate::model::ids::ScenarioId;
use egui::ColorImage;
use std::collections::VecDeque;
use std::path::PathBuf;

/// The size choices of the map image dialog.
#[derive(Clone, Debug, PartialEq)]
pub struct MapImageForm {
    pub width: u32,
    pub height: u32,
    pub scale: f32,
    /// Both maps of the compare view (when it is open).
    pub both_maps: bool,
}

impl Default for MapImageForm {
    fn default() -> Self {
        Self { width: 1920, height: 1080, scale: 1.0, both_maps: true }
    }
}

/// Sizes a planner picks most: (label, width, height, scale).
const PRESETS: [(&str, u32, u32, f32); 4] = [
    ("Slide 16:9", 1920, 1080, 1.0),
    ("Slide 16:9, sharp (2x)", 3840, 2160, 2.0),
    ("Letter landscape, print (2x)", 3300, 2550, 2.0),
    ("A4 landscape, print (2x)", 3508, 2480, 2.0),
];

/// What to do with the finished pictures (on the worker thread).
type Finish = Box<dyn FnOnce(Vec<ColorImage>) -> anyhow::Result<String> + Send>;

/// Pictures being drawn, then handed to a worker.
pub struct PictureExport {
    jobs: VecDeque<PictureJob>,
    frames: Vec<Frame>,
    total: usize,
    finish: Option<Finish>,
    pub label: String,
}

/// What the map image dialog asks for.
enum FormAction {
    Save,
    Close,
}

impl TerritoryApp {
    /// File > Export map image…: the dialog, then a file name.
    pub(super) fn map_image_window_ui(&mut self, ctx: &egui::Context) {
        let Some(form) = self.map_image_form.as_mut() else { return };
        let comparing = self.compare.is_some();
        let mut action = None;
        let mut open = true;
        egui::Window::new("Export map image").open(&mut open).resizable(false).collapsible(false).default_pos([360.0, 160.0]).show(ctx, |ui| {
            ui.label("The map as it is now, with its title, legend and scale bar; no toolbar or panels.");
            ui.add_space(4.0);
            ui.horizontal_wrapped(|ui| {
                for (label, w, h, s) in PRESETS {
                    if ui.selectable_label((form.width, form.height, form.scale) == (w, h, s), label).clicked() {
                        (form.width, form.height, form.scale) = (w, h, s);
                    }
                }
            });
            egui::Grid::new("map_image_size").num_columns(2).show(ui, |ui| {
                ui.label("Size (pixels)");
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut form.width).range(320..=super::map_image::MAX_SIDE).suffix(" wide"));
                    ui.label("x");
                    ui.add(egui::DragValue::new(&mut form.height).range(240..=super::map_image::MAX_SIDE).suffix(" high"));
                });
                ui.end_row();
                ui.label("Text and lines");
                egui::ComboBox::from_id_salt("map_image_scale").selected_text(format!("{}x", form.scale)).show_ui(ui, |ui| {
                    for s in [1.0, 1.5, 2.0, 3.0] {
                        ui.selectable_value(&mut form.scale, s, format!("{s}x"));
                    }
                });
                ui.end_row();
            });
            if comparing {
                ui.checkbox(&mut form.both_maps, "Both maps of the compare view, side by side");
            }
            let check = PictureSize { width: form.width, height: form.height, scale: form.scale }.checked();
            if let Err(why) = &check {
                ui.colored_label(super::style::BAD, why);
            }
            ui.horizontal(|ui| {
                if ui.add_enabled(check.is_ok() && self.picture_export.is_none(), egui::Button::new("Save as PNG…")).clicked() {
                    action = Some(FormAction::Save);
                }
                if ui.button("Cancel").clicked() {
                    action = Some(FormAction::Close);
                }
            });
        });
        if !open {
            action = Some(FormAction::Close);
        }
        match action {
            Some(FormAction::Save) => self.act(super::AppAction::ExportMapImage(None)),
            Some(FormAction::Close) => self.map_image_form = None,
            None => {}
        }
    }

    /// The save dialog for a picture or report of the active scenario, named after it
    /// ("2027_proposal_map.png").
    pub(super) fn ask_save_path(&mut self, filter: &str, extension: &str, what: &str) -> Option<PathBuf> {
        let name = format!("{}_{what}.{extension}", super::files::file_stem(&self.session.scenario().name));
        let dialog = self.file_dialog(filter, &[extension]).set_file_name(name);
        self.choose(|| dialog.save_file())
    }

    /// Starts drawing the map image to `path` with the dialog's choices.
    pub fn export_map_image(&mut self, path: PathBuf) {
        let form = self.map_image_form.take().unwrap_or_default();
        let size = match (PictureSize { width: form.width, height: form.height, scale: form.scale }).checked() {
            Ok(size) => size,
            Err(why) => return self.complain(format!("Cannot export the map image: {why}")),
        };
        let reference = self.compare.as_ref().filter(|_| form.both_maps).map(|c| c.reference);
        let extent = self.view.map.last_view.map(|v| v.visible(0.0)).unwrap_or(self.view.scene.home_extent);
        let titles = Titles::new(&self.session, &self.view.color_by, reference);
        let job = PictureJob::new(&self.view, size, extent, self.view.color_by.clone(), reference, titles);
        let name = path.display().to_string();
        let finish: Finish = Box::new(move |images| {
            let image = images.into_iter().next().ok_or_else(|| anyhow::anyhow!("nothing was drawn"))?;
            super::screenshot::write_png(&path, &image)?;
            Ok(format!("Saved the map image ({}x{}) to {name}", image.size[0], image.size[1]))
        });
        self.picture_export = Some(PictureExport { jobs: VecDeque::from([job]), frames: Vec::new(), total: 1, finish: Some(finish), label: "Drawing the map image".into() });
    }

    /// The scenario report: the compare view's reference, else the baseline, is what
    /// the changes are measured against.
    pub fn report_baseline(&self) -> Option<ScenarioId> {
        let project = self.session.project();
        let active = self.session.active_id();
        self.compare.as_ref().map(|c| c.reference).or(Some(project.baseline)).filter(|b| *b != active && project.scenario(*b).is_some())
    }

    /// Starts the scenario report: the two maps, then the PDF on a worker.
    pub fn export_report(&mut self, path: PathBuf) {
        let extent = self.view.scene.home_extent;
        let jobs = REPORT_PICTURES.iter().map(|(size, color_by, _, _)| PictureJob::new(&self.view, *size, extent, color_by.clone(), None, Titles::default())).collect();
        let project = self.session.project().clone();
        let scenario = self.session.active_id();
        let baseline = self.report_baseline();
        let roads = self.session.roads();
        let name = path.display().to_string();
        let finish: Finish = Box::new(move |images| {
            let pages = write_report_pdf(&project, scenario, baseline, roads, &images, &path)?;
            Ok(format!("Saved the scenario report ({}) to {name}", crate::format::count(pages, "page", "pages")))
        });
        self.picture_export = Some(PictureExport { jobs, frames: Vec::new(), total: REPORT_PICTURES.len(), finish: Some(finish), label: "Drawing the report's maps".into() });
    }

    /// One frame of the running picture export; hands the pictures to a worker once drawn.
    pub(super) fn picture_export_step(&mut self, ctx: &egui::Context) {
        let Some(export) = self.picture_export.as_mut() else { return };
        ctx.request_repaint();
        let Some(job) = export.jobs.front_mut() else { return };
        match job.step(&mut self.view, &self.session) {
            Ok(false) => return,
            Ok(true) => {}
            Err(e) => {
                self.picture_export = None;
                return self.complain(format!("Cannot draw the map: {e}"));
            }
        }
        if let Some(frame) = export.jobs.pop_front().and_then(|j| j.finish()) {
            export.frames.push(frame);
        }
        if !export.jobs.is_empty() {
            return;
        }
        let Some(export) = self.picture_export.take() else { return };
        let (frames, finish) = (export.frames, export.finish);
        let Some(finish) = finish else { return };
        self.export_job = Some(Job::spawn("Writing the file", move |progress| {
            let mut images = Vec::new();
            for (i, frame) in frames.iter().enumerate() {
                if !progress(i as f32 / (frames.len() + 1) as f32) {
                    return Ok("Export cancelled".into());
                }
                images.push(frame.rasterize());
            }
            finish(images)
        }));
    }

    /// The progress window while pictures are drawn, with Cancel.
    pub(super) fn picture_export_ui(&mut self, ctx: &egui::Context) {
        let Some(export) = &self.picture_export else { return };
        let done = export.total - export.jobs.len();
        let mut cancel = false;
        egui::Window::new("Exporting").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_BOTTOM, [0.0, -60.0]).show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.add(egui::ProgressBar::new(done as f32 / (export.total + 1) as f32).desired_width(260.0).text(format!("{} ({} of {})", export.label, done + 1, export.total)));
                cancel = ui.button("Cancel").clicked();
            });
        });
        if cancel {
            self.picture_export = None;
            self.say("Export cancelled");
        }
    }
}

/// The report's maps: the whole plan in territory colours (the cover, wide) and in
/// workload heat (a page of its own), with their captions.
pub const REPORT_PICTURES: [(PictureSize, ColorBy, &str, &str); 2] = [
    (PictureSize { width: 2400, height: 1230, scale: 2.0 }, ColorBy::Territory, "Territories", "The territories: one colour each; the houses are the reps' home bases."),
    (PictureSize { width: 2400, height: 1580, scale: 2.0 }, ColorBy::Workload, "Workload", "Workload by territory: red is overloaded, blue underloaded; 0.8-1.2 times the team average is balanced."),
];

/// Writes the PDF from the report's drawn maps; returns its page count.
pub fn write_report_pdf(
    project: &crate::model::project::Project,
    scenario: ScenarioId,
    baseline: Option<ScenarioId>,
    roads: Option<std::sync::Arc<crate::drivetime::roads::cache::RoadTimes>>,
    images: &[ColorImage],
    path: &std::path::Path,
) -> anyhow::Result<usize> {
    let scenario = project.scenario(scenario).ok_or_else(|| anyhow::anyhow!("the scenario is gone"))?;
    let maps = images
        .iter()
        .zip(REPORT_PICTURES.iter())
        .map(|(image, (_, _, title, caption))| MapPicture { title: title.to_string(), caption: caption.to_string(), width: image.size[0] as u32, height: image.size[1] as u32, rgb: to_rgb(image) })
        .collect();
    let spec = ReportSpec { project, scenario, baseline: baseline.and_then(|b| project.scenario(b)), maps, date: crate::format::utc_date(std::time::SystemTime::now()), roads };
    Ok(report_pdf::write(&spec, path)?)
}
