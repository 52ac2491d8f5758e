//! Where units nearly touch. ZIP areas do not cover all land: national forests, lakes,
//! desert no one lives in leave gaps, and islands lie across straits and bridges. Units
//! on either side of such a gap within `ISLAND_KM` are linked, so a territory may cross
//! it as a rep's car or ferry does; farther apart they are separate regions, which no
//! territory spans (unless the planner allows pieces).

use crate::model::entities::Unit;
use geo::{BoundingRect, Distance, Euclidean, MapCoords, Simplify};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// Farthest apart two units may be, edge to edge, and still be linked across a gap.
pub const ISLAND_KM: f64 = 15.0;

/// Kilometres per degree of latitude (and of longitude at the equator).
const KM_PER_DEGREE: f64 = 111.2;

/// A link between units that do not share a border: the units and their distance, km.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub km: f64,
}

/// Connected pieces of a graph, as a component id per node and the count.
pub fn component_ids(adjacency: &[Vec<u32>]) -> (Vec<u32>, usize) {
    let n = adjacency.len();
    let mut id = vec![u32::MAX; n];
    let mut count = 0u32;
    let mut stack = Vec::new();
    for start in 0..n {
        if id[start] != u32::MAX {
            continue;
        }
        id[start] = count;
        stack.push(start as u32);
        while let Some(u) = stack.pop() {
            for &v in &adjacency[u as usize] {
                if id[v as usize] == u32::MAX {
                    id[v as usize] = count;
                    stack.push(v);
                }
            }
        }
        count += 1;
    }
    (id, count as usize)
}

/// Units of different components of `adjacency` (the shared borders) within
/// `ISLAND_KM` of each other. `units[i]` is node `i` of the graph.
pub fn gap_links(units: &[&Unit], adjacency: &[Vec<u32>]) -> Vec<Link> {
    let (component, count) = component_ids(adjacency);
    if count <= 1 {
        return Vec::new();
    }
    let boxes: Vec<Option<geo::Rect<f64>>> = units.iter().map(|u| u.geometry.bounding_rect()).collect();
    let margin = |lat: f64| (ISLAND_KM / KM_PER_DEGREE, ISLAND_KM / (KM_PER_DEGREE * lat.to_radians().cos().max(0.05)));
    let entries: Vec<GeomWithData<Rectangle<[f64; 2]>, u32>> = boxes
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.map(|b| GeomWithData::new(Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]), i as u32)))
        .collect();
    let tree = RTree::bulk_load(entries);
    // Outlines in km around each unit's own latitude, simplified to a tenth of a km:
    // distances come out within that of the true ones, at a small part of the cost.
    let outline = |i: usize, lat0: f64| {
        let scale = KM_PER_DEGREE * lat0.to_radians().cos().max(0.05);
        units[i].geometry.map_coords(|c| geo::Coord { x: c.x * scale, y: c.y * KM_PER_DEGREE }).simplify(0.1)
    };
    let mut links = Vec::new();
    for (i, b) in boxes.iter().enumerate() {
        let Some(b) = b else { continue };
        let lat = (b.min().y + b.max().y) / 2.0;
        let (dy, dx) = margin(lat);
        let envelope = AABB::from_corners([b.min().x - dx, b.min().y - dy], [b.max().x + dx, b.max().y + dy]);
        let mut mine = None;
        for other in tree.locate_in_envelope_intersecting(&envelope) {
            let j = other.data as usize;
            if j <= i || component[j] == component[i] {
                continue;
            }
            let a = mine.get_or_insert_with(|| outline(i, lat));
            let km = Euclidean.distance(&*a, &outline(j, lat));
            if km <= ISLAND_KM {
                links.push(Link { a: i as u32, b: j as u32, km });
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::square_unit;

    #[test]
    fn units_across_a_narrow_gap_are_linked_and_far_ones_are_not() {
        // Two touching squares, one 5 km east of them (0.045 degrees at the equator),
        // one 200 km away.
        let units = [square_unit(0, 0.0, 0.0, 0.1), square_unit(1, 0.1, 0.0, 0.1), square_unit(2, 0.245, 0.0, 0.1), square_unit(3, 2.0, 0.0, 0.1)];
        let refs: Vec<&Unit> = units.iter().collect();
        let adjacency = vec![vec![1], vec![0], vec![], vec![]];
        let links = gap_links(&refs, &adjacency);
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!((links[0].a, links[0].b), (1, 2));
        assert!((links[0].km - 5.0).abs() < 0.3, "{}", links[0].km);
        assert_eq!(component_ids(&adjacency).1, 3);
    }
}
