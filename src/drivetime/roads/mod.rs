//! A road network for drive times: read from an OpenStreetMap extract (`osm`, car
//! `profile`), kept as a compact graph (compressed sparse rows), searched one-to-many
//! from each rep's home base (`search`). Stored in a file of its own beside the project
//! so that reopening does not read the extract again.

pub mod cache;
pub mod osm;
pub mod profile;
pub mod search;
pub mod times;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RoadError {
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("reading the road network was cancelled")]
    Cancelled,
}

impl RoadError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }

    fn pbf(path: &Path, e: osmpbf::Error) -> Self {
        Self::Format { path: path.to_path_buf(), message: format!("not a readable OpenStreetMap PBF extract ({e}); download it again (e.g. from Geofabrik)") }
    }
}

/// A road link as read: from, to, metres, seconds.
pub type RoadEdge = (u32, u32, f32, f32);

/// A directed road graph. Node `i`'s outgoing edges are `first[i]..first[i + 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct RoadNetwork {
    /// Longitude, latitude of each node.
    pub nodes: Vec<[f64; 2]>,
    pub first: Vec<u32>,
    pub targets: Vec<u32>,
    pub metres: Vec<f32>,
    pub seconds: Vec<f32>,
    /// Whether a node is in the largest strongly connected part (where points snap:
    /// from there every other such node can be reached and can reach back).
    pub main: Vec<bool>,
}

/// Distance in metres between two lon/lat points (haversine).
pub fn metres_between(a: [f64; 2], b: [f64; 2]) -> f64 {
    crate::drivetime::great_circle_km(crate::model::entities::LonLat::new(a[0], a[1]), crate::model::entities::LonLat::new(b[0], b[1])) * 1000.0
}

