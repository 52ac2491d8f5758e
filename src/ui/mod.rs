//! The desktop app. The only module that imports egui, eframe or walkers.

pub mod actions;
pub mod app;
pub mod basemap;
pub mod compare;
pub mod dialogs;
pub mod edits;
pub mod files;
pub mod import;
pub mod jobs;
pub mod map;
pub mod map_image;
pub mod offscreen;
pub mod optimize;
pub mod panels;
pub mod profile;
pub mod raster;
pub mod roads;
pub mod screenshot;
pub mod share;
pub mod style;

pub use actions::AppAction;
pub use app::TerritoryApp;

use crate::model::project::Project;
use anyhow::{anyhow, Result};
use std::path::PathBuf;

/// The application id: the desktop file's name and the window's app id (Wayland) or
/// class (X11), so desktops match the window to its entry and icon.
pub const APP_ID: &str = "io.github.territorydesigner.TerritoryDesigner";

fn native_options(width: f32, height: f32) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default().with_inner_size([width, height]).with_title("Territory Designer").with_app_id(APP_ID);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    eframe::NativeOptions { viewport, ..Default::default() }
}

/// The app's icon (packaging/icons) for the window and the task bar.
fn window_icon() -> Option<egui::IconData> {
    let decoder = png::Decoder::new(std::io::Cursor::new(&include_bytes!("../../packaging/icons/territory-designer-256.png")[..]));
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf[..info.buffer_size()].to_vec(),
        png::ColorType::Rgb => buf[..info.buffer_size()].chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        _ => return None,
    };
    Some(egui::IconData { rgba, width: info.width, height: info.height })
}

