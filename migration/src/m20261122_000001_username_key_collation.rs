//! Makes `users.username_key` compare by code point on PostgreSQL too.
//!
//! The directory pages by `username_key > last key` and searches by the key
//! range `prefix <= key < successor(prefix)` (see `presence::users::directory`),
//! and the unique index on `username_key` answers both. That works when the
//! column compares strings by code point, as SQLite's default BINARY
//! collation does. PostgreSQL compares with the database's locale instead,
//! where `a-b` may sort between `ab` and `ac`, which would break a prefix
//! range. Giving the column the "C" collation makes PostgreSQL compare
//! bytes too, and rebuilds the unique index to match. SQLite needs nothing.
//!
//! Uniqueness does not change: every deterministic collation, "C" included,
//! calls two strings equal only when their bytes are.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    r#"ALTER TABLE users ALTER COLUMN username_key TYPE varchar COLLATE "C""#,
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    r#"ALTER TABLE users ALTER COLUMN username_key TYPE varchar COLLATE "default""#,
                )
                .await?;
        }
        Ok(())
    }
}