impl RoadNetwork {
    /// Builds the graph from (from, to, metres, seconds) edges; of parallel edges the
    /// quicker stays.
    pub fn from_edges(nodes: Vec<[f64; 2]>, mut edges: Vec<RoadEdge>) -> Self {
        edges.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(a.3.total_cmp(&b.3)));
        edges.dedup_by(|later, kept| (later.0, later.1) == (kept.0, kept.1));
        let n = nodes.len();
        let mut first = vec![0u32; n + 1];
        for e in &edges {
            first[e.0 as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let targets = edges.iter().map(|e| e.1).collect();
        let metres = edges.iter().map(|e| e.2).collect();
        let seconds = edges.iter().map(|e| e.3).collect();
        let mut network = Self { nodes, first, targets, metres, seconds, main: Vec::new() };
        network.main = network.largest_strong_component();
        network
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// The edges leaving `node`: (target, metres, seconds).
    pub fn edges(&self, node: u32) -> impl Iterator<Item = (u32, f32, f32)> + '_ {
        let range = self.first[node as usize] as usize..self.first[node as usize + 1] as usize;
        range.map(move |e| (self.targets[e], self.metres[e], self.seconds[e]))
    }

    /// The seconds of the edge from `a` to `b`, if there is one.
    pub fn edge_seconds(&self, a: u32, b: u32) -> Option<f32> {
        self.edges(a).find(|e| e.0 == b).map(|e| e.2)
    }

    /// Marks the nodes of the largest strongly connected component (iterative Tarjan).
    fn largest_strong_component(&self) -> Vec<bool> {
        let n = self.nodes.len();
        let unvisited = u32::MAX;
        let (mut index, mut low) = (vec![unvisited; n], vec![0u32; n]);
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut component = vec![u32::MAX; n];
        let (mut next_index, mut components) = (0u32, 0u32);
        let mut sizes: Vec<usize> = Vec::new();
        // Call frames: (node, next edge position).
        let mut frames: Vec<(u32, u32)> = Vec::new();
        for root in 0..n as u32 {
            if index[root as usize] != unvisited {
                continue;
            }
            frames.push((root, self.first[root as usize]));
            index[root as usize] = next_index;
            low[root as usize] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            while let Some(&mut (v, ref mut e)) = frames.last_mut() {
                if *e < self.first[v as usize + 1] {
                    let w = self.targets[*e as usize];
                    *e += 1;
                    if index[w as usize] == unvisited {
                        index[w as usize] = next_index;
                        low[w as usize] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[w as usize] = true;
                        frames.push((w, self.first[w as usize]));
                    } else if on_stack[w as usize] {
                        low[v as usize] = low[v as usize].min(index[w as usize]);
                    }
                    continue;
                }
                frames.pop();
                if let Some(&(parent, _)) = frames.last() {
                    low[parent as usize] = low[parent as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    let mut size = 0;
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        component[w as usize] = components;
                        size += 1;
                        if w == v {
                            break;
                        }
                    }
                    sizes.push(size);
                    components += 1;
                }
            }
        }
        let largest = (0..sizes.len()).max_by_key(|c| sizes[*c]).unwrap_or(0) as u32;
        component.iter().map(|c| *c == largest).collect()
    }

    /// The network of a project, if it has one: read from beside the project file.
    /// A network recorded but missing or damaged is an error naming the file.
    pub fn of_project(project: &crate::model::project::Project, project_path: &Path) -> Result<Option<Self>, RoadError> {
        match &project.road_network {
            None => Ok(None),
            Some(_) => Self::load(&Self::path_beside(project_path)).map(Some),
        }
    }

    /// The file the network of a project is kept in: `NAME.roads` beside `NAME.tdproj`.
    pub fn path_beside(project: &Path) -> PathBuf {
        project.with_extension("roads")
    }

    const MAGIC: &'static [u8; 8] = b"TDROADS1";

    /// Writes the network (atomically, like a project).
    pub fn save(&self, path: &Path) -> Result<(), RoadError> {
        let mut bytes: Vec<u8> = Vec::with_capacity(16 + self.nodes.len() * 17 + self.targets.len() * 12);
        bytes.extend_from_slice(Self::MAGIC);
        bytes.extend_from_slice(&(self.nodes.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(self.targets.len() as u64).to_le_bytes());
        for p in &self.nodes {
            bytes.extend_from_slice(&p[0].to_le_bytes());
            bytes.extend_from_slice(&p[1].to_le_bytes());
        }
        for v in &self.first {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        for v in &self.targets {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        for v in self.metres.iter().chain(&self.seconds) {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).map_err(|e| RoadError::io(path, e))?;
        let packed = gz.finish().map_err(|e| RoadError::io(path, e))?;
        crate::io::atomic::write_atomically(path, &packed).map_err(|e| RoadError::Format { path: path.to_path_buf(), message: e.to_string() })
    }

    /// Reads a network written by `save`, checking every count and index.
    pub fn load(path: &Path) -> Result<Self, RoadError> {
        let bad = |message: &str| RoadError::Format { path: path.to_path_buf(), message: format!("{message}: not a road network of this app, or damaged; import the road network again") };
        let file = std::fs::File::open(path).map_err(|e| RoadError::io(path, e))?;
        let mut bytes = Vec::new();
        // A bound, so that a damaged or hostile file cannot fill the memory.
        const LIMIT: u64 = 4 << 30;
        flate2::read::GzDecoder::new(file).take(LIMIT).read_to_end(&mut bytes).map_err(|_| bad("unreadable"))?;
        if bytes.len() < 24 || &bytes[..8] != Self::MAGIC {
            return Err(bad("no header"));
        }
        let count = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default()) as usize;
        let (n, m) = (count(8), count(16));
        let expected = n.checked_mul(16).and_then(|a| a.checked_add((n + 1) * 4)).and_then(|a| m.checked_mul(12).and_then(|b| a.checked_add(b))).and_then(|a| a.checked_add(24));
        if expected != Some(bytes.len()) {
            return Err(bad("wrong length"));
        }
        let mut at = 24;
        let mut take = |len: usize| {
            let slice = &bytes[at..at + len];
            at += len;
            slice
        };
        let f64s = |b: &[u8]| b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default())).collect::<Vec<_>>();
        let coords = f64s(take(n * 16));
        let nodes: Vec<[f64; 2]> = coords.chunks_exact(2).map(|c| [c[0], c[1]]).collect();
        let u32s = |b: &[u8]| b.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default())).collect::<Vec<_>>();
        let f32s = |b: &[u8]| b.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap_or_default())).collect::<Vec<_>>();
        let first = u32s(take((n + 1) * 4));
        let targets = u32s(take(m * 4));
        let metres = f32s(take(m * 4));
        let seconds = f32s(take(m * 4));
        let ordered = first.first() == Some(&0) && first.windows(2).all(|w| w[0] <= w[1]) && first.last().copied() == Some(m as u32);
        if !ordered || targets.iter().any(|t| *t as usize >= n) || seconds.iter().chain(&metres).any(|v| !v.is_finite() || *v < 0.0) {
            return Err(bad("inconsistent graph"));
        }
        let mut network = Self { nodes, first, targets, metres, seconds, main: Vec::new() };
        network.main = network.largest_strong_component();
        Ok(network)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 0 <-> 1 <-> 2 and 2 -> 3 (3 cannot come back): the main part is 0, 1, 2.
    fn small() -> RoadNetwork {
        let nodes = vec![[0.0, 0.0], [0.01, 0.0], [0.02, 0.0], [0.03, 0.0]];
        let e = |a, b| (a, b, 1000.0, 60.0);
        RoadNetwork::from_edges(nodes, vec![e(0, 1), e(1, 0), e(1, 2), e(2, 1), e(2, 3), (0, 1, 1000.0, 90.0)])
    }

    #[test]
    fn compact_rows_the_quickest_parallel_edge_and_the_main_part() {
        let g = small();
        assert_eq!(g.edge_count(), 5, "the slower parallel edge 0->1 is dropped");
        assert_eq!(g.edge_seconds(0, 1), Some(60.0));
        assert_eq!(g.edge_seconds(3, 2), None);
        assert_eq!(g.main, vec![true, true, true, false]);
    }

    #[test]
    fn saves_and_loads_and_refuses_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.roads");
        let g = small();
        g.save(&path).unwrap();
        assert_eq!(RoadNetwork::load(&path).unwrap(), g);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(RoadNetwork::load(&path).unwrap_err().to_string().contains("import the road network again"));
        std::fs::write(&path, b"hello").unwrap();
        assert!(RoadNetwork::load(&path).is_err());
    }
}
