//! The `screenshot` subcommand's job: let the window settle, capture it, write a PNG and
//! close.

use super::app::TerritoryApp;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

/// Frames to draw before the capture, so that fitting and layout have settled.
const SETTLE_FRAMES: u32 = 6;
/// Frames after which a capture that never arrived is reported as failed.
const GIVE_UP_FRAMES: u32 = 600;

/// Writes a PNG of the window after the map has settled, then closes it.
pub struct ScreenshotJob {
    pub out: PathBuf,
    /// The size asked for, in pixels.
    pub size: [u32; 2],
    frames: u32,
    requested: bool,
    receiver: Option<mpsc::Receiver<Arc<egui::ColorImage>>>,
    /// The outcome, read by the caller once the window has closed.
    pub result: Arc<Mutex<Option<Result<(), ScreenshotError>>>>,
}

impl ScreenshotJob {
    pub fn new(out: PathBuf, size: [u32; 2]) -> Self {
        Self { out, size, frames: 0, requested: false, receiver: None, result: Arc::new(Mutex::new(None)) }
    }

    fn finish(&self, ctx: &egui::Context, outcome: Result<(), ScreenshotError>) {
        if let Ok(mut slot) = self.result.lock() {
            *slot = Some(outcome);
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

impl TerritoryApp {
    /// One frame of the screenshot job, if one runs.
    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
        let settled = self.view.is_settled() && self.roads_job.is_none() && self.home_search.is_none() && !self.view.route_pending() && self.new_from_files.as_mut().is_none_or(|d| d.read_given_files());
        let Some(job) = &mut self.screenshot else { return };
        job.frames += 1;
        ctx.request_repaint();
        if !settled {
            // Count frames from when everything is read and fitted, so the layout settles.
            job.frames = 0;
            return;
        }
        if !job.requested && job.frames >= SETTLE_FRAMES {
            let (tx, rx) = mpsc::channel();
            ctx.request_screenshot(move |image| {
                let _receiver_gone = tx.send(image);
            });
            job.receiver = Some(rx);
            job.requested = true;
        }
        let image = job.receiver.as_ref().and_then(|rx| rx.try_recv().ok());
        if let Some(image) = image {
            let got = [image.size[0] as u32, image.size[1] as u32];
            let outcome = if got == job.size {
                write_png(&job.out, &image)
            } else {
                Err(ScreenshotError::WrongSize { wanted: job.size, got })
            };
            job.finish(ctx, outcome);
        } else if job.frames > GIVE_UP_FRAMES {
            job.finish(ctx, Err(ScreenshotError::NeverDelivered));
        }
    }
}

/// Why a screenshot was not written.
#[derive(Debug, thiserror::Error)]
pub enum ScreenshotError {
    #[error("cannot write {}: {source}", path.display())]
    Create { path: PathBuf, source: std::io::Error },
    #[error("{}: {source}", path.display())]
    Encode { path: PathBuf, source: png::EncodingError },
    #[error("the window never delivered a screenshot")]
    NeverDelivered,
    #[error(
        "the window is {}x{} pixels, not the {}x{} asked for (the screen is smaller, or scaled): nothing written; use a larger screen (e.g. xvfb-run -s \"-screen 0 {}x{}x24\") or a smaller --width/--height",
        got[0], got[1], wanted[0], wanted[1], wanted[0].max(1920), wanted[1].max(1200)
    )]
    WrongSize { wanted: [u32; 2], got: [u32; 2] },
}

/// Writes an image as an 8-bit RGBA PNG.
pub fn write_png(path: &Path, image: &egui::ColorImage) -> Result<(), ScreenshotError> {
    let [w, h] = image.size;
    let mut bytes = Vec::with_capacity(w * h * 4);
    for c in &image.pixels {
        bytes.extend_from_slice(&c.to_srgba_unmultiplied());
    }
    let file = std::fs::File::create(path).map_err(|source| ScreenshotError::Create { path: path.to_path_buf(), source })?;
    let encoding = |source| ScreenshotError::Encode { path: path.to_path_buf(), source };
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(encoding)?;
    writer.write_image_data(&bytes).map_err(encoding)?;
    writer.finish().map_err(encoding)
}
