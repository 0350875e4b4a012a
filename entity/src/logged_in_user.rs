//! A user who is online on one server process (node).
//!
//! The seed app had a one-to-one `LoggedInUser`; here the key is
//! `(user_id, node_id)` so that several processes can each mirror their own
//! share of the online set, and a crashed node's rows can be removed alone.

use sea_orm::entity::prelude::*;

/// One row of the `logged_in_user` table.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "logged_in_user")]
pub struct Model {
    /// The user who is online.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// The node that holds their connection.
    #[sea_orm(primary_key, auto_increment = false)]
    pub node_id: String,
    /// When they came online on this node.
    pub since: i64,
    /// Whether any of their connections on this node is active (not idle).
    pub active: bool,
    /// Whether they are connected from a desktop on this node.
    pub desktop: bool,
    /// Whether they are connected from a mobile device on this node.
    pub mobile: bool,
    /// The account.
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
