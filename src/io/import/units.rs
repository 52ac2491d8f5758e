//! Units (ZIP polygons) from GeoJSON and Shapefile: choose the id and name fields, keep
//! the numeric fields as attributes, reproject to lon/lat, repair or report invalid
//! geometry, and merge features that share an id.

use super::crs::{self, SourceCrs};
use super::table::FeatureTable;
use super::{check_cancel, geojson_reader, shapefile_reader, ImportError, Progress};
use crate::model::entities::Unit;
use crate::model::ids::UnitId;
use crate::spatial::{geodesic_area_km2, representative_point};
use geo::orient::{Direction, Orient};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Fields that hold ZIP-like codes, most specific first (compared case-insensitively).
const ID_FIELDS: &[&str] = &[
    "ZCTA5CE20",
    "ZCTA5CE10",
    "ZCTA5CE",
    "ZCTA5",
    "ZCTA",
    "ZIP",
    "ZIPCODE",
    "ZIP_CODE",
    "ZIP5",
    "POSTCODE",
    "POSTAL",
    "GEOID20",
    "GEOID10",
    "GEOID",
    "FIPS",
    "CODE",
    "ID",
];
/// Fields that hold a readable name, most specific first.
const NAME_FIELDS: &[&str] = &["NAME", "PO_NAME", "CITY", "NAMELSAD", "NAME10", "NAME20", "COUNTY", "LABEL"];

#[derive(Clone, Debug, Default)]
pub struct UnitsOptions {
    /// The field with each unit's code (ZIP); guessed when `None`.
    pub id_field: Option<String>,
    /// The field with each unit's name; guessed when `None` (the code when none fits).
    pub name_field: Option<String>,
}

#[derive(Clone, Debug)]
pub struct UnitsImport {
    pub units: Vec<Unit>,
    pub id_field: String,
    pub name_field: Option<String>,
    /// Every field of the files, in order (for choosing the id and name fields).
    pub fields: Vec<String>,
    /// What was repaired, merged or skipped, one line each, naming file and feature.
    pub warnings: Vec<String>,
}

const GEOJSON_ENDINGS: [&str; 4] = [".geojson", ".json", ".geojson.gz", ".json.gz"];

/// Reads one geometry file into lon/lat, whatever its format and projection.
pub fn read_table(path: &Path, progress: Progress<'_>) -> Result<FeatureTable, ImportError> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".shp") {
        let (mut table, prj) = shapefile_reader::read(path, progress)?;
        match prj {
            Some(wkt) => {
                let source = crs::from_wkt(&wkt, &path.with_extension("prj"))?;
                crs::reproject(&mut table, &source)?;
                crs::check_lon_lat(&table, "the .prj does not match them")?;
            }
            None => crs::check_lon_lat(&table, "there is no .prj file saying which projection they are in")?,
        }
        Ok(table)
    } else if GEOJSON_ENDINGS.iter().any(|ext| name.ends_with(ext)) {
        let mut table = geojson_reader::read(path)?;
        if let Some(code) = table.crs.as_deref().and_then(crs::epsg_of_name) {
            let source = crs::from_epsg(code, path)?;
            if matches!(source, SourceCrs::Other { .. }) {
                crs::reproject(&mut table, &source)?;
            }
        }
        crs::check_lon_lat(&table, "the file does not say which projection they are in")?;
        Ok(table)
    } else if name.ends_with(".shx") || name.ends_with(".dbf") || name.ends_with(".prj") {
        Err(ImportError::file(path, "choose the .shp file of the shapefile (the .shx, .dbf and .prj beside it are read with it)"))
    } else {
        Err(ImportError::file(path, "unknown format: units are imported from GeoJSON (.geojson, .json, .geojson.gz) or ESRI Shapefile (.shp)"))
    }
}

