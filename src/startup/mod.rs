//! Building the app from a [`Config`] and a listener, running it, and
//! shutting it down cleanly.
//!
//! Tests call [`Application::build`] with a listener on port 0 and a fresh
//! database, so each test gets its own server, hub and data. Whatever
//! differs between a single node and a cluster node is a method of
//! [`Deployment`], so the build reads as one list of steps.

use std::{net::TcpListener, time::Duration};

use actix_web::{cookie::Key, dev::Server, web};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    auth::{self, AuthSettings, token},
    config::{Config, ConfigError},
    db,
    deployment::Deployment,
    forwarded::ProxyTrust,
    health::{DbHealth, HealthChecks},
    live::{
        admission::Admission,
        fanout::claim::ClaimError,
        hub::{Hub, PresenceHub, Stores},
        session::Heartbeat,
    },
    routes,
    security::CookieSecure,
    sessions::SessionBackend,
    signing_key, templates,
    users::AccountMemory,
};

/// Re-exported: callers that build an [`Application`] also stop it.
pub use crate::shutdown::ShutdownHandle;
use server::serve;

mod server;

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Contradictory settings.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A template does not parse.
    #[error("templates: {0}")]
    Templates(#[from] tera::Error),
    /// The database is unreachable or its migration failed.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// bcrypt failed while preparing the login decoy.
    #[error("password hashing: {0}")]
    Hashing(#[from] auth::password::HashError),
    /// The listener could not be used.
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
    /// Another live process holds this cluster node's id.
    #[error(transparent)]
    NodeId(#[from] ClaimError),
}

/// A built, not yet running, presence server.
pub struct Application {
    server: Server,
    port: u16,
    hub: Hub,
    db: DatabaseConnection,
    shutdown: ShutdownHandle,
    /// How long the hub drains at shutdown.
    drain: Duration,
}

impl Application {
    /// Connects and migrates the database, clears rows a crashed process
    /// left behind, starts the hub and binds the HTTP server to `listener`.
    pub async fn build(config: Config, listener: TcpListener) -> Result<Self, StartupError> {
        config.validate()?;
        templates::check()?;
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;

        let node_id = config.node_id.clone().unwrap_or_else(|| token::random(12));
        let deployment = Deployment::of(&config, &node_id);
        tracing::info!(node_id = %node_id, mode = deployment.name(), "presence node starting");
        let claim = deployment.claim_node_id().await?;
        let ghosts = deployment.clear_ghost_rows(&db, &node_id, claim).await?;
        if ghosts > 0 {
            tracing::warn!(
                rows = ghosts,
                "removed LoggedInUser rows left by a previous process"
            );
        }

        let key = signing_key::load(&db, config.secret_key.as_ref()).await?;
        let sessions = deployment.session_store(&db);
        let accounts = deployment.account_memory();
        let db_health = DbHealth::default();
        let hub = Hub::start_with(|hub| {
            let stores = Stores::spawn(&db, &node_id, hub, &db_health, &accounts);
            let reach = deployment.reach(hub, &db);
            PresenceHub::new(stores, reach, config.hub_settings(), &node_id)
        });
        let shutdown = ShutdownHandle::default();
        let parts = Parts {
            deployment: &deployment,
            db: &db,
            hub: &hub,
            key: &key,
            sessions: &sessions,
            accounts,
            db_health,
            shutdown: shutdown.clone(),
        };
        let state = SharedState::new(&config, parts, node_id).await?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state, sessions, key, &config)?;
        let cluster = config.redis_url.is_some();
        Ok(Self {
            server,
            port,
            hub,
            db,
            shutdown,
            drain: crate::shutdown::drain_time(config.grace(), cluster),
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The hub, for tests that watch or drive it.
    pub fn hub(&self) -> Hub {
        self.hub.clone()
    }

    /// The database pool.
    pub fn db(&self) -> DatabaseConnection {
        self.db.clone()
    }

    /// A handle that stops the server as SIGTERM would.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Serves until Ctrl-C, SIGTERM or [`ShutdownHandle::shutdown`], then
    /// closes every socket with 1001, drains (in a cluster), removes this
    /// process's `LoggedInUser` rows and stops, all within
    /// [`BUDGET`](crate::shutdown::BUDGET).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut server = actix_web::rt::spawn(self.server);
        tokio::select! {
            result = &mut server => return result.unwrap_or_else(|err| Err(std::io::Error::other(err))),
            () = self.shutdown.requested() => {}
        }
        crate::shutdown::stop_within_budget(&self.hub, &handle, self.drain).await;
        server
            .await
            .unwrap_or_else(|err| Err(std::io::Error::other(err)))
    }
}

/// The started parts the handlers' state is made of.
struct Parts<'a> {
    deployment: &'a Deployment,
    db: &'a DatabaseConnection,
    hub: &'a Hub,
    key: &'a Key,
    sessions: &'a SessionBackend,
    accounts: AccountMemory,
    db_health: DbHealth,
    shutdown: ShutdownHandle,
}

/// Everything the handlers share, one `web::Data` each.
#[derive(Clone)]
struct SharedState {
    db: web::Data<DatabaseConnection>,
    accounts: web::Data<AccountMemory>,
    hub: web::Data<Hub>,
    auth: web::Data<AuthSettings>,
    heartbeat: web::Data<Heartbeat>,
    health: web::Data<HealthChecks>,
    metrics: web::Data<PrometheusHandle>,
    proxy: web::Data<ProxyTrust>,
    cookie_secure: web::Data<CookieSecure>,
    admission: web::Data<Admission>,
    page: web::Data<crate::pages::PageSettings>,
}

impl SharedState {
    /// Gathers the state from the settings and the started parts.
    async fn new(config: &Config, parts: Parts<'_>, node_id: String) -> Result<Self, StartupError> {
        let Parts {
            deployment,
            db,
            hub,
            key,
            sessions,
            accounts,
            db_health,
            shutdown,
        } = parts;
        let auth = AuthSettings::new(config, deployment.throttle(), key, sessions).await?;
        Ok(Self {
            db: web::Data::new(db.clone()),
            accounts: web::Data::new(accounts),
            hub: web::Data::new(hub.clone()),
            auth: web::Data::new(auth),
            heartbeat: web::Data::new(Heartbeat {
                interval: config.heartbeat(),
                timeout: config.client_timeout(),
            }),
            health: web::Data::new(HealthChecks {
                node_id,
                redis: deployment.redis(),
                database: db_health,
                shutdown,
            }),
            metrics: web::Data::new(crate::metrics::install()),
            proxy: web::Data::new(ProxyTrust(config.trust_proxy)),
            cookie_secure: web::Data::new(CookieSecure(config.cookie_secure)),
            admission: web::Data::new(Admission::new(&config.sockets)),
            page: web::Data::new(crate::pages::PageSettings::from(config)),
        })
    }

    /// Registers the shared state and the routes.
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.db.clone())
            .app_data(self.accounts.clone())
            .app_data(self.hub.clone())
            .app_data(self.auth.clone())
            .app_data(self.heartbeat.clone())
            .app_data(self.health.clone())
            .app_data(self.metrics.clone())
            .app_data(self.proxy.clone())
            .app_data(self.cookie_secure.clone())
            .app_data(self.admission.clone())
            .app_data(self.page.clone())
            .configure(routes::configure);
    }
}
