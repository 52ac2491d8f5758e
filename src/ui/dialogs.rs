//! Small modal windows: rename a scenario or territory, confirm a delete, unsaved changes
//! on quit, recover an autosave; and the system file dialogs.

use super::actions::AppAction;
use super::app::TerritoryApp;
use super::style::BAD;
use crate::model::ids::{ScenarioId, TerritoryId};
use egui::{Key, RichText};

/// Which small dialogs are open.
#[derive(Default)]
pub struct Dialogs {
    /// Renaming a scenario: its id and the text typed so far.
    pub scenario_rename: Option<(ScenarioId, String)>,
    /// Asking before deleting a scenario.
    pub scenario_delete: Option<ScenarioId>,
    /// Renaming a territory.
    pub territory_rename: Option<(TerritoryId, String)>,
    /// Naming a new region for these territories.
    pub region_new: Option<(Vec<TerritoryId>, String)>,
    /// Renaming a region: its name and the text typed so far.
    pub region_rename: Option<(String, String)>,
}

enum Outcome {
    Open,
    Confirmed,
    Cancelled,
}

/// A small modal asking for a new name (Enter confirms).
fn rename_dialog(ctx: &egui::Context, title: &str, name: &mut String) -> Outcome {
    name_dialog(ctx, title, "New name", "Rename", name)
}

/// A small modal asking for a name; `confirm` labels the button (Enter confirms).
fn name_dialog(ctx: &egui::Context, title: &str, field: &str, confirm: &str, name: &mut String) -> Outcome {
    let mut outcome = Outcome::Open;
    egui::Window::new(title).collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(ctx, |ui| {
        let label = ui.label(field);
        let response = ui.text_edit_singleline(name).labelled_by(label.id);
        response.request_focus();
        ui.horizontal(|ui| {
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if ui.button(confirm).clicked() || enter {
                outcome = Outcome::Confirmed;
            }
            if ui.button("Cancel").clicked() {
                outcome = Outcome::Cancelled;
            }
        });
    });
    outcome
}

/// A centred window with a message and buttons; returns the clicked button's action
/// (`None` for a button that only closes the window).
/// What to say when no file dialog could be shown.
pub const NO_FILE_DIALOG: &str =
    "No file dialog could be shown: install xdg-desktop-portal and a backend (xdg-desktop-portal-gtk or -kde), or type the path where the window offers a field";

/// Runs a file dialog. A dialog that gives nothing back faster than a person can press
/// Cancel was never shown (no desktop portal on Linux): that is an error to tell, not
/// a choice.
pub fn run_file_dialog<T>(ask: impl FnOnce() -> Option<T>) -> Result<Option<T>, &'static str> {
    let started = std::time::Instant::now();
    let chosen = ask();
    if chosen.is_none() && started.elapsed() < std::time::Duration::from_millis(150) {
        return Err(NO_FILE_DIALOG);
    }
    Ok(chosen)
}

fn ask(ctx: &egui::Context, title: &str, message: &str, buttons: Vec<(RichText, Option<AppAction>)>) -> Option<Option<AppAction>> {
    let mut chosen = None;
    egui::Window::new(title).collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(ctx, |ui| {
        ui.label(message);
        ui.horizontal(|ui| {
            for (text, action) in buttons {
                if ui.button(text).clicked() {
                    chosen = Some(action);
                }
            }
        });
    });
    chosen
}

impl TerritoryApp {
    /// A system file dialog (xdg portal on Linux). Tests never open one: they pass
    /// paths in actions.
    /// Runs a system file dialog; says so when none could be shown.
    pub(super) fn choose<T>(&mut self, ask: impl FnOnce() -> Option<T>) -> Option<T> {
        match run_file_dialog(ask) {
            Ok(chosen) => chosen,
            Err(message) => {
                self.complain(message);
                None
            }
        }
    }

    pub(super) fn file_dialog(&self, filter_name: &str, extensions: &[&str]) -> rfd::FileDialog {
        let mut dialog = rfd::FileDialog::new().add_filter(filter_name, extensions);
        if let Some(dir) = self.document.path.as_ref().and_then(|p| p.parent()) {
            dialog = dialog.set_directory(dir);
        }
        dialog
    }

