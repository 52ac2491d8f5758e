//! Levels of detail of the unit polygons for the map. The shared borders (arcs) are
//! simplified once per level, so neighbouring units meet exactly at every level; each
//! level is exact to under a pixel up to its zoom. A unit's triangles at a level are
//! built when the map first needs them (the coarsest level for every unit at once, the
//! finer ones only for what the view shows), so opening a national project triangulates
//! a few hundred thousand vertices, not five million.

use super::arcs::{ArcTopology, RingArcs, UnitRings};
use super::mercator::MercBox;
use super::simplify::simplify_arc;
use super::triangulate::MercMesh;
use crate::model::entities::Unit;
use geo::{Coord, LineString, Polygon};
use rayon::prelude::*;
use std::time::{Duration, Instant};

// Triangulation: see `LodSource::triangulate`; the builder thread runs it too.

/// Each simplified level is exact to under a pixel up to this zoom; past the last one
/// the map draws full detail.
pub const LEVEL_ZOOMS: [f64; 4] = [5.0, 7.0, 9.0, 11.0];
/// Largest distance, in pixels at the level's zoom, from a drawn border to the true one.
pub const TOLERANCE_PX: f64 = 0.6;
/// Levels in all: the simplified ones and full detail.
pub const LEVELS: usize = LEVEL_ZOOMS.len() + 1;

/// Which side of a border each unit is on; the points are per level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArcSides {
    pub left: u32,
    pub right: Option<u32>,
    pub bounds: MercBox,
}

/// What triangulating a unit needs, shared with the builder thread.
pub struct LodSource {
    /// Which units each arc lies between (as in `Lod::arcs`).
    pub sides: Vec<ArcSides>,
    /// Each arc's points per level: `points[level][arc]`; the last level is the original.
    pub points: Vec<Vec<Vec<[f64; 2]>>>,
    pub unit_rings: Vec<UnitRings>,
}

/// Triangles of units at a level, built on a thread of their own so the map never
/// waits for them: the map asks for what its view needs and draws a coarser level of
/// a unit until its finer triangles arrive.
struct Builder {
    requests: std::sync::mpsc::Sender<(usize, Vec<usize>)>,
    results: std::sync::mpsc::Receiver<Vec<(usize, usize, MercMesh)>>,
}

impl Builder {
    fn spawn(source: std::sync::Arc<LodSource>) -> Self {
        let (request_tx, request_rx) = std::sync::mpsc::channel::<(usize, Vec<usize>)>();
        let (result_tx, result_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // One thread, no pool: the other core stays with the window.
            while let Ok((level, units)) = request_rx.recv() {
                for batch in units.chunks(32) {
                    let built: Vec<(usize, usize, MercMesh)> = batch.iter().map(|u| (level, *u, source.triangulate(level, *u))).collect();
                    if result_tx.send(built).is_err() {
                        return;
                    }
                }
            }
        });
        Self { requests: request_tx, results: result_rx }
    }
}

pub struct Lod {
    pub arcs: Vec<ArcSides>,
    pub source: std::sync::Arc<LodSource>,
    pub unit_bounds: Vec<MercBox>,
    /// Rook neighbours of each unit (they share a border), sorted.
    pub neighbours: Vec<Vec<u32>>,
    /// Each unit's border lengths (handed to the project, for compactness).
    pub unit_borders: super::borders::UnitBorders,
    /// `meshes[level][unit]`, built on demand.
    meshes: Vec<Vec<Option<MercMesh>>>,
    /// Asked of the builder and not arrived yet.
    pending: std::collections::HashSet<(usize, usize)>,
    builder: Option<Builder>,
    /// Bumped whenever meshes are added, so drawings that used a coarser stand-in redo.
    pub generation: u64,
}

/// The level to draw at a zoom.
pub fn level_for_zoom(zoom: f64) -> usize {
    LEVEL_ZOOMS.iter().position(|z| zoom <= *z).unwrap_or(LEVEL_ZOOMS.len())
}

/// Mercator tolerance of a simplified level (mercator units: the world is 1 wide).
pub fn level_tolerance(level: usize) -> f64 {
    TOLERANCE_PX / (256.0 * 2f64.powf(LEVEL_ZOOMS[level]))
}

