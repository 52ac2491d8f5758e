//! What the map draws each frame: the static mesh (basemap, ZIP fills at the level of
//! detail of the zoom, borders from the shared arcs, accounts or their clusters), cached
//! until the view or a colour changes, and the small overlays drawn every frame
//! (selection, highlight, rep homes, the tool, territory names).

use super::scene::{push_dashed_polyline, push_disc, push_fill, push_polyline, MapScene, View};
use crate::spatial::clusters::CLUSTER_CELL_PX;
use super::{Gesture, MapLayers, Tool};
use crate::model::ids::{TerritoryId, UnitId};
use crate::model::scenario::Scenario;
use crate::spatial::mercator::MercBox;
use egui::{Color32, Mesh, Shape, Stroke};

pub(super) const OCEAN: Color32 = Color32::from_rgb(170, 205, 222);
const LAND: Color32 = Color32::from_rgb(242, 239, 233);
const STATE_LINE: Color32 = Color32::from_rgb(120, 120, 130);
const COUNTY_LINE: Color32 = Color32::from_rgb(200, 198, 195);
const TERRITORY_BORDER: Color32 = Color32::from_rgb(45, 45, 55);
/// Where a territory meets no ZIP at all (a coast, or land no ZIP covers, common in the
/// West): the fill already shows the edge, so a thin line.
/// Drawn under the territory border where two regions meet: a wide halo.
const REGION_BORDER: Color32 = Color32::from_rgb(235, 120, 20);
const OUTER_EDGE: Color32 = Color32::from_rgba_premultiplied(40, 40, 46, 150);
const SELECT_EDGE: Color32 = Color32::from_rgb(20, 90, 200);
const CHANGED: Color32 = Color32::from_rgb(200, 0, 120);
const ROUTE: Color32 = Color32::from_rgb(25, 70, 200);
/// Line width and opacity of a drive-time zone's outline, by limit (nearest first).
pub const ZONE_STYLE: [(f32, u8); 4] = [(3.4, 235), (2.4, 205), (1.6, 175), (1.1, 150)];
/// More accounts than this in view are drawn as clusters.
pub const DOT_LIMIT: u32 = 3_000;

/// A cluster's circle radius in pixels: its area in proportion to its accounts, the
/// largest of the zoom a little over a third of a cell wide.
pub fn cluster_radius(count: u32, max_count: u32) -> f32 {
    let largest = CLUSTER_CELL_PX as f32 * 0.36;
    2.5 + (largest - 2.5) * (count as f32 / max_count.max(1) as f32).sqrt()
}

/// Arcs of the drawn level that lie in the view and span at least `min_size` (mercator
/// units: a border shorter than a pixel draws nothing one can see), with the unit on
/// each side.
fn visible_arcs<'s>(scene: &'s MapScene, level: usize, visible: &'s MercBox, min_size: f64) -> impl Iterator<Item = (u32, Option<u32>, &'s [[f64; 2]])> + 's {
    let lod = &scene.lod;
    lod.arcs
        .iter()
        .zip(lod.points(level))
        .filter(move |(a, _)| a.bounds.intersects(visible) && {
            let [w, h] = a.bounds.size();
            w.max(h) >= min_size
        })
        .map(|(a, p)| (a.left, a.right, p.as_slice()))
}

/// Each territory's region, to tell where two regions meet.
struct RegionLookup {
    /// Region index by territory id (`usize::MAX`: in no region); empty when the
    /// scenario has no regions.
    of_territory: Vec<usize>,
}

impl RegionLookup {
    fn of(scenario: &Scenario) -> Self {
        let names = scenario.regions();
        if names.is_empty() {
            return Self { of_territory: Vec::new() };
        }
        let mut of_territory = vec![usize::MAX; scenario.next_territory_id as usize];
        for t in &scenario.territories {
            if let (Some(slot), Some(region)) = (of_territory.get_mut(t.id.0 as usize), t.region.as_ref()) {
                *slot = names.iter().position(|n| n == region).unwrap_or(usize::MAX);
            }
        }
        Self { of_territory }
    }

