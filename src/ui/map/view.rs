//! The map as the window shows it: the scene built once per project, walkers' memory
//! (centre, zoom), fitting to an extent, the raster tiles if any, the colours and the
//! map's interaction state; and the drawing of the main and the reference map.

use super::colors::ColorCache;
use super::scene::{BasemapScene, MapScene};
use super::{MapColors, MapEvent, MapInteraction, MapLayers, Selection};
use crate::colormap::{ColorBy, ColorModeError};
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::session::Session;
use crate::spatial::mercator::{from_mercator, MercBox};
use crate::ui::basemap::BasemapSource;
use crate::ui::compare::CompareView;
use crate::ui::panels::legend;
use crate::ui::style::BAD;
use egui::{Color32, DragPanButtons, RichText, Ui};
use walkers::{lon_lat, Map, MapMemory};

pub struct MapView {
    pub scene: MapScene,
    pub memory: MapMemory,
    pub map: MapInteraction,
    /// Gestures of this frame, turned into actions after drawing.
    pub events: Vec<MapEvent>,
    pub colors: ColorCache,
    pub color_by: ColorBy,
    pub basemap_source: BasemapSource,
    /// Raster tiles under the map (`None`: the offline vector basemap).
    pub tiles: Option<Box<dyn walkers::Tiles>>,
    /// An extent to fit once the map knows its size.
    fit_pending: Option<MercBox>,
}

/// What the main map shows besides the scene.
pub struct MapInputs<'a> {
    pub session: &'a Session,
    pub selection: &'a Selection,
    pub highlight: Option<TerritoryId>,
    pub target: Option<TerritoryId>,
    pub compare: Option<&'a CompareView>,
    /// An error to show over the map.
    pub error: Option<&'a str>,
}

impl MapView {
    pub fn new(project: &Project, basemap: BasemapScene) -> Self {
        let scene = MapScene::new(project, basemap);
        let extent = scene.extent;
        let mut memory = MapMemory::default();
        if !extent.is_empty() {
            let c = from_mercator(extent.center());
            memory.center_at(lon_lat(c.lon, c.lat));
            let _ = memory.set_zoom(7.0);
        }
        Self {
            scene,
            memory,
            map: MapInteraction::default(),
            events: Vec::new(),
            colors: ColorCache::default(),
            color_by: ColorBy::Territory,
            basemap_source: BasemapSource::Offline,
            tiles: None,
            fit_pending: (!extent.is_empty()).then_some(extent),
        }
    }

    /// The same view for another project: the basemap, layers and tiles stay.
    pub fn for_project(self, project: &Project) -> Self {
        let Self { scene, map, tiles, basemap_source, .. } = self;
        let mut next = Self::new(project, scene.basemap);
        next.map.layers = map.layers;
        next.tiles = tiles;
        next.basemap_source = basemap_source;
        next
    }

    pub fn fit_to(&mut self, extent: MercBox) {
        self.fit_pending = Some(extent);
    }

    /// Fitted and drawn: what a screenshot waits for.
    pub fn is_settled(&self) -> bool {
        self.fit_pending.is_none()
    }

    /// Zoom and centre so that the pending extent fills the map area.
    fn apply_fit(&mut self, rect: egui::Rect) {
        let Some(extent) = self.fit_pending.take() else { return };
        let [w, h] = extent.size();
        let c = from_mercator(extent.center());
        self.memory.center_at(lon_lat(c.lon, c.lat));
        let zoom_x = ((rect.width() as f64 * 0.92) / (w.max(1e-9) * 256.0)).log2();
        let zoom_y = ((rect.height() as f64 * 0.92) / (h.max(1e-9) * 256.0)).log2();
        let _ = self.memory.set_zoom(zoom_x.min(zoom_y).clamp(2.0, 18.0));
    }

    /// The mercator box of a territory's ZIPs.
    pub fn territory_extent(&self, session: &Session, id: TerritoryId) -> Option<MercBox> {
        let mut extent = MercBox::EMPTY;
        for (i, t) in session.scenario().unit_territory.iter().enumerate() {
            if *t == Some(id) && !self.scene.unit_bounds[i].is_empty() {
                extent = extent.union(&self.scene.unit_bounds[i]);
            }
        }
        (!extent.is_empty()).then_some(extent)
    }

    /// Brings colours and rep homes up to date with the session.
    pub fn refresh(&mut self, session: &Session, highlight: Option<TerritoryId>) -> Result<(), ColorModeError> {
        // A few hundred points at most: cheaper than tracking which rep moved.
        self.scene.refresh_rep_homes(session.project());
        self.colors.refresh(session, &self.color_by, highlight)
    }

