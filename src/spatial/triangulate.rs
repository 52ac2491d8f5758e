//! Triangulation of polygons into index meshes, once, in mercator units.

use super::mercator::{to_mercator, MercBox};
use geo::{MultiPolygon, Polygon, TriangulateEarcut};

/// Triangles of one or more polygons in mercator units.
#[derive(Clone, Debug, Default)]
pub struct MercMesh {
    pub vertices: Vec<[f64; 2]>,
    pub indices: Vec<u32>,
    pub bounds: Option<MercBox>,
}

impl MercMesh {
    pub fn add_polygon(&mut self, polygon: &Polygon<f64>) {
        let projected = Polygon::new(
            polygon.exterior().0.iter().map(|c| { let m = to_mercator(c.x, c.y); geo::Coord { x: m[0], y: m[1] } }).collect(),
            polygon
                .interiors()
                .iter()
                .map(|ring| ring.0.iter().map(|c| { let m = to_mercator(c.x, c.y); geo::Coord { x: m[0], y: m[1] } }).collect())
                .collect(),
        );
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

    pub fn add_multipolygon(&mut self, mp: &MultiPolygon<f64>) {
        for p in &mp.0 {
            self.add_polygon(p);
        }
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
