//! The scenario report for a planning meeting, as one PDF a sales VP can read without
//! the app: a cover with the territory map, the workload map, the balance in plain
//! words, one row per territory, the changes against the baseline and the hand-off list.
//! The text is real text in the font the app ships (searchable, copyable).

use crate::format;
use crate::metrics::compare::{Comparison, LedgerRow};
use crate::metrics::report::{self, Report, ReportRow};
use crate::metrics::ScenarioMetrics;
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::model::settings::BalanceThresholds;
use printpdf::{Color, ImageTransform, ImageXObject, IndirectFontRef, Line, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference, Point, Px, Rgb};
use std::path::{Path, PathBuf};

/// US Letter, landscape.
const PAGE_W: f32 = 279.4;
const PAGE_H: f32 = 215.9;
const MARGIN: f32 = 14.0;
/// Millimetres per typographic point.
const PT: f32 = 0.352_778;
/// Moves listed in the hand-off table; the ledger export has them all.
const HANDOFF_ROWS: usize = 40;

/// A map picture to put in the report (8-bit RGB, row by row).
pub struct MapPicture {
    /// The heading of the page the picture has to itself.
    pub title: String,
    pub caption: String,
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// What the report is about.
pub struct ReportSpec<'a> {
    pub project: &'a Project,
    pub scenario: &'a Scenario,
    /// The scenario the changes are measured against.
    pub baseline: Option<&'a Scenario>,
    /// The territory map first, then the workload map.
    pub maps: Vec<MapPicture>,
    /// The day the report is made, "2026-12-04".
    pub date: String,
    /// Road drive times, when the project has a road network.
    pub roads: Option<std::sync::Arc<crate::drivetime::roads::cache::RoadTimes>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportPdfError {
    #[error("the report's font cannot be read: {0}")]
    Font(String),
    #[error("cannot build the PDF: {0}")]
    Pdf(String),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Writes the report (whole, then renamed into place) and returns its page count.
pub fn write(spec: &ReportSpec<'_>, path: &Path) -> Result<usize, ReportPdfError> {
    let (bytes, pages) = build(spec)?;
    crate::io::atomic::write_atomically(path, &bytes).map_err(|source| ReportPdfError::Write { path: path.to_path_buf(), source })?;
    Ok(pages)
}

/// The report as PDF bytes, and its page count.
pub fn build(spec: &ReportSpec<'_>) -> Result<(Vec<u8>, usize), ReportPdfError> {
    let project = spec.project;
    let metrics = ScenarioMetrics::compute_with_roads(project, spec.scenario, spec.roads.clone());
    let report = report::build(project, spec.scenario, &metrics);
    let comparison = spec.baseline.filter(|b| b.id != spec.scenario.id).map(|b| crate::metrics::compare::compare_with_roads(project, b, spec.scenario, spec.roads.clone()));
    let title = format!("{} - {}", spec.scenario.name, if project.name.is_empty() { "territory plan" } else { &project.name });
    let mut pdf = Pdf::new(&title, format!("{} · {}", project.name, spec.scenario.name))?;
    cover(&mut pdf, spec, &report, comparison.as_ref());
    for map in spec.maps.iter().skip(1) {
        pdf.new_page();
        pdf.heading(&map.title);
        pdf.picture(map, PAGE_H - 2.0 * MARGIN - 22.0);
    }
    pdf.new_page();
    balance_section(&mut pdf, &report, &project.settings.thresholds);
    territory_table(&mut pdf, &report);
    if let Some(c) = &comparison {
        pdf.new_page();
        changes_section(&mut pdf, c);
        flows(&mut pdf, &c.ledger, &c.potential_unit);
        handoffs(&mut pdf, &c.ledger, &c.potential_unit);
    }
    let pages = pdf.pages;
    let bytes = pdf.doc.save_to_bytes().map_err(|e| ReportPdfError::Pdf(e.to_string()))?;
    Ok((bytes, pages))
}

fn cover(pdf: &mut Pdf, spec: &ReportSpec<'_>, report: &Report, comparison: Option<&Comparison>) {
    let project = spec.project;
    pdf.text(MARGIN, pdf.y, 10.0, INK_SOFT, "TERRITORY PLAN");
    pdf.y -= 11.0;
    pdf.bold(MARGIN, pdf.y, 24.0, INK, &spec.scenario.name);
    pdf.y -= 8.0;
    let project_line = if project.name.is_empty() { String::new() } else { format!("{} · ", project.name) };
    let against = match comparison {
        Some(c) => format!("compared with '{}'", c.from),
        None => "no baseline to compare with".to_string(),
    };
    pdf.text(MARGIN, pdf.y, 12.0, INK_SOFT, &format!("{project_line}{} · {against}", spec.date));
    pdf.y -= 6.0;
    let unit = &report.potential_unit;
    let territories = report.territories.iter().filter(|r| r.name != report::UNASSIGNED_ROW).count();
    let mut figures = vec![
        ("Territories".to_string(), territories.to_string()),
        ("Accounts".to_string(), format::amount(report.total_accounts as f64, "")),
        ("Potential".to_string(), format::short_amount(report.total_potential, unit)),
        ("Workload index".to_string(), if territories == 0 { "-".to_string() } else { format!("{:.2} - {:.2}", report.balance.workload_index_min, report.balance.workload_index_max) }),
        ("Balance".to_string(), match (territories, report.balance.balanced) {
            (0, _) => "no territories".to_string(),
            (_, true) => "within targets".to_string(),
            (_, false) => format::count(report.balance.flags.len(), "issue", "issues"),
        }),
    ];
    if let Some(c) = comparison {
        figures.push(("Accounts moving".to_string(), format::amount(c.moved_accounts as f64, "")));
    }
    let box_w = (PAGE_W - 2.0 * MARGIN - 4.0 * (figures.len() - 1) as f32) / figures.len() as f32;
    for (i, (label, value)) in figures.iter().enumerate() {
        let x = MARGIN + i as f32 * (box_w + 4.0);
        pdf.fill_rect(x, pdf.y - 15.0, box_w, 15.0, PANEL);
        pdf.text(x + 3.0, pdf.y - 5.0, 8.5, INK_SOFT, label);
        pdf.bold(x + 3.0, pdf.y - 12.0, 13.0, INK, value);
    }
    pdf.y -= 20.0;
    if let Some(map) = spec.maps.first() {
        let room = pdf.y - MARGIN - 10.0;
        pdf.picture(map, room);
    }
}

/// Balance in plain words, then the threshold checks and capacity.
fn balance_section(pdf: &mut Pdf, report: &Report, th: &BalanceThresholds) {
    pdf.heading("Balance summary");
    for line in plain_balance(report, th) {
        pdf.bullet(&line);
    }
    if !report.balance.flags.is_empty() {
        pdf.y -= 2.0;
        pdf.text(MARGIN, pdf.y, 10.0, INK_SOFT, "Checks against the planning targets:");
        pdf.y -= 5.0;
        for flag in &report.balance.flags {
            pdf.bullet(flag);
        }
    }
    pdf.y -= 4.0;
}

/// What the balance means, for someone who does not know what a Gini coefficient is.
pub fn plain_balance(report: &Report, th: &BalanceThresholds) -> Vec<String> {
    let b = &report.balance;
    let rows: Vec<&ReportRow> = report.territories.iter().filter(|r| r.name != report::UNASSIGNED_ROW).collect();
    let mut lines = Vec::new();
    if rows.is_empty() {
        return vec!["The scenario has no territories yet.".into()];
    }
    let unit = &report.potential_unit;
    let (low, high) = rows.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| (lo.min(r.deviation_pct), hi.max(r.deviation_pct)));
    lines.push(format!(
        "Each territory has {} of potential on average. The smallest is {:.0}% below it and the largest {:.0}% above; the target is within {:.0}%.",
        format::short_amount(b.mean_potential, unit),
        (-low).max(0.0),
        high.max(0.0),
        th.tolerance * 100.0
    ));
    let over: Vec<&str> = rows.iter().filter(|r| r.workload_index > th.index_high).map(|r| r.name.as_str()).collect();
    let under: Vec<&str> = rows.iter().filter(|r| r.workload_index < th.index_low).map(|r| r.name.as_str()).collect();
    if over.is_empty() && under.is_empty() {
        lines.push(format!("Every territory's workload is within {:.1}-{:.1} times the team average.", th.index_low, th.index_high));
    } else {
        if !over.is_empty() {
            lines.push(format!("{} more work than the team average allows (index above {:.1}): {}.", have(over.len()), th.index_high, names(&over)));
        }
        if !under.is_empty() {
            lines.push(format!("{} too little work (index below {:.1}): {}.", have(under.len()), th.index_low, names(&under)));
        }
    }
    let c = &report.capacity;
    lines.push(format!(
        "The workload needs {:.1} reps for the {} staffed, at {} selling hours a rep a year.",
        c.reps_needed,
        c.reps,
        format::amount(c.mean_capacity_hours, "")
    ));
    if !c.over_capacity.is_empty() {
        let over: Vec<&str> = c.over_capacity.iter().map(String::as_str).collect();
        lines.push(format!("{} more hours than the rep has: {}.", need(over.len()), names(&over)));
    }
    if report.unassigned_accounts > 0 {
        lines.push(format!("{} in no territory yet.", format::count(report.unassigned_accounts as usize, "account is", "accounts are")));
    }
    if let (Some(total), Some(method)) = (report.quota_total, &report.quota_method) {
        lines.push(format!("Quotas total {} ({method}).", format::money(total)));
    }
    if let Some(warning) = &report.quota_warning {
        lines.push(format!("Quotas: {warning}"));
    }
    lines
}

fn have(n: usize) -> String {
    format!("{} {}", format::count(n, "territory", "territories"), if n == 1 { "has" } else { "have" })
}

fn need(n: usize) -> String {
    format!("{} {}", format::count(n, "territory", "territories"), if n == 1 { "needs" } else { "need" })
}

/// Up to eight names, then how many more.
fn names(list: &[&str]) -> String {
    let shown = list.iter().take(8).copied().collect::<Vec<_>>().join(", ");
    if list.len() > 8 {
        format!("{shown} and {} more", list.len() - 8)
    } else {
        shown
    }
}

fn territory_table(pdf: &mut Pdf, report: &Report) {
    pdf.heading("Territories");
    let unit = &report.potential_unit;
    let has_quota = report.territories.iter().any(|r| r.quota.is_some());
    let has_coverage = report.territories.iter().any(|r| r.coverage_pct.is_some());
    let has_pipeline = report.territories.iter().any(|r| r.pipeline_coverage.is_some());
    let mut columns = vec![
        Column::left("Territory", 52.0),
        Column::left("Rep", 40.0),
        Column::right("ZIPs", 13.0),
        Column::right("Accounts", 17.0),
        Column::right(&format!("Potential ({unit})"), 26.0),
        Column::right("Index", 13.0),
        Column::right("Deviation", 17.0),
        Column::right("Drive h", 15.0),
    ];
    if has_quota {
        columns.push(Column::right("Quota", 22.0));
    }
    if has_coverage {
        columns.push(Column::right("Coverage", 17.0));
    }
    if has_pipeline {
        columns.push(Column::right("Pipeline", 16.0));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for r in &report.territories {
        // The pool of ZIPs in no territory has no rep and is not measured against the team.
        let pool = r.name == report::UNASSIGNED_ROW;
        let mut row = vec![
            r.name.clone(),
            if pool { String::new() } else { r.rep.clone().unwrap_or_else(|| "vacant".into()) },
            format::amount(r.units as f64, ""),
            format::amount(r.accounts as f64, ""),
            format::amount(r.potential, ""),
            if pool { String::new() } else { format!("{:.2}", r.workload_index) },
            if pool { String::new() } else { format!("{:+.1}%", r.deviation_pct) },
            format::amount(r.drive_hours, ""),
        ];
        if has_quota {
            row.push(r.quota.map(format::money).unwrap_or_default());
        }
        if has_coverage {
            row.push(r.coverage_pct.map(|c| format!("{c:.0}%")).unwrap_or_default());
        }
        if has_pipeline {
            row.push(r.pipeline_coverage.map(|c| format!("{c:.1}x")).unwrap_or_default());
        }
        rows.push(row);
    }
    let mut total = vec![
        "Total".to_string(),
        String::new(),
        format::amount(report.territories.iter().map(|r| r.units).sum::<u32>() as f64, ""),
        format::amount(report.total_accounts as f64, ""),
        format::amount(report.total_potential, ""),
        String::new(),
        String::new(),
        format::amount(report.territories.iter().map(|r| r.drive_hours).sum(), ""),
    ];
    if has_quota {
        total.push(report.quota_total.map(format::money).unwrap_or_default());
    }
    total.extend(std::iter::repeat_n(String::new(), usize::from(has_coverage) + usize::from(has_pipeline)));
    pdf.table(&columns, &rows, Some(&total));
    pdf.note("Index: workload against the team average (1.0 = average). Deviation: potential against the average territory. Drive h: a year's driving to the accounts. Coverage: accounts contacted. Pipeline: open pipeline over the quota still to win.");
    pdf.note(&format!("Drive times: {}.", report.drive_model));
}

fn changes_section(pdf: &mut Pdf, c: &Comparison) {
    pdf.heading(&format!("Changes against '{}'", c.from));
    let unit = &c.potential_unit;
    pdf.bullet(&format!(
        "{} and {} change territory: {} of potential and {} of revenue ({:.1}% of the revenue) move.",
        format::count_grouped(c.moved_units, "ZIP", "ZIPs"),
        format::count_grouped(c.moved_accounts, "account", "accounts"),
        format::short_amount(c.moved_potential, unit),
        format::short_money(c.moved_revenue),
        c.moved_revenue_pct
    ));
    if let Some(q) = c.moved_quota {
        pdf.bullet(&format!("{} of quota moves with them.", format::money(q)));
    }
    pdf.bullet(&format!(
        "Largest deviation from the average territory: {:.1}% before, {:.1}% after. Workload index {:.2}-{:.2} before, {:.2}-{:.2} after.",
        c.balance_before.max_deviation_pct,
        c.balance_after.max_deviation_pct,
        c.balance_before.workload_index_min,
        c.balance_before.workload_index_max,
        c.balance_after.workload_index_min,
        c.balance_after.workload_index_max
    ));
    pdf.y -= 2.0;
    let columns = [
        Column::left("Territory", 56.0),
        Column::right("Accounts before", 26.0),
        Column::right("after", 18.0),
        Column::right(&format!("Potential ({unit}) before"), 36.0),
        Column::right("after", 26.0),
        Column::right("change", 26.0),
        Column::right("Index before", 22.0),
        Column::right("after", 14.0),
    ];
    let rows: Vec<Vec<String>> = c
        .territories
        .iter()
        .filter(|t| t.before != t.after)
        .map(|t| {
            let (ab, aa) = (t.before.as_ref().map_or(0, |r| r.accounts), t.after.as_ref().map_or(0, |r| r.accounts));
            let (pb, pa) = (t.before.as_ref().map_or(0.0, |r| r.potential), t.after.as_ref().map_or(0.0, |r| r.potential));
            let index = |r: &Option<ReportRow>| r.as_ref().map_or("-".to_string(), |r| format!("{:.2}", r.workload_index));
            vec![
                t.name.clone(),
                format::amount(ab as f64, ""),
                format::amount(aa as f64, ""),
                format::amount(pb, ""),
                format::amount(pa, ""),
                signed(pa - pb),
                index(&t.before),
                index(&t.after),
            ]
        })
        .collect();
    if rows.is_empty() {
        pdf.bullet("No territory changes.");
    } else {
        pdf.table(&columns, &rows, None);
    }
}

fn signed(value: f64) -> String {
    let text = format::amount(value.abs(), "");
    if value.round() > 0.0 {
        format!("+{text}")
    } else if value.round() < 0.0 {
        format!("-{text}")
    } else {
        "0".into()
    }
}

/// Territory pairs that hand accounts over, largest revenue first.
fn flows(pdf: &mut Pdf, ledger: &[LedgerRow], unit: &str) {
    if ledger.is_empty() {
        return;
    }
    let mut pairs: std::collections::BTreeMap<(&str, &str), (usize, f64, f64)> = std::collections::BTreeMap::new();
    for m in ledger {
        let entry = pairs.entry((m.from_territory.as_str(), m.to_territory.as_str())).or_default();
        entry.0 += 1;
        entry.1 += m.revenue;
        entry.2 += m.potential;
    }
    let mut pairs: Vec<_> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1).then(b.1 .0.cmp(&a.1 .0)));
    pdf.y -= 4.0;
    pdf.ensure(40.0);
    pdf.heading("Who hands over to whom");
    let columns = [
        Column::left("From territory", 64.0),
        Column::left("To territory", 64.0),
        Column::right("Accounts", 20.0),
        Column::right("Revenue", 30.0),
        Column::right(&format!("Potential ({unit})"), 32.0),
    ];
    let rows: Vec<Vec<String>> = pairs
        .iter()
        .take(HANDOFF_ROWS)
        .map(|((from, to), (n, revenue, potential))| vec![from.to_string(), to.to_string(), format::amount(*n as f64, ""), format::money(*revenue), format::amount(*potential, "")])
        .collect();
    pdf.table(&columns, &rows, None);
    if pairs.len() > HANDOFF_ROWS {
        pdf.note(&format!("The {HANDOFF_ROWS} largest of {} pairs of territories.", pairs.len()));
    }
}

