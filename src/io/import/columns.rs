//! CSV files as planners export them (Excel, CRMs): sniffed delimiter, byte-order mark,
//! Latin-1 fallback, ragged rows; tolerant numbers; column names guessed from synonyms.

use super::ImportError;
use std::path::{Path, PathBuf};

/// A CSV file read as text: headers and rows with their line numbers.
#[derive(Clone, Debug, Default)]
pub struct CsvTable {
    pub source: PathBuf,
    pub headers: Vec<String>,
    /// (line number as a text editor shows it, the header being line 1; cells); every
    /// row has `headers.len()` cells.
    pub rows: Vec<(usize, Vec<String>)>,
    /// How the file writes decimals, judged from all its cells.
    pub numbers: NumberStyle,
}

/// How a file writes decimal numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum NumberStyle {
    /// Each cell on its own: `1,234` is a thousand, `3,5` three and a half.
    #[default]
    Mixed,
    /// A decimal comma (`3,5`, `1.234,5`): dots group thousands, so `1.234` is 1234.
    DecimalComma {
        /// A cell that shows it, and its line.
        evidence: (String, usize),
        /// Cells that read differently with a decimal point (`1.234`), and the first.
        ambiguous: usize,
        first_ambiguous: Option<(String, usize)>,
    },
}

impl CsvTable {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name).or_else(|| self.headers.iter().position(|h| normalized(h) == normalized(name)))
    }

    /// The first column whose name is one of `synonyms` (ignoring case, spaces, `_`, `-`).
    pub fn guess(&self, synonyms: &[&str]) -> Option<usize> {
        synonyms.iter().find_map(|s| self.headers.iter().position(|h| normalized(h) == normalized(s)))
    }

    /// A cell as a number, read the way this file writes numbers.
    pub fn number(&self, text: &str) -> Result<Option<f64>, NotANumber> {
        match self.numbers {
            NumberStyle::Mixed => parse_number(text),
            NumberStyle::DecimalComma { .. } => parse_number_decimal_comma(text),
        }
    }

    /// What was assumed about decimals, for the import report (`None` when nothing
    /// needed assuming).
    pub fn number_note(&self) -> Option<String> {
        let NumberStyle::DecimalComma { evidence, ambiguous, first_ambiguous } = &self.numbers else { return None };
        let mut note = format!("numbers read with a decimal comma (as '{}' on line {} shows)", evidence.0, evidence.1);
        if let Some((text, line)) = first_ambiguous {
            let read = parse_number_decimal_comma(text).ok().flatten().unwrap_or_default();
            note += &format!(
                "; {ambiguous} value{} such as '{text}' (line {line}) read as {read} with the dot grouping thousands: if they are decimals, export the file again with one convention",
                if *ambiguous == 1 { "" } else { "s" }
            );
        }
        Some(note)
    }

    /// Whether most non-empty values of the column are numbers.
    pub fn is_numeric(&self, column: usize) -> bool {
        let mut numbers = 0;
        let mut others = 0;
        for (_, row) in self.rows.iter().take(2000) {
            match self.number(&row[column]) {
                Ok(Some(_)) => numbers += 1,
                Ok(None) => {}
                Err(_) => others += 1,
            }
        }
        numbers > 0 && others * 10 <= numbers
    }
}

fn normalized(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.')).flat_map(char::to_lowercase).collect()
}

pub fn read_csv(path: &Path) -> Result<CsvTable, ImportError> {
    use crate::io::limits::{self, LimitError};
    let bytes = limits::read_file(path, limits::MAX_CSV_BYTES, limits::Watch::Lines).map_err(|e| match e {
        LimitError::Io(e) => ImportError::file(path, format!("cannot read the file: {e}")),
        other => ImportError::file(path, other.to_string()),
    })?;
    parse_csv(&bytes, path)
}

