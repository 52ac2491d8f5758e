//! Headless subcommands over the same core as the app.

mod compare;
mod files;

use crate::format::{amount, money};
use crate::io::project_file;
use crate::metrics::report::{self, Report};
use crate::metrics::ScenarioMetrics;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::model::settings::WorkloadPreset;
use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// The project opened when none is given.
pub const SAMPLE_PROJECT: &str = "sample_maps/mid_atlantic.tdproj";

#[derive(Parser, Debug)]
#[command(name = "territory-designer", version, about = "Design balanced sales territories, offline")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Project to open in the app (default: the bundled sample).
    pub project: Option<PathBuf>,
}

/// `new --accounts-outside`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutsideChoice {
    Keep,
    Drop,
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Print per-territory metrics and balance of a scenario.
    Report {
        project: PathBuf,
        /// Scenario name (default: the baseline).
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Workload-index preset to use instead of the project's weights:
        /// field, inside or strategic.
        #[arg(long)]
        preset: Option<String>,
    },
    /// Compare two scenarios: per-territory before/after, balance, and who loses or
    /// gains which accounts.
    Compare {
        project: PathBuf,
        /// The scenario to compare from (default: the baseline).
        #[arg(long)]
        from: Option<String>,
        /// The scenario to compare to.
        #[arg(long)]
        to: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write the disruption ledger (one row per account that changes owner).
        #[arg(long)]
        ledger: Option<PathBuf>,
    },
    /// Propose balanced, contiguous territories as a new scenario in the project.
    Optimize {
        project: PathBuf,
        /// How many territories (default: as many as the start scenario has).
        #[arg(long)]
        territories: Option<usize>,
        /// What to balance: potential, workload (the workload index), visits (visit
        /// hours), attr:NAME, or a weighted mix such as 0.6*potential+0.4*workload
        /// (each part as a share of its total).
        #[arg(long, default_value = "potential")]
        balance: String,
        /// Allowed deviation from the mean, as a fraction.
        #[arg(long, default_value_t = 0.10)]
        tolerance: f64,
        /// The scenario to start from (default: the baseline).
        #[arg(long)]
        from: Option<String>,
        /// Name of the new scenario (default: "Balanced (optimizer)", numbered if taken).
        #[arg(long)]
        into: Option<String>,
        /// 0 = ignore the start plan; higher keeps more ZIPs where they are.
        #[arg(long, default_value_t = 0.0)]
        disruption: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Local rebalance: only these territories (comma-separated names) change,
        /// among themselves.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Let territories be in several pieces when that balances better.
        #[arg(long)]
        allow_pieces: bool,
        /// Balance each sales region with its own reps: no ZIP moves from one region
        /// to another (territories keep their region).
        #[arg(long)]
        within_regions: bool,
        /// With fewer territories than the start scenario has: the reps (or territory
        /// names) to leave without a territory, comma-separated; the rest are chosen
        /// (territories without a rep first, then the rep nearest another).
        #[arg(long, value_delimiter = ',')]
        leave_out: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Render the app window, fitted to the project, to a PNG and exit (needs a display,
    /// e.g. Xvfb).
    Screenshot {
        project: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1600)]
        width: u32,
        #[arg(long, default_value_t = 1000)]
        height: u32,
        #[arg(long)]
        scenario: Option<String>,
        /// Map colours: territory, workload, drivetime, balance, utilization or attr:NAME
        /// (e.g. attr:potential_per_km2).
        #[arg(long, default_value = "territory")]
        color_by: String,
        /// Also open the workload-model window.
        #[arg(long)]
        model_window: bool,
        /// Also open Model > Quotas and KPIs.
        #[arg(long)]
        quotas_window: bool,
        /// Presentation mode (View > Present): the map alone, drawn larger.
        #[arg(long)]
        present: bool,
        /// Render the compare view: reference scenario A beside scenario B.
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        compare: Option<Vec<String>>,
        /// Open File > New from files with these files read (ZIP polygons, then
        /// optionally an accounts CSV).
        #[arg(long, num_args = 1..=2, value_names = ["UNITS", "ACCOUNTS"])]
        import_dialog: Option<Vec<PathBuf>>,
        /// Also open the Optimize dialog.
        #[arg(long)]
        optimize_dialog: bool,
        /// Open File > Export > Map image (PNG)….
        #[arg(long)]
        map_image_dialog: bool,
        /// With --optimize-dialog: run the optimizer with the dialog's settings and show
        /// the proposal waiting to be accepted (tolerance in percent, e.g. 5).
        #[arg(long, value_name = "TOLERANCE_PCT")]
        proposal: Option<f64>,
        /// Look at a place instead of the whole project: LON,LAT,ZOOM (zoom 4: a
        /// country, 7: a state, 11: a city).
        #[arg(long, value_name = "LON,LAT,ZOOM")]
        view: Option<String>,
        /// Show the drive-time zones around the reps' home bases, e.g. 30,60,90
        /// (minutes).
        #[arg(long, value_name = "MINUTES")]
        zones: Option<String>,
        /// Select the account with this CRM id: its road route from its rep is drawn.
        #[arg(long, value_name = "ACCOUNT_ID")]
        route_to: Option<String>,
    },
    /// Open the real window on a project, drive it (panning, zooming, edits in a heat
    /// mode, a lasso of 1,000 ZIPs) and print how long it took (needs a display, e.g.
    /// Xvfb). Frame times are CPU times: the app's update and egui's tessellation.
    Profile {
        project: PathBuf,
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Frames of each of panning, zooming and editing.
        #[arg(long, default_value_t = 120)]
        frames: usize,
        #[arg(long, default_value_t = 1600)]
        width: u32,
        #[arg(long, default_value_t = 1000)]
        height: u32,
    },
    /// Create a project from the files a planner has: ZIP polygons (GeoJSON or
    /// Shapefile), and optionally accounts, reps and an alignment (CSV).
    New {
        /// Unit polygons: .geojson, .json, .geojson.gz or .shp (several files are merged,
        /// e.g. one per state).
        #[arg(long, required = true, num_args = 1..)]
        units: Vec<PathBuf>,
        /// The field with each unit's code (default: guessed, e.g. ZCTA5CE10, GEOID, ZIP).
        #[arg(long)]
        id_field: Option<String>,
        /// The field with each unit's name (default: guessed, e.g. NAME).
        #[arg(long)]
        name_field: Option<String>,
        /// Accounts CSV (CRM export).
        #[arg(long)]
        accounts: Option<PathBuf>,
        /// Map a CSV column to an account field, e.g. --map potential=ENROLLMENT. Fields:
        /// id, name, lat, lon, zip, potential, revenue, tier, visits, owner, industry,
        /// relationship, named. `--map owner=` maps no column to the field.
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        /// Accounts inside none of the units (e.g. other states of a national CRM
        /// export): keep them, counted apart from the plan, or drop them.
        #[arg(long, value_enum, default_value_t = OutsideChoice::Keep)]
        accounts_outside: OutsideChoice,
        /// What potential is counted in: a currency sign ($, €) or a word such as beds.
        #[arg(long, value_name = "UNIT")]
        potential_unit: Option<String>,
        /// Reps CSV: name, home base (lat/lon or zip), capacity, experience.
        #[arg(long)]
        reps: Option<PathBuf>,
        /// Alignment CSV: zip, territory[, rep]; becomes the baseline scenario.
        #[arg(long)]
        alignment: Option<PathBuf>,
        /// Import the good rows when some rows are rejected (they are listed either way).
        #[arg(long)]
        skip_bad_rows: bool,
        /// Replace the project file if it exists.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// Set a scenario's quotas: split a sales target over its territories and save them
    /// in the project (they appear in `report`, exports and the app).
    Quota {
        project: PathBuf,
        /// Scenario name (default: the baseline).
        #[arg(long)]
        scenario: Option<String>,
        /// The annual total to split, in the currency of revenue.
        #[arg(long)]
        total: f64,
        /// top-down (by potential), bottom-up (revenue + capture rate x open potential
        /// of each account) or hybrid (potential, revenue and tenure shares).
        #[arg(long, default_value = "hybrid")]
        method: String,
        /// Hybrid weights of potential, revenue and tenure shares.
        #[arg(long, value_delimiter = ',', default_values_t = [0.6, 0.3, 0.1])]
        weights: Vec<f64>,
        /// Bottom-up: the share of open potential a target expects to win.
        #[arg(long, default_value_t = crate::metrics::quota::DEFAULT_CAPTURE_RATE)]
        capture_rate: f64,
        /// A mid-year change: the date it takes effect (2027-07-01); the total is
        /// prorated to the rest of the year.
        #[arg(long)]
        effective: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List a scenario's sales regions rolled up, or set them from a CSV of
    /// territory,region (a rep's name may stand for the territory) and save them.
    Regions {
        project: PathBuf,
        /// Scenario name (default: the baseline).
        #[arg(long)]
        scenario: Option<String>,
        /// territory,region CSV; a blank region takes the territory out of its region.
        #[arg(long)]
        set: Option<PathBuf>,
        /// Set the regions from the good rows even when some rows are rejected.
        #[arg(long)]
        skip_bad_rows: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Import a road network for drive times from an OpenStreetMap extract (.osm.pbf):
    /// the drivable roads (car profile) are kept in NAME.roads beside the project.
    Roads {
        project: PathBuf,
        /// The extract (e.g. a state from Geofabrik).
        #[arg(long)]
        osm: PathBuf,
    },
    /// Export a scenario: dissolved territory polygons with metrics, ZIP -> territory,
    /// account -> territory/rep, per-territory metrics.
    #[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["territories", "assignment", "accounts", "metrics", "drive_times", "map_image", "report"])))]
    Export {
        project: PathBuf,
        /// Scenario name (default: the baseline).
        #[arg(long)]
        scenario: Option<String>,
        /// Territory polygons: FILE.geojson or FILE.shp (with .shx, .dbf, .prj).
        #[arg(long)]
        territories: Option<PathBuf>,
        /// ZIP -> territory CSV (zip, name, territory, rep).
        #[arg(long)]
        assignment: Option<PathBuf>,
        /// Account -> territory/rep CSV.
        #[arg(long)]
        accounts: Option<PathBuf>,
        /// Per-territory metrics CSV.
        #[arg(long)]
        metrics: Option<PathBuf>,
        /// One-way drive of each account from its rep (road_km, minutes, source: road
        /// network or estimate).
        #[arg(long)]
        drive_times: Option<PathBuf>,
        /// The map as a PNG picture (title, legend, scale bar), drawn without a window.
        #[arg(long)]
        map_image: Option<PathBuf>,
        /// The scenario report for a planning meeting, as PDF: cover, maps, balance,
        /// territories, changes against the baseline and the hand-off list.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Picture width in pixels (--map-image).
        #[arg(long, default_value_t = 1600)]
        width: u32,
        /// Picture height in pixels (--map-image).
        #[arg(long, default_value_t = 1000)]
        height: u32,
        /// 2 draws text and lines twice as large, for slides (--map-image).
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
        /// What the picture's colours show: territory, workload, drivetime, balance,
        /// utilization or attr:NAME (--map-image).
        #[arg(long, default_value = "territory")]
        color_by: String,
        /// The scenario to compare with: the picture shows both maps side by side; the
        /// report's changes are against it (default for --report: the baseline).
        #[arg(long)]
        against: Option<String>,
    },
    /// Build the bundled sample project from registry data (deterministic).
    GenerateSample {
        /// Folder with centroids/ and counties/ (e.g. ../shared/data).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value = SAMPLE_PROJECT)]
        out: PathBuf,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Runs a headless subcommand, writing to `out`.
pub fn run(command: CliCommand, out: &mut dyn Write) -> Result<()> {
    match command {
        CliCommand::Report { project: path, scenario, format, preset } => {
            let mut project = project_file::load(&path)?;
            if let Some(preset) = preset {
                let preset = WorkloadPreset::parse(&preset)
                    .ok_or_else(|| anyhow!("unknown preset '{preset}': use field, inside or strategic"))?;
                project.settings.apply_preset(preset);
            }
            let roads = crate::drivetime::roads::cache::for_project(&project, &path)?;
            let scenario = pick_scenario(&project, scenario.as_deref())?;
            let metrics = ScenarioMetrics::compute_with_roads(&project, scenario, roads);
            project.unit_borders();
            let report = report::build(&project, scenario, &metrics);
            write_report(&report, format, out)
        }
        CliCommand::Compare { project: path, from, to, format, ledger } => {
            let project = project_file::load(&path)?;
            let roads = crate::drivetime::roads::cache::for_project(&project, &path)?;
            let from = pick_scenario(&project, from.as_deref())?;
            let to = pick_scenario(&project, Some(&to))?;
            let comparison = crate::metrics::compare::compare_with_roads(&project, from, to, roads);
            if let Some(path) = ledger {
                crate::io::ledger::write_ledger(&comparison.ledger, &path)?;
            }
            compare::write_comparison(&comparison, format, out)
        }
        CliCommand::Optimize { project: path, territories, balance, tolerance, from, into, disruption, seed, only, allow_pieces, within_regions, leave_out, format } => {
            let (mut project, read) = project_file::load_tracked(&path)?;
            let measure = crate::optimize::project::Measure::parse(&balance).map_err(|e| anyhow!("--balance: {e}"))?;
            let start = pick_scenario(&project, from.as_deref())?.clone();
            let k = territories.unwrap_or(start.territories.len());
            let only = if only.is_empty() {
                None
            } else {
                let ids = only
                    .iter()
                    .map(|name| start.territory_by_name(name.trim()).map(|t| t.id).ok_or_else(|| anyhow!("--only: no territory named '{}' in '{}'", name.trim(), start.name)))
                    .collect::<Result<Vec<_>>>()?;
                Some(ids)
            };
            let options = crate::optimize::project::Options { measure, tolerance, disruption, seed, contiguous: !allow_pieces, within_regions };
            let without = leave_out
                .iter()
                .map(|name| {
                    let name = name.trim();
                    let by_rep = start.territories.iter().find(|t| t.rep.and_then(|r| project.reps.get(r.index())).is_some_and(|r| r.name == name));
                    by_rep.or_else(|| start.territory_by_name(name)).map(|t| t.id).ok_or_else(|| anyhow!("--leave-out: no rep or territory named '{name}' in '{}'", start.name))
                })
                .collect::<Result<Vec<_>>>()?;
            let request = crate::optimize::project::Request { start: start.id, territories: k, only, without, options };
            let roads = crate::drivetime::roads::cache::for_project(&project, &path)?;
            let proposal = request.run(&project, roads.as_deref(), &mut |_| true)?;
            let name = into.unwrap_or_else(|| project.unused_scenario_name(crate::optimize::project::PROPOSAL_NAME));
            let id = project.insert_scenario(crate::optimize::project::proposal_scenario(&project, &proposal, &name))?;
            save_or_set_aside(&project, &path, &read)?;
            let scenario = project.scenario(id).context("the proposal was added")?;
            let s = &proposal.solution;
            let summary = serde_json::json!({
                "scenario": scenario.name,
                "territories": k,
                "max_deviation_pct": s.max_deviation * 100.0,
                "lower_bound_pct": s.lower_bound * 100.0,
                "unforced_max_deviation_pct": s.unforced_deviation * 100.0,
                "noncontiguous_territories": s.noncontiguous,
                "territories_within_tolerance": proposal.within_tolerance(),
                "kept_territories": proposal.kept_territories,
                "mean_weighted_distance_km": s.mean_weighted_distance_km,
                "distances": if proposal.by_road { roads.as_ref().map_or("road network", |r| r.label.as_str()) } else { "straight line" },
                "moved_units": proposal.moved_units,
                "solve_secs": proposal.solve_secs,
                "potential_max_deviation_pct": crate::optimize::project::potential_deviation_pct(&project, scenario),
                "explanation": proposal.explanation,
                "reps_without_territory": proposal.reps_without_territory,
            });
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?,
                _ => {
                    writeln!(out, "Saved scenario '{}' in {}", scenario.name, path.display())?;
                    writeln!(out, "{}", proposal.summary())?;
                    for line in &proposal.explanation {
                        writeln!(out, "  {line}")?;
                    }
                }
            }
            Ok(())
        }
        CliCommand::Screenshot { project: path, out: png, width, height, scenario, color_by, model_window, quotas_window, present, compare, import_dialog, optimize_dialog, map_image_dialog, proposal, view, zones, route_to } => {
            let view = match view.as_deref() {
                Some(text) => {
                    let parts: Vec<f64> = text.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| anyhow!("--view: write LON,LAT,ZOOM, e.g. -98.5,39.8,4"))?;
                    match parts.as_slice() {
                        [lon, lat, zoom] if lon.abs() <= 180.0 && lat.abs() <= 85.0 && (2.0..=18.0).contains(zoom) => Some((*lon, *lat, *zoom)),
                        _ => bail!("--view: write LON,LAT,ZOOM with a zoom from 2 to 18, e.g. -98.5,39.8,4"),
                    }
                }
                None => None,
            };
            let project = project_file::load(&path)?;
            let (scenario, reference) = match compare.as_deref() {
                Some([a, b]) => (pick_scenario(&project, Some(b))?, Some(pick_scenario(&project, Some(a))?.id)),
                _ => (pick_scenario(&project, scenario.as_deref())?, None),
            };
            if !(200..=8000).contains(&width) || !(200..=8000).contains(&height) {
                bail!("--width and --height must be between 200 and 8000 pixels");
            }
            let color_by = crate::colormap::ColorBy::parse(&color_by).map_err(|e| anyhow!("--color-by: {e}"))?;
            // Fail before a window opens when the attribute does not exist.
            let metrics = ScenarioMetrics::compute(&project, scenario);
            crate::colormap::unit_colors(&project, scenario, &metrics, &color_by).map_err(|e| anyhow!("--color-by: {e}"))?;
            let spec = crate::ui::ScreenshotSpec { scenario: scenario.id, out: png.clone(), width, height, color_by, model_window, quotas_window, reference, import_dialog, optimize_dialog, map_image_dialog, proposal, view, present, zones, route_to };
            crate::ui::screenshot(project, Some(path), spec)?;
            writeln!(out, "wrote {}", png.display())?;
            Ok(())
        }
        CliCommand::Profile { project: path, scenario, format, frames, width, height } => {
            let started = std::time::Instant::now();
            let project = project_file::load(&path)?;
            let load_secs = started.elapsed().as_secs_f64();
            let scenario = match scenario.as_deref() {
                Some(name) => Some(pick_scenario(&project, Some(name))?.id),
                None => None,
            };
            if !(200..=8000).contains(&width) || !(200..=8000).contains(&height) {
                bail!("--width and --height must be between 200 and 8000 pixels");
            }
            let report = crate::ui::profile(project, Some(path), scenario, load_secs, frames, [width, height])?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
                _ => {
                    writeln!(out, "{} ZIPs, {} accounts, {} territories", report.units, report.accounts, report.territories)?;
                    writeln!(out, "open             {:>8.2} s (reading the file {:.2} s)", report.open_secs, report.load_secs)?;
                    writeln!(out, "first frame      {:>8.1} ms ({} vertices in the map)", report.first_frame_ms, report.home_mesh_vertices)?;
                    for (what, frame, update, gl) in [
                        ("pan", report.pan_frame_ms_p95, report.pan_update_ms_p95, report.pan_frame_with_gl_ms_p95),
                        ("zoom", report.zoom_frame_ms_p95, report.zoom_update_ms_p95, report.zoom_frame_with_gl_ms_p95),
                        ("edit", report.edit_frame_ms_p95, report.edit_update_ms_p95, report.edit_frame_with_gl_ms_p95),
                    ] {
                        writeln!(out, "{:<16} {frame:>8.1} ms (update {update:.1} ms; with GL calls {gl:.1} ms)", format!("{what} frame p95"))?;
                    }
                    writeln!(out, "lasso + assign   {:>8.1} ms ({} ZIPs)", report.lasso_assign_ms, report.lasso_units)?;
                    writeln!(out, "peak memory      {:>8.0} MB", report.peak_rss_mb)?;
                }
            }
            Ok(())
        }
        CliCommand::New { units, id_field, name_field, accounts, map, accounts_outside, potential_unit, reps, alignment, skip_bad_rows, force, out: path } => {
            let accounts_outside = match accounts_outside {
                OutsideChoice::Keep => crate::io::import::new_project::AccountsOutside::Keep,
                OutsideChoice::Drop => crate::io::import::new_project::AccountsOutside::Drop,
            };
            let spec = files::NewArgs { units, id_field, name_field, accounts, map, accounts_outside, potential_unit, reps, alignment, skip_bad_rows, force, out: path };
            files::new_project(spec, out)
        }
        CliCommand::Export { project, scenario, territories, assignment, accounts, metrics, drive_times, map_image, report, width, height, scale, color_by, against } => {
            let picture = files::PictureArgs { size: crate::ui::map_image::PictureSize { width, height, scale }, color_by, against };
            files::export(&project, scenario.as_deref(), files::ExportTargets { territories, assignment, accounts, metrics, drive_times, map_image, report, picture }, out)
        }
        CliCommand::Regions { project: path, scenario, set, skip_bad_rows, format } => {
            let (mut project, read) = project_file::load_tracked(&path)?;
            let id = pick_scenario(&project, scenario.as_deref())?.id;
            if let Some(file) = set {
                let table = crate::io::import::columns::read_csv(&file)?;
                let target = project.scenario(id).context("the scenario exists")?;
                let import = crate::io::import::regions::build(&table, &project, target)?;
                if !import.rejected.is_empty() && !skip_bad_rows {
                    let rows = table.rows.len();
                    return Err(crate::io::import::ImportError::Rows { path: file.clone(), rows, issues: import.rejected }.into());
                }
                for issue in &import.rejected {
                    writeln!(out, "skipped: {issue}")?;
                }
                project.apply_command(id, import.command)?;
                save_or_set_aside(&project, &path, &read)?;
                writeln!(out, "{} territories changed region; saved {}", import.changed, path.display())?;
            }
            let scenario = project.scenario(id).context("the scenario exists")?;
            let metrics = ScenarioMetrics::compute(&project, scenario);
            let regions = report::regions(scenario, &metrics);
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "scenario": scenario.name, "regions": regions }))?;
                    writeln!(out)?;
                }
                Format::Csv => {
                    let mut writer = csv::Writer::from_writer(&mut *out);
                    // The same columns `--set` reads.
                    writer.write_record(["territory", "region"])?;
                    for t in &scenario.territories {
                        writer.write_record(crate::io::spreadsheet::safe_row([t.name.clone(), t.region.clone().unwrap_or_default()]))?;
                    }
                    writer.flush()?;
                }
                Format::Table if regions.is_empty() => writeln!(out, "'{}' has no regions: set them with --set FILE.csv (territory,region) or in the app", scenario.name)?,
                Format::Table => {
                    writeln!(out, "Regions of '{}':", scenario.name)?;
                    let unit = &project.settings.potential_unit;
                    for g in &regions {
                        let quota = g.quota.map(|q| format!(", quota {}", crate::format::money(q))).unwrap_or_default();
                        let mut names = g.territories.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
                        if g.territories.len() > 6 {
                            names += &format!(" and {} more", g.territories.len() - 6);
                        }
                        writeln!(
                            out,
                            "  {}: {} ({}), {} accounts, potential {}{quota}, max deviation {:.1}%",
                            g.name,
                            crate::format::count(g.territories.len(), "territory", "territories"),
                            names,
                            g.accounts,
                            amount(g.potential, unit),
                            g.max_deviation_pct
                        )?;
                    }
                }
            }
            Ok(())
        }
        CliCommand::Roads { project: path, osm } => {
            let (mut project, read) = project_file::load_tracked(&path)?;
            let started = std::time::Instant::now();
            let network = crate::drivetime::roads::osm::read_pbf(&osm, &|_| true)?;
            let read_secs = started.elapsed().as_secs_f64();
            let file = crate::drivetime::roads::RoadNetwork::path_beside(&path);
            network.save(&file)?;
            let main = network.main.iter().filter(|m| **m).count();
            project.road_network = Some(crate::model::project::RoadNetworkInfo {
                source: osm.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                imported: crate::format::utc_time(std::time::SystemTime::now()),
                nodes: network.node_count() as u64,
                edges: network.edge_count() as u64,
            });
            save_or_set_aside(&project, &path, &read)?;
            writeln!(
                out,
                "read {} in {read_secs:.1} s: {} road junctions, {} road links ({} junctions in the main connected network); saved {}",
                osm.display(),
                network.node_count(),
                network.edge_count(),
                main,
                file.display()
            )?;
            Ok(())
        }
        CliCommand::Quota { project: path, scenario, total, method, weights, capture_rate, effective, format } => {
            let (mut project, read) = project_file::load_tracked(&path)?;
            let method = crate::model::quota::QuotaMethod::parse(&method).ok_or_else(|| anyhow!("--method '{method}': use top-down, bottom-up or hybrid"))?;
            let [potential, revenue, tenure] = weights[..] else { bail!("--weights takes three numbers: potential, revenue, tenure (e.g. 0.6,0.3,0.1)") };
            let id = pick_scenario(&project, scenario.as_deref())?.id;
            let target = project.scenario(id).context("the scenario exists")?;
            let metrics = ScenarioMetrics::compute(&project, target);
            let request = crate::metrics::quota::QuotaRequest {
                method,
                total,
                weights: crate::model::quota::HybridWeights { potential, revenue, tenure },
                capture_rate,
                effective,
            };
            let plan = crate::metrics::quota::plan(&project, target, &metrics, &request).map_err(|e| anyhow!("quota: {e}"))?;
            project.scenario_mut(id).context("the scenario exists")?.quotas = Some(plan);
            save_or_set_aside(&project, &path, &read)?;
            let scenario = project.scenario(id).context("the scenario exists")?;
            let metrics = ScenarioMetrics::compute(&project, scenario);
            let report = report::build(&project, scenario, &metrics);
            match format {
                Format::Table => {
                    writeln!(out, "Quotas of '{}' ({}):", scenario.name, report.quota_method.as_deref().unwrap_or(""))?;
                    writeln!(out, "{:<28} {:<18} {:>16} {:>16} {:>16} {:>7}", "Territory", "Rep", "Potential", "Revenue", "Quota", "Share")?;
                    let total = report.quota_total.unwrap_or(0.0);
                    for r in report.territories.iter().filter(|r| r.quota.is_some()) {
                        let quota = r.quota.unwrap_or(0.0);
                        writeln!(
                            out,
                            "{:<28} {:<18} {:>16} {:>16} {:>16} {:>6.1}%",
                            truncate(&r.name, 28),
                            truncate(r.rep.as_deref().unwrap_or("(vacant)"), 18),
                            amount(r.potential, &report.potential_unit),
                            money(r.revenue),
                            money(quota),
                            if total > 0.0 { quota / total * 100.0 } else { 0.0 }
                        )?;
                    }
                    writeln!(out, "{:<28} {:<18} {:>16} {:>16} {:>16}", "Total", "", "", "", money(total))?;
                    writeln!(out, "saved in {}", path.display())?;
                }
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({
                        "scenario": scenario.name,
                        "method": report.quota_method,
                        "total": report.quota_total,
                        "territories": report.territories.iter().filter(|r| r.quota.is_some()).map(|r| serde_json::json!({"name": r.name, "rep": r.rep, "quota": r.quota})).collect::<Vec<_>>(),
                    }))?;
                    writeln!(out)?;
                }
                Format::Csv => crate::io::export::tables::metrics_csv(&report, out)?,
            }
            Ok(())
        }
        CliCommand::GenerateSample { data, out: path, seed } => {
            let mut spec = crate::sample::SampleSpec::mid_atlantic();
            spec.seed = seed;
            let project = crate::sample::generate(&data, &spec)?;
            project_file::save(&project, &path)?;
            writeln!(
                out,
                "wrote {}: {} ZIP areas, {} accounts, {} reps",
                path.display(),
                project.units.len(),
                project.accounts.len(),
                project.reps.len()
            )?;
            Ok(())
        }
    }
}

