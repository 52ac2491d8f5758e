//! How much a file from someone else may make us read: project files and GeoJSON may be
//! gzip bombs (13 MB that expand to 3 GB), CSV files may hold one line of hundreds of
//! megabytes. Readers go through these caps so memory stays bounded and the planner is
//! told which file and which limit.
//!
//! The limits sit well above real data: the national project (29,984 ZIPs, 200,000
//! accounts) expands to 167 MB; all US ZIP polygons at full resolution are under 1 GB of
//! GeoJSON; a CRM export of a million accounts is about 200 MB.

use std::io::{self, Read};
use std::path::Path;

/// The most a project file may expand to.
pub const MAX_PROJECT_BYTES: u64 = 1 << 30;
/// The most a GeoJSON file may expand to.
pub const MAX_GEOJSON_BYTES: u64 = 2 << 30;
/// The largest CSV file read.
pub const MAX_CSV_BYTES: u64 = 2 << 30;
/// The longest line of a CSV file.
pub const MAX_CSV_LINE_BYTES: usize = 1 << 20;
/// The longest run of bytes in a JSON document without a comma, quote, bracket, brace or
/// colon: far beyond any name or number, far below a planted 3 GB string.
pub const MAX_JSON_RUN_BYTES: u64 = 16 << 20;

/// A limit written for people: "1 GB", "16 MB".
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{} GB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", bytes >> 10)
    }
}

/// Why a file was not read whole.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("it expands to more than {} (the limit for this kind of file); it is not a file this app wrote or can use", size_text(*.0))]
    TooLarge(u64),
    #[error("it holds a value longer than {} (a planted string, or not this kind of file)", size_text(*.0))]
    RunTooLong(u64),
    #[error("line {line} is longer than {} (the limit for a line): it is not a CSV export of accounts, reps or an alignment", size_text(*limit))]
    LineTooLong { line: usize, limit: u64 },
    #[error("the compressed data is damaged ({0}); copy or extract the file again")]
    Damaged(io::Error),
}

/// A reader that fails once more than `limit` bytes came through, or once a JSON value
/// runs longer than `run_limit` without a structural character.
pub struct Capped<R> {
    inner: R,
    read: u64,
    limit: u64,
    run: u64,
    run_limit: Option<u64>,
    /// Bytes of the current line, line feeds seen, and the longest a line may be.
    line: u64,
    lines: usize,
    line_limit: Option<u64>,
}

impl<R: Read> Capped<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        Self { inner, read: 0, limit, run: 0, run_limit: None, line: 0, lines: 0, line_limit: None }
    }

    /// Also watches for overlong lines (CSV).
    pub fn lines(inner: R, limit: u64, line_limit: u64) -> Self {
        Self { line_limit: Some(line_limit), ..Self::new(inner, limit) }
    }

    /// Also watches for overlong JSON values.
    pub fn json(inner: R, limit: u64) -> Self {
        Self { run_limit: Some(MAX_JSON_RUN_BYTES), ..Self::new(inner, limit) }
    }
}

/// The marker inside an `io::Error` that says which cap was hit.
#[derive(Debug)]
struct Hit(LimitHit);

#[derive(Debug, Clone, Copy)]
enum LimitHit {
    Total(u64),
    Run(u64),
    Line(usize, u64),
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "limit reached: {:?}", self.0)
    }
}

impl std::error::Error for Hit {}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(Hit(LimitHit::Total(self.limit))));
        }
        if let Some(line_limit) = self.line_limit {
            for &b in &buf[..n] {
                if b == b'\n' {
                    self.lines += 1;
                    self.line = 0;
                } else {
                    self.line += 1;
                }
            }
            if self.line > line_limit {
                return Err(io::Error::other(Hit(LimitHit::Line(self.lines + 1, line_limit))));
            }
        }
        if let Some(run_limit) = self.run_limit {
            let chunk = &buf[..n];
            let structural = |b: &u8| matches!(b, b',' | b'"' | b'[' | b']' | b'{' | b'}' | b':');
            // JSON has a structural byte every few bytes: looking from both ends of the
            // chunk stops almost at once, so the watch costs nothing on real files.
            match (chunk.iter().position(structural), chunk.iter().rposition(structural)) {
                (Some(first), Some(last)) => {
                    let longest_inside = if n as u64 > run_limit { longest_run(chunk, structural) } else { 0 };
                    if self.run + first as u64 > run_limit || longest_inside > run_limit {
                        return Err(io::Error::other(Hit(LimitHit::Run(run_limit))));
                    }
                    self.run = (n - last - 1) as u64;
                }
                _ => self.run += n as u64,
            }
            if self.run > run_limit {
                return Err(io::Error::other(Hit(LimitHit::Run(run_limit))));
            }
        }
        Ok(n)
    }
}

/// The longest run of bytes that are not `structural`.
fn longest_run(bytes: &[u8], structural: impl Fn(&u8) -> bool) -> u64 {
    let (mut longest, mut run) = (0u64, 0u64);
    for b in bytes {
        if structural(b) {
            run = 0;
        } else {
            run += 1;
            longest = longest.max(run);
        }
    }
    longest
}

