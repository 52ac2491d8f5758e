//! An existing alignment (ZIP,territory[,rep]) from CSV, as a new scenario.

use super::accounts::normalize_zip;
use super::columns::CsvTable;
use super::{ImportError, RowIssue};
use crate::model::entities::Rgb;
use crate::model::ids::{RepId, TerritoryId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct AlignmentImport {
    /// The scenario, not yet in the project (its id is set when added).
    pub scenario: Scenario,
    pub rejected: Vec<RowIssue>,
    /// Units the file does not mention: left unassigned.
    pub unmentioned_units: usize,
}

/// Reads `ZIP,territory[,rep]` rows into a scenario over the project's units. Territories
/// come in order of first appearance; a rep column names the territory's rep.
pub fn build(table: &CsvTable, project: &Project, name: &str, palette: &[Rgb]) -> Result<AlignmentImport, ImportError> {
    let zip_col = table
        .guess(&["zip", "zcta", "zipcode", "zip_code", "unit", "code", "geoid", "postal_code"])
        .ok_or_else(|| ImportError::file(&table.source, format!("no ZIP column (expected 'zip' or 'unit'; columns: {})", table.headers.join(", "))))?;
    let territory_col = table
        .guess(&["territory", "territory_name", "region", "area"])
        .ok_or_else(|| ImportError::file(&table.source, format!("no territory column (expected 'territory'; columns: {})", table.headers.join(", "))))?;
    let rep_col = table.guess(&["rep", "rep_name", "owner", "sales_rep"]);
    // A region column beside the territory column (a file of ZIP,region only names
    // territories by region: that column is the territory one).
    let region_col = table.guess(super::reps::REGION_COLUMNS).filter(|c| *c != territory_col);
    let unit_by_code: HashMap<&str, usize> = project.units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect();
    let rep_by_name: HashMap<String, RepId> = project.reps.iter().map(|r| (r.name.trim().to_lowercase(), r.id)).collect();
    let mut scenario = Scenario::new(crate::model::ids::ScenarioId(0), name, project.units.len());
    let mut territory_of: HashMap<String, TerritoryId> = HashMap::new();
    let mut first_line: Vec<Option<usize>> = vec![None; project.units.len()];
    let mut rejected = Vec::new();
    for (line, cells) in &table.rows {
        let issue = |c: usize, why: String| RowIssue { row: *line, column: table.headers[c].clone(), value: cells[c].clone(), why };
        let zip = normalize_zip(&cells[zip_col]);
        let Some(&unit) = unit_by_code.get(zip.as_str()) else {
            rejected.push(issue(zip_col, "not a unit of this project".into()));
            continue;
        };
        let territory_name = cells[territory_col].trim();
        if territory_name.is_empty() {
            rejected.push(issue(territory_col, "no territory named".into()));
            continue;
        }
        let rep = match rep_col.map(|c| cells[c].trim()) {
            Some(r) if !r.is_empty() => match rep_by_name.get(&r.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    rejected.push(issue(rep_col.unwrap_or(zip_col), "no rep of that name in the project".into()));
                    continue;
                }
            },
            _ => None,
        };
        if let Some(first) = first_line[unit] {
            let existing = scenario.unit_territory[unit].and_then(|t| scenario.territory(t)).map(|t| t.name.clone()).unwrap_or_default();
            if !existing.eq_ignore_ascii_case(territory_name) {
                rejected.push(issue(zip_col, format!("already in territory '{existing}' on line {first}")));
            }
            continue;
        }
        let key = territory_name.to_lowercase();
        let territory = match territory_of.get(&key) {
            Some(t) => *t,
            None => {
                let n = scenario.territories.len();
                let color = palette.get(n % palette.len().max(1)).copied().unwrap_or(Rgb(128, 128, 128));
                let t = scenario.push_territory(territory_name, color, rep);
                territory_of.insert(key, t);
                t
            }
        };
        if let (Some(rep), Some(t)) = (rep, scenario.territory_mut(territory)) {
            if t.rep.is_none() {
                t.rep = Some(rep);
            } else if t.rep != Some(rep) {
                rejected.push(issue(rep_col.unwrap_or(zip_col), format!("territory '{territory_name}' already has another rep")));
                continue;
            }
        }
        let region = region_col.map(|c| cells[c].trim()).filter(|r| !r.is_empty());
        if let (Some(region), Some(t)) = (region, scenario.territory_mut(territory)) {
            match &t.region {
                None => t.region = Some(region.to_string()),
                Some(other) if !other.eq_ignore_ascii_case(region) => {
                    let why = format!("territory '{territory_name}' is already in region '{other}'");
                    rejected.push(issue(region_col.unwrap_or(zip_col), why));
                    continue;
                }
                Some(_) => {}
            }
        }
        scenario.unit_territory[unit] = Some(territory);
        first_line[unit] = Some(*line);
    }
    if scenario.territories.is_empty() {
        return Err(ImportError::file(
            &table.source,
            format!("no row names a ZIP of this project{}", rejected.first().map(|r: &RowIssue| format!(" (first: {r})")).unwrap_or_default()),
        ));
    }
    if region_col.is_none() {
        for t in &mut scenario.territories {
            t.region = t.rep.and_then(|r| project.reps.get(r.index())).and_then(|r| r.region.clone());
        }
    }
    let unmentioned_units = first_line.iter().filter(|l| l.is_none()).count();
    Ok(AlignmentImport { scenario, rejected, unmentioned_units })
}
