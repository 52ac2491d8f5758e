//! Accounts from a CRM export (CSV): a column mapping (guessed, then adjustable), tolerant
//! parsing, a per-row report of what was rejected and why, and accounts outside every
//! unit listed rather than dropped.

use super::columns::CsvTable;
use super::{ImportError, RowIssue};
use crate::model::entities::{Account, LonLat, Rep, Tier, Unit};
use crate::model::ids::{AccountId, RepId};
use crate::spatial::UnitIndex;
use std::collections::{BTreeMap, HashMap};

/// The account fields a column can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccountField {
    Id,
    Name,
    Latitude,
    Longitude,
    Zip,
    Potential,
    Revenue,
    Tier,
    Visits,
    Owner,
    Industry,
    Relationship,
    Named,
    Activity,
    Pipeline,
}

impl AccountField {
    pub const ALL: [AccountField; 15] = [
        Self::Id,
        Self::Name,
        Self::Latitude,
        Self::Longitude,
        Self::Zip,
        Self::Potential,
        Self::Revenue,
        Self::Tier,
        Self::Visits,
        Self::Owner,
        Self::Industry,
        Self::Relationship,
        Self::Named,
        Self::Activity,
        Self::Pipeline,
    ];

    /// The name used in `--map FIELD=COLUMN`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Name => "name",
            Self::Latitude => "lat",
            Self::Longitude => "lon",
            Self::Zip => "zip",
            Self::Potential => "potential",
            Self::Revenue => "revenue",
            Self::Tier => "tier",
            Self::Visits => "visits",
            Self::Owner => "owner",
            Self::Industry => "industry",
            Self::Relationship => "relationship",
            Self::Named => "named",
            Self::Activity => "activity",
            Self::Pipeline => "pipeline",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Id => "Account id",
            Self::Name => "Name",
            Self::Latitude => "Latitude",
            Self::Longitude => "Longitude",
            Self::Zip => "ZIP (placed at its centre)",
            Self::Potential => "Potential",
            Self::Revenue => "Revenue",
            Self::Tier => "Tier",
            Self::Visits => "Visits per year",
            Self::Owner => "Owner (rep name)",
            Self::Industry => "Industry",
            Self::Relationship => "Relationship (0-1)",
            Self::Named => "Named account (yes/no)",
            Self::Activity => "Activity (contacted: count, yes/no or last date)",
            Self::Pipeline => "Open pipeline",
        }
    }

    /// Column names that usually hold this field, most specific first.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::Id => &["account_id", "accountid", "account id", "crm_id", "external_id", "id", "ncesid", "record_id"],
            Self::Name => &["account_name", "account", "company", "name", "customer"],
            Self::Latitude => &["lat", "latitude", "y", "lat_dd"],
            Self::Longitude => &["lon", "lng", "long", "longitude", "x", "lon_dd"],
            Self::Zip => &["zip", "zipcode", "zip_code", "postal_code", "postalcode", "postcode", "zcta"],
            Self::Potential => &["potential", "annual_potential", "opportunity", "tam", "wallet"],
            Self::Revenue => &["revenue", "arr", "annual_revenue", "sales", "bookings"],
            Self::Tier => &["tier", "segment", "account_tier"],
            Self::Visits => &["visits", "visits_per_year", "visit_frequency", "calls_per_year"],
            Self::Owner => &["owner", "account_owner", "rep", "sales_rep", "owner_name"],
            Self::Industry => &["industry", "vertical", "sector"],
            Self::Relationship => &["relationship", "relationship_strength"],
            Self::Named => &["named", "named_account"],
            Self::Activity => &["activities", "activity", "activity_count", "contacted", "touches", "last_activity", "last_activity_date", "last_contact", "last_contacted"],
            Self::Pipeline => &["pipeline", "open_pipeline", "pipeline_amount", "open_opportunities", "opportunity_amount"],
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        let key = key.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|f| f.key() == key).or(match key.as_str() {
            "latitude" => Some(Self::Latitude),
            "longitude" | "lng" => Some(Self::Longitude),
            "visits_per_year" => Some(Self::Visits),
            _ => None,
        })
    }
}

/// Which column feeds which field; other numeric columns become attributes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountMapping {
    pub columns: BTreeMap<AccountField, usize>,
    pub attributes: Vec<usize>,
}

