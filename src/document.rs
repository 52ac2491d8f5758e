//! The open document: where it lives on disk, the recent-files list, autosave and
//! recovery, and the close confirmation. No egui here: it is tested like the model.

use crate::io::project_file::{self, ProjectFileError};
use crate::model::project::Project;
use crate::session::Session;
use std::path::{Path, PathBuf};

/// How many projects File > Open recent remembers.
pub const MAX_RECENT: usize = 8;

/// Seconds between autosaves of a project with unsaved changes.
pub const AUTOSAVE_SECS: f64 = 60.0;

#[derive(Debug, Default)]
pub struct Document {
    /// The project file; `None` until saved (e.g. a project made from files).
    pub path: Option<PathBuf>,
    /// Most recent first.
    pub recent: Vec<PathBuf>,
    /// An autosave newer than the opened file: the app offers to recover it.
    pub recovery: Option<PathBuf>,
    /// The planner asked to close a project with unsaved changes: ask what to do.
    pub confirm_close: bool,
    /// Closing was confirmed (saved, or changes discarded).
    pub close_allowed: bool,
    last_autosave_secs: f64,
    autosave_generation: u64,
}

impl Document {
    /// A document for a project read from `path` (or not saved yet), noting a newer
    /// autosave of it.
    pub fn new(path: Option<PathBuf>) -> Self {
        let recovery = path.as_deref().and_then(newer_autosave);
        Self { path, recovery, ..Self::default() }
    }

    /// The same document state for another project (open, recover, new from files):
    /// the recent list stays.
    pub fn replaced(&self, path: Option<PathBuf>) -> Self {
        let mut next = Self { path: path.clone(), recent: self.recent.clone(), ..Self::default() };
        if let Some(p) = path {
            next.remember(&p);
        }
        next
    }

    /// Puts a path first in the recent list.
    pub fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
    }

    /// The recent list as one setting string (a path per line).
    pub fn recent_setting(&self) -> String {
        self.recent.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n")
    }

    pub fn set_recent_from_setting(&mut self, text: &str) {
        self.recent = text.lines().filter(|l| !l.is_empty()).map(PathBuf::from).take(MAX_RECENT).collect();
        if let Some(path) = self.path.clone() {
            self.remember(&path);
        }
    }

    /// Saves the session's project to `path` atomically, marks it saved, removes the
    /// autosave it no longer needs and makes `path` the document's file.
    pub fn save(&mut self, session: &mut Session, path: PathBuf) -> Result<(), ProjectFileError> {
        project_file::save(session.project(), &path)?;
        session.mark_saved();
        let _ignored = std::fs::remove_file(project_file::autosave_path(&path));
        self.remember(&path);
        self.path = Some(path);
        Ok(())
    }

    /// The project to autosave and where, when it has unsaved changes not autosaved yet
    /// and the last autosave is old enough (`now_secs`: the app's clock).
    pub fn autosave_due(&mut self, session: &Session, now_secs: f64) -> Option<(Project, PathBuf)> {
        let path = self.path.as_ref()?;
        if !session.is_dirty() || self.autosave_generation == session.generation() || now_secs - self.last_autosave_secs < AUTOSAVE_SECS {
            return None;
        }
        self.last_autosave_secs = now_secs;
        self.autosave_generation = session.generation();
        Some((session.project().clone(), project_file::autosave_path(path)))
    }

    /// Writes the project to its autosave file on a worker thread when one is due.
    pub fn autosave(&mut self, session: &Session, now_secs: f64) {
        if let Some((project, target)) = self.autosave_due(session, now_secs) {
            std::thread::spawn(move || {
                // A failed autosave must not disturb the session; the next one retries.
                let _ignored = project_file::save(&project, &target);
            });
        }
    }

    /// Drops the autosave the planner chose not to recover.
    pub fn discard_recovery(&mut self) {
        if let Some(autosave) = self.recovery.take() {
            let _ignored = std::fs::remove_file(autosave);
        }
    }

    /// Whether a close request must wait for the planner's answer.
    pub fn must_confirm_close(&self, session: &Session) -> bool {
        session.is_dirty() && !self.close_allowed
    }

    /// "territories.tdproj • — 2027 proposal — Territory Designer".
    pub fn title(&self, session: &Session) -> String {
        let name = self.path.as_ref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "Untitled".into());
        let dirty = if session.is_dirty() { " •" } else { "" };
        format!("{name}{dirty} — {} — Territory Designer", session.scenario().name)
    }
}