/// Parses CSV bytes; `path` names the source in messages.
pub fn parse_csv(bytes: &[u8], path: &Path) -> Result<CsvTable, ImportError> {
    // Before any copy: a single line of hundreds of megabytes is refused as read.
    if let Some((line, length)) = crate::io::limits::overlong_line(bytes, crate::io::limits::MAX_CSV_LINE_BYTES) {
        return Err(ImportError::file(
            path,
            format!(
                "line {line} is longer than {} (it is {}): not a CSV export of accounts, reps or an alignment",
                crate::io::limits::size_text(crate::io::limits::MAX_CSV_LINE_BYTES as u64),
                crate::io::limits::size_text(length as u64)
            ),
        ));
    }
    let text: String = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        // Excel on Windows saves CSV as Windows-1252; Latin-1 keeps every byte readable.
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ImportError::file(path, "the file is empty; export it again with a header row"));
    }
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t', b'|'].into_iter().max_by_key(|d| first_line.matches(*d as char).count()).unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> =
        reader.headers().map_err(|e| ImportError::file(path, format!("the header row cannot be read ({e})")))?.iter().map(|h| h.trim().to_string()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(ImportError::file(path, "the first row is empty; the file needs a header row naming its columns"));
    }
    // The csv crate counts a CRLF line end as two lines; count line feeds instead, as a
    // text editor does.
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let bytes = text.as_bytes();
    let line_of = |byte: u64| {
        // With CRLF the crate puts a record's start on the line feed before it.
        let mut at = byte as usize;
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        line_starts.partition_point(|&start| start <= at)
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| line_of(p.byte())).unwrap_or(0);
            ImportError::file(path, format!("line {line} cannot be read ({e}); check for an unclosed quote"))
        })?;
        let line = record.position().map(|p| line_of(p.byte())).unwrap_or(rows.len() + 2);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut cells: Vec<String> = record.iter().map(|c| crate::io::spreadsheet::restore_cell(c.trim()).to_string()).collect();
        cells.resize(headers.len(), String::new());
        rows.push((line, cells));
    }
    let numbers = number_style(&rows);
    Ok(CsvTable { source: path.to_path_buf(), headers, rows, numbers })
}

/// Judges the file's decimal convention from cells only one convention can read: `3,5`
/// or `1.234,5` (decimal comma) against `3.5` or `1,234.5` (decimal point). A file with
/// both is read cell by cell.
fn number_style(rows: &[(usize, Vec<String>)]) -> NumberStyle {
    let mut comma_evidence = None;
    let mut point_seen = false;
    let mut ambiguous = 0;
    let mut first_ambiguous = None;
    for (line, cells) in rows {
        for cell in cells {
            let digits: String = cell.chars().filter(|c| !matches!(c, '$' | '€' | '£' | ' ' | '\u{a0}' | '%' | '-' | '(' | ')')).collect();
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
                continue;
            }
            let (comma, dot) = (digits.rfind(','), digits.rfind('.'));
            let after = |i: usize| digits.len() - i - 1;
            match (comma, dot) {
                (Some(c), Some(d)) if c > d => comma_evidence = comma_evidence.or(Some((cell.clone(), *line))),
                (Some(_), Some(_)) => point_seen = true,
                (Some(c), None) if digits.matches(',').count() == 1 && after(c) != 3 && c > 0 => {
                    comma_evidence = comma_evidence.or(Some((cell.clone(), *line)))
                }
                (None, Some(d)) if digits.matches('.').count() == 1 && after(d) != 3 => point_seen = true,
                (None, Some(d)) if digits.matches('.').count() == 1 && after(d) == 3 => {
                    ambiguous += 1;
                    first_ambiguous = first_ambiguous.or(Some((cell.clone(), *line)));
                }
                _ => {}
            }
        }
    }
    match comma_evidence {
        Some(evidence) if !point_seen => NumberStyle::DecimalComma { evidence, ambiguous, first_ambiguous },
        _ => NumberStyle::Mixed,
    }
}

