//! egui without a window: frames run on a context of our own, and the last one is
//! rasterized on the CPU (see `raster`). Used for images the app writes to files.

use super::raster::{self, Textures};
use egui::epaint::ClippedPrimitive;
use egui::{ColorImage, Context, RawInput, Rect, Ui};

/// A window-less egui context of a fixed size in pixels.
pub struct Offscreen {
    ctx: Context,
    size_px: [u32; 2],
    pixels_per_point: f32,
    frame: u64,
    textures: Textures,
    last: Option<Vec<ClippedPrimitive>>,
}

/// The last frame, ready to rasterize (on any thread).
pub struct Frame {
    primitives: Vec<ClippedPrimitive>,
    textures: Textures,
    size_px: [u32; 2],
    pixels_per_point: f32,
}

impl Frame {
    pub fn rasterize(&self) -> ColorImage {
        raster::rasterize(&self.primitives, &self.textures, [self.size_px[0] as usize, self.size_px[1] as usize], self.pixels_per_point)
    }
}

impl Offscreen {
    /// `pixels_per_point`: 2 draws everything twice as large in pixels (for slides).
    pub fn new(size_px: [u32; 2], pixels_per_point: f32) -> Self {
        let ctx = Context::default();
        ctx.set_theme(egui::Theme::Light);
        Self { ctx, size_px, pixels_per_point: pixels_per_point.max(0.25), frame: 0, textures: Textures::default(), last: None }
    }

    /// The drawing area in points.
    pub fn size_points(&self) -> egui::Vec2 {
        egui::vec2(self.size_px[0] as f32, self.size_px[1] as f32) / self.pixels_per_point
    }

    /// Runs one frame of `draw`.
    pub fn run(&mut self, draw: impl FnMut(&mut Ui)) {
        let mut input = RawInput {
            screen_rect: Some(Rect::from_min_size(egui::Pos2::ZERO, self.size_points())),
            // Time moves as in a 60 Hz window, so animations and throttles settle.
            time: Some(self.frame as f64 / 60.0),
            predicted_dt: 1.0 / 60.0,
            ..Default::default()
        };
        if let Some(viewport) = input.viewports.get_mut(&input.viewport_id) {
            viewport.native_pixels_per_point = Some(self.pixels_per_point);
        }
        self.frame += 1;
        let mut output = self.ctx.run_ui(input, draw);
        self.textures.apply(&output.textures_delta);
        output.textures_delta.clear();
        self.last = Some(self.ctx.tessellate(output.shapes, output.pixels_per_point));
    }

    /// The last frame, to rasterize.
    pub fn finish(mut self) -> Option<Frame> {
        let primitives = self.last.take()?;
        Some(Frame { primitives, textures: self.textures, size_px: self.size_px, pixels_per_point: self.pixels_per_point })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_at_the_asked_size_and_scale() {
        let mut screen = Offscreen::new([200, 80], 2.0);
        assert_eq!(screen.size_points(), egui::vec2(100.0, 40.0));
        for _ in 0..2 {
            screen.run(|ui| {
                ui.painter().text(egui::pos2(4.0, 4.0), egui::Align2::LEFT_TOP, "Territory", egui::FontId::proportional(14.0), egui::Color32::BLACK);
            });
        }
        let image = screen.finish().expect("a frame").rasterize();
        assert_eq!(image.size, [200, 80]);
        let dark = |x0: usize, x1: usize| image.pixels.chunks(200).flat_map(|row| &row[x0..x1]).filter(|p| p.r() < 100).count();
        assert!(dark(0, 100) > 50, "the word's glyphs are drawn, at 2x");
        assert_eq!(dark(150, 200), 0, "nothing beyond the word");
    }
}
