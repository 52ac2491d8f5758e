//! File > New from files: a guided dialog over the same import as `territory-designer
//! new`. ZIP polygons first (their fields offered for the id and name), then accounts
//! with a column mapping and a preview, then reps and an alignment. Reading and building
//! run on a worker with progress and cancel; rejected rows are listed with the choice to
//! import only the good ones.

use super::jobs::{progress_ui, Job};
use crate::io::import::accounts::{AccountField, AccountMapping};
use crate::io::import::columns::{read_csv, CsvTable};
use crate::io::import::new_project::{build_from_tables, AccountsOutside, ImportReport, NewProjectSpec};
use crate::io::import::table::FeatureTable;
use crate::io::import::units::{self, guess_id_field, guess_name_field, UnitsOptions};
use crate::io::import::{ImportError, RowIssue};
use crate::model::project::Project;
use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use std::path::PathBuf;

/// Rows of the accounts preview.
const PREVIEW_ROWS: usize = 6;
/// Rejected rows listed in the dialog (the count says how many more).
const ROWS_LISTED: usize = 200;

enum Work {
    Units(Vec<PathBuf>, Result<Vec<FeatureTable>, ImportError>),
    Accounts(Result<CsvTable, ImportError>),
    Project(Result<Box<(Project, ImportReport)>, ImportError>),
}

/// Units read for the dialog: the files, their fields and tables.
struct UnitsPreview {
    paths: Vec<PathBuf>,
    fields: Vec<String>,
    features: usize,
    tables: std::sync::Arc<Vec<FeatureTable>>,
}

/// Rows rejected by the last attempt: the file, its row count and the problems.
struct Rejected {
    path: PathBuf,
    rows: usize,
    issues: Vec<RowIssue>,
}

/// What the dialog hands back to the app.
pub enum Outcome {
    Open,
    Closed,
    Created(Box<(Project, ImportReport)>),
}

pub struct NewFromFiles {
    pub units_text: String,
    pub id_field: String,
    pub name_field: Option<String>,
    pub accounts_text: String,
    pub mapping: AccountMapping,
    pub reps_text: String,
    pub alignment_text: String,
    pub accounts_outside: AccountsOutside,
    /// What potential is counted in; money when left at `$`.
    pub potential_unit: String,
    /// Accounts beyond the polygons' extent, for the latitude and longitude columns
    /// they were counted with.
    beyond_extent: Option<((usize, usize), usize)>,
    units: Option<UnitsPreview>,
    accounts: Option<CsvTable>,
    job: Option<Job<Work>>,
    error: Option<String>,
    rejected: Option<Rejected>,
}

impl Default for NewFromFiles {
    fn default() -> Self {
        Self {
            units_text: String::new(),
            id_field: String::new(),
            name_field: None,
            accounts_text: String::new(),
            mapping: AccountMapping::default(),
            reps_text: String::new(),
            alignment_text: String::new(),
            accounts_outside: AccountsOutside::default(),
            potential_unit: crate::model::settings::DEFAULT_POTENTIAL_UNIT.to_string(),
            beyond_extent: None,
            units: None,
            accounts: None,
            job: None,
            error: None,
            rejected: None,
        }
    }
}

fn paths_of(text: &str) -> Vec<PathBuf> {
    text.split(';').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect()
}

fn optional_path(text: &str) -> Option<PathBuf> {
    let t = text.trim();
    (!t.is_empty()).then(|| PathBuf::from(t))
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("; ")
}

impl NewFromFiles {
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// Reads the files typed in, one at a time (units, then accounts); true once all
    /// are read (or failed). For screenshots and scripted use.
    pub fn read_given_files(&mut self) -> bool {
        if self.job.is_some() {
            return false;
        }
        if self.error.is_some() {
            return true;
        }
        if self.units.is_none() && !self.units_text.trim().is_empty() {
            self.read_units();
            return false;
        }
        if self.accounts.is_none() && !self.accounts_text.trim().is_empty() {
            self.read_accounts();
            return false;
        }
        true
    }

