//! Everything a planner can do in the window, as one enum. Widgets, menus, shortcuts,
//! dialogs and map gestures only produce `AppAction`s while the frame is drawn;
//! `TerritoryApp::apply` carries them out in one place after the frame's UI.

use super::app::TerritoryApp;
use super::basemap::BasemapSource;
use super::files::ExportKind;
use super::map::{LayerToggles, MapEvent, Picks, Tool};
use crate::colormap::ColorBy;
use crate::model::command::Command;
use crate::model::entities::Rgb;
use crate::model::ids::{ScenarioId, TerritoryId};
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq)]
pub enum AppAction {
    // File
    NewFromFiles,
    /// Open a project (`None`: ask for the file).
    Open(Option<PathBuf>),
    Save,
    SaveAs(Option<PathBuf>),
    ImportAlignment(Option<PathBuf>),
    Export(ExportKind, Option<PathBuf>),
    ExportLedger(Option<PathBuf>),
    /// File > Export map image…: the size dialog.
    ShowMapImageForm,
    /// The map image with the dialog's choices (`None`: ask for the file).
    ExportMapImage(Option<PathBuf>),
    /// File > Export scenario report… (`None`: ask for the file).
    ExportReport(Option<PathBuf>),
    /// File > Road network…: read an OpenStreetMap extract (`None`: ask for it).
    ImportRoads(Option<PathBuf>),
    RecoverAutosave,
    DiscardAutosave,
    /// After a save found the file changed by someone else: replace it anyway.
    Overwrite,
    /// After a save found the file changed: leave it, keep the changes unsaved here.
    DismissConflict,
    Quit,
    SaveAndQuit,
    QuitWithoutSaving,
    CancelQuit,
    // Edit
    Undo,
    Redo,
    /// Any edit of the project, as one undo step.
    Execute(Command),
    /// A live edit of the workload model, recorded as one step when the gesture ends.
    PreviewModel(Command),
    AssignSelection(TerritoryId),
    ClearSelection,
    /// Esc: drop the selection and highlight, leave a one-click tool.
    Escape,
    // View
    SetTool(Tool),
    SetColorBy(ColorBy),
    /// A: the next numeric attribute.
    CycleAttribute,
    GrowBrush(f32),
    SetPicks(Picks),
    SetLayers(LayerToggles),
    /// The drive-time zones' limits as typed ("30, 60, 90"); kept while it does not
    /// read, applied once it does.
    SetZoneLimits(String),
    SetAssignOnRelease(bool),
    ZoomToProject,
    SetBasemap(BasemapSource),
    ShowBasemapWindow,
    ShowModelWindow,
    /// Model > Quotas and KPIs for the active scenario.
    ShowQuotas,
    ToggleChart,
    /// Presentation mode on or off (F11).
    TogglePresent,
    /// The next (+1) or previous (-1) scenario in the list.
    StepScenario(i32),
    // Scenarios
    SwitchScenario(ScenarioId),
    NewBlankScenario,
    DuplicateScenario,
    StartRenameScenario,
    RenameScenario(ScenarioId, String),
    AskDeleteScenario,
    DeleteScenario(ScenarioId),
    SetBaseline,
    Compare(Option<ScenarioId>),
    // Territories
    /// Click on a name: highlight and zoom (again: clear the highlight).
    Focus(TerritoryId),
    /// A bar of the balance chart: highlight without zooming.
    Highlight(TerritoryId),
    SetTarget(TerritoryId),
    /// A number key: target the territory and assign the selection to it.
    TerritoryKey(usize),
    CreateTerritory,
    StartRenameTerritory(TerritoryId),
    /// Puts territories in a region (`None`: in none), one undo step.
    SetRegion(Vec<TerritoryId>, Option<String>),
    /// Asks for the name of a new region for these territories.
    StartNewRegion(Vec<TerritoryId>),
    StartRenameRegion(String),
    RenameRegion(String, String),
    /// Takes every territory out of the region.
    DissolveRegion(String),
    RenameTerritory(TerritoryId, String),
    Recolor(TerritoryId, Rgb),
    SetLocked(TerritoryId, bool),
    /// New colours so that territories sharing a border never share a colour.
    RecolourNeighbours,
    /// The rep leaves: the territory's ZIPs go to its neighbours.
    HandOff(TerritoryId),
    /// The territory keeps its ZIPs but has no rep.
    Vacate(TerritoryId),
    DeleteTerritory(TerritoryId),
    /// Then a click on the map moves the territory's rep's home base.
    StartMoveHome(TerritoryId),
    /// Then a click on the map places a new rep with an empty territory.
    StartPlaceRep,
    // Optimizer
    OpenOptimize,
    RunOptimize,
    CancelOptimize,
    CloseOptimize,
    /// Add the finished proposal as a scenario.
    AcceptProposal,
    /// Drop the finished proposal, back to the settings.
    DiscardProposal,
    // The map
    Map(MapEvent),
}