/// Turns an error from reading through `Capped` into the limit it hit, if it hit one.
pub fn classify(e: io::Error) -> LimitError {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Hit>()) {
        Some(Hit(LimitHit::Total(limit))) => LimitError::TooLarge(*limit),
        Some(Hit(LimitHit::Run(limit))) => LimitError::RunTooLong(*limit),
        Some(Hit(LimitHit::Line(line, limit))) => LimitError::LineTooLong { line: *line, limit: *limit },
        None => LimitError::Io(e),
    }
}

/// What else to watch while reading a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    Nothing,
    /// The length of JSON values.
    JsonValues,
    /// The length of lines (CSV).
    Lines,
}

/// Reads a file whole, decompressing gzip when its bytes say so, up to `limit` bytes of
/// content, watching what `watch` says.
pub fn read_file(path: &Path, limit: u64, watch: Watch) -> Result<Vec<u8>, LimitError> {
    let file = std::fs::File::open(path)?;
    let mut head = [0u8; 2];
    let mut reader = io::BufReader::new(file);
    let gz = {
        use io::BufRead;
        let buf = reader.fill_buf()?;
        head[..buf.len().min(2)].copy_from_slice(&buf[..buf.len().min(2)]);
        head == [0x1f, 0x8b]
    };
    let source: Box<dyn Read> = if gz { Box::new(flate2::read::MultiGzDecoder::new(reader)) } else { Box::new(reader) };
    let mut capped = match watch {
        Watch::Nothing => Capped::new(source, limit),
        Watch::JsonValues => Capped::json(source, limit),
        Watch::Lines => Capped::lines(source, limit, MAX_CSV_LINE_BYTES as u64),
    };
    let mut out = Vec::new();
    match capped.read_to_end(&mut out) {
        Ok(_) => Ok(out),
        Err(e) => match classify(e) {
            LimitError::Io(e) if gz && matches!(e.kind(), io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof) => {
                Err(LimitError::Damaged(e))
            }
            other => Err(other),
        },
    }
}

/// The first line longer than `limit` bytes, if any: (line number, its length so far).
pub fn overlong_line(bytes: &[u8], limit: usize) -> Option<(usize, usize)> {
    let mut start = 0;
    for (line, end) in bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).chain(std::iter::once(bytes.len())).enumerate() {
        if end - start > limit {
            return Some((line + 1, end - start));
        }
        start = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.json.gz");
        std::fs::write(&path, gzip(&vec![b'a'; 32 << 20])).unwrap();
        assert!(matches!(read_file(&path, 1 << 20, Watch::Nothing), Err(LimitError::TooLarge(_))));
        // As JSON, the endless value is the tell, long before the size limit.
        assert!(matches!(read_file(&path, 1 << 30, Watch::JsonValues), Err(LimitError::RunTooLong(MAX_JSON_RUN_BYTES))));
        assert_eq!(read_file(&path, 64 << 20, Watch::Nothing).unwrap().len(), 32 << 20);
    }

    #[test]
    fn json_values_of_reasonable_length_pass() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.json");
        std::fs::write(&path, br#"{"a":[1.5,2.25],"b":"name"}"#).unwrap();
        assert_eq!(read_file(&path, 1 << 20, Watch::JsonValues).unwrap().len(), 27);
        let mut capped = Capped::json(&b"[\"xxxxxxxxxxxxxxxxxxxxx\"]"[..], 1 << 20);
        capped.run_limit = Some(8);
        let mut out = Vec::new();
        assert!(matches!(classify(capped.read_to_end(&mut out).unwrap_err()), LimitError::RunTooLong(8)));
    }

    #[test]
    fn damaged_compression_is_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.gz");
        let whole = gzip(&vec![b'x'; 100_000]);
        std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
        assert!(matches!(read_file(&path, 1 << 20, Watch::Nothing), Err(LimitError::Damaged(_))), "{:?}", read_file(&path, 1 << 20, Watch::Nothing));
    }

    #[test]
    fn a_csv_line_of_many_megabytes_stops_the_read_early() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one_line.csv");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"name,potential\n").unwrap();
        for _ in 0..8 {
            file.write_all(&vec![b'x'; 1 << 20]).unwrap();
        }
        drop(file);
        let err = read_file(&path, 1 << 30, Watch::Lines).unwrap_err();
        assert!(matches!(err, LimitError::LineTooLong { line: 2, .. }), "{err:?}");
        assert!(err.to_string().starts_with("line 2 is longer than 1 MB"), "{err}");
    }

    #[test]
    fn overlong_lines_are_found() {
        assert_eq!(overlong_line(b"a,b\n1,2\n", 10), None);
        assert_eq!(overlong_line(b"a,b\n1234567890123\n", 10), Some((2, 13)));
        assert_eq!(overlong_line(b"a,b\n1234567890123", 10), Some((2, 13)));
    }
}