/// Parses a number from a file that writes a decimal comma: `1.234,5`, `3,5`, `1.234`
/// (a thousand two hundred and thirty-four).
pub fn parse_number_decimal_comma(text: &str) -> Result<Option<f64>, NotANumber> {
    let t = text.trim();
    let swapped: String = t.chars().map(|c| match c {
        '.' => ',',
        ',' => '.',
        other => other,
    }).collect();
    // With the roles swapped the text reads as a decimal-point number with thousands
    // commas, which `parse_number` knows; a lone comma group of three digits there
    // (`1,234` from `1.234`) is a thousands group, as intended.
    let has_decimal = t.contains(',');
    match parse_number(&swapped) {
        Ok(Some(v)) if !has_decimal && swapped.matches(',').count() == 1 => {
            // `parse_number` reads `1,25` (from `1.25`) as 1.25: in this file the dot only
            // groups thousands, so a group that is not three digits is not a number.
            let group = swapped.rsplit(',').next().unwrap_or("");
            if group.trim_end_matches(|c: char| !c.is_ascii_digit()).len() == 3 { Ok(Some(v)) } else { Err(NotANumber) }
        }
        other => other,
    }
}

/// A cell that should hold a number and does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a number")]
pub struct NotANumber;

/// Parses a number as people type it: `$1,234.50`, `1 234`, `(500)` (negative), `12%`,
/// `3.5k`, `2M`, `1.234,5` (decimal comma). Empty cells and `n/a` are `None`.
pub fn parse_number(text: &str) -> Result<Option<f64>, NotANumber> {
    let t = text.trim();
    if t.is_empty() || ["-", "n/a", "na", "null", "none", "#n/a", "?"].iter().any(|e| t.eq_ignore_ascii_case(e)) {
        return Ok(None);
    }
    let (negative, t) = match t.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, t),
    };
    let mut s: String = t.chars().filter(|c| !matches!(c, '$' | '€' | '£' | '¥' | ' ' | '\u{a0}' | '\'' | '%')).collect();
    if s.to_ascii_uppercase().starts_with("USD") || s.to_ascii_uppercase().starts_with("EUR") {
        s = s[3..].to_string();
    }
    let multiplier = match s.chars().last() {
        Some('k' | 'K') => 1e3,
        Some('m' | 'M') => 1e6,
        Some('b' | 'B') => 1e9,
        _ => 1.0,
    };
    if multiplier != 1.0 {
        s.pop();
    }
    let s = decimal_point(&s);
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(if negative { -v } else { v } * multiplier)),
        _ => Err(NotANumber),
    }
}

/// Removes thousands separators and turns a decimal comma into a point.
fn decimal_point(s: &str) -> String {
    let converted = convert_separators(s);
    // Thousands groups must have three digits: "12..3" or "1,2,3" are not numbers.
    let integer = converted.split('.').next().unwrap_or("");
    let original_integer_groups: Vec<&str> = s.split(['.', ',']).collect();
    if original_integer_groups.len() > 2 || (original_integer_groups.len() == 2 && !converted.contains('.')) {
        let groups = if converted.contains('.') { &original_integer_groups[..original_integer_groups.len() - 1] } else { &original_integer_groups[..] };
        if groups.iter().skip(1).any(|g| g.len() != 3) || integer.is_empty() {
            return String::from("not a number");
        }
    }
    converted
}