impl Lod {
    pub fn build(units: &[Unit]) -> Self {
        let topology = ArcTopology::build(units);
        let unit_borders = super::borders::from_topology(&topology, units.len());
        let ArcTopology { arcs, units: unit_rings, neighbours } = topology;
        let sides: Vec<ArcSides> = arcs.iter().map(|a| ArcSides { left: a.left, right: a.right, bounds: a.bounds }).collect();
        let full: Vec<Vec<[f64; 2]>> = arcs.into_iter().map(|a| a.points).collect();
        let mut unit_rings = unit_rings;
        orient_rings(&mut unit_rings, &full);
        let mut points: Vec<Vec<Vec<[f64; 2]>>> = (0..LEVEL_ZOOMS.len()).into_par_iter().map(|level| full.par_iter().map(|p| simplify_arc(p, level_tolerance(level))).collect()).collect();
        points.push(full);
        let unit_bounds = unit_rings
            .iter()
            .map(|polygons| {
                let mut b = MercBox::EMPTY;
                for (arc, _) in polygons.iter().filter_map(|rings| rings.first()).flatten() {
                    b = b.union(&sides[*arc as usize].bounds);
                }
                b
            })
            .collect();
        let source = std::sync::Arc::new(LodSource { sides: sides.clone(), points, unit_rings });
        let coarsest: Vec<Option<MercMesh>> = (0..units.len()).into_par_iter().map(|u| Some(source.triangulate(0, u))).collect();
        let mut meshes = vec![vec![None; units.len()]; LEVELS];
        meshes[0] = coarsest;
        Self { arcs: sides, source, unit_bounds, neighbours, unit_borders, meshes, pending: Default::default(), builder: None, generation: 0 }
    }

    pub fn unit_count(&self) -> usize {
        self.source.unit_rings.len()
    }

    /// Each arc's points at a level.
    pub fn points(&self, level: usize) -> &[Vec<[f64; 2]>] {
        &self.source.points[level.min(LEVELS - 1)]
    }

    /// Asks the builder thread for the missing triangles of `units` at `level` (those
    /// not asked for already); returns how many are still to come at any level.
    pub fn request(&mut self, level: usize, units: &[usize]) -> usize {
        let level = level.min(LEVELS - 1);
        let missing: Vec<usize> = units.iter().copied().filter(|u| !self.has_mesh(level, *u) && !self.pending.contains(&(level, *u))).collect();
        if !missing.is_empty() {
            let source = std::sync::Arc::clone(&self.source);
            let builder = self.builder.get_or_insert_with(|| Builder::spawn(source));
            self.pending.extend(missing.iter().map(|u| (level, *u)));
            if builder.requests.send((level, missing)).is_err() {
                // The builder is gone (it panicked): build here instead, in the next calls.
                self.builder = None;
                self.pending.clear();
            }
        }
        self.pending.len()
    }

    /// Takes the triangles the builder has finished; returns whether any arrived.
    pub fn receive(&mut self) -> bool {
        let Some(builder) = &self.builder else { return false };
        let mut arrived = false;
        while let Ok(batch) = builder.results.try_recv() {
            for (level, unit, mesh) in batch {
                self.pending.remove(&(level, unit));
                self.meshes[level][unit] = Some(mesh);
                arrived = true;
            }
        }
        if arrived {
            self.generation += 1;
        }
        arrived
    }

    /// Whether triangles asked for are still being built.
    pub fn is_building(&self) -> bool {
        !self.pending.is_empty()
    }
}