impl AccountMapping {
    /// Guesses every field from the column names; numeric columns left over become
    /// attributes.
    pub fn guess(table: &CsvTable) -> Self {
        let mut mapping = Self::default();
        for field in AccountField::ALL {
            if let Some(c) = table.guess(field.synonyms()) {
                if !mapping.columns.values().any(|&used| used == c) {
                    mapping.columns.insert(field, c);
                }
            }
        }
        mapping.refresh_attributes(table);
        mapping
    }

    pub fn column(&self, field: AccountField) -> Option<usize> {
        self.columns.get(&field).copied()
    }

    /// Maps a field to a column (or to none), keeping one field per column.
    pub fn set(&mut self, table: &CsvTable, field: AccountField, column: Option<usize>) {
        match column {
            Some(c) => {
                self.columns.retain(|_, used| *used != c);
                self.columns.insert(field, c);
            }
            None => {
                self.columns.remove(&field);
            }
        }
        self.refresh_attributes(table);
    }

    /// Applies `FIELD=COLUMN` overrides (e.g. `potential=ENROLLMENT`); `FIELD=` leaves
    /// the field without a column (e.g. `owner=` when the guessed column is not a rep).
    pub fn apply_overrides(&mut self, table: &CsvTable, overrides: &[String]) -> Result<(), ImportError> {
        for spec in overrides {
            let (field, column) = spec.split_once('=').ok_or_else(|| ImportError::file(&table.source, format!("--map '{spec}' is not FIELD=COLUMN")))?;
            let field = AccountField::from_key(field).ok_or_else(|| {
                let keys: Vec<&str> = AccountField::ALL.iter().map(|f| f.key()).collect();
                ImportError::file(&table.source, format!("--map '{spec}': unknown field '{field}' (fields: {})", keys.join(", ")))
            })?;
            if column.trim().is_empty() {
                self.set(table, field, None);
                continue;
            }
            let c = table.column(column.trim()).ok_or_else(|| {
                ImportError::file(&table.source, format!("--map '{spec}': there is no column '{}' (columns: {})", column.trim(), table.headers.join(", ")))
            })?;
            self.set(table, field, Some(c));
        }
        Ok(())
    }

    fn refresh_attributes(&mut self, table: &CsvTable) {
        let used: Vec<usize> = self.columns.values().copied().collect();
        self.attributes = (0..table.headers.len())
            .filter(|&c| !used.contains(&c) && !table.headers[c].is_empty() && !super::looks_like_identifier(&table.headers[c]) && table.is_numeric(c))
            .filter(|&c| !holds_codes(table, c))
            .collect();
    }
}

/// The outcome of reading accounts: what will be imported and what was not.
#[derive(Clone, Debug, Default)]
pub struct AccountsImport {
    pub accounts: Vec<Account>,
    /// Data rows in the file.
    pub rows: usize,
    /// Rows not imported, with the reason.
    pub rejected: Vec<RowIssue>,
    /// Rows imported with a caveat (unknown owner, tier or flag left at its default).
    pub warnings: Vec<RowIssue>,
    /// Indexes (into `accounts`) of accounts inside no unit: imported, in no territory.
    pub outside: Vec<usize>,
    /// File-level notes (e.g. a field no column feeds, and the default used).
    pub notes: Vec<String>,
}

impl AccountsImport {
    /// Fails with the row report unless every row was good or `accept_good_rows`.
    pub fn require(self, accept_good_rows: bool, table: &CsvTable) -> Result<Self, ImportError> {
        if self.rejected.is_empty() || accept_good_rows {
            Ok(self)
        } else {
            Err(ImportError::Rows { path: table.source.clone(), rows: self.rows, issues: self.rejected })
        }
    }
}

/// Whether a column holds codes rather than quantities: digits with leading zeros
/// (`01001`, `0600`) in most of its cells.
fn holds_codes(table: &CsvTable, column: usize) -> bool {
    let (mut codes, mut values) = (0, 0);
    for (_, row) in table.rows.iter().take(2000) {
        let cell = row[column].as_str();
        if cell.is_empty() {
            continue;
        }
        values += 1;
        if cell.len() > 1 && cell.starts_with('0') && cell.chars().all(|c| c.is_ascii_digit()) {
            codes += 1;
        }
    }
    values > 0 && codes * 5 >= values
}

