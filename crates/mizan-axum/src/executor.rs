//! Runs one call: authorize, look up the cache, run the handler, store, purge. Knows no
//! HTTP: the routes turn requests into [`Call`]s and [`Outcome`]s into responses.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use mizan_core::{
    CacheScope, ErrorCode, FunctionError, FunctionKind, Identity, KeyScope, RequestContext, ServerFunction,
};
use serde_json::Value;
use tracing::Instrument;

use bytes::Bytes;

use crate::body::parse_json;
use crate::envelope::{CacheStatus, CachedMeta, Outcome, success_body};
use crate::shared::Shared;

/// Who is calling, resolved once per request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caller {
    pub(crate) identity: Option<Arc<Identity>>,
    /// False for a cookie-authenticated request without the CSRF header: mutations refuse.
    pub(crate) csrf_ok: bool,
}

/// A call's input as it arrived: JSON text of a single call (already checked against the
/// size and depth limits), or a value taken from a batch or composition body.
pub(crate) enum CallInput {
    Json(Bytes),
    Value(Value),
}

impl Caller {
    /// `csrf_failed` when a cookie-authenticated request that writes (`what`: a mutation, a
    /// purge) lacks the CSRF header named `header`.
    pub(crate) fn require_csrf(&self, header: &str, what: &str) -> Result<(), FunctionError> {
        if self.csrf_ok {
            return Ok(());
        }
        Err(FunctionError::from_code(
            ErrorCode::CsrfFailed,
            format!("a cookie-authenticated {what} needs the `{header}` header"),
        ))
    }
}

/// How the call arrived; GET may only reach queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    Get,
    Post,
}

impl Shared {
    /// Runs the function `name` on `input` for `caller`, never failing: every problem
    /// becomes an error envelope.
    pub(crate) async fn execute(&self, caller: &Caller, name: &str, input: CallInput, via: Via) -> Outcome {
        let Some(function) = self.registry.get_function(name) else {
            let error = FunctionError::from_code(
                ErrorCode::NotFound,
                format!("no function is named `{name}`; see the schema for the registered names"),
            );
            return Outcome::failure(&error, CacheStatus::Off);
        };
        let span = tracing::info_span!(
            "mizan.call",
            function = name,
            cache = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_us = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = self
            .execute_function(caller, function, input, via)
            .instrument(span.clone())
            .await;
        span.record("cache", outcome.cache.as_str());
        span.record("status", outcome.status);
        span.record("duration_us", started.elapsed().as_micros() as u64);
        outcome
    }

    async fn execute_function(
        &self,
        caller: &Caller,
        f: &ServerFunction,
        input: CallInput,
        via: Via,
    ) -> Outcome {
        self.metrics.call();
        if let Err(error) = self.authorize(caller, f, via) {
            return Outcome::failure(&error, CacheStatus::Off);
        }
        // A cached function needs the input as a value for its key; any other decodes the
        // text straight into its input type.
        let input = match input {
            CallInput::Json(json) if f.cache().is_cached() => match parse_json(&json, &self.config.limits) {
                Ok(value) => CallInput::Value(value),
                Err(error) => return Outcome::failure(&error, CacheStatus::Off),
            },
            input => input,
        };
        let slot = match &input {
            CallInput::Value(value) => match self.cache_slot(caller, f, value).await {
                Ok(slot) => slot,
                Err(error) => return Outcome::failure(&error, CacheStatus::Off),
            },
            CallInput::Json(_) => CacheSlot::Off,
        };
        if let CacheSlot::Keyed { key, meta } = &slot {
            match self.cache.get(key).await {
                Ok(Some(data)) => {
                    self.metrics.hit();
                    return Outcome {
                        status: 200,
                        body: data,
                        cache: CacheStatus::Hit,
                        cached: Some(*meta),
                    };
                }
                Ok(None) => self.metrics.miss(),
                Err(err) => {
                    self.metrics.cache_error();
                    tracing::warn!(%err, "cache read failed; treating as a miss");
                }
            }
        }

        let ctx = RequestContext::new(caller.identity.clone(), self.state.clone());
        let call = match input {
            CallInput::Json(json) => f.call_json(ctx, &json),
            CallInput::Value(value) => f.call(ctx, value),
        };
        let result = AssertUnwindSafe(call).catch_unwind().await;
        let output = match result {
            Ok(Ok(output)) => output,
            Ok(Err(error)) => return Outcome::failure(&error, slot.status_on_error()),
            Err(panic) => {
                self.metrics.panic();
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %what, "handler panicked");
                return Outcome::failure(&FunctionError::internal(), slot.status_on_error());
            }
        };

        if f.kind() == FunctionKind::Mutation && !f.invalidates().is_empty() {
            self.purge(f.invalidates().iter().map(String::as_str)).await;
        }

        match slot {
            CacheSlot::Keyed { key, meta } => {
                let body = success_body(&output, Some(meta.rev));
                if let Err(err) = self.cache.set(&key, body.clone(), f.cache().ttl_value()).await {
                    self.metrics.cache_error();
                    tracing::warn!(%err, "cache write failed; the result is served uncached");
                }
                Outcome {
                    status: 200,
                    body,
                    cache: CacheStatus::Miss,
                    cached: Some(meta),
                }
            }
            CacheSlot::Bypass => Outcome {
                status: 200,
                body: success_body(&output, None),
                cache: CacheStatus::Bypass,
                cached: None,
            },
            CacheSlot::Off => Outcome {
                status: 200,
                body: success_body(&output, None),
                cache: CacheStatus::Off,
                cached: None,
            },
        }
    }

