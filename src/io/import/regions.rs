//! Regions of a scenario's territories from CSV: `territory,region` (a rep's name may
//! stand for the rep's territory). A blank region takes the territory out of its
//! region. The result is one undoable command.

use super::columns::CsvTable;
use super::{ImportError, RowIssue};
use crate::model::command::Command;
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;

/// What the file asks for: one command (a batch of region changes) and the rows that
/// could not be used.
#[derive(Clone, Debug)]
pub struct RegionsImport {
    pub command: Command,
    /// Territories whose region changes.
    pub changed: usize,
    pub rejected: Vec<RowIssue>,
}

pub fn build(table: &CsvTable, project: &Project, scenario: &Scenario) -> Result<RegionsImport, ImportError> {
    let territory_col = table
        .guess(&["territory", "territory_name", "rep", "rep_name", "name"])
        .ok_or_else(|| ImportError::file(&table.source, format!("no territory column (expected 'territory' or 'rep'; columns: {})", table.headers.join(", "))))?;
    let region_col = table
        .guess(super::reps::REGION_COLUMNS)
        .filter(|c| *c != territory_col)
        .ok_or_else(|| ImportError::file(&table.source, format!("no region column (expected 'region'; columns: {})", table.headers.join(", "))))?;
    let find = |name: &str| -> Option<TerritoryId> {
        scenario.territory_by_name(name).map(|t| t.id).or_else(|| {
            let rep = project.reps.iter().find(|r| r.name.trim().eq_ignore_ascii_case(name))?;
            scenario.territory_of_rep(rep.id).map(|t| t.id)
        })
    };
    let mut seen: Vec<(TerritoryId, usize)> = Vec::new();
    let mut commands = Vec::new();
    let mut rejected = Vec::new();
    for (line, cells) in &table.rows {
        let issue = |why: String| RowIssue { row: *line, column: table.headers[territory_col].clone(), value: cells[territory_col].clone(), why };
        let name = cells[territory_col].trim();
        let Some(id) = find(name) else {
            rejected.push(issue(format!("no territory or rep of that name in '{}'", scenario.name)));
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(t, _)| *t == id) {
            rejected.push(issue(format!("the same territory as line {first}")));
            continue;
        }
        seen.push((id, *line));
        let region = cells[region_col].trim();
        let region = (!region.is_empty()).then(|| region.to_string());
        if scenario.territory(id).is_some_and(|t| t.region != region) {
            commands.push(Command::set_region(&[id], region.as_deref()));
        }
    }
    if seen.is_empty() {
        return Err(ImportError::file(
            &table.source,
            format!("no row names a territory of '{}'{}", scenario.name, rejected.first().map(|r| format!(" (first: {r})")).unwrap_or_default()),
        ));
    }
    let changed = commands.len();
    let label = format!("Set the regions of {changed} territories from {}", table.source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    Ok(RegionsImport { command: Command::Batch { label, commands }, changed, rejected })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;
    use crate::io::import::columns::parse_csv;
    use std::path::Path;

    #[test]
    fn names_territories_or_reps_and_reports_unknown_ones() {
        let project = grid_project(6, 4, 0.1, 50, 4, 1);
        let scenario = project.scenarios[0].clone();
        let names: Vec<String> = scenario.territories.iter().map(|t| t.name.clone()).collect();
        let rep1 = project.reps[scenario.territories[1].rep.unwrap().index()].name.clone();
        let csv = format!("territory,region\n{},North\n{rep1},South\nNowhere,East\n{},West\n", names[0], names[0]);
        let table = parse_csv(csv.as_bytes(), Path::new("regions.csv")).unwrap();
        let import = build(&table, &project, &scenario).unwrap();
        assert_eq!(import.changed, 2);
        let why: Vec<String> = import.rejected.iter().map(|r| r.to_string()).collect();
        assert!(why[0].contains("line 4") && why[0].contains("no territory or rep"), "{why:?}");
        assert!(why[1].contains("line 5") && why[1].contains("the same territory as line 2"), "{why:?}");
        let mut project = project;
        project.apply_command(scenario.id, import.command).unwrap();
        let regions: Vec<Option<&str>> = project.scenarios[0].territories.iter().map(|t| t.region.as_deref()).collect();
        assert_eq!(regions, [Some("North"), Some("South"), None, None]);
        let none = parse_csv(b"territory,region\nNowhere,East\n", Path::new("r.csv")).unwrap();
        assert!(build(&none, &project, &project.scenarios[0].clone()).unwrap_err().to_string().contains("no row names a territory"));
    }
}
