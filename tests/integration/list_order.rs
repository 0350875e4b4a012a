//! The list's own order, at `/` and in the empty search of `/api/users`:
//! online first, then away and do not disturb, then offline, each part by
//! name, paged through like any listing. The part each user is in is kept
//! by the database (`users.list_rank`), so these also check that every
//! kind of row write moves a user to the right part, on SQLite and on
//! PostgreSQL.

use std::time::Duration;

use entity::{logged_in_user, user};
use presence::users;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};

use crate::{
    directory::{
        create_users, json, names, numbered, spawn_app_with_short_login_holds, until_offline_again,
    },
    support::{app::TestApp, browser::listed_names, spawn_app},
};

/// Gives each of `names` a `LoggedInUser` row on node `node`, as a node's
/// writer would: active or idle.
async fn rows_for(app: &TestApp, names: &[String], node: &str, active: bool) {
    for name in names {
        let id = users::find_by_name(&app.db, name)
            .await
            .expect("read user")
            .expect("user exists")
            .id;
        logged_in_user::Entity::insert(logged_in_user::ActiveModel {
            user_id: Set(id),
            node_id: Set(node.to_owned()),
            since: Set(0),
            active: Set(active),
            desktop: Set(true),
            mobile: Set(false),
        })
        .exec_without_returning(&app.db)
        .await
        .expect("insert row");
    }
}

/// The names of `/api/users`' first page, until they are `expected`
/// (rows are written a moment after the socket's news).
async fn until_first_page(app: &TestApp, viewer: &crate::support::Browser, expected: &[&str]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let listed = names(&json(viewer, "/api/users").await);
        if listed == expected {
            let page = listed_names(&viewer.page("/").await);
            assert_eq!(page, expected, "the rendered list agrees with the API");
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "listed {listed:?}, not {expected:?} (rows: {:?})",
            app.rows().await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn online_comes_first_then_away_and_do_not_disturb_then_offline() {
    let app = spawn_app_with_short_login_holds().await;
    let amy = app.logged_in("amy").await; // the viewer, with no socket: offline
    create_users(&app, &["bob".into()]).await;
    let zed = app.logged_in("zed").await;
    let _zed_tab = zed.socket().await;
    let yan = app.logged_in("yan").await;
    let mut yan_tab = yan.socket().await;
    let xia = app.logged_in("xia").await;
    let mut xia_tab = xia.socket().await;
    until_first_page(&app, &amy, &["xia", "yan", "zed", "amy", "bob"]).await;

    yan_tab
        .send_text(r#"{"type":"activity","state":"idle"}"#)
        .await;
    xia_tab
        .send_text(r#"{"type":"set_status","status":"dnd"}"#)
        .await;
    until_first_page(&app, &amy, &["zed", "xia", "yan", "amy", "bob"]).await;

    // Active again: back among the online; invisible: among the offline.
    yan_tab
        .send_text(r#"{"type":"activity","state":"active"}"#)
        .await;
    xia_tab
        .send_text(r#"{"type":"set_status","status":"invisible"}"#)
        .await;
    until_first_page(&app, &amy, &["yan", "zed", "amy", "bob", "xia"]).await;
    yan_tab.close().await;
    until_first_page(&app, &amy, &["zed", "amy", "bob", "xia", "yan"]).await;
}

#[actix_web::test]
async fn the_online_users_page_as_the_offline_ones_do() {
    let app = spawn_app_with_short_login_holds().await;
    let viewer = app.logged_in("viewer").await;
    until_offline_again(&app, "viewer").await;
    let online = numbered("on", 60);
    let away = numbered("idle", 3);
    let offline = numbered("off", 40);
    create_users(
        &app,
        &[online.clone(), away.clone(), offline.clone()].concat(),
    )
    .await;
    rows_for(&app, &online, "node-x", true).await;
    rows_for(&app, &away, "node-x", false).await;

    let first = json(&viewer, "/api/users").await;
    assert_eq!(names(&first), online[..50]);
    let page = viewer.page("/").await;
    assert_eq!(listed_names(&page), online[..50], "/ renders the same page");
    assert!(page.contains(r#"<span id="online-count">63</span>"#));

    let cursor = first["next"].as_str().expect("a next page");
    let second = json(&viewer, &format!("/api/users?after={cursor}")).await;
    let mut expected = online[50..].to_vec();
    expected.extend(away.iter().cloned());
    expected.extend(offline[..37].iter().cloned());
    assert_eq!(names(&second), expected);
    let cursor = second["next"].as_str().expect("a third page");
    let third = json(&viewer, &format!("/api/users?after={cursor}")).await;
    let mut rest = offline[37..].to_vec();
    rest.push("viewer".into());
    assert_eq!(names(&third), rest);
    assert!(third["next"].is_null());
}

#[actix_web::test]
async fn a_user_connected_on_two_nodes_is_away_only_when_idle_on_both() {
    let app = spawn_app_with_short_login_holds().await;
    let viewer = app.logged_in("viewer").await;
    until_offline_again(&app, "viewer").await;
    let both = vec!["both".to_owned()];
    create_users(&app, &both).await;
    rows_for(&app, &both, "node-x", false).await;
    rows_for(&app, &both, "node-y", true).await;
    let rank = || async {
        let row = users::find_by_name(&app.db, "both").await.unwrap().unwrap();
        row.list_rank
    };
    assert_eq!(rank().await, 0, "active on one node is online");
    logged_in_user::Entity::update_many()
        .col_expr(logged_in_user::Column::Active, Expr::value(false))
        .filter(logged_in_user::Column::NodeId.eq("node-y"))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(rank().await, 1, "idle on both is away");
    logged_in_user::Entity::delete_many()
        .filter(logged_in_user::Column::NodeId.eq("node-x"))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(rank().await, 1, "still connected on one node");
    user::Entity::update_many()
        .col_expr(user::Column::ManualStatus, Expr::value("dnd"))
        .filter(user::Column::UsernameKey.eq("both"))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(rank().await, 1, "do not disturb sits with away");
    logged_in_user::Entity::delete_many()
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(rank().await, 2, "no rows left: offline");
    let page = json(&viewer, "/api/users").await;
    assert_eq!(names(&page), ["both", "viewer"]);
}

#[actix_web::test]
async fn a_cursor_of_a_search_does_not_continue_the_list_and_the_reverse() {
    let app = spawn_app().await;
    let viewer = app.logged_in("viewer").await;
    create_users(&app, &numbered("a", 60)).await;
    let everyone = json(&viewer, "/api/users").await;
    let search = json(&viewer, "/api/users?q=a").await;
    let (everyone_next, search_next) = (
        everyone["next"].as_str().unwrap(),
        search["next"].as_str().unwrap(),
    );
    for path in [
        format!("/api/users?after={search_next}"),
        format!("/api/users?q=a&after={everyone_next}"),
    ] {
        let response = viewer.get(&path).await;
        assert_eq!(response.status(), 400, "{path}");
    }
}