/// The largest moves by revenue, then potential: who hands which account to whom.
fn handoffs(pdf: &mut Pdf, ledger: &[LedgerRow], unit: &str) {
    if ledger.is_empty() {
        return;
    }
    pdf.y -= 4.0;
    pdf.ensure(40.0);
    pdf.heading("Hand-offs: the largest moves");
    let mut moves: Vec<&LedgerRow> = ledger.iter().collect();
    moves.sort_by(|a, b| b.revenue.total_cmp(&a.revenue).then(b.potential.total_cmp(&a.potential)));
    let columns = [
        Column::left("Account", 60.0),
        Column::left("From", 64.0),
        Column::left("To", 64.0),
        Column::right("Revenue", 28.0),
        Column::right(&format!("Potential ({unit})"), 30.0),
    ];
    let who = |territory: &str, rep: &str| if rep.is_empty() { territory.to_string() } else { format!("{territory} ({rep})") };
    let rows: Vec<Vec<String>> = moves
        .iter()
        .take(HANDOFF_ROWS)
        .map(|m| {
            let name = if m.account.is_empty() { m.account_id.clone() } else { m.account.clone() };
            vec![name, who(&m.from_territory, &m.from_rep), who(&m.to_territory, &m.to_rep), format::money(m.revenue), format::amount(m.potential, "")]
        })
        .collect();
    pdf.table(&columns, &rows, None);
    if moves.len() > HANDOFF_ROWS {
        pdf.note(&format!(
            "The {HANDOFF_ROWS} largest of {} moves. The full list: File > Compare > Export ledger, or `compare --ledger FILE.csv`.",
            format::amount(moves.len() as f64, "")
        ));
    }
}