impl LodSource {
    /// The triangles of a region (a territory: several units) at a level, drawn as one
    /// shape: its outline is the arcs with the region on one side only, chained into
    /// rings (outer rings counter-clockwise, holes clockwise: see `orient_rings`).
    /// `units`: the region's units; `member`: whether a unit is in the region.
    pub fn region_mesh(&self, level: usize, units: &[u32], member: impl Fn(u32) -> bool) -> MercMesh {
        let level = level.min(LEVELS - 1);
        let arcs = &self.points[level];
        // Boundary arcs as the region's units walk them.
        let mut boundary: Vec<(u32, bool)> = Vec::new();
        for &u in units {
            for rings in self.unit_rings.get(u as usize).into_iter().flatten() {
                for &(arc, reversed) in rings.iter().flatten() {
                    let sides = &self.sides[arc as usize];
                    let other = if sides.left == u { sides.right } else { Some(sides.left) };
                    if !other.is_some_and(&member) {
                        boundary.push((arc, reversed));
                    }
                }
            }
        }
        let oriented = |(arc, reversed): (u32, bool)| -> Piece {
            let p = &arcs[arc as usize];
            let pts: Vec<[f64; 2]> = if reversed { p.iter().rev().copied().collect() } else { p.clone() };
            let (first, last) = (pts[0], pts[pts.len() - 1]);
            (pts, first, last)
        };
        let pieces: Vec<Piece> = boundary.into_iter().map(oriented).filter(|p| p.0.len() >= 2).collect();
        let key = |p: [f64; 2]| (p[0].to_bits(), p[1].to_bits());
        let mut starting: rustc_hash::FxHashMap<(u64, u64), Vec<usize>> = rustc_hash::FxHashMap::default();
        for (i, piece) in pieces.iter().enumerate() {
            starting.entry(key(piece.1)).or_default().push(i);
        }
        let mut used = vec![false; pieces.len()];
        let mut rings: Vec<Vec<[f64; 2]>> = Vec::new();
        for start in 0..pieces.len() {
            if used[start] {
                continue;
            }
            used[start] = true;
            let mut ring: Vec<[f64; 2]> = pieces[start].0.clone();
            let origin = pieces[start].1;
            let mut end = pieces[start].2;
            while end != origin {
                let next = starting.get(&key(end)).and_then(|c| c.iter().copied().find(|i| !used[*i]));
                let Some(next) = next else { break };
                used[next] = true;
                ring.extend_from_slice(&pieces[next].0[1..]);
                end = pieces[next].2;
            }
            ring.dedup();
            if ring.len() > 3 && ring.first() == ring.last() {
                // The region's outline no longer needs the junctions of its own units:
                // simplified as one closed line, it keeps far fewer points (the borders
                // drawn over it are the arcs themselves).
                if level + 1 < LEVELS {
                    ring = simplify_arc(&ring, level_tolerance(level));
                }
                ring.pop();
                if ring.len() >= 3 {
                    rings.push(ring);
                }
            }
        }
        triangulate_rings(rings)
    }

    /// The triangles of a unit at a level, built from that level's arcs.
    fn triangulate(&self, level: usize, unit: usize) -> MercMesh {
        let arcs = &self.points[level];
        let ring = |r: &RingArcs| -> Option<LineString<f64>> {
            let mut pts = ArcTopology::ring_points(r, |a| &arcs[a as usize]);
            pts.dedup();
            (pts.len() >= 3).then(|| LineString::new(pts.into_iter().map(|p| Coord { x: p[0], y: p[1] }).collect()))
        };
        let mut mesh = MercMesh::default();
        for polygon in &self.unit_rings[unit] {
            let Some(exterior) = polygon.first().and_then(ring) else { continue };
            let holes = polygon[1..].iter().filter_map(ring).collect();
            mesh.append_mercator_polygon(&Polygon::new(exterior, holes));
        }
        mesh
    }

}

impl Lod {
    /// The best triangles of a unit built so far, at `level` or the nearest coarser one.
    pub fn mesh(&self, level: usize, unit: usize) -> Option<&MercMesh> {
        (0..=level.min(LEVELS - 1)).rev().find_map(|l| self.meshes[l].get(unit).and_then(Option::as_ref))
    }

    /// Whether a unit's triangles at `level` exist.
    pub fn has_mesh(&self, level: usize, unit: usize) -> bool {
        self.meshes.get(level).and_then(|m| m.get(unit)).is_some_and(Option::is_some)
    }

    /// Builds the missing triangles of `units` at `level` within a time budget (on two
    /// threads); returns whether every one of them is now built.
    pub fn ensure(&mut self, level: usize, units: &[usize], budget: Duration) -> bool {
        let level = level.min(LEVELS - 1);
        let missing: Vec<usize> = units.iter().copied().filter(|u| !self.has_mesh(level, *u)).collect();
        if missing.is_empty() {
            return true;
        }
        let started = Instant::now();
        let mut done = 0;
        // Batches sized so one overshoots the budget by little.
        for batch in missing.chunks(64) {
            let built: Vec<(usize, MercMesh)> = batch.par_iter().map(|u| (*u, self.source.triangulate(level, *u))).collect();
            for (u, mesh) in built {
                self.meshes[level][u] = Some(mesh);
            }
            done += batch.len();
            if started.elapsed() >= budget {
                break;
            }
        }
        self.generation += 1;
        done == missing.len()
    }

    /// Vertices of the level's arcs (what its borders cost to draw).
    pub fn arc_vertices(&self, level: usize) -> usize {
        self.points(level).iter().map(Vec::len).sum()
    }
}

