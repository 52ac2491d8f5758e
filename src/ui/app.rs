//! The application shell: the window's layout, menus, toolbar, status bar and panels.
//! Everything they ask for becomes an `AppAction`, carried out after the frame
//! (`actions.rs`); the rooms around it: `document` (the file), `map/view.rs` (the map),
//! `edits.rs` (gestures to commands), `dialogs.rs`, `files.rs`, `optimize.rs`,
//! `basemap.rs`, `screenshot.rs`.

use super::actions::{self, color_mode_keys, shortcut_text, AppAction};
use super::compare::{self as compare_view, CompareAction, CompareView};
use super::dialogs::Dialogs;
use super::import::NewFromFiles;
use super::jobs::Job;
use super::map::scene::BasemapScene;
use super::map::view::{MapInputs, MapView};
use super::map::{Picks, Selection, Tool};
use super::optimize::OptimizeDialog;
use super::panels::scenarios::scenario_bar_ui;
use super::panels::settings::{model_ui, ModelDraft};
use super::panels::{chart, territories};
use super::screenshot::ScreenshotJob;
use super::style::BAD;
use crate::colormap::{self, ColorBy};
use crate::document::Document;
use crate::io::project_file;
use crate::model::ids::{ScenarioId, TerritoryId, UnitId};
use crate::model::project::Project;
use crate::session::Session;
use egui::{Color32, RichText, Ui};
use std::path::PathBuf;

/// A message shown over the map (errors in red) and in the status bar.
#[derive(Clone, Debug)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

pub struct TerritoryApp {
    pub session: Session,
    pub document: Document,
    pub view: MapView,
    pub selection: Selection,
    pub highlight: Option<TerritoryId>,
    /// The territory the brush paints and "assign" sends the selection to.
    pub target: Option<TerritoryId>,
    /// Lasso and rectangle assign to the target on release instead of selecting.
    pub assign_on_release: bool,
    /// The workload-model window.
    pub model_window: bool,
    /// Model > Quotas and KPIs, while open.
    pub quotas: Option<super::panels::quotas::QuotaForm>,
    pub basemap_window: bool,
    pub show_chart: bool,
    /// Presentation mode (View > Present, F11): the map full screen for a projector.
    pub presenting: bool,
    /// Whether the zoom has been set to this app's own (1.0) since the start.
    zoom_set: bool,
    /// The compare view: a reference scenario beside the active one.
    pub compare: Option<CompareView>,
    pub optimize: OptimizeDialog,
    pub dialogs: Dialogs,
    /// File > New from files, while open.
    pub new_from_files: Option<NewFromFiles>,
    /// What the last import did (title, lines), shown until closed.
    pub import_report: Option<(String, Vec<String>)>,
    /// An export running on a worker: its outcome message.
    pub export_job: Option<Job<anyhow::Result<String>>>,
    /// File > Export map image…, while open.
    pub map_image_form: Option<super::share::MapImageForm>,
    /// Pictures being drawn off screen for a map image or report.
    pub picture_export: Option<super::share::PictureExport>,
    /// The project's road network being read and searched on a worker.
    pub roads_job: Option<super::roads::RoadsJob>,
    /// A new home base's road search, with the what-if waiting for it.
    pub home_search: Option<super::roads::HomeSearch>,
    /// The territory list's search text and order.
    pub territory_list: territories::ListState,
    /// Where each territory's bars are in the balance chart (last frame).
    pub chart_columns: Vec<(TerritoryId, egui::Rect)>,
    pub notice: Option<Notice>,
    pub screenshot: Option<ScreenshotJob>,
    /// The `profile` subcommand's run, if this window is one.
    pub profile: Option<super::profile::ProfileJob>,
    /// Actions asked for during this frame, carried out after it.
    pub(super) pending: Vec<AppAction>,
    /// The scenario the selection, highlight and target belong to.
    pub(super) shown_scenario: Option<ScenarioId>,
    title: String,
}

impl TerritoryApp {
    pub fn new(project: Project, path: Option<PathBuf>) -> Self {
        Self::with_view(project, Document::new(path), BasemapScene::take_embedded())
    }

