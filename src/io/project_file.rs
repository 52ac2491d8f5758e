//! The project file (`.tdproj`): one self-contained, gzip-compressed JSON document with a
//! format tag and a schema version. Saves are atomic (temp file, fsync, rename); loads
//! name the problem and never panic; files from a newer schema are refused.

use crate::model::project::Project;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use crate::io::limits;
use crate::io::shared_file::{self, Fingerprint};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The format tag every project file carries.
pub const FORMAT: &str = "territory-designer-project";
/// The schema this build writes and the newest it reads. 2: unit rings as flat lists of
/// numbers (1: geo's `{"x", "y"}` objects, still read).
pub const SCHEMA_VERSION: u32 = 2;
/// The file extension of project files.
pub const EXTENSION: &str = "tdproj";

#[derive(Debug, Error)]
pub enum ProjectFileError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot save {path}: {source}. The previous file, if any, is unchanged")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path} is empty: it is not a Territory Designer project")]
    Empty { path: PathBuf },
    #[error("{path} is truncated or damaged ({detail}); open its autosave or a backup copy")]
    Damaged { path: PathBuf, detail: String },
    #[error("{path} is not a Territory Designer project ({detail})")]
    NotAProject { path: PathBuf, detail: String },
    #[error(
        "{path} was saved by a newer Territory Designer (schema version {found}; this version reads up to {supported}). Update Territory Designer to open it"
    )]
    NewerVersion { path: PathBuf, found: u32, supported: u32 },
    #[error("{path} is inconsistent: {detail}")]
    Invalid { path: PathBuf, detail: String },
    #[error("{path} was changed by someone else (another window, an `optimize` run, a colleague) since it was read; it was not overwritten")]
    ChangedOnDisk { path: PathBuf },
}

/// The envelope around the project. Fields this version does not know are ignored on
/// load and not written back: a file with a newer schema version is refused instead, so
/// nothing a newer version relies on can be lost by an older one. (Not flattened: a
/// flattened map makes serde buffer the whole project before parsing it.)
#[derive(Serialize, Deserialize)]
struct Envelope<P> {
    format: String,
    schema_version: u32,
    #[serde(default)]
    saved_by: String,
    project: P,
}

struct Header {
    format: Option<String>,
    schema_version: Option<u32>,
}

/// Serializes a project to the bytes of a project file.
pub fn to_bytes(project: &Project) -> io::Result<Vec<u8>> {
    let envelope = Envelope {
        format: FORMAT.to_string(),
        schema_version: SCHEMA_VERSION,
        saved_by: format!("territory-designer {}", env!("CARGO_PKG_VERSION")),
        project,
    };
    // Serialize first, then compress in one go: serde's many small writes straight into
    // the encoder cost 40 s on all US ZIPs. The fast level is 10x quicker than the
    // default for a file 15% larger.
    let json = serde_json::to_vec(&envelope).map_err(io::Error::other)?;
    // Small projects compress well at little cost; a national one would take seconds.
    let level = if json.len() < 16 << 20 { Compression::default() } else { Compression::fast() };
    let mut encoder = GzEncoder::new(Vec::with_capacity(json.len() / 4), level);
    encoder.write_all(&json)?;
    encoder.finish()
}

pub use crate::io::atomic::write_atomically;

/// Saves atomically (see `write_atomically`): a crash leaves either the old or the new
/// file, with the old file's permissions, owner and links kept.
pub fn save(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    save_checked(project, path, None).map(|_| ())
}

/// Saves like `save`, but only if the file is still what was read (`read`: its
/// fingerprint then; `None` to replace whatever is there). Returns the fingerprint of
/// what was written, for the next save.
pub fn save_checked(project: &Project, path: &Path, read: Option<&Fingerprint>) -> Result<Fingerprint, ProjectFileError> {
    let write_err = |source| ProjectFileError::Write { path: path.to_path_buf(), source };
    let bytes = to_bytes(project).map_err(write_err)?;
    if let Some(read) = read {
        if !shared_file::unchanged_since(path, read).map_err(write_err)? {
            return Err(ProjectFileError::ChangedOnDisk { path: path.to_path_buf() });
        }
    }
    write_atomically(path, &bytes).map_err(write_err)?;
    // What is on disk now, for the next check: the bytes just written, not read back.
    Ok(shared_file::fingerprint_of(path, &bytes))
}

