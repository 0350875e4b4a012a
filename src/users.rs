//! Data access for accounts.
//!
//! Handlers never build SQL: they call these small functions, which take a
//! `&DatabaseConnection` and speak in domain types. The listings behind the
//! user list and its search live in [`directory`]; what a single node
//! remembers of accounts, so a request's user costs no query, in
//! [`memory`].

pub mod directory;
pub mod memory;

use entity::user;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set, SqlErr,
    sea_query::{CaseStatement, Expr},
};

pub use directory::{Listed, PAGE_SIZE, Page};
pub use memory::AccountMemory;

use crate::{
    auth::{Username, username::fold},
    db::{REQUEST_DEADLINE, now_millis, within},
    live::status::{CustomStatus, Manual, Profile, StatusText},
};

/// Creating an account failed.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// Another account has this name, ignoring case.
    #[error("A user with that username already exists.")]
    Taken,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Inserts a new account. The unique index on the folded name decides
/// races between two sign-ups of the same name.
pub async fn create(
    db: &DatabaseConnection,
    username: &Username,
    password_hash: String,
) -> Result<user::Model, CreateUserError> {
    let row = user::ActiveModel {
        username: Set(username.as_str().to_owned()),
        username_key: Set(username.key()),
        password_hash: Set(password_hash),
        created_at: Set(now_millis()),
        last_seen_at: Set(None),
        ..Default::default()
    };
    let inserted = within(REQUEST_DEADLINE, row.insert(db)).await;
    inserted.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => CreateUserError::Taken,
        _ => CreateUserError::Db(err),
    })
}

/// Whether a name is taken, ignoring case and compatibility forms.
pub async fn name_taken(db: &DatabaseConnection, username: &Username) -> Result<bool, DbErr> {
    let query = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::UsernameKey.eq(username.key()))
        .into_tuple::<i64>();
    let found = within(REQUEST_DEADLINE, query.one(db)).await?;
    Ok(found.is_some())
}

/// The account of `username`, ignoring case and compatibility forms.
pub async fn find_by_username(
    db: &DatabaseConnection,
    username: &Username,
) -> Result<Option<user::Model>, DbErr> {
    let query = user::Entity::find().filter(user::Column::UsernameKey.eq(username.key()));
    within(REQUEST_DEADLINE, crate::lookup::by_unique_key(query, db)).await
}

/// The account whose name matches `name` once folded (see
/// [`fold`]), for callers that hold a plain string.
pub async fn find_by_name(
    db: &DatabaseConnection,
    name: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::UsernameKey.eq(fold(name)))
        .one(db)
        .await
}

/// Replaces the password hash of account `id`, if it is still `old`: a
/// password changed meanwhile is not overwritten. Whether it was replaced.
pub async fn replace_password_hash(
    db: &DatabaseConnection,
    id: i64,
    old: &str,
    new: &str,
) -> Result<bool, DbErr> {
    let update = user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(new))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::PasswordHash.eq(old));
    let result = within(REQUEST_DEADLINE, update.exec(db)).await?;
    Ok(result.rows_affected == 1)
}

/// The account with this id, within [`REQUEST_DEADLINE`].
pub async fn find_by_id(db: &DatabaseConnection, id: i64) -> Result<Option<user::Model>, DbErr> {
    let query = user::Entity::find_by_id(id);
    within(REQUEST_DEADLINE, crate::lookup::by_unique_key(query, db)).await
}

/// Account `id`'s name and chosen profile: from `memory` when it knows
/// them, else from the table (and then remembered). Every authenticated
/// request, each WebSocket upgrade too, asks this. `None` for an id with
/// no account, or one whose stored name no longer parses.
pub async fn name_and_profile(
    db: &DatabaseConnection,
    memory: &AccountMemory,
    id: i64,
) -> Result<Option<(Username, Profile)>, DbErr> {
    if let Some(known) = memory.recall(id) {
        return Ok(Some(known));
    }
    let Some(row) = find_by_id(db, id).await? else {
        return Ok(None);
    };
    let Ok(username) = Username::parse(&row.username) else {
        tracing::warn!(
            user_id = id,
            "stored username no longer parses; treating as logged out"
        );
        return Ok(None);
    };
    let profile = profile_of(&row);
    memory.loaded(id, &username, profile.clone());
    Ok(Some((username, profile)))
}

/// What `row`'s user chose for their status. A value the database holds
/// that no longer parses reads as the default, rather than failing a page.
pub fn profile_of(row: &user::Model) -> Profile {
    profile_from(
        &row.manual_status,
        row.custom_text.as_deref(),
        row.custom_until,
    )
}

/// [`profile_of`] from the columns alone: `manual_status`, `custom_text`
/// and `custom_until`, for listings that read only some columns.
pub fn profile_from(manual: &str, custom_text: Option<&str>, custom_until: Option<i64>) -> Profile {
    let custom = custom_text
        .and_then(|text| StatusText::parse(text).ok())
        .map(|text| CustomStatus {
            text,
            until: custom_until,
        });
    Profile {
        manual: Manual::parse(manual).unwrap_or_default(),
        custom,
    }
}

/// Stores what `username` chose. Going invisible is going offline to
/// everyone else, so it also sets their last-seen time to now; staying
/// invisible leaves it alone.
pub async fn save_profile(
    db: &DatabaseConnection,
    username: &Username,
    profile: &Profile,
) -> Result<(), DbErr> {
    let custom = profile.custom.as_ref();
    let mut update = user::Entity::update_many()
        .col_expr(
            user::Column::ManualStatus,
            Expr::value(profile.manual.as_str()),
        )
        .col_expr(
            user::Column::CustomText,
            Expr::value(custom.map(|custom| custom.text.as_str().to_owned())),
        )
        .col_expr(
            user::Column::CustomUntil,
            Expr::value(custom.and_then(|custom| custom.until)),
        );
    if profile.manual == Manual::Invisible {
        update = update.col_expr(
            user::Column::LastSeenAt,
            CaseStatement::new()
                .case(
                    user::Column::ManualStatus.ne(Manual::Invisible.as_str()),
                    Expr::value(now_millis()),
                )
                .finally(Expr::col(user::Column::LastSeenAt))
                .into(),
        );
    }
    update
        .filter(user::Column::UsernameKey.eq(username.key()))
        .exec(db)
        .await?;
    Ok(())
}
