//! Shared borders between units: every ring segment, with the units on both sides. It
//! gives rook adjacency (units that share a border) and lets the map draw territory
//! borders (segments whose two sides lie in different territories) thicker.

use crate::model::entities::Unit;
use rustc_hash::FxHashMap;

/// A border segment with the unit on one side and, if shared, the unit on the other.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BorderSegment {
    pub a: [f64; 2],
    pub b: [f64; 2],
    pub left: u32,
    pub right: Option<u32>,
}

pub struct Topology {
    pub segments: Vec<BorderSegment>,
    /// Rook neighbours of each unit, sorted.
    pub neighbours: Vec<Vec<u32>>,
}

/// A vertex quantized to 1e-7 degrees (about 1 cm), so equal vertices match exactly.
type GridPoint = (i64, i64);

fn key(p: [f64; 2]) -> GridPoint {
    ((p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64)
}

impl Topology {
    pub fn build(units: &[Unit]) -> Self {
        // Most segments are shared by two units: about half the ring vertices.
        let vertices: usize = units.iter().map(|u| u.geometry.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum::<usize>()).sum();
        // Fx: the keys are integers from our own data, not from an adversary.
        let mut by_edge: FxHashMap<(GridPoint, GridPoint), usize> = FxHashMap::with_capacity_and_hasher(vertices / 2 + 16, Default::default());
        let mut segments: Vec<BorderSegment> = Vec::with_capacity(vertices / 2 + 16);
        for unit in units {
            let owner = unit.id.0;
            for polygon in &unit.geometry.0 {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    for line in ring.lines() {
                        let (a, b) = ([line.start.x, line.start.y], [line.end.x, line.end.y]);
                        let (ka, kb) = (key(a), key(b));
                        if ka == kb {
                            continue;
                        }
                        let edge = if ka < kb { (ka, kb) } else { (kb, ka) };
                        match by_edge.get(&edge) {
                            Some(&i) if segments[i].right.is_none() && segments[i].left != owner => {
                                segments[i].right = Some(owner);
                            }
                            Some(_) => {}
                            None => {
                                by_edge.insert(edge, segments.len());
                                segments.push(BorderSegment { a, b, left: owner, right: None });
                            }
                        }
                    }
                }
            }
        }
        let mut neighbours = vec![Vec::new(); units.len()];
        for s in &segments {
            if let Some(r) = s.right {
                neighbours[s.left as usize].push(r);
                neighbours[r as usize].push(s.left);
            }
        }
        for list in &mut neighbours {
            list.sort_unstable();
            list.dedup();
        }
        Self { segments, neighbours }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn grid_cells_have_rook_neighbours() {
        let project = grid_project(3, 3, 0.1, 0, 1, 1);
        let topology = Topology::build(&project.units);
        // The centre cell (index 4) touches 1, 3, 5, 7; a corner (0) touches 1 and 3.
        assert_eq!(topology.neighbours[4], vec![1, 3, 5, 7]);
        assert_eq!(topology.neighbours[0], vec![1, 3]);
        // 12 inner edges are shared; 12 outer edges are not.
        assert_eq!(topology.segments.iter().filter(|s| s.right.is_some()).count(), 12);
        assert_eq!(topology.segments.iter().filter(|s| s.right.is_none()).count(), 12);
    }
}