/// Loads a project and remembers what the file was, for `save_checked`.
pub fn load_tracked(path: &Path) -> Result<(Project, Fingerprint), ProjectFileError> {
    let read_err = |source| ProjectFileError::Read { path: path.to_path_buf(), source };
    let before = shared_file::fingerprint(path).map_err(read_err)?;
    let project = load(path)?;
    let fingerprint = before.ok_or_else(|| read_err(io::Error::from(io::ErrorKind::NotFound)))?;
    Ok((project, fingerprint))
}

/// Loads and validates a project file (and removes temporary files that killed saves
/// of it left behind). Memory stays bounded whatever the file holds: the header is
/// checked on the first bytes, and the content may expand to `MAX_PROJECT_BYTES`.
pub fn load(path: &Path) -> Result<Project, ProjectFileError> {
    crate::io::atomic::remove_dead_temp_files(path);
    let read_err = |source| ProjectFileError::Read { path: path.to_path_buf(), source };
    let file = fs::File::open(path).map_err(read_err)?;
    let mut first = Vec::with_capacity(HEADER_BYTES);
    (&file).take(HEADER_BYTES as u64).read_to_end(&mut first).map_err(read_err)?;
    check_header(&decompressed_prefix(&first, path)?, path)?;
    let json = limits::read_file(path, limits::MAX_PROJECT_BYTES, limits::Watch::JsonValues).map_err(|e| limit_error(e, path))?;
    parse(&json, path)
}

/// How many bytes the header must show up in.
const HEADER_BYTES: usize = 64 << 10;

/// The first bytes of the document: decompressed when gzip (as far as they go).
fn decompressed_prefix(first: &[u8], path: &Path) -> Result<Vec<u8>, ProjectFileError> {
    if !first.starts_with(&[0x1f, 0x8b]) {
        return Ok(first.to_vec());
    }
    let mut out = Vec::with_capacity(HEADER_BYTES);
    // The prefix of a stream ends early by nature: keep what came out.
    let partial = MultiGzDecoder::new(first).take(HEADER_BYTES as u64).read_to_end(&mut out);
    match partial {
        Err(e) if out.is_empty() => Err(ProjectFileError::Damaged { path: path.to_path_buf(), detail: format!("compressed data: {e}") }),
        _ => Ok(out),
    }
}

fn limit_error(e: limits::LimitError, path: &Path) -> ProjectFileError {
    match e {
        limits::LimitError::Io(source) => ProjectFileError::Read { path: path.to_path_buf(), source },
        limits::LimitError::Damaged(e) => ProjectFileError::Damaged { path: path.to_path_buf(), detail: format!("compressed data: {e}") },
        other => ProjectFileError::NotAProject { path: path.to_path_buf(), detail: other.to_string() },
    }
}

/// Refuses, from its first bytes, a document that is not a project this version reads.
fn check_header(prefix: &[u8], path: &Path) -> Result<(), ProjectFileError> {
    let path_buf = path.to_path_buf();
    if prefix.iter().all(u8::is_ascii_whitespace) {
        return Err(ProjectFileError::Empty { path: path_buf });
    }
    let header = match read_header(prefix) {
        Ok(header) => header,
        // The header of a project comes first: a prefix that ends before it is a
        // damaged file if it is the whole file, and not a project otherwise.
        Err(err) if err.classify() == serde_json::error::Category::Eof && prefix.len() >= HEADER_BYTES => {
            return Err(ProjectFileError::NotAProject { path: path_buf, detail: "no format tag in its first bytes".into() })
        }
        Err(err) => return Err(classify(err, path)),
    };
    match header.format.as_deref() {
        Some(FORMAT) => {}
        Some(other) => return Err(ProjectFileError::NotAProject { path: path_buf, detail: format!("its format is '{other}'") }),
        None => return Err(ProjectFileError::NotAProject { path: path_buf, detail: "it has no format tag".into() }),
    }
    let version = header.schema_version.ok_or_else(|| ProjectFileError::NotAProject { path: path_buf.clone(), detail: "it has no schema version".into() })?;
    if version > SCHEMA_VERSION {
        return Err(ProjectFileError::NewerVersion { path: path_buf, found: version, supported: SCHEMA_VERSION });
    }
    Ok(())
}

