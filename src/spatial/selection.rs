//! Selection by lasso, box and brush over points (unit centroids, account locations).
//! A lasso or box query first asks the R-tree for points in the shape's bounding box,
//! then tests each exactly. Points exactly on a lasso edge count as outside (geo's
//! `Contains` semantics).

use crate::drivetime::great_circle_km;
use crate::model::entities::LonLat;
use geo::{Contains, LineString, Point, Polygon};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

type Entry = GeomWithData<[f64; 2], u32>;

/// An R-tree of lon/lat points, each with the index it stands for.
pub struct PointIndex {
    tree: RTree<Entry>,
}

impl PointIndex {
    pub fn new(points: impl IntoIterator<Item = LonLat>) -> Self {
        let entries = points.into_iter().enumerate().map(|(i, p)| GeomWithData::new([p.lon, p.lat], i as u32)).collect();
        Self { tree: RTree::bulk_load(entries) }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Indices of points inside a freehand polygon (closed automatically), sorted.
    pub fn in_lasso(&self, ring: &[LonLat]) -> Vec<u32> {
        if ring.len() < 3 {
            return Vec::new();
        }
        let polygon = Polygon::new(LineString::from(ring.iter().map(|p| (p.lon, p.lat)).collect::<Vec<_>>()), vec![]);
        let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in ring {
            min = [min[0].min(p.lon), min[1].min(p.lat)];
            max = [max[0].max(p.lon), max[1].max(p.lat)];
        }
        let mut out: Vec<u32> = self
            .tree
            .locate_in_envelope(&AABB::from_corners(min, max))
            .filter(|e| polygon.contains(&Point::new(e.geom()[0], e.geom()[1])))
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// Indices of points inside a lon/lat box, sorted.
    pub fn in_box(&self, a: LonLat, b: LonLat) -> Vec<u32> {
        let env = AABB::from_corners([a.lon.min(b.lon), a.lat.min(b.lat)], [a.lon.max(b.lon), a.lat.max(b.lat)]);
        let mut out: Vec<u32> = self.tree.locate_in_envelope(&env).map(|e| e.data).collect();
        out.sort_unstable();
        out
    }

    /// Indices of points within `radius_km` of `centre` (great-circle), sorted.
    pub fn within_km(&self, centre: LonLat, radius_km: f64) -> Vec<u32> {
        let dlat = radius_km / 111.0;
        let dlon = radius_km / (111.0 * centre.lat.to_radians().cos().max(0.01));
        let env = AABB::from_corners([centre.lon - dlon, centre.lat - dlat], [centre.lon + dlon, centre.lat + dlat]);
        let mut out: Vec<u32> = self
            .tree
            .locate_in_envelope(&env)
            .filter(|e| great_circle_km(centre, LonLat::new(e.geom()[0], e.geom()[1])) <= radius_km)
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// The nearest point within `max_km`, if any.
    pub fn nearest_within_km(&self, at: LonLat, max_km: f64) -> Option<u32> {
        let found = self.tree.nearest_neighbor(&[at.lon, at.lat])?;
        let p = found.geom();
        (great_circle_km(at, LonLat::new(p[0], p[1])) <= max_km).then_some(found.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> PointIndex {
        PointIndex::new((0..10).flat_map(|x| (0..10).map(move |y| LonLat::new(x as f64 * 0.1, y as f64 * 0.1))))
    }

    #[test]
    fn lasso_box_and_radius() {
        let index = grid();
        // A triangle covering the lower-left corner: points with x + y < 0.25 (in 0.1 steps).
        let lasso = [LonLat::new(-0.05, -0.05), LonLat::new(0.26, -0.05), LonLat::new(-0.05, 0.26)];
        let inside = index.in_lasso(&lasso);
        // (0,0), (0,1), (1,0), (0,2), (1,1), (2,0) -> indices x*10+y
        assert_eq!(inside, vec![0, 1, 2, 10, 11, 20]);
        assert_eq!(index.in_box(LonLat::new(0.05, 0.05), LonLat::new(0.25, 0.15)).len(), 2);
        // 0.1 degree of latitude is 11.1 km; within 12 km of (0.5, 0.5): itself + 4 rook neighbours.
        assert_eq!(index.within_km(LonLat::new(0.5, 0.5), 12.0).len(), 5);
        assert_eq!(index.nearest_within_km(LonLat::new(0.51, 0.49), 5.0), Some(55));
        assert_eq!(index.nearest_within_km(LonLat::new(5.0, 5.0), 5.0), None);
        assert!(index.in_lasso(&lasso[..2]).is_empty());
    }
}
