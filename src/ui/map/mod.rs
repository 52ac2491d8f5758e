//! The map: a walkers `Map` with one plugin that draws the basemap, ZIP polygons,
//! borders, accounts and the active tool, and turns pointer gestures into `MapEvent`s
//! that the app applies after drawing.

pub mod colors;
mod draw;
pub mod scene;
pub mod route;
pub mod view;
pub mod zones;

use crate::metrics::preview::would_move;
use crate::model::entities::LonLat;
use crate::model::ids::{AccountId, TerritoryId, UnitId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::spatial::mercator::from_mercator;
use egui::{Color32, Mesh, PointerButton, Pos2, Response, Shape, Ui};
use crate::spatial::labels::LabelAnchor;
use crate::spatial::lod::RegionMeshes;
use draw::OCEAN;
use scene::{MapScene, View};
use std::collections::BTreeSet;
use std::sync::Arc;
use walkers::{MapMemory, Plugin, Projector};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Pan,
    Select,
    Lasso,
    Rectangle,
    Brush,
    /// Click: a new rep with a home base there and an empty territory.
    PlaceRep,
    /// Click: the target territory's rep moves home base there.
    MoveHome,
}

impl Tool {
    pub const ALL: [Tool; 7] = [Tool::Pan, Tool::Select, Tool::Lasso, Tool::Rectangle, Tool::Brush, Tool::PlaceRep, Tool::MoveHome];

    pub fn label(self) -> &'static str {
        match self {
            Tool::Pan => "Pan",
            Tool::Select => "Select",
            Tool::Lasso => "Lasso",
            Tool::Rectangle => "Rectangle",
            Tool::Brush => "Brush",
            Tool::PlaceRep => "New rep",
            Tool::MoveHome => "Move home",
        }
    }

    pub fn key(self) -> egui::Key {
        match self {
            Tool::Pan => egui::Key::H,
            Tool::Select => egui::Key::S,
            Tool::Lasso => egui::Key::L,
            Tool::Rectangle => egui::Key::R,
            Tool::Brush => egui::Key::B,
            Tool::PlaceRep => egui::Key::N,
            Tool::MoveHome => egui::Key::M,
        }
    }

    /// One-click tools of the what-if edits, started from the territories panel.
    pub fn is_what_if(self) -> bool {
        matches!(self, Tool::PlaceRep | Tool::MoveHome)
    }

    /// Tools that use the primary drag themselves; the map then pans with the right button.
    pub fn draws(self) -> bool {
        matches!(self, Tool::Lasso | Tool::Rectangle | Tool::Brush)
    }
}

/// What a lasso or rectangle picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picks {
    Zips,
    Accounts,
    Both,
}

impl Picks {
    pub fn label(self) -> &'static str {
        match self {
            Picks::Zips => "ZIPs",
            Picks::Accounts => "Accounts",
            Picks::Both => "ZIPs + accounts",
        }
    }
    fn zips(self) -> bool {
        self != Picks::Accounts
    }
    fn accounts(self) -> bool {
        self != Picks::Zips
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerToggles {
    pub zip_fill: bool,
    pub zip_borders: bool,
    pub accounts: bool,
    pub counties: bool,
    pub rep_homes: bool,
    /// Drive-time zones around the reps' home bases (see `MapInteraction::zone_limits`).
    pub drive_zones: bool,
}

impl Default for LayerToggles {
    fn default() -> Self {
        Self { zip_fill: true, zip_borders: true, accounts: true, counties: true, rep_homes: true, drive_zones: false }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub units: BTreeSet<UnitId>,
    pub accounts: BTreeSet<AccountId>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.units.is_empty() && self.accounts.is_empty()
    }
    pub fn clear(&mut self) {
        self.units.clear();
        self.accounts.clear();
    }
}

/// What a gesture on the map asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum MapEvent {
    Clicked { unit: Option<UnitId>, account: Option<AccountId>, additive: bool, at: LonLat },
    Selected { units: Vec<UnitId>, accounts: Vec<AccountId>, additive: bool },
    BrushStarted,
    Brushed(Vec<UnitId>),
    BrushEnded,
}

