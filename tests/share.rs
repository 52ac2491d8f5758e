//! Sharing the plan: the map picture (PNG, drawn without a window) and the scenario
//! report (PDF, read back as text with pdftotext), headless and from the app.

mod common;

use egui_kittest::kittest::Queryable;
use std::path::Path;
use std::process::Command;
use territory_designer::colormap::ColorBy;
use territory_designer::io::project_file;
use territory_designer::metrics::{report, ScenarioMetrics};
use territory_designer::model::project::Project;
use territory_designer::ui::map_image::{self, MapImageSpec, PictureSize};
use territory_designer::ui::AppAction;

fn sample() -> Project {
    project_file::load(Path::new("sample_maps/mid_atlantic.tdproj")).expect("the sample loads")
}

fn png_size(path: &Path) -> [u32; 2] {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).expect("the PNG exists")));
    let reader = decoder.read_info().expect("a PNG");
    [reader.info().width, reader.info().height]
}

/// The PDF's text, as a reader's copy-paste would give it.
fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext").args(["-layout"]).arg(path).arg("-").output().expect("pdftotext runs (install poppler-utils; .ci/run does)");
    assert!(out.status.success(), "pdftotext parses the PDF: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

#[test]
fn the_map_picture_has_the_asked_size_and_shows_the_territories() {
    let project = sample();
    let scenario = project.baseline;
    let colours: Vec<[u8; 3]> = project.scenario(scenario).unwrap().territories.iter().map(|t| [t.color.0, t.color.1, t.color.2]).collect();
    let spec = MapImageSpec { scenario, roads: None, size: PictureSize { width: 900, height: 560, scale: 1.0 }, color_by: ColorBy::Territory, reference: None };
    let image = map_image::render(project.clone(), &spec).expect("drawn");
    assert_eq!(image.size, [900, 560]);
    // Territory fills are the territory colours, translucent over the basemap: every
    // territory shows as a patch of pixels near its own colour.
    let near = |p: &egui::Color32, c: &[u8; 3]| (0..3).all(|i| (p[i] as i32 - c[i] as i32).abs() < 70);
    let shown = colours.iter().filter(|c| image.pixels.iter().filter(|p| near(p, c)).count() > 200).count();
    assert!(shown >= colours.len() - 1, "{shown} of {} territories visible", colours.len());
    let white_rows = image.pixels.chunks(900).take(40).filter(|row| row.iter().filter(|p| p.r() < 128).count() > 5).count();
    assert!(white_rows > 5, "the title is written in the strip above the map");

    // 2x for slides: the same map, twice the pixels.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("slide.png");
    let spec = MapImageSpec { size: PictureSize { width: 1800, height: 1120, scale: 2.0 }, color_by: ColorBy::Workload, ..spec };
    map_image::write(project, &spec, &out).expect("written");
    assert_eq!(png_size(&out), [1800, 1120]);
}

#[test]
fn export_map_image_from_the_command_line_and_its_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compare.png");
    let bin = env!("CARGO_BIN_EXE_territory-designer");
    let run = |args: &[&str]| Command::new(bin).args(args).output().expect("runs");
    let ok = run(&["export", "sample_maps/mid_atlantic.tdproj", "--scenario", "2027 proposal", "--against", "2026 alignment", "--map-image", out.to_str().unwrap(), "--width", "1200", "--height", "700"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(png_size(&out), [1200, 700]);
    let small = run(&["export", "sample_maps/mid_atlantic.tdproj", "--map-image", dir.path().join("x.png").to_str().unwrap(), "--width", "300", "--height", "200"]);
    assert!(!small.status.success());
    assert!(String::from_utf8_lossy(&small.stderr).contains("at least 320x240"), "{}", String::from_utf8_lossy(&small.stderr));
    let mode = run(&["export", "sample_maps/mid_atlantic.tdproj", "--map-image", dir.path().join("y.png").to_str().unwrap(), "--color-by", "sunshine"]);
    assert!(String::from_utf8_lossy(&mode.stderr).contains("--color-by"));
    assert!(!dir.path().join("x.png").exists() && !dir.path().join("y.png").exists(), "nothing written on refusal");
}

#[test]
fn the_report_pdf_has_the_reports_names_and_totals_as_text() {
    let project = sample();
    let scenario = project.scenario_by_name("2027 proposal").expect("the proposal").id;
    let baseline = project.baseline;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.pdf");
    let pages = map_image::write_report(project.clone(), scenario, Some(baseline), None, &out).expect("written");
    assert!(pages >= 4, "cover, workload map, tables, changes: {pages} pages");
    let text = pdf_text(&out);

    let s = project.scenario(scenario).unwrap();
    let expected = report::build(&project, s, &ScenarioMetrics::compute(&project, s));
    for row in &expected.territories {
        assert!(text.contains(&row.name), "territory {} is in the PDF", row.name);
        assert!(text.contains(&territory_designer::format::amount(row.potential, "")), "{}'s potential", row.name);
        assert!(text.contains(&format!("{:.2}", row.workload_index)), "{}'s workload index", row.name);
    }
    assert!(text.contains(&territory_designer::format::amount(expected.total_accounts as f64, "")), "total accounts");
    assert!(text.contains(&territory_designer::format::amount(expected.total_potential, "")), "total potential");
    let comparison = territory_designer::metrics::compare::compare(&project, project.scenario(baseline).unwrap(), s);
    assert!(text.contains("Changes against '2026 alignment'"));
    assert!(text.contains(&format!("{} accounts change territory", territory_designer::format::amount(comparison.moved_accounts as f64, ""))));
    let largest = comparison.ledger.iter().max_by(|a, b| a.revenue.total_cmp(&b.revenue)).expect("moves");
    assert!(text.contains(&largest.account), "the largest hand-off ({}) is listed", largest.account);
    assert!(text.contains("Balance summary") && text.contains("Hand-offs") && text.contains("Who hands over to whom"));
}

#[test]
fn the_report_from_the_command_line_defaults_to_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.pdf");
    let bin = env!("CARGO_BIN_EXE_territory-designer");
    let ok = Command::new(bin).args(["export", "sample_maps/mid_atlantic.tdproj", "--scenario", "2027 proposal", "--report"]).arg(&out).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("compared with '2026 alignment'"));
    assert!(pdf_text(&out).contains("compared with '2026 alignment'"));
    // The baseline itself has nothing to compare with.
    let base = dir.path().join("b.pdf");
    let ok = Command::new(bin).args(["export", "sample_maps/mid_atlantic.tdproj", "--report"]).arg(&base).output().unwrap();
    assert!(ok.status.success());
    let text = pdf_text(&base);
    assert!(text.contains("no baseline to compare with") && !text.contains("Changes against"));
}