/// Visits per year by tier when no column says.
fn default_visits(tier: Tier) -> f64 {
    match tier {
        Tier::Strategic => 6.0,
        Tier::MidMarket => 2.0,
        Tier::Smb => 0.5,
    }
}

fn parse_tier(text: &str) -> Option<Tier> {
    match text.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
        "strategic" | "enterprise" | "key" | "a" | "tier1" | "1" => Some(Tier::Strategic),
        "midmarket" | "mid" | "commercial" | "b" | "tier2" | "2" => Some(Tier::MidMarket),
        "smb" | "small" | "smallbusiness" | "c" | "tier3" | "3" => Some(Tier::Smb),
        _ => None,
    }
}

/// Whether an activity cell says the account was contacted: a count above 0, a yes/no
/// flag, or a date (of the last activity); blank is not contacted. `None`: unreadable.
fn parse_activity(text: &str) -> Option<bool> {
    let t = text.trim();
    if let Some(flag) = parse_flag(t) {
        return Some(flag);
    }
    if let Ok(n) = t.replace(',', "").parse::<f64>() {
        return Some(n > 0.0);
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let looks_like_date = digits >= 4 && t.chars().all(|c| c.is_ascii_alphanumeric() || " -/.:,T".contains(c));
    looks_like_date.then_some(true)
}

fn parse_flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "yes" | "y" | "true" | "1" | "x" => Some(true),
        _ => None,
    }
}