    pub(super) fn dialogs_ui(&mut self, ctx: &egui::Context) {
        if let Some((id, mut name)) = self.dialogs.scenario_rename.take() {
            match rename_dialog(ctx, "Rename scenario", &mut name) {
                Outcome::Open => self.dialogs.scenario_rename = Some((id, name)),
                Outcome::Confirmed => self.act(AppAction::RenameScenario(id, name)),
                Outcome::Cancelled => {}
            }
        }
        if let Some((id, mut name)) = self.dialogs.territory_rename.take() {
            match rename_dialog(ctx, "Rename territory", &mut name) {
                Outcome::Open => self.dialogs.territory_rename = Some((id, name)),
                Outcome::Confirmed => self.act(AppAction::RenameTerritory(id, name)),
                Outcome::Cancelled => {}
            }
        }
        if let Some((ids, mut name)) = self.dialogs.region_new.take() {
            match name_dialog(ctx, "New region", "Region name", "Create", &mut name) {
                Outcome::Open => self.dialogs.region_new = Some((ids, name)),
                Outcome::Confirmed if !name.trim().is_empty() => self.act(AppAction::SetRegion(ids, Some(name))),
                Outcome::Confirmed | Outcome::Cancelled => {}
            }
        }
        if let Some((from, mut name)) = self.dialogs.region_rename.take() {
            match rename_dialog(ctx, "Rename region", &mut name) {
                Outcome::Open => self.dialogs.region_rename = Some((from, name)),
                Outcome::Confirmed => self.act(AppAction::RenameRegion(from, name)),
                Outcome::Cancelled => {}
            }
        }
        if let Some(id) = self.dialogs.scenario_delete {
            let name = self.session.project().scenario(id).map(|s| s.name.clone()).unwrap_or_default();
            let message = format!("Delete the scenario '{name}'? Edit > Undo brings it back with its history until you close the project.");
            let buttons = vec![(RichText::new("Delete").color(BAD), Some(AppAction::DeleteScenario(id))), (RichText::new("Cancel"), None)];
            if let Some(action) = ask(ctx, "Delete scenario", &message, buttons) {
                self.dialogs.scenario_delete = None;
                if let Some(action) = action {
                    self.act(action);
                }
            }
        }
        if self.document.confirm_close {
            let buttons = vec![
                (RichText::new("Save and quit"), Some(AppAction::SaveAndQuit)),
                (RichText::new("Quit without saving"), Some(AppAction::QuitWithoutSaving)),
                (RichText::new("Cancel"), Some(AppAction::CancelQuit)),
            ];
            if let Some(Some(action)) = ask(ctx, "Unsaved changes", "This project has changes that are not saved.", buttons) {
                self.act(action);
            }
        }
        if self.document.conflict {
            let buttons = vec![
                (RichText::new("Save as…"), Some(AppAction::SaveAs(None))),
                (RichText::new("Reload from disk"), self.document.path.clone().map(|p| AppAction::Open(Some(p)))),
                (RichText::new("Overwrite"), Some(AppAction::Overwrite)),
                (RichText::new("Cancel"), Some(AppAction::DismissConflict)),
            ];
            let name = self.document.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            let message = format!(
                "{name} was changed by someone else (another window, an optimize run, a colleague) since you opened it. Nothing was saved.\n\nSave as… keeps both; Reload from disk drops your changes; Overwrite drops theirs."
            );
            if let Some(answer) = ask(ctx, "The project changed on disk", &message, buttons) {
                self.document.conflict = false;
                if let Some(action) = answer {
                    self.act(action);
                }
            }
        }
        if let Some(unsaved) = &self.document.recovery {
            let buttons = vec![(RichText::new("Recover"), Some(AppAction::RecoverAutosave)), (RichText::new("Discard them"), Some(AppAction::DiscardAutosave))];
            let message = match (&unsaved.marker, &unsaved.project) {
                (None, _) => "Territory Designer found changes to this project that were never saved (autosave).".to_string(),
                (Some(_), Some(path)) => format!("Territory Designer closed unexpectedly with unsaved changes to {}.", path.display()),
                (Some(_), None) => "Territory Designer closed unexpectedly with a new project that was never saved.".to_string(),
            };
            if let Some(Some(action)) = ask(ctx, "Recover unsaved changes?", &message, buttons) {
                self.act(action);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{run_file_dialog, NO_FILE_DIALOG};

    #[test]
    fn a_dialog_that_gives_nothing_back_at_once_was_never_shown() {
        assert_eq!(run_file_dialog(|| None::<u8>), Err(NO_FILE_DIALOG));
        assert_eq!(run_file_dialog(|| Some(3)), Ok(Some(3)));
        let cancelled = run_file_dialog(|| {
            std::thread::sleep(std::time::Duration::from_millis(200));
            None::<u8>
        });
        assert_eq!(cancelled, Ok(None), "a person pressed Cancel");
    }
}