/// The arcs with different territories on their two sides (or a territory and the
/// outside): the territory borders a map draws thick. Cost: O(arcs).
pub fn territory_border_arcs(lod: &Lod, scenario: &crate::model::Scenario) -> Vec<u32> {
    let owner = |u: u32| scenario.unit_territory.get(u as usize).copied().flatten();
    lod.arcs
        .iter()
        .enumerate()
        .filter(|(_, a)| match a.right {
            Some(r) => owner(a.left) != owner(r),
            None => owner(a.left).is_some(),
        })
        .map(|(i, _)| i as u32)
        .collect()
}

/// Levels at which a territory's ZIPs are drawn as one shape (whole-country views).
pub const REGION_LEVELS: usize = 2;

/// Each territory's ZIPs (and the unassigned ones) as one shape at a coarse level, kept
/// up to date edit by edit: an edit rebuilds the shapes of the territories it touched.
#[derive(Default)]
pub struct RegionMeshes {
    key: Option<(usize, crate::model::ids::ScenarioId)>,
    /// Per group (a territory, or `None`: unassigned): one of its units (whose colour
    /// the shape takes) and the shape.
    pub shapes: std::collections::HashMap<Option<crate::model::ids::TerritoryId>, (u32, MercMesh)>,
    /// Bumped whenever a shape changes.
    pub generation: u64,
}

impl RegionMeshes {
    /// Brings the shapes up to date for `scenario` at `level`. `touched`: the groups an
    /// edit changed since the last call (`None`: anything may have changed).
    pub fn refresh(&mut self, lod: &Lod, scenario: &crate::model::Scenario, level: usize, touched: Option<&[Option<crate::model::ids::TerritoryId>]>) {
        let key = (level, scenario.id);
        let rebuild_all = self.key != Some(key) || touched.is_none();
        let touched = touched.unwrap_or(&[]);
        if !rebuild_all && touched.is_empty() {
            return;
        }
        let mut groups: std::collections::HashMap<Option<crate::model::ids::TerritoryId>, Vec<u32>> = std::collections::HashMap::new();
        for (u, t) in scenario.unit_territory.iter().enumerate() {
            if rebuild_all || touched.contains(t) {
                groups.entry(*t).or_default().push(u as u32);
            }
        }
        if rebuild_all {
            self.shapes.clear();
        }
        for t in touched {
            self.shapes.remove(t);
        }
        let source = &lod.source;
        let built: Vec<(Option<crate::model::ids::TerritoryId>, (u32, MercMesh))> = groups
            .into_par_iter()
            .map(|(t, units)| {
                let mesh = source.region_mesh(level, &units, |u| scenario.unit_territory.get(u as usize).copied().flatten() == t);
                (t, (units[0], mesh))
            })
            .collect();
        self.shapes.extend(built);
        self.key = Some(key);
        self.generation += 1;
    }
}

/// A boundary arc walked the region's way round: its points, first and last point.
type Piece = (Vec<[f64; 2]>, [f64; 2], [f64; 2]);

/// Twice the signed area of a ring (positive: counter-clockwise in x-right, y-up axes).
fn signed_area2(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    (0..n).map(|i| {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        a[0] * b[1] - b[0] * a[1]
    }).sum()
}

/// Turns every exterior ring counter-clockwise and every hole clockwise (in lon/lat
/// terms; mercator's y points south, which flips both alike), whatever the file did:
/// a region's outline is then the arcs its units walk, in their direction.
fn orient_rings(units: &mut [UnitRings], points: &[Vec<[f64; 2]>]) {
    for polygon in units.iter_mut().flatten() {
        for (i, ring) in polygon.iter_mut().enumerate() {
            let area = signed_area2(&ArcTopology::ring_points(ring, |a| &points[a as usize]));
            // Mercator y grows southwards: counter-clockwise on the globe is negative here.
            let counter_clockwise = area < 0.0;
            let want_counter_clockwise = i == 0;
            if counter_clockwise != want_counter_clockwise {
                ring.reverse();
                for step in ring.iter_mut() {
                    step.1 = !step.1;
                }
            }
        }
    }
}

