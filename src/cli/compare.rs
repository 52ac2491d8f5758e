//! `compare`: two scenarios side by side, and the disruption ledger as CSV.

use super::Format;
use crate::format::{amount, money};
use crate::metrics::compare::{Comparison, TerritoryPair};
use crate::metrics::report::ReportRow;
use anyhow::Result;
use std::io::Write;

pub fn write_comparison(c: &Comparison, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, c)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record([
                "territory", "accounts_before", "accounts_after", "potential_before", "potential_after",
                "workload_index_before", "workload_index_after", "deviation_pct_before", "deviation_pct_after",
                "quota_before", "quota_after",
            ])?;
            for p in &c.territories {
                let f = |row: &Option<ReportRow>, get: fn(&ReportRow) -> String| row.as_ref().map(get).unwrap_or_default();
                writer.write_record(crate::io::spreadsheet::safe_row([
                    p.name.clone(),
                    f(&p.before, |r| r.accounts.to_string()),
                    f(&p.after, |r| r.accounts.to_string()),
                    f(&p.before, |r| format!("{:.0}", r.potential)),
                    f(&p.after, |r| format!("{:.0}", r.potential)),
                    f(&p.before, |r| format!("{:.3}", r.workload_index)),
                    f(&p.after, |r| format!("{:.3}", r.workload_index)),
                    f(&p.before, |r| format!("{:.2}", r.deviation_pct)),
                    f(&p.after, |r| format!("{:.2}", r.deviation_pct)),
                    f(&p.before, |r| r.quota.map(|q| format!("{q:.2}")).unwrap_or_default()),
                    f(&p.after, |r| r.quota.map(|q| format!("{q:.2}")).unwrap_or_default()),
                ]))?;
            }
            writer.flush()?;
        }
        Format::Table => write_table(c, out)?,
    }
    Ok(())
}

fn write_table(c: &Comparison, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "Compare: {} -> {}", c.from, c.to)?;
    let quotas = c.has_quotas();
    write!(
        out,
        "{:<30} {:>8} {:>8} {:>14} {:>14} {:>14} {:>6} {:>6}",
        "Territory", "Accts", "after", "Potential", "after", "change", "Index", "after"
    )?;
    if quotas {
        write!(out, " {:>14} {:>14}", "Quota", "after")?;
    }
    writeln!(out)?;
    for p in &c.territories {
        write_pair(p, &c.potential_unit, quotas, out)?;
    }
    let (b, a) = (&c.balance_before, &c.balance_after);
    writeln!(out)?;
    writeln!(out, "{:<30} {:>10} {:>10}", "Balance", "before", "after")?;
    writeln!(out, "{:<30} {:>10.3} {:>10.3}", "Gini (potential)", b.gini_potential, a.gini_potential)?;
    writeln!(out, "{:<30} {:>9.1}% {:>9.1}%", "Max deviation", b.max_deviation_pct, a.max_deviation_pct)?;
    let ratio = |q: Option<f64>| q.map_or("unbounded".to_string(), |q| format!("{q:.2}x"));
    writeln!(out, "{:<30} {:>10} {:>10}", "Top/bottom quartile", ratio(b.quartile_ratio), ratio(a.quartile_ratio))?;
    writeln!(
        out,
        "{:<30} {:>10} {:>10}",
        "Workload index range",
        format!("{:.2}-{:.2}", b.workload_index_min, b.workload_index_max),
        format!("{:.2}-{:.2}", a.workload_index_min, a.workload_index_max)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Disruption: {} ZIPs, {} accounts change owner; potential {} and revenue {} move ({:.1}% of revenue)",
        c.moved_units,
        c.moved_accounts,
        amount(c.moved_potential, &c.potential_unit),
        money(c.moved_revenue),
        c.moved_revenue_pct
    )?;
    if let Some(q) = c.moved_quota {
        writeln!(out, "Quota: {} changes territory with the new alignment", money(q))?;
    }
    Ok(())
}

fn write_pair(p: &TerritoryPair, unit: &str, quotas: bool, out: &mut dyn Write) -> Result<()> {
    let accounts = |r: &Option<ReportRow>| r.as_ref().map_or("-".to_string(), |r| r.accounts.to_string());
    let potential = |r: &Option<ReportRow>| r.as_ref().map_or("-".to_string(), |r| amount(r.potential, unit));
    let index = |r: &Option<ReportRow>| r.as_ref().map_or("-".to_string(), |r| format!("{:.2}", r.workload_index));
    let delta = match (&p.before, &p.after) {
        (Some(b), Some(a)) => {
            let d = a.potential - b.potential;
            format!("{}{}", if d >= 0.0 { "+" } else { "-" }, amount(d.abs(), unit))
        }
        _ => "-".into(),
    };
    let name: String = p.name.chars().take(30).collect();
    write!(
        out,
        "{:<30} {:>8} {:>8} {:>14} {:>14} {:>14} {:>6} {:>6}",
        name,
        accounts(&p.before),
        accounts(&p.after),
        potential(&p.before),
        potential(&p.after),
        delta,
        index(&p.before),
        index(&p.after)
    )?;
    if quotas {
        let quota = |r: &Option<ReportRow>| r.as_ref().and_then(|r| r.quota).map_or("-".to_string(), money);
        write!(out, " {:>14} {:>14}", quota(&p.before), quota(&p.after))?;
    }
    writeln!(out)?;
    Ok(())
}
