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

/// A count with its noun: (1, "territory", "territories") -> "1 territory".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A count with its noun and thousands grouped: "3,033 ZIPs".
pub fn count_grouped(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", amount(n as f64, ""), if n == 1 { one } else { many })
}

/// A moment as "2026-12-04 1530" (UTC), for file names.
pub fn utc_stamp(at: std::time::SystemTime) -> String {
    let secs = unix_secs(at);
    let rest = secs.rem_euclid(86_400);
    format!("{} {:02}{:02}", utc_date(at), rest / 3600, rest % 3600 / 60)
}

/// A moment as "2026-12-04 15:30 UTC", for what a planner reads.
pub fn utc_time(at: std::time::SystemTime) -> String {
    let rest = unix_secs(at).rem_euclid(86_400);
    format!("{} {:02}:{:02} UTC", utc_date(at), rest / 3600, rest % 3600 / 60)
}

/// A moment's day as "2026-12-04" (UTC), for report covers and titles.
pub fn utc_date(at: std::time::SystemTime) -> String {
    let days = unix_secs(at).div_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn unix_secs(at: std::time::SystemTime) -> i64 {
    at.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64
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
    fn utc_stamps_are_civil_dates() {
        let at = |s: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s);
        assert_eq!(utc_stamp(at(0)), "1970-01-01 0000");
        assert_eq!(utc_stamp(at(1_796_398_200)), "2026-12-04 1530");
        assert_eq!(utc_stamp(at(951_782_400)), "2000-02-29 0000");
        assert_eq!(utc_time(at(1_796_398_200)), "2026-12-04 15:30 UTC");
    }

    #[test]
    fn short_money_picks_the_unit() {
        assert_eq!(short_money(950.0), "$950");
        assert_eq!(short_money(830_400.0), "$830k");
        assert_eq!(short_money(-12_400_000.0), "-$12.4M");
    }
}
