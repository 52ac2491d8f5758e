//! The application shell: menus, toolbar, shortcuts, status bar, panels, the map, file
//! dialogs and the screenshot job. Pure logic lives in the library; this file wires it
//! to egui and turns gestures into commands.

use crate::colormap::{self, ColorBy, Legend};
use crate::io::project_file;
use crate::model::command::Command;
use crate::model::ids::{AccountId, ScenarioId, TerritoryId, UnitId};
use crate::model::project::Project;
use crate::model::{LonLat, Rgb};
use crate::session::Session;
use crate::spatial::mercator::{from_mercator, MercBox};
use crate::ui::map::scene::{BasemapScene, MapScene};
use crate::ui::map::colors::scenario_colors;
use crate::ui::map::{MapColors, MapEvent, MapInteraction, MapLayers, Picks, Selection, Tool};
use crate::ui::panels::settings::{model_ui, ModelDraft};
use crate::ui::panels::territories::{self, PanelAction};
use crate::ui::panels::{chart, legend};
use crate::ui::compare::{self as compare_view, CompareAction, CompareView};
use crate::ui::optimize::{form_ui, FormAction, OptimizeForm, OptimizeJob};
use crate::ui::style::BAD;
use egui::{Color32, Key, KeyboardShortcut, Modifiers, RichText, Ui};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use egui::DragPanButtons;
use walkers::{lon_lat, Map, MapMemory};

const MAX_RECENT: usize = 8;

/// Where the map's background comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BasemapSource {
    /// Vector land, water, states and counties embedded in the app (no network).
    Offline,
    /// OpenStreetMap raster tiles, fetched online and cached on disk.
    OpenStreetMap,
    /// A local raster `.pmtiles` archive.
    PmTiles(PathBuf),
}

impl BasemapSource {
    pub fn to_setting(&self) -> String {
        match self {
            BasemapSource::Offline => "offline".into(),
            BasemapSource::OpenStreetMap => "osm".into(),
            BasemapSource::PmTiles(p) => format!("pmtiles:{}", p.display()),
        }
    }

    pub fn from_setting(text: &str) -> Self {
        match text {
            "osm" => BasemapSource::OpenStreetMap,
            t if t.starts_with("pmtiles:") => BasemapSource::PmTiles(PathBuf::from(&t["pmtiles:".len()..])),
            _ => BasemapSource::Offline,
        }
    }
}

/// The folder where online tiles are cached for later offline use.
pub fn tile_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("territory-designer").join("tiles")
}

/// A message shown over the map (errors in red) and in the status bar.
#[derive(Clone, Debug)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Writes a PNG of the window after the map has settled, then closes it.
pub struct ScreenshotJob {
    pub out: PathBuf,
    frames: u32,
    requested: bool,
    receiver: Option<mpsc::Receiver<Arc<egui::ColorImage>>>,
    pub result: Arc<std::sync::Mutex<Option<Result<(), String>>>>,
}

impl ScreenshotJob {
    pub fn new(out: PathBuf) -> Self {
        Self { out, frames: 0, requested: false, receiver: None, result: Arc::new(std::sync::Mutex::new(None)) }
    }
}

pub struct TerritoryApp {
    pub session: Session,
    pub path: Option<PathBuf>,
    scene: MapScene,
    memory: MapMemory,
    pub map: MapInteraction,
    pub selection: Selection,
    pub highlight: Option<TerritoryId>,
    /// The territory the brush paints and "assign" sends the selection to.
    pub target: Option<TerritoryId>,
    /// Lasso and rectangle assign to the target on release instead of selecting.
    pub assign_on_release: bool,
    unit_colors: Vec<Color32>,
    account_colors: Vec<Color32>,
    colors_key: Option<(u64, Option<TerritoryId>, ColorBy)>,
    /// What the ZIPs are coloured by, and the legend of the current colours.
    pub color_by: ColorBy,
    pub legend: Option<Legend>,
    /// The workload-model window.
    pub model_window: bool,
    pub show_chart: bool,
    /// The compare view: a reference scenario beside the active one.
    pub compare: Option<CompareView>,
    /// Scenario dialogs: rename (id, text) and delete confirmation.
    scenario_rename: Option<(ScenarioId, String)>,
    scenario_delete: Option<ScenarioId>,
    /// The Optimize dialog (open when `Some`) and its running job.
    pub optimize_form: Option<OptimizeForm>,
    pub optimize_job: Option<OptimizeJob>,
    /// File > New from files, while open.
    pub new_from_files: Option<crate::ui::import::NewFromFiles>,
    /// What the last import did (title, lines), shown until closed.
    pub import_report: Option<(String, Vec<String>)>,
    /// An export running on a worker: its outcome message.
    pub export_job: Option<crate::ui::jobs::Job<Result<String, String>>>,
    /// Where each territory's bars are in the balance chart (last frame).
    pub chart_columns: Vec<(TerritoryId, egui::Rect)>,
    colors_generation: u64,
    pub notice: Option<Notice>,
    pub recent: Vec<PathBuf>,
    fit_pending: Option<MercBox>,
    rename: Option<(TerritoryId, String)>,
    confirm_close: bool,
    close_allowed: bool,
    title: String,
    pub screenshot: Option<ScreenshotJob>,
    events: Vec<MapEvent>,
    pub basemap_source: BasemapSource,
    tiles: Option<Box<dyn walkers::Tiles>>,
    basemap_window: bool,
    last_autosave: f64,
    autosave_generation: u64,
    /// An autosave newer than the opened file: offer to recover it.
    recovery: Option<PathBuf>,
}

/// The fixed colour modes and their keys (attributes cycle with A).
fn color_mode_keys() -> [(ColorBy, Key); 4] {
    [(ColorBy::Territory, Key::T), (ColorBy::Workload, Key::W), (ColorBy::DriveTime, Key::D), (ColorBy::Balance, Key::G)]
}

/// The palette colour after the scenario's existing territories.
fn next_territory_colour(scenario: &crate::model::Scenario) -> Rgb {
    let n = scenario.territories.len();
    crate::sample::territory_palette(n + 1)[n]
}

/// What the scenario bar asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScenarioRequest {
    Switch(ScenarioId),
    Blank,
    Duplicate,
    Rename,
    Delete,
    SetBaseline,
    Optimize,
    Compare(Option<ScenarioId>),
}

