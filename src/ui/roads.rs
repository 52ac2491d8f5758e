//! The project's road network: File > Road network… reads an OpenStreetMap extract on a
//! worker and keeps the routing graph beside the project; when a project with one
//! opens, the graph is read back. Either way accounts and ZIP centres are snapped and
//! every home base searched, then the metrics, heat maps and what-ifs use road times.

use super::app::TerritoryApp;
use super::jobs::{progress_ui, Job};
use crate::drivetime::roads::cache::{search_reach, RoadTimes};
use crate::drivetime::roads::{osm, RoadNetwork};
use crate::model::command::Command;
use crate::model::project::{Project, RoadNetworkInfo};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

/// What the worker hands back: the times, and the record of a new import.
pub struct RoadsReady {
    times: Arc<RoadTimes>,
    imported: Option<RoadNetworkInfo>,
}

pub type RoadsJob = Job<Result<RoadsReady, String>>;

/// A what-if that puts a home base where the roads have not been searched from yet:
/// done once a worker has searched (so the metrics then find the times ready).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HomeEdit {
    Move { rep: crate::model::ids::RepId, at: crate::model::entities::LonLat },
    Place { at: crate::model::entities::LonLat },
}

pub struct HomeSearch {
    job: Job<()>,
    then: HomeEdit,
}

impl TerritoryApp {
    /// Starts reading the road network of the open project, if it has one.
    pub(super) fn load_roads(&mut self) {
        let project = self.session.project();
        let (Some(info), Some(path)) = (project.road_network.as_ref(), self.document.path.clone()) else { return };
        let file = RoadNetwork::path_beside(&path);
        let label = info.label();
        let snapshot = project.clone();
        self.roads_job = Some(Job::spawn("Reading the road network", move |progress| {
            progress(0.02);
            let network = RoadNetwork::load(&file).map_err(|e| format!("{e}; drive times are estimated"))?;
            Ok(RoadsReady { times: searched(network, &snapshot, label, 0.3, progress), imported: None })
        }));
    }

    /// File > Road network…: reads `osm` (an OpenStreetMap extract), keeps its graph
    /// beside the project file and uses it (one undo step records it in the project).
    pub fn import_roads(&mut self, osm_file: PathBuf) {
        let Some(project_path) = self.document.path.clone() else {
            return self.complain("Save the project first: its road network is kept beside the project file");
        };
        let snapshot = self.session.project().clone();
        let name = osm_file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.roads_job = Some(Job::spawn(format!("Reading {name}"), move |progress| {
            let network = read_with_progress(&osm_file, &mut *progress)?;
            let file = RoadNetwork::path_beside(&project_path);
            network.save(&file).map_err(|e| e.to_string())?;
            let info = RoadNetworkInfo {
                source: name,
                imported: crate::format::utc_time(std::time::SystemTime::now()),
                nodes: network.node_count() as u64,
                edges: network.edge_count() as u64,
            };
            let times = searched(network, &snapshot, info.label(), 0.7, progress);
            Ok(RoadsReady { times, imported: Some(info) })
        }));
    }

    /// Progress while the network is read; the metrics switch to it once it is. Also
    /// follows undo and redo of an import.
    pub(super) fn roads_ui(&mut self, ctx: &egui::Context) {
        self.follow_road_network();
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
            Some(Ok(Ok(ready))) => {
                self.roads_job = None;
                if let Some(info) = ready.imported {
                    if !self.execute(Command::SetRoadNetwork { info: Some(Box::new(info)) }) {
                        return;
                    }
                }
                let reached = ready.times.accounts_on_network();
                let label = ready.times.label.clone();
                self.session.set_roads(Some(ready.times));
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

    /// With a road network, a new home base `at` is searched from on a worker first
    /// (a state-size search takes a fraction of a second): returns true when `then`
    /// waits for it. False: no network, or `at` is searched already; do it now.
    pub(super) fn search_roads_first(&mut self, at: crate::model::entities::LonLat, then: HomeEdit) -> bool {
        let Some(roads) = self.session.roads().filter(|r| !r.has_home(at)) else { return false };
        if self.home_search.is_some() {
            self.complain("Still searching the roads from the last home base: try again in a moment");
            return true;
        }
        let cutoff = crate::drivetime::roads::cache::DEFAULT_CUTOFF_HOURS;
        let job = Job::spawn("Searching the roads from the new home base", move |progress| roads.prepare(&[(at, cutoff)], progress));
        self.home_search = Some(HomeSearch { job, then });
        true
    }

    /// Progress of a home base's search; the edit waiting for it once it is done.
    pub(super) fn home_search_ui(&mut self, ctx: &egui::Context) {
        let Some(search) = &self.home_search else { return };
        match search.job.poll() {
            None => {
                ctx.request_repaint_after(std::time::Duration::from_millis(30));
                let mut cancel = false;
                egui::Window::new("Road network").collapsible(false).resizable(false).anchor(egui::Align2::RIGHT_BOTTOM, [-20.0, -40.0]).show(ctx, |ui| {
                    cancel = progress_ui(ui, &search.job);
                });
                if cancel {
                    search.job.cancel();
                    self.home_search = None;
                    self.say("Home base not moved");
                }
            }
            Some(_) => {
                let then = search.then;
                self.home_search = None;
                match then {
                    HomeEdit::Move { rep, at } => self.set_rep_home(rep, at),
                    HomeEdit::Place { at } => self.place_rep(at),
                }
            }
        }
    }

    /// After undo or redo of an import: drop the road times, or read them back.
    fn follow_road_network(&mut self) {
        if self.roads_job.is_some() {
            return;
        }
        let wanted = self.session.project().road_network.as_ref().map(RoadNetworkInfo::label);
        let used = self.session.roads().map(|r| r.label.clone());
        if wanted == used {
            return;
        }
        if wanted.is_none() {
            self.session.set_roads(None);
            self.refresh_colors();
        } else {
            self.load_roads();
        }
    }
}

/// Snaps the project to the network and searches from every home base, reporting
/// progress from `start` to 1.
fn searched(network: RoadNetwork, project: &Project, label: String, start: f32, progress: &mut dyn FnMut(f32) -> bool) -> Arc<RoadTimes> {
    let times = RoadTimes::new(Arc::new(network), project, label);
    progress(start + (1.0 - start) * 0.2);
    times.prepare(&search_reach(project), &mut |share| progress(start + (1.0 - start) * (0.2 + 0.8 * share)));
    Arc::new(times)
}

/// Reads an extract on a thread of its own (its reader reports progress from several
/// threads), passing its progress on and its cancel back.
fn read_with_progress(osm_file: &Path, progress: &mut dyn FnMut(f32) -> bool) -> Result<RoadNetwork, String> {
    let done = AtomicU32::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            osm::read_pbf(osm_file, &|share| {
                done.store((share.clamp(0.0, 1.0) * 1000.0) as u32, Ordering::Relaxed);
                !stop.load(Ordering::Relaxed)
            })
        });
        while !reader.is_finished() {
            if !progress(0.7 * done.load(Ordering::Relaxed) as f32 / 1000.0) {
                stop.store(true, Ordering::Relaxed);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        match reader.join() {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err(format!("reading {} stopped unexpectedly", osm_file.display())),
        }
    })
}