const INK: [f32; 3] = [0.10, 0.10, 0.12];
const INK_SOFT: [f32; 3] = [0.38, 0.40, 0.44];
const PANEL: [f32; 3] = [0.94, 0.95, 0.96];
const RULE: [f32; 3] = [0.80, 0.82, 0.85];

struct Column {
    title: String,
    width: f32,
    right: bool,
}

impl Column {
    fn left(title: &str, width: f32) -> Self {
        Self { title: title.into(), width, right: false }
    }
    fn right(title: &str, width: f32) -> Self {
        Self { title: title.into(), width, right: true }
    }
}

/// A page cursor over printpdf: text in the shipped font, measured so columns align.
struct Pdf {
    doc: PdfDocumentReference,
    font: IndirectFontRef,
    metrics: FontMetrics,
    layer: PdfLayerReference,
    /// Distance of the next line from the bottom of the page, mm.
    y: f32,
    pages: usize,
    footer: String,
}

impl Pdf {
    fn new(title: &str, footer: String) -> Result<Self, ReportPdfError> {
        let (doc, page, layer) = PdfDocument::new(title, Mm(PAGE_W), Mm(PAGE_H), "report");
        let doc = doc.with_creator("Territory Designer").with_producer("Territory Designer");
        let font = doc.add_external_font(FONT).map_err(|e| ReportPdfError::Font(e.to_string()))?;
        let metrics = FontMetrics::new(FONT)?;
        let layer = doc.get_page(page).get_layer(layer);
        let mut pdf = Self { doc, font, metrics, layer, y: PAGE_H - MARGIN - 4.0, pages: 1, footer };
        pdf.draw_footer();
        Ok(pdf)
    }

