//! Reading a state-size OpenStreetMap extract. No 300-500 MB extract is at hand, so this
//! writes one: a PBF of the same make-up as a state's (dense nodes, ways with tags,
//! zlib blobs of 8,000 elements), with a road grid of 1,450 x 1,450 junctions (2.1 M
//! graph nodes once pass-through nodes are merged), 4 shape nodes between junctions,
//! a motorway every 20th row, one-way streets every 7th column, and 8 M buildings
//! (40 M nodes) that the car profile must skip. Coordinates carry pseudo-random
//! jitter, so blobs compress as real ones do (about 7 bytes a node). Then it times `read_pbf` on it.
//!
//! `cargo bench --bench pbf_import` (the file is kept in target/bench-data). For the
//! memory figure, run the app's own import on it under `/usr/bin/time -v`:
//! `territory-designer roads PROJECT --osm target/bench-data/state_synthetic.osm.pbf`.

use flate2::write::ZlibEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const SIDE: i64 = 1450;
const SHAPE: i64 = 4;
const BUILDINGS: i64 = 8_000_000;
const BUILDING_NODES: i64 = 5;
const PER_BLOCK: usize = 8000;
const ORIGIN: [f64; 2] = [-78.0, 40.0];
const STEP: f64 = 0.0027;

/// A protobuf message being written.
#[derive(Default)]
struct Message(Vec<u8>);

impl Message {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn key(&mut self, field: u32, wire: u32) {
        self.varint(((field << 3) | wire) as u64);
    }
    fn uint(&mut self, field: u32, v: u64) {
        self.key(field, 0);
        self.varint(v);
    }
    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.key(field, 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn packed_sint(&mut self, field: u32, values: impl Iterator<Item = i64>) {
        let mut inner = Message::default();
        for v in values {
            inner.varint(((v << 1) ^ (v >> 63)) as u64);
        }
        self.bytes(field, &inner.0);
    }
    fn packed_uint(&mut self, field: u32, values: impl Iterator<Item = u64>) {
        let mut inner = Message::default();
        for v in values {
            inner.varint(v);
        }
        self.bytes(field, &inner.0);
    }
}

/// Delta coding, as dense nodes and way refs are stored.
fn deltas(values: &[i64]) -> impl Iterator<Item = i64> + '_ {
    values.iter().scan(0i64, |last, v| {
        let d = v - *last;
        *last = *v;
        Some(d)
    })
}

/// A way as written: id, tags as string-table (key, value) indices, node refs.
type WayRecord = (i64, Vec<(u64, u64)>, Vec<i64>);

const STRINGS: [&str; 9] = ["", "highway", "residential", "motorway", "oneway", "yes", "building", "name", "Main Street"];

struct Writer<W: Write> {
    out: W,
    bytes: u64,
}

impl<W: Write> Writer<W> {
    fn blob(&mut self, kind: &str, raw: &[u8]) {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
        z.write_all(raw).unwrap();
        let compressed = z.finish().unwrap();
        let mut blob = Message::default();
        blob.uint(2, raw.len() as u64);
        blob.bytes(3, &compressed);
        let mut header = Message::default();
        header.bytes(1, kind.as_bytes());
        header.uint(3, blob.0.len() as u64);
        self.out.write_all(&(header.0.len() as u32).to_be_bytes()).unwrap();
        self.out.write_all(&header.0).unwrap();
        self.out.write_all(&blob.0).unwrap();
        self.bytes += 4 + header.0.len() as u64 + blob.0.len() as u64;
    }

    fn block(&mut self, group: Message) {
        let mut table = Message::default();
        for s in STRINGS {
            table.bytes(1, s.as_bytes());
        }
        let mut block = Message::default();
        block.bytes(1, &table.0);
        block.bytes(2, &group.0);
        self.blob("OSMData", &block.0);
    }

    fn nodes(&mut self, nodes: &[(i64, f64, f64)]) {
        let ids: Vec<i64> = nodes.iter().map(|n| n.0).collect();
        let lats: Vec<i64> = nodes.iter().map(|n| (n.2 * 1e7).round() as i64).collect();
        let lons: Vec<i64> = nodes.iter().map(|n| (n.1 * 1e7).round() as i64).collect();
        let mut dense = Message::default();
        dense.packed_sint(1, deltas(&ids));
        dense.packed_sint(8, deltas(&lats));
        dense.packed_sint(9, deltas(&lons));
        let mut group = Message::default();
        group.bytes(2, &dense.0);
        self.block(group);
    }

    fn ways(&mut self, ways: &[WayRecord]) {
        let mut group = Message::default();
        for (id, tags, refs) in ways {
            let mut way = Message::default();
            way.uint(1, *id as u64);
            way.packed_uint(2, tags.iter().map(|t| t.0));
            way.packed_uint(3, tags.iter().map(|t| t.1));
            way.packed_sint(8, deltas(refs));
            group.bytes(3, &way.0);
        }
        self.block(group);
    }
}

