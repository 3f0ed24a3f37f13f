//! Who is calling: the token from `Authorization: Bearer` or the cookie, verified into an
//! [`Identity`], and whether a cookie-authenticated request carries the CSRF header.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use mizan_core::executor::Caller;
use mizan_core::{ErrorCode, FunctionError, Identity};
use serde_json::json;

use crate::config::Config;

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Resolves the caller of a request. A token that is present but invalid fails the whole
/// request with `401 unauthenticated` (its reason in `details.reason`): a client with a bad
/// token should learn it, not be served as anonymous.
pub(crate) fn caller(config: &Config, headers: &HeaderMap) -> Result<Caller, FunctionError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(mizan_core::bearer_token)
            .ok_or_else(|| {
                unauthenticated("malformed", "the Authorization header must be `Bearer <token>`")
            })?;
        return Ok(Caller {
            identity: Some(verify(config, token)?),
            ..Caller::anonymous()
        });
    }
    if let Some(token) = cookie_token(config, headers) {
        return Ok(Caller {
            identity: Some(verify(config, &token)?),
            csrf_ok: headers.contains_key(config.csrf_header.as_str()),
            ..Caller::anonymous()
        });
    }
    Ok(Caller::anonymous())
}

fn cookie_token(config: &Config, headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == config.cookie_name)
        .map(|c| c.value().to_owned())
}

/// Verifies a token and turns its claims into an identity.
pub(crate) fn verify(config: &Config, token: &str) -> Result<Arc<Identity>, FunctionError> {
    let claims = config
        .keyring
        .verify(token, now_secs(), config.token_leeway.as_secs())
        .map_err(|err| unauthenticated(err.code().as_str(), &err.to_string()))?;
    if claims.perms.is_some() && !claims.permission_key_matches(&config.cache_secret) {
        return Err(unauthenticated(
            "invalid_claims",
            "the `pk` claim is not the permission key of the `perms` claim",
        ));
    }
    let permissions: BTreeSet<String> = claims.perms.iter().flatten().cloned().collect();
    Ok(Arc::new(Identity {
        user_id: claims.sub.clone(),
        permission_key: claims.pk.clone(),
        permissions,
        claims: claims.to_object().unwrap_or_default(),
    }))
}

pub(crate) fn unauthenticated(reason: &str, message: &str) -> FunctionError {
    FunctionError::from_code(ErrorCode::Unauthenticated, message).with_details(json!({ "reason": reason }))
}
