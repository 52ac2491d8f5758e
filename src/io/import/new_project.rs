//! A new project from the files a planner brings: units, then reps, then accounts (whose
//! owners name reps), then an alignment. Everything is read and checked before the
//! project is built; nothing is written here.

use super::accounts::{self, AccountMapping, AccountsImport};
use super::alignment::{self, AlignmentImport};
use super::columns::{read_csv, CsvTable};
use super::reps::{self, RepsImport};
use super::table::FeatureTable;
use super::units::{self, UnitsImport, UnitsOptions};
use super::{check_cancel, ImportError, Progress, RowIssue};
use crate::model::entities::LonLat;
use crate::model::project::Project;
use crate::model::settings::Settings;
use crate::spatial::UnitIndex;
use std::path::PathBuf;

/// What to build the project from.
#[derive(Clone, Debug, Default)]
pub struct NewProjectSpec {
    pub name: String,
    pub units: Vec<PathBuf>,
    pub units_options: UnitsOptions,
    pub accounts: Option<PathBuf>,
    /// The full account mapping (the dialog's); guessed from the header when `None`.
    pub account_mapping: Option<AccountMapping>,
    /// `FIELD=COLUMN` overrides applied over the guessed mapping (the CLI's `--map`).
    pub account_overrides: Vec<String>,
    pub reps: Option<PathBuf>,
    pub alignment: Option<PathBuf>,
    /// Import the good rows when some rows are rejected (otherwise fail, naming them).
    pub accept_good_rows: bool,
    /// What to do with accounts inside none of the units (a national CRM export into a
    /// one-state project).
    pub accounts_outside: AccountsOutside,
    /// What potential is counted in (`$`, `beds`); money when `None`.
    pub potential_unit: Option<String>,
}

/// What becomes of accounts inside none of the project's units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccountsOutside {
    /// Kept in the project, counted apart from the plan (they can be given to a
    /// territory by hand later).
    #[default]
    Keep,
    /// Left out of the project.
    Drop,
}

/// An account of the file inside none of the units.
#[derive(Clone, Debug, PartialEq)]
pub struct OutsideAccount {
    pub external_id: String,
    pub name: String,
    pub location: LonLat,
    pub potential: f64,
}

/// How many examples a summary of many rows shows.
const EXAMPLES: usize = 3;
/// How many rejected rows the report lists one by one.
const REJECTED_LISTED: usize = 20;

/// What an import did, for the planner to read.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub units: usize,
    pub unit_warnings: Vec<String>,
    pub id_field: String,
    pub name_field: Option<String>,
    pub accounts: usize,
    pub account_rows: usize,
    pub rejected_accounts: Vec<RowIssue>,
    pub account_warnings: Vec<RowIssue>,
    pub account_notes: Vec<String>,
    pub outside: Vec<OutsideAccount>,
    /// Whether the outside accounts were left out of the project.
    pub outside_dropped: bool,
    pub potential_unit: String,
    pub reps: usize,
    pub rejected_reps: Vec<RowIssue>,
    pub territories: usize,
    pub rejected_alignment: Vec<RowIssue>,
    pub unassigned_units: usize,
}

impl ImportReport {
    /// The report as lines of text (the CLI prints them; the dialog shows them).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("{} units (id field {}, name field {})", self.units, self.id_field, self.name_field.as_deref().unwrap_or("none: the code"))];
        out.extend(self.unit_warnings.iter().take(REJECTED_LISTED).map(|w| format!("  note: {w}")));
        if self.unit_warnings.len() > REJECTED_LISTED {
            out.push(format!("  ... and {} more notes on the polygons", self.unit_warnings.len() - REJECTED_LISTED));
        }
        if self.account_rows > 0 || !self.account_notes.is_empty() {
            out.push(format!("{} of {} account rows imported; {} rejected", self.accounts, self.account_rows, self.rejected_accounts.len()));
            out.extend(self.account_notes.iter().map(|n| format!("  note: {n}")));
            out.extend(self.rejected_accounts.iter().take(REJECTED_LISTED).map(|r| format!("  rejected: {r}")));
            if self.rejected_accounts.len() > REJECTED_LISTED {
                out.push(format!("  ... and {} more rejected rows", self.rejected_accounts.len() - REJECTED_LISTED));
            }
            out.extend(grouped_warnings(&self.account_warnings));
            if !self.outside.is_empty() {
                let potential: f64 = self.outside.iter().map(|a| a.potential).sum();
                let examples: Vec<String> = self.outside.iter().take(EXAMPLES).map(|a| format!("{} '{}' at {:.4}, {:.4}", a.external_id, a.name, a.location.lat, a.location.lon)).collect();
                out.push(format!(
                    "  {} accounts (potential {}) lie outside every unit and {}; e.g. {}",
                    self.outside.len(),
                    crate::format::amount(potential, &self.potential_unit),
                    if self.outside_dropped { "were left out (--accounts-outside drop)" } else { "are kept apart from the plan (--accounts-outside drop leaves them out)" },
                    examples.join("; ")
                ));
            }
        }
        if self.reps > 0 || !self.rejected_reps.is_empty() {
            out.push(format!("{} reps; {} rejected", self.reps, self.rejected_reps.len()));
            out.extend(self.rejected_reps.iter().map(|r| format!("  rejected: {r}")));
        }
        out.push(format!("{} territories; {} units unassigned", self.territories, self.unassigned_units));
        out.extend(self.rejected_alignment.iter().map(|r| format!("  rejected: {r}")));
        out
    }
}

