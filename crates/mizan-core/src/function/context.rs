//! What a handler knows about the call: who makes it, the request it came in, the
//! application's shared state, and what middleware attached to it.

use std::any::{Any, TypeId, type_name};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use http::Extensions;
use serde_json::{Map, Value};

use super::request::{RequestParts, ResponseParts};

use crate::error::{ErrorCode, FunctionError};

/// The authenticated caller, taken from a verified token.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The user id (`sub`).
    pub user_id: String,
    /// The permission key (`pk`): the digest of the permission set.
    pub permission_key: String,
    /// The permission names granted, when the token carries them (`perms` claim).
    pub permissions: BTreeSet<String>,
    /// Every claim of the token, application claims included.
    pub claims: Map<String, Value>,
}

impl Identity {
    /// Whether every permission in `required` is granted.
    pub fn has_all<S: AsRef<str>>(&self, required: &[S]) -> bool {
        required.iter().all(|p| self.permissions.contains(p.as_ref()))
    }
}

/// Shared application state, looked up by type (a database pool, a client, settings).
///
/// ```
/// use mizan_core::State;
///
/// #[derive(Debug)]
/// struct Db(&'static str);
///
/// let state = State::new().with(Db("postgres://"));
/// assert_eq!(state.get::<Db>().unwrap().0, "postgres://");
/// ```
#[derive(Default, Clone)]
pub struct State {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl State {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the value of type `T`.
    #[must_use]
    pub fn with<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.insert(value);
        self
    }

    /// Adds (or replaces) the value of type `T`.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if present.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("values", &self.values.len())
            .finish()
    }
}

/// The context a handler receives with its input.
///
/// - [`identity`](Self::identity): who calls;
/// - [`request`](Self::request): the headers, cookies, method, client address and layer
///   extensions of the request the call came in ([`RequestParts`]);
/// - [`response`](Self::response): headers and cookies to add to the response, never
///   cached ([`ResponseParts`]);
/// - [`state`](Self::state): the application's shared values (`Config::with_state`);
/// - [`get`](Self::get) and [`insert`](Self::insert): values of this one call, which
///   middleware attaches for the handler (the loaded user record, a request id).
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    identity: Option<Arc<Identity>>,
    state: Arc<State>,
    request: Arc<RequestParts>,
    response: ResponseParts,
    locals: Extensions,
}

/// Short name for [`RequestContext`] in handler signatures.
pub type Ctx = RequestContext;

impl RequestContext {
    /// A context for a call by `identity` (or an anonymous one) with the given state,
    /// outside any request ([`RequestParts::default`]).
    pub fn new(identity: Option<Arc<Identity>>, state: Arc<State>) -> Self {
        // Every field given: `..Self::default()` would allocate a state and parts only to
        // drop them.
        Self {
            identity,
            state,
            request: RequestParts::none(),
            response: ResponseParts::default(),
            locals: Extensions::new(),
        }
    }

    /// The same context for a call that came in `request`.
    #[must_use]
    pub fn with_request(mut self, request: Arc<RequestParts>) -> Self {
        self.request = request;
        self
    }

    /// The caller, if a valid token came with the call.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_deref()
    }

    /// The caller, or `unauthenticated`.
    pub fn require_identity(&self) -> Result<&Identity, FunctionError> {
        self.identity().ok_or_else(|| {
            FunctionError::from_code(ErrorCode::Unauthenticated, "this call needs a valid token")
        })
    }

    /// The request the call came in.
    pub fn request(&self) -> &RequestParts {
        &self.request
    }

    /// Headers and cookies to add to this call's response (never cached).
    pub fn response(&self) -> &ResponseParts {
        &self.response
    }

    /// The value of type `T` attached to this call (by middleware), if any.
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<&T> {
        self.locals.get::<T>()
    }

    /// Attaches `value` to this call, replacing the value of its type; the handler and
    /// later middleware see it with [`get`](Self::get).
    pub fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) {
        self.locals.insert(value);
    }

    /// The application state value of type `T`, or an `internal` error naming the type
    /// (the application forgot to add it to the state).
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<&T, FunctionError> {
        self.state.get::<T>().ok_or_else(|| {
            tracing::error!(
                type_name = type_name::<T>(),
                "state value missing: add it with `Config::with_state` (or `State::with` for a hand-built executor)"
            );
            FunctionError::internal()
        })
    }

    /// All application state.
    pub fn state_map(&self) -> &Arc<State> {
        &self.state
    }
}
