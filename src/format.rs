//! Figures as people read them, shared by the app, the headless commands and exports.

/// Money with thousands separators: 1234567 -> "$1,234,567".
pub fn money(value: f64) -> String {
    let negative = value < 0.0;
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}${grouped}", if negative { "-" } else { "" })
}

/// Money in a narrow cell: $12.4M, $830k, $950.
pub fn short_money(value: f64) -> String {
    let v = value.abs();
    let sign = if value < 0.0 { "-" } else { "" };
    if v >= 1e6 {
        format!("{sign}${:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{sign}${:.0}k", v / 1e3)
    } else {
        format!("{sign}${v:.0}")
    }
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
    fn short_money_picks_the_unit() {
        assert_eq!(short_money(950.0), "$950");
        assert_eq!(short_money(830_400.0), "$830k");
        assert_eq!(short_money(-12_400_000.0), "-$12.4M");
    }
}
