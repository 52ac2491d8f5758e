//! `new` (a project from the planner's files) and `export`.

use super::pick_scenario;
use crate::io::export;
use crate::io::import::new_project::{self, AccountsOutside, NewProjectSpec};
use crate::io::import::units::UnitsOptions;
use crate::io::import::ImportError;
use crate::io::project_file;
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct NewArgs {
    pub units: Vec<PathBuf>,
    pub id_field: Option<String>,
    pub name_field: Option<String>,
    pub accounts: Option<PathBuf>,
    pub map: Vec<String>,
    pub accounts_outside: AccountsOutside,
    pub potential_unit: Option<String>,
    pub reps: Option<PathBuf>,
    pub alignment: Option<PathBuf>,
    pub skip_bad_rows: bool,
    pub force: bool,
    pub out: PathBuf,
}

/// How many rejected rows to print before "... and N more".
const ROWS_SHOWN: usize = 50;

pub fn new_project(args: NewArgs, out: &mut dyn Write) -> Result<()> {
    if args.out.exists() && !args.force {
        bail!("{} already exists; choose another --out or pass --force to replace it", args.out.display());
    }
    let name = args.out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "Territories".into());
    let spec = NewProjectSpec {
        name,
        units: args.units,
        units_options: UnitsOptions { id_field: args.id_field, name_field: args.name_field },
        accounts: args.accounts,
        account_mapping: None,
        account_overrides: args.map,
        reps: args.reps,
        alignment: args.alignment,
        accept_good_rows: args.skip_bad_rows,
        accounts_outside: args.accounts_outside,
        potential_unit: args.potential_unit,
    };
    let started = std::time::Instant::now();
    let (project, report) = match new_project::build(&spec, &mut |_| true) {
        Ok(built) => built,
        Err(ImportError::Rows { path, rows, issues }) => {
            let mut stderr = std::io::stderr().lock();
            for issue in issues.iter().take(ROWS_SHOWN) {
                let _ = writeln!(stderr, "{}: {issue}", path.display());
            }
            if issues.len() > ROWS_SHOWN {
                let _ = writeln!(stderr, "... and {} more", issues.len() - ROWS_SHOWN);
            }
            bail!(
                "{}: {} of {} rows have problems (listed above); fix them, or pass --skip-bad-rows to import only the good rows",
                path.display(),
                issues.len(),
                rows
            );
        }
        Err(other) => return Err(other.into()),
    };
    let read_secs = started.elapsed().as_secs_f64();
    project_file::save(&project, &args.out)?;
    for line in report.lines() {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "wrote {} in {:.2} s (read {:.2} s)", args.out.display(), started.elapsed().as_secs_f64(), read_secs)?;
    Ok(())
}

pub struct ExportTargets {
    pub territories: Option<PathBuf>,
    pub assignment: Option<PathBuf>,
    pub accounts: Option<PathBuf>,
    pub metrics: Option<PathBuf>,
    pub drive_times: Option<PathBuf>,
    pub map_image: Option<PathBuf>,
    pub report: Option<PathBuf>,
    pub picture: PictureArgs,
}

/// How the picture of `--map-image` is drawn.
pub struct PictureArgs {
    pub size: crate::ui::map_image::PictureSize,
    pub color_by: String,
    pub against: Option<String>,
}

pub fn export(path: &Path, scenario: Option<&str>, targets: ExportTargets, out: &mut dyn Write) -> Result<()> {
    let project = project_file::load(path)?;
    let scenario = pick_scenario(&project, scenario)?;
    let wants_roads = targets.territories.is_some() || targets.metrics.is_some() || targets.map_image.is_some() || targets.report.is_some();
    let roads = if wants_roads { crate::drivetime::roads::cache::for_project(&project, path)? } else { None };
    if let Some(file) = &targets.territories {
        // Check the extension before the (slower) dissolve.
        if export::PolygonFormat::from_path(file).is_none() {
            bail!("{}: territories are exported as .geojson or .shp; use one of these extensions", file.display());
        }
        let n = export::write_territories(&project, scenario, roads.clone(), file)?;
        writeln!(out, "wrote {} territories to {}", n, file.display())?;
    }
    if let Some(file) = &targets.assignment {
        let n = export::tables::write_assignment(&project, scenario, file)?;
        writeln!(out, "wrote {} ZIPs to {}", n, file.display())?;
    }
    if let Some(file) = &targets.accounts {
        let written = export::tables::write_accounts(&project, scenario, file)?;
        writeln!(out, "wrote {written} to {}", file.display())?;
    }
    if let Some(file) = &targets.metrics {
        let n = export::tables::write_metrics(&project, scenario, roads.clone(), file)?;
        writeln!(out, "wrote {} rows of metrics to {}", n, file.display())?;
    }
    if let Some(file) = &targets.drive_times {
        let network = crate::drivetime::roads::RoadNetwork::of_project(&project, path)?;
        let (rows, by_road) = export::tables::write_drive_times(&project, scenario, network.as_ref(), file)?;
        let model = match &project.road_network {
            Some(info) => format!("{} where it reaches, the estimate elsewhere", info.label()),
            None => "the estimate (no road network: `roads PROJECT --osm FILE.osm.pbf` imports one)".to_string(),
        };
        writeln!(out, "wrote {rows} drive times to {} ({by_road} by road): {model}", file.display())?;
    }
    if let Some(file) = &targets.map_image {
        let args = &targets.picture;
        let size = args.size.checked().map_err(|e| anyhow!("--width/--height/--scale: {e}"))?;
        let color_by = crate::colormap::ColorBy::parse(&args.color_by).map_err(|e| anyhow!("--color-by: {e}"))?;
        let reference = args.against.as_deref().map(|name| pick_scenario(&project, Some(name)).map(|s| s.id)).transpose()?;
        let spec = crate::ui::map_image::MapImageSpec { scenario: scenario.id, roads: roads.clone(), size, color_by, reference };
        crate::ui::map_image::write(project.clone(), &spec, file)?;
        writeln!(out, "wrote a {}x{} map of '{}' to {}", size.width, size.height, scenario.name, file.display())?;
    }
    if let Some(file) = &targets.report {
        let against = match targets.picture.against.as_deref() {
            Some(name) => Some(pick_scenario(&project, Some(name))?.id),
            None => Some(project.baseline).filter(|b| *b != scenario.id),
        };
        let pages = crate::ui::map_image::write_report(project.clone(), scenario.id, against, roads.clone(), file)?;
        let compared = against.and_then(|id| project.scenario(id)).map(|s| format!(", compared with '{}'", s.name)).unwrap_or_default();
        writeln!(out, "wrote the report of '{}' ({}){compared} to {}", scenario.name, crate::format::count(pages, "page", "pages"), file.display())?;
    }
    Ok(())
}
