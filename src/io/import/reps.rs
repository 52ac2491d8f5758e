//! Reps from CSV: name, home base (lat/lon or a ZIP), capacity, experience, role.

use super::accounts::normalize_zip;
use super::columns::CsvTable;
use super::{ImportError, RowIssue};
use crate::model::entities::{LonLat, Rep, RepRole, Unit};
use crate::model::ids::RepId;
use crate::model::settings::Settings;
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub struct RepsImport {
    pub reps: Vec<Rep>,
    pub rejected: Vec<RowIssue>,
}

/// Column names that hold a sales region (in the reps and the alignment file).
pub const REGION_COLUMNS: &[&str] = &["region", "sales_region", "region_name", "area", "district", "division"];

pub fn build(table: &CsvTable, units: &[Unit], settings: &Settings) -> Result<RepsImport, ImportError> {
    let name_col = table.guess(&["name", "rep", "rep_name", "sales_rep", "full_name", "owner"]).ok_or_else(|| {
        ImportError::file(&table.source, format!("no column names the reps (expected 'name' or 'rep'; columns: {})", table.headers.join(", ")))
    })?;
    let lat_col = table.guess(&["home_lat", "lat", "latitude"]);
    let lon_col = table.guess(&["home_lon", "lon", "lng", "long", "longitude"]);
    let zip_col = table.guess(&["home_zip", "zip", "zipcode", "zip_code", "postal_code", "base_zip"]);
    if (lat_col.is_none() || lon_col.is_none()) && zip_col.is_none() {
        return Err(ImportError::file(
            &table.source,
            format!("no home base: add 'lat' and 'lon' columns or a 'zip' column (columns: {})", table.headers.join(", ")),
        ));
    }
    let capacity_col = table.guess(&["capacity", "capacity_hours", "hours", "selling_hours"]);
    let experience_col = table.guess(&["experience", "seniority", "level"]);
    let role_col = table.guess(&["role", "type"]);
    let region_col = table.guess(REGION_COLUMNS);
    let unit_by_code: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let mut out = RepsImport::default();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (line, cells) in &table.rows {
        let issue = |c: usize, why: &str| RowIssue { row: *line, column: table.headers[c].clone(), value: cells[c].clone(), why: why.into() };
        let number = |c: Option<usize>| c.map(|c| table.number(&cells[c]).map_err(|why| issue(c, &why.to_string()))).transpose().map(Option::flatten);
        let name = cells[name_col].trim().to_string();
        if name.is_empty() {
            out.rejected.push(issue(name_col, "a rep needs a name"));
            continue;
        }
        if let Some(first) = names.get(&name.to_lowercase()) {
            out.rejected.push(issue(name_col, &format!("the same name as line {first}")));
            continue;
        }
        let row = (|| -> Result<Rep, RowIssue> {
            let lat = number(lat_col)?;
            let lon = number(lon_col)?;
            let home = match (lat, lon) {
                (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => LonLat::new(lon, lat),
                (Some(_), Some(_)) => return Err(issue(lat_col.unwrap_or(name_col), "latitude/longitude out of range")),
                _ => {
                    let zip = zip_col.map(|c| normalize_zip(&cells[c])).unwrap_or_default();
                    match unit_by_code.get(zip.as_str()) {
                        Some(u) => u.centroid,
                        None => return Err(issue(zip_col.or(lat_col).unwrap_or(name_col), "no home base: give lat/lon or a ZIP among the units")),
                    }
                }
            };
            let capacity_hours = number(capacity_col)?.unwrap_or(settings.default_capacity_hours);
            if capacity_hours <= 0.0 {
                return Err(issue(capacity_col.unwrap_or(name_col), "capacity must be more than 0 hours"));
            }
            let experience = match experience_col.map(|c| cells[c].trim().to_lowercase()) {
                None => settings.junior_experience,
                Some(t) if t.is_empty() || t == "junior" => settings.junior_experience,
                Some(t) if t == "senior" => settings.senior_experience,
                Some(_) => number(experience_col)?.unwrap_or(settings.junior_experience),
            };
            let role = match role_col.map(|c| cells[c].trim().to_lowercase()) {
                Some(r) if r.contains("farm") || r.contains("account manager") => RepRole::Farmer,
                _ => RepRole::Hunter,
            };
            Ok(Rep { id: RepId(out.reps.len() as u32), name: name.clone(), home, capacity_hours, experience, role, region: region_col.map(|c| cells[c].trim()).filter(|r| !r.is_empty()).map(str::to_string) })
        })();
        match row {
            Ok(rep) => {
                names.insert(name.to_lowercase(), *line);
                out.reps.push(rep);
            }
            Err(issue) => out.rejected.push(issue),
        }
    }
    if out.reps.is_empty() && out.rejected.is_empty() {
        return Err(ImportError::file(&table.source, "no reps in the file"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::columns::parse_csv;
    use std::path::Path;

    #[test]
    fn reads_reps_with_zip_or_coordinates() {
        let table = parse_csv(
            b"Rep,Home ZIP,Lat,Lon,Capacity,Experience\nAnn,,40.1,-75.2,1400,senior\nBob,8001,,,,\nCat,99999,,,,\n,,,,,\nAnn,,40,-75,,\n",
            Path::new("reps.csv"),
        )
        .unwrap();
        let geometry = geo::MultiPolygon::new(vec![]);
        let units = vec![Unit {
            id: crate::model::ids::UnitId(0),
            code: "08001".into(),
            name: "x".into(),
            geometry,
            centroid: LonLat::new(-75.0, 39.9),
            area_km2: 1.0,
            attributes: Default::default(),
        }];
        let import = build(&table, &units, &Settings::default()).unwrap();
        let names: Vec<&str> = import.reps.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Ann", "Bob"]);
        assert_eq!(import.reps[0].experience, 1.5);
        assert_eq!(import.reps[0].capacity_hours, 1400.0);
        assert_eq!(import.reps[1].home, LonLat::new(-75.0, 39.9));
        assert_eq!(import.reps[1].capacity_hours, 1500.0);
        let rows: Vec<usize> = import.rejected.iter().map(|r| r.row).collect();
        assert_eq!(rows, [4, 6]);
    }
}
