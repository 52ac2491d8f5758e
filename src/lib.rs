//! Territory Designer: design balanced sales territories offline.
//!
//! Layers: `model` (pure domain and commands), `spatial` (indexes, selection, geometry),
//! `drivetime`, `metrics`, `io` (files), `sample` (the bundled sample's generator),
//! `session` (an open project with undo and live metrics), `document` (its file:
//! save, recent, autosave, recovery), `format` (figures as people read them), `cli`
//! (headless subcommands). Only `ui` may import egui, eframe or walkers.

pub mod cli;
pub mod colormap;
pub mod document;
pub mod drivetime;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
pub mod format;
pub mod io;
pub mod metrics;
pub mod model;
pub mod optimize;
pub mod recovery;
pub mod sample;
pub mod session;
pub mod spatial;
pub mod ui;
