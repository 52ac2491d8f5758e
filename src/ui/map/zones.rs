//! The drive-time zones the map draws: worked out (see `drivetime::zones`) when the
//! layer is on, and again only when what they depend on changes (which reps have a
//! territory and where they live, the road network, the limits), not on every edit.

use crate::drivetime::zones::{zone_edges, ZoneEdge};
use crate::model::entities::Rgb;
use crate::session::Session;
use std::hash::{Hash, Hasher};

/// Zones of the active scenario's reps.
#[derive(Default)]
pub struct ZoneCache {
    key: Option<u64>,
    pub edges: Vec<ZoneEdge>,
    /// Per home of `edges`: the rep (index) and its territory's colour.
    pub homes: Vec<(usize, Rgb)>,
    pub limits: Vec<f64>,
    /// Bumped whenever the zones change (the map's mesh cache keys on it).
    pub generation: u64,
}

impl ZoneCache {
    /// Brings the zones up to date for `limits` (minutes).
    pub fn refresh(&mut self, session: &Session, lod: &crate::spatial::lod::Lod, limits: &[f64]) {
        let (project, scenario) = (session.project(), session.scenario());
        let roads = session.roads();
        let homes: Vec<(usize, Rgb)> = scenario.territories.iter().filter_map(|t| Some((t.rep?.index(), t.color))).filter(|(r, _)| *r < project.reps.len()).collect();
        let mut hasher = rustc_hash::FxHasher::default();
        for (rep, colour) in &homes {
            let home = project.reps[*rep].home;
            (rep, home.lon.to_bits(), home.lat.to_bits(), colour.0, colour.1, colour.2).hash(&mut hasher);
        }
        limits.iter().for_each(|m| m.to_bits().hash(&mut hasher));
        roads.as_ref().map(|r| std::sync::Arc::as_ptr(r) as usize).hash(&mut hasher);
        project.units.len().hash(&mut hasher);
        let key = hasher.finish();
        if self.key == Some(key) {
            return;
        }
        let points: Vec<_> = homes.iter().map(|(rep, _)| project.reps[*rep].home).collect();
        let arcs: Vec<(u32, Option<u32>)> = lod.arcs.iter().map(|a| (a.left, a.right)).collect();
        self.edges = zone_edges(project, roads.as_deref(), &points, limits, &arcs);
        self.homes = homes;
        self.limits = limits.to_vec();
        self.key = Some(key);
        self.generation += 1;
    }
}
