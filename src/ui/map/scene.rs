//! Everything the map draws, projected to mercator and triangulated once when a project
//! opens. Per frame only a scale and a translation are applied, to what is visible.

use crate::io::basemap::Basemap;
use crate::model::project::Project;
use crate::spatial::mercator::{to_mercator, MercBox};
use crate::spatial::selection::PointIndex;
use crate::spatial::topology::{BorderSegment, Topology};
use crate::spatial::triangulate::MercMesh;
use crate::spatial::UnitIndex;
use egui::{Color32, Mesh, Pos2, Rect};
use geo::MultiPolygon;
use walkers::{lon_lat, Projector};

/// Mercator -> screen for one frame: screen = centre + (m - m_centre) * scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub centre_merc: [f64; 2],
    pub scale: f64,
    pub screen_centre: Pos2,
    pub rect: Rect,
}

impl View {
    pub fn from_projector(projector: &Projector) -> Self {
        let rect = projector.clip_rect();
        let c = projector.unproject(rect.center().to_vec2());
        let centre_merc = to_mercator(c.x(), c.y());
        // Two points a known mercator distance apart give the scale exactly.
        let a = projector.project(lon_lat(c.x() - 0.5, c.y()));
        let b = projector.project(lon_lat(c.x() + 0.5, c.y()));
        let scale = (b.x - a.x) as f64 / (1.0 / 360.0);
        Self { centre_merc, scale, screen_centre: rect.center(), rect }
    }

    #[inline]
    pub fn to_screen(&self, m: [f64; 2]) -> Pos2 {
        Pos2::new(
            (self.screen_centre.x as f64 + (m[0] - self.centre_merc[0]) * self.scale) as f32,
            (self.screen_centre.y as f64 + (m[1] - self.centre_merc[1]) * self.scale) as f32,
        )
    }

    pub fn to_merc(&self, p: Pos2) -> [f64; 2] {
        [
            self.centre_merc[0] + (p.x - self.screen_centre.x) as f64 / self.scale,
            self.centre_merc[1] + (p.y - self.screen_centre.y) as f64 / self.scale,
        ]
    }

    /// The visible area in mercator units, with a margin in pixels.
    pub fn visible(&self, margin_px: f32) -> MercBox {
        let r = self.rect.expand(margin_px);
        MercBox { min: self.to_merc(r.min), max: self.to_merc(r.max) }
    }
}

/// A triangulated polygon set with a box for culling.
pub struct FillShape {
    pub mesh: MercMesh,
}

/// A polyline in mercator units with its box.
pub struct Polyline {
    pub points: Vec<[f64; 2]>,
    pub bounds: MercBox,
}

/// The project's geometry, ready to draw and to hit-test.
pub struct MapScene {
    /// One mesh per unit (same order as `project.units`).
    pub units: Vec<FillShape>,
    pub unit_bounds: Vec<MercBox>,
    pub segments: Vec<BorderSegment>,
    pub segments_merc: Vec<([f64; 2], [f64; 2])>,
    pub neighbours: Vec<Vec<u32>>,
    pub unit_index: UnitIndex,
    pub centroid_index: PointIndex,
    pub account_index: PointIndex,
    pub accounts_merc: Vec<[f64; 2]>,
    /// Marker radius of each account in pixels, from its potential.
    pub account_radius: Vec<f32>,
    pub rep_homes_merc: Vec<[f64; 2]>,
    pub extent: MercBox,
    pub basemap: BasemapScene,
}

pub struct BasemapScene {
    pub land: Vec<FillShape>,
    pub lakes: Vec<FillShape>,
    pub states: Vec<Polyline>,
    pub counties: Vec<Polyline>,
}

fn polylines(polygons: &[MultiPolygon<f64>]) -> Vec<Polyline> {
    let mut out = Vec::new();
    for mp in polygons {
        for polygon in &mp.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                let mut bounds = MercBox::EMPTY;
                let points: Vec<[f64; 2]> = ring
                    .0
                    .iter()
                    .map(|c| {
                        let m = to_mercator(c.x, c.y);
                        bounds.extend(m);
                        m
                    })
                    .collect();
                if points.len() >= 2 {
                    out.push(Polyline { points, bounds });
                }
            }
        }
    }
    out
}

fn fills(polygons: &[MultiPolygon<f64>]) -> Vec<FillShape> {
    // One shape per polygon so that culling works on the pieces of a continent too.
    polygons
        .iter()
        .flat_map(|mp| mp.0.iter())
        .map(|p| FillShape { mesh: MercMesh::from_multipolygon(&MultiPolygon(vec![p.clone()])) })
        .filter(|f| f.mesh.bounds.is_some())
        .collect()
}

impl BasemapScene {
    pub fn new(basemap: &Basemap) -> Self {
        Self {
            land: fills(&basemap.land),
            lakes: fills(&basemap.lakes),
            states: polylines(&basemap.states),
            counties: polylines(&basemap.counties),
        }
    }

