//! Work that takes longer than a frame runs here: a worker thread with a progress
//! fraction the UI draws and a cancel flag the work checks.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, Arc};

pub struct Job<T> {
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    result: mpsc::Receiver<T>,
    /// What the job does, for the progress line ("Reading ZIP polygons").
    pub label: String,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread. `work` gets a progress callback that takes a fraction
    /// (0..=1) and returns false once the planner cancelled.
    pub fn spawn(label: impl Into<String>, work: impl FnOnce(&mut dyn FnMut(f32) -> bool) -> T + Send + 'static) -> Self {
        let progress = Arc::new(AtomicU32::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let (p, c) = (Arc::clone(&progress), Arc::clone(&cancel));
        std::thread::spawn(move || {
            let mut report = |fraction: f32| {
                p.store((fraction.clamp(0.0, 1.0) * 1000.0) as u32, Ordering::Relaxed);
                !c.load(Ordering::Relaxed)
            };
            let _receiver_gone = tx.send(work(&mut report));
        });
        Self { progress, cancel, result: rx, label: label.into() }
    }

    pub fn fraction(&self) -> f32 {
        self.progress.load(Ordering::Relaxed) as f32 / 1000.0
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The result once the worker is done; `Err(())` if the worker died without one.
    pub fn poll(&self) -> Option<Result<T, ()>> {
        match self.result.try_recv() {
            Ok(value) => Some(Ok(value)),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(())),
        }
    }
}

/// A progress bar with the job's label and a Cancel button; true when Cancel was clicked.
pub fn progress_ui<T: Send + 'static>(ui: &mut egui::Ui, job: &Job<T>) -> bool {
    let mut cancel = false;
    ui.horizontal(|ui| {
        ui.add(egui::ProgressBar::new(job.fraction()).show_percentage().desired_width(260.0).text(job.label.clone()));
        if ui.add_enabled(!job.is_cancelled(), egui::Button::new("Cancel")).clicked() {
            cancel = true;
        }
    });
    cancel
}