/// Keyboard shortcuts with modifiers: they work while typing too.
pub fn command_shortcuts() -> [(KeyboardShortcut, AppAction); 5] {
    [
        (KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z), AppAction::Redo),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::Y), AppAction::Redo),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::Z), AppAction::Undo),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::S), AppAction::Save),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::O), AppAction::Open(None)),
    ]
}

/// The fixed colour modes and their keys (attributes cycle with A).
pub fn color_mode_keys() -> [(ColorBy, Key); 5] {
    [(ColorBy::Territory, Key::T), (ColorBy::Workload, Key::W), (ColorBy::DriveTime, Key::D), (ColorBy::Balance, Key::G), (ColorBy::Utilization, Key::U)]
}

/// Single keys, when no text field has the keyboard.
pub fn plain_keys() -> Vec<(Key, AppAction)> {
    let mut keys: Vec<(Key, AppAction)> = Tool::ALL.iter().map(|t| (t.key(), AppAction::SetTool(*t))).collect();
    keys.extend(color_mode_keys().into_iter().map(|(mode, key)| (key, AppAction::SetColorBy(mode))));
    keys.push((Key::A, AppAction::CycleAttribute));
    keys.push((Key::Escape, AppAction::Escape));
    keys.push((Key::F11, AppAction::TogglePresent));
    keys.push((Key::PageDown, AppAction::StepScenario(1)));
    keys.push((Key::PageUp, AppAction::StepScenario(-1)));
    keys.push((Key::OpenBracket, AppAction::GrowBrush(-4.0)));
    keys.push((Key::CloseBracket, AppAction::GrowBrush(4.0)));
    let numbers = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5, Key::Num6, Key::Num7, Key::Num8, Key::Num9];
    keys.extend(numbers.into_iter().enumerate().map(|(n, key)| (key, AppAction::TerritoryKey(n))));
    keys
}

/// The text a menu shows beside an action with a shortcut ("Ctrl+Z").
pub fn shortcut_text(ctx: &egui::Context, action: &AppAction) -> Option<String> {
    command_shortcuts().into_iter().find(|(_, a)| a == action).map(|(s, _)| ctx.format_shortcut(&s))
}

/// The actions the keyboard asks for this frame.
pub fn keyboard_actions(ctx: &egui::Context) -> Vec<AppAction> {
    let mut actions = Vec::new();
    for (shortcut, action) in command_shortcuts() {
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
            actions.push(action);
        }
    }
    if ctx.egui_wants_keyboard_input() {
        return actions;
    }
    for (key, action) in plain_keys() {
        if ctx.input(|i| i.key_pressed(key) && i.modifiers.is_none()) {
            actions.push(action);
        }
    }
    actions
}

/// How much larger everything is drawn in presentation mode (labels, legend, the bar).
pub const PRESENT_ZOOM: f32 = 1.4;