    /// Reads the ZIP polygon files on the worker.
    pub fn read_units(&mut self) {
        let paths = paths_of(&self.units_text);
        if paths.is_empty() {
            self.error = Some("Choose the ZIP polygon file(s) first: GeoJSON or Shapefile (.shp).".into());
            return;
        }
        self.error = None;
        let for_job = paths.clone();
        self.job = Some(Job::spawn("Reading ZIP polygons", move |progress| {
            let result = units::read_tables(&for_job, progress);
            Work::Units(for_job, result)
        }));
    }

    /// Reads the accounts CSV on the worker.
    pub fn read_accounts(&mut self) {
        let Some(path) = optional_path(&self.accounts_text) else {
            self.accounts = None;
            self.mapping = AccountMapping::default();
            return;
        };
        self.error = None;
        self.job = Some(Job::spawn("Reading accounts", move |_| Work::Accounts(read_csv(&path))));
    }

    /// Builds the project on the worker from the units read and the other files.
    pub fn create(&mut self, accept_good_rows: bool) {
        let Some(units) = &self.units else {
            self.error = Some("Read the ZIP polygons first.".into());
            return;
        };
        // What was read must be what is typed: the fields and mapping come from it.
        if paths_of(&self.units_text) != units.paths {
            self.error = Some("The polygon files changed since they were read: click Read polygons.".into());
            return;
        }
        if let Some(table) = &self.accounts {
            if optional_path(&self.accounts_text).as_deref() != Some(table.source.as_path()) {
                self.error = Some("The accounts file changed since it was read: click Read accounts (or clear it).".into());
                return;
            }
        }
        let name = units
            .paths
            .first()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().trim_end_matches(".geojson").to_string())
            .unwrap_or_else(|| "Territories".into());
        let spec = NewProjectSpec {
            name,
            units: units.paths.clone(),
            units_options: UnitsOptions { id_field: Some(self.id_field.clone()), name_field: self.name_field.clone() },
            accounts: optional_path(&self.accounts_text),
            account_mapping: self.accounts.is_some().then(|| self.mapping.clone()),
            account_overrides: Vec::new(),
            reps: optional_path(&self.reps_text),
            alignment: optional_path(&self.alignment_text),
            accept_good_rows,
            accounts_outside: self.accounts_outside,
            potential_unit: Some(self.potential_unit.trim().to_string()).filter(|u| !u.is_empty()),
        };
        let tables = std::sync::Arc::clone(&units.tables);
        self.error = None;
        self.rejected = None;
        self.job = Some(Job::spawn("Building the project", move |progress| Work::Project(build_from_tables(&spec, &tables, progress).map(Box::new))));
    }

    fn finish(&mut self, work: Work) -> Option<Box<(Project, ImportReport)>> {
        match work {
            Work::Units(paths, Ok(tables)) => {
                let mut fields: Vec<String> = Vec::new();
                for f in tables.iter().flat_map(|t| &t.fields) {
                    if !fields.contains(f) {
                        fields.push(f.clone());
                    }
                }
                self.id_field = guess_id_field(&fields).or_else(|| fields.first().cloned()).unwrap_or_default();
                self.name_field = guess_name_field(&fields, &self.id_field);
                let features = tables.iter().map(FeatureTable::len).sum();
                self.units = Some(UnitsPreview { paths, fields, features, tables: std::sync::Arc::new(tables) });
                self.beyond_extent = None;
            }
            Work::Accounts(Ok(table)) => {
                self.mapping = AccountMapping::guess(&table);
                self.beyond_extent = None;
                self.accounts = Some(table);
            }
            Work::Project(Ok(done)) => return Some(done),
            Work::Project(Err(ImportError::Rows { path, rows, issues })) => self.rejected = Some(Rejected { path, rows, issues }),
            Work::Units(_, Err(e)) | Work::Accounts(Err(e)) | Work::Project(Err(e)) => {
                self.error = Some(match e {
                    ImportError::Cancelled => "Cancelled; nothing was imported.".into(),
                    other => other.to_string(),
                })
            }
        }
        None
    }

    /// One frame of the dialog.
    pub fn ui(&mut self, ctx: &egui::Context) -> Outcome {
        if let Some(result) = self.job.as_ref().and_then(Job::poll) {
            self.job = None;
            match result {
                Ok(work) => {
                    if let Some(created) = self.finish(work) {
                        return Outcome::Created(created);
                    }
                }
                Err(()) => self.error = Some("The import stopped unexpectedly; nothing was imported.".into()),
            }
        }
        if self.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        let mut open = true;
        let mut closed_by_button = false;
        egui::Window::new("New project from files").open(&mut open).collapsible(false).resizable(false).default_width(680.0).default_pos([220.0, 80.0]).show(
            ctx,
            |ui| {
                // The footer (progress, problems, Create) stays in view; the files scroll.
                let room = (ctx.content_rect().height() - 330.0).max(200.0);
                egui::ScrollArea::vertical().max_height(room).min_scrolled_height(room).show(ui, |ui| {
                    ui.add_enabled_ui(self.job.is_none(), |ui| {
                        self.units_ui(ui);
                        ui.separator();
                        self.accounts_ui(ui);
                        ui.separator();
                        self.others_ui(ui);
                    });
                });
                ui.separator();
                closed_by_button = self.footer_ui(ui);
            },
        );
        if !open || closed_by_button {
            if let Some(job) = &self.job {
                job.cancel();
            }
            return Outcome::Closed;
        }
        Outcome::Open
    }

    fn units_ui(&mut self, ui: &mut Ui) {
        ui.heading("1. ZIP polygons");
        ui.label("The Census ZCTA shapefile or GeoJSON of your states (several files: separate them with a semicolon, or give their folder). Projected shapefiles need their .prj.");
        ui.horizontal(|ui| {
            let label = ui.label("Polygon files");
            ui.add(egui::TextEdit::singleline(&mut self.units_text).hint_text("zips.shp; more_zips.geojson").desired_width(400.0).id_salt("units_path"))
                .labelled_by(label.id);
            if ui.button("Browse…").clicked() {
                match super::dialogs::run_file_dialog(|| rfd::FileDialog::new().add_filter("ZIP polygons", &["shp", "geojson", "json", "gz"]).pick_files()) {
                    Ok(Some(files)) => {
                        self.units_text = join_paths(&files);
                        self.read_units();
                    }
                    Ok(None) => {}
                    Err(message) => self.error = Some(message.into()),
                }
            }
            if ui.button("Read polygons").clicked() {
                self.read_units();
            }
        });
        let Some(units) = &self.units else { return };
        ui.label(format!("{} features in {} file(s). Choose the fields:", units.features, units.paths.len()));
        egui::Grid::new("unit_fields").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("ZIP / code field");
            egui::ComboBox::from_id_salt("id_field").selected_text(self.id_field.clone()).show_ui(ui, |ui| {
                for f in &units.fields {
                    ui.selectable_value(&mut self.id_field, f.clone(), f);
                }
            });
            ui.end_row();
            ui.label("Name field");
            let shown = self.name_field.clone().unwrap_or_else(|| "(use the code)".into());
            egui::ComboBox::from_id_salt("name_field").selected_text(shown).show_ui(ui, |ui| {
                ui.selectable_value(&mut self.name_field, None, "(use the code)");
                for f in &units.fields {
                    ui.selectable_value(&mut self.name_field, Some(f.clone()), f);
                }
            });
            ui.end_row();
        });
    }

    fn accounts_ui(&mut self, ui: &mut Ui) {
        ui.heading("2. Accounts (optional)");
        ui.label("A CSV export from the CRM. Columns are matched by name; change any that are wrong.");
        ui.horizontal(|ui| {
            let label = ui.label("Accounts CSV");
            ui.add(egui::TextEdit::singleline(&mut self.accounts_text).hint_text("accounts.csv").desired_width(400.0).id_salt("accounts_path"))
                .labelled_by(label.id);
            if ui.button("Browse…").clicked() {
                match super::dialogs::run_file_dialog(|| rfd::FileDialog::new().add_filter("CSV", &["csv", "txt"]).pick_file()) {
                    Ok(Some(file)) => {
                        self.accounts_text = file.display().to_string();
                        self.read_accounts();
                    }
                    Ok(None) => {}
                    Err(message) => self.error = Some(message.into()),
                }
            }
            if ui.button("Read accounts").clicked() {
                self.read_accounts();
            }
        });
        let Some(table) = &self.accounts else { return };
        ui.label(format!("{} rows, {} columns.", table.rows.len(), table.headers.len()));
        // The choices that change every figure come first, above the column mapping.
        self.outside_ui(ui);
        ui.horizontal(|ui| {
            ui.label("Potential is counted in");
            ui.add(egui::TextEdit::singleline(&mut self.potential_unit).desired_width(80.0).hint_text("$").id_salt("potential_unit"))
                .on_hover_text("A currency sign ($, €) is written before figures; a word (beds, students) after them.");
            ui.weak(format!("e.g. {}", crate::format::amount(12_500.0, self.potential_unit.trim())));
        });
        let Some(table) = &self.accounts else { return };
        let mut changes = Vec::new();
        egui::Grid::new("account_mapping").num_columns(3).striped(true).spacing([12.0, 3.0]).show(ui, |ui| {
            for field in AccountField::ALL {
                let label = ui.label(field.label());
                let current = self.mapping.column(field);
                let shown = current.map(|c| table.headers[c].clone()).unwrap_or_else(|| "—".into());
                let combo = egui::ComboBox::from_id_salt(("map", field.key())).selected_text(shown).width(180.0).show_ui(ui, |ui| {
                    if ui.selectable_label(current.is_none(), "—").clicked() {
                        changes.push((field, None));
                    }
                    for (c, header) in table.headers.iter().enumerate() {
                        if ui.selectable_label(current == Some(c), header).clicked() {
                            changes.push((field, Some(c)));
                        }
                    }
                });
                combo.response.labelled_by(label.id);
                let sample = current.and_then(|c| table.rows.first().map(|r| r.1[c].clone())).unwrap_or_default();
                ui.weak(sample);
                ui.end_row();
            }
        });
        for (field, column) in changes {
            self.mapping.set(table, field, column);
        }
        if !self.mapping.attributes.is_empty() {
            let names: Vec<&str> = self.mapping.attributes.iter().map(|&c| table.headers[c].as_str()).collect();
            ui.weak(format!("Kept as numeric attributes: {}", names.join(", ")));
        }
        if let Some(note) = table.number_note() {
            ui.weak(format!("Note: {note}."));
        }
        if table.rows.is_empty() {
            ui.colored_label(Color32::from_rgb(180, 30, 30), "This file has a header row and no data rows: no accounts would be imported.");
        }
        preview_ui(ui, table, &self.mapping);
    }

    /// The choice for accounts beyond the ZIPs, with how many there are at least.
    fn outside_ui(&mut self, ui: &mut Ui) {
        let (Some(table), Some(units)) = (&self.accounts, &self.units) else { return };
        let columns = self.mapping.column(AccountField::Latitude).zip(self.mapping.column(AccountField::Longitude));
        let beyond = columns.map(|key| match self.beyond_extent {
            Some((counted, n)) if counted == key => n,
            _ => {
                let n = beyond_extent(table, key, &units.tables);
                self.beyond_extent = Some((key, n));
                n
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Accounts outside every ZIP");
            ui.radio_value(&mut self.accounts_outside, AccountsOutside::Keep, "Keep, apart from the plan")
                .on_hover_text("They stay in the project, counted apart; they are in no territory and no figure of the plan.");
            ui.radio_value(&mut self.accounts_outside, AccountsOutside::Drop, "Leave out");
        });
        match beyond {
            Some(n) if n > 0 => {
                ui.colored_label(Color32::from_rgb(150, 90, 0), format!("At least {n} of {} accounts lie beyond the polygons (e.g. other states of a national export).", table.rows.len()));
            }
            _ => {}
        }
    }

    fn others_ui(&mut self, ui: &mut Ui) {
        ui.heading("3. Reps and today's alignment (optional)");
        let mut no_dialog = None;
        for (label, text, hint, salt) in [
            ("Reps CSV", &mut self.reps_text, "reps.csv: name, lat, lon (or zip), capacity, experience", "reps_path"),
            ("Alignment CSV", &mut self.alignment_text, "alignment.csv: zip, territory, rep", "alignment_path"),
        ] {
            ui.horizontal(|ui| {
                let caption = ui.add_sized([100.0, 18.0], egui::Label::new(label));
                ui.add(egui::TextEdit::singleline(text).hint_text(hint).desired_width(400.0).id_salt(salt)).labelled_by(caption.id);
                if ui.button("Browse…").on_hover_text(format!("Choose the {label}")).clicked() {
                    match super::dialogs::run_file_dialog(|| rfd::FileDialog::new().add_filter("CSV", &["csv", "txt"]).pick_file()) {
                        Ok(Some(file)) => *text = file.display().to_string(),
                        Ok(None) => {}
                        Err(message) => no_dialog = Some(message),
                    }
                }
            });
        }
        if let Some(message) = no_dialog {
            self.error = Some(message.into());
        }
        ui.weak("Without an alignment the project starts with one empty territory per rep and every ZIP unassigned.");
    }

    /// Progress, errors, the rejected rows and the Create button; true to close.
    fn footer_ui(&mut self, ui: &mut Ui) -> bool {
        let mut close = false;
        if let Some(job) = &self.job {
            if progress_ui(ui, job) {
                job.cancel();
            }
            return false;
        }
        if let Some(error) = &self.error {
            ui.colored_label(Color32::from_rgb(180, 30, 30), error);
        }
        let mut retry_good_rows = false;
        if let Some(rejected) = &self.rejected {
            ui.colored_label(
                Color32::from_rgb(180, 30, 30),
                format!("{} of {} rows of {} have problems:", rejected.issues.len(), rejected.rows, rejected.path.display()),
            );
            egui::ScrollArea::vertical().id_salt("rejected_rows").max_height(140.0).show(ui, |ui| {
                for issue in rejected.issues.iter().take(ROWS_LISTED) {
                    ui.label(issue.to_string());
                }
                if rejected.issues.len() > ROWS_LISTED {
                    ui.weak(format!("… and {} more", rejected.issues.len() - ROWS_LISTED));
                }
            });
            let good = rejected.rows.saturating_sub(rejected.issues.len());
            ui.horizontal(|ui| {
                if ui.button(format!("Import the {good} good rows")).clicked() {
                    retry_good_rows = true;
                }
                ui.weak("or fix the file and read it again.");
            });
        }
        if retry_good_rows {
            self.create(true);
            return false;
        }
        ui.horizontal(|ui| {
            let ready = self.units.is_some() && !self.id_field.is_empty();
            if ui.add_enabled(ready, egui::Button::new(RichText::new("Create project").strong())).clicked() {
                self.create(false);
            }
            if ui.button("Close").clicked() {
                close = true;
            }
        });
        close
    }
}