    fn new_page(&mut self) {
        let (page, layer) = self.doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "report");
        self.layer = self.doc.get_page(page).get_layer(layer);
        self.pages += 1;
        self.y = PAGE_H - MARGIN - 4.0;
        self.draw_footer();
    }

    /// A new page unless `height` mm still fit.
    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN + 6.0 {
            self.new_page();
        }
    }

    fn draw_footer(&mut self) {
        let footer = format!("{} · page {}", self.footer, self.pages);
        self.text(MARGIN, MARGIN - 6.0, 8.0, INK_SOFT, &footer);
        self.text_right(PAGE_W - MARGIN, MARGIN - 6.0, 8.0, INK_SOFT, "Territory Designer");
    }

    fn color(&self, rgb: [f32; 3]) {
        self.layer.set_fill_color(Color::Rgb(Rgb::new(rgb[0], rgb[1], rgb[2], None)));
    }

    fn text(&self, x: f32, y: f32, size: f32, rgb: [f32; 3], text: &str) {
        self.color(rgb);
        self.layer.use_text(self.metrics.printable(text), size, Mm(x), Mm(y), &self.font);
    }

    /// Heavier text: the shipped face is light, so it is drawn filled and outlined.
    fn bold(&self, x: f32, y: f32, size: f32, rgb: [f32; 3], text: &str) {
        self.layer.set_outline_color(Color::Rgb(Rgb::new(rgb[0], rgb[1], rgb[2], None)));
        self.layer.set_outline_thickness(size * 0.035);
        self.layer.set_text_rendering_mode(printpdf::TextRenderingMode::FillStroke);
        self.text(x, y, size, rgb, text);
        self.layer.set_text_rendering_mode(printpdf::TextRenderingMode::Fill);
    }

    fn text_right(&self, right: f32, y: f32, size: f32, rgb: [f32; 3], text: &str) {
        self.text(right - self.metrics.width_mm(text, size), y, size, rgb, text);
    }

    fn heading(&mut self, text: &str) {
        self.ensure(20.0);
        self.bold(MARGIN, self.y - 4.0, 15.0, INK, text);
        self.y -= 11.0;
    }

    /// A paragraph with a bullet, wrapped to the page.
    fn bullet(&mut self, text: &str) {
        let size = 10.5;
        let lines = self.metrics.wrap(text, size, PAGE_W - 2.0 * MARGIN - 6.0);
        self.ensure(lines.len() as f32 * 5.0);
        self.text(MARGIN + 1.0, self.y, size, INK_SOFT, "•");
        for line in lines {
            self.text(MARGIN + 6.0, self.y, size, INK, &line);
            self.y -= 5.0;
        }
        self.y -= 1.0;
    }

    fn note(&mut self, text: &str) {
        let size = 8.5;
        let lines = self.metrics.wrap(text, size, PAGE_W - 2.0 * MARGIN);
        self.ensure(lines.len() as f32 * 4.0 + 2.0);
        self.y -= 1.5;
        for line in lines {
            self.text(MARGIN, self.y, size, INK_SOFT, &line);
            self.y -= 4.0;
        }
    }

    fn fill_rect(&self, x: f32, y: f32, w: f32, h: f32, rgb: [f32; 3]) {
        self.color(rgb);
        let rect = printpdf::Rect::new(Mm(x), Mm(y), Mm(x + w), Mm(y + h)).with_mode(printpdf::path::PaintMode::Fill);
        self.layer.add_rect(rect);
    }

    fn rule(&self, x0: f32, x1: f32, y: f32) {
        self.layer.set_outline_color(Color::Rgb(Rgb::new(RULE[0], RULE[1], RULE[2], None)));
        self.layer.set_outline_thickness(0.5);
        self.layer.add_line(Line { points: vec![(Point::new(Mm(x0), Mm(y)), false), (Point::new(Mm(x1), Mm(y)), false)], is_closed: false });
    }

    /// A table that continues on the next pages with its header repeated.
    fn table(&mut self, columns: &[Column], rows: &[Vec<String>], total: Option<&Vec<String>>) {
        let size = 8.5;
        let row_h = 4.6;
        let header = |pdf: &mut Self| {
            pdf.ensure(row_h * 3.0);
            let mut x = MARGIN;
            for c in columns {
                let title = pdf.metrics.clip(&c.title, 8.0, c.width - 2.0);
                if c.right {
                    pdf.text_right(x + c.width, pdf.y, 8.0, INK_SOFT, &title);
                } else {
                    pdf.text(x, pdf.y, 8.0, INK_SOFT, &title);
                }
                x += c.width;
            }
            pdf.rule(MARGIN, x, pdf.y - 1.6);
            pdf.y -= row_h + 0.6;
        };
        header(self);
        let width: f32 = columns.iter().map(|c| c.width).sum();
        for (i, row) in rows.iter().chain(total).enumerate() {
            if self.y - row_h < MARGIN + 6.0 {
                self.new_page();
                header(self);
            }
            let is_total = total.is_some() && i == rows.len();
            if is_total {
                self.rule(MARGIN, MARGIN + width, self.y + row_h - 1.2);
            } else if i % 2 == 1 {
                self.fill_rect(MARGIN, self.y - 1.4, width, row_h, PANEL);
            }
            let mut x = MARGIN;
            for (c, cell) in columns.iter().zip(row) {
                let cell = self.metrics.clip(cell, size, c.width - 2.0);
                match (c.right, is_total) {
                    (true, true) => self.bold(x + c.width - self.metrics.width_mm(&cell, size), self.y, size, INK, &cell),
                    (false, true) => self.bold(x, self.y, size, INK, &cell),
                    (true, false) => self.text_right(x + c.width, self.y, size, INK, &cell),
                    (false, false) => self.text(x, self.y, size, INK, &cell),
                }
                x += c.width;
            }
            self.y -= row_h;
        }
        self.y -= 2.0;
    }

    /// A picture scaled to the page width and at most `max_h` mm high, with its caption
    /// under it.
    fn picture(&mut self, map: &MapPicture, max_h: f32) {
        if map.width == 0 || map.height == 0 || map.rgb.len() != map.width as usize * map.height as usize * 3 {
            return;
        }
        let max_w = PAGE_W - 2.0 * MARGIN;
        let aspect = map.height as f32 / map.width as f32;
        let (w, h) = if max_w * aspect <= max_h { (max_w, max_w * aspect) } else { (max_h / aspect, max_h) };
        let x = MARGIN + (max_w - w) / 2.0;
        let bottom = self.y - h;
        let image = ImageXObject {
            width: Px(map.width as usize),
            height: Px(map.height as usize),
            color_space: printpdf::ColorSpace::Rgb,
            bits_per_component: printpdf::ColorBits::Bit8,
            interpolate: true,
            image_data: map.rgb.clone(),
            image_filter: None,
            smask: None,
            clipping_bbox: None,
        };
        // At this dpi the picture's pixels span exactly `w` millimetres.
        let dpi = map.width as f32 / (w / 25.4);
        printpdf::Image::from(image).add_to_layer(
            self.layer.clone(),
            ImageTransform { translate_x: Some(Mm(x)), translate_y: Some(Mm(bottom)), dpi: Some(dpi), ..Default::default() },
        );
        self.y = bottom - 5.0;
        self.text(x, self.y, 9.0, INK_SOFT, &map.caption);
        self.y -= 6.0;
    }
}

