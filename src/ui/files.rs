//! The app's file actions beyond open/save: new project from files, alignment import,
//! exports (on a worker: dissolving thousands of ZIPs takes a moment), import report.

use super::actions::AppAction;
use super::app::TerritoryApp;
use super::import::Outcome;
use super::jobs::{progress_ui, Job};
use crate::io::export;
use crate::io::import::new_project::read_alignment;
use crate::io::import::ImportError;
use crate::model::command::Command;
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
            Self::Assignment => "ZIP to territory (CSV)…",
            Self::Accounts => "Account to territory and rep (CSV)…",
            Self::Metrics => "Territory metrics (CSV)…",
        }
    }

    pub fn filter(self) -> (&'static str, &'static str) {
        match self {
            Self::TerritoriesGeoJson => ("GeoJSON", "geojson"),
            Self::TerritoriesShapefile => ("ESRI Shapefile", "shp"),
            _ => ("CSV", "csv"),
        }
    }

    pub fn file_name(self, scenario: &str) -> String {
        let stem = file_stem(scenario);
        let (_, ext) = self.filter();
        match self {
            Self::TerritoriesGeoJson | Self::TerritoriesShapefile => format!("{stem}_territories.{ext}"),
            Self::Assignment => format!("{stem}_zip_assignment.csv"),
            Self::Accounts => format!("{stem}_accounts.csv"),
            Self::Metrics => format!("{stem}_metrics.csv"),
        }
    }
}

/// A scenario name made safe for a file name.
pub fn file_stem(scenario: &str) -> String {
    scenario.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

impl TerritoryApp {
    pub(super) fn export_menu_ui(&mut self, ui: &mut egui::Ui) {
        ui.weak(format!("Scenario: {}", self.session.scenario().name));
        for kind in ExportKind::ALL {
            if ui.button(kind.label()).clicked() {
                self.act(AppAction::Export(kind, None));
            }
        }
        ui.separator();
        if ui.button("Map image (PNG)…").clicked() {
            self.act(AppAction::ShowMapImageForm);
        }
        let against = self.report_baseline().and_then(|b| self.session.project().scenario(b)).map(|s| format!(" against '{}'", s.name)).unwrap_or_default();
        if ui.button(format!("Scenario report (PDF){against}…")).clicked() {
            self.act(AppAction::ExportReport(None));
        }
    }

    /// The save dialog of an export, named after the scenario.
    pub(super) fn export_dialog(&self, kind: ExportKind) -> rfd::FileDialog {
        let (name, ext) = kind.filter();
        self.file_dialog(name, &[ext]).set_file_name(kind.file_name(&self.session.scenario().name))
    }

    /// The save dialog of the hand-off ledger of the open comparison.
    pub(super) fn ledger_dialog(&self) -> Option<rfd::FileDialog> {
        let comparison = self.compare.as_ref()?.comparison.as_ref()?;
        let name = format!("handoffs_{}.csv", comparison.to.replace(|c: char| !c.is_alphanumeric(), "_"));
        Some(self.file_dialog("CSV", &["csv"]).set_file_name(name))
    }

    /// Writes the disruption ledger of the open comparison.
    pub fn export_ledger(&mut self, path: &Path) {
        let Some(comparison) = self.compare.as_ref().and_then(|c| c.comparison.as_ref()) else { return };
        match crate::io::ledger::write_ledger(&comparison.ledger, path) {
            Ok(()) => self.say(format!("Wrote the ledger ({} accounts) to {}", comparison.ledger.len(), path.display())),
            Err(e) => self.complain(format!("{e:#}")),
        }
    }

    /// Exports the active scenario on a worker thread; the status line says when done.
    pub fn export(&mut self, kind: ExportKind, path: PathBuf) {
        let project = self.session.project().clone();
        let scenario = self.session.scenario().clone();
        let roads = self.session.roads();
        self.export_job = Some(Job::spawn(format!("Exporting {}", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()), move |_| {
            let written = match kind {
                ExportKind::TerritoriesGeoJson | ExportKind::TerritoriesShapefile => {
                    export::write_territories(&project, &scenario, roads, &path).map(|n| format!("{n} territories"))
                }
                ExportKind::Assignment => export::tables::write_assignment(&project, &scenario, &path).map(|n| format!("{n} ZIPs")),
                ExportKind::Accounts => export::tables::write_accounts(&project, &scenario, &path).map(|n| n.to_string()),
                ExportKind::Metrics => export::tables::write_metrics(&project, &scenario, roads, &path).map(|n| format!("{n} rows of metrics")),
            };
            written.map(|what| format!("Exported {what} of '{}' to {}", scenario.name, path.display()))
        }));
    }

    /// Adds an alignment CSV as a new scenario and switches to it (one undoable step).
    /// Rows that name unknown ZIPs or reps stop the import and are listed; nothing
    /// changes.
    pub fn import_alignment(&mut self, path: &Path) {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "Imported alignment".into());
        match read_alignment(self.session.project(), path, &name, false) {
            Ok(mut import) => {
                crate::io::import::new_project::recolour_neighbours(&mut import.scenario, self.view.scene.neighbours());
                let name = import.scenario.name.clone();
                let label = format!("Import alignment '{name}'");
                if self.execute(Command::add_scenario(label, import.scenario)) {
                    let unmentioned = import.unmentioned_units;
                    let note = if unmentioned > 0 { format!("; {unmentioned} ZIPs not in the file are unassigned") } else { String::new() };
                    self.say(format!("Imported {} as scenario '{name}'{note}", path.display()));
                }
            }
            Err(ImportError::Rows { path, rows, issues }) => {
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
                    Ok(Err(e)) => self.complain(format!("Export failed: {e:#}")),
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
