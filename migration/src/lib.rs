//! The schema of presence as sea-orm migrations.
//!
//! [`Migrator`] lists every migration in order. The server applies the
//! pending ones at start-up (see `presence::db`), so a fresh database needs
//! no separate step.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_tables;
mod m20261122_000001_username_key_collation;
mod m20261202_000001_create_site_secret;
mod m20261202_000002_normalize_usernames;
mod m20261202_000003_rich_presence;
mod m20261203_000001_list_rank;

/// Applies the schema migrations of presence in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_tables::Migration),
            Box::new(m20261122_000001_username_key_collation::Migration),
            Box::new(m20261202_000001_create_site_secret::Migration),
            Box::new(m20261202_000002_normalize_usernames::Migration),
            Box::new(m20261202_000003_rich_presence::Migration),
            Box::new(m20261203_000001_list_rank::Migration),
        ]
    }
}
