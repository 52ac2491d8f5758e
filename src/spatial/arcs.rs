//! Unit rings cut into arcs at junctions, each shared border stored once (the topology
//! TopoJSON and mapshaper use). Simplifying an arc simplifies both sides of a border
//! alike, so neighbouring units still meet, with no slivers or gaps, at any level of
//! detail. The arcs also give rook adjacency and the borders the map draws.
//!
//! A vertex is a junction where the rings through it do not all continue to the same
//! two neighbours: where three units meet, where a shared border turns into a coast, or
//! where a ring touches itself.

use super::mercator::{to_mercator, MercBox};
use crate::model::entities::Unit;
use rustc_hash::FxHashMap;

/// A vertex quantized to 1e-7 degrees (about 1 cm), so equal vertices match exactly.
type GridPoint = (i64, i64);

fn grid(x: f64, y: f64) -> GridPoint {
    ((x * 1e7).round() as i64, (y * 1e7).round() as i64)
}

/// A chain of vertices between two junctions (or a whole ring without any), in
/// mercator units, with the unit on each side.
#[derive(Clone, Debug, PartialEq)]
pub struct Arc {
    pub points: Vec<[f64; 2]>,
    pub left: u32,
    /// The unit on the other side; `None` on an outer edge (coast, border of the data).
    pub right: Option<u32>,
    pub bounds: MercBox,
}

/// One ring of a unit as arcs: (arc index, walked backwards).
pub type RingArcs = Vec<(u32, bool)>;

/// A unit's polygons: the exterior ring first, then its holes.
pub type UnitRings = Vec<Vec<RingArcs>>;

pub struct ArcTopology {
    pub arcs: Vec<Arc>,
    /// Each unit's polygons as rings of arcs (same order as the units).
    pub units: Vec<UnitRings>,
    /// Rook neighbours of each unit (they share an arc), sorted.
    pub neighbours: Vec<Vec<u32>>,
}

/// What the first pass knows of a vertex: its neighbours in the first ring that passed
/// through it, and whether another ring disagreed.
#[derive(Clone, Copy)]
struct VertexState {
    prev: u32,
    next: u32,
    junction: bool,
}

impl ArcTopology {
    pub fn build(units: &[Unit]) -> Self {
        let vertex_count: usize = units.iter().flat_map(|u| &u.geometry.0).map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum();
        // Fx: the keys are integers from our own data, not from an adversary.
        let mut ids: FxHashMap<GridPoint, u32> = FxHashMap::with_capacity_and_hasher(vertex_count / 2 + 16, Default::default());
        let mut coords: Vec<[f64; 2]> = Vec::with_capacity(vertex_count / 2 + 16);
        // Pass 1: every ring as vertex ids (no repeated or closing vertex).
        let mut rings: Vec<Vec<Vec<Vec<u32>>>> = Vec::with_capacity(units.len());
        for unit in units {
            let mut polygons = Vec::with_capacity(unit.geometry.0.len());
            for polygon in &unit.geometry.0 {
                let mut out = Vec::with_capacity(1 + polygon.interiors().len());
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    let mut list: Vec<u32> = Vec::with_capacity(ring.0.len());
                    for c in &ring.0 {
                        let next_id = coords.len() as u32;
                        let id = *ids.entry(grid(c.x, c.y)).or_insert_with(|| {
                            coords.push(to_mercator(c.x, c.y));
                            next_id
                        });
                        if list.last() != Some(&id) {
                            list.push(id);
                        }
                    }
                    while list.len() > 1 && list.first() == list.last() {
                        list.pop();
                    }
                    if list.len() >= 3 {
                        out.push(list);
                    }
                }
                // A polygon whose exterior collapsed is dropped with its holes.
                if !out.is_empty() && ids_form_exterior(&out) {
                    polygons.push(out);
                }
            }
            rings.push(polygons);
        }
        drop(ids);
        let junctions = find_junctions(&rings, coords.len());

