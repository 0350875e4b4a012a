//! One person, one name: usernames are normalised with NFKC before they
//! are checked and stored, unique ignoring case after that, and looked up
//! the same way at login. The migration that brings old rows to that form
//! stops, naming them, where two accounts would become one.

use entity::user;
use migration::{Migrator, MigratorTrait};
use presence::auth::Username;
use sea_orm::{Database, DatabaseConnection, EntityTrait, QueryOrder, QuerySelect, Set};

use crate::support::{
    PASSWORD,
    app::{spawn_on, test_config},
    db::TestDb,
    spawn_app,
};

#[actix_web::test]
async fn a_fullwidth_alice_cannot_sign_up_next_to_alice_and_logs_in_as_her() {
    let app = spawn_app().await;
    let browser = app.browser();
    assert_eq!(browser.sign_up("alice", PASSWORD).await.status(), 303);
    let twin = browser.sign_up("ａｌｉｃｅ", PASSWORD).await;
    assert_eq!(twin.status(), 200, "ａｌｉｃｅ signed up next to alice");
    assert!(
        twin.text()
            .await
            .unwrap()
            .contains("A user with that username already exists.")
    );
    for typed in ["ａｌｉｃｅ", "ＡＬＩＣＥ"] {
        let login = app.browser();
        assert_eq!(login.log_in(typed, PASSWORD).await.status(), 303, "{typed}");
        assert!(
            login
                .page("/")
                .await
                .contains("Logged in as <strong>alice</strong>")
        );
    }
    // A name typed in fullwidth only is stored in its normal form.
    assert_eq!(browser.sign_up("ｂｏｂ", PASSWORD).await.status(), 303);
    let bob = app.browser();
    assert_eq!(bob.log_in("bob", PASSWORD).await.status(), 303);
    assert!(
        bob.page("/")
            .await
            .contains("Logged in as <strong>bob</strong>")
    );
}

/// Applies every migration before the one that normalises usernames.
async fn migrate_up_to_normalisation(db: &DatabaseConnection) {
    let before = Migrator::migrations()
        .iter()
        .take_while(|migration| !migration.name().contains("normalize_usernames"))
        .count();
    Migrator::up(db, Some(u32::try_from(before).unwrap()))
        .await
        .expect("earlier migrations");
}

/// Inserts an account as the code before normalisation did: the name as
/// typed, and its lower-cased key.
async fn seed(db: &DatabaseConnection, name: &str) {
    // Without reading the row back: the schema of that time lacks columns
    // the entity has now.
    let row = user::ActiveModel {
        username: Set(name.to_owned()),
        username_key: Set(name.to_lowercase()),
        password_hash: Set(bcrypt::hash(PASSWORD, 4).unwrap()),
        created_at: Set(0),
        last_seen_at: Set(None),
        ..Default::default()
    };
    user::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .expect("seed a user");
}

async fn names(db: &DatabaseConnection) -> Vec<(String, String)> {
    user::Entity::find()
        .select_only()
        .columns([user::Column::Username, user::Column::UsernameKey])
        .order_by_asc(user::Column::Id)
        .into_tuple::<(String, String)>()
        .all(db)
        .await
        .unwrap()
}

#[actix_web::test]
async fn the_username_migration_stops_and_lists_names_that_would_collide() {
    let data = TestDb::fresh().await;
    let db = Database::connect(&data.url).await.unwrap();
    migrate_up_to_normalisation(&db).await;
    for name in ["alice", "ａｌｉｃｅ", "Ｃａｒｏｌ", "carol", "dave"] {
        seed(&db, name).await;
    }
    let before = names(&db).await;
    let report = presence::db::migrate(&db)
        .await
        .expect_err("the migration merged accounts silently")
        .to_string();
    eprintln!("the migration stopped with: {report}");
    for name in ["alice", "ａｌｉｃｅ", "Ｃａｒｏｌ", "carol"] {
        assert!(report.contains(name), "{name} is not in the report");
    }
    assert!(!report.contains("dave"), "dave collides with nobody");
    assert_eq!(
        names(&db).await,
        before,
        "rows changed by a failed migration"
    );
}

#[actix_web::test]
async fn the_username_migration_rewrites_names_to_their_normal_form() {
    let data = TestDb::fresh().await;
    let db = Database::connect(&data.url).await.unwrap();
    migrate_up_to_normalisation(&db).await;
    for name in ["ａｌｉｃｅ", "Ｂｏｂ", "carol", "Dave"] {
        seed(&db, name).await;
    }
    presence::db::migrate(&db).await.expect("no collisions");
    let rows = names(&db).await;
    let expected: Vec<(String, String)> = ["alice", "Bob", "carol", "Dave"]
        .iter()
        .map(|name| {
            let parsed = Username::parse(name).unwrap();
            (parsed.as_str().to_owned(), parsed.key())
        })
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(rows[1], ("Bob".to_owned(), "bob".to_owned()));

    // The server starts on the migrated database, and ａｌｉｃｅ logs in
    // as alice.
    let app = spawn_on(test_config(&data.url), None).await;
    let browser = app.browser();
    assert_eq!(browser.log_in("alice", PASSWORD).await.status(), 303);
    assert!(
        browser
            .page("/")
            .await
            .contains("Logged in as <strong>alice</strong>")
    );
}
