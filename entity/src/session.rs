//! Server-side HTTP session state (the `SessionStore` of actix-session).

use sea_orm::entity::prelude::*;

/// One row of the `session` table.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    /// The random key carried, signed, in the session cookie.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The session's key/value state as a JSON object.
    #[sea_orm(column_type = "Text")]
    pub state: String,
    /// When the session stops being valid; expired rows are purged.
    #[sea_orm(indexed)]
    pub expires_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
