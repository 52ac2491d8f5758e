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
use crate::model::ids::ScenarioId;
use crate::spatial::labels::{territory_anchors, LabelAnchor};
use crate::session::Changes;
use crate::spatial::clusters::AccountClusters;
use crate::spatial::lod::{level_for_zoom, RegionMeshes, REGION_LEVELS};
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
    /// Territory name anchors of the active scenario, with the session generation and
    /// scenario they were computed for.
    labels: Option<(u64, ScenarioId, Vec<LabelAnchor>)>,
    labels_at: f64,
    /// The arcs between different territories (or a territory and the outside), with
    /// the session generation and scenario they were found for.
    territory_borders: Option<(u64, ScenarioId, Vec<u32>)>,
    /// Territories as single shapes for whole-country views, per coarse level, for the
    /// main map and the compare view's reference map.
    regions: [RegionCache; REGION_LEVELS],
    reference_regions: [RegionCache; REGION_LEVELS],
    /// The main territory of each account cluster, per zoom, for the main map and for
    /// the compare view's reference map.
    cluster_owners: std::collections::HashMap<usize, ClusterOwners>,
    reference_cluster_owners: std::collections::HashMap<usize, ClusterOwners>,
    zones: super::zones::ZoneCache,
    route: super::route::RouteView,
}

/// The main territory of each cluster of a zoom, worked out for the clusters in view
/// and kept up to date edit by edit.
struct ClusterOwners {
    owners: Vec<Option<TerritoryId>>,
    known: Vec<bool>,
    scenario: ScenarioId,
    seen: u64,
    /// Bumped whenever an owner changes.
    generation: u64,
}

impl ClusterOwners {
    /// `edits_apply`: whether edits change `scenario` (the active one) or not (the
    /// compare view's reference). `visible`: the clusters to have owners for.
    fn refresh(slot: &mut Option<Self>, clusters: &AccountClusters, zoom: usize, session: &Session, scenario: &crate::model::Scenario, edits_apply: bool, visible: &MercBox) {
        let Some(level) = clusters.level(zoom) else { return };
        let changes = slot.as_ref().filter(|o| o.scenario == scenario.id).map(|o| session.changes_since(o.seen));
        match (slot.as_mut(), changes) {
            (Some(_), Some(Changes::Nothing)) => {}
            (Some(_), Some(Changes::Edits(_))) if !edits_apply => {}
            (Some(o), Some(Changes::Edits(e))) if !e.structure_changed => {
                for m in &e.accounts {
                    if let Some(known) = level.cluster_of.get(m.account.index()).and_then(|c| o.known.get_mut(*c as usize)) {
                        *known = false;
                    }
                }
            }
            _ => {
                let n = level.clusters.len();
                let generation = slot.as_ref().map_or(0, |o| o.generation + 1);
                *slot = Some(Self { owners: vec![None; n], known: vec![false; n], scenario: scenario.id, seen: 0, generation });
            }
        }
        let Some(o) = slot.as_mut() else { return };
        o.seen = session.generation();
        let mut changed = false;
        for (i, cluster) in level.clusters.iter().enumerate() {
            if !o.known[i] && visible.contains(cluster.centre) {
                let owner = clusters.main_territory(cluster, session.project(), scenario);
                changed |= o.owners[i] != owner;
                o.owners[i] = owner;
                o.known[i] = true;
            }
        }
        if changed {
            o.generation += 1;
        }
    }
}

/// A level's territory shapes and the session generation they are up to date with.
#[derive(Default)]
struct RegionCache {
    meshes: RegionMeshes,
    seen: Option<u64>,
}

impl RegionCache {
    /// Updates the shapes of `scenario`; `edits_apply`: whether edits since the last
    /// call changed this scenario (the active one) or not (the reference).
    fn refresh(&mut self, lod: &crate::spatial::lod::Lod, session: &Session, scenario: &crate::model::Scenario, level: usize, edits_apply: bool) -> &RegionMeshes {
        let touched: Option<Vec<Option<TerritoryId>>> = match self.seen.map(|g| session.changes_since(g)) {
            Some(Changes::Nothing) => Some(Vec::new()),
            Some(Changes::Edits(_)) if !edits_apply => Some(Vec::new()),
            Some(Changes::Edits(e)) if !e.structure_changed => {
                let mut groups: Vec<Option<TerritoryId>> = e.units.iter().flat_map(|(_, from, to)| [*from, *to]).collect();
                groups.sort();
                groups.dedup();
                Some(groups)
            }
            _ => None,
        };
        self.meshes.refresh(lod, scenario, level, touched.as_deref());
        self.seen = Some(session.generation());
        &self.meshes
    }
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
    /// A picture for a file (nothing to hover or edit).
    pub still: bool,
}

