//! Who is calling: the token from `Authorization: Bearer` or the cookie, verified into an
//! [`Identity`], and whether a cookie-authenticated request carries the CSRF header.
//!
//! A client sends the same token with every request until it renews it, so the identities
//! of tokens that verified are kept ([`VerifiedTokens`]) and a known token costs a lookup
//! instead of a verification.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use mizan_core::executor::Caller;
use mizan_core::{ErrorCode, FunctionError, Identity, MwtError, check_times};
use quick_cache::sync::Cache;
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
pub(crate) fn caller(
    config: &Config,
    tokens: &VerifiedTokens,
    headers: &HeaderMap,
) -> Result<Caller, FunctionError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(mizan_core::bearer_token)
            .ok_or_else(|| {
                unauthenticated("malformed", "the Authorization header must be `Bearer <token>`")
            })?;
        return Ok(Caller {
            identity: Some(tokens.verify(config, token, now_secs())?),
            ..Caller::anonymous()
        });
    }
    if let Some(token) = cookie_token(config, headers) {
        return Ok(Caller {
            identity: Some(tokens.verify(config, &token, now_secs())?),
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
    verify_at(config, token, now_secs()).map(|verified| verified.identity)
}

/// A token's identity and the times that bound its validity.
#[derive(Clone)]
struct Verified {
    identity: Arc<Identity>,
    iat: u64,
    exp: u64,
}

fn verify_at(config: &Config, token: &str, now: u64) -> Result<Verified, FunctionError> {
    let claims = config
        .keyring
        .verify(token, now, config.token_leeway.as_secs())
        .map_err(|err| token_error(&err))?;
    if claims.perms.is_some() && !claims.permission_key_matches(&config.cache_secret) {
        return Err(unauthenticated(
            "invalid_claims",
            "the `pk` claim is not the permission key of the `perms` claim",
        ));
    }
    let object = claims.to_object().unwrap_or_default();
    let permissions: BTreeSet<String> = claims.perms.into_iter().flatten().collect();
    Ok(Verified {
        iat: claims.iat,
        exp: claims.exp,
        identity: Arc::new(Identity {
            user_id: claims.sub,
            permission_key: claims.pk,
            permissions,
            claims: object,
        }),
    })
}

/// The identities of tokens that verified, by token, each served only while the token is
/// valid: a token is signed, so only its issuer can make one that maps to an identity, and
/// one that fails verification is never kept. Bounded in entries; a token that was evicted
/// is verified again.
pub(crate) struct VerifiedTokens(Cache<String, Verified>);

impl VerifiedTokens {
    /// How many tokens are kept: the clients active at once on an instance, about.
    const CAPACITY: usize = 4096;

    pub(crate) fn new() -> Self {
        Self(Cache::new(Self::CAPACITY))
    }

    /// The identity of `token` at `now`: a token already verified is held to
    /// verification's time rules ([`check_times`]) and gets its errors; any other is
    /// verified (and kept if it verifies).
    pub(crate) fn verify(
        &self,
        config: &Config,
        token: &str,
        now: u64,
    ) -> Result<Arc<Identity>, FunctionError> {
        if let Some(known) = self.0.get(token) {
            check_times(known.iat, known.exp, now, config.token_leeway.as_secs())
                .map_err(|err| token_error(&err))?;
            return Ok(known.identity);
        }
        let verified = verify_at(config, token, now)?;
        self.0.insert(token.to_owned(), verified.clone());
        Ok(verified.identity)
    }
}

fn token_error(err: &MwtError) -> FunctionError {
    unauthenticated(err.code().as_str(), &err.to_string())
}

pub(crate) fn unauthenticated(reason: &str, message: &str) -> FunctionError {
    FunctionError::from_code(ErrorCode::Unauthenticated, message).with_details(json!({ "reason": reason }))
}

#[cfg(test)]
mod tests {
    use mizan_core::{Claims, Keyring};

    use super::*;

    fn config() -> Config {
        Config::new(
            b"auth test cache secret".to_vec(),
            Keyring::new("k", b"auth test key").unwrap(),
        )
    }

    fn token(config: &Config, iat: u64, exp: u64) -> String {
        config.keyring.issue(Claims::new("ada", "pk", iat, exp)).unwrap()
    }

    #[test]
    fn a_known_token_is_served_while_valid_and_verified_again_after() {
        let (config, tokens) = (config(), VerifiedTokens::new());
        let leeway = config.token_leeway.as_secs();
        let token = token(&config, 1_000, 2_000);

        let first = tokens.verify(&config, &token, 1_500).unwrap();
        let again = tokens.verify(&config, &token, 1_600).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the second request reuses the identity"
        );
        assert_eq!(again.user_id, "ada");

        // Past its expiry (and the leeway) a kept token fails as verification fails it.
        let late = tokens.verify(&config, &token, 2_001 + leeway).unwrap_err();
        assert_eq!(late.details().unwrap()["reason"], "expired");
        // Before its issue time, too: the check is the verification's, both ways.
        let early = tokens.verify(&config, &token, 999 - leeway).unwrap_err();
        assert_eq!(early.details().unwrap()["reason"], "not_yet_valid");
        assert!(Arc::ptr_eq(
            &tokens.verify(&config, &token, 1_700).unwrap(),
            &first
        ));
    }

    #[test]
    fn a_token_that_fails_is_not_kept() {
        let (config, tokens) = (config(), VerifiedTokens::new());
        let mut forged = token(&config, 1_000, 2_000);
        let last = forged.pop();
        forged.push(if last == Some('A') { 'B' } else { 'A' });
        for _ in 0..2 {
            let err = tokens.verify(&config, &forged, 1_500).unwrap_err();
            assert_eq!(err.code(), "unauthenticated");
        }
        assert_eq!(tokens.0.len(), 0);
    }
}
