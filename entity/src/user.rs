//! A registered account.

use sea_orm::entity::prelude::*;

/// One row of the `users` table.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The name as the user typed it, shown to everyone.
    #[sea_orm(unique)]
    pub username: String,
    /// The lower-cased name. Its unique index makes names unique ignoring
    /// case, and it is the key of the directory's keyset pagination.
    #[sea_orm(unique)]
    pub username_key: String,
    /// A bcrypt hash in the modular crypt format (`$2b$12$...`).
    pub password_hash: String,
    /// When the account was created.
    pub created_at: i64,
    /// When the user last went offline; `None` if they never logged in.
    pub last_seen_at: Option<i64>,
    /// What the user chose: `auto` (online or away as they come and go),
    /// `dnd` or `invisible`.
    pub manual_status: String,
    /// Their custom status, if any.
    pub custom_text: Option<String>,
    /// When the custom status expires (Unix ms); `None` for never.
    pub custom_until: Option<i64>,
    /// Where the user stands in the list's order: 0 online, 1 away or do
    /// not disturb, 2 offline (or invisible). The database keeps it from
    /// their `LoggedInUser` rows and `manual_status` with triggers; nothing
    /// writes it directly.
    pub list_rank: i16,
    /// The nodes this user is online on.
    #[sea_orm(has_many)]
    pub logged_in: HasMany<super::logged_in_user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
