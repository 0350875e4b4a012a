//! Brings every username to the form the app now gives new ones: NFKC
//! (Django's `normalize_username`), with `username_key` its folded form
//! (lower case, NFKC). A fullwidth `ａｌｉｃｅ` becomes `alice`.
//!
//! Two accounts whose names would become one can only be merged by a
//! person, and a name that NFKC makes invalid (too long, or with a space)
//! can only be renamed by one. If there are any, this migration changes
//! nothing and stops with a report that names them; an operator renames
//! all but one of each group (or the invalid ones) and starts again.
//!
//! The normalisation is written out here rather than shared with the app:
//! a migration must keep doing what it did when it was written. An
//! integration test checks that both agree.

use std::collections::BTreeMap;

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};
use unicode_normalization::UnicodeNormalization;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    UsernameKey,
}

/// The longest name, as the app counts it.
const MAX_CHARS: usize = 150;

/// One account's name, as stored and as it becomes.
struct Renaming {
    id: i64,
    old_name: String,
    old_key: String,
    name: String,
    key: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let select = Query::select()
            .columns([Users::Id, Users::Username, Users::UsernameKey])
            .from(Users::Table)
            .order_by(Users::Id, Order::Asc)
            .to_owned();
        let mut accounts = Vec::new();
        for row in db.query_all(&select).await? {
            let old_name: String = row.try_get("", "username")?;
            let name = normalize(&old_name);
            accounts.push(Renaming {
                id: row.try_get("", "id")?,
                old_key: row.try_get("", "username_key")?,
                key: fold(&name),
                name,
                old_name,
            });
        }
        if let Some(report) = problems(&accounts) {
            return Err(DbErr::Migration(report));
        }
        let changed: Vec<&Renaming> = accounts
            .iter()
            .filter(|account| account.name != account.old_name || account.key != account.old_key)
            .collect();
        // First out of the way under names no account can have, then to
        // the new names: a row never takes a name another still holds.
        for account in &changed {
            let parked = format!("#{}", account.id);
            rename(db, account.id, &parked, &parked).await?;
        }
        for account in &changed {
            rename(db, account.id, &account.name, &account.key).await?;
        }
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // The names as typed are gone; the normal forms are valid names.
        Ok(())
    }
}

async fn rename(db: &impl ConnectionTrait, id: i64, name: &str, key: &str) -> Result<(), DbErr> {
    let update = Query::update()
        .table(Users::Table)
        .values([
            (Users::Username, name.into()),
            (Users::UsernameKey, key.into()),
        ])
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    db.execute(&update).await.map(|_| ())
}

/// The report of names that would collide or become invalid, if any.
fn problems(accounts: &[Renaming]) -> Option<String> {
    let mut by_key: BTreeMap<&str, Vec<&Renaming>> = BTreeMap::new();
    for account in accounts {
        by_key.entry(&account.key).or_default().push(account);
    }
    let describe = |account: &Renaming| format!("{:?} (id {})", account.old_name, account.id);
    let groups: Vec<String> = by_key
        .values()
        .filter(|group| group.len() > 1)
        .map(|group| {
            group
                .iter()
                .map(|a| describe(a))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    let invalid: Vec<String> = accounts
        .iter()
        .filter(|account| !is_valid(&account.name))
        .map(describe)
        .collect();
    if groups.is_empty() && invalid.is_empty() {
        return None;
    }
    let mut report = String::from(
        "usernames cannot be normalised (NFKC, ignoring case) without merging or breaking accounts; \
         nothing was changed. Rename these accounts and start again.",
    );
    for group in groups {
        report.push_str(&format!("\n  would become one name: {group}"));
    }
    if !invalid.is_empty() {
        report.push_str(&format!("\n  would become invalid: {}", invalid.join(", ")));
    }
    Some(report)
}

/// A name as the app now stores it.
fn normalize(name: &str) -> String {
    let normal: String = name.trim().nfkc().collect();
    normal.trim().to_owned()
}

/// The key of a normalised name: lower case and NFKC until stable.
fn fold(name: &str) -> String {
    let trimmed = name.trim();
    if trimmed.is_ascii() {
        return trimmed.to_ascii_lowercase();
    }
    let mut folded = trimmed.nfkc().collect::<String>().trim().to_owned();
    for _ in 0..4 {
        let next = folded
            .to_lowercase()
            .nfkc()
            .collect::<String>()
            .trim()
            .to_owned();
        if next == folded {
            break;
        }
        folded = next;
    }
    folded
}

/// The app's rules: 1 to 150 letters, digits and `@ . + - _`.
fn is_valid(name: &str) -> bool {
    let chars = name.chars().count();
    (1..=MAX_CHARS).contains(&chars)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_'))
}
