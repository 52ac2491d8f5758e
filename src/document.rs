//! The open document: where it lives on disk, the recent-files list, autosave and
//! recovery, and the close confirmation. No egui here: it is tested like the model.

use crate::io::project_file::{self, ProjectFileError};
use crate::io::shared_file::{self, Fingerprint, Holder, Lock};
use crate::model::project::Project;
use crate::recovery::{SessionMarker, Unsaved};
use crate::session::Session;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// How an autosave went: the message for the planner when it failed.
type AutosaveOutcome = Result<(), String>;

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
    /// Unsaved work found (an autosave of the opened file with other content, or a
    /// crashed window's project): the app offers to recover it.
    pub recovery: Option<Unsaved>,
    /// This window's session marker, when it keeps one (the app does; tests and
    /// screenshots do not): untitled projects are autosaved beside it.
    marker: Option<SessionMarker>,
    /// Where autosave workers report how they went.
    autosave_outcomes: Option<(mpsc::Sender<AutosaveOutcome>, mpsc::Receiver<AutosaveOutcome>)>,
    /// What the project file was when read or last saved: a save checks it is still
    /// that before replacing it.
    pub disk: Option<Fingerprint>,
    /// A save found the file changed by someone else: the app asks what to do.
    pub conflict: bool,
    /// Someone else has the project open (their lock file says who).
    pub held_by: Option<Holder>,
    /// This window's lock on its project file, when it keeps one (the app does).
    lock: Option<Lock>,
    /// The last autosave error shown, so the same failure is not shown every minute.
    last_autosave_error: Option<String>,
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
        let recovery = path.as_deref().and_then(Unsaved::of_project);
        let disk = path.as_deref().and_then(|p| shared_file::fingerprint(p).ok().flatten());
        Self { path, recovery, disk, ..Self::default() }
    }


    /// The same document state for another project (open, recover, new from files):
    /// the recent list and the session marker stay.
    pub fn replaced(&mut self, path: Option<PathBuf>) -> Self {
        let disk = path.as_deref().and_then(|p| shared_file::fingerprint(p).ok().flatten());
        let mut next = Self { path: path.clone(), recent: self.recent.clone(), marker: self.marker.take(), disk, ..Self::default() };
        if let Some(p) = path {
            next.remember(&p);
        }
        next.note_path();
        next
    }

    /// Starts crash protection for this window: a session marker in `state_dir`, and
    /// unsaved work of a window that crashed offered for recovery (when the opened file
    /// has none of its own).
    pub fn start_session(&mut self, state_dir: &Path) -> std::io::Result<()> {
        let (marker, orphans) = SessionMarker::start(state_dir)?;
        self.marker = Some(marker);
        self.note_path();
        if self.recovery.is_none() {
            self.recovery = orphans.into_iter().next();
        }
        Ok(())
    }

    /// A clean exit: the session marker goes.
    pub fn end_session(&mut self) {
        self.lock = None;
        if let Some(marker) = self.marker.take() {
            marker.end();
        }
    }

    /// Keeps the session marker and the lock file in step with the project's path (only
    /// in a session: tests and screenshots leave no files behind).
    fn note_path(&mut self) {
        if let Some(marker) = &mut self.marker {
            // Best effort: without the marker a crash is only not detected.
            let _ignored = marker.note_project(self.path.as_deref());
            self.lock = None;
            self.held_by = None;
            if let Some(path) = &self.path {
                // Best effort too: a read-only folder only means nobody is told.
                if let Ok((lock, held_by)) = Lock::take(path) {
                    self.lock = lock;
                    self.held_by = held_by;
                }
            }
        }
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
    ///
    /// Saving over the document's own file checks first that nobody changed it since it
    /// was read; if someone did, nothing is written and `conflict` asks the planner.
    pub fn save(&mut self, session: &mut Session, path: PathBuf) -> Result<(), ProjectFileError> {
        let expected = if self.path.as_ref() == Some(&path) { self.disk.clone() } else { None };
        self.write(session, path, expected.as_ref())
    }

    /// Saves over the document's file whatever is there now (the planner chose to
    /// overwrite the other change).
    pub fn overwrite(&mut self, session: &mut Session) -> Result<(), ProjectFileError> {
        let path = self.path.clone().ok_or_else(|| ProjectFileError::Write { path: PathBuf::from("(untitled)"), source: std::io::Error::other("the project has no file yet") })?;
        self.write(session, path, None)
    }

    fn write(&mut self, session: &mut Session, path: PathBuf, expected: Option<&Fingerprint>) -> Result<(), ProjectFileError> {
        let written = match project_file::save_checked(session.project(), &path, expected) {
            Err(e @ ProjectFileError::ChangedOnDisk { .. }) => {
                self.conflict = true;
                return Err(e);
            }
            other => other?,
        };
        self.conflict = false;
        self.disk = Some(written);
        session.mark_saved();
        if let Some(autosave) = self.autosave_target() {
            let _ignored = std::fs::remove_file(autosave);
        }
        let _ignored = std::fs::remove_file(project_file::autosave_path(&path));
        self.remember(&path);
        let moved = self.path.as_ref() != Some(&path);
        self.path = Some(path);
        if moved {
            self.note_path();
        }
        Ok(())
    }

    /// Where the project is autosaved: beside its file, or for a project without a file
    /// beside the session marker.
    fn autosave_target(&self) -> Option<PathBuf> {
        match &self.path {
            Some(path) => Some(project_file::autosave_path(path)),
            None => self.marker.as_ref().map(SessionMarker::untitled_autosave),
        }
    }

    /// The project to autosave and where, when it has unsaved changes not autosaved yet
    /// and the last autosave is old enough (`now_secs`: the app's clock).
    pub fn autosave_due(&mut self, session: &Session, now_secs: f64) -> Option<(Project, PathBuf)> {
        let target = self.autosave_target()?;
        if !session.is_dirty() || self.autosave_generation == session.generation() || now_secs - self.last_autosave_secs < AUTOSAVE_SECS {
            return None;
        }
        self.last_autosave_secs = now_secs;
        self.autosave_generation = session.generation();
        Some((session.project().clone(), target))
    }

    /// Writes the project to its autosave file on a worker thread when one is due, and
    /// returns the error of a finished autosave the planner has not been told of (the
    /// same failure is told once, not every minute).
    pub fn autosave(&mut self, session: &Session, now_secs: f64) -> Option<String> {
        let mut failure = None;
        if let Some((_, outcomes)) = &self.autosave_outcomes {
            while let Ok(outcome) = outcomes.try_recv() {
                match outcome {
                    Ok(()) => self.last_autosave_error = None,
                    Err(e) if self.last_autosave_error.as_ref() != Some(&e) => {
                        self.last_autosave_error = Some(e.clone());
                        failure = Some(e);
                    }
                    Err(_) => {}
                }
            }
        }
        if let Some((project, target)) = self.autosave_due(session, now_secs) {
            let sender = self.autosave_outcomes.get_or_insert_with(mpsc::channel).0.clone();
            std::thread::spawn(move || {
                // A failed autosave must not disturb the session; the next one retries.
                let outcome = project_file::save(&project, &target).map_err(|e| format!("Autosave failed: {e}. Your changes are only in memory: save the project"));
                let _ignored = sender.send(outcome);
            });
        }
        failure
    }

    /// Drops the unsaved work the planner chose not to recover.
    pub fn discard_recovery(&mut self) {
        if let Some(unsaved) = self.recovery.take() {
            unsaved.discard();
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
    fn an_autosave_with_other_content_is_offered_for_recovery_and_can_be_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        std::fs::write(&path, b"old").unwrap();
        let autosave = project_file::autosave_path(&path);
        std::fs::write(&autosave, b"newer").unwrap();
        let mut doc = Document::new(Some(path));
        assert_eq!(doc.recovery.as_ref().map(|r| r.autosave.clone()), Some(autosave.clone()));
        doc.discard_recovery();
        assert!(doc.recovery.is_none() && !autosave.exists());
    }

    fn wait_for_file(path: &Path) {
        for _ in 0..500 {
            if path.exists() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("{} was never written", path.display());
    }

    #[test]
    fn an_untitled_project_is_autosaved_and_recovered_after_a_crash() {
        let state = tempfile::tempdir().unwrap();
        let session = edited_session();
        let mut doc = Document::new(None);
        doc.start_session(state.path()).unwrap();
        let (_, target) = doc.autosave_due(&session, 1000.0).expect("an untitled project is autosaved too");
        assert!(target.starts_with(state.path()));
        // The window dies here: its marker and autosave stay. Pretend they belong to a
        // process that is gone by renaming them to a dead pid.
        project_file::save(session.project(), &target).unwrap();
        let dead = 4_999_999;
        std::fs::rename(&target, state.path().join(format!("untitled-{dead}.tdproj"))).unwrap();
        std::fs::rename(state.path().join(format!("session-{}", std::process::id())), state.path().join(format!("session-{dead}"))).unwrap();
        drop(doc);
        if !Path::new("/proc/self").exists() {
            return;
        }
        // The next start offers it.
        let mut next = Document::new(None);
        next.start_session(state.path()).unwrap();
        let unsaved = next.recovery.clone().expect("the crashed window's work is offered");
        assert_eq!(unsaved.project, None);
        assert_eq!(project_file::load(&unsaved.autosave).unwrap().scenarios[0].unit_territory, session.project().scenarios[0].unit_territory);
        next.discard_recovery();
        next.end_session();
        assert_eq!(std::fs::read_dir(state.path()).unwrap().count(), 0, "a clean exit leaves nothing behind");
    }

    #[test]
    fn an_autosave_failure_is_told_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone/plan.tdproj");
        let mut session = edited_session();
        let mut doc = Document::new(Some(missing.clone()));
        let mut told = Vec::new();
        for minute in 1..=3 {
            let t = session.scenario().territories[0].id;
            session.execute(Command::assign_units([UnitId(minute)], Some(t))).unwrap();
            told.extend(doc.autosave(&session, minute as f64 * 100.0));
            std::thread::sleep(std::time::Duration::from_millis(100));
            told.extend(doc.autosave(&session, minute as f64 * 100.0 + 1.0));
        }
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(told[0].starts_with("Autosave failed") && told[0].contains("gone"), "{}", told[0]);
        // Once the folder exists again, autosaves work and a later failure is told anew.
        std::fs::create_dir(dir.path().join("gone")).unwrap();
        let t = session.scenario().territories[0].id;
        session.execute(Command::assign_units([UnitId(5)], Some(t))).unwrap();
        assert_eq!(doc.autosave(&session, 1000.0), None);
        wait_for_file(&project_file::autosave_path(&missing));
    }

    #[test]
    fn a_save_over_a_file_someone_else_changed_asks_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        let mut session = edited_session();
        let mut doc = Document::new(None);
        doc.save(&mut session, path.clone()).unwrap();
        // An optimize run (or a colleague) saves the file meanwhile.
        let mut theirs = session.project().clone();
        theirs.name = "theirs".into();
        project_file::save(&theirs, &path).unwrap();
        let t = session.scenario().territories[0].id;
        session.execute(Command::assign_units([UnitId(2)], Some(t))).unwrap();
        let err = doc.save(&mut session, path.clone()).unwrap_err();
        assert!(matches!(err, ProjectFileError::ChangedOnDisk { .. }), "{err}");
        assert!(doc.conflict && session.is_dirty());
        assert_eq!(project_file::load(&path).unwrap().name, "theirs", "their work is intact");
        // The planner chooses to overwrite.
        doc.overwrite(&mut session).unwrap();
        assert!(!doc.conflict && !session.is_dirty());
        assert_ne!(project_file::load(&path).unwrap().name, "theirs");
        // And later saves check against what was just written, not what was first read.
        session.execute(Command::assign_units([UnitId(3)], Some(t))).unwrap();
        doc.save(&mut session, path.clone()).unwrap();
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