/// Where a map looks (walkers' centre and zoom, the last frame's size and transform,
/// an extent still to fit), so a picture drawn off screen can look elsewhere than the
/// window's map without disturbing it.
pub struct Viewpoint {
    memory: MapMemory,
    map: MapInteraction,
    fit_pending: Option<MercBox>,
    colors: ColorCache,
    color_by: ColorBy,
}

impl MapView {
    pub fn new(project: &Project, basemap: BasemapScene) -> Self {
        let scene = MapScene::new(project, basemap);
        let extent = scene.home_extent;
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
            labels: None,
            labels_at: f64::NEG_INFINITY,
            territory_borders: None,
            regions: Default::default(),
            reference_regions: Default::default(),
            cluster_owners: Default::default(),
            reference_cluster_owners: Default::default(),
            zones: Default::default(),
            route: Default::default(),
        }
    }

    /// The same view for another project: the basemap, layers and tiles stay.
    pub fn for_project(self, project: &Project) -> Self {
        let Self { scene, map, tiles, basemap_source, .. } = self;
        let mut next = Self::new(project, scene.basemap);
        next.map.layers = map.layers;
        next.map.zone_limits = map.zone_limits;
        next.map.zone_text = map.zone_text;
        next.tiles = tiles;
        next.basemap_source = basemap_source;
        next
    }

    /// Points of the road route drawn (to the hovered or selected account); 0: none.
    pub fn route_points(&self) -> usize {
        self.route.merc.len()
    }

    /// Pieces of drive-time zone outline worked out (when the layer is on).
    pub fn zone_edges(&self) -> usize {
        self.zones.edges.len()
    }

    /// Whether the road route to an account is still being searched.
    pub fn route_pending(&self) -> bool {
        self.route.pending()
    }

    /// Centres the map on a place at a zoom (instead of fitting the project).
    pub fn look_at(&mut self, lon: f64, lat: f64, zoom: f64) {
        self.fit_pending = None;
        self.memory.center_at(lon_lat(lon, lat));
        let _ = self.memory.set_zoom(zoom.clamp(2.0, 18.0));
    }

    /// A viewpoint that fits `extent` coloured by `color_by`, with this map's layers.
    pub fn viewpoint_fitting(&self, extent: MercBox, color_by: ColorBy) -> Viewpoint {
        let mut map = MapInteraction::default();
        map.layers = self.map.layers;
        Viewpoint { memory: MapMemory::default(), map, fit_pending: (!extent.is_empty()).then_some(extent), colors: ColorCache::default(), color_by }
    }

    /// Exchanges where this map looks and what its colours show with `other` (call
    /// twice to restore).
    pub fn swap_viewpoint(&mut self, other: &mut Viewpoint) {
        std::mem::swap(&mut self.memory, &mut other.memory);
        std::mem::swap(&mut self.map, &mut other.map);
        std::mem::swap(&mut self.fit_pending, &mut other.fit_pending);
        std::mem::swap(&mut self.colors, &mut other.colors);
        std::mem::swap(&mut self.color_by, &mut other.color_by);
    }

    pub fn fit_to(&mut self, extent: MercBox) {
        self.fit_pending = Some(extent);
    }

    /// Fitted, drawn at the detail the view needs: what a screenshot waits for.
    pub fn is_settled(&self) -> bool {
        self.fit_pending.is_none() && self.map.last_view.is_some() && !self.scene.lod.is_building()
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
            if *t == Some(id) {
                extent = extent.union(&self.scene.unit_bounds(i));
            }
        }
        (!extent.is_empty()).then_some(extent)
    }

    /// The level of detail for the current zoom. The finer triangles the view needs
    /// are built on the level-of-detail thread; coarser ones stand in meanwhile.
    fn prepare_level(&mut self, ctx: &egui::Context) -> usize {
        let level = level_for_zoom(self.memory.zoom());
        self.scene.lod.receive();
        if let Some(view) = self.map.last_view {
            let visible = view.visible(64.0);
            let lod = &self.scene.lod;
            let units: Vec<usize> = (0..lod.unit_count()).filter(|u| lod.unit_bounds[*u].intersects(&visible) && !lod.has_mesh(level, *u)).collect();
            if !units.is_empty() {
                self.scene.lod.request(level, &units);
            }
        }
        if self.scene.lod.is_building() {
            ctx.request_repaint_after(std::time::Duration::from_millis(15));
        }
        level
    }

    /// Territory name anchors, recomputed when the scenario changed (during a stream of
    /// edits, a brush stroke, at most four times a second).
    fn labels(&mut self, session: &Session, now_secs: f64) -> &[LabelAnchor] {
        let key = (session.generation(), session.active_id());
        let stale = self.labels.as_ref().is_none_or(|(g, s, _)| (*g, *s) != key);
        let other_scenario = self.labels.as_ref().is_none_or(|(_, s, _)| *s != key.1);
        if stale && (other_scenario || now_secs - self.labels_at >= 0.25) {
            self.labels_at = now_secs;
            let anchors = territory_anchors(session.project(), session.scenario(), &self.scene.unit_centres, &self.scene.lod.unit_bounds);
            self.labels = Some((key.0, key.1, anchors));
        }
        self.labels.as_ref().map_or(&[], |(_, _, l)| l.as_slice())
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
        let level = self.prepare_level(ui.ctx());
        let now = ui.ctx().input(|i| i.time);
        self.labels(inputs.session, now);
        let labels = self.labels.as_ref().map(|(_, _, l)| l.as_slice());
        let regions = if level < REGION_LEVELS && colors_follow_territories(&self.color_by) {
            // Both coarse levels at once the first time, so zooming across them later
            // does not stall; after that, only the one drawn (each catches up on the
            // edits it missed when it is drawn again).
            for (l, cache) in self.regions.iter_mut().enumerate() {
                if l == level || cache.seen.is_none() {
                    cache.refresh(&self.scene.lod, inputs.session, inputs.session.scenario(), l, true);
                }
            }
            Some(&self.regions[level].meshes)
        } else {
            None
        };
        let borders_key = (inputs.session.generation(), inputs.session.active_id());
        if self.territory_borders.as_ref().is_none_or(|(g, s, _)| (*g, *s) != borders_key) {
            let arcs = crate::spatial::lod::territory_border_arcs(&self.scene.lod, inputs.session.scenario());
            self.territory_borders = Some((borders_key.0, borders_key.1, arcs));
        }
        let territory_borders = self.territory_borders.as_ref().map(|(_, _, a)| a.as_slice());
        let cluster_zoom = self.memory.zoom().floor().max(0.0) as usize;
        let visible = self.map.last_view.map(|v| v.visible(64.0));
        let owners = cluster_owners(&mut self.cluster_owners, &self.scene, self.map.layers.accounts, cluster_zoom, inputs.session, inputs.session.scenario(), true, visible);
        if self.map.layers.drive_zones {
            self.zones.refresh(inputs.session, &self.scene.lod, &self.map.zone_limits);
        }
        let zones = self.map.layers.drive_zones.then_some(&self.zones);
        let single = (inputs.selection.accounts.len() == 1).then(|| inputs.selection.accounts.iter().next().copied()).flatten();
        if self.route.refresh(inputs.session, self.map.hovered_account.or(single)) {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(30));
        }
        let layers = MapLayers {
            zones,
            route: &self.route.merc,
            territory_borders,
            clusters: owners.map(|o| (cluster_zoom, o.owners.as_slice())),
            clusters_key: owners.map(|o| (cluster_zoom, o.generation)),
            raster_basemap: self.tiles.is_some(),
            scene: &self.scene,
            project: inputs.session.project(),
            scenario: inputs.session.scenario(),
            colors: MapColors {
                unit_fill: &self.colors.units,
                account: &self.colors.accounts,
                // Drive time colours the dots themselves: they keep their size.
                account_scale: if matches!(self.color_by, ColorBy::Territory | ColorBy::DriveTime) { 1.0 } else { 0.6 },
                generation: self.colors.generation,
            },
            selection: inputs.selection,
            highlight: inputs.highlight,
            target: inputs.target,
            changed: inputs.compare.map(|c| c.changed.as_slice()),
            state: &mut self.map,
            events: &mut self.events,
            level,
            labels,
            regions,
            metrics: Some(inputs.session.metrics()),
        };
        let tiles: Option<&mut dyn walkers::Tiles> = match self.tiles.as_mut() {
            Some(t) => Some(t.as_mut()),
            None => None,
        };
        Map::new(tiles, &mut self.memory, lon_lat(center.lon, center.lat)).with_plugin(layers).drag_pan_buttons(pan_buttons).zoom_with_ctrl(false).show(ui, |_, _, _, _| ());
        if inputs.compare.is_some() {
            let name = &inputs.session.scenario().name;
            map_caption(ui, &if inputs.still { name.clone() } else { format!("Editing: {name}") });
        }
        // Side by side, the territory colours explain themselves; heat legends stay.
        let legend = self.colors.legend.as_ref().filter(|_| inputs.compare.is_none() || self.color_by != ColorBy::Territory);
        let zones_line = self.map.layers.drive_zones.then(|| zones_legend(&self.map.zone_limits, inputs.session, inputs.highlight));
        if let Some(legend) = legend {
            let rect = ui.max_rect();
            egui::Area::new(egui::Id::unique("map_legend")).pivot(egui::Align2::LEFT_BOTTOM).fixed_pos(rect.left_bottom() + egui::vec2(10.0, -22.0)).show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).fill(Color32::from_rgba_unmultiplied(255, 255, 255, 235)).show(ui, |ui| {
                    legend::legend_ui(ui, legend, inputs.still);
                    if let Some(line) = zones_line {
                        ui.separator();
                        ui.label(egui::RichText::new(line).size(11.5));
                    }
                });
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
        let level = self.prepare_level(ui.ctx());
        let cluster_zoom = self.memory.zoom().floor().max(0.0) as usize;
        let visible = view.map.last_view.map(|v| v.visible(64.0));
        let ref_owners = cluster_owners(&mut self.reference_cluster_owners, &self.scene, view.map.layers.accounts, cluster_zoom, session, reference, false, visible);
        let empty = Selection::default();
        let regions = match self.reference_regions.get_mut(level) {
            Some(cache) => Some(cache.refresh(&self.scene.lod, session, reference, level, false)),
            None => None,
        };
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
            level,
            labels: None,
            regions,
            metrics: None,
            territory_borders: None,
            zones: None,
            route: &[],
            clusters: ref_owners.map(|o| (cluster_zoom, o.owners.as_slice())),
            clusters_key: ref_owners.map(|o| (cluster_zoom, o.generation)),
        };
        // Both maps share one MapMemory: panning or zooming either moves both.
        Map::new(None, &mut self.memory, lon_lat(center.lon, center.lat)).with_plugin(layers).zoom_with_ctrl(false).show(ui, |_, _, _, _| ());
        map_caption(ui, &format!("Reference: {}", reference.name));
    }
}

