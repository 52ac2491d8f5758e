//! Drive-time zones around rep home bases (30, 60, 90 minutes...): the ZIPs whose
//! centre lies within each limit of a home, by road where the network reaches and by
//! the estimate elsewhere, and the borders between ZIPs inside and outside a limit,
//! which a map draws as the zone's outline.

use super::roads::cache::RoadTimes;
use super::{DistanceEstimate, DriveTimeModel};
use crate::model::entities::LonLat;
use crate::model::project::Project;
use rayon::prelude::*;

/// The limits the map shows unless the planner sets others, minutes.
pub const DEFAULT_MINUTES: [f64; 3] = [30.0, 60.0, 90.0];
/// At most this many limits (each is a line width of its own).
pub const MAX_LIMITS: usize = 4;
/// No trip is faster than this on average: ZIPs farther than the largest limit at
/// this speed are not looked at.
const FASTEST_KMH: f64 = 130.0;

/// The limits from what a planner typed ("30, 60, 90"): ascending, positive, at most
/// [`MAX_LIMITS`]; or what is wrong.
pub fn parse_minutes(text: &str) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for part in text.split([',', ' ', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let m: f64 = part.parse().map_err(|_| format!("'{part}' is not a number of minutes"))?;
        if !(m.is_finite() && m > 0.0 && m <= 600.0) {
            return Err(format!("{part} min: a zone is between 1 and 600 minutes"));
        }
        out.push(m);
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    if out.is_empty() {
        return Err("give at least one limit, e.g. 30, 60, 90".into());
    }
    if out.len() > MAX_LIMITS {
        return Err(format!("at most {MAX_LIMITS} limits"));
    }
    Ok(out)
}

/// One piece of a zone's outline: a border between two ZIPs (an arc), the home it is
/// around and which limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneEdge {
    pub arc: u32,
    /// Index into the homes the zones were computed for.
    pub home: u32,
    /// Index into the limits.
    pub limit: u8,
}

/// Every home's zones as outlines along `arcs` (each arc's unit on either side; `None`:
/// the outer edge of the data, where a zone may go on beyond the ZIPs loaded: never an
/// outline).
pub fn zone_edges(project: &Project, roads: Option<&RoadTimes>, homes: &[LonLat], minutes: &[f64], arcs: &[(u32, Option<u32>)]) -> Vec<ZoneEdge> {
    let n = project.units.len();
    let mut unit_arcs: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, (left, right)) in arcs.iter().enumerate() {
        for u in std::iter::once(*left).chain(*right) {
            if let Some(list) = unit_arcs.get_mut(u as usize) {
                list.push(i as u32);
            }
        }
    }
    let estimate = DistanceEstimate::new(project.settings.drive);
    let density = estimate.unit_densities(project);
    let largest = minutes.iter().copied().fold(0.0, f64::max);
    let radius_km = largest / 60.0 * FASTEST_KMH;
    homes
        .par_iter()
        .enumerate()
        .flat_map_iter(|(h, home)| {
            let from_roads = roads.map(|r| r.home(*home));
            // Which limits each nearby ZIP's centre is within, as bits.
            let (dlat, dlon) = (radius_km / 111.0, radius_km / (111.0 * home.lat.to_radians().cos().max(0.05)));
            let mut within: rustc_hash::FxHashMap<u32, u8> = rustc_hash::FxHashMap::default();
            for (u, unit) in project.units.iter().enumerate() {
                let c = unit.centroid;
                if (c.lat - home.lat).abs() > dlat || (c.lon - home.lon).abs() > dlon {
                    continue;
                }
                let by_road = from_roads.as_ref().and_then(|t| t.unit(u)).map(|(hours, _)| hours);
                let hours = by_road.unwrap_or_else(|| estimate.one_way_hours(*home, c, density[u]));
                let bits = minutes.iter().enumerate().filter(|(_, m)| hours * 60.0 <= **m).fold(0u8, |b, (i, _)| b | (1 << i));
                if bits != 0 {
                    within.insert(u as u32, bits);
                }
            }
            let mut edges = Vec::new();
            let mut seen = rustc_hash::FxHashSet::default();
            for u in within.keys() {
                for &arc in &unit_arcs[*u as usize] {
                    if !seen.insert(arc) {
                        continue;
                    }
                    let (left, Some(right)) = arcs[arc as usize] else { continue };
                    let side = |x: u32| within.get(&x).copied().unwrap_or(0);
                    let differ = side(left) ^ side(right);
                    for limit in (0..minutes.len()).filter(|i| differ & (1 << i) != 0) {
                        edges.push(ZoneEdge { arc, home: h as u32, limit: limit as u8 });
                    }
                }
            }
            edges.sort_by_key(|e| (e.arc, e.limit));
            edges
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn limits_are_read_sorted_and_checked() {
        assert_eq!(parse_minutes("90, 30 60"), Ok(vec![30.0, 60.0, 90.0]));
        assert_eq!(parse_minutes("45"), Ok(vec![45.0]));
        assert!(parse_minutes("").is_err());
        assert!(parse_minutes("30, soon").unwrap_err().contains("soon"));
        assert!(parse_minutes("-5").is_err());
        assert!(parse_minutes("10 20 30 40 50").is_err());
    }

    /// On a grid, each zone's outline separates exactly the ZIPs within its limit from
    /// those beyond, and a larger limit encloses more ZIPs.
    #[test]
    fn outlines_separate_the_zips_within_a_limit_from_those_beyond() {
        let project = grid_project(12, 10, 0.1, 50, 3, 3);
        let cols = 12;
        // Arcs: every shared side of the grid, and the outer edge.
        let mut arcs = Vec::new();
        for u in 0..(12 * 10) as u32 {
            let (x, y) = (u % cols, u / cols);
            if x + 1 < cols {
                arcs.push((u, Some(u + 1)));
            }
            if y + 1 < 10 {
                arcs.push((u, Some(u + cols)));
            }
            if x == 0 || y == 0 {
                arcs.push((u, None));
            }
        }
        let home = project.units[5 * 12 + 6].centroid;
        let estimate = DistanceEstimate::new(project.settings.drive);
        let density = estimate.unit_densities(&project);
        let minutes_to = |u: usize| estimate.one_way_hours(home, project.units[u].centroid, density[u]) * 60.0;
        let mut all: Vec<f64> = (0..project.units.len()).map(minutes_to).collect();
        all.sort_by(f64::total_cmp);
        // Limits between the 20th and 60th nearest ZIPs: both zones lie inside the grid.
        let limits = [all[20] + 1e-6, all[60] + 1e-6];
        let edges = zone_edges(&project, None, &[home], &limits, &arcs);
        for (i, limit) in limits.iter().enumerate() {
            let inside = |u: u32| minutes_to(u as usize) <= *limit;
            let expected: Vec<u32> = arcs.iter().enumerate().filter(|(_, (l, r))| r.is_some_and(|r| inside(*l) != inside(r))).map(|(a, _)| a as u32).collect();
            let mut drawn: Vec<u32> = edges.iter().filter(|e| e.limit as usize == i).map(|e| e.arc).collect();
            drawn.sort_unstable();
            assert_eq!(drawn, expected, "limit {i}");
            assert!(!drawn.is_empty());
        }
        assert!(edges.iter().all(|e| e.home == 0));
    }
}
