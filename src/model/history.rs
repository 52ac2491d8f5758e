//! Undo/redo for one scenario: a stack of inverse commands. One gesture = one entry.
//! Edits of the set of scenarios are recorded in the history of the scenario that is
//! active after them, so Ctrl+Z right after "Duplicate" removes the copy.

use super::command::Command;

#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    pub label: String,
    pub command: Command,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    undo: Vec<HistoryEntry>,
    redo: Vec<HistoryEntry>,
}

impl History {
    /// Records the inverse of a command just applied; a new edit clears the redo stack.
    pub fn record(&mut self, label: String, inverse: Command) {
        self.undo.push(HistoryEntry { label, command: inverse });
        self.redo.clear();
    }

    pub fn pop_undo(&mut self) -> Option<HistoryEntry> {
        self.undo.pop()
    }

    pub fn pop_redo(&mut self) -> Option<HistoryEntry> {
        self.redo.pop()
    }

    pub fn push_undo(&mut self, entry: HistoryEntry) {
        self.undo.push(entry);
    }

    pub fn push_redo(&mut self, entry: HistoryEntry) {
        self.redo.push(entry);
    }

    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|e| e.label.as_str())
    }

    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|e| e.label.as_str())
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}