/// What the zone outlines are, for the legend.
fn zones_legend(limits: &[f64], session: &Session, highlight: Option<TerritoryId>) -> String {
    let limits: Vec<String> = limits.iter().map(|m| format!("{m:.0}")).collect();
    let whose = match highlight.and_then(|t| session.scenario().territory(t)).and_then(|t| t.rep).and_then(|r| session.project().reps.get(r.index())) {
        Some(rep) => format!("{}'s home", rep.name),
        None => "each rep's home (thickest nearest)".into(),
    };
    let how = if session.roads().is_some() { "by road where the network reaches" } else { "estimated" };
    format!("Outlines: {} min drive from {whose}, {how}", limits.join(" / "))
}

/// The main territory of each account cluster at `zoom` (accounts cluster at whole-number
/// zooms), kept up to date with the edits.
#[allow(clippy::too_many_arguments)]
fn cluster_owners<'c>(
    cache: &'c mut std::collections::HashMap<usize, ClusterOwners>,
    scene: &MapScene,
    accounts_shown: bool,
    zoom: usize,
    session: &Session,
    scenario: &crate::model::Scenario,
    edits_apply: bool,
    visible: Option<MercBox>,
) -> Option<&'c ClusterOwners> {
    if !accounts_shown || scene.clusters.level(zoom).is_none() {
        return None;
    }
    let visible = visible.unwrap_or(scene.extent);
    let mut slot = cache.remove(&zoom);
    ClusterOwners::refresh(&mut slot, &scene.clusters, zoom, session, scenario, edits_apply, &visible);
    if let Some(owners) = slot {
        cache.insert(zoom, owners);
    }
    cache.get(&zoom)
}

/// Modes in which every ZIP of a territory has the territory's colour, so a territory
/// can be drawn as one shape.
fn colors_follow_territories(mode: &ColorBy) -> bool {
    matches!(mode, ColorBy::Territory | ColorBy::Workload | ColorBy::Balance | ColorBy::Utilization)
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
