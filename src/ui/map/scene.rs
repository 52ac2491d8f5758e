//! Everything the map draws, projected to mercator and triangulated once when a project
//! opens. Per frame only a scale and a translation are applied, to what is visible.

use crate::io::basemap::Basemap;
use crate::model::project::Project;
use crate::spatial::mercator::{to_mercator, MercBox};
use crate::spatial::selection::PointIndex;
use crate::spatial::lod::Lod;
use crate::spatial::triangulate::MercMesh;
use crate::spatial::UnitIndex;
use egui::{Color32, Mesh, Pos2, Rect};
use crate::spatial::clusters::AccountClusters;
use crate::spatial::lod::{level_tolerance, LEVELS};
use crate::spatial::simplify::simplify_arc;
use geo::{MultiPolygon, Polygon};
use rayon::prelude::*;
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

/// A basemap polygon, triangulated at every level of detail, with a box for culling.
pub struct FillShape {
    /// One mesh per level (see `spatial::lod`).
    pub meshes: Vec<MercMesh>,
    pub bounds: MercBox,
}

impl FillShape {
    pub fn at(&self, level: usize) -> &MercMesh {
        &self.meshes[level.min(self.meshes.len() - 1)]
    }
}

/// A basemap line in mercator units at every level of detail, with its box.
pub struct Polyline {
    pub levels: Vec<Vec<[f64; 2]>>,
    pub bounds: MercBox,
}

impl Polyline {
    pub fn at(&self, level: usize) -> &[[f64; 2]] {
        &self.levels[level.min(self.levels.len() - 1)]
    }
}

/// The project's geometry, ready to draw and to hit-test.
pub struct MapScene {
    /// Unit polygons at every level of detail, their shared borders and adjacency.
    pub lod: Lod,
    pub unit_index: UnitIndex,
    pub centroid_index: PointIndex,
    pub account_index: PointIndex,
    pub accounts_merc: Vec<[f64; 2]>,
    /// Each unit's centre in mercator units.
    pub unit_centres: Vec<[f64; 2]>,
    /// Marker radius of each account in pixels, from its potential.
    pub account_radius: Vec<f32>,
    /// Accounts grouped per zoom, for the zooms where they are too many to draw one by one.
    pub clusters: AccountClusters,
    pub rep_homes_merc: Vec<[f64; 2]>,
    /// Everything the project covers.
    pub extent: MercBox,
    /// What a first view shows: the bulk of the units, without far-away outliers
    /// (Alaska and Hawaii beside a lower-48 footprint).
    pub home_extent: MercBox,
    pub basemap: BasemapScene,
}

pub struct BasemapScene {
    pub land: Vec<FillShape>,
    pub lakes: Vec<FillShape>,
    pub states: Vec<Polyline>,
    pub counties: Vec<Polyline>,
}

/// A closed ring in mercator units, simplified for each level (the last is the ring).
fn ring_levels(ring: &geo::LineString<f64>) -> (Vec<Vec<[f64; 2]>>, MercBox) {
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
    let mut levels: Vec<Vec<[f64; 2]>> = (0..LEVELS - 1).map(|level| simplify_arc(&points, level_tolerance(level))).collect();
    levels.push(points);
    (levels, bounds)
}

fn polylines(polygons: &[MultiPolygon<f64>]) -> Vec<Polyline> {
    let rings: Vec<&geo::LineString<f64>> = polygons.iter().flat_map(|mp| &mp.0).flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).collect();
    rings
        .par_iter()
        .filter(|r| r.0.len() >= 2)
        .map(|r| {
            let (levels, bounds) = ring_levels(r);
            Polyline { levels, bounds }
        })
        .collect()
}

fn fills(polygons: &[MultiPolygon<f64>]) -> Vec<FillShape> {
    // One shape per polygon so that culling works on the pieces of a continent too.
    let pieces: Vec<&Polygon<f64>> = polygons.iter().flat_map(|mp| mp.0.iter()).collect();
    pieces
        .par_iter()
        .filter_map(|p| {
            let exterior = ring_levels(p.exterior());
            let holes: Vec<Vec<Vec<[f64; 2]>>> = p.interiors().iter().map(|r| ring_levels(r).0).collect();
            let meshes: Vec<MercMesh> = (0..LEVELS)
                .map(|level| {
                    let ring = |pts: &[[f64; 2]]| geo::LineString::new(pts.iter().map(|m| geo::Coord { x: m[0], y: m[1] }).collect());
                    let polygon = Polygon::new(ring(&exterior.0[level]), holes.iter().map(|h| ring(&h[level])).filter(|r| r.0.len() >= 4).collect());
                    MercMesh::from_mercator_polygon(&polygon)
                })
                .collect();
            meshes.last().is_some_and(|m| m.bounds.is_some()).then_some(FillShape { meshes, bounds: exterior.1 })
        })
        .collect()
}

