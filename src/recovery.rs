//! Crash recovery: a session marker per running window (removed on a clean exit), an
//! autosave place for projects that have no file yet, and the unsaved work of a window
//! that did not exit cleanly, found on the next start. Autosaves are offered when their
//! content differs from the project file, whatever the modification times say (a copy
//! from a shared drive or a restored backup has misleading times).

use crate::io::project_file;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The folder for session markers and untitled autosaves: `$TERRITORY_DESIGNER_STATE_DIR`,
/// else the platform's state or data folder.
pub fn default_dir() -> Option<PathBuf> {
    let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = from_env("TERRITORY_DESIGNER_STATE_DIR") {
        return Some(dir);
    }
    if cfg!(windows) {
        return from_env("LOCALAPPDATA").or_else(|| from_env("APPDATA")).map(|d| d.join("Territory Designer").join("recovery"));
    }
    if cfg!(target_os = "macos") {
        return from_env("HOME").map(|h| h.join("Library/Application Support/Territory Designer/recovery"));
    }
    from_env("XDG_STATE_HOME").or_else(|| from_env("HOME").map(|h| h.join(".local/state"))).map(|d| d.join("territory-designer/recovery"))
}

/// Work a window left unsaved: its autosave, and the project file it belongs to (`None`
/// for a project that was never saved).
#[derive(Clone, Debug, PartialEq)]
pub struct Unsaved {
    pub autosave: PathBuf,
    pub project: Option<PathBuf>,
    /// The marker of the window that left it (a crashed one), removed once the planner
    /// decided.
    pub marker: Option<PathBuf>,
}

impl Unsaved {
    /// The autosave of `project` when it holds something the file does not.
    pub fn of_project(project: &Path) -> Option<Self> {
        let autosave = project_file::autosave_path(project);
        (autosave.exists() && !same_content(&autosave, project)).then(|| Self { autosave, project: Some(project.to_path_buf()), marker: None })
    }

    /// Forgets it: the autosave (and the crashed window's marker) are removed.
    pub fn discard(&self) {
        let _ignored = fs::remove_file(&self.autosave);
        self.settle();
    }

    /// The planner decided (recovered or discarded): the crashed window's marker goes.
    pub fn settle(&self) {
        if let Some(marker) = &self.marker {
            let _ignored = fs::remove_file(marker);
        }
    }
}

/// The marker of this window's session: a file naming the project it has open, removed
/// on a clean exit. A marker whose process is gone means the window crashed.
#[derive(Debug)]
pub struct SessionMarker {
    dir: PathBuf,
    file: PathBuf,
    /// The project path last written into the marker.
    written: Option<Option<PathBuf>>,
}

const MARKER_PREFIX: &str = "session-";

impl SessionMarker {
    /// Starts a session in `dir`: returns this session's marker and the unsaved work of
    /// sessions that ended without a clean exit.
    pub fn start(dir: &Path) -> io::Result<(Self, Vec<Unsaved>)> {
        fs::create_dir_all(dir)?;
        let mut orphans = Vec::new();
        for entry in fs::read_dir(dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix(MARKER_PREFIX).and_then(|p| p.parse::<u32>().ok()) else { continue };
            if pid == std::process::id() || process_is_running(pid) {
                continue;
            }
            let project = fs::read_to_string(entry.path()).ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).map(PathBuf::from);
            let unsaved = match &project {
                Some(path) => Unsaved::of_project(path),
                None => Some(untitled_autosave(dir, pid)).filter(|a| a.exists()).map(|autosave| Unsaved { autosave, project: None, marker: None }),
            };
            match unsaved {
                Some(mut unsaved) => {
                    unsaved.marker = Some(entry.path());
                    orphans.push(unsaved);
                }
                // Nothing was left unsaved: the marker has served.
                None => {
                    let _ignored = fs::remove_file(entry.path());
                }
            }
        }
        let mut marker = Self { dir: dir.to_path_buf(), file: dir.join(format!("{MARKER_PREFIX}{}", std::process::id())), written: None };
        marker.note_project(None)?;
        Ok((marker, orphans))
    }

    /// Records which project the window has open (on open, save as, new).
    pub fn note_project(&mut self, project: Option<&Path>) -> io::Result<()> {
        let project = project.map(Path::to_path_buf);
        if self.written.as_ref() == Some(&project) {
            return Ok(());
        }
        let text = project.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        crate::io::atomic::write_atomically(&self.file, text.as_bytes())?;
        self.written = Some(project);
        Ok(())
    }

    /// Where this window autosaves a project that has no file yet.
    pub fn untitled_autosave(&self) -> PathBuf {
        untitled_autosave(&self.dir, std::process::id())
    }

    /// A clean exit: the marker and the untitled autosave go (the planner saved or chose
    /// not to).
    pub fn end(self) {
        let _ignored = fs::remove_file(self.untitled_autosave());
        let _ignored = fs::remove_file(&self.file);
    }
}