/// A folder stands for the geometry files in it (a shapefile arrives as a folder of
/// .shp/.shx/.dbf/.prj, a state-by-state download as a folder of GeoJSON), by name.
fn expand_folders(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| ImportError::file(path, format!("cannot list the folder: {e}")))?;
        let mut inside: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_geometry_file(p))
            .collect();
        if inside.is_empty() {
            return Err(ImportError::file(path, "the folder has no .shp, .geojson, .json or .geojson.gz file; choose the file itself"));
        }
        inside.sort();
        files.extend(inside);
    }
    Ok(files)
}

fn is_geometry_file(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    name.ends_with(".shp") || GEOJSON_ENDINGS.iter().any(|ext| name.ends_with(ext))
}

/// Reads several geometry files, two at a time, keeping their order.
pub fn read_tables(paths: &[PathBuf], progress: Progress<'_>) -> Result<Vec<FeatureTable>, ImportError> {
    if paths.is_empty() {
        return Err(ImportError::file(Path::new("units"), "no units file given"));
    }
    let expanded = expand_folders(paths)?;
    let paths = expanded.as_slice();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(paths.len());
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<FeatureTable, ImportError>>>> = Mutex::new((0..paths.len()).map(|_| None).collect());
    let panicked = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= paths.len() || cancelled.load(Ordering::Relaxed) {
                        break;
                    }
                    let keep_going = || !cancelled.load(Ordering::Relaxed);
                    let result = read_table(&paths[i], &mut |_| keep_going());
                    done.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(result);
                    }
                })
            })
            .collect();
        // Progress and cancel stay on the calling thread.
        while handles.iter().any(|h| !h.is_finished()) {
            if !progress(done.load(Ordering::Relaxed) as f32 / paths.len() as f32) {
                cancelled.store(true, Ordering::Relaxed);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        handles.into_iter().map(|h| h.join()).any(|r| r.is_err())
    });
    if panicked {
        return Err(ImportError::file(&paths[0], "a reader failed unexpectedly (a bug); nothing was imported. Please report it with the file"));
    }
    if cancelled.load(Ordering::Relaxed) {
        return Err(ImportError::Cancelled);
    }
    let slots = results.into_inner().map_err(|_| ImportError::file(&paths[0], "a reader thread failed"))?;
    slots.into_iter().zip(paths).map(|(slot, path)| slot.unwrap_or_else(|| Err(ImportError::file(path, "was not read")))).collect()
}

/// The field most likely to hold unit codes.
pub fn guess_id_field(fields: &[String]) -> Option<String> {
    ID_FIELDS.iter().find_map(|want| fields.iter().find(|f| f.eq_ignore_ascii_case(want))).cloned().or_else(|| {
        fields
            .iter()
            .find(|f| {
                let lower = f.to_ascii_lowercase();
                lower.contains("zip") || lower.contains("zcta") || lower.contains("geoid")
            })
            .cloned()
    })
}

pub fn guess_name_field(fields: &[String], id_field: &str) -> Option<String> {
    NAME_FIELDS.iter().find_map(|want| fields.iter().find(|f| f.eq_ignore_ascii_case(want) && !f.eq_ignore_ascii_case(id_field))).cloned()
}

/// Reads the files and builds units.
pub fn import(paths: &[PathBuf], options: &UnitsOptions, progress: Progress<'_>) -> Result<UnitsImport, ImportError> {
    let tables = read_tables(paths, &mut |f| progress(f * 0.6))?;
    build(&tables, options, &mut |f| progress(0.6 + f * 0.4))
}