fn convert_separators(s: &str) -> String {
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let last_comma = s.rfind(',');
    let last_dot = s.rfind('.');
    match (last_comma, last_dot) {
        // 1.234,56: dots group thousands, the comma is the decimal point.
        (Some(c), Some(d)) if c > d => s.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => s.replace(',', ""),
        // 1,234 or 1,234,567: thousands; 3,5: a decimal comma.
        (Some(c), None) if commas == 1 && s.len() - c - 1 != 3 => s.replace(',', "."),
        (Some(_), None) => s.replace(',', ""),
        // 1.234.567: dots as thousands.
        (None, Some(_)) if dots > 1 => s.replace('.', ""),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_type_them() {
        let cases: &[(&str, Option<f64>)] = &[
            ("1234", Some(1234.0)),
            ("$1,234.50", Some(1234.5)),
            (" 1 234 ", Some(1234.0)),
            ("(500)", Some(-500.0)),
            ("-7.5", Some(-7.5)),
            ("12%", Some(12.0)),
            ("3.5k", Some(3500.0)),
            ("2M", Some(2_000_000.0)),
            ("1.234,5", Some(1234.5)),
            ("3,5", Some(3.5)),
            ("1,234,567", Some(1_234_567.0)),
            ("€ 99", Some(99.0)),
            ("USD 10", Some(10.0)),
            ("", None),
            ("n/a", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_number(text), Ok(*want), "{text}");
        }
        for bad in ["abc", "12..3", "1e999", "NaN", "inf", "--5"] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sniffs_delimiters_and_keeps_line_numbers() {
        let t = parse_csv(b"\xef\xbb\xbfName;Potential\n\"A; Inc\";1\n\n;\nB;2;extra\nC\n", Path::new("x.csv")).unwrap();
        assert_eq!(t.headers, ["Name", "Potential"]);
        let lines: Vec<usize> = t.rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 5, 6]);
        assert_eq!(t.rows[0].1, ["A; Inc", "1"]);
        assert_eq!(t.rows[2].1, ["C", ""]);
        assert_eq!(t.guess(&["potential"]), Some(1));
    }

    #[test]
    fn line_numbers_are_the_same_with_crlf_line_ends() {
        let lf = parse_csv(b"a,b\n1,2\n\"x\ny\",4\n5,6\n", Path::new("x.csv")).unwrap();
        let crlf = parse_csv(b"a,b\r\n1,2\r\n\"x\r\ny\",4\r\n5,6\r\n", Path::new("x.csv")).unwrap();
        let lines = |t: &CsvTable| t.rows.iter().map(|r| r.0).collect::<Vec<_>>();
        assert_eq!(lines(&lf), [2, 3, 5]);
        assert_eq!(lines(&crlf), [2, 3, 5]);
        let broken = parse_csv(b"a,b\r\n1,2\r\n\"3,4\r\n", Path::new("x.csv"));
        if let Err(e) = broken {
            assert!(e.to_string().contains("line"), "{e}");
        }
    }

    #[test]
    fn a_decimal_comma_file_reads_dots_as_thousands_and_says_so() {
        let t = parse_csv("name;potential;beds\nA;3,5;1.234\nB;1.234,5;12\n".as_bytes(), Path::new("x.csv")).unwrap();
        assert!(matches!(t.numbers, NumberStyle::DecimalComma { ambiguous: 1, .. }), "{:?}", t.numbers);
        assert_eq!(t.number("3,5"), Ok(Some(3.5)));
        assert_eq!(t.number("1.234"), Ok(Some(1234.0)));
        assert_eq!(t.number("1.234,5"), Ok(Some(1234.5)));
        assert_eq!(t.number("1.25"), Err(NotANumber));
        let note = t.number_note().unwrap();
        assert!(note.contains("decimal comma") && note.contains("'3,5' on line 2") && note.contains("'1.234' (line 2) read as 1234"), "{note}");
        // A file with decimal points somewhere is read cell by cell, without a note.
        let t = parse_csv(b"name,potential,x\nA,3.5,\"1,25\"\n", Path::new("x.csv")).unwrap();
        assert_eq!(t.numbers, NumberStyle::Mixed);
        assert!(t.number_note().is_none());
        assert_eq!(t.number("1.234"), Ok(Some(1.234)));
    }

    #[test]
    fn latin1_and_empty_files() {
        let t = parse_csv(b"name,city\nJos\xe9,M\xfcnchen\n", Path::new("x.csv")).unwrap();
        assert_eq!(t.rows[0].1, ["José", "München"]);
        assert!(parse_csv(b"", Path::new("x.csv")).unwrap_err().to_string().contains("x.csv: the file is empty"));
    }
}