fn untitled_autosave(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("untitled-{pid}.{}", project_file::EXTENSION))
}

fn process_is_running(pid: u32) -> bool {
    // Where it cannot be told, assume the other window is still open rather than offer
    // its work twice.
    crate::io::atomic::process_is_running(pid).unwrap_or(true)
}

/// Whether two project files hold the same project: their uncompressed contents are
/// compared (at most 4 GB each), so a recompression or a copy with a new time is still
/// the same.
pub fn same_content(a: &Path, b: &Path) -> bool {
    match (content(a), content(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn content(path: &Path) -> io::Result<Vec<u8>> {
    let bytes = fs::read(path)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 4);
        flate2::read::MultiGzDecoder::new(&bytes[..]).take(4 << 30).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn an_autosave_is_offered_by_content_not_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        let project = grid_project(3, 3, 0.1, 5, 2, 1);
        project_file::save(&project, &path).unwrap();
        let autosave = project_file::autosave_path(&path);
        // Same content, newer file: nothing to recover.
        project_file::save(&project, &autosave).unwrap();
        assert_eq!(Unsaved::of_project(&path), None);
        // Different content written *before* the file's time: still offered.
        let mut changed = project.clone();
        changed.name = "changed".into();
        project_file::save(&changed, &autosave).unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options().write(true).open(&autosave).unwrap().set_modified(old).unwrap();
        let unsaved = Unsaved::of_project(&path).expect("different content is offered");
        assert_eq!(unsaved.autosave, autosave);
        unsaved.discard();
        assert!(!autosave.exists());
    }

    #[test]
    fn a_crashed_window_leaves_its_untitled_work_for_the_next_start() {
        let state = tempfile::tempdir().unwrap();
        // A window that crashed (its process is gone) with an untitled project autosaved.
        let dead = 4_999_999;
        fs::write(state.path().join(format!("{MARKER_PREFIX}{dead}")), "").unwrap();
        project_file::save(&grid_project(3, 3, 0.1, 5, 2, 1), &untitled_autosave(state.path(), dead)).unwrap();
        // And one that crashed with nothing unsaved.
        fs::write(state.path().join(format!("{MARKER_PREFIX}{}", dead - 1)), "/nowhere/plan.tdproj").unwrap();
        let (marker, orphans) = SessionMarker::start(state.path()).unwrap();
        if !Path::new("/proc/self").exists() {
            return;
        }
        assert_eq!(orphans.len(), 1, "{orphans:?}");
        assert_eq!(orphans[0].project, None);
        assert!(project_file::load(&orphans[0].autosave).is_ok());
        assert!(!state.path().join(format!("{MARKER_PREFIX}{}", dead - 1)).exists(), "a marker with nothing to recover is cleared");
        orphans[0].settle();
        // This session's marker exists until a clean exit.
        assert!(state.path().join(format!("{MARKER_PREFIX}{}", std::process::id())).exists());
        fs::write(marker.untitled_autosave(), b"x").unwrap();
        marker.end();
        let left: Vec<_> = fs::read_dir(state.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 1, "only the crashed window's autosave is left until recovered or discarded: {left:?}");
    }
}
