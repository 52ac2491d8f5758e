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

/// Why a file cannot be used as a PMTiles basemap.
#[derive(Debug, thiserror::Error)]
pub enum PmTilesError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: std::path::PathBuf, source: std::io::Error },
    #[error("{}: {why}", path.display())]
    Header { path: std::path::PathBuf, why: HeaderProblem },
}

/// What is wrong with the first bytes of a would-be PMTiles archive.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeaderProblem {
    #[error("too short to be a PMTiles archive")]
    TooShort,
    #[error("not a PMTiles archive (no PMTiles signature)")]
    NoSignature,
    #[error("PMTiles version {0} is not supported; convert it to version 3")]
    Version(u8),
}

/// The tile type of a PMTiles v3 file, or why it is not one.
pub fn pmtiles_kind(path: &Path) -> Result<PmTilesKind, PmTilesError> {
    let mut header = [0u8; 127];
    let mut file = std::fs::File::open(path).map_err(|source| PmTilesError::Read { path: path.to_path_buf(), source })?;
    let header_error = |why| PmTilesError::Header { path: path.to_path_buf(), why };
    file.read_exact(&mut header).map_err(|_| header_error(HeaderProblem::TooShort))?;
    kind_from_header(&header).map_err(header_error)
}

pub fn kind_from_header(header: &[u8]) -> Result<PmTilesKind, HeaderProblem> {
    if header.len() < 100 {
        return Err(HeaderProblem::TooShort);
    }
    if &header[..7] != b"PMTiles" {
        return Err(HeaderProblem::NoSignature);
    }
    if header[7] != 3 {
        return Err(HeaderProblem::Version(header[7]));
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
        assert_eq!(pmtiles_kind(&dir.join("stamen_toner_raster_z0-3_world.pmtiles")).ok(), Some(PmTilesKind::Png));
        assert_eq!(pmtiles_kind(&dir.join("dc_test_vector_z8-14.pmtiles")).ok(), Some(PmTilesKind::Vector));
        assert!(pmtiles_kind(&dir.join("ne_50m_lakes.geojson")).unwrap_err().to_string().contains("not a PMTiles archive"));
    }

    #[test]
    fn refuses_short_and_old_headers() {
        assert!(kind_from_header(b"PMTiles").is_err());
        let mut v2 = vec![0u8; 127];
        v2[..7].copy_from_slice(b"PMTiles");
        v2[7] = 2;
        assert_eq!(kind_from_header(&v2), Err(HeaderProblem::Version(2)));
        assert!(HeaderProblem::Version(2).to_string().contains("version 2"));
    }
}