    /// Whether the border between two units (`right`: `None` at the edge of the map)
    /// separates two regions, or a region from what is in none. Not at the coast.
    fn between(&self, scenario: &Scenario, left: u32, right: Option<u32>) -> bool {
        let Some(right) = right.filter(|_| !self.of_territory.is_empty()) else { return false };
        let region = |u: u32| scenario.unit_territory(UnitId(u)).and_then(|t| self.of_territory.get(t.0 as usize).copied()).unwrap_or(usize::MAX);
        let (a, b) = (region(left), region(right));
        a != b
    }
}

impl MapLayers<'_> {
    /// Whether accounts are drawn as clusters in this view (and the zoom of the cells).
    pub(super) fn cluster_zoom(&self, view: &View) -> Option<usize> {
        let (z, _) = self.clusters?;
        let level = self.scene.clusters.level(z)?;
        let visible = view.visible(0.0);
        let mut count = 0u32;
        for c in &level.clusters {
            if visible.contains(c.centre) {
                count += c.count;
                if count > DOT_LIMIT {
                    return Some(z);
                }
            }
        }
        None
    }

    /// The static part of a frame: basemap, ZIP fills, borders, accounts.
    pub(super) fn build_mesh(&mut self, view: &View, zoom: f64) -> Mesh {
        let visible = view.visible(8.0);
        let layers = self.state.layers;
        let mut mesh = Mesh::default();
        let basemap = &self.scene.basemap;
        let vector_fills = !self.raster_basemap;
        let level = self.level;
        for land in basemap.land.iter().filter(|_| vector_fills) {
            if land.bounds.intersects(&visible) {
                push_fill(&mut mesh, land.at(level), view, LAND);
            }
        }
        for lake in basemap.lakes.iter().filter(|_| vector_fills) {
            if lake.bounds.intersects(&visible) {
                push_fill(&mut mesh, lake.at(level), view, OCEAN);
            }
        }
        if layers.counties && zoom >= 6.0 {
            for line in basemap.counties.iter().filter(|l| l.bounds.intersects(&visible)) {
                push_polyline(&mut mesh, line.at(level), view, 0.8, COUNTY_LINE);
            }
        }
        let lod = &self.scene.lod;
        if let (true, Some(regions)) = (layers.zip_fill, self.regions) {
            for (unit, shape) in regions.shapes.values() {
                if shape.bounds.is_some_and(|b| b.intersects(&visible)) {
                    let colour = self.colors.unit_fill.get(*unit as usize).copied().unwrap_or(Color32::TRANSPARENT);
                    push_fill(&mut mesh, shape, view, colour);
                }
            }
        } else if layers.zip_fill {
            for u in 0..lod.unit_count() {
                if lod.unit_bounds[u].intersects(&visible) {
                    if let Some(unit_mesh) = lod.mesh(self.level, u) {
                        push_fill(&mut mesh, unit_mesh, view, self.colors.unit_fill[u]);
                    }
                }
            }
        }
        for line in basemap.states.iter().filter(|l| l.bounds.intersects(&visible)) {
            push_polyline(&mut mesh, line.at(level), view, 1.2, STATE_LINE);
        }
        // ZIP borders when ZIPs are big enough to tell apart; territory borders always.
        let zip_borders = layers.zip_borders && zoom >= 8.0;
        let zip_border_color = Color32::from_rgba_unmultiplied(255, 255, 255, 150);
        let territory_width = if zoom >= 9.0 { 2.6 } else { 1.8 };
        let pixel = 1.0 / view.scale;
        let regions = RegionLookup::of(self.scenario);
        let region_width = territory_width + 4.0;
        if let (false, Some(list)) = (zip_borders, self.territory_borders) {
            let points = lod.points(self.level);
            for &arc in list {
                let sides = &lod.arcs[arc as usize];
                let [w, h] = sides.bounds.size();
                if sides.bounds.intersects(&visible) && w.max(h) >= pixel {
                    if regions.between(self.scenario, sides.left, sides.right) {
                        push_polyline(&mut mesh, &points[arc as usize], view, region_width, REGION_BORDER);
                    }
                    let (width, colour) = if sides.right.is_some() { (territory_width, TERRITORY_BORDER) } else { (0.8, OUTER_EDGE) };
                    push_polyline(&mut mesh, &points[arc as usize], view, width, colour);
                }
            }
        }
        let all_arcs = zip_borders || self.territory_borders.is_none();
        for (left, right, points) in visible_arcs(self.scene, self.level, &visible, pixel).filter(|_| all_arcs) {
            let owner = self.scenario.unit_territory(UnitId(left));
            let other = right.map(|r| self.scenario.unit_territory(UnitId(r)));
            let is_territory_border = match other {
                Some(o) => o != owner,
                None => owner.is_some(),
            };
            if is_territory_border && regions.between(self.scenario, left, right) {
                push_polyline(&mut mesh, points, view, region_width, REGION_BORDER);
            }
            if is_territory_border && right.is_none() {
                push_polyline(&mut mesh, points, view, 0.8, OUTER_EDGE);
            } else if is_territory_border {
                push_polyline(&mut mesh, points, view, territory_width, TERRITORY_BORDER);
            } else if zip_borders {
                push_polyline(&mut mesh, points, view, 0.7, zip_border_color);
            }
        }
        if let Some(zones) = self.zones {
            self.push_zones(&mut mesh, view, zones, &visible, pixel);
        }
        if layers.accounts {
            match self.cluster_zoom(view) {
                Some(z) => self.push_clusters(&mut mesh, view, z),
                None => self.push_dots(&mut mesh, view, zoom),
            }
        }
        mesh
    }

    /// Each zone's outline in its rep's territory colour, darkened: the nearest limit
    /// thickest. With a territory highlighted, only its rep's zones.
    fn push_zones(&self, mesh: &mut Mesh, view: &View, zones: &super::zones::ZoneCache, visible: &MercBox, pixel: f64) {
        let lod = &self.scene.lod;
        let points = lod.points(self.level);
        for edge in &zones.edges {
            let (Some(arc), Some((rep, colour))) = (lod.arcs.get(edge.arc as usize), zones.homes.get(edge.home as usize)) else { continue };
            if !self.shows_zones_of(*rep) {
                continue;
            }
            let [w, h] = arc.bounds.size();
            if !arc.bounds.intersects(visible) || w.max(h) < pixel {
                continue;
            }
            let (width, alpha) = ZONE_STYLE[(edge.limit as usize).min(ZONE_STYLE.len() - 1)];
            let dark = |c: u8| (c as f32 * 0.55) as u8;
            let stroke = Color32::from_rgba_unmultiplied(dark(colour.0), dark(colour.1), dark(colour.2), alpha);
            // Dashed, so a zone does not read as a territory border.
            push_dashed_polyline(mesh, &points[edge.arc as usize], view, width, stroke, 9.0, 5.0);
        }
    }

    /// Whether the zones around rep `rep`'s home are drawn: all reps', or with a
    /// territory highlighted, only its rep's.
    fn shows_zones_of(&self, rep: usize) -> bool {
        match self.highlight {
            None => true,
            Some(t) => self.scenario.territory(t).and_then(|t| t.rep).is_some_and(|r| r.index() == rep),
        }
    }

    /// "30 min" at the top of each zone's outline, in its rep's colour.
    fn paint_zone_labels(&self, painter: &egui::Painter, view: &View) {
        let Some(zones) = self.zones else { return };
        let font = egui::FontId::proportional(11.0);
        let mut placed: Vec<egui::Rect> = Vec::new();
        // Each zone's label at the topmost point of its outline in view.
        let inner = view.rect.shrink(12.0);
        let points = self.scene.lod.points(self.level);
        let mut anchors: std::collections::BTreeMap<(u32, u8), egui::Pos2> = std::collections::BTreeMap::new();
        for edge in &zones.edges {
            for p in points.get(edge.arc as usize).into_iter().flatten() {
                let at = view.to_screen(*p);
                if inner.contains(at) {
                    let slot = anchors.entry((edge.home, edge.limit)).or_insert(at);
                    if at.y < slot.y {
                        *slot = at;
                    }
                }
            }
        }
        // Many reps' zones at once: labels only around the home nearest the middle of
        // the view, or they would bury the map (the legend says what the lines are).
        let homes: std::collections::BTreeSet<u32> = anchors.keys().map(|k| k.0).collect();
        let labelled = (homes.len() > 4).then(|| {
            let centre = view.rect.center();
            let distance = |h: &u32| zones.homes.get(*h as usize).and_then(|(rep, _)| self.scene.rep_homes_merc.get(*rep)).map_or(f32::INFINITY, |m| (view.to_screen(*m) - centre).length());
            homes.iter().copied().min_by(|a, b| distance(a).total_cmp(&distance(b)))
        });
        for ((home, limit), at) in anchors {
            if labelled.is_some_and(|only| only != Some(home)) {
                continue;
            }
            let (Some((rep, colour)), Some(minutes)) = (zones.homes.get(home as usize), zones.limits.get(limit as usize)) else { continue };
            if !self.shows_zones_of(*rep) {
                continue;
            }
            let dark = |c: u8| (c as f32 * 0.55) as u8;
            let text_colour = Color32::from_rgb(dark(colour.0), dark(colour.1), dark(colour.2));
            let galley = painter.layout_no_wrap(format!("{minutes:.0} min"), font.clone(), text_colour);
            let rect = egui::Rect::from_center_size(at + egui::vec2(0.0, -8.0), galley.size() + egui::vec2(6.0, 2.0));
            if !view.rect.contains_rect(rect) || placed.iter().any(|r| r.intersects(rect)) {
                continue;
            }
            placed.push(rect);
            painter.rect_filled(rect, 3.0, Color32::from_rgba_unmultiplied(255, 255, 255, 210));
            painter.galley(rect.min + egui::vec2(3.0, 1.0), galley, text_colour);
        }
    }

    fn push_dots(&self, mesh: &mut Mesh, view: &View, zoom: f64) {
        let grow = if zoom >= 9.0 { 1.5 } else { 1.0 } * self.colors.account_scale;
        let outline = Color32::from_rgba_unmultiplied(30, 30, 30, (200.0 * self.colors.account_scale.min(1.0)) as u8);
        let area = view.rect.expand(8.0);
        for (i, m) in self.scene.accounts_merc.iter().enumerate() {
            let p = view.to_screen(*m);
            if !area.contains(p) {
                continue;
            }
            let r = self.scene.account_radius[i] * grow;
            let fill = self.colors.account[i];
            // A faint dot (dimmed, or outside the plan) has no dark rim to stand out with.
            if fill.a() >= 100 {
                push_disc(mesh, p, r + 0.8, outline, 8);
            }
            push_disc(mesh, p, r, fill, 8);
        }
    }

    /// One circle per cluster, sized by its accounts, in the colour of the territory
    /// that holds most of its potential (in heat modes, the dots' dark grey).
    fn push_clusters(&mut self, mesh: &mut Mesh, view: &View, zoom: usize) {
        let (Some(level), Some((_, owners))) = (self.scene.clusters.level(zoom), self.clusters) else { return };
        let colours: std::collections::HashMap<TerritoryId, Color32> = self.scenario.territories.iter().map(|t| (t.id, Color32::from_rgb(t.color.0, t.color.1, t.color.2))).collect();
        let heat = self.colors.account_scale < 1.0;
        let area = view.rect.expand(CLUSTER_CELL_PX as f32);
        let outline = Color32::from_rgba_unmultiplied(255, 255, 255, 220);
        for (c, owner) in level.clusters.iter().zip(owners) {
            let p = view.to_screen(c.centre);
            if !area.contains(p) {
                continue;
            }
            let dim = self.highlight.is_some() && *owner != self.highlight;
            let alpha = if dim { 70 } else { 210 };
            let fill = match owner.and_then(|t| colours.get(&t)) {
                Some(_) if heat => Color32::from_rgba_unmultiplied(40, 40, 40, alpha.min(170)),
                Some(c) => Color32::from_rgba_unmultiplied((c.r() as f32 * 0.75) as u8, (c.g() as f32 * 0.75) as u8, (c.b() as f32 * 0.75) as u8, alpha),
                // Faint when every account in it lies outside the ZIPs (not in the plan).
                None if self.scene.clusters.members_of(c).iter().all(|&a| self.project.accounts.get(a as usize).is_some_and(|a| a.unit.is_none())) => {
                    Color32::from_rgba_unmultiplied(120, 120, 120, 60)
                }
                None => Color32::from_rgba_unmultiplied(90, 90, 90, alpha),
            };
            let r = cluster_radius(c.count, level.max_count) * self.colors.account_scale.max(0.75);
            push_disc(mesh, p, r + 1.2, outline, 14);
            push_disc(mesh, p, r, fill, 14);
        }
    }

    /// Selection, highlight, rep homes and the tool: small and changing, drawn per frame.
    pub(super) fn paint_overlays(&self, painter: &egui::Painter, view: &View) {
        let visible = view.visible(8.0);
        let lod = &self.scene.lod;
        let mut mesh = Mesh::default();
        let select_fill = Color32::from_rgba_unmultiplied(255, 255, 255, 110);
        for unit in &self.selection.units {
            let i = unit.index();
            if i < lod.unit_count() && lod.unit_bounds[i].intersects(&visible) {
                if let Some(m) = lod.mesh(self.level, i) {
                    push_fill(&mut mesh, m, view, select_fill);
                }
            }
        }
        let selected = |u: u32| self.selection.units.contains(&UnitId(u));
        let highlighted = |u: u32| self.highlight.is_some() && self.scenario.unit_territory(UnitId(u)) == self.highlight;
        let changed = |u: u32| self.changed.and_then(|c| c.get(u as usize).copied()).unwrap_or(false);
        let mut highlight_lines: Vec<&[[f64; 2]]> = Vec::new();
        for (left, right, points) in visible_arcs(self.scene, self.level, &visible, 0.0) {
            if !self.selection.units.is_empty() && selected(left) != right.is_some_and(selected) {
                push_polyline(&mut mesh, points, view, 2.2, SELECT_EDGE);
            }
            if self.changed.is_some() {
                let (l, r) = (changed(left), right.is_some_and(changed));
                if l || r {
                    // A thick outline around each changed area, thin lines inside it.
                    push_polyline(&mut mesh, points, view, if l != r { 3.0 } else { 0.9 }, CHANGED);
                }
            }
            if self.highlight.is_some() && highlighted(left) != right.is_some_and(highlighted) {
                highlight_lines.push(points);
            }
        }
        if let Some(preview) = &self.state.preview {
            let preview_fill = Color32::from_rgba_unmultiplied(20, 90, 200, 70);
            for unit in &preview.units {
                if let Some(m) = lod.mesh(self.level, unit.index()) {
                    push_fill(&mut mesh, m, view, preview_fill);
                }
            }
        }
        for account in self.selection.accounts.iter().chain(self.state.preview.iter().flat_map(|p| p.accounts.iter())) {
            if let Some(m) = self.scene.accounts_merc.get(account.index()) {
                let p = view.to_screen(*m);
                push_disc(&mut mesh, p, self.scene.account_radius[account.index()] + 3.0, SELECT_EDGE, 10);
            }
        }
        for points in highlight_lines {
            push_polyline(&mut mesh, points, view, 3.5, Color32::from_rgb(255, 200, 0));
        }
        if self.route.len() >= 2 {
            // A white casing under it, so the route reads on any fill.
            push_polyline(&mut mesh, self.route, view, 6.0, Color32::from_rgba_unmultiplied(255, 255, 255, 220));
            push_polyline(&mut mesh, self.route, view, 3.2, ROUTE);
        }
        painter.add(Shape::mesh(mesh));
        if self.state.layers.rep_homes {
            self.paint_rep_homes(painter, view);
        }
        self.paint_gesture(painter, view);
    }

    fn paint_rep_homes(&self, painter: &egui::Painter, view: &View) {
        // Whole-country views: a small dot each, or 200 houses would hide the map.
        let small = view.scale < 256.0 * 2f64.powi(6);
        for (i, m) in self.scene.rep_homes_merc.iter().enumerate() {
            let p = view.to_screen(*m);
            if !view.rect.contains(p) {
                continue;
            }
            let color = self
                .scenario
                .territories
                .iter()
                .find(|t| t.rep.map(|r| r.index()) == Some(i))
                .map(|t| Color32::from_rgb(t.color.0, t.color.1, t.color.2))
                .unwrap_or(Color32::GRAY);
            if small {
                painter.circle(p, 3.5, color, Stroke::new(1.2, Color32::from_gray(20)));
                continue;
            }
            // A house: square body and a roof.
            let s = 6.0;
            let body = egui::Rect::from_center_size(p + egui::vec2(0.0, 2.0), egui::vec2(2.0 * s, 1.6 * s));
            painter.rect_filled(body, 1.0, color);
            let roof = vec![p + egui::vec2(-s - 2.0, -s * 0.6), p + egui::vec2(0.0, -s * 1.9), p + egui::vec2(s + 2.0, -s * 0.6)];
            painter.add(Shape::convex_polygon(roof, color, Stroke::new(1.0, Color32::BLACK)));
            painter.rect_stroke(body, 1.0, Stroke::new(1.0, Color32::BLACK), egui::StrokeKind::Outside);
        }
    }

    fn paint_gesture(&self, painter: &egui::Painter, view: &View) {
        match &self.state.gesture {
            Gesture::Lasso(points) if points.len() > 1 => {
                let mut closed = points.clone();
                closed.push(points[0]);
                painter.add(Shape::line(closed, Stroke::new(2.0, SELECT_EDGE)));
            }
            Gesture::Rectangle(a, b) => {
                let fill = Color32::from_rgba_unmultiplied(20, 90, 200, 30);
                painter.rect(egui::Rect::from_two_pos(*a, *b), 0.0, fill, Stroke::new(1.5, SELECT_EDGE), egui::StrokeKind::Inside);
            }
            _ => {}
        }
        if self.state.tool == Tool::Brush {
            if let Some(p) = painter.ctx().pointer_hover_pos().filter(|p| view.rect.contains(*p)) {
                painter.circle_stroke(p, self.state.brush_radius_px, Stroke::new(1.5, Color32::from_rgb(30, 30, 30)));
            }
        }
    }

    /// Territory names at a point inside each territory, largest territories first; a
    /// name that would overlap one already placed, or is wider than its territory on
    /// screen, is left out.
    pub(super) fn paint_labels(&self, painter: &egui::Painter, view: &View) {
        self.paint_zone_labels(painter, view);
        let Some(labels) = self.labels else { return };
        let font = egui::FontId::proportional(if view.scale > 256.0 * 2f64.powi(8) { 13.0 } else { 11.5 });
        let mut placed: Vec<egui::Rect> = Vec::new();
        let visible = view.visible(0.0);
        for label in labels {
            if !visible.contains(label.at) {
                continue;
            }
            let Some(territory) = self.scenario.territory(label.territory) else { continue };
            let galley = painter.layout_no_wrap(territory.name.clone(), font.clone(), Color32::from_gray(15));
            let size = galley.size() + egui::vec2(8.0, 4.0);
            let span = label.bounds.size();
            if (span[0] * view.scale) < size.x as f64 * 0.8 && (span[1] * view.scale) < size.y as f64 * 3.0 {
                continue;
            }
            let rect = egui::Rect::from_center_size(view.to_screen(label.at), size);
            if !view.rect.contains_rect(rect) || placed.iter().any(|r| r.intersects(rect)) {
                continue;
            }
            placed.push(rect);
            let dim = self.highlight.is_some_and(|h| h != label.territory);
            painter.rect_filled(rect, 3.0, Color32::from_rgba_unmultiplied(255, 255, 255, if dim { 120 } else { 200 }));
            painter.galley(rect.min + egui::vec2(4.0, 2.0), galley, Color32::from_gray(15));
        }
    }
}
