//! Drive times on a road network: points snap to the nearest road of the network's main
//! (strongly connected) part, the leg off the road is driven slowly, and one Dijkstra
//! search from a home base reaches every point at once.

use super::RoadNetwork;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Speed of the leg between a point and its road (driveway, parking lot), km/h.
pub const OFF_ROAD_KMH: f64 = 15.0;
/// Farther than this from every road, a point is off the network (it falls back to the
/// estimate).
pub const MAX_SNAP_KM: f64 = 2.0;

/// Where a point meets the network: the road from `a` to `b` (either way where both
/// exist), at `t` (0 at `a`, 1 at `b`), `off_km` away from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    pub a: u32,
    pub b: u32,
    pub t: f64,
    pub off_km: f64,
}

/// A road (its two junctions) as a line in the local plane.
type RoadLine = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// Roads of the main part indexed for snapping, in a local plane (km).
pub struct Snapper {
    tree: RTree<RoadLine>,
    cos_lat: f64,
}

const KM_PER_DEGREE: f64 = 111.195;

impl Snapper {
    pub fn new(network: &RoadNetwork) -> Self {
        let mean_lat = if network.nodes.is_empty() { 0.0 } else { network.nodes.iter().map(|p| p[1]).sum::<f64>() / network.nodes.len() as f64 };
        let cos_lat = mean_lat.to_radians().cos();
        let at = |n: u32| {
            let p = network.nodes[n as usize];
            [p[0] * KM_PER_DEGREE * cos_lat, p[1] * KM_PER_DEGREE]
        };
        let mut lines = Vec::new();
        for a in 0..network.node_count() as u32 {
            if !network.main[a as usize] {
                continue;
            }
            for (b, _, _) in network.edges(a) {
                // One line per road: the pair in one order only.
                if network.main[b as usize] && (a < b || network.edge_seconds(b, a).is_none()) {
                    lines.push(GeomWithData::new(Line::new(at(a), at(b)), (a, b)));
                }
            }
        }
        Self { tree: RTree::bulk_load(lines), cos_lat }
    }

    pub fn snap(&self, lon: f64, lat: f64) -> Option<Snap> {
        let p = [lon * KM_PER_DEGREE * self.cos_lat, lat * KM_PER_DEGREE];
        let nearest = self.tree.nearest_neighbor(&p)?;
        let (from, to) = (nearest.geom().from, nearest.geom().to);
        let (dx, dy) = (to[0] - from[0], to[1] - from[1]);
        let length2 = dx * dx + dy * dy;
        let t = if length2 > 0.0 { (((p[0] - from[0]) * dx + (p[1] - from[1]) * dy) / length2).clamp(0.0, 1.0) } else { 0.0 };
        let (x, y) = (from[0] + t * dx, from[1] + t * dy);
        let off_km = ((p[0] - x).powi(2) + (p[1] - y).powi(2)).sqrt();
        (off_km <= MAX_SNAP_KM).then_some(Snap { a: nearest.data.0, b: nearest.data.1, t, off_km })
    }
}

/// Seconds and metres to every node from a start on the network, up to `cutoff_s`.
pub struct Reach {
    pub seconds: Vec<f32>,
    pub metres: Vec<f32>,
}

impl Reach {
    /// Seconds and km to a snapped point: along its road from whichever end is
    /// quicker, plus the leg off the road. `None`: not reached within the cut-off.
    pub fn to(&self, network: &RoadNetwork, snap: &Snap) -> Option<(f64, f64)> {
        let mut best: Option<(f64, f64)> = None;
        for (from, to, share) in [(snap.a, snap.b, snap.t), (snap.b, snap.a, 1.0 - snap.t)] {
            let (s, m) = (self.seconds[from as usize], self.metres[from as usize]);
            let Some((metres, seconds)) = along(network, from, to, share).filter(|_| s.is_finite()) else { continue };
            let candidate = (s as f64 + seconds, m as f64 + metres);
            if best.is_none_or(|b| candidate.0 < b.0) {
                best = Some(candidate);
            }
        }
        best.map(|(s, m)| (s + snap.off_km / OFF_ROAD_KMH * 3600.0, m / 1000.0 + snap.off_km))
    }
}

/// Metres and seconds over `share` of the road from `from` to `to`: by the road where it
/// runs that way, else (the wrong way of a one-way street, a few metres at a snapped
/// end) at the off-road speed. `None`: no road between them.
fn along(network: &RoadNetwork, from: u32, to: u32, share: f64) -> Option<(f64, f64)> {
    if let Some((_, m, s)) = network.edges(from).find(|e| e.0 == to) {
        return Some((share * m as f64, share * s as f64));
    }
    let (_, m, _) = network.edges(to).find(|e| e.0 == from)?;
    let metres = share * m as f64;
    Some((metres, metres / 1000.0 / OFF_ROAD_KMH * 3600.0))
}

