//! Looking up the one row a unique key names.
//!
//! sea-orm's `.one()` adds `LIMIT 1`, and sea-query writes every limit as a
//! bound parameter (`LIMIT ?`). SQLite treats a bound `LIMIT` as part of the
//! plan: each new binding expires the cached statement, and the next step
//! prepares it again from the SQL. On the WebSocket handshake, which reads
//! the session and the user, that re-preparing cost more than running the
//! queries (13 % of the connect path's CPU, `BENCHMARKS.md`). A select on a
//! primary or unique key finds at most one row anyway, so it needs no limit.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Select};

/// The row `select` finds, for a select whose filter is a unique key (so
/// at most one row matches). No `LIMIT` is sent: see the module's overview.
pub async fn by_unique_key<E, C>(select: Select<E>, db: &C) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(select.all(db).await?.into_iter().next())
}