/// The scenario switcher and its actions.
fn scenario_bar_ui(ui: &mut Ui, project: &Project, active: ScenarioId, comparing: Option<ScenarioId>) -> Option<ScenarioRequest> {
    let mut request = None;
    let label = |id: ScenarioId| {
        let name = project.scenario(id).map(|s| s.name.clone()).unwrap_or_default();
        if id == project.baseline { format!("{name} (baseline)") } else { name }
    };
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label("scenario").selected_text(label(active)).show_ui(ui, |ui| {
            for s in &project.scenarios {
                if ui.selectable_label(s.id == active, label(s.id)).clicked() && s.id != active {
                    request = Some(ScenarioRequest::Switch(s.id));
                }
            }
        });
        if ui.button("New").on_hover_text("A blank scenario: one empty territory per rep, every ZIP unassigned").clicked() {
            request = Some(ScenarioRequest::Blank);
        }
        if ui.button("Duplicate").on_hover_text("Copy this scenario and edit the copy").clicked() {
            request = Some(ScenarioRequest::Duplicate);
        }
        if ui.button("Rename…").clicked() {
            request = Some(ScenarioRequest::Rename);
        }
        if ui.add_enabled(project.scenarios.len() > 1, egui::Button::new("Delete…")).clicked() {
            request = Some(ScenarioRequest::Delete);
        }
        if ui.add_enabled(project.baseline != active, egui::Button::new("Set as baseline")).on_hover_text("Mark this scenario as today's alignment").clicked() {
            request = Some(ScenarioRequest::SetBaseline);
        }
    });
    ui.horizontal(|ui| {
        let current = comparing.map_or("(off)".to_string(), label);
        egui::ComboBox::from_label("compare with").selected_text(current).show_ui(ui, |ui| {
            if ui.selectable_label(comparing.is_none(), "(off)").clicked() {
                request = Some(ScenarioRequest::Compare(None));
            }
            for s in project.scenarios.iter().filter(|s| s.id != active) {
                if ui.selectable_label(comparing == Some(s.id), label(s.id)).clicked() {
                    request = Some(ScenarioRequest::Compare(Some(s.id)));
                }
            }
        });
        ui.separator();
        if ui.button("Optimize…").on_hover_text("Propose balanced, contiguous territories as a new scenario").clicked() {
            request = Some(ScenarioRequest::Optimize);
        }
    });
    request
}

enum DialogOutcome {
    Open,
    Confirmed,
    Cancelled,
}

/// A small modal asking for a new name (Enter confirms).
fn rename_dialog(ctx: &egui::Context, title: &str, name: &mut String) -> DialogOutcome {
    let mut outcome = DialogOutcome::Open;
    egui::Window::new(title).collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(ctx, |ui| {
        let response = ui.text_edit_singleline(name);
        response.request_focus();
        ui.horizontal(|ui| {
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if ui.button("Rename").clicked() || enter {
                outcome = DialogOutcome::Confirmed;
            }
            if ui.button("Cancel").clicked() {
                outcome = DialogOutcome::Cancelled;
            }
        });
    });
    outcome
}

/// A scenario's name over the top of a map.
fn map_caption(ui: &Ui, text: &str) {
    let rect = ui.max_rect();
    let galley = ui.painter().layout_no_wrap(text.to_string(), egui::FontId::proportional(15.0), Color32::from_gray(20));
    let at = rect.center_top() + egui::vec2(-galley.size().x / 2.0, 8.0);
    let frame = egui::Rect::from_min_size(at, galley.size()).expand2(egui::vec2(8.0, 4.0));
    ui.painter().rect_filled(frame, 4.0, Color32::from_rgba_unmultiplied(255, 255, 255, 230));
    ui.painter().galley(at, galley, Color32::from_gray(20));
}

/// Seconds between autosaves of a project with unsaved changes.
const AUTOSAVE_SECS: f64 = 60.0;

impl TerritoryApp {
    pub fn new(project: Project, path: Option<PathBuf>) -> Self {
        let basemap = match crate::io::basemap::Basemap::embedded() {
            Ok(b) => BasemapScene::new(&b),
            Err(_) => BasemapScene::empty(),
        };
        Self::with_basemap(project, path, basemap)
    }

    /// Without the basemap: faster to build, for tests.
    pub fn without_basemap(project: Project, path: Option<PathBuf>) -> Self {
        Self::with_basemap(project, path, BasemapScene::empty())
    }

    fn with_basemap(project: Project, path: Option<PathBuf>, basemap: BasemapScene) -> Self {
        let scene = MapScene::new(&project, basemap);
        let extent = scene.extent;
        let mut memory = MapMemory::default();
        if !extent.is_empty() {
            let c = from_mercator(extent.center());
            memory.center_at(lon_lat(c.lon, c.lat));
            let _ = memory.set_zoom(7.0);
        }
        let session = Session::new(project);
        let target = session.scenario().territories.first().map(|t| t.id);
        Self {
            session,
            path,
            scene,
            memory,
            map: MapInteraction::default(),
            selection: Selection::default(),
            highlight: None,
            target,
            assign_on_release: false,
            unit_colors: Vec::new(),
            account_colors: Vec::new(),
            colors_key: None,
            color_by: ColorBy::Territory,
            legend: None,
            model_window: false,
            show_chart: true,
            chart_columns: Vec::new(),
            compare: None,
            optimize_form: None,
            optimize_job: None,
            new_from_files: None,
            import_report: None,
            export_job: None,
            scenario_rename: None,
            scenario_delete: None,
            colors_generation: 0,
            notice: None,
            recent: Vec::new(),
            fit_pending: (!extent.is_empty()).then_some(extent),
            rename: None,
            confirm_close: false,
            close_allowed: false,
            title: String::new(),
            screenshot: None,
            events: Vec::new(),
            basemap_source: BasemapSource::Offline,
            tiles: None,
            basemap_window: false,
            last_autosave: 0.0,
            autosave_generation: 0,
            recovery: None,
        }
        .with_recovery_check()
    }

    fn with_recovery_check(mut self) -> Self {
        self.recovery = self.path.as_deref().and_then(newer_autosave);
        self
    }

    /// Writes the project to its autosave file on a worker thread when it has unsaved
    /// changes and the last autosave is old enough.
    fn autosave(&mut self, now: f64) {
        let Some(path) = &self.path else { return };
        if !self.session.is_dirty() || self.autosave_generation == self.session.generation() || now - self.last_autosave < AUTOSAVE_SECS {
            return;
        }
        self.last_autosave = now;
        self.autosave_generation = self.session.generation();
        let project = self.session.project().clone();
        let target = project_file::autosave_path(path);
        std::thread::spawn(move || {
            // A failed autosave must not disturb the session; the next one retries.
            let _ignored = project_file::save(&project, &target);
        });
    }

    fn recovery_ui(&mut self, ctx: &egui::Context) {
        let Some(autosave) = self.recovery.clone() else { return };
        egui::Window::new("Recover unsaved changes?").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(ctx, |ui| {
            ui.label("Territory Designer found changes to this project that were never saved (autosave).");
            ui.horizontal(|ui| {
                if ui.button("Recover").clicked() {
                    match project_file::load(&autosave) {
                        Ok(project) => {
                            let path = self.path.clone();
                            self.replace_project(project, path);
                            self.session.mark_modified();
                            self.say("Recovered the autosaved changes; save to keep them");
                        }
                        Err(err) => self.complain(err.to_string()),
                    }
                    self.recovery = None;
                }
                if ui.button("Discard them").clicked() {
                    let _ignored = std::fs::remove_file(&autosave);
                    self.recovery = None;
                }
            });
        });
    }