/// Builds accounts from the table. Locations come from lat/lon, or else from a ZIP
/// column (the unit's interior point). `first_id` is the id of the first new account.
pub fn build(
    table: &CsvTable,
    mapping: &AccountMapping,
    units: &[Unit],
    index: &UnitIndex,
    reps: &[Rep],
    first_id: usize,
) -> Result<AccountsImport, ImportError> {
    if mapping.columns.values().chain(&mapping.attributes).any(|&c| c >= table.headers.len()) {
        return Err(ImportError::file(&table.source, "the column mapping does not fit this file (did it change since it was read?); read it again"));
    }
    // A column guessed as the owner that names no rep at all (e.g. `owner` holding
    // "PROPRIETARY") is not an owner column: say so once instead of once per row.
    let owner_column = mapping.column(AccountField::Owner);
    let mut owner_note = None;
    if let Some(c) = owner_column.filter(|_| !reps.is_empty()) {
        let mut values = table.rows.iter().map(|(_, cells)| cells[c].trim()).filter(|v| !v.is_empty());
        let first = values.clone().next();
        if let Some(first) = first {
            if !values.any(|v| reps.iter().any(|r| r.name.trim().eq_ignore_ascii_case(v))) {
                owner_note = Some(format!(
                    "column '{}' names no rep (e.g. '{first}'): accounts imported without an owner; map another column with --map owner=COLUMN, or none with --map owner=",
                    table.headers[c]
                ));
            }
        }
    }
    let mut mapping_without_owner = None;
    let mapping = if owner_note.is_some() {
        let mut without = mapping.clone();
        without.columns.remove(&AccountField::Owner);
        &*mapping_without_owner.insert(without)
    } else {
        mapping
    };
    let col = |f: AccountField| mapping.column(f);
    let has_coordinates = col(AccountField::Latitude).is_some() && col(AccountField::Longitude).is_some();
    if !has_coordinates && col(AccountField::Zip).is_none() {
        return Err(ImportError::file(
            &table.source,
            format!("no column gives a location: map latitude and longitude, or a ZIP column (columns: {})", table.headers.join(", ")),
        ));
    }
    let mut out = AccountsImport { rows: table.rows.len(), ..Default::default() };
    for (field, default) in [
        (AccountField::Potential, "0"),
        (AccountField::Revenue, "0"),
        (AccountField::Tier, "SMB"),
        (AccountField::Visits, "by tier: strategic 6, mid-market 2, SMB 0.5"),
    ] {
        if col(field).is_none() {
            out.notes.push(format!("no column for {}: {default} for every account", field.label().to_lowercase()));
        }
    }
    if table.rows.is_empty() {
        out.notes.insert(0, "the file has a header row and no data rows: no accounts were imported; export it again with its rows".into());
    }
    out.notes.extend(table.number_note());
    out.notes.extend(owner_note);
    let unit_by_code: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect();
    let rep_by_name: HashMap<String, RepId> = reps.iter().map(|r| (r.name.trim().to_lowercase(), r.id)).collect();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();

    for (line, cells) in &table.rows {
        let line = *line;
        let text = |f: AccountField| col(f).map(|c| cells[c].as_str()).unwrap_or("");
        let issue = |f: AccountField, why: &str| RowIssue {
            row: line,
            column: col(f).map(|c| table.headers[c].clone()).unwrap_or_default(),
            value: text(f).to_string(),
            why: why.to_string(),
        };
        let mut rejected: Option<RowIssue> = None;
        let number = |f: AccountField, rejected: &mut Option<RowIssue>| -> Option<f64> {
            match table.number(text(f)) {
                Ok(v) => v,
                Err(why) => {
                    rejected.get_or_insert(issue(f, &why.to_string()));
                    None
                }
            }
        };
        let potential = number(AccountField::Potential, &mut rejected).unwrap_or(0.0);
        let revenue = number(AccountField::Revenue, &mut rejected).unwrap_or(0.0);
        let visits = number(AccountField::Visits, &mut rejected);
        let relationship = number(AccountField::Relationship, &mut rejected);
        let pipeline = col(AccountField::Pipeline).map(|_| number(AccountField::Pipeline, &mut rejected).unwrap_or(0.0));
        if pipeline.is_some_and(|p| p < 0.0) {
            rejected.get_or_insert(issue(AccountField::Pipeline, "pipeline cannot be negative"));
        }
        let lat = number(AccountField::Latitude, &mut rejected);
        let lon = number(AccountField::Longitude, &mut rejected);
        if potential < 0.0 {
            rejected.get_or_insert(issue(AccountField::Potential, "potential cannot be negative"));
        }
        if visits.is_some_and(|v| v < 0.0) {
            rejected.get_or_insert(issue(AccountField::Visits, "visits cannot be negative"));
        }

        let zip_text = text(AccountField::Zip);
        let zip = normalize_zip(zip_text);
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && !(lat == 0.0 && lon == 0.0) => {
                Some(LonLat::new(lon, lat))
            }
            (Some(lat), Some(_)) if !(-90.0..=90.0).contains(&lat) => {
                rejected.get_or_insert(issue(AccountField::Latitude, "latitude must be between -90 and 90 (are latitude and longitude swapped?)"));
                None
            }
            (Some(_), Some(lon)) if !(-180.0..=180.0).contains(&lon) => {
                rejected.get_or_insert(issue(AccountField::Longitude, "longitude must be between -180 and 180"));
                None
            }
            _ => None,
        };
        let location = location.or_else(|| unit_by_code.get(zip.as_str()).map(|&u| units[u].centroid));
        if location.is_none() && rejected.is_none() {
            rejected = Some(if !zip.is_empty() {
                issue(AccountField::Zip, "no coordinates, and this ZIP is not among the units")
            } else {
                RowIssue {
                    row: line,
                    column: col(AccountField::Latitude).map(|c| table.headers[c].clone()).unwrap_or_else(|| "ZIP".into()),
                    value: String::new(),
                    why: "no coordinates and no ZIP: the account cannot be placed".into(),
                }
            });
        }

        let external_id = match text(AccountField::Id) {
            "" => format!("row-{line}"),
            id => id.to_string(),
        };
        if let Some(first) = seen_ids.get(&external_id) {
            rejected.get_or_insert(issue(AccountField::Id, &format!("the same id as line {first}")));
        }
        if let Some(r) = rejected {
            out.rejected.push(r);
            continue;
        }
        seen_ids.insert(external_id.clone(), line);

        let tier = match text(AccountField::Tier) {
            "" => Tier::Smb,
            t => parse_tier(t).unwrap_or_else(|| {
                out.warnings.push(issue(AccountField::Tier, "unknown tier (use Strategic, Mid-market or SMB); SMB used"));
                Tier::Smb
            }),
        };
        let owner = match text(AccountField::Owner) {
            "" => None,
            name => rep_by_name.get(&name.trim().to_lowercase()).copied().or_else(|| {
                if !reps.is_empty() {
                    out.warnings.push(issue(AccountField::Owner, "no rep of that name; imported without an owner"));
                }
                None
            }),
        };
        let named = parse_flag(text(AccountField::Named)).unwrap_or_else(|| {
            out.warnings.push(issue(AccountField::Named, "not yes/no; not a named account"));
            false
        });
        let contacted = col(AccountField::Activity).map(|_| {
            parse_activity(text(AccountField::Activity)).unwrap_or_else(|| {
                out.warnings.push(issue(AccountField::Activity, "not a count, yes/no or date; counted as not contacted"));
                false
            })
        });
        let Some(location) = location else { continue };
        let unit = index.locate(units, location).or_else(|| unit_by_code.get(zip.as_str()).map(|&u| units[u].id));
        let attributes = mapping.attributes.iter().filter_map(|&c| table.number(&cells[c]).ok().flatten().map(|v| (table.headers[c].clone(), v))).collect();
        let name = match text(AccountField::Name) {
            "" => external_id.clone(),
            n => n.to_string(),
        };
        if unit.is_none() {
            out.outside.push(out.accounts.len());
        }
        out.accounts.push(Account {
            id: AccountId((first_id + out.accounts.len()) as u32),
            external_id,
            name,
            location,
            unit,
            potential,
            revenue,
            tier,
            visits_per_year: visits.unwrap_or_else(|| default_visits(tier)),
            industry: text(AccountField::Industry).to_string(),
            owner,
            relationship: relationship.map(|r| if r > 1.0 { r / 100.0 } else { r }).unwrap_or(0.0).clamp(0.0, 1.0),
            named,
            attributes,
            contacted,
            pipeline,
        });
    }
    Ok(out)
}