/// The app's own typeface (egui's default), so the report needs nothing installed.
const FONT: &[u8] = epaint_default_fonts::UBUNTU_LIGHT;

/// Advance widths of the font, to align and wrap text.
struct FontMetrics {
    advances: std::collections::HashMap<char, f32>,
    fallback: f32,
}

impl FontMetrics {
    fn new(font: &[u8]) -> Result<Self, ReportPdfError> {
        let face = ttf_parser::Face::parse(font, 0).map_err(|e| ReportPdfError::Font(e.to_string()))?;
        let em = face.units_per_em() as f32;
        let mut advances = std::collections::HashMap::new();
        for table in face.tables().cmap.iter().flat_map(|c| c.subtables) {
            table.codepoints(|cp| {
                if let Some(c) = char::from_u32(cp) {
                    if let Some(advance) = table.glyph_index(cp).and_then(|g| face.glyph_hor_advance(g)) {
                        advances.insert(c, advance as f32 / em);
                    }
                }
            });
        }
        let fallback = advances.get(&'n').copied().unwrap_or(0.55);
        Ok(Self { advances, fallback })
    }

    /// The text with characters the font lacks replaced, so nothing prints as a box.
    fn printable(&self, text: &str) -> String {
        text.chars().map(|c| if self.advances.contains_key(&c) || c == ' ' { c } else { '?' }).collect()
    }