/// Parses the bytes of a project file; `path` is only used in messages.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Project, ProjectFileError> {
    check_header(&decompressed_prefix(&bytes[..bytes.len().min(HEADER_BYTES)], path)?, path)?;
    let json: Vec<u8> = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 6);
        let mut capped = limits::Capped::json(MultiGzDecoder::new(bytes), limits::MAX_PROJECT_BYTES);
        if let Err(err) = capped.read_to_end(&mut out) {
            return Err(match limits::classify(err) {
                limits::LimitError::Io(err) => ProjectFileError::Damaged { path: path.to_path_buf(), detail: format!("compressed data: {err}") },
                other => limit_error(other, path),
            });
        }
        out
    } else {
        bytes.to_vec()
    };
    parse(&json, path)
}

/// Parses a project document whose header was checked (`load`, `from_bytes`).
fn parse(json: &[u8], path: &Path) -> Result<Project, ProjectFileError> {
    let path_buf = path.to_path_buf();
    let envelope: Envelope<Project> = serde_json::from_slice(json).map_err(|err| match err.classify() {
        serde_json::error::Category::Eof => ProjectFileError::Damaged { path: path_buf.clone(), detail: err.to_string() },
        _ => ProjectFileError::Invalid { path: path_buf.clone(), detail: err.to_string() },
    })?;
    let mut project = envelope.project;
    project.rebuild_indexes();
    project.validate().map_err(|e| ProjectFileError::Invalid { path: path_buf, detail: e.0 })?;
    Ok(project)
}

/// The format tag and schema version at the start of a project document, read from its
/// first bytes (a project file writes them first): a foreign or newer file is refused
/// without parsing the rest, and the rest is parsed once, with the project.
fn read_header(json: &[u8]) -> Result<Header, serde_json::Error> {
    use serde::Deserializer as _;
    let mut header = Header { format: None, schema_version: None };
    let mut de = serde_json::Deserializer::from_slice(json);
    match de.deserialize_map(HeaderVisitor(&mut header)) {
        Ok(()) => Ok(header),
        // Stopped on purpose once both fields were read.
        Err(_) if header.format.is_some() && header.schema_version.is_some() => Ok(header),
        Err(e) => Err(e),
    }
}

/// Reads the top-level keys into the header until both fields are known, then stops.
struct HeaderVisitor<'a>(&'a mut Header);

impl<'de> serde::de::Visitor<'de> for HeaderVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a project document (a JSON object)")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => self.0.format = Some(map.next_value()?),
                "schema_version" => self.0.schema_version = Some(map.next_value()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            if self.0.format.is_some() && self.0.schema_version.is_some() {
                return Err(serde::de::Error::custom("header read"));
            }
        }
        Ok(())
    }
}

fn classify(err: serde_json::Error, path: &Path) -> ProjectFileError {
    match err.classify() {
        serde_json::error::Category::Eof => {
            ProjectFileError::Damaged { path: path.to_path_buf(), detail: format!("it ends early: {err}") }
        }
        _ => ProjectFileError::NotAProject { path: path.to_path_buf(), detail: format!("not a project document: {err}") },
    }
}

/// Where autosaves of a project go: beside it, hidden.
pub fn autosave_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "project".into());
    path.with_file_name(format!(".{name}.autosave"))
}