/// A ZIP as the units know it: ZIP+4 cut to five digits, lost leading zeros restored.
pub fn normalize_zip(text: &str) -> String {
    let t = text.trim();
    let t = t.split(['-', ' ']).next().unwrap_or(t);
    let t = t.strip_suffix(".0").unwrap_or(t);
    if !t.is_empty() && t.len() < 5 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{t:0>5}")
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::columns::parse_csv;
    use crate::model::ids::UnitId;
    use std::path::Path;

    fn unit(code: &str, x: f64) -> Unit {
        let geometry = geo::MultiPolygon::new(vec![geo::Polygon::new(vec![(x, 40.0), (x + 1.0, 40.0), (x + 1.0, 41.0), (x, 41.0), (x, 40.0)].into(), vec![])]);
        Unit {
            id: UnitId(0),
            code: code.into(),
            name: code.into(),
            geometry,
            centroid: LonLat::new(x + 0.5, 40.5),
            area_km2: 1.0,
            attributes: Default::default(),
        }
    }

    fn run(csv: &str) -> (CsvTable, AccountsImport) {
        let mut units = vec![unit("08001", -75.0), unit("08002", -74.0)];
        units[1].id = UnitId(1);
        let index = UnitIndex::new(&units);
        let table = parse_csv(csv.as_bytes(), Path::new("crm.csv")).unwrap();
        let mapping = AccountMapping::guess(&table);
        let import = build(&table, &mapping, &units, &index, &[], 0).unwrap();
        (table, import)
    }

    #[test]
    fn places_by_coordinates_or_zip_and_reports_bad_rows() {
        let (table, import) = run("Account ID,Company,Latitude,Longitude,Zip,Annual Potential,Tier,Employees\n\
             A1,Acme,40.5,-73.5,,\"$1,200\",Enterprise,50\n\
             A2,Beta,,,8001,3.5k,,7\n\
             A3,Gamma,abc,-74.5,,100,,1\n\
             A4,Delta,,,,100,,1\n\
             A5,Far,10.0,-20.0,,100,,1\n\
             A1,Dup,40.5,-74.5,,5,,1\n\
             A6,Odd,40.5,-74.5,,5,platinum,1\n");
        assert_eq!(table.headers.len(), 8);
        assert_eq!(import.rows, 7);
        let ids: Vec<&str> = import.accounts.iter().map(|a| a.external_id.as_str()).collect();
        assert_eq!(ids, ["A1", "A2", "A5", "A6"]);
        assert_eq!(import.accounts[0].potential, 1200.0);
        assert_eq!(import.accounts[0].tier, Tier::Strategic);
        assert_eq!(import.accounts[0].unit, Some(UnitId(1)));
        assert_eq!(import.accounts[1].unit, Some(UnitId(0)));
        assert_eq!(import.accounts[1].location, LonLat::new(-74.5, 40.5));
        assert_eq!(import.accounts[1].attributes.get("Employees"), Some(&7.0));
        assert_eq!(import.outside, [2]);
        let rejected: Vec<(usize, &str, &str)> = import.rejected.iter().map(|r| (r.row, r.column.as_str(), r.value.as_str())).collect();
        assert_eq!(rejected, [(4, "Latitude", "abc"), (5, "Latitude", ""), (7, "Account ID", "A1")]);
        assert_eq!(import.warnings.len(), 1);
        assert_eq!(import.warnings[0].column, "Tier");
        assert!(import.clone().require(false, &table).is_err());
        assert_eq!(import.require(true, &table).unwrap().accounts.len(), 4);
    }

    #[test]
    fn activity_and_pipeline_columns_read_counts_flags_and_dates() {
        let (_, import) = run("id,zip,last_activity_date,open_pipeline\n\
             A1,08001,2026-10-14,\"$12,500\"\n\
             A2,08001,,\n\
             A3,08002,3,0\n\
             A4,08002,yes,100\n\
             A5,08002,0,50\n\
             A6,08002,soon,1\n");
        let contacted: Vec<Option<bool>> = import.accounts.iter().map(|a| a.contacted).collect();
        assert_eq!(contacted, [Some(true), Some(false), Some(true), Some(true), Some(false), Some(false)]);
        let pipeline: Vec<Option<f64>> = import.accounts.iter().map(|a| a.pipeline).collect();
        assert_eq!(pipeline, [Some(12500.0), Some(0.0), Some(0.0), Some(100.0), Some(50.0), Some(1.0)]);
        // 'soon' is not a count, flag or date: imported, said once, not contacted.
        assert_eq!(import.warnings.len(), 1);
        assert_eq!((import.warnings[0].row, import.warnings[0].value.as_str()), (7, "soon"));
        // Without those columns nothing is assumed.
        let (_, plain) = run("id,zip\nB1,08001\n");
        assert_eq!((plain.accounts[0].contacted, plain.accounts[0].pipeline), (None, None));
    }

    #[test]
    fn overrides_and_missing_location_columns() {
        let table = parse_csv(b"Name,ZIP,beds\nA,08001,10\n", Path::new("h.csv")).unwrap();
        let mut mapping = AccountMapping::guess(&table);
        assert_eq!(mapping.attributes, [2]);
        mapping.apply_overrides(&table, &["potential=beds".into()]).unwrap();
        assert_eq!(mapping.column(AccountField::Potential), Some(2));
        assert!(mapping.attributes.is_empty());
        assert!(mapping.apply_overrides(&table, &["potential=nope".into()]).unwrap_err().to_string().contains("there is no column 'nope'"));
        assert!(mapping.apply_overrides(&table, &["colour=beds".into()]).unwrap_err().to_string().contains("unknown field"));
        let table = parse_csv(b"Name,beds\nA,10\n", Path::new("h.csv")).unwrap();
        let err = build(&table, &AccountMapping::guess(&table), &[], &UnitIndex::new(&[]), &[], 0).unwrap_err().to_string();
        assert!(err.contains("h.csv: no column gives a location"), "{err}");
    }

    #[test]
    fn a_mapping_from_another_version_of_the_file_is_refused() {
        let table = parse_csv(b"lat,lon\n40,-75\n", Path::new("a.csv")).unwrap();
        let mut mapping = AccountMapping::guess(&table);
        mapping.columns.insert(AccountField::Potential, 7);
        let err = build(&table, &mapping, &[], &UnitIndex::new(&[]), &[], 0).unwrap_err().to_string();
        assert!(err.contains("a.csv: the column mapping does not fit"), "{err}");
    }

    #[test]
    fn zip_normalisation() {
        assert_eq!(normalize_zip("8001"), "08001");
        assert_eq!(normalize_zip("08001-1234"), "08001");
        assert_eq!(normalize_zip("32835.0"), "32835");
    }
}