/// The autosave of a project if it is newer than the project file.
pub fn newer_autosave(path: &Path) -> Option<PathBuf> {
    let autosave = project_file::autosave_path(path);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(&autosave), modified(path)) {
        (Some(a), Some(f)) if a > f => Some(autosave),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;
    use crate::model::{Command, UnitId};

    fn edited_session() -> Session {
        let mut session = Session::new(grid_project(4, 4, 0.1, 20, 2, 5));
        let t = session.scenario().territories[1].id;
        session.execute(Command::assign_units([UnitId(0)], Some(t))).unwrap();
        session
    }

    #[test]
    fn the_recent_list_keeps_eight_distinct_paths_newest_first() {
        let mut doc = Document::new(None);
        for i in 0..10 {
            doc.remember(Path::new(&format!("/p/{i}.tdproj")));
        }
        doc.remember(Path::new("/p/5.tdproj"));
        assert_eq!(doc.recent.len(), MAX_RECENT);
        assert_eq!(doc.recent[0], PathBuf::from("/p/5.tdproj"));
        assert_eq!(doc.recent.iter().filter(|p| p.ends_with("5.tdproj")).count(), 1);
        let mut copy = Document::new(Some(PathBuf::from("/p/open.tdproj")));
        copy.set_recent_from_setting(&doc.recent_setting());
        assert_eq!(copy.recent[0], PathBuf::from("/p/open.tdproj"), "the open project comes first");
    }

    #[test]
    fn save_marks_clean_and_clears_the_autosave_and_the_title_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        let mut session = edited_session();
        let mut doc = Document::new(None);
        assert!(doc.title(&session).starts_with("Untitled •"));
        assert!(doc.autosave_due(&session, 1000.0).is_none(), "nothing to autosave next to before a first save");
        doc.save(&mut session, path.clone()).unwrap();
        assert!(!session.is_dirty());
        assert_eq!(doc.title(&session), "plan.tdproj — Baseline — Territory Designer");
        assert_eq!(doc.recent, vec![path.clone()]);

        let t = session.scenario().territories[0].id;
        session.execute(Command::assign_units([UnitId(1)], Some(t))).unwrap();
        let (_, target) = doc.autosave_due(&session, 1000.0).expect("an autosave is due");
        assert_eq!(target, project_file::autosave_path(&path));
        assert!(doc.autosave_due(&session, 2000.0).is_none(), "nothing new since the last autosave");
        std::fs::write(&target, b"x").unwrap();
        doc.save(&mut session, path.clone()).unwrap();
        assert!(!target.exists(), "a save makes the autosave obsolete");
    }

    #[test]
    fn a_newer_autosave_is_offered_for_recovery_and_can_be_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        std::fs::write(&path, b"old").unwrap();
        let autosave = project_file::autosave_path(&path);
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&autosave, b"newer").unwrap();
        let mut doc = Document::new(Some(path));
        assert_eq!(doc.recovery, Some(autosave.clone()));
        doc.discard_recovery();
        assert!(doc.recovery.is_none() && !autosave.exists());
    }

    #[test]
    fn closing_asks_only_with_unsaved_changes() {
        let session = edited_session();
        let mut doc = Document::new(None);
        assert!(doc.must_confirm_close(&session));
        doc.close_allowed = true;
        assert!(!doc.must_confirm_close(&session));
        assert!(!Document::new(None).must_confirm_close(&Session::new(grid_project(2, 2, 0.1, 2, 1, 1))));
    }
}
