//! {{name}}: one Mizan function under `/mizan` and the React page that calls it, served on
//! 127.0.0.1 (`PORT`, default 3000; `0` picks a free port). `scripts/dev` builds the page
//! and runs this.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use mizan::axum::{Config, Mizan};
use mizan::prelude::*;
use tower_http::services::{ServeDir, ServeFile};

/// Whom to greet.
#[derive(Deserialize, JsonSchema)]
struct HelloInput {
    /// A name.
    name: String,
}

/// Greets someone; the answer is cached for everyone for a minute.
#[mizan::function(cache(scope = "public", ttl = "60s"))]
async fn hello(input: HelloInput) -> Result<String, FunctionError> {
    Ok(format!("Hello, {}!", input.name))
}

/// Every function of the app.
fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(hello());
    registry
}

/// `Config::from_env` (`MIZAN_CACHE_SECRET`, `MIZAN_SIGNING_KEYS`, `MIZAN_REDIS_URL`, ...),
/// with fixed development secrets while `MIZAN_CACHE_SECRET` is unset. Set real secrets
/// before this serves anyone.
fn config() -> Result<Config, mizan::axum::ConfigError> {
    let development = std::env::var_os("MIZAN_CACHE_SECRET").is_none();
    Config::from_lookup(|name| {
        std::env::var(name).ok().or_else(|| match (development, name) {
            (true, "MIZAN_CACHE_SECRET") => Some("646576656c6f706d656e742d6f6e6c79".into()),
            (true, "MIZAN_SIGNING_KEYS") => Some("dev=646576656c6f706d656e742d7369676e".into()),
            _ => None,
        })
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = registry();
    // `MIZAN_EXPORT=schema` prints the schema the frontend's client is generated from.
    mizan::export::export_if_requested(&registry);
    let mizan = Mizan::new(registry, config()?)?;
    let web = std::env::var_os("WEB_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("web/dist"), PathBuf::from);
    let app = axum::Router::new()
        .merge(mizan.mount("/mizan"))
        .fallback_service(ServeDir::new(&web).fallback(ServeFile::new(web.join("index.html"))));
    let port = std::env::var("PORT").map_or(Ok(3000), |p| p.parse())?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    // The line scripts and tests wait for.
    println!("{{name}}: open http://{}/", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