    fn width_mm(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advances.get(&c).copied().unwrap_or(self.fallback)).sum::<f32>() * size * PT
    }

    /// Lines of at most `width` mm, broken between words.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if self.width_mm(&candidate, size) > width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// The text cut with an ellipsis to fit `width` mm.
    fn clip(&self, text: &str, size: f32, width: f32) -> String {
        if self.width_mm(text, size) <= width {
            return text.to_string();
        }
        let mut out = String::new();
        for c in text.chars() {
            if self.width_mm(&format!("{out}{c}..."), size) > width {
                break;
            }
            out.push(c);
        }
        format!("{}...", out.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_wrapped_and_clipped() {
        let m = FontMetrics::new(FONT).expect("the shipped font parses");
        let one = m.width_mm("Territory", 10.0);
        assert!(one > 10.0 && one < 25.0, "9 letters at 10 pt: {one} mm");
        assert!((m.width_mm("Territory Territory", 20.0) - 2.0 * m.width_mm("Territory Territory", 10.0)).abs() < 1e-3);
        let lines = m.wrap("one two three four five six seven eight nine ten", 10.0, 30.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| m.width_mm(l, 10.0) <= 30.0), "{lines:?}");
        let clipped = m.clip("Delaware & Eastern Shore", 8.5, 20.0);
        assert!(clipped.ends_with("...") && m.width_mm(&clipped, 8.5) <= 20.0, "{clipped}");
        assert_eq!(m.printable("a\u{1F600}b"), "a?b");
    }
}
