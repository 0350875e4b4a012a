//! Rich presence: what a user chose (do not disturb, invisible, a custom
//! status until some time) on `users`, and what each of their connections
//! on a node says (active or idle, which kinds of device) on
//! `logged_in_user`, so the rendered list shows the same statuses as the
//! live one.
//!
//! SQLite adds one column per `ALTER TABLE`, so each column is a step.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    ManualStatus,
    CustomText,
    CustomUntil,
}

#[derive(DeriveIden)]
enum LoggedInUser {
    Table,
    Active,
    Desktop,
    Mobile,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (
                Users::Table.into_iden(),
                string_len(Users::ManualStatus, 16).default("auto").take(),
            ),
            (
                Users::Table.into_iden(),
                text_null(Users::CustomText).take(),
            ),
            (
                Users::Table.into_iden(),
                big_integer_null(Users::CustomUntil).take(),
            ),
            (
                LoggedInUser::Table.into_iden(),
                boolean(LoggedInUser::Active).default(true).take(),
            ),
            (
                LoggedInUser::Table.into_iden(),
                boolean(LoggedInUser::Desktop).default(false).take(),
            ),
            (
                LoggedInUser::Table.into_iden(),
                boolean(LoggedInUser::Mobile).default(false).take(),
            ),
        ];
        for (table, mut column) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (Users::Table.into_iden(), Users::ManualStatus.into_iden()),
            (Users::Table.into_iden(), Users::CustomText.into_iden()),
            (Users::Table.into_iden(), Users::CustomUntil.into_iden()),
            (
                LoggedInUser::Table.into_iden(),
                LoggedInUser::Active.into_iden(),
            ),
            (
                LoggedInUser::Table.into_iden(),
                LoggedInUser::Desktop.into_iden(),
            ),
            (
                LoggedInUser::Table.into_iden(),
                LoggedInUser::Mobile.into_iden(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
