//! Where the map's background comes from: the offline vector basemap (default), online
//! OpenStreetMap tiles cached on disk, or a local raster `.pmtiles` archive; and the
//! window that switches between them.

use super::actions::AppAction;
use super::app::TerritoryApp;
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BasemapSource {
    /// Vector land, water, states and counties embedded in the app (no network).
    Offline,
    /// OpenStreetMap raster tiles, fetched online and cached on disk.
    OpenStreetMap,
    /// A local raster `.pmtiles` archive.
    PmTiles(PathBuf),
}

impl BasemapSource {
    pub fn to_setting(&self) -> String {
        match self {
            BasemapSource::Offline => "offline".into(),
            BasemapSource::OpenStreetMap => "osm".into(),
            BasemapSource::PmTiles(p) => format!("pmtiles:{}", p.display()),
        }
    }

    pub fn from_setting(text: &str) -> Self {
        match text {
            "osm" => BasemapSource::OpenStreetMap,
            t if t.starts_with("pmtiles:") => BasemapSource::PmTiles(PathBuf::from(&t["pmtiles:".len()..])),
            _ => BasemapSource::Offline,
        }
    }

    /// The credit line drawn in the map's corner.
    pub fn attribution(&self) -> &'static str {
        match self {
            BasemapSource::OpenStreetMap => "Map data © OpenStreetMap contributors · Natural Earth, US Census",
            _ => "Basemap: Natural Earth, US Census (us-atlas)",
        }
    }
}

/// The folder where online tiles are cached for later offline use.
pub fn tile_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("territory-designer").join("tiles")
}

/// Why a basemap source cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TilesError {
    #[error("{} holds vector tiles; choose a raster (PNG/JPEG/WebP) .pmtiles file", .0.display())]
    VectorTiles(PathBuf),
    #[error(transparent)]
    PmTiles(#[from] crate::io::pmtiles_header::PmTilesError),
}

/// Raster tiles for a source (`Ok(None)`: the offline vector map, drawn by the map
/// itself), or why the source cannot be used.
pub fn open_tiles(ctx: &egui::Context, source: &BasemapSource) -> Result<Option<Box<dyn walkers::Tiles>>, TilesError> {
    match source {
        BasemapSource::Offline => Ok(None),
        BasemapSource::OpenStreetMap => {
            let options = walkers::HttpOptions {
                cache: Some(tile_cache_dir()),
                user_agent: Some(walkers::HeaderValue::from_static(concat!("territory-designer/", env!("CARGO_PKG_VERSION")))),
                ..Default::default()
            };
            Ok(Some(Box::new(walkers::HttpTiles::with_options(walkers::sources::OpenStreetMap, options, ctx.clone()))))
        }
        BasemapSource::PmTiles(path) => match crate::io::pmtiles_header::pmtiles_kind(path) {
            Ok(kind) if kind.is_raster() => Ok(Some(Box::new(walkers::PmTiles::new(path, ctx.clone())))),
            Ok(_) => Err(TilesError::VectorTiles(path.clone())),
            Err(err) => Err(err.into()),
        },
    }
}

impl TerritoryApp {
    /// Switches the basemap. Online tiles are used only when the user asks for them.
    pub fn set_basemap(&mut self, ctx: &egui::Context, source: BasemapSource) {
        match open_tiles(ctx, &source) {
            Ok(tiles) => self.view.tiles = tiles,
            Err(error) => {
                self.complain(error.to_string());
                return;
            }
        }
        self.say(match &source {
            BasemapSource::Offline => "Basemap: offline vector".to_string(),
            BasemapSource::OpenStreetMap => format!("Basemap: OpenStreetMap tiles (cached in {})", tile_cache_dir().display()),
            BasemapSource::PmTiles(p) => format!("Basemap: {}", p.display()),
        });
        self.view.basemap_source = source;
    }

    pub(super) fn basemap_window_ui(&mut self, ctx: &egui::Context) {
        if !self.basemap_window {
            return;
        }
        let mut open = true;
        let current = self.view.basemap_source.clone();
        let mut choice: Option<AppAction> = None;
        egui::Window::new("Basemap").open(&mut open).collapsible(false).resizable(false).show(ctx, |ui| {
            if ui.radio(current == BasemapSource::Offline, "Offline vector map (no network)").clicked() {
                choice = Some(AppAction::SetBasemap(BasemapSource::Offline));
            }
            let osm = ui.radio(current == BasemapSource::OpenStreetMap, "OpenStreetMap tiles (online)");
            osm.clone().on_hover_text(format!("Downloaded tiles are kept in {} for offline use", tile_cache_dir().display()));
            if osm.clicked() {
                choice = Some(AppAction::SetBasemap(BasemapSource::OpenStreetMap));
            }
            let label = match &current {
                BasemapSource::PmTiles(p) => format!("Local .pmtiles: {}", p.display()),
                _ => "Local .pmtiles file…".to_string(),
            };
            if ui.radio(matches!(current, BasemapSource::PmTiles(_)), label).clicked() {
                if let Some(path) = self.file_dialog("PMTiles", &["pmtiles"]).pick_file() {
                    choice = Some(AppAction::SetBasemap(BasemapSource::PmTiles(path)));
                }
            }
            ui.weak("Territories, accounts, state and county lines are drawn on top of any basemap.");
        });
        self.basemap_window = open;
        if let Some(action) = choice {
            self.act(action);
        }
    }
}
