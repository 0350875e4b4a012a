//! A secret the server generates once and keeps: the key that signs
//! cookies when `SECRET_KEY` is not set.

use sea_orm::entity::prelude::*;

/// One row of the `site_secret` table.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site_secret")]
pub struct Model {
    /// What the secret is for, e.g. `cookie_signing`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The secret itself (never logged by presence).
    #[sea_orm(column_type = "Text")]
    pub value: String,
    /// When it was generated.
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