    pub fn empty() -> Self {
        Self { land: Vec::new(), lakes: Vec::new(), states: Vec::new(), counties: Vec::new() }
    }
}

impl MapScene {
    /// Rep homes move (what-if edits): re-project them.
    pub fn refresh_rep_homes(&mut self, project: &Project) {
        self.rep_homes_merc = project.reps.iter().map(|r| to_mercator(r.home.lon, r.home.lat)).collect();
    }

    pub fn new(project: &Project, basemap: BasemapScene) -> Self {
        let units: Vec<FillShape> =
            project.units.iter().map(|u| FillShape { mesh: MercMesh::from_multipolygon(&u.geometry) }).collect();
        let unit_bounds: Vec<MercBox> = units.iter().map(|f| f.mesh.bounds.unwrap_or(MercBox::EMPTY)).collect();
        let topology = Topology::build(&project.units);
        let segments_merc = topology
            .segments
            .iter()
            .map(|s| (to_mercator(s.a[0], s.a[1]), to_mercator(s.b[0], s.b[1])))
            .collect();
        let mut extent = MercBox::EMPTY;
        for b in unit_bounds.iter().filter(|b| !b.is_empty()) {
            extent = extent.union(b);
        }
        let accounts_merc: Vec<[f64; 2]> =
            project.accounts.iter().map(|a| to_mercator(a.location.lon, a.location.lat)).collect();
        for m in &accounts_merc {
            extent.extend(*m);
        }
        let max_potential = project.accounts.iter().map(|a| a.potential).fold(1.0, f64::max);
        let account_radius = project
            .accounts
            .iter()
            .map(|a| (1.6 + 4.5 * (a.potential.max(0.0) / max_potential).sqrt()) as f32)
            .collect();
        Self {
            units,
            unit_bounds,
            segments: topology.segments,
            segments_merc,
            neighbours: topology.neighbours,
            unit_index: UnitIndex::new(&project.units),
            centroid_index: PointIndex::new(project.units.iter().map(|u| u.centroid)),
            account_index: PointIndex::new(project.accounts.iter().map(|a| a.location)),
            accounts_merc,
            account_radius,
            rep_homes_merc: project.reps.iter().map(|r| to_mercator(r.home.lon, r.home.lat)).collect(),
            extent,
            basemap,
        }
    }
}

/// Appends a mercator mesh to an egui mesh, transformed, in one colour.
pub fn push_fill(out: &mut Mesh, mesh: &MercMesh, view: &View, color: Color32) {
    let base = out.vertices.len() as u32;
    out.vertices.extend(mesh.vertices.iter().map(|m| egui::epaint::Vertex {
        pos: view.to_screen(*m),
        uv: egui::epaint::WHITE_UV,
        color,
    }));
    out.indices.extend(mesh.indices.iter().map(|i| base + i));
}

/// Appends a line segment as a quad of constant screen width (no feathering: cheap).
pub fn push_segment(out: &mut Mesh, a: Pos2, b: Pos2, width: f32, color: Color32) {
    let d = b - a;
    let len = d.length();
    if len < 1e-3 {
        return;
    }
    let n = egui::vec2(-d.y, d.x) / len * (width / 2.0);
    let base = out.vertices.len() as u32;
    for p in [a + n, b + n, b - n, a - n] {
        out.vertices.push(egui::epaint::Vertex { pos: p, uv: egui::epaint::WHITE_UV, color });
    }
    out.indices.extend([base, base + 1, base + 2, base, base + 2, base + 3]);
}

/// Appends a filled regular polygon (a cheap circle).
pub fn push_disc(out: &mut Mesh, centre: Pos2, radius: f32, color: Color32, sides: u32) {
    let base = out.vertices.len() as u32;
    out.vertices.push(egui::epaint::Vertex { pos: centre, uv: egui::epaint::WHITE_UV, color });
    for k in 0..sides {
        let t = k as f32 / sides as f32 * std::f32::consts::TAU;
        out.vertices.push(egui::epaint::Vertex {
            pos: centre + egui::vec2(t.cos(), t.sin()) * radius,
            uv: egui::epaint::WHITE_UV,
            color,
        });
    }
    for k in 0..sides {
        out.indices.extend([base, base + 1 + k, base + 1 + (k + 1) % sides]);
    }
}

/// Appends a polyline as segments, skipping sub-pixel steps.
pub fn push_polyline(out: &mut Mesh, points: &[[f64; 2]], view: &View, width: f32, color: Color32) {
    let mut last: Option<Pos2> = None;
    for m in points {
        let p = view.to_screen(*m);
        if let Some(l) = last {
            if (p - l).length_sq() < 2.0 {
                continue;
            }
            push_segment(out, l, p, width, color);
        }
        last = Some(p);
    }
}