/// Finds a scenario by name, or the baseline when no name is given.
pub fn pick_scenario<'a>(project: &'a Project, name: Option<&str>) -> Result<&'a Scenario> {
    match name {
        Some(name) => project.scenario_by_name(name).ok_or_else(|| {
            let names: Vec<_> = project.scenarios.iter().map(|s| format!("'{}'", s.name)).collect();
            anyhow!("no scenario named '{name}'; the project has {}", names.join(", "))
        }),
        None => project.baseline_scenario().context("the project has no baseline scenario"),
    }
}

pub fn write_report(report: &Report, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
        Format::Csv => crate::io::export::tables::metrics_csv(report, out)?,
        Format::Table => write_table(report, out)?,
    }
    Ok(())
}

fn write_table(report: &Report, out: &mut dyn Write) -> Result<()> {
    let baseline = if report.baseline { " (baseline)" } else { "" };
    writeln!(out, "Scenario: {}{baseline}", report.scenario)?;
    writeln!(out, "Drive times: {}", report.drive_model)?;
    writeln!(
        out,
        "{:<28} {:<18} {:>6} {:>8} {:>14} {:>9} {:>9} {:>8} {:>7} {:>8} {:>8} {:>7}",
        "Territory", "Rep", "ZIPs", "Accounts", "Potential", "Visit h", "Drive h", "Workload", "Index", "Dev %", "Drive km", "Compact"
    )?;
    for r in &report.territories {
        writeln!(
            out,
            "{:<28} {:<18} {:>6} {:>8} {:>14} {:>9.0} {:>9.0} {:>8.2} {:>7.2} {:>+8.1} {:>8.0} {:>7}",
            truncate(&r.name, 28),
            truncate(r.rep.as_deref().unwrap_or("(vacant)"), 18),
            r.units,
            r.accounts,
            amount(r.potential, &report.potential_unit),
            r.visit_hours,
            r.drive_hours,
            r.workload,
            r.workload_index,
            r.deviation_pct,
            r.mean_drive_km,
            r.compactness.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into())
        )?;
    }
    let c = &report.capacity;
    writeln!(
        out,
        "Capacity: {:.0} h needed a year, {:.0} h per rep: {:.1} reps needed ({} staffed); one rep carries about {:.0} active accounts",
        c.hours_needed, c.mean_capacity_hours, c.reps_needed, c.reps, c.accounts_per_rep
    )?;
    if !c.over_capacity.is_empty() {
        writeln!(out, "  over capacity: {}", c.over_capacity.join(", "))?;
    }
    if !c.under_used.is_empty() {
        writeln!(out, "  under-used: {}", c.under_used.join(", "))?;
    }
    let kpis: Vec<String> = report
        .territories
        .iter()
        .filter(|r| r.name != report::UNASSIGNED_ROW)
        .map(|r| {
            let quota = r.quota.map(|q| format!(", quota {}", crate::format::money(q))).unwrap_or_default();
            let coverage = r.coverage_pct.map(|c| format!(", coverage {c:.0}%")).unwrap_or_default();
            let pipeline = match (r.pipeline, r.pipeline_coverage) {
                (Some(p), Some(x)) => format!(", pipeline {} ({x:.1}x of quota to win)", crate::format::money(p)),
                (Some(p), None) => format!(", pipeline {}", crate::format::money(p)),
                _ => String::new(),
            };
            format!(
                "  {}: utilization {:.0}%, penetration {:.0}%, white space {} accounts ({}){quota}{coverage}{pipeline}",
                r.name,
                r.utilization_pct,
                r.penetration_pct,
                r.white_space_accounts,
                amount(r.white_space_potential, &report.potential_unit)
            )
        })
        .collect();
    writeln!(out, "Per territory:")?;
    for line in kpis {
        writeln!(out, "{line}")?;
    }
    if let (Some(method), Some(total)) = (&report.quota_method, report.quota_total) {
        writeln!(out, "Quotas: {method}, {} in all", crate::format::money(total))?;
    }
    if let Some(warning) = &report.quota_warning {
        writeln!(out, "  warning: {warning}")?;
    }
    if !c.pipeline_short.is_empty() {
        writeln!(out, "  pipeline under {:.0}x the quota still to win: {}", c.pipeline_coverage_target, c.pipeline_short.join(", "))?;
    }
    if !report.regions.is_empty() {
        writeln!(out, "Regions:")?;
        for g in &report.regions {
            let quota = g.quota.map(|q| format!(", quota {}", crate::format::money(q))).unwrap_or_default();
            writeln!(
                out,
                "  {}: {}, {} accounts, potential {}{quota}, utilization {:.0}%, max deviation {:.1}%, index {:.2}-{:.2}",
                g.name,
                crate::format::count(g.territories.len(), "territory", "territories"),
                g.accounts,
                amount(g.potential, &report.potential_unit),
                g.utilization_pct,
                g.max_deviation_pct,
                g.workload_index_min,
                g.workload_index_max
            )?;
        }
    }
    if report.outside_accounts > 0 {
        writeln!(
            out,
            "Outside every ZIP: {} accounts, potential {} (not part of the plan; `new --accounts-outside drop` leaves them out)",
            report.outside_accounts,
            amount(report.outside_potential, &report.potential_unit)
        )?;
    }
    let b = &report.balance;
    writeln!(out)?;
    if report.territories.len() < 2 {
        // Balance compares territories: a new project (one pool) has nothing to compare.
        writeln!(out, "Balance: needs two territories or more (import an alignment, or run `optimize` to propose them).")?;
        return Ok(());
    }
    writeln!(
        out,
        "Balance: Gini potential {:.3}, Gini workload {:.3}, max deviation {:.1}%, quartile ratio {}, index {:.2}-{:.2}",
        b.gini_potential,
        b.gini_workload,
        b.max_deviation_pct,
        b.quartile_ratio.map(|q| format!("{q:.2}x")).unwrap_or_else(|| "unbounded".into()),
        b.workload_index_min,
        b.workload_index_max
    )?;
    if b.balanced {
        writeln!(out, "Balanced: every figure is within its threshold.")?;
    } else {
        writeln!(out, "Unbalanced:")?;
        for flag in &b.flags {
            writeln!(out, "  - {flag}")?;
        }
    }
    Ok(())
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// Loads the project the app should open: the given one, or the bundled sample. The
/// sample of an installed package (read-only, under /usr/share) opens without a path,
/// so the first save asks where to keep the planner's copy.
pub fn project_to_open(path: Option<PathBuf>) -> Result<(Option<PathBuf>, Project)> {
    let (path, keep_path) = match path {
        Some(path) => (path, true),
        None => match sample_path() {
            Some(sample) => {
                let in_repository = sample == std::path::Path::new(SAMPLE_PROJECT);
                (sample, in_repository)
            }
            None => bail!("the bundled sample is not installed ({SAMPLE_PROJECT} or /usr/share/territory-designer/mid_atlantic.tdproj); give a project file"),
        },
    };
    if !path.exists() {
        bail!("{} does not exist", path.display());
    }
    let project = project_file::load(&path)?;
    Ok((keep_path.then_some(path), project))
}

