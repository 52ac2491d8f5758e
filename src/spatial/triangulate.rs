//! Triangulation of polygons into index meshes, once, in mercator units.

use super::mercator::{to_mercator, MercBox};
use geo::{MultiPolygon, Polygon, TriangulateEarcut};

/// A lon/lat polygon in mercator units.
pub fn mercator_polygon(polygon: &Polygon<f64>) -> Polygon<f64> {
    let ring = |r: &geo::LineString<f64>| {
        r.0.iter()
            .map(|c| {
                let m = to_mercator(c.x, c.y);
                geo::Coord { x: m[0], y: m[1] }
            })
            .collect()
    };
    Polygon::new(ring(polygon.exterior()), polygon.interiors().iter().map(ring).collect())
}

/// Triangles of one or more polygons in mercator units.
#[derive(Clone, Debug, Default)]
pub struct MercMesh {
    pub vertices: Vec<[f64; 2]>,
    pub indices: Vec<u32>,
    pub bounds: Option<MercBox>,
}

impl MercMesh {
    pub fn add_polygon(&mut self, polygon: &Polygon<f64>) {
        if polygon.exterior().0.len() < 4 {
            return;
        }
        let projected = mercator_polygon(polygon);
        let raw = projected.earcut_triangles_raw();
        let base = self.vertices.len() as u32;
        let mut bounds = self.bounds.unwrap_or(MercBox::EMPTY);
        for xy in &raw.vertices {
            let p = *xy;
            bounds.extend(p);
            self.vertices.push(p);
        }
        if !self.vertices.is_empty() {
            self.bounds = Some(bounds);
        }
        self.indices.extend(raw.triangle_indices.iter().map(|i| base + *i as u32));
    }

    /// Appends the triangles of a polygon already in mercator units.
    pub fn append_mercator_polygon(&mut self, polygon: &Polygon<f64>) {
        if polygon.exterior().0.len() < 4 {
            return;
        }
        let raw = polygon.earcut_triangles_raw();
        let base = self.vertices.len() as u32;
        let mut bounds = self.bounds.unwrap_or(MercBox::EMPTY);
        for xy in &raw.vertices {
            bounds.extend(*xy);
            self.vertices.push(*xy);
        }
        if !self.vertices.is_empty() {
            self.bounds = Some(bounds);
        }
        self.indices.extend(raw.triangle_indices.iter().map(|i| base + *i as u32));
    }

    pub fn add_multipolygon(&mut self, mp: &MultiPolygon<f64>) {
        for p in &mp.0 {
            self.add_polygon(p);
        }
    }

    /// Triangles of a polygon already in mercator units (none for a ring of fewer than
    /// three distinct points, as simplification can leave one).
    pub fn from_mercator_polygon(polygon: &Polygon<f64>) -> Self {
        if polygon.exterior().0.len() < 4 {
            return Self::default();
        }
        let raw = polygon.earcut_triangles_raw();
        let mut bounds = MercBox::EMPTY;
        for p in &raw.vertices {
            bounds.extend(*p);
        }
        let bounds = (!raw.vertices.is_empty()).then_some(bounds);
        Self { vertices: raw.vertices, indices: raw.triangle_indices.into_iter().map(|i| i as u32).collect(), bounds }
    }

    pub fn from_multipolygon(mp: &MultiPolygon<f64>) -> Self {
        let mut mesh = Self::default();
        mesh.add_multipolygon(mp);
        mesh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn square_with_hole_triangulates() {
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        );
        let mesh = MercMesh::from_multipolygon(&MultiPolygon(vec![p]));
        assert_eq!(mesh.indices.len() % 3, 0);
        assert!(mesh.indices.len() / 3 >= 8, "{} triangles", mesh.indices.len() / 3);
        assert!(mesh.bounds.is_some());
    }
}

#[cfg(test)]
mod basemap_tests {
    use super::*;
    use geo::Area;

    /// Earcut gives up silently on rings it cannot handle; the triangles of every land
    /// polygon of the basemap (one has 46,000 vertices and a hole) must cover its area.
    #[test]
    fn every_basemap_land_polygon_triangulates_to_its_area() {
        let basemap = crate::io::basemap::Basemap::embedded().unwrap();
        for p in basemap.land.iter().flat_map(|mp| &mp.0) {
            let mesh = MercMesh::from_multipolygon(&MultiPolygon(vec![p.clone()]));
            let triangles: f64 = mesh
                .indices
                .chunks(3)
                .map(|t| {
                    let (a, b, c) = (mesh.vertices[t[0] as usize], mesh.vertices[t[1] as usize], mesh.vertices[t[2] as usize]);
                    ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs() / 2.0
                })
                .sum();
            let area = mercator_polygon(p).unsigned_area();
            assert!((triangles - area).abs() <= area * 1e-3, "{} vertices: triangles {triangles} vs polygon {area}", p.exterior().0.len());
        }
    }
}
