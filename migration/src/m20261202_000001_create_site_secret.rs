//! The `site_secret` table: secrets the server generates once and keeps,
//! such as the cookie signing key when `SECRET_KEY` is not set. Its
//! primary key lets several nodes starting together insert one each and
//! keep the first.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SiteSecret {
    Table,
    Name,
    Value,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SiteSecret::Table)
                    .if_not_exists()
                    .col(string(SiteSecret::Name).primary_key())
                    .col(text(SiteSecret::Value))
                    .col(big_integer(SiteSecret::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SiteSecret::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
