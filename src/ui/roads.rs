//! The project's road network, read on a worker when the project opens: its file beside
//! the project is loaded, accounts and ZIP centres snapped, every home base searched;
//! then the metrics, heat maps and what-ifs use road drive times.

use super::app::TerritoryApp;
use super::jobs::{progress_ui, Job};
use crate::drivetime::roads::cache::RoadTimes;
use crate::drivetime::roads::RoadNetwork;
use crate::model::entities::LonLat;
use std::sync::Arc;

impl TerritoryApp {
    /// Starts reading the road network of the open project, if it has one.
    pub(super) fn load_roads(&mut self) {
        let project = self.session.project();
        let (Some(info), Some(path)) = (project.road_network.as_ref(), self.document.path.clone()) else { return };
        let file = RoadNetwork::path_beside(&path);
        let label = format!("road network {} ({})", info.source, info.imported);
        let snapshot = project.clone();
        let homes: Vec<(LonLat, f64)> = crate::drivetime::roads::cache::search_reach(project);
        self.roads_job = Some(Job::spawn("Reading the road network", move |progress| {
            progress(0.02);
            let network = RoadNetwork::load(&file).map_err(|e| format!("{e}; drive times are estimated"))?;
            progress(0.3);
            let times = RoadTimes::new(Arc::new(network), &snapshot, label);
            times.prepare(&homes, &mut |share| progress(0.4 + 0.6 * share));
            Ok(Arc::new(times))
        }));
    }

    /// Progress while the network is read; the metrics switch to it once it is.
    pub(super) fn roads_ui(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.roads_job else { return };
        match job.poll() {
            None => {
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
                let mut cancel = false;
                egui::Window::new("Road network").collapsible(false).resizable(false).anchor(egui::Align2::RIGHT_BOTTOM, [-20.0, -40.0]).show(ctx, |ui| {
                    ui.label("Drive times are estimated until the roads are read.");
                    cancel = progress_ui(ui, job);
                });
                if cancel {
                    job.cancel();
                    self.roads_job = None;
                    self.say("Road network not read: drive times are estimated");
                }
            }
            Some(Ok(Ok(times))) => {
                self.roads_job = None;
                let reached = times.accounts_on_network();
                let label = times.label.clone();
                self.session.set_roads(Some(times));
                self.refresh_colors();
                let total = self.session.project().accounts.len();
                self.say(format!("Drive times by {label}: {reached} of {total} accounts lie on its roads; the rest are estimated"));
            }
            Some(Ok(Err(e))) => {
                self.roads_job = None;
                self.complain(format!("Road network: {e}"));
            }
            Some(Err(())) => {
                self.roads_job = None;
                self.complain("Reading the road network stopped unexpectedly; drive times are estimated");
            }
        }
    }
}