        // Pass 2: cut each ring at its junctions; an arc met a second time is the
        // other side of a shared border.
        let mut arcs: Vec<Arc> = Vec::new();
        let mut arc_of: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        let mut unit_rings: Vec<UnitRings> = Vec::with_capacity(units.len());
        for (u, polygons) in rings.iter().enumerate() {
            let owner = u as u32;
            let mut out_polygons = Vec::with_capacity(polygons.len());
            for polygon in polygons {
                let mut out_rings = Vec::with_capacity(polygon.len());
                for ring in polygon {
                    let mut ring_arcs: RingArcs = Vec::new();
                    for chain in split_at_junctions(ring, &junctions) {
                        let (canonical, reversed) = canonical_chain(chain);
                        let key = (canonical[0], canonical[1]);
                        let index = match arc_of.get(&key) {
                            Some(&i) => {
                                let arc = &mut arcs[i as usize];
                                if arc.left != owner && arc.right.is_none() {
                                    arc.right = Some(owner);
                                }
                                i
                            }
                            None => {
                                let i = arcs.len() as u32;
                                let points: Vec<[f64; 2]> = canonical.iter().map(|id| coords[*id as usize]).collect();
                                let mut bounds = MercBox::EMPTY;
                                for p in &points {
                                    bounds.extend(*p);
                                }
                                arcs.push(Arc { points, left: owner, right: None, bounds });
                                arc_of.insert(key, i);
                                i
                            }
                        };
                        ring_arcs.push((index, reversed));
                    }
                    out_rings.push(ring_arcs);
                }
                out_polygons.push(out_rings);
            }
            unit_rings.push(out_polygons);
        }
        let mut neighbours = vec![Vec::new(); units.len()];
        for arc in &arcs {
            if let Some(r) = arc.right {
                neighbours[arc.left as usize].push(r);
                neighbours[r as usize].push(arc.left);
            }
        }
        for list in &mut neighbours {
            list.sort_unstable();
            list.dedup();
        }
        Self { arcs, units: unit_rings, neighbours }
    }

    /// The points of a ring, walking its arcs (each arc's last point is the next one's
    /// first, so it is taken once), from per-arc point lists (`points(arc)`).
    pub fn ring_points<'a>(ring: &RingArcs, points: impl Fn(u32) -> &'a [[f64; 2]]) -> Vec<[f64; 2]> {
        let mut out = Vec::new();
        for &(arc, reversed) in ring {
            let p = points(arc);
            let take = p.len().saturating_sub(1);
            if reversed {
                out.extend(p.iter().rev().take(take));
            } else {
                out.extend(p.iter().take(take));
            }
        }
        // A ring of one closed arc repeats its first point at the end: drop it too.
        if ring.len() == 1 && out.len() > 1 && out.first() == out.last() {
            out.pop();
        }
        out
    }
}

/// The first ring (the exterior) survived.
fn ids_form_exterior(rings: &[Vec<u32>]) -> bool {
    rings.first().is_some_and(|r| r.len() >= 3)
}

/// Vertices where the rings through them disagree on their neighbours.
fn find_junctions(rings: &[Vec<Vec<Vec<u32>>>], vertex_count: usize) -> Vec<bool> {
    const UNSEEN: u32 = u32::MAX;
    let mut state = vec![VertexState { prev: UNSEEN, next: UNSEEN, junction: false }; vertex_count];
    for ring in rings.iter().flatten().flatten() {
        let n = ring.len();
        for i in 0..n {
            let (p, v, q) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            let s = &mut state[v as usize];
            if s.prev == UNSEEN {
                s.prev = p;
                s.next = q;
            } else if !((s.prev == p && s.next == q) || (s.prev == q && s.next == p)) {
                // Rings may run either way round (files do not all follow the
                // right-hand rule): only a different pair of neighbours cuts.
                s.junction = true;
            }
        }
    }
    state.into_iter().map(|s| s.junction).collect()
}

/// A ring's arcs as chains of vertex ids from junction to junction (both ends
/// included); a ring without junctions is one closed chain.
fn split_at_junctions(ring: &[u32], junctions: &[bool]) -> Vec<Vec<u32>> {
    let n = ring.len();
    let Some(start) = (0..n).find(|i| junctions[ring[*i] as usize]) else {
        let mut closed = ring.to_vec();
        closed.push(ring[0]);
        return vec![closed];
    };
    let mut chains = Vec::new();
    let mut current = vec![ring[start]];
    for k in 1..=n {
        let v = ring[(start + k) % n];
        current.push(v);
        if junctions[v as usize] {
            chains.push(std::mem::replace(&mut current, vec![v]));
        }
    }
    chains
}

