//! What every request of one instance shares: plain data, built once.

use std::sync::Arc;

use axum::extract::FromRef;
use bytes::Bytes;
use mizan_core::executor::{Executor, ExecutorConfig};
use mizan_core::{Registry, TokenIssuer};

use crate::auth::VerifiedTokens;
use crate::channels::hub::Hub;
use crate::channels::sse::Sessions;
use crate::config::Config;
use crate::openapi;

/// The router's state.
#[derive(Clone)]
pub(crate) struct AppState {
    /// Runs the calls.
    pub(crate) executor: Arc<Executor>,
    /// This instance's channel subscriptions.
    pub(crate) hub: Arc<Hub>,
    /// This instance's open SSE channel sessions.
    pub(crate) sessions: Arc<Sessions>,
    /// The schema and OpenAPI documents, rendered once.
    pub(crate) documents: Arc<Documents>,
    pub(crate) config: Arc<Config>,
    /// The identities of the tokens verified lately.
    pub(crate) tokens: Arc<VerifiedTokens>,
    /// The prefix the routes are registered under (`/mizan`; empty at the root).
    pub(crate) mount_path: Arc<str>,
}

/// What the call routes read of the state, extracted alone: each `State` extraction clones
/// its value, and a whole `AppState` is seven reference counts to bump and drop.
#[derive(Clone)]
pub(crate) struct Calls {
    pub(crate) executor: Arc<Executor>,
    /// `Config::shared_max_age` in seconds.
    pub(crate) shared_max_age: u64,
}

impl FromRef<AppState> for Calls {
    fn from_ref(app: &AppState) -> Self {
        Self {
            executor: app.executor.clone(),
            shared_max_age: app.config.shared_max_age.as_secs(),
        }
    }
}

/// The documents `GET /schema` and `GET /openapi.json` serve.
pub(crate) struct Documents {
    pub(crate) schema: Bytes,
    /// Without `servers`: each request gets the path it was mounted under.
    pub(crate) openapi: serde_json::Value,
}

impl AppState {
    pub(crate) fn new(registry: Registry, config: Config) -> Self {
        let documents = Documents {
            schema: serde_json::to_vec(&registry.get_schema())
                .expect("schema serializes")
                .into(),
            openapi: openapi::document(&registry, &config),
        };
        let publisher =
            mizan_core::channels::Publisher::for_registry(config.channel_layer.clone(), &registry);
        let mut issuer = TokenIssuer::new(config.keyring.clone(), &config.cache_secret, config.token_ttl);
        if config.cookie_sign_in {
            issuer = issuer.with_cookie(config.cookie_name.clone());
        }
        // Handlers find the token issuer and the publisher in their state.
        let state = config.state.clone().with(issuer).with(publisher.clone());
        let executor = Executor::new(
            registry,
            ExecutorConfig {
                cache_secret: config.cache_secret.clone(),
                cache: config.cache.clone(),
                publisher,
                state: Arc::new(state),
                csrf_header: config.csrf_header.clone(),
                middleware: config.middleware.clone(),
                revision_copy: config.revision_copy,
            },
        );
        let executor = Arc::new(executor);
        executor.follow_layer();
        Self {
            hub: Arc::new(Hub::counted_in(executor.metrics().clone())),
            executor,
            sessions: Arc::default(),
            documents: Arc::new(documents),
            config: Arc::new(config),
            tokens: Arc::new(VerifiedTokens::new()),
            mount_path: Arc::default(),
        }
    }
}
