//! The hello app's registry, shared by its binary and by the tests that run it.

pub mod chat;
pub mod contact;
pub mod room;

use mizan::auth::{Principal, token_functions};
use mizan::axum::{Config, Mizan};
use mizan::mwt::Keyring;
use mizan::prelude::*;

/// Who to greet.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GreetInput {
    /// The name to greet.
    pub name: String,
}

/// A greeting.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Greeting {
    /// The greeting text.
    pub message: String,
}

/// Greets someone. Cached for everyone for a minute.
#[mizan::function(context = "home", cache(scope = "public", ttl = "60s", tags = ["greetings"]))]
pub async fn greet(input: GreetInput) -> Result<Greeting, FunctionError> {
    Ok(Greeting {
        message: format!("Hello, {}!", input.name),
    })
}

/// Why a name is refused a greeting: a typed error, so the generated client knows each case.
#[derive(Debug, Serialize, JsonSchema, mizan::TypedError)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NameError {
    /// The name is kept for the app itself.
    #[mizan(status = 409)]
    Reserved {
        /// The name asked for.
        name: String,
    },
    /// The name is longer than the app greets.
    TooLong {
        /// The longest name greeted.
        max: usize,
    },
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Reserved { name } => write!(f, "the name \"{name}\" is reserved"),
            Self::TooLong { max } => write!(f, "names are at most {max} characters"),
        }
    }
}

impl std::error::Error for NameError {}

/// Greets a name only if it is free: refuses `mizan` (reserved) and names over 20
/// characters with a typed error, and strangers without a token with `unauthenticated`.
#[mizan::function]
pub async fn greet_strictly(ctx: Ctx, input: GreetInput) -> Result<Greeting, mizan::Error<NameError>> {
    const MAX: usize = 20;
    if input.name == "mizan" {
        return Err(NameError::Reserved { name: input.name }.into());
    }
    if input.name.chars().count() > MAX {
        Err(NameError::TooLong { max: MAX })?;
    }
    let who = &ctx.require_identity()?.user_id;
    Ok(Greeting {
        message: format!("Hello, {}, from {who}!", input.name),
    })
}

/// Who is calling, cached per user.
#[mizan::function(context = "home", authenticated, cache(scope = "user", ttl = "30s"))]
pub async fn whoami(ctx: Ctx, _: ()) -> Result<String, FunctionError> {
    Ok(ctx.require_identity()?.user_id.clone())
}

/// The caller's permission names, sorted. Its result depends only on the permission set,
/// so it is cached per permission set: callers with the same set share one entry.
#[mizan::function(cache(scope = "permission", ttl = "30s"))]
pub async fn my_permissions(ctx: Ctx, _: ()) -> Result<Vec<String>, FunctionError> {
    Ok(ctx
        .identity()
        .map(|identity| identity.permissions.iter().cloned().collect())
        .unwrap_or_default())
}

/// A greeting for signed-in callers only. Its text depends on the permission set alone, so
/// it is cached per permission set; callers without a token are refused before the cache
/// is read, so they never share the entry of a signed-in caller without permissions.
#[mizan::function(authenticated, cache(scope = "permission", ttl = "30s"))]
pub async fn member_greeting(ctx: Ctx, _: ()) -> Result<String, FunctionError> {
    let count = ctx.require_identity()?.permissions.len();
    Ok(format!("Welcome, member with {count} permission(s)."))
}

/// The greeting writers' notes: needs `greetings.write`; cached per permission set.
#[mizan::function(permissions = ["greetings.write"], cache(scope = "permission", ttl = "30s"))]
pub async fn writers_note(_: ()) -> Result<String, FunctionError> {
    Ok("Greetings are reset by writers only.".to_owned())
}

/// Changes the greeting style; purges every cached greeting.
#[mizan::function(mutation, permissions = ["greetings.write"], invalidates = ["greetings"])]
pub async fn reset_greetings() -> Result<bool, FunctionError> {
    Ok(true)
}

/// The demo credentials: any user with the password `mizan`; `admin` may write.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Login {
    /// User name.
    pub user: String,
    /// Password (`mizan`).
    pub password: String,
}

async fn check_login(_: Ctx, login: Login) -> Result<Principal, FunctionError> {
    if login.password != "mizan" {
        return Err(FunctionError::from_code(
            mizan::ErrorCode::Unauthenticated,
            "wrong user or password",
        ));
    }
    let mut permissions = vec!["greetings.read".to_owned()];
    if login.user == "admin" {
        permissions.extend(["greetings.write".to_owned(), "mizan.purge".to_owned()]);
    }
    Ok(Principal {
        user_id: login.user,
        permissions,
    })
}

/// Every function of the app.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(greet())
        .register(greet_strictly())
        .register(whoami())
        .register(my_permissions())
        .register(member_greeting())
        .register(writers_note())
        .register(reset_greetings());
    for f in token_functions(check_login) {
        registry.register(f);
    }
    registry.register_compose("home_page", ["greet", "whoami"]);
    mizan::forms::register_form(&mut registry, "contact", contact::submit_contact)
        .expect("Contact is a struct");
    registry.register_extension(
        "channels",
        mizan::channels::Channels::new()
            .with(chat::chat())
            .with(room::room()),
    );
    registry
}

/// Configuration from `MIZAN_CACHE_SECRET` and `MIZAN_SIGNING_KEY` (hex), with fixed
/// development secrets when they are unset.
pub fn config_from_env() -> Result<Config, Box<dyn std::error::Error>> {
    let secret = |var: &str, dev: &[u8]| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        match std::env::var(var) {
            Ok(hex) => Ok(hex::decode(hex.trim())?),
            Err(_) => Ok(dev.to_vec()),
        }
    };
    let cache_secret = secret("MIZAN_CACHE_SECRET", b"hello-dev-cache-secret")?;
    let signing_key = secret("MIZAN_SIGNING_KEY", b"hello-dev-signing-key")?;
    Ok(Config::new(cache_secret, Keyring::new("dev", &signing_key)?))
}

/// The app's router: Mizan under `/mizan`, and `GET /stats` with the instance's counters
/// (what an operator's dashboard would read; the TypeScript tests count requests with it).
pub fn app(mizan: &Mizan) -> axum::Router {
    let stats = mizan.clone();
    axum::Router::new().merge(mizan.mount("/mizan")).route(
        "/stats",
        axum::routing::get(move || async move { axum::Json(stats.metrics().snapshot()) }),
    )
}
