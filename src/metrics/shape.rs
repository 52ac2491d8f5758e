//! How compact each territory is: the Polsby-Popper score of its dissolved shape (4 pi
//! area / perimeter squared: 1 for a disc, low for a snake or a ring). The perimeter is
//! the length of its units' borders with other territories, unassigned ZIPs and the
//! outside, from the units' border lengths. O(units x neighbours): about a millisecond
//! on a national project, so it is simply recomputed when the plan changes.

use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::spatial::borders::{polsby_popper, UnitBorders, OUTSIDE};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shape {
    pub area_km2: f64,
    pub perimeter_km: f64,
    /// Polsby-Popper, 0..1.
    pub compactness: f64,
}

/// The shape of every territory of `scenario`.
pub fn territory_shapes(project: &Project, scenario: &Scenario, borders: &UnitBorders) -> HashMap<TerritoryId, Shape> {
    let mut out: HashMap<TerritoryId, Shape> = scenario.territories.iter().map(|t| (t.id, Shape::default())).collect();
    for (u, owner) in scenario.unit_territory.iter().enumerate() {
        let Some(t) = owner else { continue };
        let Some(shape) = out.get_mut(t) else { continue };
        shape.area_km2 += project.units[u].area_km2;
        for &(other, km) in borders.get(u).map(Vec::as_slice).unwrap_or(&[]) {
            let same = other != OUTSIDE && scenario.unit_territory.get(other as usize).copied().flatten() == Some(*t);
            if !same {
                shape.perimeter_km += km;
            }
        }
    }
    for shape in out.values_mut() {
        shape.compactness = polsby_popper(shape.area_km2, shape.perimeter_km);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entities::LonLat;

    #[test]
    fn a_square_block_is_more_compact_than_a_strip_of_the_same_cells() {
        // 9 x 6 cells of 0.1 degrees at 40 N; a 3 x 3 block and a 1 x 9 strip.
        let mut project = crate::fixtures::grid_project(9, 6, 0.1, 0, 2, 1);
        let scenario = &mut project.scenarios[0];
        let (block, strip) = (scenario.territories[0].id, scenario.territories[1].id);
        for t in scenario.unit_territory.iter_mut() {
            *t = None;
        }
        for r in 0..3 {
            for c in 0..3 {
                scenario.unit_territory[r * 9 + c] = Some(block);
            }
        }
        for c in 0..9 {
            scenario.unit_territory[5 * 9 + c] = Some(strip);
        }
        let borders = crate::spatial::borders::unit_borders(&project.units);
        let shapes = territory_shapes(&project, &project.scenarios[0], &borders);
        let (b, s) = (shapes[&block], shapes[&strip]);
        // A cell is about 8.5 km wide (east-west, at its latitude) and 11.1 km high.
        let width = |lat: f64| crate::drivetime::great_circle_km(LonLat::new(-78.0, lat), LonLat::new(-77.9, lat));
        let (w, h) = (width(40.15), 11.12);
        assert!((b.perimeter_km - 6.0 * (w + h)).abs() < 1.0, "{b:?}");
        assert!((s.perimeter_km - 2.0 * (9.0 * width(40.55) + h)).abs() < 1.0, "{s:?}");
        assert!((b.area_km2 - 9.0 * w * h).abs() < 9.0 * w * h * 0.02, "{b:?}");
        assert!(b.compactness > 0.7 && s.compactness < b.compactness / 2.0, "{b:?} {s:?}");
    }
}