#[test]
fn the_app_exports_the_map_image_and_the_report() {
    let mut harness = common::harness();
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Export").click();
    harness.run_steps(2);
    harness.get_by_label("Map image (PNG)…").click();
    harness.run_steps(3);
    assert!(harness.query_by_label("Save as PNG…").is_some(), "the dialog is open");
    harness.get_by_label("Slide 16:9").click();
    harness.run_steps(2);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("map.png");
    // The file dialog is the desktop's; the action it leads to is this one.
    harness.state_mut().act(AppAction::ExportMapImage(Some(png.clone())));
    common::step_until(&mut harness, |app| app.picture_export.is_none() && app.export_job.is_none());
    assert_eq!(png_size(&png), [1920, 1080]);
    assert!(harness.state().notice.as_ref().is_some_and(|n| n.text.contains("Saved the map image")));
    // The window's own map was not moved by the picture.
    let before = harness.state().view.map.last_rect;
    harness.run_steps(2);
    assert_eq!(harness.state().view.map.last_rect, before);

    let pdf = dir.path().join("report.pdf");
    harness.state_mut().act(AppAction::ExportReport(Some(pdf.clone())));
    common::step_until(&mut harness, |app| app.picture_export.is_none() && app.export_job.is_none());
    let text = pdf_text(&pdf);
    assert!(text.contains(&harness.state().session.scenario().name));
    assert!(text.contains("Territories"));
}

#[test]
fn a_report_without_maps_or_baseline_still_reads_well() {
    let project = territory_designer::fixtures::grid_project(8, 5, 0.1, 400, 3, 11);
    let scenario = project.scenario(project.baseline).unwrap();
    let spec = territory_designer::io::export::report_pdf::ReportSpec { project: &project, scenario, baseline: None, maps: Vec::new(), date: "2026-12-04".into(), roads: None };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grid.pdf");
    let pages = territory_designer::io::export::report_pdf::write(&spec, &out).expect("written");
    assert_eq!(pages, 2, "cover, then balance and territories");
    let text = pdf_text(&out);
    for t in &scenario.territories {
        assert!(text.contains(&t.name), "{}", t.name);
    }
    assert!(text.contains("no baseline to compare with") && text.contains("2026-12-04"));
    let lines = territory_designer::io::export::report_pdf::plain_balance(
        &report::build(&project, scenario, &ScenarioMetrics::compute(&project, scenario)),
        &project.settings.thresholds,
    );
    assert!(lines[0].starts_with("Each territory has"), "{lines:?}");
    assert!(lines.iter().all(|l| text.contains(&l[..l.len().min(40)])), "the plain-word lines are in the PDF");
}
