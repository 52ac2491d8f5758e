//! The disruption ledger as CSV: the hand-off list planners give to reps.

use crate::metrics::compare::LedgerRow;
use anyhow::{Context, Result};
use std::path::Path;

/// Writes the hand-off list: one row per account that changes owner.
pub fn write_ledger(rows: &[LedgerRow], path: &Path) -> Result<()> {
    let mut bytes = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record([
            "account_id", "account", "from_territory", "from_rep", "to_territory", "to_rep", "potential", "revenue",
            "relationship",
        ])?;
        for r in rows {
            writer.write_record(crate::io::spreadsheet::safe_row([
                r.account_id.clone(),
                r.account.clone(),
                r.from_territory.clone(),
                r.from_rep.clone(),
                r.to_territory.clone(),
                r.to_rep.clone(),
                format!("{:.0}", r.potential),
                format!("{:.0}", r.revenue),
                format!("{:.2}", r.relationship),
            ]))?;
        }
        writer.flush()?;
    }
    crate::io::project_file::write_atomically(path, &bytes).with_context(|| format!("cannot write the ledger {}", path.display()))
}