/// The embedded basemap, decoded once per process: started early on a thread of its
/// own (`preload`) so it is ready when the window needs it.
static EMBEDDED: std::sync::OnceLock<std::sync::Mutex<Option<std::thread::JoinHandle<BasemapScene>>>> = std::sync::OnceLock::new();

impl BasemapScene {
    /// Starts decoding the embedded basemap on a thread (while a project loads).
    pub fn preload() {
        EMBEDDED.get_or_init(|| std::sync::Mutex::new(Some(std::thread::spawn(Self::embedded))));
    }

    /// The embedded basemap (an empty one if it cannot be decoded: a packaging bug).
    pub fn embedded() -> Self {
        match Basemap::embedded() {
            Ok(b) => Self::new(&b),
            Err(_) => Self::empty(),
        }
    }

    /// The preloaded basemap if `preload` ran, else decoded now.
    pub fn take_embedded() -> Self {
        let handle = EMBEDDED.get().and_then(|slot| slot.lock().ok()?.take());
        match handle {
            Some(h) => h.join().unwrap_or_else(|_| Self::empty()),
            None => Self::embedded(),
        }
    }

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
        // The shared borders are most of the work; the indexes and clusters are built
        // on the other core meanwhile.
        let (lod, points) = rayon::join(
            || Lod::build(&project.units),
            || {
                let accounts_merc: Vec<[f64; 2]> = project.accounts.iter().map(|a| to_mercator(a.location.lon, a.location.lat)).collect();
                let potentials: Vec<f64> = project.accounts.iter().map(|a| a.potential).collect();
                let clusters = AccountClusters::new(&accounts_merc, &potentials);
                let indexes = (UnitIndex::new(&project.units), PointIndex::new(project.units.iter().map(|u| u.centroid)), PointIndex::new(project.accounts.iter().map(|a| a.location)));
                (accounts_merc, clusters, indexes)
            },
        );
        let (accounts_merc, clusters, (unit_index, centroid_index, account_index)) = points;
        let mut lod = lod;
        project.provide_unit_borders(std::mem::take(&mut lod.unit_borders));
        let mut extent = MercBox::EMPTY;
        for b in lod.unit_bounds.iter().filter(|b| !b.is_empty()) {
            extent = extent.union(b);
        }
        for m in &accounts_merc {
            extent.extend(*m);
        }
        let unit_centres = crate::spatial::labels::unit_centres(project);
        let home_extent = bulk_extent(unit_centres.iter().copied()).unwrap_or(extent);
        let max_potential = project.accounts.iter().map(|a| a.potential).fold(1.0, f64::max);
        let account_radius = project.accounts.iter().map(|a| (1.6 + 4.5 * (a.potential.max(0.0) / max_potential).sqrt()) as f32).collect();
        Self {
            clusters,
            lod,
            unit_index,
            centroid_index,
            account_index,
            accounts_merc,
            unit_centres,
            account_radius,
            rep_homes_merc: project.reps.iter().map(|r| to_mercator(r.home.lon, r.home.lat)).collect(),
            extent,
            home_extent,
            basemap,
        }
    }

    /// Rook neighbours of each unit.
    pub fn neighbours(&self) -> &[Vec<u32>] {
        &self.lod.neighbours
    }

    pub fn unit_bounds(&self, unit: usize) -> MercBox {
        self.lod.unit_bounds.get(unit).copied().unwrap_or(MercBox::EMPTY)
    }
}

/// The box holding the bulk of the points, leaving out small groups of points beyond a
/// wide empty gap (Alaska and Hawaii beside the lower 48), so the first view shows what
/// most of the project is about. `None` for no points.
fn bulk_extent(points: impl Iterator<Item = [f64; 2]>) -> Option<MercBox> {
    let points: Vec<[f64; 2]> = points.collect();
    if points.is_empty() {
        return None;
    }
    let (lo_x, hi_x) = bulk_range(points.iter().map(|p| p[0]).collect());
    let (lo_y, hi_y) = bulk_range(points.iter().map(|p| p[1]).collect());
    let mut b = MercBox::EMPTY;
    for p in points.iter().filter(|p| p[0] >= lo_x && p[0] <= hi_x && p[1] >= lo_y && p[1] <= hi_y) {
        b.extend(*p);
    }
    (!b.is_empty()).then_some(b)
}

