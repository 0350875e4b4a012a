//! Accounts, the online mirror and server-side sessions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    UsernameKey,
    PasswordHash,
    CreatedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum LoggedInUser {
    Table,
    UserId,
    NodeId,
    Since,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Key,
    State,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Users::Id))
                    .col(string_uniq(Users::Username))
                    .col(string_uniq(Users::UsernameKey))
                    .col(string(Users::PasswordHash))
                    .col(big_integer(Users::CreatedAt))
                    .col(big_integer_null(Users::LastSeenAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoggedInUser::Table)
                    .if_not_exists()
                    .col(big_integer(LoggedInUser::UserId))
                    .col(string(LoggedInUser::NodeId))
                    .col(big_integer(LoggedInUser::Since))
                    .primary_key(
                        Index::create()
                            .col(LoggedInUser::UserId)
                            .col(LoggedInUser::NodeId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LoggedInUser::Table, LoggedInUser::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A node's rows are deleted together when it stops or dies.
        manager
            .create_index(
                Index::create()
                    .name("idx_logged_in_user_node_id")
                    .table(LoggedInUser::Table)
                    .col(LoggedInUser::NodeId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .if_not_exists()
                    .col(string(Session::Key).primary_key())
                    .col(text(Session::State))
                    .col(big_integer(Session::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        // The purge deletes by expiry.
        manager
            .create_index(
                Index::create()
                    .name("idx_session_expires_at")
                    .table(Session::Table)
                    .col(Session::ExpiresAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Session::Table.into_iden(),
            LoggedInUser::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