    /// The main map (the active scenario, editable).
    pub fn map_ui(&mut self, ui: &mut Ui, inputs: MapInputs<'_>) {
        // Fit once the map knows its own size (after its first frame).
        if let Some(rect) = self.map.last_rect.filter(|r| r.width() > 50.0) {
            self.apply_fit(rect);
        }
        let pan_buttons = if self.map.tool.draws() { DragPanButtons::SECONDARY } else { DragPanButtons::PRIMARY };
        let center = from_mercator(self.scene.extent.center());
        let layers = MapLayers {
            raster_basemap: self.tiles.is_some(),
            scene: &self.scene,
            project: inputs.session.project(),
            scenario: inputs.session.scenario(),
            colors: MapColors {
                unit_fill: &self.colors.units,
                account: &self.colors.accounts,
                account_scale: if self.color_by == ColorBy::Territory { 1.0 } else { 0.6 },
                generation: self.colors.generation,
            },
            selection: inputs.selection,
            highlight: inputs.highlight,
            target: inputs.target,
            changed: inputs.compare.map(|c| c.changed.as_slice()),
            state: &mut self.map,
            events: &mut self.events,
        };
        let tiles: Option<&mut dyn walkers::Tiles> = match self.tiles.as_mut() {
            Some(t) => Some(t.as_mut()),
            None => None,
        };
        Map::new(tiles, &mut self.memory, lon_lat(center.lon, center.lat)).with_plugin(layers).drag_pan_buttons(pan_buttons).zoom_with_ctrl(false).show(ui, |_, _, _, _| ());
        if inputs.compare.is_some() {
            map_caption(ui, &format!("Editing: {}", inputs.session.scenario().name));
        }
        // Side by side, the territory colours explain themselves; heat legends stay.
        let legend = self.colors.legend.as_ref().filter(|_| inputs.compare.is_none() || self.color_by != ColorBy::Territory);
        if let Some(legend) = legend {
            let rect = ui.max_rect();
            egui::Area::new(egui::Id::unique("map_legend")).pivot(egui::Align2::LEFT_BOTTOM).fixed_pos(rect.left_bottom() + egui::vec2(10.0, -22.0)).show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).fill(Color32::from_rgba_unmultiplied(255, 255, 255, 235)).show(ui, |ui| legend::legend_ui(ui, legend));
            });
        }
        if let Some(text) = inputs.error {
            let rect = ui.max_rect();
            egui::Area::new(egui::Id::unique("map_notice")).fixed_pos(rect.center_top() + egui::vec2(-260.0, 12.0)).show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).fill(Color32::from_rgb(255, 235, 235)).show(ui, |ui| {
                    ui.set_max_width(520.0);
                    ui.label(RichText::new(text).color(BAD).strong());
                });
            });
        }
        ui.painter().text(
            ui.max_rect().left_bottom() + egui::vec2(6.0, -4.0),
            egui::Align2::LEFT_BOTTOM,
            self.basemap_source.attribution(),
            egui::FontId::proportional(10.0),
            Color32::from_gray(90),
        );
    }

    /// The compare view's reference map: read-only, sharing pan and zoom with the main map.
    pub fn reference_map_ui(&mut self, ui: &mut Ui, session: &Session, view: &mut CompareView) {
        let project = session.project();
        let Some(reference) = project.scenario(view.reference) else { return };
        let center = from_mercator(self.scene.extent.center());
        let empty = Selection::default();
        let mut ignored = Vec::new();
        let layers = MapLayers {
            raster_basemap: false,
            scene: &self.scene,
            project,
            scenario: reference,
            colors: MapColors { unit_fill: &view.unit_colors, account: &view.account_colors, account_scale: 1.0, generation: view.colors_generation },
            selection: &empty,
            highlight: None,
            target: None,
            changed: Some(&view.changed),
            state: &mut view.map,
            events: &mut ignored,
        };
        // Both maps share one MapMemory: panning or zooming either moves both.
        Map::new(None, &mut self.memory, lon_lat(center.lon, center.lat)).with_plugin(layers).zoom_with_ctrl(false).show(ui, |_, _, _, _| ());
        map_caption(ui, &format!("Reference: {}", reference.name));
    }
}

/// A scenario's name over the top of a map.
fn map_caption(ui: &Ui, text: &str) {
    let rect = ui.max_rect();
    let galley = ui.painter().layout_no_wrap(text.to_string(), egui::FontId::proportional(15.0), Color32::from_gray(20));
    let at = rect.center_top() + egui::vec2(-galley.size().x / 2.0, 8.0);
    let frame = egui::Rect::from_min_size(at, galley.size()).expand2(egui::vec2(8.0, 4.0));
    ui.painter().rect_filled(frame, 4.0, Color32::from_rgba_unmultiplied(255, 255, 255, 230));
    ui.painter().galley(at, galley, Color32::from_gray(20));
}
