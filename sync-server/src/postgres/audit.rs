//! The audit log ([`crate::audit`]) on PostgreSQL.

use postgres::GenericClient;

use crate::audit::{Entry, MAX_LISTED};

pub fn record(client: &mut impl GenericClient, e: &Entry) -> Result<(), postgres::Error> {
    client.execute(
        "INSERT INTO audit_log (at, actor, action, target, origin) VALUES ($1, $2, $3, $4, $5)",
        &[&e.at, &e.actor, &e.action, &e.target, &e.origin],
    )?;
    Ok(())
}

/// The latest entries, newest first, at most `limit` (and [`MAX_LISTED`]).
pub fn latest(client: &mut impl GenericClient, limit: usize) -> Result<Vec<Entry>, postgres::Error> {
    let limit = limit.min(MAX_LISTED) as i64;
    let rows = client.query(
        "SELECT at, actor, action, target, origin FROM audit_log ORDER BY at DESC, id DESC LIMIT $1",
        &[&limit],
    )?;
    Ok(rows
        .iter()
        .map(|r| Entry { at: r.get(0), actor: r.get(1), action: r.get(2), target: r.get(3), origin: r.get(4) })
        .collect())
}
