//! `users.list_rank`: where a user stands in the list's order, kept by the
//! database itself.
//!
//! The user list shows online users first, then away and do not disturb,
//! then offline, each part by name. With 100,000 users online, neither
//! reading them all nor walking every account to find the next 50 of one
//! part is cheap, so each account carries its part in `list_rank` (0
//! online, 1 away or do not disturb, 2 offline or invisible), and an index
//! on `(list_rank, username_key)` turns a page of any part into a range.
//!
//! The rank follows from other rows: the user's `LoggedInUser` rows on
//! every node (connected at all? active anywhere?) and their chosen
//! `manual_status`. Triggers recompute it whenever one of those changes,
//! so every writer (each node's row writer, the reaper, a profile save, a
//! crashed node's clean-up) keeps it right without knowing it exists.
//!
//! On PostgreSQL two nodes may change one user's rows at the same moment.
//! The trigger first locks the user's row, so the second waits for the
//! first to commit, and then reads the rows as they are after it: a rank
//! computed from a snapshot that missed the other's change cannot win.
//! SQLite has one writer at a time and needs no lock.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The rank of the `users` row being updated, from its rows and choice.
/// `$ID` stands for the expression naming the user.
const RANK: &str = "CASE \
     WHEN manual_status = 'invisible' THEN 2 \
     WHEN NOT EXISTS (SELECT 1 FROM logged_in_user l WHERE l.user_id = $ID) THEN 2 \
     WHEN manual_status = 'dnd' THEN 1 \
     WHEN EXISTS (SELECT 1 FROM logged_in_user l WHERE l.user_id = $ID AND l.active) THEN 0 \
     ELSE 1 END";

fn rank_of(id: &str) -> String {
    RANK.replace("$ID", id)
}

fn sqlite_statements() -> Vec<String> {
    let restate = |id: &str| {
        format!(
            "UPDATE users SET list_rank = {rank} WHERE id = {id} AND list_rank <> {rank};",
            rank = rank_of(id)
        )
    };
    // Each trigger, the change that fires it, and whose rank it restates.
    let triggers = [
        (
            "logged_in_user_rank_insert",
            "AFTER INSERT ON logged_in_user",
            "NEW.user_id",
        ),
        (
            "logged_in_user_rank_update",
            "AFTER UPDATE OF active ON logged_in_user",
            "NEW.user_id",
        ),
        (
            "logged_in_user_rank_delete",
            "AFTER DELETE ON logged_in_user",
            "OLD.user_id",
        ),
        (
            "users_rank_manual",
            "AFTER UPDATE OF manual_status ON users",
            "NEW.id",
        ),
    ];
    triggers
        .iter()
        .map(|(name, when, id)| format!("CREATE TRIGGER {name} {when} BEGIN {} END", restate(id)))
        .collect()
}

fn postgres_statements() -> Vec<String> {
    vec![
        format!(
            "CREATE FUNCTION presence_restate_rank(uid bigint) RETURNS void AS $$ \
             BEGIN \
               PERFORM 1 FROM users WHERE id = uid FOR UPDATE; \
               UPDATE users SET list_rank = {rank} WHERE id = uid AND list_rank <> {rank}; \
             END $$ LANGUAGE plpgsql",
            rank = rank_of("uid")
        ),
        "CREATE FUNCTION presence_rows_rank() RETURNS trigger AS $$ \
         BEGIN \
           IF TG_OP = 'DELETE' THEN PERFORM presence_restate_rank(OLD.user_id); \
           ELSE PERFORM presence_restate_rank(NEW.user_id); END IF; \
           RETURN NULL; \
         END $$ LANGUAGE plpgsql"
            .into(),
        "CREATE FUNCTION presence_users_rank() RETURNS trigger AS $$ \
         BEGIN PERFORM presence_restate_rank(NEW.id); RETURN NULL; END $$ LANGUAGE plpgsql"
            .into(),
        "CREATE TRIGGER logged_in_user_rank AFTER INSERT OR DELETE OR UPDATE OF active \
         ON logged_in_user FOR EACH ROW EXECUTE FUNCTION presence_rows_rank()"
            .into(),
        "CREATE TRIGGER users_rank_manual AFTER UPDATE OF manual_status ON users \
         FOR EACH ROW WHEN (OLD.manual_status IS DISTINCT FROM NEW.manual_status) \
         EXECUTE FUNCTION presence_users_rank()"
            .into(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .add_column(
                        ColumnDef::new(Alias::new("list_rank"))
                            .small_integer()
                            .not_null()
                            .default(2),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_list_rank_key")
                    .table(Alias::new("users"))
                    .col(Alias::new("list_rank"))
                    .col(Alias::new("username_key"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_statements(),
            _ => sqlite_statements(),
        };
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        // Rows written before this migration: rank them once.
        db.execute_unprepared(&format!(
            "UPDATE users SET list_rank = {}",
            rank_of("users.id")
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let drops: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER IF EXISTS logged_in_user_rank ON logged_in_user",
                "DROP TRIGGER IF EXISTS users_rank_manual ON users",
                "DROP FUNCTION IF EXISTS presence_rows_rank()",
                "DROP FUNCTION IF EXISTS presence_users_rank()",
                "DROP FUNCTION IF EXISTS presence_restate_rank(bigint)",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS logged_in_user_rank_insert",
                "DROP TRIGGER IF EXISTS logged_in_user_rank_update",
                "DROP TRIGGER IF EXISTS logged_in_user_rank_delete",
                "DROP TRIGGER IF EXISTS users_rank_manual",
            ],
        };
        for statement in drops {
            db.execute_unprepared(statement).await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_users_list_rank_key")
                    .table(Alias::new("users"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .drop_column(Alias::new("list_rank"))
                    .to_owned(),
            )
            .await
    }
}