/// Where the bundled sample is: in the source tree, or where the package put it
/// (beside the binary's `../share`, then `/usr/share`).
fn sample_path() -> Option<PathBuf> {
    let in_repository = PathBuf::from(SAMPLE_PROJECT);
    let beside_binary = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|bin| bin.join("../share/territory-designer/mid_atlantic.tdproj")));
    [Some(in_repository), beside_binary, Some(PathBuf::from("/usr/share/territory-designer/mid_atlantic.tdproj"))].into_iter().flatten().find(|p| p.exists())
}

/// Saves a command's result over the project it read, unless someone changed the file
/// meanwhile: then the result goes beside it (`NAME (conflict ...).tdproj`) and the
/// command fails, saying where.
fn save_or_set_aside(project: &Project, path: &std::path::Path, read: &crate::io::shared_file::Fingerprint) -> Result<()> {
    match project_file::save_checked(project, path, Some(read)) {
        Ok(_) => Ok(()),
        Err(project_file::ProjectFileError::ChangedOnDisk { .. }) => {
            let aside = crate::io::shared_file::conflict_path(path, std::time::SystemTime::now());
            project_file::save(project, &aside)?;
            bail!(
                "{} was changed by someone else while this command ran; it was not overwritten. The result is saved as {}: open both and keep what you need",
                path.display(),
                aside.display()
            )
        }
        Err(other) => Err(other.into()),
    }
}

/// Whether the command failed only because its reader went away (`report | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind) == Some(std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<csv::Error>().is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_for_a_file_changed_meanwhile_is_set_aside_not_saved_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.tdproj");
        let mut project = crate::fixtures::grid_project(4, 4, 0.1, 20, 2, 5);
        project_file::save(&project, &path).unwrap();
        let (_, read) = project_file::load_tracked(&path).unwrap();
        // The app saves the planner's edits while the command runs.
        project.name = "the planner's edits".into();
        project_file::save(&project, &path).unwrap();
        let mut result = project.clone();
        result.name = "the command's result".into();
        let err = save_or_set_aside(&result, &path, &read).unwrap_err().to_string();
        assert!(err.contains("was changed by someone else") && err.contains("(conflict "), "{err}");
        assert_eq!(project_file::load(&path).unwrap().name, "the planner's edits");
        let aside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().contains("(conflict ")).collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(project_file::load(&aside[0]).unwrap().name, "the command's result");
        // Unchanged: saved over as usual.
        let (_, read) = project_file::load_tracked(&path).unwrap();
        save_or_set_aside(&result, &path, &read).unwrap();
        assert_eq!(project_file::load(&path).unwrap().name, "the command's result");
    }
}