/// A repeatable pseudo-random offset in -1..1 for an id (splitmix64).
fn jitter(id: i64, salt: u64) -> f64 {
    let mut z = (id as u64).wrapping_add(salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

fn junction(r: i64, c: i64) -> i64 {
    r * SIDE + c + 1
}

fn write_state(path: &Path) -> u64 {
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut w = Writer { out: file, bytes: 0 };
    let mut header = Message::default();
    header.bytes(4, b"OsmSchema-V0.6");
    header.bytes(4, b"DenseNodes");
    w.blob("OSMHeader", &header.0);
    let at = |r: i64, c: i64| (ORIGIN[0] + c as f64 * STEP * 1.3, ORIGIN[1] + r as f64 * STEP);
    // Nodes, in id order: junctions, shape nodes, building corners.
    let mut batch: Vec<(i64, f64, f64)> = Vec::with_capacity(PER_BLOCK);
    let flush = |w: &mut Writer<_>, batch: &mut Vec<(i64, f64, f64)>, force: bool| {
        if batch.len() >= PER_BLOCK || (force && !batch.is_empty()) {
            w.nodes(batch);
            batch.clear();
        }
    };
    for r in 0..SIDE {
        for c in 0..SIDE {
            let (lon, lat) = at(r, c);
            batch.push((junction(r, c), lon, lat));
            flush(&mut w, &mut batch, false);
        }
    }
    // Shape node k between junction (r, c) and its east (dir 0) or north (dir 1)
    // neighbour: id after all junctions.
    let shape_id = |r: i64, c: i64, dir: i64, k: i64| SIDE * SIDE + 1 + ((r * SIDE + c) * 2 + dir) * SHAPE + k;
    for r in 0..SIDE {
        for c in 0..SIDE {
            for dir in 0..2 {
                let (r2, c2) = if dir == 0 { (r, c + 1) } else { (r + 1, c) };
                if r2 >= SIDE || c2 >= SIDE {
                    continue;
                }
                let (a, b) = (at(r, c), at(r2, c2));
                for k in 0..SHAPE {
                    let t = (k + 1) as f64 / (SHAPE + 1) as f64;
                    // A little wiggle, as real roads have.
                    let id = shape_id(r, c, dir, k);
                    batch.push((id, a.0 + t * (b.0 - a.0) + 0.0001 * jitter(id, 1), a.1 + t * (b.1 - a.1) + 0.0001 * jitter(id, 2)));
                    flush(&mut w, &mut batch, false);
                }
            }
        }
    }
    let building_base = shape_id(SIDE, 0, 0, 0);
    for b in 0..BUILDINGS {
        let (r, c) = (b / SIDE % SIDE, b % SIDE);
        let (lon, lat) = at(r, c);
        let (x, y) = (lon + 0.0012 * jitter(b, 3), lat + 0.0012 * jitter(b, 4));
        for k in 0..BUILDING_NODES {
            let id = building_base + b * BUILDING_NODES + k;
            batch.push((id, x + 0.0001 * jitter(id, 5), y + 0.0001 * jitter(id, 6)));
            flush(&mut w, &mut batch, false);
        }
    }
    flush(&mut w, &mut batch, true);
    // Ways: each row and column in streets of 10 blocks; then the buildings.
    let mut ways: Vec<WayRecord> = Vec::with_capacity(PER_BLOCK);
    let mut way_id = 1i64;
    let flush_ways = |w: &mut Writer<_>, ways: &mut Vec<_>, force: bool| {
        if ways.len() >= PER_BLOCK || (force && !ways.is_empty()) {
            w.ways(ways);
            ways.clear();
        }
    };
    for dir in 0..2 {
        for line in 0..SIDE {
            let mut start = 0;
            while start < SIDE - 1 {
                let end = (start + 10).min(SIDE - 1);
                let mut refs = Vec::new();
                for i in start..end {
                    let (r, c) = if dir == 0 { (line, i) } else { (i, line) };
                    refs.push(junction(r, c));
                    refs.extend((0..SHAPE).map(|k| shape_id(r, c, dir, k)));
                }
                refs.push(if dir == 0 { junction(line, end) } else { junction(end, line) });
                let mut tags = vec![(1, if dir == 0 && line % 20 == 0 { 3 } else { 2 }), (7, 8)];
                if dir == 1 && line % 7 == 3 {
                    tags.push((4, 5));
                }
                ways.push((way_id, tags, refs));
                way_id += 1;
                flush_ways(&mut w, &mut ways, false);
                start = end;
            }
        }
    }
    for b in 0..BUILDINGS {
        let first = building_base + b * BUILDING_NODES;
        let mut refs: Vec<i64> = (0..BUILDING_NODES).map(|k| first + k).collect();
        refs.push(first);
        ways.push((way_id, vec![(6, 5)], refs));
        way_id += 1;
        flush_ways(&mut w, &mut ways, false);
    }
    flush_ways(&mut w, &mut ways, true);
    w.out.flush().unwrap();
    w.bytes
}

fn main() {
    // `cargo test --benches` runs every bench target once with --bench absent: nothing
    // to write then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state_synthetic.osm.pbf");
    if !path.exists() {
        let started = Instant::now();
        let bytes = write_state(&path);
        eprintln!("wrote {} ({} MB) in {:.1} s", path.display(), bytes / 1_000_000, started.elapsed().as_secs_f64());
    }
    let size = std::fs::metadata(&path).unwrap().len();
    let started = Instant::now();
    let network = territory_designer::drivetime::roads::osm::read_pbf(&path, &|_| true).expect("the synthetic extract reads");
    let secs = started.elapsed().as_secs_f64();
    let main = network.main.iter().filter(|m| **m).count();
    println!("read_pbf: {} MB extract -> {} junctions, {} links ({} in the main part) in {secs:.1} s", size / 1_000_000, network.node_count(), network.edge_count(), main);
    assert!(network.node_count() as i64 >= SIDE * SIDE - SIDE, "every junction is a graph node");
}
