//! Mutation fuzzing of the readers: seeds from ../shared/data and the bundled sample,
//! mutated (bit flips, interesting integers, cuts, duplicated and deleted runs, splices)
//! and fed to the reader under `catch_unwind`. A panic is a bug: its input is kept in
//! `tests/fuzz_corpus/TARGET/` (which `tests/fuzz_regressions.rs` replays in every test
//! run) and the run fails.
//!
//!     fuzz TARGET SECONDS [SEED]      TARGET: project | geojson | shapefile | csv

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use territory_designer::io::import::{accounts, alignment, columns, geojson_reader, reps, shapefile_reader, units};
use territory_designer::io::project_file;

/// A small fast PRNG (xorshift64*): reproducible runs from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const INTERESTING: [u32; 10] = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        if data.is_empty() {
            data.push(rng.next() as u8);
            continue;
        }
        let at = rng.below(data.len());
        match rng.below(8) {
            0 => data[at] ^= 1 << rng.below(8),
            1 => data[at] = rng.next() as u8,
            2 => {
                let v = INTERESTING[rng.below(INTERESTING.len())];
                let bytes = if rng.below(2) == 0 { v.to_le_bytes() } else { v.to_be_bytes() };
                for (i, b) in bytes.iter().enumerate() {
                    if let Some(slot) = data.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
            3 => data.truncate(at),
            4 => {
                let len = rng.below(64.min(data.len() - at)) + 1;
                data.drain(at..(at + len).min(data.len()));
            }
            5 => {
                let len = rng.below(256.min(data.len() - at)) + 1;
                let run: Vec<u8> = data[at..(at + len).min(data.len())].to_vec();
                let times = 1 + rng.below(16);
                for _ in 0..times {
                    data.splice(at..at, run.iter().copied());
                }
            }
            6 => {
                // Characters that matter to the formats.
                let special = b"\",:[]{}\n\r;'-=+e.0123456789\\\0";
                data[at] = special[rng.below(special.len())];
            }
            _ => {
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let len = rng.below(512.min(other.len() - from)) + 1;
                    data.splice(at..at, other[from..from + len].iter().copied());
                }
            }
        }
    }
    data
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).expect("seed decompresses");
        out
    } else {
        bytes.to_vec()
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// The first `lines` lines of a text file.
fn head(bytes: &[u8], lines: usize) -> Vec<u8> {
    let end = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(lines).map_or(bytes.len(), |(i, _)| i + 1);
    bytes[..end].to_vec()
}

fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    run: Box<dyn Fn(&[u8], &Path)>,
}

fn targets(shared: &Path, scratch: &Path) -> Vec<Target> {
    let data = shared.join("data");
    let sample = read(Path::new("../sample_maps/mid_atlantic.tdproj")).or_else(|| read(Path::new("sample_maps/mid_atlantic.tdproj")));
    let project_seeds: Vec<Vec<u8>> = sample.iter().map(|s| gunzip(s)).collect();
    let geojson_seeds: Vec<Vec<u8>> = ["zcta/DC_zctas.geojson.gz", "zcta/DE_zctas.geojson.gz", "bench/nc_sids2.geojson"].iter().filter_map(|f| read(&data.join(f))).map(|b| gunzip(&b)).collect();
    let shp_dir = data.join("shapefiles/nj_zcta");
    let shapefile_seeds: Vec<Vec<u8>> = ["shp", "dbf", "shx"].iter().filter_map(|e| read(&shp_dir.join(format!("nj_zcta.{e}")))).collect();
    let csv_seeds: Vec<Vec<u8>> = ["accounts/hifld_public_schools_florida.csv", "centroids/zcta_centroids_census2020.csv", "demographics/county_population_2023.csv"]
        .iter()
        .filter_map(|f| read(&data.join(f)))
        .map(|b| head(&b, 60))
        .chain(std::iter::once(b"name;lat;lon;potential\r\nA;39,7;-75,6;1.234\r\nB;39,2;-75,5;2.500,5\r\n".to_vec()))
        .collect();
    let units_for_csv = sample.as_ref().and_then(|s| project_file::from_bytes(s, Path::new("sample")).ok());
    let shp_scratch = scratch.to_path_buf();
    let shp_source = shp_dir.clone();
    vec![
        Target {
            name: "project",
            seeds: project_seeds,
            run: Box::new(|bytes, _| {
                let _ = project_file::from_bytes(bytes, Path::new("fuzz.tdproj"));
                let _ = project_file::from_bytes(&gzip(bytes), Path::new("fuzz.tdproj"));
            }),
        },
        Target {
            name: "geojson",
            seeds: geojson_seeds,
            run: Box::new(|bytes, _| {
                if let Ok(table) = geojson_reader::parse(bytes, Path::new("fuzz.geojson")) {
                    let _ = units::build(&[table], &units::UnitsOptions::default(), &mut |_| true);
                }
            }),
        },
        Target {
            name: "shapefile",
            seeds: shapefile_seeds,
            // The input is one of the three files (by its first bytes); the other two
            // are the seed's.
            run: Box::new(move |bytes, _| {
                let ext = shapefile_ext(bytes);
                let dir = &shp_scratch;
                for e in ["shp", "dbf", "shx", "prj"] {
                    let _ = std::fs::copy(shp_source.join(format!("nj_zcta.{e}")), dir.join(format!("f.{e}")));
                }
                std::fs::write(dir.join(format!("f.{ext}")), bytes).unwrap();
                if let Ok((table, _)) = shapefile_reader::read(&dir.join("f.shp"), &mut |_| true) {
                    let _ = units::build(&[table], &units::UnitsOptions::default(), &mut |_| true);
                }
            }),
        },
        Target {
            name: "csv",
            seeds: csv_seeds,
            run: Box::new(move |bytes, _| {
                let Ok(table) = columns::parse_csv(bytes, Path::new("fuzz.csv")) else { return };
                let mapping = accounts::AccountMapping::guess(&table);
                if let Some(project) = &units_for_csv {
                    let index = territory_designer::spatial::UnitIndex::new(&project.units);
                    let _ = accounts::build(&table, &mapping, &project.units, &index, &project.reps, 0);
                    let _ = reps::build(&table, &project.units, &project.settings);
                    let palette = territory_designer::model::palette::territory_palette(12);
                    let _ = alignment::build(&table, project, "fuzz", &palette);
                }
            }),
        },
    ]
}

