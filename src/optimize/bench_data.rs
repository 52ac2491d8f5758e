//! The benchmark datasets of ../shared/data/bench: unit weights, Albers centroids and
//! the rook adjacency every peer was measured with.

use anyhow::{anyhow, Context, Result};
use std::io::Read;
use std::path::Path;

pub struct BenchData {
    pub weights: Vec<f64>,
    pub xy_km: Vec<[f64; 2]>,
    pub adjacency: Vec<Vec<u32>>,
}

/// Reads `NAME.geojson` (or `.geojson.gz`) and `NAME.adj.csv` from `dir`, with the given
/// property as the weight.
pub fn load(dir: &Path, name: &str, weight: &str) -> Result<BenchData> {
    let plain = dir.join(format!("{name}.geojson"));
    let text = if plain.exists() {
        std::fs::read_to_string(&plain).with_context(|| format!("cannot read {}", plain.display()))?
    } else {
        let gz = dir.join(format!("{name}.geojson.gz"));
        let file = std::fs::File::open(&gz).with_context(|| format!("cannot read {}", gz.display()))?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(file).read_to_string(&mut text).with_context(|| format!("cannot decompress {}", gz.display()))?;
        text
    };
    let collection: geojson::FeatureCollection = text.parse().map_err(|e| anyhow!("{name}.geojson: {e}"))?;
    let mut weights = Vec::with_capacity(collection.features.len());
    let mut xy_km = Vec::with_capacity(collection.features.len());
    for (i, f) in collection.features.iter().enumerate() {
        let num = |key: &str| f.property(key).and_then(|v| v.as_f64()).ok_or_else(|| anyhow!("{name}: feature {i} has no numeric '{key}'"));
        weights.push(num(weight)?);
        xy_km.push([num("cx_m")? / 1000.0, num("cy_m")? / 1000.0]);
    }
    let adj_path = dir.join(format!("{name}.adj.csv"));
    let mut adjacency = vec![Vec::new(); weights.len()];
    let mut reader = csv::Reader::from_path(&adj_path).with_context(|| format!("cannot read {}", adj_path.display()))?;
    for (row, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: row {}", adj_path.display(), row + 2))?;
        let parse = |c: usize| -> Result<u32> { record.get(c).and_then(|v| v.parse().ok()).ok_or_else(|| anyhow!("{}: row {} is not 'i,j'", adj_path.display(), row + 2)) };
        let (i, j) = (parse(0)?, parse(1)?);
        if i as usize >= adjacency.len() || j as usize >= adjacency.len() {
            return Err(anyhow!("{}: row {} names a unit that does not exist", adj_path.display(), row + 2));
        }
        adjacency[i as usize].push(j);
        adjacency[j as usize].push(i);
    }
    Ok(BenchData { weights, xy_km, adjacency })
}