    /// Without the basemap: faster to build, for tests.
    pub fn without_basemap(project: Project, path: Option<PathBuf>) -> Self {
        Self::with_view(project, Document::new(path), BasemapScene::empty())
    }

    fn with_view(project: Project, document: Document, basemap: BasemapScene) -> Self {
        let view = MapView::new(&project, basemap);
        Self::assemble(Session::new(project), document, view)
    }

    fn assemble(session: Session, document: Document, view: MapView) -> Self {
        let mut app = Self {
            session,
            document,
            view,
            selection: Selection::default(),
            highlight: None,
            target: None,
            assign_on_release: false,
            model_window: false,
            quotas: None,
            basemap_window: false,
            show_chart: true,
            presenting: false,
            zoom_set: false,
            compare: None,
            optimize: OptimizeDialog::default(),
            dialogs: Dialogs::default(),
            new_from_files: None,
            import_report: None,
            export_job: None,
            map_image_form: None,
            picture_export: None,
            roads_job: None,
            home_search: None,
            chart_columns: Vec::new(),
            territory_list: Default::default(),
            notice: None,
            screenshot: None,
            profile: None,
            pending: Vec::new(),
            shown_scenario: None,
            title: String::new(),
        };
        app.follow_active_scenario();
        app.load_roads();
        app
    }

    /// Opens another project in this window: the basemap, layers and recent list stay.
    pub(super) fn replace_project(&mut self, project: Project, path: Option<PathBuf>) {
        let document = self.document.replaced(path);
        let view = std::mem::replace(&mut self.view, MapView::new(&Project::new("", Vec::new(), Vec::new(), Vec::new()), BasemapScene::empty())).for_project(&project);
        let (screenshot, profile) = (self.screenshot.take(), self.profile.take());
        *self = Self::assemble(Session::new(project), document, view);
        self.screenshot = screenshot;
        self.profile = profile;
    }

