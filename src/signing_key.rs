//! The key that signs cookies: `SECRET_KEY` when it is set, and otherwise
//! one generated once and kept in the database.
//!
//! A key generated afresh at each start would log everyone out at every
//! restart, and nodes sharing a database would refuse each other's
//! cookies. So without `SECRET_KEY` the first process to start stores a
//! random secret in the `site_secret` table, and every process after it,
//! on this node or another, reads the same one. Nodes starting together
//! each try to insert theirs, the primary key keeps the first, and all of
//! them read back the one that won.
//!
//! Whoever can read the database can read this key; the sessions it signs
//! live in that database (or in Redis) anyway. Set `SECRET_KEY` to keep the
//! key out of it.

use actix_web::cookie::Key;
use entity::site_secret;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, Set};

use crate::{auth::token, config::SecretKey, db::now_millis};

/// The row the cookie signing secret is kept under.
const NAME: &str = "cookie_signing";
/// 64 letters and digits: about 380 bits.
const SECRET_LEN: usize = 64;

/// The key cookies are signed with: from `configured` when given, else the
/// one kept in the database (made on first use).
pub async fn load(db: &DatabaseConnection, configured: Option<&SecretKey>) -> Result<Key, DbErr> {
    if let Some(secret) = configured {
        return Ok(Key::derive_from(secret.as_bytes()));
    }
    let stored = stored_or_new(db).await?;
    tracing::info!("SECRET_KEY is not set: signing cookies with the key kept in the database");
    Ok(Key::derive_from(stored.as_bytes()))
}

/// The stored secret, inserting a fresh one first unless one exists.
pub async fn stored_or_new(db: &DatabaseConnection) -> Result<String, DbErr> {
    let fresh = site_secret::ActiveModel {
        name: Set(NAME.to_owned()),
        value: Set(token::random(SECRET_LEN)),
        created_at: Set(now_millis()),
    };
    site_secret::Entity::insert(fresh)
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    let row = site_secret::Entity::find_by_id(NAME.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("site_secret {NAME}")))?;
    if row.value.len() < SecretKey::MIN_LEN {
        return Err(DbErr::Custom(format!(
            "the stored {NAME} secret is shorter than {} bytes",
            SecretKey::MIN_LEN
        )));
    }
    Ok(row.value)
}