impl TerritoryApp {
    /// Enters or leaves presentation mode: full screen, panels hidden, drawn larger.
    pub fn set_presenting(&mut self, ctx: &egui::Context, on: bool) {
        if on == self.presenting {
            return;
        }
        self.presenting = on;
        // A screenshot keeps the window size it was asked for.
        if self.screenshot.is_none() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
        }
        ctx.set_zoom_factor(if on { PRESENT_ZOOM } else { 1.0 });
        // What was on the map stays on it, in the larger or smaller map area.
        if let Some(shown) = self.view.map.last_view.map(|v| v.visible(0.0)) {
            self.view.fit_to(shown);
        }
    }

    /// Queues an action; it is carried out after this frame's UI.
    pub fn act(&mut self, action: AppAction) {
        self.pending.push(action);
    }

    /// Carries out every queued action, in order.
    pub fn apply_pending(&mut self, ctx: &egui::Context) {
        // An action may queue more (a map click that assigns on release).
        for _ in 0..4 {
            let pending = std::mem::take(&mut self.pending);
            if pending.is_empty() {
                break;
            }
            for action in pending {
                self.apply(ctx, action);
            }
        }
        self.follow_active_scenario();
    }

    /// The one dispatcher: every action of the window is carried out here.
    pub fn apply(&mut self, ctx: &egui::Context, action: AppAction) {
        match action {
            AppAction::NewFromFiles => {
                self.new_from_files.get_or_insert_with(Default::default);
            }
            AppAction::Open(path) => {
                let path = match path {
                    Some(path) => Some(path),
                    None => {
                        let dialog = self.file_dialog("Territory Designer project", &[crate::io::project_file::EXTENSION]);
                        self.choose(|| dialog.pick_file())
                    }
                };
                if let Some(path) = path {
                    self.open(path);
                }
            }
            AppAction::Save => self.save(),
            AppAction::SaveAs(path) => {
                let path = match path {
                    Some(path) => Some(path),
                    None => {
                        let dialog = self.save_dialog();
                        self.choose(|| dialog.save_file())
                    }
                };
                if let Some(path) = path {
                    self.save_to(path);
                }
            }
            AppAction::ImportAlignment(path) => {
                let path = match path {
                    Some(path) => Some(path),
                    None => {
                        let dialog = self.file_dialog("CSV", &["csv", "txt"]);
                        self.choose(|| dialog.pick_file())
                    }
                };
                if let Some(path) = path {
                    self.import_alignment(&path);
                }
            }
            AppAction::Export(kind, path) => {
                let path = match path {
                    Some(path) => Some(path),
                    None => {
                        let dialog = self.export_dialog(kind);
                        self.choose(|| dialog.save_file())
                    }
                };
                if let Some(path) = path {
                    self.export(kind, path);
                }
            }
            AppAction::ShowMapImageForm => {
                self.map_image_form.get_or_insert_with(Default::default);
            }
            AppAction::ExportMapImage(path) => {
                if let Some(path) = path.or_else(|| self.ask_save_path("PNG image", "png", "map")) {
                    self.export_map_image(path);
                }
            }
            AppAction::ExportReport(path) => {
                if let Some(path) = path.or_else(|| self.ask_save_path("PDF", "pdf", "report")) {
                    self.export_report(path);
                }
            }
            AppAction::ImportRoads(path) => {
                let path = path.or_else(|| {
                    let dialog = self.file_dialog("OpenStreetMap extract", &["pbf"]);
                    self.choose(|| dialog.pick_file())
                });
                if let Some(path) = path {
                    self.import_roads(path);
                }
            }
            AppAction::ExportLedger(path) => {
                let path = match (path, self.ledger_dialog()) {
                    (Some(path), _) => Some(path),
                    (None, Some(dialog)) => self.choose(|| dialog.save_file()),
                    (None, None) => None,
                };
                if let Some(path) = path {
                    self.export_ledger(&path);
                }
            }
            AppAction::Overwrite => match self.document.overwrite(&mut self.session) {
                Ok(()) => self.say("Saved over the other change"),
                Err(err) => self.complain(err.to_string()),
            },
            AppAction::DismissConflict => self.document.conflict = false,
            AppAction::RecoverAutosave => self.recover_autosave(),
            AppAction::DiscardAutosave => self.document.discard_recovery(),
            AppAction::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            AppAction::SaveAndQuit => {
                self.document.confirm_close = false;
                self.save();
                if !self.session.is_dirty() {
                    self.document.close_allowed = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            AppAction::QuitWithoutSaving => {
                self.document.confirm_close = false;
                self.document.close_allowed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            AppAction::CancelQuit => self.document.confirm_close = false,
            AppAction::Undo => self.undo(),
            AppAction::Redo => self.redo(),
            AppAction::Execute(command) => {
                self.execute(command);
            }
            AppAction::PreviewModel(command) => {
                if let Err(e) = self.session.preview_model(command) {
                    self.complain(format!("Workload model not changed: {e}"));
                }
            }
            AppAction::AssignSelection(to) => self.assign_selection(to),
            AppAction::ClearSelection => self.selection.clear(),
            AppAction::Escape if self.presenting => self.set_presenting(ctx, false),
            AppAction::TogglePresent => self.set_presenting(ctx, !self.presenting),
            AppAction::StepScenario(step) => {
                let scenarios = &self.session.project().scenarios;
                let at = scenarios.iter().position(|s| s.id == self.session.active_id()).unwrap_or(0) as i32;
                let n = scenarios.len() as i32;
                if n > 1 {
                    let id = scenarios[(at + step).rem_euclid(n) as usize].id;
                    self.switch_scenario(id);
                }
            }
            AppAction::Escape => {
                self.selection.clear();
                self.highlight = None;
                if self.view.map.tool.is_what_if() {
                    self.view.map.tool = Tool::Select;
                }
            }
            AppAction::SetTool(tool) => self.view.map.tool = tool,
            AppAction::SetColorBy(mode) => self.set_color_by(mode),
            AppAction::CycleAttribute => self.cycle_attribute(),
            AppAction::GrowBrush(delta) => self.view.map.brush_radius_px = (self.view.map.brush_radius_px + delta).clamp(4.0, 120.0),
            AppAction::SetPicks(picks) => self.view.map.picks = picks,
            AppAction::SetLayers(layers) => self.view.map.layers = layers,
            AppAction::SetZoneLimits(text) => {
                if let Ok(limits) = crate::drivetime::zones::parse_minutes(&text) {
                    self.view.map.zone_limits = limits;
                }
                self.view.map.zone_text = text;
            }
            AppAction::SetAssignOnRelease(on) => self.assign_on_release = on,
            AppAction::ZoomToProject => self.view.fit_to(self.view.scene.home_extent),
            AppAction::SetBasemap(source) => self.set_basemap(ctx, source),
            AppAction::ShowBasemapWindow => self.basemap_window = true,
            AppAction::ShowModelWindow => self.model_window = true,
            AppAction::ShowQuotas => {
                if self.quotas.is_none() {
                    self.quotas = Some(super::panels::quotas::QuotaForm::for_scenario(self.session.scenario(), self.session.metrics()));
                }
            }
            AppAction::ToggleChart => self.show_chart = !self.show_chart,
            AppAction::SwitchScenario(id) => self.switch_scenario(id),
            AppAction::NewBlankScenario => self.new_blank_scenario(),
            AppAction::DuplicateScenario => self.duplicate_scenario(),
            AppAction::StartRenameScenario => {
                let scenario = self.session.scenario();
                self.dialogs.scenario_rename = Some((scenario.id, scenario.name.clone()));
            }
            AppAction::RenameScenario(id, name) => {
                self.execute(Command::rename_scenario(id, name));
            }
            AppAction::AskDeleteScenario => self.dialogs.scenario_delete = Some(self.session.active_id()),
            AppAction::DeleteScenario(id) => {
                if self.execute(Command::remove_scenario(id)) {
                    self.say(format!("{} (undo brings it back)", self.session.undo_label().unwrap_or_default()));
                }
            }
            AppAction::SetBaseline => {
                self.execute(Command::set_baseline(self.session.active_id()));
            }
            AppAction::Compare(reference) => self.set_compare(reference),
            AppAction::Focus(id) => self.focus(id),
            AppAction::Highlight(id) => {
                self.highlight = if self.highlight == Some(id) { None } else { Some(id) };
                self.target = Some(id);
            }
            AppAction::SetTarget(id) => self.target = Some(id),
            AppAction::TerritoryKey(n) => {
                if let Some(t) = self.session.scenario().territories.get(n).map(|t| t.id) {
                    self.target = Some(t);
                    if !self.selection.is_empty() {
                        self.assign_selection(t);
                    }
                }
            }
            AppAction::CreateTerritory => self.create_territory(),
            AppAction::StartRenameTerritory(id) => {
                let name = self.session.scenario().territory(id).map(|t| t.name.clone()).unwrap_or_default();
                self.dialogs.territory_rename = Some((id, name));
            }
            AppAction::SetRegion(ids, region) => {
                self.execute(Command::set_region(&ids, region.as_deref()));
            }
            AppAction::StartNewRegion(ids) => self.dialogs.region_new = Some((ids, String::new())),
            AppAction::StartRenameRegion(name) => self.dialogs.region_rename = Some((name.clone(), name)),
            AppAction::RenameRegion(from, to) => {
                if !to.trim().is_empty() && to.trim() != from {
                    let cmd = Command::rename_region(self.session.scenario(), &from, &to);
                    self.execute(cmd);
                }
            }
            AppAction::DissolveRegion(name) => {
                let ids: Vec<TerritoryId> = self.session.scenario().territories_in_region(Some(&name)).map(|t| t.id).collect();
                self.execute(Command::set_region(&ids, None));
            }
            AppAction::RenameTerritory(id, name) => {
                if !name.trim().is_empty() {
                    self.execute(Command::rename_territory(id, name.trim()));
                }
            }
            AppAction::Recolor(id, color) => {
                self.execute(Command::recolor_territory(id, color));
            }
            AppAction::SetLocked(id, locked) => {
                self.execute(Command::set_locked(id, locked));
            }
            AppAction::RecolourNeighbours => {
                let changes = crate::model::palette::distinct_colours(self.session.scenario(), self.view.scene.neighbours());
                if changes.is_empty() {
                    self.say("Neighbouring territories already have different colours");
                } else {
                    let label = format!("Recolour {} territories so neighbours differ", changes.len());
                    self.execute(Command::recolour_territories(label, changes));
                }
            }
            AppAction::HandOff(id) => self.hand_off(id),
            AppAction::Vacate(id) => {
                self.execute(Command::set_territory_rep(id, None));
            }
            AppAction::DeleteTerritory(id) => {
                let command = Command::delete_territory(self.session.scenario(), id);
                self.execute(command);
            }
            AppAction::StartMoveHome(id) => {
                self.target = Some(id);
                self.view.map.tool = Tool::MoveHome;
                self.say("Click the new home base on the map");
            }
            AppAction::StartPlaceRep => {
                self.view.map.tool = Tool::PlaceRep;
                self.say("Click the new rep's home base on the map");
            }
            AppAction::OpenOptimize => self.open_optimize(),
            AppAction::RunOptimize => self.run_optimize(),
            AppAction::CancelOptimize => self.optimize.cancel(),
            AppAction::CloseOptimize => {
                self.optimize.cancel();
                self.optimize.form = None;
                self.optimize.proposal = None;
            }
            AppAction::AcceptProposal => self.accept_pending_proposal(),
            AppAction::DiscardProposal => {
                self.optimize.proposal = None;
                self.optimize.start = None;
            }
            AppAction::Map(event) => self.apply_map_event(event),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plain_key_is_used_once() {
        let keys: Vec<Key> = plain_keys().into_iter().map(|(k, _)| k).collect();
        let mut unique = keys.clone();
        unique.sort_by_key(|k| k.name());
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "two actions share a key");
    }
}