/// Builds units from tables already in lon/lat.
pub fn build(tables: &[FeatureTable], options: &UnitsOptions, progress: Progress<'_>) -> Result<UnitsImport, ImportError> {
    let mut fields: Vec<String> = Vec::new();
    for t in tables {
        for f in &t.fields {
            if !fields.iter().any(|g| g.eq_ignore_ascii_case(f)) {
                fields.push(f.clone());
            }
        }
    }
    let first = tables.first().map(|t| t.source.clone()).unwrap_or_default();
    let id_field = match &options.id_field {
        Some(f) => f.clone(),
        None => guess_id_field(&fields)
            .ok_or_else(|| ImportError::file(&first, format!("no field looks like a ZIP or unit code (fields: {}); choose the id field", fields.join(", "))))?,
    };
    let name_field = match &options.name_field {
        Some(f) => Some(f.clone()),
        None => guess_name_field(&fields, &id_field),
    };
    let zip_like = {
        let lower = id_field.to_ascii_lowercase();
        lower.contains("zip") || lower.contains("zcta")
    };

    let mut warnings = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    for table in tables {
        let file = table.source.display().to_string();
        let id_col = table.field_index(&id_field).ok_or_else(|| {
            ImportError::file(&table.source, format!("has no field '{id_field}' (fields: {}); choose another id field", table.fields.join(", ")))
        })?;
        let name_col = match &name_field {
            Some(n) => Some(table.field_index(n).ok_or_else(|| {
                ImportError::file(&table.source, format!("has no field '{n}' (fields: {}); choose another name field", table.fields.join(", ")))
            })?),
            None => None,
        };
        if table.is_empty() {
            warnings.push(format!("{file}: no features"));
        }
        for (i, (record, geometry)) in table.records.iter().zip(&table.geometries).enumerate() {
            let mut code = record[id_col].display();
            if code.is_empty() {
                warnings.push(format!("{file}: feature {} has no {id_field}; skipped", i + 1));
                continue;
            }
            if zip_like && code.len() < 5 && code.chars().all(|c| c.is_ascii_digit()) {
                code = format!("{code:0>5}");
            }
            let Some(geometry) = geometry else {
                warnings.push(format!("{file}: feature {} ({code}) has no polygon geometry; skipped", i + 1));
                continue;
            };
            let attributes: BTreeMap<String, f64> = table
                .fields
                .iter()
                .zip(record)
                .enumerate()
                .filter(|(c, _)| *c != id_col && Some(*c) != name_col)
                .filter_map(|(_, (f, v))| v.as_number().map(|n| (f.clone(), n)))
                .collect();
            let name = name_col.map(|c| record[c].display()).filter(|n| !n.is_empty()).unwrap_or_else(|| code.clone());
            let origin = format!("{file}: feature {} ({code})", i + 1);
            match by_code.get(&code) {
                Some(&d) => {
                    let draft: &mut Draft = &mut drafts[d];
                    let before = draft.geometry.0.len();
                    for p in &geometry.0 {
                        if !draft.geometry.0.contains(p) {
                            draft.geometry.0.push(p.clone());
                        }
                    }
                    let added = draft.geometry.0.len() - before;
                    warnings.push(if added == 0 {
                        format!("{origin}: duplicate of {} with the same shape; kept once", draft.origin)
                    } else {
                        format!("{origin}: another part of {}; merged into one unit", draft.origin)
                    });
                }
                None => {
                    by_code.insert(code.clone(), drafts.len());
                    drafts.push(Draft { code, name, geometry: geometry.clone(), attributes, origin });
                }
            }
        }
    }
    check_cancel(progress, 0.1)?;
    let units = finish(drafts, &mut warnings, progress)?;
    if units.is_empty() {
        return Err(ImportError::file(&first, "no polygon with a code was found: the file holds no usable units"));
    }
    Ok(UnitsImport { units, id_field, name_field, fields, warnings })
}

struct Draft {
    code: String,
    name: String,
    geometry: MultiPolygon<f64>,
    attributes: BTreeMap<String, f64>,
    origin: String,
}