/// Dijkstra from a snapped start (both ends of its road, as far as the road allows).
pub fn reach_from(network: &RoadNetwork, start: &Snap, cutoff_s: f64) -> Reach {
    let n = network.node_count();
    let mut seconds = vec![f32::INFINITY; n];
    let mut metres = vec![f32::INFINITY; n];
    let mut heap: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::new();
    let off_s = start.off_km / OFF_ROAD_KMH * 3600.0;
    let off_m = start.off_km * 1000.0;
    let mut seed = |node: u32, via: u32, share: f64| {
        if let Some((m, s)) = along(network, via, node, share) {
            let (s, m) = ((off_s + s) as f32, (off_m + m) as f32);
            if s < seconds[node as usize] {
                seconds[node as usize] = s;
                metres[node as usize] = m;
            }
        }
    };
    // From the point along its road to b (the part after t) and to a (the part before).
    seed(start.b, start.a, 1.0 - start.t);
    seed(start.a, start.b, start.t);
    for node in [start.a, start.b] {
        if seconds[node as usize].is_finite() {
            heap.push(Reverse((seconds[node as usize].to_bits(), node)));
        }
    }
    // Non-negative f32 order the same as their bit patterns.
    while let Some(Reverse((bits, v))) = heap.pop() {
        let s = f32::from_bits(bits);
        if s > seconds[v as usize] || s as f64 > cutoff_s {
            continue;
        }
        for (w, m, t) in network.edges(v) {
            let next = s + t;
            if next < seconds[w as usize] {
                seconds[w as usize] = next;
                metres[w as usize] = metres[v as usize] + m;
                heap.push(Reverse((next.to_bits(), w)));
            }
        }
    }
    Reach { seconds, metres }
}

/// No road is faster than this: the A* estimate of the time left never overstates it.
const ROUTE_FASTEST_KMH: f64 = 150.0;

/// The quickest route between two snapped points: the junctions it passes, in order
/// (the points themselves not included), and its seconds on the road (the legs off
/// the road not included); `None` when `to` cannot be reached. An A*
/// search towards `to`, so a short drive looks at a small part of a state's roads.
pub fn route(network: &RoadNetwork, from: &Snap, to: &Snap) -> Option<(Vec<u32>, f64)> {
    use rustc_hash::FxHashMap;
    let node = |n: u32| network.nodes[n as usize];
    let (ga, gb) = (node(to.a), node(to.b));
    let goal = [ga[0] + to.t * (gb[0] - ga[0]), ga[1] + to.t * (gb[1] - ga[1])];
    let left = |n: u32| super::metres_between(node(n), goal) / 1000.0 / ROUTE_FASTEST_KMH * 3600.0;
    let mut seconds: FxHashMap<u32, f64> = FxHashMap::default();
    let mut came_from: FxHashMap<u32, u32> = FxHashMap::default();
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    let key = |f: f64| (f.max(0.0) * 1000.0) as u64;
    for (end, other, share) in [(from.b, from.a, 1.0 - from.t), (from.a, from.b, from.t)] {
        if let Some((_, s)) = along(network, other, end, share) {
            if seconds.get(&end).is_none_or(|known| s < *known) {
                seconds.insert(end, s);
                heap.push(Reverse((key(s + left(end)), end)));
            }
        }
    }
    let mut best: Option<(f64, u32)> = None;
    let mut settled = rustc_hash::FxHashSet::default();
    while let Some(Reverse((f, v))) = heap.pop() {
        if best.is_some_and(|(b, _)| f >= key(b)) {
            break;
        }
        if !settled.insert(v) {
            continue;
        }
        let g = seconds[&v];
        for (end, other, share) in [(to.a, to.b, to.t), (to.b, to.a, 1.0 - to.t)] {
            if v == end {
                if let Some((_, s)) = along(network, end, other, share) {
                    if best.is_none_or(|(b, _)| g + s < b) {
                        best = Some((g + s, v));
                    }
                }
            }
        }
        for (w, _, t) in network.edges(v) {
            let next = g + t as f64;
            if seconds.get(&w).is_none_or(|known| next < *known) {
                seconds.insert(w, next);
                came_from.insert(w, v);
                heap.push(Reverse((key(next + left(w)), w)));
            }
        }
    }
    let (total, mut at) = best?;
    let mut path = vec![at];
    while let Some(prev) = came_from.get(&at) {
        at = *prev;
        path.push(at);
    }
    path.reverse();
    Some((path, total))
}
