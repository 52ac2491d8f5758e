//! A project file that others may write too: the app in another window, an `optimize`
//! run, a colleague on a shared drive. What was read is remembered (size, time and a
//! checksum); a save checks the file is still that before replacing it, so the last
//! save never silently overwrites someone else's. A lock file beside the project tells a
//! second opener who has it open.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a project file was when it was read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub len: u64,
    pub modified: Option<SystemTime>,
    pub crc: u32,
}

/// The fingerprint of a file as it is now (`None` when there is no file).
pub fn fingerprint(path: &Path) -> io::Result<Option<Fingerprint>> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(Fingerprint { len: meta.len(), modified: meta.modified().ok(), crc: checksum(path)? }))
}

/// The fingerprint of `bytes` just written to `path` (no second read of the file).
pub fn fingerprint_of(path: &Path, bytes: &[u8]) -> Fingerprint {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    Fingerprint { len: bytes.len() as u64, modified: fs::metadata(path).and_then(|m| m.modified()).ok(), crc: crc.sum() }
}

fn checksum(path: &Path) -> io::Result<u32> {
    let mut file = fs::File::open(path)?;
    let mut crc = flate2::Crc::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(crc.sum());
        }
        crc.update(&buf[..n]);
    }
}

/// Whether the file at `path` is still what `read` says was read: the same size and
/// content (times are not trusted: a coarse file system can give two saves in one
/// second the same time, and a copy or `touch` changes it alone). A file that is gone
/// is no one's work to lose.
pub fn unchanged_since(path: &Path, read: &Fingerprint) -> io::Result<bool> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e),
    };
    if meta.len() != read.len {
        return Ok(false);
    }
    Ok(checksum(path)? == read.crc)
}

/// Where a result that could not be saved over a changed file goes: beside it,
/// `NAME (conflict 2026-12-04 1530).tdproj` (UTC), numbered if taken.
pub fn conflict_path(path: &Path, now: SystemTime) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "project".into());
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let stamp = crate::format::utc_stamp(now);
    let mut candidate = path.with_file_name(format!("{stem} (conflict {stamp}){ext}"));
    let mut n = 2;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{stem} (conflict {stamp} {n}){ext}"));
        n += 1;
    }
    candidate
}

/// Who holds a project open: written into its lock file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub user: String,
    pub host: String,
    pub pid: u32,
    /// When they opened it, "2026-12-04 15:30 UTC".
    pub since: String,
}

impl Holder {
    fn me() -> Self {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let host = fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).or_else(|| env("COMPUTERNAME")).or_else(|| env("HOSTNAME")).unwrap_or_else(|| "this computer".into());
        Self { user: env("USER").or_else(|| env("USERNAME")).unwrap_or_else(|| "someone".into()), host, pid: std::process::id(), since: crate::format::utc_time(SystemTime::now()) }
    }

    fn to_text(&self) -> String {
        format!("user={}\nhost={}\npid={}\nsince={}\n", self.user, self.host, self.pid, self.since)
    }

    fn parse(text: &str) -> Option<Self> {
        let field = |k: &str| text.lines().find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('='))).map(str::to_string);
        Some(Self { user: field("user")?, host: field("host")?, pid: field("pid")?.parse().ok()?, since: field("since").unwrap_or_default() })
    }

    /// Whether this holder is gone: a process of this computer that no longer runs.
    fn is_stale(&self) -> bool {
        self.host == Self::me().host && crate::io::atomic::process_is_running(self.pid) == Some(false)
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on {} (since {})", self.user, self.host, self.since)
    }
}

/// The lock file of a project: `.NAME.tdproj.lock` beside it.
pub fn lock_path(project: &Path) -> PathBuf {
    let name = project.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "project".into());
    project.with_file_name(format!(".{name}.lock"))
}

/// This window's hold on a project file, released when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock of `project`; returns it and who else holds the project open, if
    /// someone does (their lock is left alone: they are told nothing, this opener is).
    /// A stale lock (its process is gone) is taken over.
    pub fn take(project: &Path) -> io::Result<(Option<Self>, Option<Holder>)> {
        let path = lock_path(project);
        if let Some(other) = fs::read_to_string(&path).ok().and_then(|t| Holder::parse(&t)) {
            if other.pid != std::process::id() && !other.is_stale() {
                return Ok((None, Some(other)));
            }
        }
        crate::io::atomic::write_atomically(&path, Holder::me().to_text().as_bytes())?;
        Ok((Some(Self { path }), None))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Only our own lock: another window may have taken it over since.
        let ours = fs::read_to_string(&self.path).ok().and_then(|t| Holder::parse(&t)).is_some_and(|h| h.pid == std::process::id());
        if ours {
            let _ignored = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_noticed_and_a_touched_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        fs::write(&path, b"version one").unwrap();
        let read = fingerprint(&path).unwrap().unwrap();
        assert!(unchanged_since(&path, &read).unwrap());
        // Same content, new time: still unchanged.
        fs::File::options().write(true).open(&path).unwrap().set_modified(SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
        assert!(unchanged_since(&path, &read).unwrap());
        // Same size, other content.
        fs::write(&path, b"version two").unwrap();
        assert!(!unchanged_since(&path, &read).unwrap());
        fs::remove_file(&path).unwrap();
        assert!(unchanged_since(&path, &read).unwrap(), "a deleted file has no work to lose");
    }

    #[test]
    fn conflict_copies_are_named_by_time_and_numbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_796_398_200); // 2026-12-04 15:30 UTC
        let first = conflict_path(&path, at);
        assert_eq!(first.file_name().unwrap(), "plan (conflict 2026-12-04 1530).tdproj");
        fs::write(&first, b"x").unwrap();
        assert_eq!(conflict_path(&path, at).file_name().unwrap(), "plan (conflict 2026-12-04 1530 2).tdproj");
    }

    #[test]
    fn a_second_opener_is_told_who_has_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("plan.tdproj");
        let (lock, other) = Lock::take(&project).unwrap();
        assert!(lock.is_some() && other.is_none());
        // Another process holds it (pid 1 runs on every Linux machine).
        let mut holder = Holder::parse(&fs::read_to_string(lock_path(&project)).unwrap()).unwrap();
        drop(lock);
        assert!(!lock_path(&project).exists(), "released on drop");
        holder.pid = 1;
        holder.user = "alice".into();
        fs::write(lock_path(&project), holder.to_text()).unwrap();
        if crate::io::atomic::process_is_running(1) == Some(true) {
            let (lock, other) = Lock::take(&project).unwrap();
            assert!(lock.is_none());
            assert!(other.unwrap().to_string().starts_with("alice on "));
        }
        // A stale lock (its process is gone) is taken over.
        holder.pid = 4_999_999;
        fs::write(lock_path(&project), holder.to_text()).unwrap();
        if crate::io::atomic::process_is_running(1).is_some() {
            let (lock, other) = Lock::take(&project).unwrap();
            assert!(lock.is_some() && other.is_none());
        }
    }
}
