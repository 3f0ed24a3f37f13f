//! The Mizan demo server: the team board's functions under `/mizan` and its frontend, on
//! 127.0.0.1 (`DEMO_PORT`, default 3000). `scripts/demo` builds the frontend and runs it.
//!
//! SQLite in `examples/demo/data/` by default (`DEMO_DATA_DIR`), PostgreSQL with
//! `DATABASE_URL`; the memory cache and in-process channels, or Redis for both with
//! `MIZAN_REDIS_URL` (`demo::config`).

use std::net::{Ipv4Addr, SocketAddr};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let registry = demo::registry();
    mizan::export::export_if_requested(&registry);
    let settings = demo::Settings::from_env()?;
    let db = settings.open_db().await?;
    let config = demo::config(db, settings.token_ttl).await?;
    let (cache, channels) = (config.cache.name(), config.channel_layer.name());
    let mizan = mizan::axum::Mizan::new(registry, config)?;
    if !settings.web_dir.join("index.html").exists() {
        tracing::warn!(dir = %settings.web_dir.display(), "no built frontend; run scripts/demo");
    }
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, settings.port))).await?;
    let url = format!("http://{}/", listener.local_addr()?);
    let database = if settings.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    tracing::info!(database, cache, channels, "ready");
    // The line scripts and tests wait for; printed, not logged, so it shows whatever RUST_LOG says.
    println!("demo: open {url}");
    axum::serve(listener, demo::app(&mizan, &settings.web_dir)).await?;
    Ok(())
}
