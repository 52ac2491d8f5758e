//! Territories as an ESRI Shapefile (.shp, .shx, .dbf, .prj in WGS84).

use super::dissolve::TerritoryShape;
use crate::io::project_file::write_atomically;
use anyhow::{anyhow, Context, Result};
use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
use std::io::Cursor;
use std::path::Path;

const WGS84_WKT: &str =
    r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

fn field(name: &str) -> Result<FieldName> {
    FieldName::try_from(name).map_err(|e| anyhow!("field name {name}: {e:?}"))
}

/// dBase fields are at most 10 characters and text at most 254 bytes.
pub fn write(shapes: &[TerritoryShape], path: &Path) -> Result<()> {
    let table = TableWriterBuilder::new()
        .add_character_field(field("TERRITORY")?, 120)
        .add_character_field(field("REP")?, 120)
        .add_numeric_field(field("UNITS")?, 10, 0)
        .add_numeric_field(field("ACCOUNTS")?, 10, 0)
        .add_numeric_field(field("POTENTIAL")?, 18, 2)
        .add_numeric_field(field("REVENUE")?, 18, 2)
        .add_numeric_field(field("VISIT_H")?, 12, 1)
        .add_numeric_field(field("DRIVE_H")?, 12, 1)
        .add_numeric_field(field("WL_INDEX")?, 10, 3)
        .add_numeric_field(field("DEV_PCT")?, 10, 2)
        .add_character_field(field("COLOR")?, 7);
    let (mut shp, mut shx, mut dbf) = (Cursor::new(Vec::new()), Cursor::new(Vec::new()), Cursor::new(Vec::new()));
    {
        let shape_writer = shapefile::ShapeWriter::with_shx(&mut shp, &mut shx);
        let dbase_writer = table.build_with_dest(&mut dbf);
        let mut writer = shapefile::Writer::new(shape_writer, dbase_writer);
        for s in shapes.iter().filter(|s| !s.geometry.0.is_empty()) {
            let polygon = shapefile::Polygon::from(s.geometry.clone());
            let r = &s.row;
            let crate::model::entities::Rgb(red, green, blue) = s.color;
            let mut record = Record::default();
            record.insert("TERRITORY".into(), FieldValue::Character(Some(truncate(&r.name, 120))));
            record.insert("REP".into(), FieldValue::Character(r.rep.as_deref().map(|n| truncate(n, 120))));
            record.insert("UNITS".into(), FieldValue::Numeric(Some(f64::from(r.units))));
            record.insert("ACCOUNTS".into(), FieldValue::Numeric(Some(f64::from(r.accounts))));
            record.insert("POTENTIAL".into(), FieldValue::Numeric(Some(r.potential)));
            record.insert("REVENUE".into(), FieldValue::Numeric(Some(r.revenue)));
            record.insert("VISIT_H".into(), FieldValue::Numeric(Some(r.visit_hours)));
            record.insert("DRIVE_H".into(), FieldValue::Numeric(Some(r.drive_hours)));
            record.insert("WL_INDEX".into(), FieldValue::Numeric(Some(r.workload_index)));
            record.insert("DEV_PCT".into(), FieldValue::Numeric(Some(r.deviation_pct)));
            record.insert("COLOR".into(), FieldValue::Character(Some(format!("#{red:02x}{green:02x}{blue:02x}"))));
            writer.write_shape_and_record(&polygon, &record).map_err(|e| anyhow!("cannot encode territory '{}': {e}", r.name))?;
        }
    }
    for (ext, bytes) in [("shp", shp.into_inner()), ("shx", shx.into_inner()), ("dbf", dbf.into_inner()), ("prj", WGS84_WKT.as_bytes().to_vec())] {
        let target = path.with_extension(ext);
        write_atomically(&target, &bytes).with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

/// Cuts at a character boundary so the text fits the field.
fn truncate(text: &str, max_bytes: usize) -> String {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
