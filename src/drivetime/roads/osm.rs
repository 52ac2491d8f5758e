//! Reading an OpenStreetMap PBF extract into road edges: one pass over the ways (the
//! drivable ones, see `profile`), one over the nodes they use. Nodes where ways meet or
//! end become graph nodes; the nodes in between only add length. Blobs are decoded in
//! parallel; progress follows the bytes read; a cancel stops between blobs.

use super::profile::{self, Direction};
use super::{RoadError, RoadNetwork};
use osmpbf::{BlobDecode, BlobReader, Element};
use rayon::prelude::*;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// A drivable way as read: its node ids, speed and direction.
struct Way {
    refs: Vec<i64>,
    speed_kmh: f32,
    direction: Direction,
}

/// Counts the bytes a reader gives, for progress.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Runs `each` over the data blocks of the file in parallel; `progress(0..1)` returns
/// false to cancel. `pass` (0 or 1 of two) places the progress.
fn blocks<T: Send>(path: &Path, pass: usize, progress: &(dyn Fn(f32) -> bool + Sync), each: impl Fn(&osmpbf::PrimitiveBlock) -> T + Sync + Send) -> Result<Vec<T>, RoadError> {
    let size = std::fs::metadata(path).map_err(|e| RoadError::io(path, e))?.len().max(1);
    let file = std::fs::File::open(path).map_err(|e| RoadError::io(path, e))?;
    let read = Arc::new(AtomicU64::new(0));
    let reader = BlobReader::new(std::io::BufReader::new(Counting { inner: file, read: Arc::clone(&read) }));
    let cancelled = AtomicBool::new(false);
    let results: Vec<Result<Option<T>, RoadError>> = reader
        .par_bridge()
        .map(|blob| {
            if cancelled.load(Ordering::Relaxed) {
                return Err(RoadError::Cancelled);
            }
            let done = read.load(Ordering::Relaxed) as f32 / size as f32;
            if !progress((pass as f32 + done.min(1.0)) / 2.0) {
                cancelled.store(true, Ordering::Relaxed);
                return Err(RoadError::Cancelled);
            }
            let blob = blob.map_err(|e| RoadError::pbf(path, e))?;
            match blob.decode().map_err(|e| RoadError::pbf(path, e))? {
                BlobDecode::OsmData(block) => Ok(Some(each(&block))),
                BlobDecode::OsmHeader(header) => {
                    let unsupported: Vec<&String> = header.required_features().iter().filter(|f| !matches!(f.as_str(), "OsmSchema-V0.6" | "DenseNodes")).collect();
                    if unsupported.is_empty() {
                        Ok(None)
                    } else {
                        Err(RoadError::Format { path: path.to_path_buf(), message: format!("the extract needs features this reader does not have: {unsupported:?}") })
                    }
                }
                BlobDecode::Unknown(_) => Ok(None),
            }
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        if let Some(value) = r? {
            out.push(value);
        }
    }
    Ok(out)
}

/// A node not found in the extract (clipped away): no location packs to it.
const MISSING: u64 = u64::MAX;

/// Longitude and latitude in 1e-7 degree units (as OSM stores them), in one word.
fn pack(lon: f64, lat: f64) -> u64 {
    let e7 = |degrees: f64| (degrees * 1e7).round().clamp(-1.8e9, 1.8e9) as i32 as u32 as u64;
    (e7(lon) << 32) | e7(lat)
}

/// The longitude and latitude of a packed word; `None` for [`MISSING`].
fn unpack(word: u64) -> Option<[f64; 2]> {
    (word != MISSING).then_some([(word >> 32) as u32 as i32 as f64 * 1e-7, word as u32 as i32 as f64 * 1e-7])
}

/// Reads a PBF extract into a road network (car profile), keeping its largest strongly
/// connected part for snapping.
pub fn read_pbf(path: &Path, progress: &(dyn Fn(f32) -> bool + Sync)) -> Result<RoadNetwork, RoadError> {
    // Pass 1: drivable ways.
    let ways: Vec<Way> = blocks(path, 0, progress, |block| {
        let mut out = Vec::new();
        for element in block.elements() {
            if let Element::Way(w) = element {
                if let Some(d) = profile::car(w.tags()) {
                    let refs: Vec<i64> = w.refs().collect();
                    if refs.len() >= 2 {
                        out.push(Way { refs, speed_kmh: d.speed_kmh, direction: d.direction });
                    }
                }
            }
        }
        out
    })?
    .into_iter()
    .flatten()
    .collect();
    if ways.is_empty() {
        return Err(RoadError::Format { path: path.to_path_buf(), message: "no drivable roads in the extract (is it an OpenStreetMap .osm.pbf with highways?)".into() });
    }
    // Node ids in use, and how often: a node used twice (or a way's end) is a junction.
    let mut ids: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    ids.par_sort_unstable();
    let mut junction = Vec::new();
    let mut unique: Vec<i64> = Vec::with_capacity(ids.len() / 2);
    for run in ids.chunk_by(|a, b| a == b) {
        unique.push(run[0]);
        junction.push(run.len() > 1);
    }
    drop(ids);
    for w in &ways {
        for end in [w.refs[0], w.refs[w.refs.len() - 1]] {
            if let Ok(i) = unique.binary_search(&end) {
                junction[i] = true;
            }
        }
    }
    // Pass 2: their coordinates, in OSM's own 1e-7 degree units packed in one word
    // (half the memory of f64 pairs, no precision lost: a state has some 20 M of
    // these), written in place by the blocks as they are decoded.
    let packed: Vec<AtomicU64> = (0..unique.len()).map(|_| AtomicU64::new(MISSING)).collect();
    blocks(path, 1, progress, |block| {
        let take = |id: i64, lon: f64, lat: f64| {
            if let Ok(i) = unique.binary_search(&id) {
                packed[i].store(pack(lon, lat), Ordering::Relaxed);
            }
        };
        for element in block.elements() {
            match element {
                Element::DenseNode(n) => take(n.id(), n.lon(), n.lat()),
                Element::Node(n) => take(n.id(), n.lon(), n.lat()),
                _ => {}
            }
        }
    })?;
    let coords: Vec<u64> = packed.into_iter().map(AtomicU64::into_inner).collect();
    let location = |i: usize| unpack(coords[i]);
    // Graph nodes: junctions with a location; edges between consecutive junctions along
    // each way, split where a node is missing (a clipped extract).
    let mut graph_id = vec![u32::MAX; unique.len()];
    let mut nodes: Vec<[f64; 2]> = Vec::new();
    for i in 0..unique.len() {
        if let Some(at) = location(i).filter(|_| junction[i]) {
            graph_id[i] = nodes.len() as u32;
            nodes.push(at);
        }
    }
    let mut edges: Vec<super::RoadEdge> = Vec::new();
    for w in &ways {
        let mut from: Option<u32> = None;
        let mut metres = 0.0f64;
        let mut previous: Option<[f64; 2]> = None;
        for id in &w.refs {
            let Ok(i) = unique.binary_search(id) else { continue };
            let Some(at) = location(i) else {
                (from, previous, metres) = (None, None, 0.0);
                continue;
            };
            if let Some(p) = previous {
                metres += super::metres_between(p, at);
            }
            previous = Some(at);
            let g = graph_id[i];
            if g == u32::MAX {
                continue;
            }
            if let Some(f) = from.filter(|f| *f != g) {
                let seconds = (metres / (w.speed_kmh as f64 / 3.6)) as f32;
                match w.direction {
                    Direction::Forward => edges.push((f, g, metres as f32, seconds)),
                    Direction::Backward => edges.push((g, f, metres as f32, seconds)),
                    Direction::Both => {
                        edges.push((f, g, metres as f32, seconds));
                        edges.push((g, f, metres as f32, seconds));
                    }
                }
            }
            from = Some(g);
            metres = 0.0;
        }
    }
    if edges.is_empty() {
        return Err(RoadError::Format { path: path.to_path_buf(), message: "the extract's roads have no node locations (is the file truncated?)".into() });
    }
    Ok(RoadNetwork::from_edges(nodes, edges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_pack_into_one_word_to_the_extracts_precision() {
        for (lon, lat) in [(-77.0712345, 38.9301234), (149.1234567, -35.2809876), (-179.9999999, -89.9999999), (0.0, 0.0)] {
            let [x, y] = unpack(pack(lon, lat)).unwrap();
            assert!((x - lon).abs() < 0.6e-7 && (y - lat).abs() < 0.6e-7, "{lon},{lat} -> {x},{y}");
        }
        assert_eq!(unpack(MISSING), None);
    }
}
