//! Built-in functions that issue and refresh MWTs from the application's own credential
//! check. Mizan never stores passwords: the application decides who someone is.
//!
//! # Token lifetime
//!
//! A token lives the issuer's ttl (`Config::token_ttl`, 15 minutes by default) and is
//! never revoked: until it expires, every instance and edge accepts it as signed. A client
//! renews it with `mizan.refresh` before expiry. Refresh is where the application looks
//! again: [`TokenFunctions::on_refresh`] reloads the principal (new permissions apply from
//! the renewed token) or refuses (a deleted user, a revoked right); without that hook a
//! refresh re-issues the token's own user and permissions. So a change of rights takes
//! effect within one ttl at most.
//!
//! # Bearer or cookie
//!
//! By default the token is in the answer, for `Authorization: Bearer`. In cookie mode
//! ([`TokenIssuer::with_cookie`]; the adapter's `Config::with_cookie_sign_in`) the token
//! functions set it in an `HttpOnly; SameSite=Lax` cookie instead, `Secure` unless the
//! request was addressed to a loopback host, with the mount prefix as `Path` and the
//! token's remaining life as `Max-Age`, and leave `token` out of the answer;
//! `mizan.logout` clears it.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie::{Cookie, SameSite};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FunctionError};
use crate::function::{BoxFuture, RequestContext, ServerFunction};
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
    /// The MWT, for `Authorization: Bearer`; absent in cookie mode, where it is in an
    /// `HttpOnly` cookie no script can read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
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
    /// The cookie the token functions set, in cookie mode.
    cookie: Option<String>,
}

impl TokenIssuer {
    /// An issuer signing with `keyring`'s active key, deriving permission keys under the
    /// cache secret, with tokens living `ttl`.
    pub fn new(keyring: Keyring, cache_secret: &[u8], ttl: Duration) -> Self {
        Self {
            keyring,
            keys: KeyDeriver::new(cache_secret),
            ttl,
            cookie: None,
        }
    }

    /// Cookie mode: the token functions deliver the token in the cookie `name` (see the
    /// [module docs](self)).
    #[must_use]
    pub fn with_cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie = Some(name.into());
        self
    }

    /// Issues a token for `principal` and delivers it as the mode says: in the answer, or
    /// in the cookie set on `ctx`'s response.
    fn deliver(&self, ctx: &RequestContext, principal: &Principal) -> Result<IssuedToken, FunctionError> {
        let mut issued = self.issue(principal)?;
        if let Some(name) = &self.cookie {
            let token = issued.token.take().unwrap_or_default();
            // The token's whole life: it was issued just now.
            ctx.response()
                .set_cookie(token_cookie(ctx, name, token, self.ttl.as_secs()));
        }
        Ok(issued)
    }

    /// Clears the cookie in cookie mode; nothing to do for bearer tokens, which the client
    /// forgets.
    fn clear(&self, ctx: &RequestContext) {
        if let Some(name) = &self.cookie {
            ctx.response()
                .set_cookie(token_cookie(ctx, name, String::new(), 0));
        }
    }

    /// Issues a token for `principal`, valid from now for the configured ttl.
    pub fn issue(&self, principal: &Principal) -> Result<IssuedToken, FunctionError> {
        let now = now_secs();
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
            token: Some(token),
            expires_at: exp,
            user_id: principal.user_id.clone(),
        })
    }
}

/// The names of the built-in token functions.
pub const TOKEN_FUNCTION: &str = "mizan.token";
/// See [`TOKEN_FUNCTION`].
pub const REFRESH_FUNCTION: &str = "mizan.refresh";
/// See [`TOKEN_FUNCTION`].
pub const LOGOUT_FUNCTION: &str = "mizan.logout";

/// The cookie that carries the token unless the adapter is configured otherwise.
pub const DEFAULT_TOKEN_COOKIE: &str = "mizan_token";
/// The header a cookie-authenticated mutation must carry (CSRF defence) unless the adapter
/// is configured otherwise.
pub const DEFAULT_CSRF_HEADER: &str = "x-mizan-csrf";

/// The built-in token functions, to register like any other:
///
/// - `mizan.token` (mutation, public): runs `check` on the credentials `C` the client sends
///   and issues a token for the [`Principal`] it returns;
/// - `mizan.refresh` (mutation, authenticated): issues a fresh token for the caller, so a
///   client can renew before expiry without credentials (reloaded by
///   [`TokenFunctions::on_refresh`] when set);
/// - `mizan.logout` (mutation, public): clears the token cookie in cookie mode; answers
///   `null`.
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
/// assert!(registry.get_function("mizan.logout").is_some());
/// ```
pub fn token_functions<C, F, Fut>(check: F) -> [ServerFunction; 3]
where
    C: DeserializeOwned + JsonSchema + Send + 'static,
    F: Fn(RequestContext, C) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Principal, FunctionError>> + Send + 'static,
{
    TokenFunctions::new(check).build()
}

