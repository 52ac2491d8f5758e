//! The `profile` subcommand: opens the real window on a project and drives it the way
//! a planner would (panning across the extent, zooming in and out, assigning ZIPs in a
//! heat mode, a lasso of 1,000 ZIPs), timing each frame. A frame's time is eframe's CPU
//! time for it: the app's update, egui's tessellation and handing the triangles to GL,
//! without waiting for the screen.

use super::app::TerritoryApp;
use crate::colormap::ColorBy;
use crate::model::command::Command;
use crate::model::entities::LonLat;
use crate::model::ids::UnitId;
use crate::spatial::mercator::{from_mercator, MercBox};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use walkers::lon_lat;

/// What `profile` measures.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProfileReport {
    pub units: usize,
    pub accounts: usize,
    pub territories: usize,
    /// Reading the file and building everything the first frame needs.
    pub open_secs: f64,
    pub load_secs: f64,
    pub first_frame_ms: f64,
    pub pan_frame_ms_p95: f64,
    pub zoom_frame_ms_p95: f64,
    pub edit_frame_ms_p95: f64,
    /// The app's own part of those frames (update, without tessellation).
    pub pan_update_ms_p95: f64,
    pub zoom_update_ms_p95: f64,
    pub edit_update_ms_p95: f64,
    /// eframe's own figure for the same frames: also the GL calls, which with a
    /// software renderer (Mesa llvmpipe under Xvfb) include rasterizing on the CPU.
    pub pan_frame_with_gl_ms_p95: f64,
    pub zoom_frame_with_gl_ms_p95: f64,
    pub edit_frame_with_gl_ms_p95: f64,
    /// Selecting 1,000 ZIPs with a lasso and assigning them (one undo step).
    pub lasso_assign_ms: f64,
    pub lasso_units: usize,
    pub frames: usize,
    /// Vertices of the map mesh at the fitted view.
    pub home_mesh_vertices: usize,
    pub peak_rss_mb: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Settle,
    Pan,
    Zoom,
    Edit,
    Lasso,
    Done,
}

/// Drives the window frame by frame and collects the timings.
pub struct ProfileJob {
    frames_per_phase: usize,
    phase: Phase,
    step: usize,
    /// The phase each drawn frame belonged to, whose CPU time eframe reports next frame.
    last_phase: Option<Phase>,
    first_frame_ms: Option<f64>,
    /// Update + tessellation of each frame.
    times: Vec<(Phase, f64)>,
    updates: Vec<(Phase, f64)>,
    with_gl: Vec<(Phase, f64)>,
    /// The last frame's update time, waiting for its tessellation time.
    pending_update: Option<(Phase, f64)>,
    tessellation_ms: Arc<Mutex<Option<f64>>>,
    home: Option<(MercBox, f64)>,
    pub report: Arc<Mutex<ProfileReport>>,
}

/// The 95th percentile of frame times (nearest rank).
pub fn p95(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * 0.95).round() as usize]
}

/// Peak resident memory of this process in MB (Linux; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok()).map_or(0.0, |kb| kb / 1024.0)
}

impl ProfileJob {
    pub fn new(frames_per_phase: usize, report: ProfileReport) -> Self {
        Self {
            frames_per_phase: frames_per_phase.max(10),
            phase: Phase::Settle,
            step: 0,
            last_phase: None,
            first_frame_ms: None,
            times: Vec::new(),
            updates: Vec::new(),
            with_gl: Vec::new(),
            pending_update: None,
            tessellation_ms: Arc::new(Mutex::new(None)),
            home: None,
            report: Arc::new(Mutex::new(report)),
        }
    }

    fn next_phase(&mut self) {
        self.phase = match self.phase {
            Phase::Settle => Phase::Pan,
            Phase::Pan => Phase::Zoom,
            Phase::Zoom => Phase::Edit,
            Phase::Edit => Phase::Lasso,
            Phase::Lasso | Phase::Done => Phase::Done,
        };
        self.step = 0;
    }

    fn phase_times(&self, phase: Phase) -> Vec<f64> {
        self.times.iter().filter(|(p, _)| *p == phase).map(|(_, t)| *t).collect()
    }

    fn phase_updates(&self, phase: Phase) -> Vec<f64> {
        self.updates.iter().filter(|(p, _)| *p == phase).map(|(_, t)| *t).collect()
    }

