//! A software rasterizer for egui's triangles, so the map can be exported as an image
//! without a window or a GPU (`export --map-image`, the PDF report, File > Export map
//! image…).
//!
//! egui's tessellator already feathers every edge, so plain point sampling at pixel
//! centres gives the same anti-aliased result as the GPU back-ends. Blending follows
//! egui_glow: premultiplied alpha in gamma space.

use egui::epaint::{ClippedPrimitive, ImageDelta, Primitive, TextureId, Vertex};
use egui::{Color32, ColorImage, ImageData, Rect, TexturesDelta};
use rayon::prelude::*;
use std::collections::HashMap;

/// Rows rasterized together on one thread.
const BAND_ROWS: usize = 32;

/// The textures egui asked for (the font atlas, and any image the map uploads).
#[derive(Default, Clone)]
pub struct Textures {
    images: HashMap<TextureId, ColorImage>,
}

impl Textures {
    /// Applies a frame's texture changes, as a GPU back-end would.
    pub fn apply(&mut self, delta: &TexturesDelta) {
        for (id, changes) in &delta.set {
            for change in changes {
                self.set(*id, change);
            }
        }
        for id in &delta.free {
            self.images.remove(id);
        }
    }

    fn set(&mut self, id: TextureId, change: &ImageDelta) {
        let ImageData::Color(source) = &change.image;
        match change.pos {
            None => {
                self.images.insert(id, (**source).clone());
            }
            Some([x0, y0]) => {
                let Some(target) = self.images.get_mut(&id) else { return };
                let [w, h] = source.size;
                for y in 0..h {
                    for x in 0..w {
                        if let Some(px) = target.pixels.get_mut((y0 + y) * target.size[0] + x0 + x) {
                            *px = source.pixels[y * w + x];
                        }
                    }
                }
            }
        }
    }

    fn get(&self, id: TextureId) -> Option<&ColorImage> {
        self.images.get(&id)
    }
}

/// Draws tessellated primitives onto a white canvas of `size` pixels.
/// `pixels_per_point`: the scale the primitives were tessellated at.
pub fn rasterize(primitives: &[ClippedPrimitive], textures: &Textures, size: [usize; 2], pixels_per_point: f32) -> ColorImage {
    let [w, h] = size;
    let mut pixels = vec![Color32::WHITE; w * h];
    let triangles = collect_triangles(primitives, pixels_per_point, size);
    pixels.par_chunks_mut(w * BAND_ROWS).enumerate().for_each(|(band, rows)| {
        let y0 = band * BAND_ROWS;
        let y1 = (y0 + BAND_ROWS).min(h);
        for t in &triangles {
            if t.bounds.max.y < y0 as f32 || t.bounds.min.y >= y1 as f32 {
                continue;
            }
            draw_triangle(t, textures, rows, w, y0, y1);
        }
    });
    ColorImage::new(size, pixels)
}

/// One triangle in pixels, with what it is clipped to.
struct Triangle {
    v: [Vertex; 3],
    texture: TextureId,
    /// The pixel box it may touch: its bounds within the clip rectangle and the image.
    bounds: Rect,
}

fn collect_triangles(primitives: &[ClippedPrimitive], ppp: f32, [w, h]: [usize; 2]) -> Vec<Triangle> {
    let image = Rect::from_min_max(egui::Pos2::ZERO, egui::pos2(w as f32, h as f32));
    let mut out = Vec::new();
    for p in primitives {
        // Callbacks (custom GPU painting) have no CPU equivalent; the map uses none.
        let Primitive::Mesh(mesh) = &p.primitive else { continue };
        let clip = Rect::from_min_max((p.clip_rect.min.to_vec2() * ppp).to_pos2(), (p.clip_rect.max.to_vec2() * ppp).to_pos2()).intersect(image);
        if !clip.is_positive() {
            continue;
        }
        for tri in mesh.indices.chunks_exact(3) {
            let Some(v) = [tri[0], tri[1], tri[2]].map(|i| mesh.vertices.get(i as usize).copied()).into_iter().collect::<Option<Vec<_>>>() else { continue };
            let v = [v[0], v[1], v[2]].map(|mut v| {
                v.pos = (v.pos.to_vec2() * ppp).to_pos2();
                v
            });
            if v.iter().all(|v| v.color == Color32::TRANSPARENT) {
                continue;
            }
            let bounds = Rect::from_points(&[v[0].pos, v[1].pos, v[2].pos]).intersect(clip);
            if bounds.is_positive() {
                out.push(Triangle { v, texture: mesh.texture_id, bounds });
            }
        }
    }
    out
}