    pub(super) fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: false });
    }

    pub(super) fn complain(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: true });
    }

    pub fn path(&self) -> Option<&PathBuf> {
        self.document.path.as_ref()
    }

    pub fn save_to(&mut self, path: PathBuf) {
        match self.document.save(&mut self.session, path.clone()) {
            Ok(()) => self.say(format!("Saved {}", path.display())),
            Err(err) => self.complain(err.to_string()),
        }
    }

    pub(super) fn save(&mut self) {
        let path = match self.document.path.clone() {
            Some(path) => Some(path),
            None => {
                let dialog = self.save_dialog();
                self.choose(|| dialog.save_file())
            }
        };
        match path {
            Some(path) => self.save_to(path),
            None => self.say("Not saved: no file chosen"),
        }
    }

    pub fn open(&mut self, path: PathBuf) {
        match project_file::load(&path) {
            Ok(project) => {
                self.replace_project(project, Some(path.clone()));
                self.document.recovery = crate::recovery::Unsaved::of_project(&path);
                self.say(format!("Opened {}", path.display()));
                self.tell_who_else_has_it();
            }
            Err(err) => self.complain(err.to_string()),
        }
    }

    /// Says so when another window (or a colleague) has the project open too.
    pub(super) fn tell_who_else_has_it(&mut self) {
        if let (Some(holder), Some(path)) = (&self.document.held_by, &self.document.path) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            self.complain(format!("{name} is also open by {holder}: a save checks the file first, but agree who saves"));
        }
    }

    pub(super) fn recover_autosave(&mut self) {
        let Some(unsaved) = self.document.recovery.take() else { return };
        match project_file::load(&unsaved.autosave) {
            Ok(project) => {
                // A crashed window's project may be another file than the one open here.
                let path = if unsaved.marker.is_some() { unsaved.project.clone() } else { self.document.path.clone() };
                self.replace_project(project, path);
                self.session.mark_modified();
                unsaved.settle();
                self.say("Recovered the unsaved changes; save to keep them");
            }
            Err(err) => self.complain(err.to_string()),
        }
    }

    pub(super) fn save_dialog(&self) -> rfd::FileDialog {
        self.file_dialog("Territory Designer project", &[project_file::EXTENSION]).set_file_name("territories.tdproj")
    }

    pub fn fit_to(&mut self, extent: crate::spatial::mercator::MercBox) {
        self.view.fit_to(extent);
    }

    /// The fill colour of a ZIP as drawn.
    pub fn unit_color(&self, unit: UnitId) -> Color32 {
        self.view.colors.units.get(unit.index()).copied().unwrap_or(Color32::TRANSPARENT)
    }

    pub fn color_by(&self) -> &ColorBy {
        &self.view.color_by
    }

    /// The whole window, one frame. Used by eframe, tests and screenshots alike.
    pub fn show(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        ctx.set_theme(egui::Theme::Light);
        // egui keeps its zoom between runs: a window closed while presenting would
        // open drawn larger without being in presentation mode.
        if !std::mem::replace(&mut self.zoom_set, true) {
            ctx.set_zoom_factor(1.0);
        }
        let title = self.document.title(&self.session);
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        let scripted = self.screenshot.is_some() || self.profile.is_some();
        if ctx.input(|i| i.viewport().close_requested()) && !scripted && self.document.must_confirm_close(&self.session) {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.document.confirm_close = true;
        }
        for action in actions::keyboard_actions(&ctx) {
            self.act(action);
        }
        // A live model edit becomes one undo step once the pointer is up and no field
        // is being typed into.
        if !ctx.input(|i| i.pointer.any_down()) && !ctx.egui_wants_keyboard_input() {
            self.session.commit_model();
        }
        self.refresh_colors();

        if self.presenting {
            egui::Panel::top("present").show(ui, |ui| self.present_bar_ui(ui));
        } else {
            egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
            egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
            egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
            egui::Panel::right("territories").resizable(true).default_size(560.0).min_size(420.0).show(ui, |ui| self.side_panel_ui(ui));
        }
        if let Some(view) = &mut self.compare {
            view.refresh(&self.session);
        }
        if self.presenting {
            // The map alone.
        } else if self.compare.as_ref().is_some_and(|c| c.comparison.is_some()) {
            let max = ui.available_height() * 0.5;
            egui::Panel::bottom("compare_tables").resizable(true).default_size(300.0).min_size(160.0).max_size(max).show(ui, |ui| self.compare_tables_ui(ui));
        } else if self.show_chart {
            egui::Panel::bottom("balance_chart").resizable(true).default_size(190.0).min_size(120.0).show(ui, |ui| self.chart_ui(ui));
        }
        egui::CentralPanel::default().frame(egui::Frame::NONE).show(ui, |ui| self.maps_ui(ui));
        for event in std::mem::take(&mut self.view.events) {
            self.act(AppAction::Map(event));
        }
        // The panels' actions first, so a window they open is drawn in this frame.
        self.apply_pending(&ctx);
        self.files_ui(&ctx);
        self.roads_ui(&ctx);
        self.home_search_ui(&ctx);
        self.map_image_window_ui(&ctx);
        self.picture_export_ui(&ctx);
        self.basemap_window_ui(&ctx);
        self.optimize_window_ui(&ctx);
        self.model_window_ui(&ctx);
        self.quotas_window_ui(&ctx);
        self.dialogs_ui(&ctx);
        if !scripted {
            let now = ctx.input(|i| i.time);
            if let Some(failure) = self.document.autosave(&self.session, now) {
                self.complain(failure);
            }
        }
        self.apply_pending(&ctx);
        self.picture_export_step(&ctx);
        self.screenshot_step(&ctx);
    }

    fn maps_ui(&mut self, ui: &mut Ui) {
        let error = self.notice.as_ref().filter(|n| n.error).map(|n| n.text.clone());
        let Self { view, session, selection, highlight, target, compare, .. } = self;
        let (highlight, target, error) = (*highlight, *target, error.as_deref());
        match compare {
            Some(reference) => {
                let (left, right) = ui.max_rect().split_left_right_at_fraction(0.5);
                ui.scope_builder(egui::UiBuilder::new().max_rect(left.shrink2(egui::vec2(1.0, 0.0))), |ui| view.reference_map_ui(ui, session, reference));
                let inputs = MapInputs { session, selection, highlight, target, compare: Some(reference), error, still: false };
                ui.scope_builder(egui::UiBuilder::new().max_rect(right.shrink2(egui::vec2(1.0, 0.0))), |ui| view.map_ui(ui, inputs));
            }
            None => view.map_ui(ui, MapInputs { session, selection, highlight, target, compare: None, error, still: false }),
        }
    }

    fn menu_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        let item = |ui: &mut Ui, text: &str, action: &AppAction| {
            let mut button = egui::Button::new(text);
            if let Some(shortcut) = shortcut_text(&ctx, action) {
                button = button.shortcut_text(shortcut);
            }
            ui.add(button).clicked()
        };
        let mut chosen: Vec<AppAction> = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if item(ui, "New from files…", &AppAction::NewFromFiles) {
                    chosen.push(AppAction::NewFromFiles);
                }
                if item(ui, "Open…", &AppAction::Open(None)) {
                    chosen.push(AppAction::Open(None));
                }
                ui.menu_button("Open recent", |ui| {
                    if self.document.recent.is_empty() {
                        ui.weak("No recent projects");
                    }
                    for path in &self.document.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            chosen.push(AppAction::Open(Some(path.clone())));
                        }
                    }
                });
                ui.separator();
                if item(ui, "Save", &AppAction::Save) {
                    chosen.push(AppAction::Save);
                }
                if item(ui, "Save as…", &AppAction::SaveAs(None)) {
                    chosen.push(AppAction::SaveAs(None));
                }
                ui.separator();
                if ui.button("Import alignment (CSV)…").on_hover_text("zip, territory[, rep]: becomes a new scenario").clicked() {
                    chosen.push(AppAction::ImportAlignment(None));
                }
                let roads = self.session.project().road_network.as_ref().map(|r| format!("now: {} ({})", r.source, r.imported)).unwrap_or_else(|| "now: the distance estimate".into());
                let road_button = ui.add_enabled(self.roads_job.is_none(), egui::Button::new("Road network (OpenStreetMap)…"));
                if road_button.on_hover_text(format!("Drive times by road from a .osm.pbf extract; {roads}")).clicked() {
                    chosen.push(AppAction::ImportRoads(None));
                }
                ui.add_enabled_ui(self.export_job.is_none() && self.picture_export.is_none(), |ui| {
                    ui.menu_button("Export", |ui| self.export_menu_ui(ui));
                });
                ui.separator();
                if item(ui, "Quit", &AppAction::Quit) {
                    chosen.push(AppAction::Quit);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.session.undo_label().map(|l| format!("Undo {l}")).unwrap_or_else(|| "Undo".into());
                let undo_button = egui::Button::new(undo).shortcut_text(shortcut_text(&ctx, &AppAction::Undo).unwrap_or_default());
                if ui.add_enabled(self.session.undo_label().is_some(), undo_button).clicked() {
                    chosen.push(AppAction::Undo);
                }
                let redo = self.session.redo_label().map(|l| format!("Redo {l}")).unwrap_or_else(|| "Redo".into());
                let redo_button = egui::Button::new(redo).shortcut_text(shortcut_text(&ctx, &AppAction::Redo).unwrap_or_default());
                if ui.add_enabled(self.session.redo_label().is_some(), redo_button).clicked() {
                    chosen.push(AppAction::Redo);
                }
                ui.separator();
                if ui.button("Clear selection").clicked() {
                    chosen.push(AppAction::ClearSelection);
                }
                // Regions drawn on the map: select ZIPs with any tool, then put the
                // territories they belong to in a region.
                let scenario = self.session.scenario();
                let mut picked: Vec<crate::model::ids::TerritoryId> = self.selection.units.iter().filter_map(|u| scenario.unit_territory(*u)).collect();
                picked.sort_unstable();
                picked.dedup();
                let text = format!("Put the selection's {} territories in a new region…", picked.len());
                if ui.add_enabled(!picked.is_empty(), egui::Button::new(text)).on_hover_text("Select ZIPs on the map (lasso, rectangle, brush) first").clicked() {
                    chosen.push(AppAction::StartNewRegion(picked));
                }
            });
            ui.menu_button("View", |ui| {
                let mut layers = self.view.map.layers;
                ui.checkbox(&mut layers.zip_fill, "ZIP areas");
                ui.checkbox(&mut layers.zip_borders, "ZIP borders");
                ui.checkbox(&mut layers.accounts, "Accounts");
                ui.checkbox(&mut layers.rep_homes, "Rep home bases");
                ui.checkbox(&mut layers.counties, "County lines");
                ui.checkbox(&mut layers.drive_zones, "Drive-time zones").on_hover_text("Outlines around each rep's home base: the ZIPs within each drive time (by road with a road network)");
                if layers != self.view.map.layers {
                    chosen.push(AppAction::SetLayers(layers));
                }
                if layers.drive_zones {
                    ui.horizontal(|ui| {
                        ui.label("Zones, min:");
                        let mut text = self.view.map.zone_text.clone();
                        let edit = ui.add(egui::TextEdit::singleline(&mut text).desired_width(90.0)).on_hover_text("Up to four limits, e.g. 30, 60, 90");
                        if edit.changed() {
                            chosen.push(AppAction::SetZoneLimits(text.clone()));
                        }
                        if let Err(e) = crate::drivetime::zones::parse_minutes(&text) {
                            ui.colored_label(egui::Color32::from_rgb(180, 40, 30), e);
                        }
                    });
                }
                ui.separator();
                if ui.button("Basemap…").clicked() {
                    chosen.push(AppAction::ShowBasemapWindow);
                }
                if ui.button("Zoom to project").clicked() {
                    chosen.push(AppAction::ZoomToProject);
                }
                if ui.button("Recolour so neighbours differ").on_hover_text("Territories that share a border get different colours (one undo step)").clicked() {
                    chosen.push(AppAction::RecolourNeighbours);
                }
                if ui.checkbox(&mut self.show_chart.clone(), "Balance chart").clicked() {
                    chosen.push(AppAction::ToggleChart);
                }
                ui.separator();
                if item(ui, "Present", &AppAction::TogglePresent) {
                    chosen.push(AppAction::TogglePresent);
                }
            });
            ui.menu_button("Model", |ui| {
                if ui.button("Workload model…").clicked() {
                    chosen.push(AppAction::ShowModelWindow);
                }
                if ui.button("Quotas and KPIs…").clicked() {
                    chosen.push(AppAction::ShowQuotas);
                }
                if ui.button("Optimize…").clicked() {
                    chosen.push(AppAction::OpenOptimize);
                }
            });
        });
        self.pending.extend(chosen);
    }

    fn toolbar_ui(&mut self, ui: &mut Ui) {
        let mut chosen: Vec<AppAction> = Vec::new();
        ui.horizontal_wrapped(|ui| {
            let map = &self.view.map;
            for tool in Tool::ALL.into_iter().filter(|t| !t.is_what_if()) {
                let hint = format!("{} tool (key {})", tool.label(), tool.key().name());
                if ui.selectable_label(map.tool == tool, tool.label()).on_hover_text(hint).clicked() {
                    chosen.push(AppAction::SetTool(tool));
                }
            }
            if map.tool.is_what_if() {
                let text = format!("{}: click the home base on the map", map.tool.label());
                if ui.selectable_label(true, text).on_hover_text("Click here or press Esc to cancel").clicked() {
                    chosen.push(AppAction::SetTool(Tool::Select));
                }
            }
            ui.separator();
            egui::ComboBox::from_label("picks").width(110.0).selected_text(map.picks.label()).show_ui(ui, |ui| {
                for picks in [Picks::Zips, Picks::Accounts, Picks::Both] {
                    if ui.selectable_label(map.picks == picks, picks.label()).clicked() {
                        chosen.push(AppAction::SetPicks(picks));
                    }
                }
            });
            ui.spacing_mut().slider_width = 70.0;
            let mut radius = map.brush_radius_px;
            if ui.add(egui::Slider::new(&mut radius, 4.0..=120.0).text("brush")).changed() {
                chosen.push(AppAction::GrowBrush(radius - map.brush_radius_px));
            }
            ui.separator();
            let scenario = self.session.scenario();
            let current = self.target.and_then(|t| scenario.territory(t)).map(|t| t.name.clone()).unwrap_or_else(|| "(none)".into());
            egui::ComboBox::from_label("target").width(150.0).selected_text(current).show_ui(ui, |ui| {
                for (i, t) in scenario.territories.iter().enumerate() {
                    if ui.selectable_label(self.target == Some(t.id), format!("{} {}", i + 1, t.name)).clicked() {
                        chosen.push(AppAction::SetTarget(t.id));
                    }
                }
            });
            let can_assign = !self.selection.is_empty() && self.target.is_some();
            if ui.add_enabled(can_assign, egui::Button::new("Assign")).on_hover_text("Or press the territory's number key").clicked() {
                if let Some(t) = self.target {
                    chosen.push(AppAction::AssignSelection(t));
                }
            }
            let mut on_release = self.assign_on_release;
            if ui.checkbox(&mut on_release, "Assign on release").changed() {
                chosen.push(AppAction::SetAssignOnRelease(on_release));
            }
            ui.separator();
            if let Some(mode) = self.color_by_ui(ui) {
                chosen.push(AppAction::SetColorBy(mode));
            }
            ui.separator();
            if ui.add_enabled(self.session.undo_label().is_some(), egui::Button::new("Undo")).clicked() {
                chosen.push(AppAction::Undo);
            }
            if ui.add_enabled(self.session.redo_label().is_some(), egui::Button::new("Redo")).clicked() {
                chosen.push(AppAction::Redo);
            }
        });
        self.pending.extend(chosen);
    }

    /// The "colour by" box; returns a newly chosen mode.
    fn color_by_ui(&self, ui: &mut Ui) -> Option<ColorBy> {
        let mut mode = self.view.color_by.clone();
        let label = match &mode {
            ColorBy::Attribute(name) => format!("Attribute: {name}"),
            m => m.label(),
        };
        egui::ComboBox::from_label("colour by").selected_text(label).show_ui(ui, |ui| {
            for (m, key) in color_mode_keys() {
                let text = format!("{} ({})", m.label(), key.name());
                ui.selectable_value(&mut mode, m, text);
            }
            ui.separator();
            ui.weak("Attributes (A cycles)");
            for name in colormap::attribute_names(self.session.project()) {
                let m = ColorBy::Attribute(name.clone());
                ui.selectable_value(&mut mode, m, name);
            }
        });
        (mode != self.view.color_by).then_some(mode)
    }

    /// The one line presentation mode keeps: what is shown, and the keys.
    fn present_bar_ui(&mut self, ui: &mut Ui) {
        let project = self.session.project();
        let scenario = self.session.scenario();
        let baseline = if project.baseline == scenario.id { " (baseline)" } else { "" };
        let title = format!("{}  ·  {}{baseline}  ·  coloured by {}", project.name, scenario.name, self.view.color_by.label());
        ui.horizontal(|ui| {
            ui.label(RichText::new(title).size(22.0).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Leave (Esc)").on_hover_text("Page Up/Down: scenario · T W D G U: colours · F11 or Esc: leave").clicked() {
                    self.act(AppAction::TogglePresent);
                }
            });
        });
    }

    fn status_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            match self.view.map.pointer {
                Some(p) => ui.monospace(format!("{:>9.4}, {:>8.4}", p.lon, p.lat)),
                None => ui.monospace("    –    ,    –    "),
            };
            ui.separator();
            let project = self.session.project();
            match self.view.map.hovered_unit {
                Some(u) => ui.label(format!("ZIP {} {}", project.units[u.index()].code, project.units[u.index()].name)),
                None => ui.weak("no ZIP"),
            };
            ui.separator();
            ui.label(format!("Selection: {} ZIPs, {} accounts", self.selection.units.len(), self.selection.accounts.len()));
            ui.separator();
            match &self.notice {
                Some(n) if n.error => ui.label(RichText::new(&n.text).color(BAD)),
                Some(n) => ui.label(&n.text),
                None => ui.weak("Ready"),
            };
        });
    }

    fn side_panel_ui(&mut self, ui: &mut Ui) {
        let (project, scenario, metrics) = (self.session.project(), self.session.scenario(), self.session.metrics());
        let generation = self.session.generation();
        let mut chosen: Vec<AppAction> = Vec::new();
        ui.add_space(4.0);
        ui.label(RichText::new(&project.name).strong());
        scenario_bar_ui(ui, project, scenario.id, self.compare.as_ref().map(|c| c.reference), &mut chosen);
        ui.separator();
        territories::balance_ui(ui, project, metrics);
        ui.horizontal(|ui| {
            let model = project.settings.preset.map_or("Custom weights", |p| p.label());
            ui.weak(format!("Workload model: {model}"));
            if ui.small_button("Edit model…").on_hover_text("Index weights, capacity, drive-time model, thresholds").clicked() {
                chosen.push(AppAction::ShowModelWindow);
            }
        });
        ui.separator();
        territories::territories_ui(ui, project, scenario, metrics, self.highlight, self.target, generation, &mut self.territory_list, &mut chosen);
        self.pending.extend(chosen);
    }

    fn compare_tables_ui(&mut self, ui: &mut Ui) {
        let Some(comparison) = self.compare.as_ref().and_then(|c| c.comparison.as_ref()) else { return };
        match compare_view::tables_ui(ui, comparison) {
            Some(CompareAction::ExportLedger) => self.act(AppAction::ExportLedger(None)),
            Some(CompareAction::Close) => self.act(AppAction::Compare(None)),
            None => {}
        }
    }

    fn chart_ui(&mut self, ui: &mut Ui) {
        let (project, scenario, metrics) = (self.session.project(), self.session.scenario(), self.session.metrics());
        let outcome = chart::balance_chart_ui(ui, project, scenario, metrics, self.highlight);
        self.chart_columns = outcome.columns;
        if let Some(id) = outcome.clicked {
            self.act(AppAction::Highlight(id));
        }
    }

    fn quotas_window_ui(&mut self, ctx: &egui::Context) {
        let Some(mut form) = self.quotas.take() else { return };
        let mut open = true;
        let mut edit = None;
        egui::Window::new("Quotas and KPIs").open(&mut open).resizable(false).default_pos([260.0, 110.0]).show(ctx, |ui| {
            edit = super::panels::quotas::quotas_ui(ui, &mut form, self.session.project(), self.session.scenario(), self.session.metrics());
        });
        if open {
            self.quotas = Some(form);
        }
        if let Some(command) = edit {
            self.act(AppAction::Execute(command));
        }
    }

    fn model_window_ui(&mut self, ctx: &egui::Context) {
        if !self.model_window {
            return;
        }
        // The draft is rebuilt from the project every frame, so undo shows at once.
        let mut draft = ModelDraft::from_project(self.session.project());
        let mut open = true;
        let mut changed = false;
        egui::Window::new("Workload model").open(&mut open).resizable(false).default_pos([220.0, 90.0]).show(ctx, |ui| {
            ui.weak("Changes apply at once and are saved with the project. Undo with Ctrl+Z.");
            changed = model_ui(ui, &mut draft);
        });
        self.model_window = open;
        if changed {
            self.act(AppAction::PreviewModel(draft.to_command()));
        }
    }
}

impl eframe::App for TerritoryApp {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        let started = std::time::Instant::now();
        self.show(ui);
        if self.profile.is_some() {
            let update_ms = started.elapsed().as_secs_f64() * 1000.0;
            let ctx = ui.ctx().clone();
            self.profile_step(&ctx, frame.info().cpu_usage, update_ms);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.document.end_session();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        storage.set_string("recent_files", self.document.recent_setting());
        storage.set_string("basemap", self.view.basemap_source.to_setting());
    }
}