/// The chain in the direction both of its sides agree on, and whether that is the
/// reverse of how this ring walks it. Open chains run from their smaller end (by the
/// first two ids); a closed chain starts at its smallest id, towards the smaller of
/// that vertex's two neighbours.
fn canonical_chain(chain: Vec<u32>) -> (Vec<u32>, bool) {
    let n = chain.len();
    if n >= 2 && chain[0] == chain[n - 1] {
        let body = &chain[..n - 1];
        let m = body.len();
        let (min_at, _) = body.iter().enumerate().min_by_key(|(_, id)| **id).unwrap_or((0, &0));
        let forward_next = body[(min_at + 1) % m];
        let backward_next = body[(min_at + m - 1) % m];
        let reversed = backward_next < forward_next;
        let mut out: Vec<u32> = (0..m).map(|k| if reversed { body[(min_at + m - k) % m] } else { body[(min_at + k) % m] }).collect();
        out.push(out[0]);
        return (out, reversed);
    }
    let forward = (chain[0], chain[1]);
    let backward = (chain[n - 1], chain[n - 2]);
    if backward < forward {
        let mut reversed_chain = chain;
        reversed_chain.reverse();
        (reversed_chain, true)
    } else {
        (chain, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn a_grid_has_one_arc_per_shared_side_and_rook_neighbours() {
        let project = grid_project(4, 3, 0.1, 0, 1, 1);
        let topology = ArcTopology::build(&project.units);
        // Every vertex where cells meet is a junction, so each shared side is one arc:
        // 4 x 3 cells have 3 x 3 inner vertical + 4 x 2 inner horizontal sides. Outer
        // sides are 2 x 4 + 2 x 3, but a corner of the grid touches one cell only, so
        // the two sides there are one arc.
        let shared = topology.arcs.iter().filter(|a| a.right.is_some()).count();
        let outer = topology.arcs.iter().filter(|a| a.right.is_none()).count();
        assert_eq!(shared, 3 * 3 + 4 * 2);
        assert_eq!(outer, 2 * 4 + 2 * 3 - 4);
        let mut expected = crate::fixtures::grid_neighbours(4, 3);
        for list in &mut expected {
            list.sort_unstable();
        }
        assert_eq!(topology.neighbours, expected);
    }

    #[test]
    fn rings_rebuilt_from_arcs_have_the_original_vertices() {
        let project = grid_project(3, 3, 0.1, 0, 1, 1);
        let topology = ArcTopology::build(&project.units);
        for (u, unit) in project.units.iter().enumerate() {
            let ring = &topology.units[u][0][0];
            let points = ArcTopology::ring_points(ring, |a| &topology.arcs[a as usize].points);
            let original: Vec<[f64; 2]> = unit.geometry.0[0].exterior().0.iter().map(|c| to_mercator(c.x, c.y)).collect();
            assert_eq!(points.len(), original.len() - 1, "unit {u}");
            for p in &points {
                assert!(original.iter().any(|o| (o[0] - p[0]).abs() < 1e-12 && (o[1] - p[1]).abs() < 1e-12));
            }
        }
    }

    #[test]
    fn an_enclosed_unit_shares_one_closed_arc_with_its_surrounding_unit() {
        use crate::model::entities::{LonLat, Unit};
        use crate::model::ids::UnitId;
        use geo::{polygon, MultiPolygon, Polygon};
        let inner_ring = polygon![(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)];
        let outer = Polygon::new(
            polygon![(x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 3.0), (x: 0.0, y: 3.0)].exterior().clone(),
            vec![inner_ring.exterior().clone()],
        );
        let unit = |id: u32, p: Polygon<f64>| Unit {
            id: UnitId(id),
            code: id.to_string(),
            name: String::new(),
            area_km2: 1.0,
            centroid: LonLat::new(0.0, 0.0),
            geometry: MultiPolygon(vec![p]),
            attributes: Default::default(),
        };
        let topology = ArcTopology::build(&[unit(0, outer), unit(1, inner_ring)]);
        assert_eq!(topology.arcs.len(), 2, "the outer ring and the shared ring");
        let shared: Vec<&Arc> = topology.arcs.iter().filter(|a| a.right.is_some()).collect();
        assert_eq!(shared.len(), 1);
        assert_eq!(shared[0].points.len(), 5, "a closed arc of four corners");
        assert_eq!(topology.neighbours, vec![vec![1], vec![0]]);
    }
}