    fn authorize(&self, caller: &Caller, f: &ServerFunction, via: Via) -> Result<(), FunctionError> {
        if f.kind() == FunctionKind::Mutation {
            if via == Via::Get {
                return Err(FunctionError::from_code(
                    ErrorCode::MethodNotAllowed,
                    format!("`{}` is a mutation; call it with POST", f.name()),
                ));
            }
            caller.require_csrf(&self.config.csrf_header, "mutation")?;
        }
        f.access()
            .check(caller.identity.as_deref(), &format!("`{}`", f.name()))
    }

    /// Where a call's result lives in the cache, if anywhere.
    async fn cache_slot(
        &self,
        caller: &Caller,
        f: &ServerFunction,
        input: &Value,
    ) -> Result<CacheSlot, FunctionError> {
        let policy = f.cache();
        let (scope, who) = match (policy.scope(), caller.identity.as_deref()) {
            (CacheScope::None, _) => return Ok(CacheSlot::Off),
            (CacheScope::Public, _) => (KeyScope::Public, ""),
            (CacheScope::Permission, Some(identity)) => {
                (KeyScope::Permission, identity.permission_key.as_str())
            }
            (CacheScope::Permission, None) => (KeyScope::Permission, self.anonymous_permission_key.as_str()),
            (CacheScope::User, Some(identity)) => (KeyScope::User, identity.user_id.as_str()),
            (CacheScope::User, None) => return Ok(CacheSlot::Bypass),
        };
        let rev = match self.revision_of(f).await {
            Ok(rev) => rev,
            Err(()) => return Ok(CacheSlot::Bypass),
        };
        let key = self
            .keys
            .cache_key(f.name(), input, scope, who, rev)
            .map_err(|err| {
                FunctionError::from_code(
                    ErrorCode::ValidationFailed,
                    format!("the input cannot be cached: {err}"),
                )
            })?;
        Ok(CacheSlot::Keyed {
            key,
            meta: CachedMeta {
                rev,
                scope: policy.scope(),
                ttl_secs: policy.ttl_value().map(|ttl| ttl.as_secs()),
            },
        })
    }

    /// The function's revision: the sum of its tags' revisions, so a purge of any tag
    /// moves it forward.
    pub(crate) async fn revision_of(&self, f: &ServerFunction) -> Result<u64, ()> {
        let tags: Vec<&str> = f.cache_tags().collect();
        match self.revisions.read(&tags).await {
            Ok(revs) => Ok(revs.iter().sum()),
            Err(err) => {
                self.metrics.cache_error();
                tracing::warn!(%err, "revision read failed; bypassing the cache");
                Err(())
            }
        }
    }
}

enum CacheSlot {
    Off,
    Bypass,
    Keyed { key: String, meta: CachedMeta },
}

impl CacheSlot {
    fn status_on_error(&self) -> CacheStatus {
        match self {
            CacheSlot::Off => CacheStatus::Off,
            CacheSlot::Bypass => CacheStatus::Bypass,
            CacheSlot::Keyed { .. } => CacheStatus::Miss,
        }
    }
}