/// Triangles of rings that are outer boundaries (counter-clockwise on the globe) and
/// holes (clockwise), each hole in the smallest outer ring that holds it.
fn triangulate_rings(rings: Vec<Vec<[f64; 2]>>) -> MercMesh {
    let mut outers: Vec<(f64, Vec<[f64; 2]>)> = Vec::new();
    let mut holes: Vec<Vec<[f64; 2]>> = Vec::new();
    for ring in rings {
        let area = signed_area2(&ring);
        if area < 0.0 {
            outers.push((-area, ring));
        } else if area > 0.0 {
            holes.push(ring);
        }
    }
    outers.sort_by(|a, b| a.0.total_cmp(&b.0));
    let line = |pts: &[[f64; 2]]| LineString::new(pts.iter().map(|p| Coord { x: p[0], y: p[1] }).collect());
    let mut owned: Vec<Vec<LineString<f64>>> = vec![Vec::new(); outers.len()];
    for hole in holes {
        let probe = geo::Point::new(hole[0][0], hole[0][1]);
        let owner = outers.iter().position(|(_, outer)| {
            use geo::Contains;
            Polygon::new(line(outer), Vec::new()).contains(&probe)
        });
        if let Some(o) = owner {
            owned[o].push(line(&hole));
        }
    }
    let mut mesh = MercMesh::default();
    for ((_, outer), holes) in outers.iter().zip(owned) {
        mesh.append_mercator_polygon(&Polygon::new(line(outer), holes));
    }
    mesh
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn levels_follow_the_zoom() {
        assert_eq!(level_for_zoom(3.0), 0);
        assert_eq!(level_for_zoom(5.0), 0);
        assert_eq!(level_for_zoom(6.5), 1);
        assert_eq!(level_for_zoom(10.0), 3);
        assert_eq!(level_for_zoom(14.0), LEVELS - 1);
    }

    #[test]
    fn the_coarsest_level_is_built_at_once_and_finer_ones_on_demand() {
        let project = grid_project(6, 4, 0.1, 0, 2, 1);
        let mut lod = Lod::build(&project.units);
        assert!((0..24).all(|u| lod.has_mesh(0, u)));
        assert!(!lod.has_mesh(LEVELS - 1, 3));
        assert!(lod.mesh(LEVELS - 1, 3).is_some(), "a coarser stand-in is drawn meanwhile");
        assert!(lod.ensure(LEVELS - 1, &[3, 4], Duration::from_secs(5)));
        assert!(lod.has_mesh(LEVELS - 1, 3) && lod.has_mesh(LEVELS - 1, 4));
        // A square cell triangulates to two triangles covering its area at every level.
        let mesh = lod.mesh(LEVELS - 1, 3).unwrap();
        assert_eq!(mesh.indices.len(), 6);
    }

    /// The area of a set of triangles.
    fn area(mesh: &MercMesh) -> f64 {
        mesh.indices.chunks(3).map(|t| {
            let (a, b, c) = (mesh.vertices[t[0] as usize], mesh.vertices[t[1] as usize], mesh.vertices[t[2] as usize]);
            ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs() / 2.0
        }).sum()
    }

    #[test]
    fn a_region_is_drawn_as_one_shape_with_the_area_of_its_units_and_its_holes() {
        let project = grid_project(5, 5, 0.1, 0, 1, 1);
        let mut lod = Lod::build(&project.units);
        let all: Vec<u32> = (0..25).collect();
        let full = LEVELS - 1;
        assert!(lod.ensure(full, &(0..25).collect::<Vec<_>>(), Duration::from_secs(5)));
        let unit_area: f64 = (0..25).map(|u| area(lod.mesh(full, u).unwrap())).sum();
        // A ring of 24 cells around the middle one: one outer ring and one hole.
        let ring_units: Vec<u32> = all.iter().copied().filter(|u| *u != 12).collect();
        let region = lod.source.region_mesh(full, &ring_units, |u| u != 12);
        let middle = area(lod.mesh(full, 12).unwrap());
        assert!((area(&region) - (unit_area - middle)).abs() < unit_area * 1e-9, "{} vs {}", area(&region), unit_area - middle);
        // Far fewer triangles than the cells one by one.
        assert!(region.vertices.len() < 24 * 4);
        let whole = lod.source.region_mesh(full, &all, |_| true);
        assert!((area(&whole) - unit_area).abs() < unit_area * 1e-9);
        assert_eq!(whole.vertices.len(), 20, "the outline of a 5 x 5 grid: 5 cell sides on each of 4 sides");
    }

    #[test]
    fn the_builder_thread_delivers_what_was_asked_for() {
        let project = grid_project(6, 4, 0.1, 0, 2, 1);
        let mut lod = Lod::build(&project.units);
        let full = LEVELS - 1;
        assert_eq!(lod.request(full, &[1, 2, 3]), 3);
        assert_eq!(lod.request(full, &[1, 2, 3]), 3, "asked once");
        for _ in 0..500 {
            if lod.receive() && !lod.is_building() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(!lod.is_building());
        assert!((1..=3).all(|u| lod.has_mesh(full, u)));
    }
}
