//! The axum adapter for Mizan: mount a registry as HTTP endpoints.
//!
//! ```no_run
//! // Applications write `mizan::axum::{Config, Mizan}` and `mizan::mwt::Keyring`.
//! use mizan_axum::{Config, Mizan};
//! use mizan_core::{Keyring, Registry};
//!
//! # async fn run(registry: Registry) -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::new(b"cache secret".to_vec(), Keyring::new("k1", b"signing key").unwrap());
//! let mizan = Mizan::new(registry, config)?;
//! let app = axum::Router::new().merge(mizan.mount("/mizan"));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! The wire protocol is `spec/PROTOCOL.md` §2 (HTTP) and §3 (channels over WebSocket, or
//! Server-Sent Events plus `POST` where upgrades are refused).

mod auth;
mod channels;
mod config;
mod error;
mod extract;
mod limits;
mod openapi;
mod respond;
mod routes;
mod state;

use std::collections::BTreeMap;

pub use config::{Config, ConfigError};
pub use limits::{ChannelLimits, Limits};
#[doc(inline)]
pub use mizan_core::executor::{FunctionMetrics, Metrics, MetricsSnapshot};
use mizan_core::{Registry, RegistryError};
use state::AppState;

/// A running Mizan instance: the registry and configuration behind a router, plus the
/// server-side API (purge, metrics). Cheap to clone.
#[derive(Clone)]
pub struct Mizan {
    app: AppState,
}

impl std::fmt::Debug for Mizan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mizan")
            .field("registry", self.registry())
            .finish_non_exhaustive()
    }
}

impl Mizan {
    /// Validates the registry and builds the instance.
    ///
    /// # Errors
    ///
    /// Every problem `validate_registry` finds.
    pub fn new(registry: Registry, config: Config) -> Result<Self, RegistryError> {
        registry.validate_registry()?;
        Ok(Self {
            app: AppState::new(registry, config),
        })
    }

    /// The endpoints at the root (`/call/NAME`, ...), to serve as they are or to nest with
    /// `Router::nest`. Prefer [`mount`](Self::mount): a nested router costs more per
    /// request.
    pub fn router(&self) -> axum::Router {
        routes::router(self.app.clone(), "")
    }

    /// The endpoints under `prefix` (`"/mizan"`), every path beneath it (and `{prefix}/`)
    /// answered with an envelope (§2.3); merge the result into the app. Tower layers
    /// (`.layer(cors)`) apply to it as to any router.
    ///
    /// ```
    /// # fn app(mizan: &mizan_axum::Mizan) -> axum::Router {
    /// axum::Router::new().merge(mizan.mount("/mizan"))
    /// # }
    /// ```
    pub fn mount(&self, prefix: &str) -> axum::Router {
        routes::router(self.app.clone(), prefix.trim_end_matches('/'))
    }

    /// Purges `tags`: bumps their revisions so every instance computes fresh results and
    /// clients refetch. Returns the new revisions of the tags that could be bumped (a
    /// missing tag means the cache backend failed; it is logged and counted).
    pub async fn purge<I, S>(&self, tags: I) -> BTreeMap<String, u64>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let tags: Vec<S> = tags.into_iter().collect();
        self.app.executor.purge(tags.iter().map(AsRef::as_ref)).await
    }

    /// Publishes on channels through this instance's layer (handlers find the same
    /// publisher in their state).
    pub fn publisher(&self) -> &mizan_core::channels::Publisher {
        self.app.executor.publisher()
    }

    /// The instance's counters.
    pub fn metrics(&self) -> &Metrics {
        self.app.executor.metrics()
    }

    /// The registry being served.
    pub fn registry(&self) -> &Registry {
        self.app.executor.registry()
    }
}