/// What a lasso or rectangle would pick, shown before release.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preview {
    pub units: Vec<UnitId>,
    pub accounts: Vec<AccountId>,
    pub moved_accounts: usize,
    pub moved_potential: f64,
}

#[derive(Clone, Debug, Default)]
pub(super) enum Gesture {
    #[default]
    None,
    Lasso(Vec<Pos2>),
    Rectangle(Pos2, Pos2),
    Brush,
}

/// Map state that lives across frames (besides walkers' `MapMemory`).
pub struct MapInteraction {
    pub tool: Tool,
    pub picks: Picks,
    pub brush_radius_px: f32,
    pub layers: LayerToggles,
    /// The drive-time zones' limits, minutes, ascending, and as the planner typed them.
    pub zone_limits: Vec<f64>,
    pub zone_text: String,
    pub pointer: Option<LonLat>,
    pub hovered_unit: Option<UnitId>,
    pub hovered_account: Option<AccountId>,
    pub preview: Option<Preview>,
    pub last_rect: Option<egui::Rect>,
    /// The mercator -> screen transform of the last frame.
    pub last_view: Option<View>,
    gesture: Gesture,
    cache: Option<(CacheKey, Arc<Mesh>)>,

    /// CPU time to build the last map frame, for the smoothness figure.
    pub last_build_ms: f32,
    /// Vertices of the last static map mesh (what each frame hands to the GPU).
    pub last_mesh_vertices: usize,
}

impl Default for MapInteraction {
    fn default() -> Self {
        Self {
            tool: Tool::Select,
            picks: Picks::Zips,
            brush_radius_px: 18.0,
            layers: LayerToggles::default(),
            zone_limits: crate::drivetime::zones::DEFAULT_MINUTES.to_vec(),
            zone_text: "30, 60, 90".into(),
            pointer: None,
            hovered_unit: None,
            hovered_account: None,
            preview: None,
            last_rect: None,
            last_view: None,
            gesture: Gesture::None,
            cache: None,

            last_build_ms: 0.0,
            last_mesh_vertices: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct CacheKey {
    view: View,
    generation: u64,
    layers: LayerToggles,
    raster: bool,
    level: usize,
    lod_generation: u64,
    regions_generation: Option<u64>,
    clusters: Option<(usize, u64)>,
    zones: Option<u64>,
}

/// Colours of the units and accounts, computed by the app from the scenario.
pub struct MapColors<'a> {
    pub unit_fill: &'a [Color32],
    pub account: &'a [Color32],
    /// Accounts shrink when the fills carry a heat map, so the dots do not hide it.
    pub account_scale: f32,
    /// Bumped whenever the colours or the scenario change.
    pub generation: u64,
}

/// The walkers plugin that draws everything and reads gestures.
pub struct MapLayers<'a> {
    /// Raster tiles are drawn underneath: skip the vector land and water fills.
    pub raster_basemap: bool,
    pub scene: &'a MapScene,
    pub project: &'a Project,
    pub scenario: &'a Scenario,
    pub colors: MapColors<'a>,
    pub selection: &'a Selection,
    pub highlight: Option<TerritoryId>,
    /// The territory a lasso would move its picks to, for the live preview.
    pub target: Option<TerritoryId>,
    /// Units flagged as changed against another scenario (compare view), by index.
    pub changed: Option<&'a [bool]>,
    pub state: &'a mut MapInteraction,
    pub events: &'a mut Vec<MapEvent>,
    /// The level of detail to draw (see `spatial::lod`).
    pub level: usize,
    /// Territory names to draw, largest territories first.
    pub labels: Option<&'a [LabelAnchor]>,
    /// Each territory as one shape, drawn instead of its ZIPs in whole-country views.
    pub regions: Option<&'a RegionMeshes>,
    /// The scenario's live metrics, for an account's drive in its tooltip (main map).
    pub metrics: Option<&'a crate::metrics::ScenarioMetrics>,
    /// The arcs between territories (the main map's scenario), so a view without ZIP
    /// borders need not look at every arc.
    pub territory_borders: Option<&'a [u32]>,
    /// The zoom whose account clusters may be drawn, and each cluster's main territory.
    pub clusters: Option<(usize, &'a [Option<TerritoryId>])>,
    /// Changes whenever the clusters' zoom or main territories change.
    pub clusters_key: Option<(usize, u64)>,
    /// Drive-time zones to outline (the layer is on).
    pub zones: Option<&'a zones::ZoneCache>,
    /// The road route to the hovered (or selected) account, mercator; empty: none.
    pub route: &'a [[f64; 2]],
}


impl Plugin for MapLayers<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, response: &Response, projector: &Projector, _memory: &MapMemory) {
        let this = *self;
        this.draw_and_interact(ui, response, projector);
    }
}

