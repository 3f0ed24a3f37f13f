//! The function model: a named, typed, async server function with its policies.

pub(crate) mod builder;
mod context;
mod decode;
mod handler;
pub(crate) mod middleware;
pub(crate) mod policy;
mod request;

use std::sync::Arc;

use schemars::{SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value};

pub use context::{Ctx, Identity, RequestContext, State};
pub use decode::{check_json_input, check_raw_input, parse_json_input};
pub use decode::{decode_input, decode_validated};
pub use handler::{BoxFuture, Handler, HandlerFn, HandlerResult, encode_output};
pub use policy::{Access, CachePolicy, CacheScope, FunctionKind};
pub use request::{RequestParts, ResponseParts};

use crate::error::IntoFunctionError;
use crate::validation::check_rules;
use handler::TypedHandler;
use middleware::Middleware;

/// A server function: what the registry holds and the executor runs.
///
/// Build one with [`ServerFunction::query`] or [`ServerFunction::mutation`] (or the
/// `#[mizan::function]` macro, which expands to the same builder calls).
///
/// ```
/// use mizan_core::{Ctx, FunctionError, ServerFunction, CachePolicy};
///
/// async fn add(_ctx: Ctx, (a, b): (i64, i64)) -> Result<i64, FunctionError> {
///     Ok(a + b)
/// }
///
/// let f = ServerFunction::query("math.add")
///     .description("Adds two numbers.")
///     .cache(CachePolicy::public())
///     .handler(add);
/// assert_eq!(f.name(), "math.add");
/// ```
#[derive(Clone)]
pub struct ServerFunction {
    /// Everything the builder set: name, kind and policies.
    spec: FunctionBuilder,
    input_schema: Value,
    output_schema: Value,
    error_schema: Option<Value>,
    handler: Arc<dyn Handler>,
}

impl std::fmt::Debug for ServerFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerFunction")
            .field("name", &self.spec.name)
            .field("kind", &self.spec.kind)
            .field("context", &self.spec.context)
            .field("cache", &self.spec.cache)
            .field("access", &self.spec.access)
            .finish_non_exhaustive()
    }
}

impl ServerFunction {
    /// Starts a query (a read: cacheable, callable with GET).
    pub fn query(name: impl Into<String>) -> FunctionBuilder {
        FunctionBuilder::new(name.into(), FunctionKind::Query)
    }

    /// Starts a mutation (a write: never cached, POST only).
    pub fn mutation(name: impl Into<String>) -> FunctionBuilder {
        FunctionBuilder::new(name.into(), FunctionKind::Mutation)
    }

    /// The registered name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Query or mutation.
    pub fn kind(&self) -> FunctionKind {
        self.spec.kind
    }

    /// The doc text, if any.
    pub fn description(&self) -> Option<&str> {
        self.spec.description.as_deref()
    }

    /// The context group, if any.
    pub fn context(&self) -> Option<&str> {
        self.spec.context.as_deref()
    }

    /// The cache policy.
    pub fn cache(&self) -> &CachePolicy {
        &self.spec.cache
    }

    /// Every tag whose purge invalidates this function: its own name, then the declared
    /// tags.
    pub fn cache_tags(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.spec.name.as_str()).chain(self.spec.cache.tag_list().iter().map(String::as_str))
    }

    /// Who may call it.
    pub fn access(&self) -> &Access {
        &self.spec.access
    }

    /// Tags purged after a successful call (mutations).
    pub fn invalidates(&self) -> &[String] {
        &self.spec.invalidates
    }

    /// The function's own middleware, in order (the global middleware runs before it).
    pub fn middleware(&self) -> &[Arc<dyn Middleware>] {
        &self.spec.middleware
    }

    /// Free-form metadata (forms set `form`).
    pub fn meta(&self) -> &Map<String, Value> {
        &self.spec.meta
    }

    /// JSON Schema (2020-12) of the input.
    pub fn input_schema(&self) -> &Value {
        &self.input_schema
    }

    /// JSON Schema (2020-12) of the output.
    pub fn output_schema(&self) -> &Value {
        &self.output_schema
    }

    /// JSON Schema of the typed error details, if the error type declares one.
    pub fn error_schema(&self) -> Option<&Value> {
        self.error_schema.as_ref()
    }

    /// The handler.
    pub fn handler(&self) -> &Arc<dyn Handler> {
        &self.handler
    }

    /// Runs the function in process: decodes `input`, runs the handler, returns the
    /// serialized output. Authorization and caching are the executor's job, not this.
    pub fn call(&self, ctx: RequestContext, input: Value) -> BoxFuture<HandlerResult> {
        self.handler.call(ctx, input)
    }

    /// Like [`call`](Self::call), on JSON text (see [`Handler::call_json`]).
    pub fn call_json(&self, ctx: RequestContext, json: &[u8]) -> BoxFuture<HandlerResult> {
        self.handler.call_json(ctx, json)
    }

    /// The same function under another name (what `Registry::register_as` stores).
    #[must_use]
    pub fn renamed(mut self, name: impl Into<String>) -> Self {
        self.spec.name = name.into();
        self
    }
}

