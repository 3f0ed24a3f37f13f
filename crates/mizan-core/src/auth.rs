//! Built-in functions that issue and refresh MWTs from the application's own credential
//! check. Mizan never stores passwords: the application decides who someone is.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FunctionError};
use crate::function::{RequestContext, ServerFunction};
use crate::keys::KeyDeriver;
use crate::mwt::{Claims, IssueError, Keyring};

/// Who the application says a caller is, returned by its credential check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user id (`sub`).
    pub user_id: String,
    /// Permission names granted (`perms`, and `pk` derived from them).
    pub permissions: Vec<String>,
}

/// What the token functions answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IssuedToken {
    /// The MWT, for `Authorization: Bearer`.
    pub token: String,
    /// When it expires, in seconds since the Unix epoch.
    pub expires_at: u64,
    /// The user it was issued to.
    pub user_id: String,
}

/// Signs tokens for the built-in functions. The HTTP adapter puts one in the state.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    keyring: Keyring,
    keys: KeyDeriver,
    ttl: Duration,
}

impl TokenIssuer {
    /// An issuer signing with `keyring`'s active key, deriving permission keys under the
    /// cache secret, with tokens living `ttl`.
    pub fn new(keyring: Keyring, cache_secret: &[u8], ttl: Duration) -> Self {
        Self {
            keyring,
            keys: KeyDeriver::new(cache_secret),
            ttl,
        }
    }

    /// Issues a token for `principal`, valid from now for the configured ttl.
    pub fn issue(&self, principal: &Principal) -> Result<IssuedToken, FunctionError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let exp = now + self.ttl.as_secs();
        let pk = self
            .keys
            .permission_key(principal.permissions.iter().map(String::as_str));
        let claims =
            Claims::new(principal.user_id.clone(), pk, now, exp).with_perms(principal.permissions.clone());
        let token = self.keyring.issue(claims).map_err(|err| match err {
            // The principal is too large to carry (a very long user id, many permissions):
            // refused here rather than issued and then refused on every call.
            IssueError::Oversize { .. } => FunctionError::from_code(
                ErrorCode::LimitExceeded,
                format!("no token can be issued for this user: {err}"),
            ),
            err => {
                tracing::error!(%err, "token could not be issued");
                FunctionError::internal()
            }
        })?;
        Ok(IssuedToken {
            token,
            expires_at: exp,
            user_id: principal.user_id.clone(),
        })
    }
}

/// The names of the built-in token functions.
pub const TOKEN_FUNCTION: &str = "mizan.token";
/// See [`TOKEN_FUNCTION`].
pub const REFRESH_FUNCTION: &str = "mizan.refresh";

/// The cookie that carries the token unless the adapter is configured otherwise.
pub const DEFAULT_TOKEN_COOKIE: &str = "mizan_token";
/// The header a cookie-authenticated mutation must carry (CSRF defence) unless the adapter
/// is configured otherwise.
pub const DEFAULT_CSRF_HEADER: &str = "x-mizan-csrf";

/// The two built-in token functions, to register like any other:
///
/// - `mizan.token` (mutation, public): runs `check` on the credentials `C` the client sends
///   and issues a token for the [`Principal`] it returns;
/// - `mizan.refresh` (mutation, authenticated): issues a fresh token for the caller's
///   current identity, so a client can renew before expiry without credentials.
///
/// ```
/// use mizan_core::{Ctx, ErrorCode, FunctionError, Principal, Registry, auth};
/// use serde::Deserialize;
///
/// #[derive(Deserialize, schemars::JsonSchema)]
/// struct Login { user: String, password: String }
///
/// async fn check(_: Ctx, login: Login) -> Result<Principal, FunctionError> {
///     if login.password != "secret" {
///         return Err(FunctionError::from_code(ErrorCode::Unauthenticated, "wrong user or password"));
///     }
///     Ok(Principal { user_id: login.user, permissions: vec!["posts.read".into()] })
/// }
///
/// let mut registry = Registry::new();
/// for f in auth::token_functions(check) {
///     registry.register(f);
/// }
/// assert!(registry.get_function("mizan.token").is_some());
/// ```
pub fn token_functions<C, F, Fut>(check: F) -> [ServerFunction; 2]
where
    C: DeserializeOwned + JsonSchema + Send + 'static,
    F: Fn(RequestContext, C) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Principal, FunctionError>> + Send + 'static,
{
    let check = Arc::new(check);
    let token = ServerFunction::mutation(TOKEN_FUNCTION)
        .description("Exchanges the application's credentials for an MWT.")
        .handler(move |ctx: RequestContext, credentials: C| {
            let check = check.clone();
            async move {
                let issuer = issuer(&ctx)?.clone();
                let principal = check(ctx, credentials).await?;
                issuer.issue(&principal)
            }
        });
    let refresh = ServerFunction::mutation(REFRESH_FUNCTION)
        .description("Issues a fresh MWT for the caller's current identity.")
        .authenticated()
        .handler(|ctx: RequestContext, (): ()| async move {
            let identity = ctx.require_identity()?;
            let principal = Principal {
                user_id: identity.user_id.clone(),
                permissions: identity.permissions.iter().cloned().collect(),
            };
            issuer(&ctx)?.issue(&principal)
        });
    [token, refresh]
}

fn issuer(ctx: &RequestContext) -> Result<&TokenIssuer, FunctionError> {
    ctx.state::<TokenIssuer>().map_err(|_| {
        FunctionError::from_code(
            ErrorCode::Internal,
            "token functions need a TokenIssuer in the state",
        )
    })
}