/// Rows whose coordinates lie beyond the bounding box of every polygon file (only when
/// the polygons are in longitude/latitude; a projected file is reprojected later).
fn beyond_extent(table: &CsvTable, (lat, lon): (usize, usize), tables: &[FeatureTable]) -> usize {
    let extents: Vec<[f64; 4]> = tables.iter().filter_map(FeatureTable::extent).collect();
    if extents.is_empty() || extents.iter().any(|e| e[0] < -180.0 || e[2] > 180.0 || e[1] < -90.0 || e[3] > 90.0) {
        return 0;
    }
    table
        .rows
        .iter()
        .filter(|(_, cells)| match (table.number(&cells[lat]), table.number(&cells[lon])) {
            (Ok(Some(y)), Ok(Some(x))) => !extents.iter().any(|e| (e[0]..=e[2]).contains(&x) && (e[1]..=e[3]).contains(&y)),
            _ => false,
        })
        .count()
}

/// The first rows as the import will read them.
fn preview_ui(ui: &mut Ui, table: &CsvTable, mapping: &AccountMapping) {
    let fields = [
        AccountField::Id,
        AccountField::Name,
        AccountField::Latitude,
        AccountField::Longitude,
        AccountField::Zip,
        AccountField::Potential,
        AccountField::Revenue,
        AccountField::Tier,
    ];
    ui.label(RichText::new("Preview").strong());
    TableBuilder::new(ui)
        .id_salt("accounts_preview")
        .striped(true)
        .columns(Column::auto().at_least(60.0).clip(true), fields.len())
        .header(18.0, |mut header| {
            for f in fields {
                header.col(|ui| {
                    ui.strong(f.key());
                });
            }
        })
        .body(|mut body| {
            for (_, cells) in table.rows.iter().take(PREVIEW_ROWS) {
                body.row(18.0, |mut row| {
                    for f in fields {
                        row.col(|ui| {
                            ui.label(mapping.column(f).map(|c| cells[c].as_str()).unwrap_or(""));
                        });
                    }
                });
            }
        });
}
