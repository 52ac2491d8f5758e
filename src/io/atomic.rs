//! Atomic file replacement that respects what the planner set up around the file: its
//! permissions and owner (a private 0600 project stays private), a symbolic link (the
//! link's target is replaced, the link kept), and no temporary files left behind by a
//! save that was killed midway.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Temporary files of a save are named `.{file name}.tmp-{pid}-{n}` beside the target.
const TMP_MARK: &str = ".tmp-";

/// A temporary file of a dead save is removed once it is this old, where the process
/// that wrote it cannot be checked.
const STALE_SECS: u64 = 3600;

/// Writes `bytes` to `path` atomically: a temporary file beside the real target, with the
/// target's permissions and owner, fsynced and renamed over it, then the directory
/// fsynced. A crash leaves either the old or the new file. A symbolic link at `path` is
/// kept and its target replaced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve_links(path)?;
    let dir = parent_dir(&target);
    let file_name = target.file_name().ok_or_else(|| io::Error::other("the path has no file name"))?.to_string_lossy().into_owned();
    remove_dead_temp_files(&target);
    static SAVES: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(".{file_name}{TMP_MARK}{}-{}", std::process::id(), SAVES.fetch_add(1, Ordering::Relaxed)));
    let existing = fs::metadata(&target).ok();
    let result = (|| {
        let mut file = File::create(&tmp)?;
        if let Some(meta) = &existing {
            keep_permissions_and_owner(&file, meta)?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &target)?;
        if let Ok(dir) = File::open(&dir) {
            // Not every platform can fsync a directory; the rename is done either way.
            let _ignored = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ignored = fs::remove_file(&tmp);
    }
    result
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The file a path names once symbolic links are followed (the path itself when it is
/// not a link or does not exist yet).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = if link.is_absolute() { link } else { parent_dir(&current).join(link) };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!("{} is a loop of symbolic links", path.display())))
}

#[cfg(unix)]
fn keep_permissions_and_owner(file: &File, meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    file.set_permissions(meta.permissions())?;
    // Only root can give a file away; a planner saving a file they can write but do not
    // own keeps at least its group where they belong to it. Either is best effort.
    if std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).is_err() {
        let _ignored = std::os::unix::fs::fchown(file, None, Some(meta.gid()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_permissions_and_owner(file: &File, meta: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(meta.permissions())
}

/// Removes temporary files that saves of `path` left behind when they were killed: those
/// of processes no longer running (or, where that cannot be told, older than an hour).
/// Returns how many were removed.
pub fn remove_dead_temp_files(path: &Path) -> usize {
    let Ok(target) = resolve_links(path) else { return 0 };
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else { return 0 };
    let prefix = format!(".{name}{TMP_MARK}");
    let Ok(entries) = fs::read_dir(parent_dir(&target)) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid == Some(std::process::id()) {
            continue;
        }
        let dead = match pid.and_then(process_is_running) {
            Some(running) => !running,
            None => entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > STALE_SECS),
        };
        if dead && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether a process is running, where the system can tell (`/proc` on Linux).
pub(crate) fn process_is_running(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    proc.join("self").exists().then(|| proc.join(pid.to_string()).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_written_and_an_old_one_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_stays_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.tdproj");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"newer").unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn saving_through_a_link_replaces_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("shared")).unwrap();
        let real = dir.path().join("shared/plan.tdproj");
        fs::write(&real, b"old").unwrap();
        let link = dir.path().join("plan.tdproj");
        std::os::unix::fs::symlink("shared/plan.tdproj", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is still a link");
        assert_eq!(fs::read(&real).unwrap(), b"new", "the real file has the new content");
        let loop_link = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &loop_link).unwrap();
        assert!(write_atomically(&loop_link, b"x").unwrap_err().to_string().contains("loop"));
    }

    #[test]
    fn temp_files_of_dead_saves_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        fs::write(&path, b"project").unwrap();
        // Beyond any pid_max: the process that wrote it is gone.
        let dead = dir.path().join(".plan.tdproj.tmp-4999999-0");
        let ours = dir.path().join(format!(".plan.tdproj.tmp-{}-7", std::process::id()));
        let other_file = dir.path().join(".other.tdproj.tmp-4999999-0");
        for f in [&dead, &ours, &other_file] {
            fs::write(f, vec![0u8; 1000]).unwrap();
        }
        if process_is_running(1).is_some() {
            assert_eq!(remove_dead_temp_files(&path), 1);
            assert!(!dead.exists());
        }
        assert!(ours.exists(), "a save of this process may be under way");
        assert!(other_file.exists(), "another file's temp files are its own business");
    }
}