    /// Switches the basemap. Online tiles are used only when the user asks for them.
    pub fn set_basemap(&mut self, ctx: &egui::Context, source: BasemapSource) {
        match &source {
            BasemapSource::Offline => self.tiles = None,
            BasemapSource::OpenStreetMap => {
                let options = walkers::HttpOptions {
                    cache: Some(tile_cache_dir()),
                    user_agent: Some(walkers::HeaderValue::from_static(concat!("territory-designer/", env!("CARGO_PKG_VERSION")))),
                    ..Default::default()
                };
                self.tiles = Some(Box::new(walkers::HttpTiles::with_options(walkers::sources::OpenStreetMap, options, ctx.clone())));
            }
            BasemapSource::PmTiles(path) => match crate::io::pmtiles_header::pmtiles_kind(path) {
                Ok(kind) if kind.is_raster() => self.tiles = Some(Box::new(walkers::PmTiles::new(path, ctx.clone()))),
                Ok(_) => {
                    self.complain(format!("{} holds vector tiles; choose a raster (PNG/JPEG/WebP) .pmtiles file", path.display()));
                    return;
                }
                Err(err) => {
                    self.complain(err);
                    return;
                }
            },
        }
        self.say(match &source {
            BasemapSource::Offline => "Basemap: offline vector".to_string(),
            BasemapSource::OpenStreetMap => format!("Basemap: OpenStreetMap tiles (cached in {})", tile_cache_dir().display()),
            BasemapSource::PmTiles(p) => format!("Basemap: {}", p.display()),
        });
        self.basemap_source = source;
    }

    pub(super) fn replace_project(&mut self, project: Project, path: Option<PathBuf>) {
        let recent = std::mem::take(&mut self.recent);
        let layers = self.map.layers;
        let basemap = std::mem::replace(&mut self.scene.basemap, BasemapScene::empty());
        *self = Self::with_basemap(project, path.clone(), basemap);
        self.recent = recent;
        self.recovery = None;
        self.map.layers = layers;
        if let Some(p) = path {
            self.remember(&p);
        }
    }

    fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
    }

    pub fn fit_to(&mut self, extent: MercBox) {
        self.fit_pending = Some(extent);
    }

    /// Zoom and centre so that `extent` fills the map area.
    fn apply_fit(&mut self, rect: egui::Rect) {
        let Some(extent) = self.fit_pending.take() else { return };
        let [w, h] = extent.size();
        let c = from_mercator(extent.center());
        self.memory.center_at(lon_lat(c.lon, c.lat));
        let zoom_x = ((rect.width() as f64 * 0.92) / (w.max(1e-9) * 256.0)).log2();
        let zoom_y = ((rect.height() as f64 * 0.92) / (h.max(1e-9) * 256.0)).log2();
        let _ = self.memory.set_zoom(zoom_x.min(zoom_y).clamp(2.0, 18.0));
    }

    fn territory_extent(&self, id: TerritoryId) -> Option<MercBox> {
        let mut extent = MercBox::EMPTY;
        for (i, t) in self.session.scenario().unit_territory.iter().enumerate() {
            if *t == Some(id) && !self.scene.unit_bounds[i].is_empty() {
                extent = extent.union(&self.scene.unit_bounds[i]);
            }
        }
        (!extent.is_empty()).then_some(extent)
    }

    fn refresh_colors(&mut self) {
        let key = (self.session.generation(), self.highlight, self.color_by.clone());
        if self.colors_key.as_ref() == Some(&key) {
            return;
        }
        self.colors_key = Some(key);
        self.colors_generation += 1;
        self.scene.refresh_rep_homes(self.session.project());
        let (project, scenario, metrics) = (self.session.project(), self.session.scenario(), self.session.metrics());
        match scenario_colors(project, scenario, metrics, &self.color_by, self.highlight) {
            Ok(colors) => {
                self.unit_colors = colors.units;
                self.account_colors = colors.accounts;
                self.legend = Some(colors.legend);
            }
            Err(e) => {
                self.color_by = ColorBy::Territory;
                self.colors_key = None;
                self.complain(format!("Cannot colour the map by that: {e}"));
                self.refresh_colors();
            }
        }
    }

    /// Switches the map colours (and says why when the mode is not available).
    pub fn set_color_by(&mut self, mode: ColorBy) {
        self.color_by = mode;
        self.refresh_colors();
    }

    pub(super) fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: false });
    }

    pub(super) fn complain(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: true });
    }

    /// Runs an edit; a refusal (e.g. a locked territory) becomes a visible message.
    pub fn execute(&mut self, command: Command) -> bool {
        let label = command.label(self.session.scenario());
        match self.session.execute(command) {
            Ok(_) => {
                self.say(label);
                true
            }
            Err(err) => {
                self.complain(err.to_string());
                false
            }
        }
    }

    pub fn undo(&mut self) {
        let label = self.session.undo_label().map(str::to_string);
        match self.session.undo() {
            Ok(Some(_)) => self.say(format!("Undid: {}", label.unwrap_or_default())),
            Ok(None) => self.say("Nothing to undo"),
            Err(err) => self.complain(err.to_string()),
        }
    }

    pub fn redo(&mut self) {
        let label = self.session.redo_label().map(str::to_string);
        match self.session.redo() {
            Ok(Some(_)) => self.say(format!("Redid: {}", label.unwrap_or_default())),
            Ok(None) => self.say("Nothing to redo"),
            Err(err) => self.complain(err.to_string()),
        }
    }

    /// Moves the selection to a territory: ZIPs as unit assignments, accounts picked on
    /// their own as account overrides; one undo step.
    pub fn assign_selection(&mut self, to: TerritoryId) {
        if self.selection.is_empty() {
            self.say("Select ZIPs or accounts first (click, lasso, rectangle)");
            return;
        }
        let units: Vec<UnitId> = self.selection.units.iter().copied().collect();
        let accounts: Vec<AccountId> = self.selection.accounts.iter().copied().collect();
        let name = self.session.scenario().territory(to).map(|t| t.name.clone()).unwrap_or_default();
        let command = match (units.is_empty(), accounts.is_empty()) {
            (false, true) => Command::assign_units(units, Some(to)),
            (true, false) => Command::assign_accounts(accounts, to),
            _ => Command::Batch {
                label: format!("Assign {} ZIPs and {} accounts to {name}", units.len(), accounts.len()),
                commands: vec![Command::assign_units(units, Some(to)), Command::assign_accounts(accounts, to)],
            },
        };
        if self.execute(command) {
            self.selection.clear();
        }
    }

    fn territory_by_number(&self, n: usize) -> Option<TerritoryId> {
        self.session.scenario().territories.get(n).map(|t| t.id)
    }

    pub fn save_to(&mut self, path: PathBuf) {
        match project_file::save(self.session.project(), &path) {
            Ok(()) => {
                self.session.mark_saved();
                let _ignored = std::fs::remove_file(project_file::autosave_path(&path));
                self.say(format!("Saved {}", path.display()));
                self.remember(&path);
                self.path = Some(path);
            }
            Err(err) => self.complain(err.to_string()),
        }
    }

    pub fn open(&mut self, path: PathBuf) {
        match project_file::load(&path) {
            Ok(project) => {
                self.replace_project(project, Some(path.clone()));
                self.recovery = newer_autosave(&path);
                self.say(format!("Opened {}", path.display()));
            }
            Err(err) => self.complain(err.to_string()),
        }
    }

    fn save(&mut self) {
        match self.path.clone() {
            Some(path) => self.save_to(path),
            None => self.save_as(),
        }
    }

    fn save_as(&mut self) {
        let dialog = rfd::FileDialog::new().add_filter("Territory Designer project", &[project_file::EXTENSION]).set_file_name("territories.tdproj");
        if let Some(path) = dialog.save_file() {
            self.save_to(path);
        }
    }

    fn open_dialog(&mut self) {
        let dialog = rfd::FileDialog::new().add_filter("Territory Designer project", &[project_file::EXTENSION]);
        if let Some(path) = dialog.pick_file() {
            self.open(path);
        }
    }

    fn window_title(&self) -> String {
        let name = self.path.as_ref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "Untitled".into());
        let dirty = if self.session.is_dirty() { " •" } else { "" };
        format!("{name}{dirty} — {} — Territory Designer", self.session.scenario().name)
    }

    /// The whole window, one frame. Used by eframe, tests and screenshots alike.
    pub fn show(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        ctx.set_theme(egui::Theme::Light);
        let title = self.window_title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        self.handle_close(&ctx);
        self.shortcuts(&ctx);
        // A live model edit becomes one undo step once the pointer is up and no field
        // is being typed into.
        if !ctx.input(|i| i.pointer.any_down()) && !ctx.egui_wants_keyboard_input() {
            self.session.commit_model();
        }
        self.refresh_colors();

        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        egui::Panel::right("territories").resizable(true).default_size(560.0).min_size(420.0).show(ui, |ui| self.side_panel_ui(ui));
        if let Some(view) = &mut self.compare {
            view.refresh(&self.session);
        }
        if self.compare.as_ref().is_some_and(|c| c.comparison.is_some()) {
            egui::Panel::bottom("compare_tables").resizable(true).default_size(300.0).min_size(160.0).max_size(ui.available_height() * 0.5).show(ui, |ui| self.compare_tables_ui(ui));
        } else if self.show_chart {
            egui::Panel::bottom("balance_chart").resizable(true).default_size(190.0).min_size(120.0).show(ui, |ui| self.chart_ui(ui));
        }
        egui::CentralPanel::default().frame(egui::Frame::NONE).show(ui, |ui| {
            if self.compare.is_some() {
                let (left, right) = ui.max_rect().split_left_right_at_fraction(0.5);
                ui.scope_builder(egui::UiBuilder::new().max_rect(left.shrink2(egui::vec2(1.0, 0.0))), |ui| self.reference_map_ui(ui));
                ui.scope_builder(egui::UiBuilder::new().max_rect(right.shrink2(egui::vec2(1.0, 0.0))), |ui| self.map_ui(ui));
            } else {
                self.map_ui(ui);
            }
        });
        self.apply_events();
        self.dialogs_ui(&ctx);
        self.screenshot_step(&ctx);
    }

    fn handle_close(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && self.session.is_dirty() && !self.close_allowed && self.screenshot.is_none() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm_close = true;
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let undo = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
        let redo = KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
        let redo_y = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
        let save = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
        let open = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
        if ctx.input_mut(|i| i.consume_shortcut(&redo) || i.consume_shortcut(&redo_y)) {
            self.redo();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&undo)) {
            self.undo();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&save)) {
            self.save();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            self.open_dialog();
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let pressed = |key: Key| ctx.input(|i| i.key_pressed(key) && i.modifiers.is_none());
        for tool in Tool::ALL {
            if pressed(tool.key()) {
                self.map.tool = tool;
            }
        }
        for (mode, key) in color_mode_keys() {
            if pressed(key) {
                self.set_color_by(mode);
            }
        }
        if pressed(Key::A) {
            let names = colormap::attribute_names(self.session.project());
            let next = match &self.color_by {
                ColorBy::Attribute(current) => names.iter().position(|n| n == current).map_or(0, |i| (i + 1) % names.len().max(1)),
                _ => 0,
            };
            if let Some(name) = names.get(next) {
                self.set_color_by(ColorBy::Attribute(name.clone()));
            }
        }
        if pressed(Key::Escape) {
            self.selection.clear();
            self.highlight = None;
            if self.map.tool.is_what_if() {
                self.map.tool = Tool::Select;
            }
        }
        if pressed(Key::OpenBracket) {
            self.map.brush_radius_px = (self.map.brush_radius_px - 4.0).max(4.0);
        }
        if pressed(Key::CloseBracket) {
            self.map.brush_radius_px = (self.map.brush_radius_px + 4.0).min(120.0);
        }
        let numbers = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5, Key::Num6, Key::Num7, Key::Num8, Key::Num9];
        for (n, key) in numbers.iter().enumerate() {
            if pressed(*key) {
                if let Some(t) = self.territory_by_number(n) {
                    self.target = Some(t);
                    if !self.selection.is_empty() {
                        self.assign_selection(t);
                    }
                }
            }
        }
    }

    fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("New from files…").clicked() {
                    self.new_from_files.get_or_insert_with(Default::default);
                }
                if ui.button("Open…").clicked() {
                    self.open_dialog();
                }
                ui.menu_button("Open recent", |ui| {
                    if self.recent.is_empty() {
                        ui.weak("No recent projects");
                    }
                    for path in self.recent.clone() {
                        if ui.button(path.display().to_string()).clicked() {
                            self.open(path);
                        }
                    }
                });
                ui.separator();
                if ui.button("Save").clicked() {
                    self.save();
                }
                if ui.button("Save as…").clicked() {
                    self.save_as();
                }
                ui.separator();
                if ui.button("Import alignment (CSV)…").on_hover_text("zip, territory[, rep]: becomes a new scenario").clicked() {
                    if let Some(path) = rfd::FileDialog::new().add_filter("CSV", &["csv", "txt"]).pick_file() {
                        self.import_alignment(&path);
                    }
                }
                ui.add_enabled_ui(self.export_job.is_none(), |ui| {
                    ui.menu_button("Export", |ui| self.export_menu_ui(ui));
                });
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.session.undo_label().map(|l| format!("Undo {l}")).unwrap_or_else(|| "Undo".into());
                if ui.add_enabled(self.session.undo_label().is_some(), egui::Button::new(undo).shortcut_text("Ctrl+Z")).clicked() {
                    self.undo();
                }
                let redo = self.session.redo_label().map(|l| format!("Redo {l}")).unwrap_or_else(|| "Redo".into());
                if ui.add_enabled(self.session.redo_label().is_some(), egui::Button::new(redo).shortcut_text("Ctrl+Shift+Z")).clicked() {
                    self.redo();
                }
                ui.separator();
                if ui.button("Clear selection").clicked() {
                    self.selection.clear();
                }
            });
            ui.menu_button("View", |ui| {
                let layers = &mut self.map.layers;
                ui.checkbox(&mut layers.zip_fill, "ZIP areas");
                ui.checkbox(&mut layers.zip_borders, "ZIP borders");
                ui.checkbox(&mut layers.accounts, "Accounts");
                ui.checkbox(&mut layers.rep_homes, "Rep home bases");
                ui.checkbox(&mut layers.counties, "County lines");
                ui.separator();
                if ui.button("Basemap…").clicked() {
                    self.basemap_window = true;
                }
                if ui.button("Zoom to project").clicked() {
                    self.fit_pending = Some(self.scene.extent);
                }
                ui.checkbox(&mut self.show_chart, "Balance chart");
            });
            ui.menu_button("Model", |ui| {
                if ui.button("Workload model…").clicked() {
                    self.model_window = true;
                }
                if ui.button("Optimize…").clicked() {
                    self.open_optimize();
                }
            });
        });
    }

    fn toolbar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            for tool in Tool::ALL.into_iter().filter(|t| !t.is_what_if()) {
                let hint = format!("{} tool (key {})", tool.label(), tool.key().name());
                if ui.selectable_label(self.map.tool == tool, tool.label()).on_hover_text(hint).clicked() {
                    self.map.tool = tool;
                }
            }
            if self.map.tool.is_what_if() {
                let text = format!("{}: click the home base on the map", self.map.tool.label());
                if ui.selectable_label(true, text).on_hover_text("Click here or press Esc to cancel").clicked() {
                    self.map.tool = Tool::Select;
                }
            }
            ui.separator();
            egui::ComboBox::from_label("picks").width(110.0).selected_text(self.map.picks.label()).show_ui(ui, |ui| {
                for picks in [Picks::Zips, Picks::Accounts, Picks::Both] {
                    ui.selectable_value(&mut self.map.picks, picks, picks.label());
                }
            });
            ui.spacing_mut().slider_width = 70.0;
            ui.add(egui::Slider::new(&mut self.map.brush_radius_px, 4.0..=120.0).text("brush"));
            ui.separator();
            let scenario = self.session.scenario();
            let current = self.target.and_then(|t| scenario.territory(t)).map(|t| t.name.clone()).unwrap_or_else(|| "(none)".into());
            let mut target = self.target;
            egui::ComboBox::from_label("target").width(150.0).selected_text(current).show_ui(ui, |ui| {
                for (i, t) in scenario.territories.iter().enumerate() {
                    ui.selectable_value(&mut target, Some(t.id), format!("{} {}", i + 1, t.name));
                }
            });
            self.target = target;
            let can_assign = !self.selection.is_empty() && self.target.is_some();
            if ui.add_enabled(can_assign, egui::Button::new("Assign")).on_hover_text("Or press the territory's number key").clicked() {
                if let Some(t) = self.target {
                    self.assign_selection(t);
                }
            }
            ui.checkbox(&mut self.assign_on_release, "Assign on release");
            ui.separator();
            self.color_by_ui(ui);
            ui.separator();
            if ui.add_enabled(self.session.undo_label().is_some(), egui::Button::new("Undo")).clicked() {
                self.undo();
            }
            if ui.add_enabled(self.session.redo_label().is_some(), egui::Button::new("Redo")).clicked() {
                self.redo();
            }
        });
    }

    fn status_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            match self.map.pointer {
                Some(p) => ui.monospace(format!("{:>9.4}, {:>8.4}", p.lon, p.lat)),
                None => ui.monospace("    –    ,    –    "),
            };
            ui.separator();
            let project = self.session.project();
            match self.map.hovered_unit {
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
        let project = self.session.project();
        let scenario = self.session.scenario();
        let metrics = self.session.metrics();
        ui.add_space(4.0);
        ui.label(RichText::new(&project.name).strong());
        let request = scenario_bar_ui(ui, project, scenario.id, self.compare.as_ref().map(|c| c.reference));
        ui.separator();
        territories::balance_ui(ui, project, metrics);
        ui.horizontal(|ui| {
            let model = project.settings.preset.map_or("Custom weights", |p| p.label());
            ui.weak(format!("Workload model: {model}"));
            if ui.small_button("Edit model…").on_hover_text("Index weights, capacity, drive-time model, thresholds").clicked() {
                self.model_window = true;
            }
        });
        ui.separator();
        let actions = territories::territories_ui(ui, project, scenario, metrics, self.highlight, self.target);
        for action in actions {
            self.apply_panel_action(action);
        }
        if let Some(request) = request {
            self.apply_scenario_request(request);
        }
    }

    fn apply_scenario_request(&mut self, request: ScenarioRequest) {
        match request {
            ScenarioRequest::Switch(id) => self.switch_scenario(id),
            ScenarioRequest::Blank => {
                let palette = crate::sample::territory_palette(self.session.project().reps.len().max(1));
                match self.session.add_blank_scenario(&palette) {
                    Ok(_) => {
                        self.after_scenario_switch();
                        self.say("New blank scenario: paint ZIPs into the territories with the brush or lasso");
                    }
                    Err(e) => self.complain(e),
                }
            }
            ScenarioRequest::Duplicate => {
                let active = self.session.active_id();
                match self.session.duplicate_scenario(active) {
                    Ok(id) => {
                        let name = self.session.project().scenario(id).map(|s| s.name.clone()).unwrap_or_default();
                        self.after_scenario_switch();
                        self.say(format!("Created '{name}': edits now go to the copy"));
                    }
                    Err(e) => self.complain(e),
                }
            }
            ScenarioRequest::Rename => {
                let name = self.session.scenario().name.clone();
                self.scenario_rename = Some((self.session.active_id(), name));
            }
            ScenarioRequest::Delete => self.scenario_delete = Some(self.session.active_id()),
            ScenarioRequest::SetBaseline => {
                let active = self.session.active_id();
                if let Err(e) = self.session.set_baseline(active) {
                    self.complain(e);
                }
            }
            ScenarioRequest::Compare(reference) => self.set_compare(reference),
            ScenarioRequest::Optimize => self.open_optimize(),
        }
    }

    /// Makes a scenario active (its own undo history comes with it).
    pub fn switch_scenario(&mut self, id: ScenarioId) {
        if self.session.set_active(id) {
            self.after_scenario_switch();
        }
    }

    fn after_scenario_switch(&mut self) {
        self.selection.clear();
        self.highlight = None;
        self.target = self.session.scenario().territories.first().map(|t| t.id);
        if self.compare.as_ref().is_some_and(|c| c.reference == self.session.active_id()) {
            self.compare = None;
        }
    }

    /// Opens the compare view against a reference scenario (`None` closes it).
    pub fn set_compare(&mut self, reference: Option<ScenarioId>) {
        self.compare = reference.filter(|r| *r != self.session.active_id()).map(CompareView::new);
    }

    /// Writes the disruption ledger of the open comparison.
    pub fn export_ledger(&mut self, path: &Path) {
        let Some(comparison) = self.compare.as_ref().and_then(|c| c.comparison.as_ref()) else { return };
        match crate::io::ledger::write_ledger(&comparison.ledger, path) {
            Ok(()) => self.say(format!("Wrote the ledger ({} accounts) to {}", comparison.ledger.len(), path.display())),
            Err(e) => self.complain(format!("{e:#}")),
        }
    }

    fn compare_tables_ui(&mut self, ui: &mut Ui) {
        let Some(comparison) = self.compare.as_ref().and_then(|c| c.comparison.as_ref()) else { return };
        match compare_view::tables_ui(ui, comparison) {
            Some(CompareAction::ExportLedger) => {
                let name = format!("handoffs_{}.csv", comparison.to.replace(|c: char| !c.is_alphanumeric(), "_"));
                if let Some(path) = rfd::FileDialog::new().add_filter("CSV", &["csv"]).set_file_name(name).save_file() {
                    self.export_ledger(&path);
                }
            }
            Some(CompareAction::Close) => self.compare = None,
            None => {}
        }
    }

    fn reference_map_ui(&mut self, ui: &mut Ui) {
        let Some(view) = self.compare.as_mut() else { return };
        let project = self.session.project();
        let Some(reference) = project.scenario(view.reference) else { return };
        let center = from_mercator(self.scene.extent.center());
        let empty = Selection::default();
        let mut ignored = Vec::new();
        let layers = MapLayers {
            raster_basemap: false,
            scene: &self.scene,
            project,
            scenario: reference,
            colors: MapColors { unit_fill: &view.unit_colors, account: &view.account_colors, account_scale: 1.0, generation: view.colors_generation },
            selection: &empty,
            highlight: None,
            target: None,
            changed: Some(&view.changed),
            state: &mut view.map,
            events: &mut ignored,
        };
        // Both maps share one MapMemory: panning or zooming either moves both.
        Map::new(None, &mut self.memory, lon_lat(center.lon, center.lat)).with_plugin(layers).zoom_with_ctrl(false).show(ui, |_, _, _, _| ());
        map_caption(ui, &format!("Reference: {}", reference.name));
    }

    fn apply_panel_action(&mut self, action: PanelAction) {
        match action {
            PanelAction::Focus(id) => {
                if self.highlight == Some(id) {
                    self.highlight = None;
                } else {
                    self.highlight = Some(id);
                    self.target = Some(id);
                    if let Some(extent) = self.territory_extent(id) {
                        self.fit_pending = Some(extent);
                    }
                }
            }
            PanelAction::SetTarget(id) => self.target = Some(id),
            PanelAction::HandOff(id) => self.hand_off(id),
            PanelAction::Vacate(id) => {
                self.execute(Command::set_territory_rep(id, None));
            }
            PanelAction::Delete(id) => {
                let command = Command::delete_territory(self.session.scenario(), id);
                self.execute(command);
            }
            PanelAction::MoveHome(id) => {
                self.target = Some(id);
                self.map.tool = Tool::MoveHome;
                self.say("Click the new home base on the map");
            }
            PanelAction::PlaceRep => {
                self.map.tool = Tool::PlaceRep;
                self.say("Click the new rep's home base on the map");
            }
            PanelAction::Recolor(id, c) => {
                self.execute(Command::recolor_territory(id, Rgb(c[0], c[1], c[2])));
            }
            PanelAction::SetLocked(id, locked) => {
                self.execute(Command::set_locked(id, locked));
            }
            PanelAction::StartRename(id) => {
                let name = self.session.scenario().territory(id).map(|t| t.name.clone()).unwrap_or_default();
                self.rename = Some((id, name));
            }
            PanelAction::Create => {
                let scenario = self.session.scenario();
                let n = scenario.territories.len();
                let (command, id) = Command::create_territory(scenario, format!("Territory {}", n + 1), next_territory_colour(scenario), None);
                if self.execute(command) {
                    self.target = Some(id);
                    self.rename = Some((id, format!("Territory {}", n + 1)));
                }
            }
        }
    }

    fn map_ui(&mut self, ui: &mut Ui) {
        // Fit once the map knows its own size (after its first frame).
        if let Some(rect) = self.map.last_rect.filter(|r| r.width() > 50.0) {
            self.apply_fit(rect);
        }
        let pan_buttons = if self.map.tool.draws() { DragPanButtons::SECONDARY } else { DragPanButtons::PRIMARY };
        let center = from_mercator(self.scene.extent.center());
        let raster = self.tiles.is_some();
        let layers = MapLayers {
            raster_basemap: raster,
            scene: &self.scene,
            project: self.session.project(),
            scenario: self.session.scenario(),
            colors: MapColors {
                unit_fill: &self.unit_colors,
                account: &self.account_colors,
                account_scale: if self.color_by == ColorBy::Territory { 1.0 } else { 0.6 },
                generation: self.colors_generation,
            },
            selection: &self.selection,
            highlight: self.highlight,
            target: self.target,
            changed: self.compare.as_ref().map(|c| c.changed.as_slice()),
            state: &mut self.map,
            events: &mut self.events,
        };
        let tiles: Option<&mut dyn walkers::Tiles> = match self.tiles.as_mut() {
            Some(t) => Some(t.as_mut()),
            None => None,
        };
        Map::new(tiles, &mut self.memory, lon_lat(center.lon, center.lat))
            .with_plugin(layers)
            .drag_pan_buttons(pan_buttons)
            .zoom_with_ctrl(false)
            .show(ui, |_, _, _, _| ());
        if self.compare.is_some() {
            map_caption(ui, &format!("Editing: {}", self.session.scenario().name));
        }
        // Side by side, the territory colours explain themselves; heat legends stay.
        let legend = self.legend.as_ref().filter(|_| self.compare.is_none() || self.color_by != ColorBy::Territory);
        if let Some(legend) = legend {
            let rect = ui.max_rect();
            egui::Area::new(egui::Id::unique("map_legend"))
                .pivot(egui::Align2::LEFT_BOTTOM)
                .fixed_pos(rect.left_bottom() + egui::vec2(10.0, -22.0))
                .show(ui.ctx(), |ui| {
                    egui::Frame::popup(ui.style()).fill(Color32::from_rgba_unmultiplied(255, 255, 255, 235)).show(ui, |ui| legend::legend_ui(ui, legend));
                });
        }
        if let Some(notice) = self.notice.as_ref().filter(|n| n.error) {
            let rect = ui.max_rect();
            let text = notice.text.clone();
            egui::Area::new(egui::Id::unique("map_notice")).fixed_pos(rect.center_top() + egui::vec2(-260.0, 12.0)).show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).fill(Color32::from_rgb(255, 235, 235)).show(ui, |ui| {
                    ui.set_max_width(520.0);
                    ui.label(RichText::new(text).color(BAD).strong());
                });
            });
        }
        ui.painter().text(
            ui.max_rect().left_bottom() + egui::vec2(6.0, -4.0),
            egui::Align2::LEFT_BOTTOM,
            match self.basemap_source {
                BasemapSource::OpenStreetMap => "Map data © OpenStreetMap contributors · Natural Earth, US Census",
                _ => "Basemap: Natural Earth, US Census (us-atlas)",
            },
            egui::FontId::proportional(10.0),
            Color32::from_gray(90),
        );
    }

    fn color_by_ui(&mut self, ui: &mut Ui) {
        let mut mode = self.color_by.clone();
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
        if mode != self.color_by {
            self.set_color_by(mode);
        }
    }

    fn chart_ui(&mut self, ui: &mut Ui) {
        let (project, scenario, metrics) = (self.session.project(), self.session.scenario(), self.session.metrics());
        let outcome = chart::balance_chart_ui(ui, project, scenario, metrics, self.highlight);
        self.chart_columns = outcome.columns;
        if let Some(id) = outcome.clicked {
            self.highlight = if self.highlight == Some(id) { None } else { Some(id) };
            self.target = Some(id);
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
            if let Err(e) = self.session.preview_model(draft.to_command()) {
                self.complain(format!("Workload model not changed: {e}"));
            }
        }
    }

    /// A new rep with a home base at `at` and an empty territory (one undo step).
    pub fn place_rep(&mut self, at: LonLat) {
        let scenario = self.session.scenario();
        let (command, id) = crate::model::whatif::add_rep_with_territory(self.session.project(), scenario, at, next_territory_colour(scenario));
        if self.execute(command) {
            self.target = Some(id);
            self.map.tool = Tool::Brush;
            self.say("New rep placed: paint their ZIPs with the brush; double-click the names to rename");
        }
    }

    /// Moves the target territory's rep's home base to `at`.
    pub fn move_home(&mut self, at: LonLat) {
        let rep = self.target.and_then(|t| self.session.scenario().territory(t)).and_then(|t| t.rep);
        match rep {
            Some(rep) => {
                if self.execute(Command::SetRepHome { rep, home: at }) {
                    self.map.tool = Tool::Select;
                }
            }
            None => self.complain("Pick a target territory that has a rep, then click its new home base"),
        }
    }

    /// "The rep leaves": hands the territory's ZIPs to its neighbours.
    pub fn hand_off(&mut self, id: TerritoryId) {
        let command = crate::model::whatif::hand_off_territory(self.session.project(), self.session.scenario(), id, &self.scene.neighbours);
        match command {
            Ok(command) => {
                if self.execute(command) {
                    if self.target == Some(id) {
                        self.target = self.session.scenario().territories.first().map(|t| t.id);
                    }
                    if self.highlight == Some(id) {
                        self.highlight = None;
                    }
                }
            }
            Err(e) => self.complain(e),
        }
    }

    fn apply_events(&mut self) {
        for event in std::mem::take(&mut self.events) {
            match event {
                MapEvent::Clicked { at, .. } if self.map.tool == Tool::PlaceRep => self.place_rep(at),
                MapEvent::Clicked { at, .. } if self.map.tool == Tool::MoveHome => self.move_home(at),
                MapEvent::Clicked { unit, account, additive, .. } => {
                    if !additive {
                        self.selection.clear();
                    }
                    if let Some(a) = account.filter(|_| self.map.picks != Picks::Zips || self.map.tool == Tool::Select && unit.is_none()) {
                        toggle(&mut self.selection.accounts, a);
                    } else if let Some(u) = unit {
                        toggle(&mut self.selection.units, u);
                    }
                }
                MapEvent::Selected { units, accounts, additive } => {
                    if !additive {
                        self.selection.clear();
                    }
                    self.selection.units.extend(units);
                    self.selection.accounts.extend(accounts);
                    if self.assign_on_release {
                        if let Some(t) = self.target {
                            self.assign_selection(t);
                        }
                    }
                }
                MapEvent::BrushStarted => {
                    let name = self.target.and_then(|t| self.session.scenario().territory(t)).map(|t| t.name.clone()).unwrap_or_default();
                    self.session.begin_group(format!("Paint ZIPs into {name}"));
                }
                MapEvent::Brushed(units) => {
                    let Some(t) = self.target else {
                        self.complain("Choose a target territory to paint with (number keys or the Target list)");
                        continue;
                    };
                    let scenario = self.session.scenario();
                    let todo: Vec<UnitId> = units.into_iter().filter(|u| scenario.unit_territory(*u) != Some(t)).collect();
                    if !todo.is_empty() {
                        if let Err(err) = self.session.execute(Command::assign_units(todo, Some(t))) {
                            self.complain(err.to_string());
                        }
                    }
                }
                MapEvent::BrushEnded => {
                    if self.session.end_group() {
                        let label = self.session.undo_label().unwrap_or_default().to_string();
                        self.say(label);
                    }
                }
            }
        }
    }

    fn basemap_window_ui(&mut self, ctx: &egui::Context) {
        if !self.basemap_window {
            return;
        }
        let mut open = true;
        let mut choice: Option<BasemapSource> = None;
        egui::Window::new("Basemap").open(&mut open).collapsible(false).resizable(false).show(ctx, |ui| {
            if ui.radio(self.basemap_source == BasemapSource::Offline, "Offline vector map (no network)").clicked() {
                choice = Some(BasemapSource::Offline);
            }
            let osm = ui.radio(self.basemap_source == BasemapSource::OpenStreetMap, "OpenStreetMap tiles (online)");
            osm.clone().on_hover_text(format!("Downloaded tiles are kept in {} for offline use", tile_cache_dir().display()));
            if osm.clicked() {
                choice = Some(BasemapSource::OpenStreetMap);
            }
            let current = match &self.basemap_source {
                BasemapSource::PmTiles(p) => format!("Local .pmtiles: {}", p.display()),
                _ => "Local .pmtiles file…".to_string(),
            };
            if ui.radio(matches!(self.basemap_source, BasemapSource::PmTiles(_)), current).clicked() {
                if let Some(path) = rfd::FileDialog::new().add_filter("PMTiles", &["pmtiles"]).pick_file() {
                    choice = Some(BasemapSource::PmTiles(path));
                }
            }
            ui.weak("Territories, accounts, state and county lines are drawn on top of any basemap.");
        });
        self.basemap_window = open;
        if let Some(source) = choice {
            self.set_basemap(ctx, source);
        }
    }

    pub fn open_optimize(&mut self) {
        if self.optimize_form.is_none() {
            self.optimize_form = Some(OptimizeForm::for_scenario(self.session.scenario()));
        }
    }

    fn optimize_ui(&mut self, ctx: &egui::Context) {
        if let Some(outcome) = self.optimize_job.as_ref().and_then(OptimizeJob::poll) {
            let start = self.optimize_job.take().map(|j| j.start_name).unwrap_or_default();
            match outcome {
                Ok(proposal) => self.accept_proposal(&proposal, &start),
                Err(crate::optimize::OptimizeError::Cancelled) => self.say("Optimization cancelled; nothing changed"),
                Err(e) => self.complain(format!("Cannot optimize: {e}")),
            }
        }
        if self.optimize_job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        let Some(mut form) = self.optimize_form.take() else { return };
        let local = self.highlight.and_then(|t| {
            let scenario = self.session.scenario();
            let name = scenario.territory(t)?.name.clone();
            let mut ids = vec![t];
            for (u, owner) in scenario.unit_territory.iter().enumerate() {
                if *owner != Some(t) {
                    continue;
                }
                for v in &self.scene.neighbours[u] {
                    if let Some(n) = scenario.unit_territory[*v as usize].filter(|n| !ids.contains(n) && !scenario.is_locked(*n)) {
                        ids.push(n);
                    }
                }
            }
            Some((name, ids))
        });
        // A local rebalance works on the active scenario's territories.
        let local = local.filter(|_| form.start == self.session.active_id());
        if form.only.as_ref().is_some_and(|ids| local.as_ref().is_none_or(|(_, l)| l != ids)) {
            form.only = None;
        }
        let mut open = true;
        let mut action = None;
        egui::Window::new("Optimize").open(&mut open).collapsible(false).resizable(false).default_pos([260.0, 120.0]).show(ctx, |ui| {
            ui.set_max_width(420.0);
            action = form_ui(ui, &mut form, self.session.project(), local.clone(), self.optimize_job.as_ref());
        });
        match action {
            Some(FormAction::Run) => match self.session.project().scenario(form.start) {
                Some(start) => self.optimize_job = Some(OptimizeJob::start(self.session.project(), start, &form)),
                None => self.complain("The start scenario no longer exists; choose another"),
            },
            Some(FormAction::Cancel) => {
                if let Some(job) = &self.optimize_job {
                    job.cancel();
                }
            }
            None => {}
        }
        if open {
            self.optimize_form = Some(form);
        } else if let Some(job) = &self.optimize_job {
            job.cancel();
        }
    }

    /// Adds the optimizer's proposal as a new scenario, makes it active and opens the
    /// compare view against the scenario it started from.
    fn accept_proposal(&mut self, proposal: &crate::optimize::project::Proposal, start: &str) {
        let reference = self.session.project().scenario_by_name(start).map(|s| s.id);
        let name = self.session.project().unused_scenario_name(crate::optimize::project::PROPOSAL_NAME);
        match self.session.add_proposal(proposal, &name) {
            Ok(id) => {
                self.switch_scenario(id);
                self.set_compare(reference);
                self.optimize_form = None;
                self.say(format!("'{name}': {}", proposal.summary()));
            }
            Err(e) => self.complain(e),
        }
    }

    fn scenario_dialogs_ui(&mut self, ctx: &egui::Context) {
        if let Some((id, mut name)) = self.scenario_rename.take() {
            match rename_dialog(ctx, "Rename scenario", &mut name) {
                DialogOutcome::Open => self.scenario_rename = Some((id, name)),
                DialogOutcome::Confirmed => {
                    if let Err(e) = self.session.rename_scenario(id, &name) {
                        self.complain(e);
                    }
                }
                DialogOutcome::Cancelled => {}
            }
        }
        if let Some(id) = self.scenario_delete {
            let name = self.session.project().scenario(id).map(|s| s.name.clone()).unwrap_or_default();
            egui::Window::new("Delete scenario").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(ctx, |ui| {
                ui.label(format!("Delete the scenario '{name}' and its undo history? This cannot be undone (the file on disk keeps it until you save)."));
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Delete").color(BAD)).clicked() {
                        self.scenario_delete = None;
                        match self.session.remove_scenario(id) {
                            Ok(()) => {
                                if self.compare.as_ref().is_some_and(|c| c.reference == id) {
                                    self.compare = None;
                                }
                                self.after_scenario_switch();
                                self.say(format!("Deleted '{name}'"));
                            }
                            Err(e) => self.complain(e),
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        self.scenario_delete = None;
                    }
                });
            });
        }
    }

    fn dialogs_ui(&mut self, ctx: &egui::Context) {
        self.files_ui(ctx);
        self.basemap_window_ui(ctx);
        self.scenario_dialogs_ui(ctx);
        self.optimize_ui(ctx);
        self.model_window_ui(ctx);
        self.recovery_ui(ctx);
        if self.screenshot.is_none() {
            let now = ctx.input(|i| i.time);
            self.autosave(now);
        }
        if let Some((id, mut name)) = self.rename.take() {
            match rename_dialog(ctx, "Rename territory", &mut name) {
                DialogOutcome::Open => self.rename = Some((id, name)),
                DialogOutcome::Confirmed if !name.trim().is_empty() => {
                    self.execute(Command::rename_territory(id, name.trim()));
                }
                _ => {}
            }
        }
        if self.confirm_close {
            egui::Window::new("Unsaved changes").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(ctx, |ui| {
                ui.label("This project has changes that are not saved.");
                ui.horizontal(|ui| {
                    if ui.button("Save and quit").clicked() {
                        self.save();
                        if !self.session.is_dirty() {
                            self.close_allowed = true;
                            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                        }
                        self.confirm_close = false;
                    }
                    if ui.button("Quit without saving").clicked() {
                        self.close_allowed = true;
                        self.confirm_close = false;
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm_close = false;
                    }
                });
            });
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let Some(job) = &mut self.screenshot else { return };
        job.frames += 1;
        ctx.request_repaint();
        if let Some(dialog) = &mut self.new_from_files {
            if !dialog.read_given_files() {
                // Count frames from when everything is read, so the layout settles.
                job.frames = 0;
                return;
            }
        }
        if !job.requested && job.frames >= 6 && self.fit_pending.is_none() {
            let (tx, rx) = mpsc::channel();
            ctx.request_screenshot(move |image| {
                let _ = tx.send(image);
            });
            job.receiver = Some(rx);
            job.requested = true;
        }
        let image = job.receiver.as_ref().and_then(|rx| rx.try_recv().ok());
        if let Some(image) = image {
            let result = write_png(&job.out, &image);
            if let Ok(mut slot) = job.result.lock() {
                *slot = Some(result);
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else if job.frames > 600 {
            if let Ok(mut slot) = job.result.lock() {
                *slot = Some(Err("the window never delivered a screenshot".into()));
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// The fill colour of a ZIP as drawn.
    pub fn unit_color(&self, unit: UnitId) -> Color32 {
        self.unit_colors.get(unit.index()).copied().unwrap_or(Color32::TRANSPARENT)
    }

    /// The map's geometry (for tests that aim at a ZIP on screen).
    pub fn scene(&self) -> &MapScene {
        &self.scene
    }

    pub fn map_memory(&self) -> &MapMemory {
        &self.memory
    }
}

/// The autosave of a project if it is newer than the project file.
pub fn newer_autosave(path: &Path) -> Option<PathBuf> {
    let autosave = project_file::autosave_path(path);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(&autosave), modified(path)) {
        (Some(a), Some(f)) if a > f => Some(autosave),
        _ => None,
    }
}

fn toggle<T: Ord>(set: &mut std::collections::BTreeSet<T>, item: T) {
    if !set.remove(&item) {
        set.insert(item);
    }
}

/// Writes an image as an 8-bit RGBA PNG.
pub fn write_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let mut bytes = Vec::with_capacity(w * h * 4);
    for c in &image.pixels {
        bytes.extend_from_slice(&c.to_srgba_unmultiplied());
    }
    let file = std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| format!("{}: {e}", path.display()))?;
    writer.write_image_data(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    writer.finish().map_err(|e| format!("{}: {e}", path.display()))
}

impl eframe::App for TerritoryApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let recent: Vec<String> = self.recent.iter().map(|p| p.display().to_string()).collect();
        storage.set_string("recent_files", recent.join("\n"));
        storage.set_string("basemap", self.basemap_source.to_setting());
    }
}
