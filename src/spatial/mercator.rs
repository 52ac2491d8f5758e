//! Normalized Web Mercator: x and y in 0..1 over the world, y growing southwards (the
//! convention of slippy maps). Geometry is projected once; the map only scales and
//! translates it per frame.

use crate::model::entities::LonLat;
use std::f64::consts::PI;

/// The latitude limit of Web Mercator.
pub const MAX_LAT: f64 = 85.051_128_78;

pub fn to_mercator(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT);
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - lat.to_radians().tan().asinh() / PI) / 2.0;
    [x, y]
}

pub fn from_mercator(p: [f64; 2]) -> LonLat {
    let lon = p[0] * 360.0 - 180.0;
    let lat = ((1.0 - 2.0 * p[1]) * PI).sinh().atan().to_degrees();
    LonLat::new(lon, lat)
}

/// An axis-aligned box in mercator units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MercBox {
    pub min: [f64; 2],
    pub max: [f64; 2],
}

impl MercBox {
    pub const EMPTY: MercBox = MercBox { min: [f64::INFINITY; 2], max: [f64::NEG_INFINITY; 2] };

    pub fn extend(&mut self, p: [f64; 2]) {
        self.min = [self.min[0].min(p[0]), self.min[1].min(p[1])];
        self.max = [self.max[0].max(p[0]), self.max[1].max(p[1])];
    }

    pub fn union(&self, other: &MercBox) -> MercBox {
        if other.is_empty() {
            return *self;
        }
        let mut b = *self;
        b.extend(other.min);
        b.extend(other.max);
        b
    }

    pub fn intersects(&self, other: &MercBox) -> bool {
        self.min[0] <= other.max[0] && other.min[0] <= self.max[0] && self.min[1] <= other.max[1] && other.min[1] <= self.max[1]
    }

    pub fn contains(&self, p: [f64; 2]) -> bool {
        p[0] >= self.min[0] && p[0] <= self.max[0] && p[1] >= self.min[1] && p[1] <= self.max[1]
    }

    pub fn is_empty(&self) -> bool {
        self.min[0] > self.max[0]
    }

    pub fn center(&self) -> [f64; 2] {
        [(self.min[0] + self.max[0]) / 2.0, (self.min[1] + self.max[1]) / 2.0]
    }

    pub fn size(&self) -> [f64; 2] {
        [self.max[0] - self.min[0], self.max[1] - self.min[1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_known_points() {
        assert_eq!(to_mercator(0.0, 0.0), [0.5, 0.5]);
        let p = to_mercator(-75.1652, 39.9526);
        let back = from_mercator(p);
        assert!((back.lon + 75.1652).abs() < 1e-9 && (back.lat - 39.9526).abs() < 1e-9);
        assert!(to_mercator(0.0, 60.0)[1] < to_mercator(0.0, 30.0)[1], "north is up (smaller y)");
    }
}