/// Warnings of the same kind as one line each: how many rows, and the first few.
fn grouped_warnings(warnings: &[RowIssue]) -> Vec<String> {
    let mut groups: Vec<(&str, &str, Vec<&RowIssue>)> = Vec::new();
    for w in warnings {
        match groups.iter_mut().find(|(column, why, _)| *column == w.column && *why == w.why) {
            Some(group) => group.2.push(w),
            None => groups.push((&w.column, &w.why, vec![w])),
        }
    }
    groups
        .into_iter()
        .map(|(column, why, rows)| {
            let examples: Vec<String> = rows.iter().take(EXAMPLES).map(|r| format!("line {} '{}'", r.row, r.value)).collect();
            let more = if rows.len() > EXAMPLES { ", ..." } else { "" };
            match rows.len() {
                1 => format!("  warning: {}", rows[0]),
                n => format!("  warning: {n} rows, column '{column}': {why} ({}{more})", examples.join(", ")),
            }
        })
        .collect()
}

/// Scenario names of a new project.
pub const ALIGNMENT_SCENARIO: &str = "Current alignment";
pub const BLANK_SCENARIO: &str = "New plan";

fn accept<T>(rejected: &[RowIssue], accept_good_rows: bool, table: &CsvTable, rows: usize, value: T) -> Result<T, ImportError> {
    if rejected.is_empty() || accept_good_rows {
        Ok(value)
    } else {
        Err(ImportError::Rows { path: table.source.clone(), rows, issues: rejected.to_vec() })
    }
}

/// Reads everything and builds the project, or fails without side effects.
pub fn build(spec: &NewProjectSpec, progress: Progress<'_>) -> Result<(Project, ImportReport), ImportError> {
    let tables = units::read_tables(&spec.units, &mut |f| progress(f * 0.3))?;
    build_from_tables(spec, &tables, &mut |f| progress(0.3 + f * 0.7))
}

