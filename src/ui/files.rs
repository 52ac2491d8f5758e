//! The app's file actions beyond open/save: new project from files, alignment import,
//! exports (on a worker: dissolving thousands of ZIPs takes a moment), import report.

use super::app::TerritoryApp;
use super::import::Outcome;
use super::jobs::{progress_ui, Job};
use crate::io::export;
use std::path::{Path, PathBuf};

/// The exports of the File menu: label, file filter, default file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    TerritoriesGeoJson,
    TerritoriesShapefile,
    Assignment,
    Accounts,
    Metrics,
}

impl ExportKind {
    pub const ALL: [ExportKind; 5] = [Self::TerritoriesGeoJson, Self::TerritoriesShapefile, Self::Assignment, Self::Accounts, Self::Metrics];

    pub fn label(self) -> &'static str {
        match self {
            Self::TerritoriesGeoJson => "Territories as GeoJSON…",
            Self::TerritoriesShapefile => "Territories as Shapefile…",
            Self::Assignment => "ZIP → territory (CSV)…",
            Self::Accounts => "Account → territory and rep (CSV)…",
            Self::Metrics => "Territory metrics (CSV)…",
        }
    }

    fn filter(self) -> (&'static str, &'static str) {
        match self {
            Self::TerritoriesGeoJson => ("GeoJSON", "geojson"),
            Self::TerritoriesShapefile => ("ESRI Shapefile", "shp"),
            _ => ("CSV", "csv"),
        }
    }

    fn file_name(self, scenario: &str) -> String {
        let stem: String = scenario.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let (_, ext) = self.filter();
        match self {
            Self::TerritoriesGeoJson | Self::TerritoriesShapefile => format!("{stem}_territories.{ext}"),
            Self::Assignment => format!("{stem}_zip_assignment.csv"),
            Self::Accounts => format!("{stem}_accounts.csv"),
            Self::Metrics => format!("{stem}_metrics.csv"),
        }
    }
}

impl TerritoryApp {
    pub(super) fn export_menu_ui(&mut self, ui: &mut egui::Ui) {
        ui.weak(format!("Scenario: {}", self.session.scenario().name));
        for kind in ExportKind::ALL {
            if ui.button(kind.label()).clicked() {
                let (name, ext) = kind.filter();
                let dialog = rfd::FileDialog::new().add_filter(name, &[ext]).set_file_name(kind.file_name(&self.session.scenario().name));
                if let Some(path) = dialog.save_file() {
                    self.export(kind, path);
                }
            }
        }
    }

    /// Exports the active scenario on a worker thread; the status line says when done.
    pub fn export(&mut self, kind: ExportKind, path: PathBuf) {
        let project = self.session.project().clone();
        let scenario = self.session.scenario().clone();
        self.export_job = Some(Job::spawn(format!("Exporting {}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()), move |_| {
            let written = match kind {
                ExportKind::TerritoriesGeoJson | ExportKind::TerritoriesShapefile => {
                    export::write_territories(&project, &scenario, &path).map(|n| format!("{n} territories"))
                }
                ExportKind::Assignment => export::tables::write_assignment(&project, &scenario, &path).map(|n| format!("{n} ZIPs")),
                ExportKind::Accounts => export::tables::write_accounts(&project, &scenario, &path).map(|n| format!("{n} accounts")),
                ExportKind::Metrics => export::tables::write_metrics(&project, &scenario, &path).map(|n| format!("{n} rows of metrics")),
            };
            written.map(|what| format!("Exported {what} of '{}' to {}", scenario.name, path.display())).map_err(|e| format!("Export failed: {e:#}"))
        }));
    }

    /// Adds an alignment CSV as a new scenario and switches to it. Rows that name unknown
    /// ZIPs or reps stop the import and are listed; nothing changes.
    pub fn import_alignment(&mut self, path: &Path) {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "Imported alignment".into());
        match self.session.import_alignment(path, &name) {
            Ok((id, unmentioned)) => {
                self.switch_scenario(id);
                let note = if unmentioned > 0 { format!("; {unmentioned} ZIPs not in the file are unassigned") } else { String::new() };
                self.say(format!("Imported {} as scenario '{}'{note}", path.display(), self.session.scenario().name));
            }
            Err(crate::io::import::ImportError::Rows { path, rows, issues }) => {
                let mut lines = vec![format!("{} of {} rows have problems; nothing was imported. Fix them and import again.", issues.len(), rows)];
                lines.extend(issues.iter().map(|i| i.to_string()));
                self.import_report = Some((format!("Cannot import {}", path.display()), lines));
            }
            Err(e) => self.complain(e.to_string()),
        }
    }

    /// The New-from-files dialog, the running export and the import report.
    pub(super) fn files_ui(&mut self, ctx: &egui::Context) {
        if let Some(mut dialog) = self.new_from_files.take() {
            match dialog.ui(ctx) {
                Outcome::Open => self.new_from_files = Some(dialog),
                Outcome::Closed => {}
                Outcome::Created(created) => {
                    let (project, report) = *created;
                    let title = format!("Imported '{}'", project.name);
                    self.replace_project(project, None);
                    self.session.mark_modified();
                    self.say("New project from files: not saved yet (File > Save as…)");
                    self.import_report = Some((title, report.lines()));
                }
            }
        }
        if let Some(job) = &self.export_job {
            if let Some(result) = job.poll() {
                self.export_job = None;
                match result {
                    Ok(Ok(message)) => self.say(message),
                    Ok(Err(message)) => self.complain(message),
                    Err(()) => self.complain("The export stopped unexpectedly"),
                }
            } else {
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
                egui::Window::new("Exporting").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_BOTTOM, [0.0, -60.0]).show(ctx, |ui| {
                    if progress_ui(ui, job) {
                        job.cancel();
                    }
                });
            }
        }
        if let Some((title, lines)) = &self.import_report {
            let mut open = true;
            egui::Window::new(title.clone()).id(egui::Id::unique("import_report")).open(&mut open).default_width(620.0).default_pos([300.0, 140.0]).show(
                ctx,
                |ui| {
                    egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                        for line in lines {
                            ui.label(line);
                        }
                    });
                },
            );
            if !open {
                self.import_report = None;
            }
        }
    }
}
