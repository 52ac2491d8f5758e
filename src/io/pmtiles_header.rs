//! Reads the header of a PMTiles v3 archive to tell raster from vector tiles before a
//! basemap is opened (the glow renderer can show raster tiles only).

use std::io::Read;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PmTilesKind {
    Vector,
    Png,
    Jpeg,
    Webp,
    Avif,
    Unknown,
}

impl PmTilesKind {
    pub fn is_raster(self) -> bool {
        matches!(self, PmTilesKind::Png | PmTilesKind::Jpeg | PmTilesKind::Webp | PmTilesKind::Avif)
    }
}

/// The tile type of a PMTiles v3 file, or a message saying why it is not one.
pub fn pmtiles_kind(path: &Path) -> Result<PmTilesKind, String> {
    let mut header = [0u8; 127];
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    file.read_exact(&mut header)
        .map_err(|_| format!("{} is too short to be a PMTiles archive", path.display()))?;
    kind_from_header(&header).map_err(|why| format!("{}: {why}", path.display()))
}

pub fn kind_from_header(header: &[u8]) -> Result<PmTilesKind, String> {
    if header.len() < 100 || &header[..7] != b"PMTiles" {
        return Err("not a PMTiles archive (no PMTiles signature)".into());
    }
    if header[7] != 3 {
        return Err(format!("PMTiles version {} is not supported; convert it to version 3", header[7]));
    }
    Ok(match header[99] {
        1 => PmTilesKind::Vector,
        2 => PmTilesKind::Png,
        3 => PmTilesKind::Jpeg,
        4 => PmTilesKind::Webp,
        5 => PmTilesKind::Avif,
        _ => PmTilesKind::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_raster_from_vector_on_the_fixtures() {
        let dir = Path::new("../shared/data/basemap");
        if !dir.exists() {
            eprintln!("skipped: ../shared/data is absent");
            return;
        }
        assert_eq!(pmtiles_kind(&dir.join("stamen_toner_raster_z0-3_world.pmtiles")), Ok(PmTilesKind::Png));
        assert_eq!(pmtiles_kind(&dir.join("dc_test_vector_z8-14.pmtiles")), Ok(PmTilesKind::Vector));
        assert!(pmtiles_kind(&dir.join("ne_50m_lakes.geojson")).unwrap_err().contains("not a PMTiles archive"));
    }

    #[test]
    fn refuses_short_and_old_headers() {
        assert!(kind_from_header(b"PMTiles").is_err());
        let mut v2 = vec![0u8; 127];
        v2[..7].copy_from_slice(b"PMTiles");
        v2[7] = 2;
        assert!(kind_from_header(&v2).unwrap_err().contains("version 2"));
    }
}