/// The same from unit tables already read (the dialog reads them first to offer the
/// fields); `spec.units` is then only used in messages.
pub fn build_from_tables(spec: &NewProjectSpec, tables: &[FeatureTable], progress: Progress<'_>) -> Result<(Project, ImportReport), ImportError> {
    let UnitsImport { units, id_field, name_field, warnings, .. } = units::build(tables, &spec.units_options, &mut |f| progress(f * 0.8))?;
    let mut settings = Settings::default();
    if let Some(unit) = &spec.potential_unit {
        settings.potential_unit = unit.trim().to_string();
    }
    let mut report =
        ImportReport { units: units.len(), unit_warnings: warnings, id_field, name_field, potential_unit: settings.potential_unit.clone(), ..Default::default() };

    let reps = match &spec.reps {
        Some(path) => {
            let table = read_csv(path)?;
            let RepsImport { reps, rejected } = reps::build(&table, &units, &settings)?;
            report.reps = reps.len();
            report.rejected_reps = rejected.clone();
            accept(&rejected, spec.accept_good_rows, &table, table.rows.len(), reps)?
        }
        None => Vec::new(),
    };
    check_cancel(progress, 0.85)?;

    let accounts = match &spec.accounts {
        Some(path) => {
            let table = read_csv(path)?;
            let mut mapping = spec.account_mapping.clone().unwrap_or_else(|| AccountMapping::guess(&table));
            mapping.apply_overrides(&table, &spec.account_overrides)?;
            let index = UnitIndex::new(&units);
            let import = accounts::build(&table, &mapping, &units, &index, &reps, 0)?;
            describe_accounts(&mut report, &import);
            let AccountsImport { mut accounts, rejected, rows, .. } = import;
            if spec.accounts_outside == AccountsOutside::Drop {
                accounts.retain(|a| a.unit.is_some());
                for (i, a) in accounts.iter_mut().enumerate() {
                    a.id = crate::model::ids::AccountId(i as u32);
                }
                report.accounts = accounts.len();
                report.outside_dropped = true;
            }
            accept(&rejected, spec.accept_good_rows, &table, rows, accounts)?
        }
        None => Vec::new(),
    };
    check_cancel(progress, 0.95)?;

    let mut project = Project::new(spec.name.clone(), units, accounts, reps);
    project.settings = settings;
    let palette = crate::model::palette::territory_palette(project.reps.len().max(12));
    match &spec.alignment {
        Some(path) => {
            let table = read_csv(path)?;
            let AlignmentImport { scenario, rejected, unmentioned_units } = alignment::build(&table, &project, ALIGNMENT_SCENARIO, &palette)?;
            report.rejected_alignment = rejected.clone();
            let mut scenario = accept(&rejected, spec.accept_good_rows, &table, table.rows.len(), scenario)?;
            let neighbours = crate::spatial::rook_neighbours(&project.units);
            recolour_neighbours(&mut scenario, &neighbours);
            report.territories = scenario.territories.len();
            report.unassigned_units = unmentioned_units;
            add_scenario(&mut project, scenario);
        }
        None => {
            let id = project.add_blank_scenario(BLANK_SCENARIO, &palette).map_err(|e| ImportError::file(&PathBuf::from(&spec.name), e.to_string()))?;
            project.baseline = id;
            report.territories = project.reps.len();
            report.unassigned_units = project.units.len();
        }
    }
    project.validate().map_err(|e| ImportError::file(&PathBuf::from(&spec.name), format!("internal: the new project is inconsistent ({e})")))?;
    check_cancel(progress, 1.0)?;
    Ok((project, report))
}

fn describe_accounts(report: &mut ImportReport, import: &AccountsImport) {
    report.accounts = import.accounts.len();
    report.account_rows = import.rows;
    report.rejected_accounts = import.rejected.clone();
    report.account_warnings = import.warnings.clone();
    report.account_notes = import.notes.clone();
    report.outside = import
        .outside
        .iter()
        .map(|&i| &import.accounts[i])
        .map(|a| OutsideAccount { external_id: a.external_id.clone(), name: a.name.clone(), location: a.location, potential: a.potential })
        .collect();
}

/// Adds an imported scenario to the project under the next id and makes it the
/// baseline if the project had none.
fn add_scenario(project: &mut Project, mut scenario: crate::model::scenario::Scenario) -> crate::model::ids::ScenarioId {
    let id = crate::model::ids::ScenarioId(project.next_scenario_id);
    project.next_scenario_id += 1;
    scenario.id = id;
    let first = project.scenarios.is_empty();
    project.scenarios.push(scenario);
    if first {
        project.baseline = id;
    }
    id
}

/// Gives territories that share a border different colours.
pub fn recolour_neighbours(scenario: &mut crate::model::scenario::Scenario, unit_neighbours: &[Vec<u32>]) {
    for (id, colour) in crate::model::palette::distinct_colours(scenario, unit_neighbours) {
        if let Some(t) = scenario.territory_mut(id) {
            t.color = colour;
        }
    }
}

/// Reads an alignment CSV as a scenario for `project` (named after `name`, numbered if
/// taken, under the project's next scenario id), without adding it: the app adds it as
/// an undoable edit. Rejected rows fail the import unless `accept_good_rows`.
pub fn read_alignment(project: &Project, path: &std::path::Path, name: &str, accept_good_rows: bool) -> Result<AlignmentImport, ImportError> {
    let table = read_csv(path)?;
    let name = project.unused_scenario_name(name);
    let palette = crate::model::palette::territory_palette(project.reps.len().max(12));
    let mut import = alignment::build(&table, project, &name, &palette)?;
    accept(&import.rejected, accept_good_rows, &table, table.rows.len(), ())?;
    import.scenario.id = project.next_scenario(&name).id;
    Ok(import)
}

/// Imports an alignment CSV into an existing project as a new scenario (see
/// `read_alignment`).
pub fn import_alignment(
    project: &mut Project,
    path: &std::path::Path,
    name: &str,
    accept_good_rows: bool,
) -> Result<(crate::model::ids::ScenarioId, AlignmentImport), ImportError> {
    let import = read_alignment(project, path, name, accept_good_rows)?;
    let id = project.insert_scenario(import.scenario.clone()).map_err(|e| ImportError::file(path, e.to_string()))?;
    Ok((id, import))
}