/// The range of values along one axis without the few beyond a wide gap: walking out
/// from the middle, the first gap wider than a tenth of the central 90% span with under
/// 3% of the values beyond it ends the range.
fn bulk_range(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let at = |q: f64| v[((n - 1) as f64 * q).round() as usize];
    let wide = (at(0.95) - at(0.05)).max(f64::MIN_POSITIVE) * 0.1;
    let few = (n as f64 * 0.03).floor() as usize;
    let mut hi = n - 1;
    for i in n / 2..n - 1 {
        if v[i + 1] - v[i] > wide && n - 1 - i <= few {
            hi = i;
            break;
        }
    }
    let mut lo = 0;
    for i in (1..=n / 2).rev() {
        if v[i] - v[i - 1] > wide && i <= few {
            lo = i;
            break;
        }
    }
    (v[lo], v[hi])
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

/// Appends a dashed polyline: `dash` pixels drawn, `gap` left, the pattern carried
/// along `phase` (pixels already walked) so pieces drawn one after another continue it.
pub fn push_dashed_polyline(out: &mut Mesh, points: &[[f64; 2]], view: &View, width: f32, color: Color32, dash: f32, gap: f32) {
    let period = dash + gap;
    let mut walked = 0.0f32;
    let mut last: Option<Pos2> = None;
    for m in points {
        let p = view.to_screen(*m);
        let Some(l) = last else {
            last = Some(p);
            continue;
        };
        let length = (p - l).length();
        if length < 0.5 {
            continue;
        }
        let mut at = 0.0f32;
        while at < length {
            let in_period = (walked + at) % period;
            let step = if in_period < dash { dash - in_period } else { period - in_period };
            let end = (at + step).min(length);
            if in_period < dash {
                push_segment(out, l + (p - l) * (at / length), l + (p - l) * (end / length), width, color);
            }
            at = end;
        }
        walked += length;
        last = Some(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dashed_line_draws_its_dashes_and_leaves_its_gaps() {
        let view = View { centre_merc: [50.0, 50.0], scale: 1.0, screen_centre: Pos2::new(50.0, 50.0), rect: egui::Rect::from_min_size(Pos2::ZERO, egui::vec2(100.0, 100.0)) };
        let mut mesh = Mesh::default();
        // 30 px: dashes at 0-8, 13-21, 26-30.
        push_dashed_polyline(&mut mesh, &[[0.0, 50.0], [30.0, 50.0]], &view, 2.0, Color32::BLACK, 8.0, 5.0);
        let xs: Vec<f32> = mesh.vertices.iter().map(|v| v.pos.x).collect();
        let covered = |x: f32| xs.chunks(4).any(|q| q.iter().copied().fold(f32::INFINITY, f32::min) <= x && x <= q.iter().copied().fold(f32::NEG_INFINITY, f32::max));
        assert_eq!(xs.len() / 4, 3, "three dashes");
        assert!(covered(4.0) && covered(17.0) && covered(28.0));
        assert!(!covered(10.5) && !covered(23.5));
    }

    /// Every level of the embedded basemap triangulates (debug builds check geo's
    /// preconditions), and the coarse levels are far lighter than full detail.
    #[test]
    fn the_basemap_has_lighter_coarse_levels() {
        let basemap = BasemapScene::embedded();
        assert!(!basemap.land.is_empty());
        let vertices = |level: usize| basemap.land.iter().map(|f| f.at(level).vertices.len()).sum::<usize>();
        assert!(vertices(0) * 4 < vertices(LEVELS - 1), "{} vs {}", vertices(0), vertices(LEVELS - 1));
        let points = |level: usize| basemap.states.iter().map(|l| l.at(level).len()).sum::<usize>();
        assert!(points(0) < points(LEVELS - 1));
    }

    #[test]
    fn the_first_view_leaves_far_away_outliers_out() {
        // 98 points in a square and 2 far away (Alaska beside the lower 48).
        let mut points: Vec<[f64; 2]> = (0..98).map(|i| [0.3 + (i % 10) as f64 * 0.001, 0.4 + (i / 10) as f64 * 0.001]).collect();
        points.extend([[0.05, 0.1], [0.06, 0.12]]);
        let home = bulk_extent(points.iter().copied()).unwrap();
        assert!(home.min[0] > 0.29 && home.max[0] < 0.32, "{home:?}");
        // A long tail without a gap (El Paso at the end of Texas) stays in view.
        let tail: Vec<[f64; 2]> = (0..100).map(|i| [0.3 + (i as f64 / 100.0).powi(3) * 0.1, 0.4]).collect();
        let home = bulk_extent(tail.iter().copied()).unwrap();
        assert!((home.max[0] - tail.iter().map(|p| p[0]).fold(0.0, f64::max)).abs() < 1e-12);
    }
}