impl MapLayers<'_> {
    fn draw_and_interact(mut self, ui: &mut Ui, response: &Response, projector: &Projector) {
        let started = std::time::Instant::now();
        let view = View::from_projector(projector);
        self.state.last_rect = Some(view.rect);
        self.state.last_view = Some(view);
        let painter = ui.painter().with_clip_rect(view.rect);
        let key = CacheKey {
            view,
            generation: self.colors.generation,
            layers: self.state.layers,
            raster: self.raster_basemap,
            level: self.level,
            lod_generation: self.scene.lod.generation,
            regions_generation: self.regions.map(|r| r.generation),
            clusters: self.clusters_key,
            zones: self.zones.map(|z| z.generation),
        };
        let mesh = match &self.state.cache {
            Some((k, mesh)) if *k == key => Arc::clone(mesh),
            _ => {
                let mesh = Arc::new(self.build_mesh(&view, projector.zoom()));
                self.state.cache = Some((key, Arc::clone(&mesh)));
                mesh
            }
        };
        if !self.raster_basemap {
            painter.rect_filled(view.rect, 0.0, OCEAN);
        }
        self.state.last_mesh_vertices = mesh.vertices.len();
        painter.add(Shape::Mesh(mesh));
        self.paint_overlays(&painter, &view);
        self.paint_labels(&painter, &view);
        self.state.last_build_ms = started.elapsed().as_secs_f32() * 1000.0;
        self.interact(ui, response, &view);
    }

    fn px_per_km(view: &View, at: LonLat) -> f64 {
        view.scale / (40_075.017 * at.lat.to_radians().cos().max(0.01))
    }

    fn account_at(&self, view: &View, at: LonLat) -> Option<AccountId> {
        if !self.state.layers.accounts {
            return None;
        }
        let max_km = 6.0 / Self::px_per_km(view, at);
        self.scene.account_index.nearest_within_km(at, max_km).map(AccountId)
    }

    fn interact(self, ui: &mut Ui, response: &Response, view: &View) {
        let to_lonlat = |p: Pos2| from_mercator(view.to_merc(p));
        let hover = response.hover_pos();
        self.state.pointer = hover.map(to_lonlat);
        self.state.hovered_unit = self.state.pointer.and_then(|p| self.scene.unit_index.locate(&self.project.units, p));
        let cluster = hover.and_then(|p| self.cluster_at(view, p));
        self.state.hovered_account = if cluster.is_some() { None } else { self.state.pointer.and_then(|p| self.account_at(view, p)) };
        let additive = ui.input(|i| i.modifiers.shift);
        let tool = self.state.tool;

        if response.clicked_by(PointerButton::Primary) && tool != Tool::Pan {
            if let Some(p) = response.interact_pointer_pos() {
                let at = to_lonlat(p);
                let account = self.account_at(view, at);
                let unit = self.scene.unit_index.locate(&self.project.units, at);
                self.events.push(MapEvent::Clicked { unit, account, additive, at });
            }
        }
        let pointer = response.interact_pointer_pos();
        match tool {
            Tool::Lasso | Tool::Rectangle => {
                if response.drag_started_by(PointerButton::Primary) {
                    if let Some(p) = pointer {
                        self.state.gesture = if tool == Tool::Lasso { Gesture::Lasso(vec![p]) } else { Gesture::Rectangle(p, p) };
                    }
                }
                if response.dragged_by(PointerButton::Primary) {
                    if let Some(p) = pointer {
                        match &mut self.state.gesture {
                            Gesture::Lasso(points) if points.last().is_none_or(|l| (*l - p).length() >= 3.0) => points.push(p),
                            Gesture::Rectangle(_, b) => *b = p,
                            _ => {}
                        }
                    }
                    self.state.preview = Some(self.preview(view));
                }
                if response.drag_stopped_by(PointerButton::Primary) {
                    let preview = self.preview(view);
                    self.state.gesture = Gesture::None;
                    self.state.preview = None;
                    self.events.push(MapEvent::Selected { units: preview.units, accounts: preview.accounts, additive });
                }
            }
            Tool::Brush => {
                if response.drag_started_by(PointerButton::Primary) {
                    self.state.gesture = Gesture::Brush;
                    self.events.push(MapEvent::BrushStarted);
                }
                if matches!(self.state.gesture, Gesture::Brush) && (response.dragged_by(PointerButton::Primary) || response.drag_started_by(PointerButton::Primary)) {
                    if let Some(p) = pointer {
                        let at = to_lonlat(p);
                        let radius_km = self.state.brush_radius_px as f64 / Self::px_per_km(view, at);
                        let mut units: Vec<UnitId> = self.scene.centroid_index.within_km(at, radius_km).into_iter().map(UnitId).collect();
                        if let Some(u) = self.scene.unit_index.locate(&self.project.units, at) {
                            units.push(u);
                        }
                        units.sort_unstable();
                        units.dedup();
                        if !units.is_empty() {
                            self.events.push(MapEvent::Brushed(units));
                        }
                    }
                }
                if response.drag_stopped_by(PointerButton::Primary) && matches!(self.state.gesture, Gesture::Brush) {
                    self.state.gesture = Gesture::None;
                    self.events.push(MapEvent::BrushEnded);
                }
            }
            Tool::Pan | Tool::Select | Tool::PlaceRep | Tool::MoveHome => self.state.gesture = Gesture::None,
        }
        if let Some(preview) = &self.state.preview {
            let mut picked = Vec::new();
            if !preview.units.is_empty() || self.state.picks != Picks::Accounts {
                picked.push(format!("{} ZIPs", preview.units.len()));
            }
            if self.state.picks != Picks::Zips {
                picked.push(format!("{} accounts", preview.accounts.len()));
            }
            let target = self.target.and_then(|t| self.scenario.territory(t)).map(|t| t.name.as_str());
            let text = match target {
                Some(name) => format!(
                    "{}\n{} accounts, {} potential would move to {name}",
                    picked.join(" + "),
                    preview.moved_accounts,
                    crate::format::amount(preview.moved_potential, &self.project.settings.potential_unit)
                ),
                None => picked.join(" + "),
            };
            if let Some(p) = hover {
                let painter = ui.painter();
                let galley = painter.layout_no_wrap(text, egui::FontId::proportional(13.0), Color32::WHITE);
                let rect = egui::Rect::from_min_size(p + egui::vec2(16.0, 16.0), galley.size() + egui::vec2(12.0, 8.0));
                painter.rect_filled(rect, 4.0, Color32::from_rgba_unmultiplied(20, 30, 50, 220));
                painter.galley(rect.min + egui::vec2(6.0, 4.0), galley, Color32::WHITE);
            }
        } else if let (Some(_), Gesture::None) = (hover, &self.state.gesture) {
            match cluster {
                Some(c) => self.cluster_tooltip(response, c),
                None => self.tooltip(response),
            }
        }
    }

    /// The account cluster under the pointer, when clusters are drawn: its index.
    fn cluster_at(&self, view: &View, p: Pos2) -> Option<usize> {
        if !self.state.layers.accounts {
            return None;
        }
        let zoom = self.cluster_zoom(view)?;
        let level = self.scene.clusters.level(zoom)?;
        level
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (i, (view.to_screen(c.centre) - p).length(), draw::cluster_radius(c.count, level.max_count)))
            .filter(|(_, d, r)| *d <= r + 2.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _, _)| i)
    }

    fn cluster_tooltip(&self, response: &Response, index: usize) {
        let Some((zoom, owners)) = self.clusters else { return };
        let Some(cluster) = self.scene.clusters.level(zoom).and_then(|l| l.clusters.get(index)) else { return };
        let owner = owners.get(index).copied().flatten().and_then(|t| self.scenario.territory(t)).map(|t| t.name.clone());
        response.clone().on_hover_ui_at_pointer(|ui| {
            ui.strong(format!("{} accounts", cluster.count));
            ui.label(format!("Potential {}", crate::format::amount(cluster.potential, &self.project.settings.potential_unit)));
            match owner {
                Some(name) => ui.label(format!("Mostly in {name}")),
                None => ui.label("Mostly unassigned"),
            };
            ui.weak("Zoom in to see them one by one");
        });
    }

    /// What the current lasso or rectangle covers, and what assigning it would move.
    fn preview(&self, view: &View) -> Preview {
        let to_lonlat = |p: Pos2| from_mercator(view.to_merc(p));
        let picks = self.state.picks;
        let (units, accounts) = match &self.state.gesture {
            Gesture::Lasso(points) if points.len() >= 3 => {
                let ring: Vec<LonLat> = points.iter().map(|p| to_lonlat(*p)).collect();
                (
                    if picks.zips() { self.scene.centroid_index.in_lasso(&ring) } else { Vec::new() },
                    if picks.accounts() { self.scene.account_index.in_lasso(&ring) } else { Vec::new() },
                )
            }
            Gesture::Rectangle(a, b) => {
                let (a, b) = (to_lonlat(*a), to_lonlat(*b));
                (
                    if picks.zips() { self.scene.centroid_index.in_box(a, b) } else { Vec::new() },
                    if picks.accounts() { self.scene.account_index.in_box(a, b) } else { Vec::new() },
                )
            }
            _ => (Vec::new(), Vec::new()),
        };
        let units: Vec<UnitId> = units.into_iter().map(UnitId).collect();
        let accounts: Vec<AccountId> = accounts.into_iter().map(AccountId).collect();
        let moved = self.target.map(|t| would_move(self.project, self.scenario, &units, &accounts, t)).unwrap_or_default();
        Preview { moved_accounts: moved.accounts, moved_potential: moved.potential, units, accounts }
    }

    fn tooltip(&self, response: &Response) {
        let project = self.project;
        let scenario = self.scenario;
        if let Some(account) = self.state.hovered_account {
            let a = &project.accounts[account.index()];
            let territory = scenario.account_territory(a.id, a.unit).and_then(|t| scenario.territory(t));
            let owner = a.owner.and_then(|r| project.reps.get(r.index())).map(|r| r.name.as_str()).unwrap_or("none");
            response.clone().on_hover_ui_at_pointer(|ui| {
                ui.strong(&a.name);
                ui.label(format!("{} · {}", a.tier.label(), a.industry));
                ui.label(format!("Potential {}  ·  revenue {}", crate::format::amount(a.potential, &project.settings.potential_unit), crate::format::money(a.revenue)));
                ui.label(format!("Owner (CRM): {owner}"));
                if let Some(t) = territory {
                    ui.label(format!("Territory: {}", t.name));
                }
                if let Some(drive) = self.metrics.and_then(|m| m.account_drive(project, scenario, account)) {
                    let from = territory.and_then(|t| t.rep).and_then(|r| project.reps.get(r.index())).map_or("the territory's centre".to_string(), |r| format!("{}'s home", r.name));
                    let how = if drive.by_road { "by road" } else { "estimated" };
                    ui.label(format!("Drive from {from}: {:.0} min, {:.1} km one way ({how})", drive.hours * 60.0, drive.km));
                }
            });
        } else if let Some(unit) = self.state.hovered_unit {
            let u = &project.units[unit.index()];
            let territory = scenario.unit_territory(unit).and_then(|t| scenario.territory(t));
            let accounts = project.accounts_in_unit(unit);
            let potential: f64 = accounts.iter().map(|a| project.accounts[a.index()].potential).sum();
            response.clone().on_hover_ui_at_pointer(|ui| {
                ui.strong(format!("ZIP {}", u.code));
                ui.label(&u.name);
                match territory {
                    Some(t) => {
                        let rep = t.rep.and_then(|r| project.reps.get(r.index())).map(|r| r.name.as_str()).unwrap_or("vacant");
                        ui.label(format!("Territory: {} ({rep})", t.name));
                    }
                    None => {
                        ui.label("Unassigned");
                    }
                }
                ui.label(format!("{} accounts · {} potential", accounts.len(), crate::format::amount(potential, &project.settings.potential_unit)));
            });
        }
    }
}
