//! Coordinate systems of imported geometry: read the `.prj` (WKT) of a shapefile or the
//! `crs` member of a GeoJSON file, reproject to WGS84 longitude/latitude, and refuse
//! coordinates that are clearly not lon/lat when nothing says what they are.

use super::table::FeatureTable;
use super::ImportError;
use geo::MapCoordsInPlace;
use proj4rs::proj::Proj;
use std::path::Path;

/// What the source coordinates are.
pub enum SourceCrs {
    /// Longitude/latitude in degrees on a WGS84-compatible datum (WGS84, NAD83): used
    /// as they are (the datums differ by about a metre).
    LonLat,
    /// Anything else, with the projection to undo.
    Other { description: String, proj: Box<Proj> },
}

/// The CRS a `.prj` file describes.
pub fn from_wkt(wkt: &str, prj_path: &Path) -> Result<SourceCrs, ImportError> {
    let wkt = wkt.trim().trim_start_matches('\u{feff}');
    let description = wkt_name(wkt).unwrap_or_else(|| "the projection in the .prj".into());
    let projstring = proj4wkt::wkt_to_projstring(wkt).map_err(|e| {
        ImportError::file(prj_path, format!("cannot read the projection ({e}); reproject the layer to WGS84 (EPSG:4326) in your GIS and import again"))
    })?;
    from_projstring(&projstring, description, prj_path)
}

/// The CRS of an EPSG code, e.g. from a GeoJSON `crs` member.
pub fn from_epsg(code: u16, path: &Path) -> Result<SourceCrs, ImportError> {
    let proj = Proj::from_epsg_code(code).map_err(|e| {
        ImportError::file(
            path,
            format!("its coordinates are in EPSG:{code}, which cannot be converted here ({e}); reproject it to WGS84 (EPSG:4326) and import again"),
        )
    })?;
    Ok(classify(proj, format!("EPSG:{code}")))
}

fn from_projstring(projstring: &str, description: String, path: &Path) -> Result<SourceCrs, ImportError> {
    let proj = Proj::from_proj_string(projstring).map_err(|e| {
        ImportError::file(
            path,
            format!("the projection '{description}' is not supported ({e}); reproject the layer to WGS84 (EPSG:4326) in your GIS and import again"),
        )
    })?;
    Ok(classify(proj, description))
}

fn classify(proj: Proj, description: String) -> SourceCrs {
    if proj.is_latlong() && proj.from_greenwich() == 0.0 {
        SourceCrs::LonLat
    } else {
        SourceCrs::Other { description, proj: Box::new(proj) }
    }
}

/// The first quoted name of a WKT definition, e.g. "WGS_1984_UTM_Zone_17N".
fn wkt_name(wkt: &str) -> Option<String> {
    let start = wkt.find('"')? + 1;
    let len = wkt[start..].find('"')?;
    Some(wkt[start..start + len].to_string())
}

/// The EPSG code of a GeoJSON `crs` name such as "urn:ogc:def:crs:EPSG::4269" or
/// "EPSG:26917"; CRS84 is 4326.
pub fn epsg_of_name(name: &str) -> Option<u16> {
    if name.to_ascii_uppercase().contains("CRS84") {
        return Some(4326);
    }
    let upper = name.to_ascii_uppercase();
    let at = upper.rfind("EPSG")?;
    upper[at + 4..].trim_start_matches(':').trim_start_matches(':').trim_start_matches(':').parse().ok()
}

/// Reprojects the table to lon/lat degrees, in place.
pub fn reproject(table: &mut FeatureTable, crs: &SourceCrs) -> Result<(), ImportError> {
    let SourceCrs::Other { description, proj } = crs else {
        return Ok(());
    };
    let wgs84 = Proj::from_proj_string("+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs")
        .map_err(|e| ImportError::file(&table.source, format!("internal: WGS84 is not available ({e})")))?;
    let source = table.source.clone();
    let degrees_in = proj.is_latlong();
    for (i, geometry) in table.geometries.iter_mut().enumerate() {
        let Some(geometry) = geometry else { continue };
        if degrees_in {
            geometry.map_coords_in_place(|c| geo::Coord { x: c.x.to_radians(), y: c.y.to_radians() });
        }
        proj4rs::transform::transform(proj, &wgs84, geometry).map_err(|e| {
            ImportError::file(
                &source,
                format!("feature {} cannot be converted from {description} to longitude/latitude ({e}); check the .prj belongs to this data", i + 1),
            )
        })?;
        geometry.map_coords_in_place(|c| geo::Coord { x: c.x.to_degrees(), y: c.y.to_degrees() });
    }
    Ok(())
}

