//! The smallest Mizan app: two functions, a composition and the token functions, served
//! on 127.0.0.1:3000 under `/mizan` with the embedded defaults (memory cache).
//!
//! Run it with `cargo run -p hello`, then:
//!
//! ```text
//! curl -s localhost:3000/mizan/call/greet -d '{"name":"Ada"}'
//! curl -s 'localhost:3000/mizan/call/greet?input={"name":"Ada"}'
//! ```

use std::net::SocketAddr;

use hello::{app, config_from_env};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let registry = hello::registry();
    mizan::export::export_if_requested(&registry);
    let mizan = mizan::axum::Mizan::new(registry, config_from_env()?)?;
    let addr: SocketAddr = std::env::var("HELLO_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        "serving on http://{}/mizan (schema: /mizan/schema)",
        listener.local_addr()?
    );
    axum::serve(listener, app(&mizan)).await?;
    Ok(())
}