/// Opens the window on a project.
pub fn run(project: Project, path: Option<PathBuf>) -> Result<()> {
    eframe::run_native(
        "Territory Designer",
        native_options(1500.0, 920.0),
        Box::new(move |cc| {
            let mut app = TerritoryApp::new(project, path.clone());
            if let Some(storage) = cc.storage {
                if let Some(recent) = storage.get_string("recent_files") {
                    app.document.set_recent_from_setting(&recent);
                }
                if let Some(source) = storage.get_string("basemap") {
                    let source = basemap::BasemapSource::from_setting(&source);
                    if source != basemap::BasemapSource::Offline {
                        app.set_basemap(&cc.egui_ctx, source);
                    }
                }
            }
            if let Some(p) = path {
                app.document.remember(&p);
            }
            if let Some(dir) = crate::recovery::default_dir() {
                match app.document.start_session(&dir) {
                    Ok(()) => app.tell_who_else_has_it(),
                    Err(e) => app.complain(format!("Crash recovery is off: cannot write to {} ({e})", dir.display())),
                }
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow!("cannot open a window: {e}"))
}

/// Where a scripted run (screenshot, profile) keeps eframe's saved state: a path of its
/// own, removed afterwards, so that it neither reads nor leaves the app's (zoom,
/// window size).
struct PrivateState(PathBuf);

impl PrivateState {
    fn new(kind: &str) -> Self {
        Self(std::env::temp_dir().join(format!("territory-designer-{kind}-{}", std::process::id())))
    }
}

impl Drop for PrivateState {
    fn drop(&mut self) {
        // eframe keeps it in one file (or a folder, by version).
        let _ = std::fs::remove_file(&self.0).or_else(|_| std::fs::remove_dir_all(&self.0));
    }
}

/// What `screenshot` renders.
pub struct ScreenshotSpec {
    pub scenario: crate::model::ScenarioId,
    pub out: PathBuf,
    pub width: u32,
    pub height: u32,
    pub color_by: crate::colormap::ColorBy,
    pub model_window: bool,
    /// Open Model > Quotas and KPIs.
    pub quotas_window: bool,
    /// Open the compare view against this scenario.
    pub reference: Option<crate::model::ScenarioId>,
    /// Open File > New from files with these files read: ZIP polygons, then optionally
    /// an accounts CSV.
    pub import_dialog: Option<Vec<PathBuf>>,
    /// Open the Optimize dialog.
    pub optimize_dialog: bool,
    /// Open File > Export > Map image (PNG)….
    pub map_image_dialog: bool,
    /// Run the optimizer at this tolerance (percent) and show its proposal pending.
    pub proposal: Option<f64>,
    /// Look at this place (lon, lat) at this zoom instead of the whole project.
    pub view: Option<(f64, f64, f64)>,
    /// Presentation mode (the window keeps the size asked for).
    pub present: bool,
    /// Show the drive-time zones with these limits (minutes, as typed: "30,60,90").
    pub zones: Option<String>,
    /// Select this account (by its CRM id), which draws its road route from its rep.
    pub route_to: Option<String>,
}

/// Renders the real window fitted to the project's extent and saves it as a PNG.
pub fn screenshot(project: Project, path: Option<PathBuf>, spec: ScreenshotSpec) -> Result<()> {
    let ScreenshotSpec { scenario, out, width, height, color_by, model_window, quotas_window, reference, import_dialog, optimize_dialog, map_image_dialog, proposal, view, present, zones, route_to } = spec;
    let route_to = match route_to {
        Some(id) => Some(project.accounts.iter().find(|a| a.external_id == id).map(|a| a.id).ok_or_else(|| anyhow!("--route-to: no account with id '{id}'"))?),
        None => None,
    };
    let mut app = TerritoryApp::new(project, path);
    app.switch_scenario(scenario);
    app.set_compare(reference);
    app.view.color_by = color_by;
    app.model_window = model_window;
    if quotas_window {
        app.act(actions::AppAction::ShowQuotas);
    }
    if present {
        app.act(actions::AppAction::TogglePresent);
    }
    if let Some(text) = zones {
        app.view.map.zone_limits = crate::drivetime::zones::parse_minutes(&text).map_err(|e| anyhow!("--zones: {e}"))?;
        app.view.map.zone_text = text;
        app.view.map.layers.drive_zones = true;
    }
    if let Some(account) = route_to {
        app.selection.accounts.insert(account);
    }
    if let Some((lon, lat, zoom)) = view {
        app.view.look_at(lon, lat, zoom);
    }
    if map_image_dialog {
        app.act(actions::AppAction::ShowMapImageForm);
    }
    if optimize_dialog {
        app.open_optimize();
        if let (Some(tolerance), Some(form)) = (proposal, app.optimize.form.as_mut()) {
            form.tolerance_pct = tolerance;
            let request = form.request();
            app.optimize.proposal = Some(request.run(app.session.project(), app.session.roads().as_deref(), &mut |_| true)?);
        }
    }
    if let Some(files) = import_dialog {
        let dialog = app.new_from_files.get_or_insert_with(Default::default);
        dialog.units_text = files.first().map(|p| p.display().to_string()).unwrap_or_default();
        dialog.accounts_text = files.get(1).map(|p| p.display().to_string()).unwrap_or_default();
    }
    let job = screenshot::ScreenshotJob::new(out.clone(), [width, height]);
    let result = job.result.clone();
    app.screenshot = Some(job);
    let mut options = native_options(width as f32, height as f32);
    options.persist_window = false;
    // The same inputs give the same picture on every machine.
    let state = PrivateState::new("screenshot");
    options.persistence_path = Some(state.0.clone());
    // The PNG has the size asked for, even beyond the screen's (the job refuses to
    // write one of another size).
    options.viewport = options.viewport.with_resizable(false).with_clamp_size_to_monitor_size(false);
    eframe::run_native("Territory Designer screenshot", options, Box::new(move |_| Ok(Box::new(app))))
        .map_err(|e| anyhow!("cannot open a window for the screenshot (is a display or Xvfb running?): {e}"))?;
    drop(state);
    let outcome = result.lock().map_err(|_| anyhow!("screenshot state poisoned"))?.take();
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(e.into()),
        None => Err(anyhow!("the window closed before the screenshot of {} was taken", out.display())),
    }
}

/// Opens the real window on a project, drives it (pan, zoom, edits in a heat mode, a
/// lasso of 1,000 ZIPs) and returns the timings. `load_secs`: reading the file.
pub fn profile(project: Project, path: Option<PathBuf>, scenario: Option<crate::model::ScenarioId>, load_secs: f64, frames: usize, size: [u32; 2]) -> Result<profile::ProfileReport> {
    let started = std::time::Instant::now();
    let report = profile::ProfileReport {
        units: project.units.len(),
        accounts: project.accounts.len(),
        load_secs,
        ..Default::default()
    };
    let mut app = TerritoryApp::new(project, path);
    if let Some(id) = scenario {
        app.switch_scenario(id);
    }
    let mut report = report;
    report.territories = app.session.scenario().territories.len();
    report.open_secs = load_secs + started.elapsed().as_secs_f64();
    let job = profile::ProfileJob::new(frames, report);
    let result = job.report.clone();
    let timer = job.tessellation_timer();
    app.profile = Some(job);
    let mut options = native_options(size[0] as f32, size[1] as f32);
    options.persist_window = false;
    options.viewport = options.viewport.with_resizable(false);
    let state = PrivateState::new("profile");
    options.persistence_path = Some(state.0.clone());
    eframe::run_native(
        "Territory Designer profile",
        options,
        Box::new(move |cc| {
            cc.egui_ctx.add_plugin(timer);
            Ok(Box::new(app))
        }),
    )
        .map_err(|e| anyhow!("cannot open a window to profile (is a display or Xvfb running?): {e}"))?;
    drop(state);
    let report = result.lock().map_err(|_| anyhow!("profile state poisoned"))?.clone();
    if report.frames == 0 {
        return Err(anyhow!("the window closed before the profile ran"));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_is_the_packaged_one() {
        let icon = super::window_icon().expect("the icon decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        assert!(icon.rgba.chunks_exact(4).any(|p| p[3] == 0), "transparent corners");
    }
}