/// Cleans, repairs and measures each draft (in parallel): interior point and geodesic
/// area make most of the cost.
fn finish(drafts: Vec<Draft>, warnings: &mut Vec<String>, progress: Progress<'_>) -> Result<Vec<Unit>, ImportError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let chunk = drafts.len().div_ceil(threads).max(1);
    let done = AtomicUsize::new(0);
    let total = drafts.len().max(1);
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let mut outputs: Vec<Vec<(Option<Unit>, Option<String>)>> = Vec::new();
    let mut failed = false;
    std::thread::scope(|scope| {
        let handles: Vec<_> = drafts
            .chunks(chunk)
            .map(|part| {
                let (done, cancelled) = (&done, &cancelled);
                scope.spawn(move || {
                    let mut out = Vec::with_capacity(part.len());
                    for draft in part {
                        if cancelled.load(Ordering::Relaxed) {
                            break;
                        }
                        out.push(finish_one(draft));
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    out
                })
            })
            .collect();
        while handles.iter().any(|h| !h.is_finished()) {
            if !progress(0.1 + 0.9 * done.load(Ordering::Relaxed) as f32 / total as f32) {
                cancelled.store(true, Ordering::Relaxed);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        for h in handles {
            match h.join() {
                Ok(out) => outputs.push(out),
                Err(_) => failed = true,
            }
        }
    });
    if failed {
        return Err(ImportError::file(Path::new("units"), "building the units failed unexpectedly (a bug); nothing was imported"));
    }
    if cancelled.load(Ordering::Relaxed) {
        return Err(ImportError::Cancelled);
    }
    let mut units = Vec::with_capacity(total);
    for (unit, warning) in outputs.into_iter().flatten() {
        warnings.extend(warning);
        if let Some(mut unit) = unit {
            unit.id = UnitId(units.len() as u32);
            units.push(unit);
        }
    }
    Ok(units)
}

fn finish_one(draft: &Draft) -> (Option<Unit>, Option<String>) {
    let (geometry, repaired) = clean(&draft.geometry);
    let Some(geometry) = geometry else {
        return (None, Some(format!("{}: the polygon has no area (fewer than three distinct points); skipped", draft.origin)));
    };
    let Some(centroid) = representative_point(&geometry) else {
        return (None, Some(format!("{}: no point inside the polygon could be found; skipped", draft.origin)));
    };
    let area_km2 = geodesic_area_km2(&geometry);
    if !(area_km2.is_finite() && area_km2 > 0.0) {
        return (None, Some(format!("{}: the polygon encloses no area on the globe (does it span half the world?); skipped", draft.origin)));
    }
    let unit = Unit { id: UnitId(0), code: draft.code.clone(), name: draft.name.clone(), geometry, centroid, area_km2, attributes: draft.attributes.clone() };
    (Some(unit), repaired.then(|| format!("{}: invalid polygon (self-intersecting or open rings) repaired", draft.origin)))
}

/// Closes rings, drops repeated points and degenerate rings, orients rings the usual way
/// (exterior counter-clockwise), and rebuilds polygons that are still invalid (self
/// intersections, overlapping parts) with a union. Returns the geometry (if any area is
/// left) and whether a repair was needed beyond orientation.
pub fn clean(geometry: &MultiPolygon<f64>) -> (Option<MultiPolygon<f64>>, bool) {
    let mut repaired = false;
    let mut polygons = Vec::with_capacity(geometry.0.len());
    for polygon in &geometry.0 {
        let Some(exterior) = clean_ring(polygon.exterior(), &mut repaired) else {
            repaired = true;
            continue;
        };
        let interiors = polygon.interiors().iter().filter_map(|r| clean_ring(r, &mut repaired)).collect();
        let polygon = Polygon::new(exterior, interiors);
        // A ring whose points all lie on one line encloses nothing.
        if !collinear(&polygon.exterior().0) {
            polygons.push(polygon);
        } else {
            repaired = true;
        }
    }
    if polygons.is_empty() {
        return (None, true);
    }
    let oriented = MultiPolygon::new(polygons).orient(Direction::Default);
    if !oriented.0.iter().any(needs_rebuild) {
        return (Some(oriented), repaired);
    }
    // Non-zero winding over oriented rings: both lobes of a bow tie stay, overlapping
    // parts merge, holes stay holes.
    use geo::algorithm::bool_ops::FillRule;
    use geo::BooleanOps;
    let rebuilt = oriented.union_with_fill_rule(&MultiPolygon::new(vec![]), FillRule::NonZero);
    if rebuilt.0.is_empty() {
        return (None, true);
    }
    (Some(rebuilt.orient(Direction::Default)), true)
}

/// Whether a polygon's rings cross or overlap themselves or each other, or a hole lies
/// outside its exterior. A segment R-tree keeps this O(n log n): geo's full validation
/// (DE-9IM relates) took 15 s for the 5 M vertices of all US ZIPs.
fn needs_rebuild(polygon: &Polygon<f64>) -> bool {
    use geo::line_intersection::{line_intersection, LineIntersection};
    use geo::{Contains, Line};
    use rstar::primitives::GeomWithData;
    use rstar::RTree;
    let rings: Vec<&LineString<f64>> = std::iter::once(polygon.exterior()).chain(polygon.interiors()).collect();
    let exterior = Polygon::new(polygon.exterior().clone(), vec![]);
    if polygon.interiors().iter().any(|hole| hole.0.first().is_some_and(|c| !exterior.contains(c) && !exterior.exterior().contains(c))) {
        return true;
    }
    let segments: Vec<GeomWithData<Line<f64>, (u32, u32)>> =
        rings.iter().enumerate().flat_map(|(r, ring)| ring.lines().enumerate().map(move |(i, line)| GeomWithData::new(line, (r as u32, i as u32)))).collect();
    let lengths: Vec<u32> = rings.iter().map(|r| r.0.len().saturating_sub(1) as u32).collect();
    let tree = RTree::bulk_load(segments);
    let adjacent = |(ra, a): (u32, u32), (rb, b): (u32, u32)| {
        let n = lengths[ra as usize];
        ra == rb && (a.abs_diff(b) == 1 || a.abs_diff(b) == n - 1)
    };
    tree.intersection_candidates_with_other_tree(&tree).any(|(a, b)| {
        if a.data >= b.data {
            return false;
        }
        match line_intersection(*a.geom(), *b.geom()) {
            // Consecutive edges share a vertex; only doubling back (a spike) is wrong.
            Some(LineIntersection::Collinear { .. }) => true,
            Some(LineIntersection::SinglePoint { is_proper: true, .. }) => !adjacent(a.data, b.data),
            _ => false,
        }
    })
}

fn collinear(coords: &[Coord<f64>]) -> bool {
    let Some(&a) = coords.first() else { return true };
    let Some(&b) = coords.iter().find(|c| **c != a) else { return true };
    coords.iter().all(|c| ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)).abs() <= f64::EPSILON * (b.x - a.x).abs().max((b.y - a.y).abs()).max(1.0))
}

fn clean_ring(ring: &LineString<f64>, repaired: &mut bool) -> Option<LineString<f64>> {
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len() + 1);
    for c in &ring.0 {
        // Repeated points are harmless; dropping them is not worth a note.
        if coords.last() != Some(c) {
            coords.push(*c);
        }
    }
    if coords.len() > 1 && coords.first() != coords.last() {
        coords.push(coords[0]);
        *repaired = true;
    }
    if coords.len() < 4 {
        *repaired = true;
        return None;
    }
    Some(LineString::new(coords))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::table::Cell;
    use geo::Validation;

    #[test]
    fn finds_crossings_overlaps_and_stray_holes() {
        let square = Polygon::new(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)].into(), vec![]);
        assert!(!needs_rebuild(&square));
        let with_hole = Polygon::new(square.exterior().clone(), vec![vec![(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0), (1.0, 1.0)].into()]);
        assert!(!needs_rebuild(&with_hole));
        let stray_hole = Polygon::new(square.exterior().clone(), vec![vec![(5.0, 5.0), (5.0, 6.0), (6.0, 6.0), (5.0, 5.0)].into()]);
        assert!(needs_rebuild(&stray_hole));
        let crossing_hole = Polygon::new(square.exterior().clone(), vec![vec![(1.0, 1.0), (1.0, 5.0), (2.0, 5.0), (2.0, 1.0), (1.0, 1.0)].into()]);
        assert!(needs_rebuild(&crossing_hole));
        let bow_tie = Polygon::new(vec![(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)].into(), vec![]);
        assert!(needs_rebuild(&bow_tie));
        let spike = Polygon::new(vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 4.0), (2.0, 6.0), (2.0, 4.0), (0.0, 4.0), (0.0, 0.0)].into(), vec![]);
        assert!(needs_rebuild(&spike), "a spike doubles back on itself");
    }

    fn square(x: f64, y: f64) -> Polygon<f64> {
        Polygon::new(vec![(x, y), (x + 0.1, y), (x + 0.1, y + 0.1), (x, y + 0.1), (x, y)].into(), vec![])
    }

    fn table(rows: Vec<(Cell, Option<MultiPolygon<f64>>)>) -> FeatureTable {
        FeatureTable {
            source: "t.geojson".into(),
            fields: vec!["ZCTA5CE10".into(), "ALAND10".into()],
            records: rows.iter().map(|(c, _)| vec![c.clone(), Cell::Number(5.0)]).collect(),
            geometries: rows.into_iter().map(|(_, g)| g).collect(),
            crs: None,
        }
    }

    #[test]
    fn guesses_census_fields() {
        let fields: Vec<String> = ["STATEFP10", "ZCTA5CE10", "GEOID10", "ALAND10"].iter().map(|s| s.to_string()).collect();
        assert_eq!(guess_id_field(&fields).as_deref(), Some("ZCTA5CE10"));
        let fields: Vec<String> = ["POLY_ID", "NAME", "FIPS"].iter().map(|s| s.to_string()).collect();
        assert_eq!(guess_id_field(&fields).as_deref(), Some("FIPS"));
        assert_eq!(guess_name_field(&fields, "FIPS").as_deref(), Some("NAME"));
    }

    #[test]
    fn pads_numeric_zips_merges_parts_and_skips_empty_ids() {
        let t = table(vec![
            (Cell::Number(8001.0), Some(MultiPolygon::new(vec![square(0.0, 0.0)]))),
            (Cell::Text("08001".into()), Some(MultiPolygon::new(vec![square(1.0, 0.0)]))),
            (Cell::Text("08001".into()), Some(MultiPolygon::new(vec![square(1.0, 0.0)]))),
            (Cell::Empty, Some(MultiPolygon::new(vec![square(2.0, 0.0)]))),
            (Cell::Text("08003".into()), None),
        ]);
        let import = build(&[t], &UnitsOptions::default(), &mut |_| true).unwrap();
        assert_eq!(import.units.len(), 1);
        assert_eq!(import.units[0].code, "08001");
        assert_eq!(import.units[0].geometry.0.len(), 2);
        assert_eq!(import.units[0].attributes.get("ALAND10"), Some(&5.0));
        let text = import.warnings.join("\n");
        assert!(text.contains("merged") && text.contains("kept once") && text.contains("has no ZCTA5CE10") && text.contains("no polygon geometry"), "{text}");
    }

    #[test]
    fn repairs_a_bow_tie_and_drops_degenerate_rings() {
        let bow_tie = Polygon::new(vec![(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)].into(), vec![]);
        let (fixed, repaired) = clean(&MultiPolygon::new(vec![bow_tie]));
        assert!(repaired);
        let fixed = fixed.unwrap();
        assert!(fixed.is_valid());
        assert!((geo::Area::unsigned_area(&fixed) - 0.5).abs() < 1e-9, "both lobes kept: {fixed:?}");
        let open = Polygon::new(LineString::new(vec![Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 }]), vec![]);
        let (fixed, repaired) = clean(&MultiPolygon::new(vec![open]));
        assert!(!repaired && fixed.unwrap().is_valid(), "geo closes rings itself");
        let (none, _) = clean(&MultiPolygon::new(vec![Polygon::new(vec![(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)].into(), vec![])]));
        assert!(none.is_none());
    }

    #[test]
    fn unknown_id_field_is_named() {
        let t = table(vec![(Cell::Text("1".into()), Some(MultiPolygon::new(vec![square(0.0, 0.0)])))]);
        let err = build(&[t], &UnitsOptions { id_field: Some("ZIP".into()), name_field: None }, &mut |_| true).unwrap_err().to_string();
        assert!(err.contains("has no field 'ZIP'") && err.contains("ZCTA5CE10"), "{err}");
    }
}