/// Twice the signed area of (a, b, p).
fn edge(a: egui::Pos2, b: egui::Pos2, p: egui::Pos2) -> f32 {
    (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
}

/// Whether a pixel centre exactly on edge a->b belongs to this triangle (top-left rule,
/// so that the shared edge of two translucent triangles is not blended twice).
fn owns_edge(a: egui::Pos2, b: egui::Pos2, area_sign: f32) -> bool {
    let (dx, dy) = ((b.x - a.x) * area_sign, (b.y - a.y) * area_sign);
    dy < 0.0 || (dy == 0.0 && dx > 0.0)
}

fn draw_triangle(t: &Triangle, textures: &Textures, rows: &mut [Color32], w: usize, y0: usize, y1: usize) {
    let [a, b, c] = [t.v[0].pos, t.v[1].pos, t.v[2].pos];
    let area = edge(a, b, c);
    if area.abs() < 1e-6 {
        return;
    }
    let sign = area.signum();
    let owns = [owns_edge(b, c, sign), owns_edge(c, a, sign), owns_edge(a, b, sign)];
    let texture = textures.get(t.texture);
    // Plain shapes sample one texel (the atlas' white pixel) for the whole triangle.
    let same_uv = t.v[0].uv == t.v[1].uv && t.v[1].uv == t.v[2].uv;
    let flat_texel = same_uv.then(|| texture.map_or(Color32::WHITE, |img| sample(img, t.v[0].uv)));
    let same_color = t.v[0].color == t.v[1].color && t.v[1].color == t.v[2].color;
    let flat = match flat_texel {
        Some(texel) if same_color => Some(modulate(t.v[0].color, texel)),
        _ => None,
    };
    let xs = (t.bounds.min.x.floor().max(0.0) as usize, (t.bounds.max.x.ceil() as usize).min(w));
    let ys = ((t.bounds.min.y.floor().max(0.0) as usize).max(y0), (t.bounds.max.y.ceil() as usize).min(y1));
    for y in ys.0..ys.1 {
        let row = &mut rows[(y - y0) * w..(y - y0 + 1) * w];
        for (x, px) in row.iter_mut().enumerate().take(xs.1).skip(xs.0) {
            let p = egui::pos2(x as f32 + 0.5, y as f32 + 0.5);
            if !t.bounds.contains(p) {
                continue;
            }
            let wts = [edge(b, c, p) * sign, edge(c, a, p) * sign, edge(a, b, p) * sign];
            if wts.iter().zip(owns).any(|(w, own)| *w < 0.0 || (*w == 0.0 && !own)) {
                continue;
            }
            let src = match flat {
                Some(color) => color,
                None => {
                    let inv = 1.0 / (area * sign);
                    let l = wts.map(|w| w * inv);
                    let color = mix_colors(&t.v, l);
                    let texel = match (flat_texel, texture) {
                        (Some(texel), _) => texel,
                        (None, Some(img)) => sample(img, egui::pos2(
                            l[0] * t.v[0].uv.x + l[1] * t.v[1].uv.x + l[2] * t.v[2].uv.x,
                            l[0] * t.v[0].uv.y + l[1] * t.v[1].uv.y + l[2] * t.v[2].uv.y,
                        )),
                        (None, None) => Color32::WHITE,
                    };
                    modulate(color, texel)
                }
            };
            *px = blend(*px, src);
        }
    }
}

/// The vertex colours interpolated at barycentric weights `l`.
fn mix_colors(v: &[Vertex; 3], l: [f32; 3]) -> Color32 {
    let ch = |i: usize| (l[0] * v[0].color[i] as f32 + l[1] * v[1].color[i] as f32 + l[2] * v[2].color[i] as f32).round().clamp(0.0, 255.0) as u8;
    Color32::from_rgba_premultiplied(ch(0), ch(1), ch(2), ch(3))
}

/// Vertex colour times texel, both premultiplied.
fn modulate(a: Color32, b: Color32) -> Color32 {
    let m = |x: u8, y: u8| ((x as u16 * y as u16 + 127) / 255) as u8;
    Color32::from_rgba_premultiplied(m(a.r(), b.r()), m(a.g(), b.g()), m(a.b(), b.b()), m(a.a(), b.a()))
}

/// Source over destination, premultiplied.
fn blend(dst: Color32, src: Color32) -> Color32 {
    let keep = 255 - src.a() as u16;
    let c = |s: u8, d: u8| (s as u16 + (d as u16 * keep + 127) / 255).min(255) as u8;
    Color32::from_rgba_premultiplied(c(src.r(), dst.r()), c(src.g(), dst.g()), c(src.b(), dst.b()), c(src.a(), dst.a()))
}

/// Bilinear sample at normalised coordinates (egui's textures use linear filtering).
fn sample(img: &ColorImage, uv: egui::Pos2) -> Color32 {
    let [w, h] = img.size;
    if w == 0 || h == 0 {
        return Color32::WHITE;
    }
    let x = (uv.x * w as f32 - 0.5).clamp(0.0, (w - 1) as f32);
    let y = (uv.y * h as f32 - 0.5).clamp(0.0, (h - 1) as f32);
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |x: usize, y: usize| img.pixels[y * w + x];
    let (p00, p10, p01, p11) = (at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1));
    let ch = |i: usize| {
        let top = p00[i] as f32 * (1.0 - fx) + p10[i] as f32 * fx;
        let bottom = p01[i] as f32 * (1.0 - fx) + p11[i] as f32 * fx;
        (top * (1.0 - fy) + bottom * fy).round() as u8
    };
    Color32::from_rgba_premultiplied(ch(0), ch(1), ch(2), ch(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::epaint::Mesh;

    fn square(color: Color32, rect: Rect) -> ClippedPrimitive {
        let mut mesh = Mesh::default();
        mesh.add_colored_rect(rect, color);
        ClippedPrimitive { clip_rect: Rect::EVERYTHING, primitive: Primitive::Mesh(mesh) }
    }

    #[test]
    fn a_rectangle_fills_exactly_its_pixels() {
        let red = square(Color32::RED, Rect::from_min_max(egui::pos2(2.0, 3.0), egui::pos2(6.0, 5.0)));
        let img = rasterize(&[red], &Textures::default(), [8, 8], 1.0);
        let reds = img.pixels.iter().filter(|p| **p == Color32::RED).count();
        assert_eq!(reds, 4 * 2, "the shared diagonal is drawn once, nothing outside");
        assert_eq!(img.pixels[3 * 8 + 2], Color32::RED);
        assert_eq!(img.pixels[3 * 8 + 6], Color32::WHITE);
    }

    #[test]
    fn translucent_triangles_sharing_an_edge_blend_once() {
        let half = Color32::from_black_alpha(128);
        let img = rasterize(&[square(half, Rect::from_min_max(egui::Pos2::ZERO, egui::pos2(16.0, 16.0)))], &Textures::default(), [16, 16], 1.0);
        let first = img.pixels[0];
        assert!(img.pixels.iter().all(|p| *p == first), "no darker diagonal seam");
        assert!((first.r() as i32 - 127).abs() <= 1, "half black over white: {first:?}");
    }

    #[test]
    fn scale_and_clip_rect_apply() {
        let mut p = square(Color32::BLUE, Rect::from_min_max(egui::Pos2::ZERO, egui::pos2(4.0, 4.0)));
        p.clip_rect = Rect::from_min_max(egui::Pos2::ZERO, egui::pos2(2.0, 4.0));
        let img = rasterize(&[p], &Textures::default(), [8, 8], 2.0);
        let blue = img.pixels.iter().filter(|p| **p == Color32::BLUE).count();
        assert_eq!(blue, 4 * 8, "2x: 4 by 8 pixels left of the clip");
    }
}