    fn phase_with_gl(&self, phase: Phase) -> Vec<f64> {
        self.with_gl.iter().filter(|(p, _)| *p == phase).map(|(_, t)| *t).collect()
    }

    /// An egui plugin that times the tessellation of each frame's shapes (it
    /// tessellates a copy of them: profile runs only).
    pub fn tessellation_timer(&self) -> TessellationTimer {
        TessellationTimer { last_ms: Arc::clone(&self.tessellation_ms) }
    }

    fn finish(&self, ctx: &egui::Context) {
        if let Ok(mut report) = self.report.lock() {
            report.first_frame_ms = self.first_frame_ms.unwrap_or(0.0);
            report.pan_frame_ms_p95 = p95(&self.phase_times(Phase::Pan));
            report.zoom_frame_ms_p95 = p95(&self.phase_times(Phase::Zoom));
            report.edit_frame_ms_p95 = p95(&self.phase_times(Phase::Edit));
            report.pan_frame_with_gl_ms_p95 = p95(&self.phase_with_gl(Phase::Pan));
            report.zoom_frame_with_gl_ms_p95 = p95(&self.phase_with_gl(Phase::Zoom));
            report.edit_frame_with_gl_ms_p95 = p95(&self.phase_with_gl(Phase::Edit));
            report.pan_update_ms_p95 = p95(&self.phase_updates(Phase::Pan));
            report.zoom_update_ms_p95 = p95(&self.phase_updates(Phase::Zoom));
            report.edit_update_ms_p95 = p95(&self.phase_updates(Phase::Edit));
            report.frames = self.times.len();
            report.peak_rss_mb = peak_rss_mb();
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

impl TerritoryApp {
    /// One frame of the profile run; `previous_cpu_secs`: eframe's CPU time of the
    /// previous frame.
    /// `update_ms`: this frame's update.
    pub(super) fn profile_step(&mut self, ctx: &egui::Context, previous_cpu_secs: Option<f32>, update_ms: f64) {
        let Some(mut job) = self.profile.take() else { return };
        ctx.request_repaint();
        let tessellation = job.tessellation_ms.lock().ok().and_then(|mut t| t.take());
        if let (Some((phase, update)), Some(tessellation)) = (job.pending_update.take(), tessellation) {
            if job.first_frame_ms.is_none() {
                job.first_frame_ms = Some(update + tessellation);
            } else if phase != Phase::Settle {
                job.times.push((phase, update + tessellation));
                job.updates.push((phase, update));
            }
        }
        if let (Some(phase), Some(secs)) = (job.last_phase.filter(|p| *p != Phase::Settle), previous_cpu_secs) {
            job.with_gl.push((phase, secs as f64 * 1000.0));
        }
        job.pending_update = Some((job.phase, update_ms));
        job.last_phase = Some(job.phase);
        match job.phase {
            Phase::Settle => {
                if self.view.is_settled() {
                    job.step += 1;
                }
                if job.step >= 4 {
                    job.home = Some((self.view.scene.home_extent, self.view.memory.zoom()));
                    if let Ok(mut report) = job.report.lock() {
                        report.home_mesh_vertices = self.view.map.last_mesh_vertices;
                    }
                    job.next_phase();
                }
            }
            Phase::Pan => {
                let (home, zoom) = job.home.unwrap_or((self.view.scene.extent, 5.0));
                // Across the extent on a figure of eight, at the fitted zoom and then at
                // state zoom.
                let t = job.step as f64 / job.frames_per_phase as f64;
                let angle = t * std::f64::consts::TAU;
                let [w, h] = home.size();
                let c = home.center();
                let at = [c[0] + 0.4 * w * angle.sin(), c[1] + 0.35 * h * (2.0 * angle).sin()];
                let deeper = if job.step * 2 >= job.frames_per_phase { 3.0 } else { 0.0 };
                self.center_view(at, zoom + deeper);
                job.step += 1;
                if job.step >= job.frames_per_phase {
                    job.next_phase();
                }
            }
            Phase::Zoom => {
                let (home, zoom) = job.home.unwrap_or((self.view.scene.extent, 5.0));
                // In and out over six zoom levels, around a few places of the extent.
                let k = job.step % 40;
                let depth = if k < 20 { k as f64 } else { (40 - k) as f64 } * 0.3;
                let place = (job.step / 40) as f64;
                let [w, h] = home.size();
                let c = home.center();
                let at = [c[0] + 0.3 * w * (place * 2.1).sin(), c[1] + 0.3 * h * (place * 1.3).cos()];
                self.center_view(at, zoom + depth);
                job.step += 1;
                if job.step >= job.frames_per_phase {
                    job.next_phase();
                }
            }
            Phase::Edit => {
                if job.step == 0 {
                    let (home, zoom) = job.home.unwrap_or((self.view.scene.extent, 5.0));
                    self.center_view(home.center(), zoom);
                    self.set_color_by(ColorBy::Workload);
                }
                // Like a brush stroke: 20 ZIPs of one territory go to another, each frame.
                let scenario = self.session.scenario();
                let territories: Vec<_> = scenario.territories.iter().map(|t| t.id).collect();
                if territories.len() >= 2 {
                    let from = territories[job.step % territories.len()];
                    let to = territories[(job.step + 1) % territories.len()];
                    let units: Vec<UnitId> = (0..scenario.unit_territory.len() as u32).map(UnitId).filter(|u| scenario.unit_territory(*u) == Some(from)).take(20).collect();
                    let _refused_when_locked = self.session.execute(Command::assign_units(units, Some(to)));
                }
                job.step += 1;
                if job.step >= job.frames_per_phase {
                    job.next_phase();
                }
            }
            Phase::Lasso => {
                let (lasso_ms, picked) = self.lasso_and_assign_1000();
                if let Ok(mut report) = job.report.lock() {
                    report.lasso_assign_ms = lasso_ms;
                    report.lasso_units = picked;
                }
                job.next_phase();
            }
            Phase::Done => {
                job.finish(ctx);
            }
        }
        self.profile = Some(job);
    }

    fn center_view(&mut self, at: [f64; 2], zoom: f64) {
        let c = from_mercator(at);
        self.view.memory.center_at(lon_lat(c.lon, c.lat));
        let _ = self.view.memory.set_zoom(zoom.clamp(2.0, 18.0));
    }

    /// A circular lasso around the middle of the units that holds 1,000 ZIP centres,
    /// then their assignment to one territory: (milliseconds, ZIPs).
    fn lasso_and_assign_1000(&mut self) -> (f64, usize) {
        let project = self.session.project();
        let Some(target) = self.session.scenario().territories.first().map(|t| t.id) else { return (0.0, 0) };
        let mut xs: Vec<f64> = project.units.iter().map(|u| u.centroid.lon).collect();
        let mut ys: Vec<f64> = project.units.iter().map(|u| u.centroid.lat).collect();
        if xs.is_empty() {
            return (0.0, 0);
        }
        xs.sort_by(f64::total_cmp);
        ys.sort_by(f64::total_cmp);
        let centre = LonLat::new(xs[xs.len() / 2], ys[ys.len() / 2]);
        let ring = |r: f64| -> Vec<LonLat> { (0..200).map(|k| k as f64 / 200.0 * std::f64::consts::TAU).map(|t| LonLat::new(centre.lon + r * t.cos(), centre.lat + r * t.sin())).collect() };
        let mut radius = 0.05;
        while self.view.scene.centroid_index.in_lasso(&ring(radius)).len() < 1000.min(project.units.len()) && radius < 90.0 {
            radius *= 1.25;
        }
        let lasso = ring(radius);
        let started = Instant::now();
        let picked = self.view.scene.centroid_index.in_lasso(&lasso);
        let count = picked.len();
        let _refused_when_locked = self.session.execute(Command::assign_units(picked.into_iter().map(UnitId), Some(target)));
        (started.elapsed().as_secs_f64() * 1000.0, count)
    }
}

/// Times egui's tessellation of each frame (see `ProfileJob::tessellation_timer`).
pub struct TessellationTimer {
    last_ms: Arc<Mutex<Option<f64>>>,
}

impl egui::plugin::Plugin for TessellationTimer {
    fn debug_name(&self) -> &'static str {
        "profile tessellation timer"
    }

    fn output_hook(&mut self, ctx: &egui::Context, output: &mut egui::FullOutput) {
        let shapes = output.shapes.clone();
        let started = Instant::now();
        let primitives = ctx.tessellate(shapes, output.pixels_per_point);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        drop(primitives);
        if let Ok(mut slot) = self.last_ms.lock() {
            *slot = Some(ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p95_is_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(p95(&v), 95.0);
        assert_eq!(p95(&[]), 0.0);
        assert!(peak_rss_mb() >= 0.0);
    }
}
