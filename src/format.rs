//! Figures as people read them, shared by the app, the headless commands and exports.

/// Money with thousands separators: 1234567 -> "$1,234,567".
pub fn money(value: f64) -> String {
    amount(value, "$")
}

/// Money in a narrow cell: $12.4M, $830k, $950.
pub fn short_money(value: f64) -> String {
    short_amount(value, "$")
}

/// Whether a unit is written before the figure: a currency sign (`$`, `€`, `US$`), as
/// opposed to a word written after it (`beds`).
fn unit_goes_first(unit: &str) -> bool {
    !unit.is_empty() && unit.chars().count() <= 3 && unit.chars().any(|c| !c.is_alphanumeric()) && !unit.contains(' ')
}

fn with_unit(sign: &str, figure: &str, unit: &str) -> String {
    let unit = unit.trim();
    if unit.is_empty() {
        format!("{sign}{figure}")
    } else if unit_goes_first(unit) {
        format!("{sign}{unit}{figure}")
    } else {
        format!("{sign}{figure} {unit}")
    }
}

/// A figure with thousands separators in a unit: (1234567, "$") -> "$1,234,567",
/// (1234, "beds") -> "1,234 beds".
pub fn amount(value: f64, unit: &str) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    with_unit(if value < 0.0 && digits != "0" { "-" } else { "" }, &grouped, unit)
}

/// The same in a narrow cell: $12.4M, 830k beds, $950.
pub fn short_amount(value: f64, unit: &str) -> String {
    let v = value.abs();
    let figure = if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    };
    with_unit(if value < 0.0 && figure != "0" { "-" } else { "" }, &figure, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(0.0), "$0");
        assert_eq!(money(999.4), "$999");
        assert_eq!(money(1234567.0), "$1,234,567");
        assert_eq!(money(-1000.0), "-$1,000");
    }

    #[test]
    fn amounts_put_signs_before_and_words_after() {
        assert_eq!(amount(1234.0, "beds"), "1,234 beds");
        assert_eq!(amount(-1234.0, "€"), "-€1,234");
        assert_eq!(amount(5.0, "US$"), "US$5");
        assert_eq!(amount(5.0, ""), "5");
        assert_eq!(short_amount(2_400.0, "beds"), "2k beds");
        assert_eq!(short_amount(12_400_000.0, "£"), "£12.4M");
        assert_eq!(short_amount(-0.2, "$"), "$0");
    }

    #[test]
    fn short_money_picks_the_unit() {
        assert_eq!(short_money(950.0), "$950");
        assert_eq!(short_money(830_400.0), "$830k");
        assert_eq!(short_money(-12_400_000.0), "-$12.4M");
    }
}
