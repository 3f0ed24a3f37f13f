//! The Mizan demo, a small team board: its registry, configuration and router, shared by
//! the binary and its tests.

pub mod boards;
pub mod chat;
pub mod db;
pub mod middleware;
pub mod operator;
pub mod posts;
pub mod users;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mizan::auth::token_functions;
use mizan::axum::{Config, Mizan};
use mizan::prelude::*;
use tower_http::services::{ServeDir, ServeFile};

use crate::db::Db;

/// Every function, composition, form and channel of the app.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(boards::list_public_boards())
        .register(boards::member_boards())
        .register(boards::board_posts())
        .register(boards::post_detail())
        .register(boards::my_drafts())
        .register(boards::me())
        .register(posts::edit_post())
        .register(posts::add_comment());
    for f in token_functions(users::check_login)
        .into_iter()
        .chain(posts::new_post_form())
    {
        registry.register(f);
    }
    // The home page in one round trip; members fail on their own (a guest's
    // `member_boards` is `forbidden`, an anonymous caller's `my_drafts` `unauthenticated`).
    registry.register_compose("dashboard", ["list_public_boards", "member_boards", "my_drafts"]);
    registry.register_extension(
        "channels",
        mizan::channels::Channels::new()
            .with(chat::board_chat())
            .with(operator::operator_stats()),
    );
    registry
}

/// Where the demo keeps its data and serves from, read from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL` (`postgres://...`); unset means SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// `DEMO_DATA_DIR`, default `examples/demo/data`.
    pub data_dir: PathBuf,
    /// `DEMO_WEB_DIR`: the built frontend, default `examples/demo/web/dist`.
    pub web_dir: PathBuf,
    /// `DEMO_PORT` on 127.0.0.1, default 3000 (`0` picks a free one).
    pub port: u16,
    /// `DEMO_TOKEN_TTL`: how long a sign-in lasts before the page refreshes it, in
    /// seconds (default 900). Tests use a few seconds.
    pub token_ttl: Duration,
}

impl Settings {
    /// Reads the variables above.
    pub fn from_env() -> Result<Self, Box<dyn std::error::Error>> {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = |var: &str, default: &str| {
            std::env::var_os(var).map_or_else(|| here.join(default), PathBuf::from)
        };
        Ok(Self {
            database_url: std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()),
            data_dir: path("DEMO_DATA_DIR", "data"),
            web_dir: path("DEMO_WEB_DIR", "web/dist"),
            port: std::env::var("DEMO_PORT").map_or(Ok(3000), |p| p.parse())?,
            token_ttl: Duration::from_secs(std::env::var("DEMO_TOKEN_TTL").map_or(Ok(900), |s| s.parse())?),
        })
    }

    /// Opens the database the settings name, migrated.
    pub async fn open_db(&self) -> Result<Db, sqlx::Error> {
        match &self.database_url {
            Some(url) => Db::open(url).await,
            None => Db::open_sqlite(&self.data_dir).await,
        }
    }
}

/// The Mizan configuration: `Config::from_env` (see its docs for the variables), with fixed
/// development secrets when `MIZAN_CACHE_SECRET` is unset. With `MIZAN_REDIS_URL`, Redis
/// carries the cache, the revisions and the channels, so several instances serve one board
/// (`MIZAN_REDIS_PREFIX`, default `mizan:`, separates apps on one Redis). The database goes
/// into the handlers' state; sign-in is an `HttpOnly` cookie lasting `token_ttl` (the clock
/// skew tolerated is a tenth of it, at most 30 s, so a short lifetime really ends); every
/// call runs through `load_viewer`.
pub async fn config(db: Db, token_ttl: Duration) -> Result<Config, Box<dyn std::error::Error>> {
    let development = std::env::var_os("MIZAN_CACHE_SECRET").is_none();
    let development_secret = |name: &str| match name {
        "MIZAN_CACHE_SECRET" => Some(hex::encode(b"demo-dev-cache-secret")),
        "MIZAN_SIGNING_KEYS" => Some(format!("dev={}", hex::encode(b"demo-dev-signing-key"))),
        _ => None,
    };
    let mut config = Config::from_lookup(|name| {
        std::env::var(name)
            .ok()
            .or_else(|| development.then(|| development_secret(name)).flatten())
    })?;
    config.token_ttl = token_ttl;
    config.token_leeway = (token_ttl / 10).min(Duration::from_secs(30));
    Ok(config
        .with_state(State::new().with(db))
        .with_middleware(middleware::load_viewer())
        .with_cookie_sign_in())
}

/// The app: Mizan under `/mizan` and the built frontend for every other path (`index.html`
/// for the client-side routes). Starts the operator page's feed of this instance's counters
/// (the `operator_stats` channel, operators only), so call it inside the runtime.
pub fn app(mizan: &Mizan, web_dir: &Path) -> axum::Router {
    operator::spawn_feed(mizan);
    axum::Router::new()
        .merge(mizan.mount("/mizan"))
        .fallback_service(ServeDir::new(web_dir).fallback(ServeFile::new(web_dir.join("index.html"))))
}