/// Configures a [`ServerFunction`]; [`handler`](Self::handler) finishes it.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.handler(...)` finishes it"]
pub struct FunctionBuilder {
    name: String,
    kind: FunctionKind,
    description: Option<String>,
    context: Option<String>,
    cache: CachePolicy,
    access: Access,
    invalidates: Vec<String>,
    meta: Map<String, Value>,
    middleware: Vec<Arc<dyn Middleware>>,
}

impl FunctionBuilder {
    fn new(name: String, kind: FunctionKind) -> Self {
        Self {
            name,
            kind,
            description: None,
            context: None,
            cache: CachePolicy::none(),
            access: Access::Public,
            invalidates: Vec::new(),
            meta: Map::new(),
            middleware: Vec::new(),
        }
    }

    /// The context group the frontend loads together.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// The cache policy (queries only; `validate_registry` rejects a cached mutation).
    pub fn cache(mut self, policy: CachePolicy) -> Self {
        self.cache = policy;
        self
    }

    builder::description_and_access_methods!();

    /// Tags to purge after each successful call.
    pub fn invalidates<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.invalidates.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Adds middleware around this function's handler, after the global middleware
    /// (see [`executor::Middleware`](crate::executor::Middleware)).
    pub fn middleware(mut self, middleware: Arc<dyn Middleware>) -> Self {
        self.middleware.push(middleware);
        self
    }

    /// Sets one metadata entry.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.meta.insert(key.into(), value.into());
        self
    }

    /// Finishes the function with a typed async handler; input, output and error schemas
    /// are derived from its types.
    pub fn handler<H: HandlerFn<A>, A: 'static>(self, f: H) -> ServerFunction {
        self.typed(TypedHandler::new(f, handler::no_check))
    }

    /// Like [`handler`](Self::handler), and the input's `#[validate(...)]` rules (the
    /// `validator` crate) are checked before the handler runs; a violation is a
    /// `validation_failed` error with one [`FieldError`](crate::FieldError) per rule, in the
    /// same shape as a decoding error (see [`decode_validated`]).
    ///
    /// ```
    /// use mizan_core::{Ctx, FunctionError, ServerFunction};
    /// use schemars::JsonSchema;
    /// use serde::Deserialize;
    /// use validator::Validate;
    ///
    /// #[derive(Deserialize, JsonSchema, Validate)]
    /// struct Rename {
    ///     #[validate(length(min = 1, max = 40))]
    ///     title: String,
    /// }
    ///
    /// let f = ServerFunction::mutation("posts.rename")
    ///     .validated_handler(|_: Ctx, input: Rename| async move { Ok::<_, FunctionError>(input.title) });
    /// // The rule travels in the input schema.
    /// assert_eq!(f.input_schema()["properties"]["title"]["maxLength"], 40);
    /// ```
    pub fn validated_handler<H, A>(self, f: H) -> ServerFunction
    where
        H: HandlerFn<A, Input: validator::Validate>,
        A: 'static,
    {
        self.typed(TypedHandler::new(f, check_rules))
    }

    fn typed<H: HandlerFn<A>, A: 'static>(self, handler: TypedHandler<H, A>) -> ServerFunction {
        let mut generator = schema_generator();
        let input = generator.root_schema_for::<H::Input>().to_value();
        let output = generator.root_schema_for::<H::Output>().to_value();
        let error = H::Error::error_schema(&mut generator).map(|schema| schema.to_value());
        self.raw_handler(input, output, error, Arc::new(handler))
    }

    /// Finishes the function with a handler working on JSON and schemas you supply.
    pub fn raw_handler(
        self,
        input_schema: Value,
        output_schema: Value,
        error_schema: Option<Value>,
        handler: Arc<dyn Handler>,
    ) -> ServerFunction {
        ServerFunction {
            spec: self,
            input_schema,
            output_schema,
            error_schema,
            handler,
        }
    }
}

/// The generator every schema in Mizan comes from: JSON Schema 2020-12, self-contained
/// documents (`$defs` inside each).
pub fn schema_generator() -> SchemaGenerator {
    SchemaGenerator::new(SchemaSettings::draft2020_12())
}