/// Refuses coordinates that cannot be longitude/latitude. `how_to_fix` ends the message.
pub fn check_lon_lat(table: &FeatureTable, why_unknown: &str) -> Result<(), ImportError> {
    let Some([min_x, min_y, max_x, max_y]) = table.extent() else {
        return Ok(());
    };
    let fits = (-180.0..=180.0).contains(&min_x) && (-180.0..=180.0).contains(&max_x) && (-90.0..=90.0).contains(&min_y) && (-90.0..=90.0).contains(&max_y);
    if fits {
        return Ok(());
    }
    Err(ImportError::file(
        &table.source,
        format!(
            "the coordinates are not longitude/latitude (x from {min_x:.0} to {max_x:.0}, y from {min_y:.0} to {max_y:.0}: they look projected, in metres or feet) and {why_unknown}. Put the .prj that came with the data beside the file (same name, extension .prj), or reproject the layer to WGS84 (EPSG:4326) in your GIS, and import again"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_17n_wkt_reprojects_a_known_point() {
        let wkt = r#"PROJCS["WGS_1984_UTM_Zone_17N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",-81],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["Meter",1]]"#;
        let crs = from_wkt(wkt, Path::new("x.prj")).unwrap();
        assert!(matches!(crs, SourceCrs::Other { .. }));
        // On the central meridian (false easting), 4,000 km north of the equator.
        let square = geo::MultiPolygon::new(vec![geo::Polygon::new(
            vec![(500000.0, 4000000.0), (500100.0, 4000000.0), (500100.0, 4000100.0), (500000.0, 4000000.0)].into(),
            vec![],
        )]);
        let mut table = FeatureTable { geometries: vec![Some(square)], records: vec![vec![]], ..Default::default() };
        reproject(&mut table, &crs).unwrap();
        let c = table.geometries[0].as_ref().unwrap().0[0].exterior().0[0];
        assert!((c.x + 81.0).abs() < 1e-9, "{c:?}");
        // The meridian arc of 4,000,000 m / 0.9996 on WGS84, solved independently.
        assert!((c.y - 36.144718098).abs() < 1e-6, "{c:?}");
    }

    #[test]
    fn geographic_nad83_is_used_as_is() {
        let wkt = r#"GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert!(matches!(from_wkt(wkt, Path::new("x.prj")).unwrap(), SourceCrs::LonLat));
    }

    #[test]
    fn epsg_names() {
        assert_eq!(epsg_of_name("urn:ogc:def:crs:EPSG::4269"), Some(4269));
        assert_eq!(epsg_of_name("EPSG:26917"), Some(26917));
        assert_eq!(epsg_of_name("urn:ogc:def:crs:OGC:1.3:CRS84"), Some(4326));
        assert_eq!(epsg_of_name("something"), None);
    }

    #[test]
    fn projected_coordinates_without_crs_are_refused() {
        let square = geo::MultiPolygon::new(vec![geo::Polygon::new(
            vec![(700000.0, 3400000.0), (700100.0, 3400000.0), (700100.0, 3400100.0), (700000.0, 3400000.0)].into(),
            vec![],
        )]);
        let table = FeatureTable { source: "G_utm.shp".into(), geometries: vec![Some(square)], records: vec![vec![]], ..Default::default() };
        let err = check_lon_lat(&table, "there is no .prj file").unwrap_err().to_string();
        assert!(err.contains("G_utm.shp") && err.contains("not longitude/latitude") && err.contains(".prj"), "{err}");
    }
}
