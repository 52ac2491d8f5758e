//! How long each unit's border with each neighbour is (and with the outside: coast,
//! edge of the data), in km, from the arc topology. Gives a territory's perimeter, and
//! so its compactness, as the sum over its units' borders with other territories.

use super::arcs::ArcTopology;
use super::mercator::from_mercator;
use crate::drivetime::great_circle_km;
use crate::model::entities::Unit;

/// Simplification before measuring, in mercator units (the world is 1 wide): about
/// 500 m at the equator, less towards the poles.
const MEASURE_TOLERANCE: f64 = 0.5 / 40_075.0;

/// The other side of a border: a unit, or `OUTSIDE`.
pub const OUTSIDE: u32 = u32::MAX;

/// Each unit's borders: (the unit on the other side or `OUTSIDE`, length in km), one
/// entry per neighbour.
pub type UnitBorders = Vec<Vec<(u32, f64)>>;

pub fn unit_borders(units: &[Unit]) -> UnitBorders {
    from_topology(&ArcTopology::build(units), units.len())
}

/// The borders of `unit_count` units from their arcs (the map builds the arcs anyway).
pub fn from_topology(topology: &ArcTopology, unit_count: usize) -> UnitBorders {
    use rayon::prelude::*;
    // Measured along the arcs simplified to about half a km: a coast or a river drawn
    // to the metre would make every perimeter, and so every compactness, depend on the
    // detail of the source more than on the shape.
    let lengths: Vec<f64> = topology
        .arcs
        .par_iter()
        .map(|arc| super::simplify::simplify_arc(&arc.points, MEASURE_TOLERANCE).windows(2).map(|w| great_circle_km(from_mercator(w[0]), from_mercator(w[1]))).sum())
        .collect();
    let mut out: UnitBorders = vec![Vec::new(); unit_count];
    let mut add = |unit: u32, other: u32, km: f64| {
        let list = &mut out[unit as usize];
        match list.iter_mut().find(|(o, _)| *o == other) {
            Some(entry) => entry.1 += km,
            None => list.push((other, km)),
        }
    };
    for (arc, &km) in topology.arcs.iter().zip(&lengths) {
        match arc.right {
            Some(right) => {
                add(arc.left, right, km);
                add(right, arc.left, km);
            }
            None => add(arc.left, OUTSIDE, km),
        }
    }
    out
}

/// Polsby-Popper compactness of a shape: 4 pi area / perimeter squared; 1 for a circle,
/// near 0 for a long thin one. 0 when there is no perimeter.
pub fn polsby_popper(area_km2: f64, perimeter_km: f64) -> f64 {
    if perimeter_km > 0.0 {
        (4.0 * std::f64::consts::PI * area_km2 / (perimeter_km * perimeter_km)).min(1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::square_unit;

    #[test]
    fn two_squares_share_one_side_and_have_three_outside() {
        // 0.1 degree squares at the equator: sides of about 11.1 km.
        let borders = unit_borders(&[square_unit(0, 0.0, 0.0, 0.1), square_unit(1, 0.1, 0.0, 0.1)]);
        let side = 11.12;
        let shared = borders[0].iter().find(|b| b.0 == 1).unwrap().1;
        let outside = borders[0].iter().find(|b| b.0 == OUTSIDE).unwrap().1;
        assert!((shared - side).abs() < 0.05, "{shared}");
        assert!((outside - 3.0 * side).abs() < 0.15, "{outside}");
        assert_eq!(borders[1].iter().find(|b| b.0 == 0).map(|b| (b.1 - shared).abs() < 1e-9), Some(true));
    }

    #[test]
    fn a_circle_is_compact_and_a_strip_is_not() {
        let r: f64 = 10.0;
        assert!((polsby_popper(std::f64::consts::PI * r * r, 2.0 * std::f64::consts::PI * r) - 1.0).abs() < 1e-9);
        let square = polsby_popper(100.0, 40.0);
        assert!((square - std::f64::consts::PI / 4.0).abs() < 1e-9);
        assert!(polsby_popper(10.0, 202.0) < 0.01, "a 100 x 0.1 strip");
        assert_eq!(polsby_popper(1.0, 0.0), 0.0);
    }
}
