//! The real data of ../shared/data for tests, which skip (with a note) when it is absent.

use std::path::{Path, PathBuf};

/// The file under ../shared/data, or `None` (and a note on stderr) when it is absent.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new("../shared/data").join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}