type Reload =
    Arc<dyn Fn(RequestContext, Principal) -> BoxFuture<Result<Principal, FunctionError>> + Send + Sync>;

/// The token functions of [`token_functions`], with a hook on refresh.
///
/// ```
/// use mizan_core::{Ctx, ErrorCode, FunctionError, Principal, auth::TokenFunctions};
///
/// # async fn check(_: Ctx, (): ()) -> Result<Principal, FunctionError> {
/// #     Ok(Principal { user_id: "ada".into(), permissions: vec![] })
/// # }
/// // A refresh sees the user's current permissions, and a deleted user cannot renew.
/// async fn reload(_: Ctx, token: Principal) -> Result<Principal, FunctionError> {
///     if token.user_id == "deleted" {
///         return Err(FunctionError::from_code(ErrorCode::Unauthenticated, "no such user"));
///     }
///     Ok(Principal { permissions: vec!["posts.read".into()], ..token })
/// }
///
/// let [token, refresh, logout] = TokenFunctions::new(check).on_refresh(reload).build();
/// # let _ = (token, refresh, logout);
/// ```
pub struct TokenFunctions {
    token: ServerFunction,
    reload: Option<Reload>,
}

impl std::fmt::Debug for TokenFunctions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenFunctions")
            .field("reloads", &self.reload.is_some())
            .finish_non_exhaustive()
    }
}

impl TokenFunctions {
    /// The token functions, with `check` deciding who the credentials `C` belong to.
    pub fn new<C, F, Fut>(check: F) -> Self
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
                    let principal = check(ctx.clone(), credentials).await?;
                    issuer.deliver(&ctx, &principal)
                }
            });
        Self { token, reload: None }
    }

    /// Runs `reload` on every refresh with the principal the caller's token names: what
    /// it returns is issued (the user's current permissions), an error refuses the
    /// refresh (`unauthenticated` for a deleted user, `forbidden` for a revoked right).
    #[must_use]
    pub fn on_refresh<F, Fut>(mut self, reload: F) -> Self
    where
        F: Fn(RequestContext, Principal) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Principal, FunctionError>> + Send + 'static,
    {
        self.reload = Some(Arc::new(move |ctx, principal| Box::pin(reload(ctx, principal))));
        self
    }

    /// `mizan.token`, `mizan.refresh` and `mizan.logout`, in that order.
    pub fn build(self) -> [ServerFunction; 3] {
        let reload = self.reload;
        let refresh = ServerFunction::mutation(REFRESH_FUNCTION)
            .description("Issues a fresh MWT for the caller's current identity.")
            .authenticated()
            .handler(move |ctx: RequestContext, (): ()| {
                let reload = reload.clone();
                async move {
                    let identity = ctx.require_identity()?;
                    let mut principal = Principal {
                        user_id: identity.user_id.clone(),
                        permissions: identity.permissions.iter().cloned().collect(),
                    };
                    if let Some(reload) = reload {
                        principal = reload(ctx.clone(), principal).await?;
                    }
                    issuer(&ctx)?.deliver(&ctx, &principal)
                }
            });
        let logout = ServerFunction::mutation(LOGOUT_FUNCTION)
            .description("Signs out: clears the token cookie in cookie mode.")
            .handler(|ctx: RequestContext, (): ()| async move {
                issuer(&ctx)?.clear(&ctx);
                Ok::<_, FunctionError>(())
            });
        [self.token, refresh, logout]
    }
}

/// The token cookie (see the [module docs](self) for its attributes); an empty value with
/// no life clears it.
fn token_cookie(ctx: &RequestContext, name: &str, value: String, max_age: u64) -> Cookie<'static> {
    let request = ctx.request();
    let path = match request.mount_path() {
        "" => "/".to_owned(),
        prefix => prefix.to_owned(),
    };
    Cookie::build((name.to_owned(), value))
        .http_only(true)
        .secure(!request.is_loopback())
        .same_site(SameSite::Lax)
        .path(path)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age).unwrap_or(i64::MAX),
        ))
        .build()
}

/// Seconds since the Unix epoch.
fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn issuer(ctx: &RequestContext) -> Result<&TokenIssuer, FunctionError> {
    ctx.state::<TokenIssuer>().map_err(|_| {
        FunctionError::from_code(
            ErrorCode::Internal,
            "token functions need a TokenIssuer in the state",
        )
    })
}