/// Which of a shapefile's three files an input is, by its first bytes.
fn shapefile_ext(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0, 0, 0x27, 0x0a]) && bytes.len() > 100 && shx_like(bytes) {
        "shx"
    } else if bytes.starts_with(&[0, 0, 0x27, 0x0a]) {
        "shp"
    } else {
        "dbf"
    }
}

/// A .shx is a .shp header followed by 8-byte index records only.
fn shx_like(bytes: &[u8]) -> bool {
    let words = u32::from_be_bytes([bytes[24], bytes[25], bytes[26], bytes[27]]) as usize;
    words * 2 == bytes.len() && (bytes.len() - 100) % 8 == 0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(target), Some(seconds)) = (args.get(1), args.get(2).and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: fuzz project|geojson|shapefile|csv SECONDS [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15u64);
    let shared = [PathBuf::from("../shared"), PathBuf::from("../../shared")].into_iter().find(|p| p.exists()).unwrap_or_else(|| PathBuf::from("../shared"));
    let scratch = tempfile::tempdir().unwrap();
    let corpus_dir = [PathBuf::from("tests/fuzz_corpus"), PathBuf::from("../tests/fuzz_corpus")].into_iter().find(|p| p.exists()).unwrap_or_else(|| PathBuf::from("tests/fuzz_corpus"));
    let all = targets(&shared, scratch.path());
    let Some(t) = all.iter().find(|t| t.name == target) else {
        eprintln!("unknown target {target}");
        std::process::exit(2);
    };
    if t.seeds.is_empty() {
        eprintln!("{}: no seeds (is ../shared/data beside the repository?)", t.name);
        std::process::exit(2);
    }
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let (mut runs, mut crashes, mut slowest) = (0u64, 0u32, Duration::ZERO);
    while started.elapsed() < Duration::from_secs(seconds) {
        let s = &t.seeds[rng.below(t.seeds.len())];
        let other = &t.seeds[rng.below(t.seeds.len())];
        let input = mutate(&mut rng, s, other);
        let one = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (t.run)(&input, scratch.path())));
        slowest = slowest.max(one.elapsed());
        runs += 1;
        if outcome.is_err() {
            crashes += 1;
            let crc = { let mut c = flate2::Crc::new(); c.update(&input); c.sum() };
            let dir = corpus_dir.join(t.name);
            let _ = std::fs::create_dir_all(&dir);
            let suffix = if t.name == "shapefile" { format!(".{}", shapefile_ext(&input)) } else { String::new() };
            let file = dir.join(format!("crash-{crc:08x}{suffix}"));
            std::fs::write(&file, &input).unwrap();
            println!("{}: PANIC, input kept as {}", t.name, file.display());
        }
    }
    println!("{}: {runs} inputs in {:.0} s, {crashes} panics, slowest input {:.2} s", t.name, started.elapsed().as_secs_f64(), slowest.as_secs_f64());
    if crashes > 0 {
        std::process::exit(1);
    }
}
