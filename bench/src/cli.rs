//! Command-line options. Every size has a default equal to the issue's
//! target for presence; the baseline runs pass smaller ones.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Load generator for presence (and the Django Channels and Node.js
/// baselines), speaking only the public protocol: the forms and `/users/`.
#[derive(Parser)]
#[command(version)]
pub struct Cli {
    /// Options every mode shares.
    #[command(flatten)]
    pub common: Common,
    /// What to measure.
    #[command(subcommand)]
    pub mode: Mode,
}

/// Which server the generator talks to. All three speak the same forms
/// and frames; the flavor names the server in reports, and only presence
/// is checked against the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Flavor {
    /// The Rust service.
    Presence,
    /// The Django Channels baseline (`bench/django-baseline`).
    Django,
    /// The Express + ws baseline (`bench/node-baseline`).
    Node,
}

/// Options every mode shares.
#[derive(Args, Clone)]
pub struct Common {
    /// The server's base URL.
    #[arg(
        long,
        global = true,
        env = "BENCH_URL",
        default_value = "http://127.0.0.1:8000"
    )]
    pub url: String,
    /// Which server it is.
    #[arg(long, global = true, value_enum, default_value = "presence")]
    pub flavor: Flavor,
    /// The server's process id, to read its memory from /proc.
    #[arg(long, global = true, env = "BENCH_SERVER_PID")]
    pub server_pid: Option<u32>,
    /// Spread connections over 127.0.0.1 .. 127.0.0.N.
    #[arg(long, global = true, default_value_t = 4)]
    pub sources: u8,
    /// Runtime worker threads; 1 runs everything on one thread.
    #[arg(long, global = true, default_value_t = 1)]
    pub threads: usize,
    /// User names start with this (`PREFIX-o12`); reuse it to reuse users.
    #[arg(long, global = true, default_value = "bench")]
    pub prefix: String,
    /// Password of every generated user.
    #[arg(long, global = true, default_value = "Xq7!kWv9?pZm4yJ")]
    pub password: String,
    /// Concurrent connections for sign-ups and logins.
    #[arg(long, global = true, default_value_t = 16)]
    pub setup_concurrency: usize,
    /// WebSocket handshakes in flight while opening sockets.
    #[arg(long, global = true, default_value_t = 128)]
    pub connect_concurrency: usize,
    /// Sockets per logged-in user for observers (presence lets a user
    /// hold many; each socket is what counts).
    #[arg(long, global = true, default_value_t = 50)]
    pub sockets_per_user: usize,
    /// How long one event may take to reach every observer, in ms.
    #[arg(long, global = true, default_value_t = 10_000)]
    pub round_timeout_ms: u64,
    /// How long opening may wait for the sockets' first frames, in s.
    #[arg(long, global = true, default_value_t = 120)]
    pub ready_timeout_secs: u64,
    /// The name of this server in reports, e.g. `django-redis`.
    #[arg(long, global = true)]
    pub label: Option<String>,
    /// Also write the report as JSON to this file.
    #[arg(long, global = true)]
    pub json: Option<PathBuf>,
}

/// What to measure.
#[derive(Subcommand)]
pub enum Mode {
    /// Open N authenticated sockets: sockets per second and server RSS per socket.
    Connect {
        /// Sockets to open.
        #[arg(long, default_value_t = 20_000)]
        sockets: usize,
        /// Seconds to hold them open before measuring memory.
        #[arg(long, default_value_t = 2)]
        hold_secs: u64,
        /// Open each socket as presence's page does (`/users/?watch`: a
        /// snapshot of nobody, then the counts) rather than as the seed's
        /// page (`/users/`: a snapshot of everyone online). Django and
        /// Node ignore the query.
        #[arg(long)]
        page: bool,
    },
    /// With N observers open, a trigger user connects and disconnects R times.
    Fanout(FanoutArgs),
    /// T users toggle as fast as they can for S seconds while N observers read.
    Storm {
        /// Observer sockets.
        #[arg(long, default_value_t = 1_000)]
        observers: usize,
        /// Users toggling (connect, first frame, close) in a loop.
        #[arg(long, default_value_t = 16)]
        togglers: usize,
        /// How long to toggle, in seconds.
        #[arg(long, default_value_t = 10)]
        secs: u64,
    },
    /// A fanout without, then with, logins at full speed: does p99 move?
    LoginStorm {
        /// The fanout both phases run.
        #[command(flatten)]
        fanout: FanoutArgs,
        /// Logins in flight at once. 0 is the control run: both kinds of
        /// phase are quiet, and their ratio is the measurement's own noise.
        #[arg(long, default_value_t = 4)]
        login_concurrency: usize,
        /// Quiet and stormy phases alternate this many times, `rounds`
        /// each, so that drift on a shared machine falls on both alike.
        /// With 5 blocks (200 events a kind) the ratio of two p99s moved
        /// by ±0.3 between identical runs here; with 25, control runs (no
        /// logins) measured 0.81 to 1.00, and the per-block figures in
        /// the report are steadier still.
        #[arg(long, default_value_t = 25)]
        blocks: usize,
        /// A diagnostic: with `--login-concurrency 0`, spin a thread of the
        /// generator's at idle priority through each stormy phase instead,
        /// to tell the cost of a busy core from that of the logins.
        #[arg(long)]
        idle_spinner: bool,
    },
    /// The kernel's floor under `fanout`: one 64-byte `write` per socket
    /// per event from a bare writer process, no server involved.
    TcpFloor {
        /// The sizes, as `fanout`'s.
        #[command(flatten)]
        fanout: FanoutArgs,
        /// Writer threads (presence runs one HTTP worker per core).
        #[arg(long, default_value_t = 2)]
        writers: usize,
    },
    /// Internal: the writer process of `tcp-floor`.
    #[command(hide = true)]
    TcpFloorWriter {
        /// Sockets to accept.
        #[arg(long)]
        observers: usize,
        /// Writer threads.
        #[arg(long)]
        writers: usize,
    },
    /// `GET /` latency with U users, O of them online.
    Page {
        /// Accounts that exist.
        #[arg(long, default_value_t = 100_000)]
        users: usize,
        /// Of them online.
        #[arg(long, default_value_t = 10_000)]
        online: usize,
        /// How the online users come online.
        #[arg(long, value_enum, default_value = "logins")]
        online_via: OnlineVia,
        /// Requests in flight.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// How long to request, in seconds.
        #[arg(long, default_value_t = 10)]
        secs: u64,
    },
    /// N observers, each its own user watching W others, and C status
    /// changes a second: the full feed, then watch mode (issue 15).
    Churn(crate::modes::churn::ChurnArgs),
    /// Prints markdown tables from JSON reports.
    Table {
        /// Report files written with `--json`.
        files: Vec<PathBuf>,
    },
}

/// How `page` brings its online users online.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnlineVia {
    /// A login each: online for the server's login hold (run presence
    /// with a long `PRESENCE_LOGIN_HOLD_MS`, as `bench/lib.sh` does with its
    /// grace); Django marks a login online too.
    /// Cheap: no broadcasts reach anyone.
    Logins,
    /// A socket each, held open. Every arrival is broadcast to the sockets
    /// already open, so setup costs O(online²) deliveries.
    Sockets,
}

/// The sizes of a fanout.
#[derive(Args, Clone, Copy)]
pub struct FanoutArgs {
    /// Observer sockets.
    #[arg(long, default_value_t = 10_000)]
    pub observers: usize,
    /// Connect/disconnect cycles of the trigger user (two events each).
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Pause between events, in ms.
    #[arg(long, default_value_t = 100)]
    pub pause_ms: u64,
}
