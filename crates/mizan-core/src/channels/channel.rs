//! The channel model: a typed builder ([`Channel`]) and its erased form ([`ChannelSpec`]).

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::history::History;
use super::presence::Presence;
use super::topic::Topic;
use crate::error::{ErrorCode, FunctionError, IntoFunctionError};
use crate::function::{Access, BoxFuture, HandlerFn, RequestContext, decode_input, schema_generator};

type AuthorizeFn<P> = Arc<dyn Fn(RequestContext, P) -> BoxFuture<Result<(), FunctionError>> + Send + Sync>;
type ReceiveFn<P, C> =
    Arc<dyn Fn(RequestContext, P, C) -> BoxFuture<Result<(), FunctionError>> + Send + Sync>;
type ErasedAuthorize =
    Arc<dyn Fn(RequestContext, Value) -> BoxFuture<Result<(), FunctionError>> + Send + Sync>;
type ErasedReceive =
    Arc<dyn Fn(RequestContext, Value, Value) -> BoxFuture<Result<(), FunctionError>> + Send + Sync>;

/// Marker for a channel whose message type is not set yet: call
/// [`message`](Channel::message) before registering or publishing.
#[derive(Debug)]
pub enum NoMessage {}

/// Marker for a one-way channel: only the server publishes, client messages are rejected.
#[derive(Debug, Clone, Copy)]
pub struct OneWay;

/// A bidirectional channel's client→server message type `C` and its handler.
pub struct Bidirectional<P, C> {
    handler: ReceiveFn<P, C>,
}

impl<P, C> std::fmt::Debug for Bidirectional<P, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bidirectional").finish_non_exhaustive()
    }
}

impl<P, C> Clone for Bidirectional<P, C> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
        }
    }
}

/// Whether clients may send on a channel: [`OneWay`] or [`Bidirectional`]. Sealed.
pub trait ChannelKind<P>: Send + Sync + 'static + private::Sealed {
    /// Schema of client messages, for bidirectional channels.
    #[doc(hidden)]
    fn client_schema(&self) -> Option<Value>;
    /// The erased client-message handler, for bidirectional channels.
    #[doc(hidden)]
    fn receiver(&self) -> Option<ErasedReceive>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for super::OneWay {}
    impl<P, C> Sealed for super::Bidirectional<P, C> {}
}

impl<P> ChannelKind<P> for OneWay {
    fn client_schema(&self) -> Option<Value> {
        None
    }
    fn receiver(&self) -> Option<ErasedReceive> {
        None
    }
}

impl<P, C> ChannelKind<P> for Bidirectional<P, C>
where
    P: DeserializeOwned + Send + 'static,
    C: DeserializeOwned + JsonSchema + Send + 'static,
{
    fn client_schema(&self) -> Option<Value> {
        Some(schema_generator().root_schema_for::<C>().to_value())
    }

    fn receiver(&self) -> Option<ErasedReceive> {
        let handler = self.handler.clone();
        Some(Arc::new(move |ctx, params, data| {
            let decoded = decode_input::<P>(params).and_then(|p| Ok((p, decode_input::<C>(data)?)));
            match decoded {
                Ok((params, data)) => handler(ctx, params, data),
                Err(err) => Box::pin(std::future::ready(Err(err))),
            }
        }))
    }
}

/// A typed channel, built step by step; the type parameters are the parameters `P`, the
/// server message `M` and the [kind](ChannelKind) `K`.
///
/// The order is fixed by the types: [`params`](Self::params) (optional; `()` means none,
/// sent as `null`), then [`message`](Self::message) (required), then any of
/// [`client_message`](Self::client_message), [`authorize`](Self::authorize) and the access
/// shorthands. A channel without a message type cannot be registered or published to, and
/// a one-way channel has no client handler, so these mistakes do not compile:
///
/// ```compile_fail
/// use mizan_core::channels::{Channel, Channels};
/// // No `.message::<M>()`: not a complete channel.
/// Channels::new().with(Channel::new("chat_room"));
/// ```
///
/// ```
/// use mizan_core::channels::Channel;
/// use mizan_core::{Ctx, FunctionError};
///
/// #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
/// struct Room { room: u32 }
///
/// let chat = Channel::new("chat_room")
///     .description("Messages of one chat room.")
///     .params::<Room>()
///     .message::<String>()
///     .authenticated()
///     .authorize(|ctx: Ctx, room: Room| async move {
///         let user = ctx.require_identity()?;
///         if room.room == 0 && user.user_id != "admin" {
///             return Err(FunctionError::from_code(mizan_core::ErrorCode::Forbidden, "room 0 is for admins"));
///         }
///         Ok(())
///     })
///     .client_message(|_ctx: Ctx, _room: Room, text: String| async move {
///         if text.is_empty() {
///             return Err(FunctionError::from_code(mizan_core::ErrorCode::BadRequest, "say something"));
///         }
///         Ok(())
///     });
/// ```
#[must_use = "a channel does nothing until it is added to `Channels`"]
pub struct Channel<P = (), M = NoMessage, K = OneWay> {
    name: String,
    description: Option<String>,
    access: Access,
    history: Option<History>,
    presence: Option<Presence>,
    authorize: Option<AuthorizeFn<P>>,
    kind: K,
    _types: PhantomData<fn() -> (P, M)>,
}

impl<P, M, K: Clone> Clone for Channel<P, M, K> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            description: self.description.clone(),
            access: self.access.clone(),
            history: self.history,
            presence: self.presence.clone(),
            authorize: self.authorize.clone(),
            kind: self.kind.clone(),
            _types: PhantomData,
        }
    }
}

impl<P, M, K> std::fmt::Debug for Channel<P, M, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("name", &self.name)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

impl Channel {
    /// Starts a channel named `name` (snake_case, checked by `validate_registry`).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            access: Access::Public,
            history: None,
            presence: None,
            authorize: None,
            kind: OneWay,
            _types: PhantomData,
        }
    }
}

impl Channel<(), NoMessage, OneWay> {
    /// The parameters that pick a topic (`{room: u32}`); the default `()` means none.
    pub fn params<P>(self) -> Channel<P, NoMessage, OneWay>
    where
        P: Serialize + DeserializeOwned + JsonSchema + Send + 'static,
    {
        Channel {
            name: self.name,
            description: self.description,
            access: self.access,
            history: self.history,
            presence: self.presence,
            authorize: None,
            kind: OneWay,
            _types: PhantomData,
        }
    }
}

impl<P> Channel<P, NoMessage, OneWay> {
    /// The type of the messages the server publishes.
    pub fn message<M>(self) -> Channel<P, M, OneWay>
    where
        M: Serialize + JsonSchema + 'static,
    {
        Channel {
            name: self.name,
            description: self.description,
            access: self.access,
            history: self.history,
            presence: self.presence,
            authorize: self.authorize,
            kind: OneWay,
            _types: PhantomData,
        }
    }
}

impl<P, M> Channel<P, M, OneWay>
where
    P: Serialize + DeserializeOwned + JsonSchema + Send + 'static,
    M: Serialize + JsonSchema + 'static,
{
    /// Makes the channel bidirectional: clients may send messages of type `C`, which
    /// `handler` receives with the caller's context and the topic's parameters. The
    /// handler may publish (through the [`Publisher`](super::Publisher) in the state); an
    /// error it returns goes back to the sender as an error frame.
    pub fn client_message<C, F, Fut>(self, handler: F) -> Channel<P, M, Bidirectional<P, C>>
    where
        C: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(RequestContext, P, C) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), FunctionError>> + Send + 'static,
    {
        Channel {
            name: self.name,
            description: self.description,
            access: self.access,
            history: self.history,
            presence: self.presence,
            authorize: self.authorize,
            kind: Bidirectional {
                handler: Arc::new(move |ctx, params, data| Box::pin(handler(ctx, params, data))),
            },
            _types: PhantomData,
        }
    }
}

impl<P, M, K> Channel<P, M, K> {
    crate::function::builder::description_and_access_methods!();

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Keeps a history per topic, so that a client that was away recovers what it missed
    /// (`spec/PROTOCOL.md` §3.7): its messages carry offsets and a subscribe may ask
    /// for what came after one.
    pub fn history(mut self, history: History) -> Self {
        self.history = Some(history);
        self
    }

    /// Lists who is subscribed to each topic (`spec/PROTOCOL.md` §3.8): subscribers with an
    /// identity are members, announced to the other subscribers as they join and leave,
    /// and a `presence` frame asks for the current list.
    pub fn presence(mut self, presence: Presence) -> Self {
        self.presence = Some(presence);
        self
    }

    /// A lightweight typed handle for publishing, without the handlers.
    pub fn key(&self) -> ChannelKey<P, M> {
        ChannelKey {
            name: std::borrow::Cow::Owned(self.name.clone()),
            _types: PhantomData,
        }
    }
}

impl<P, M, K> Channel<P, M, K>
where
    P: Serialize + DeserializeOwned + JsonSchema + Send + 'static,
    M: Serialize + JsonSchema + 'static,
{
    /// A check run on every subscribe and client message after the declarative access
    /// rule: it sees the caller ([`RequestContext::identity`], claims included) and the
    /// decoded parameters. Return `forbidden` (or any error) to refuse.
    pub fn authorize<H, A>(mut self, hook: H) -> Self
    where
        H: HandlerFn<A, Input = P, Output = ()>,
    {
        self.authorize = Some(Arc::new(move |ctx, params| {
            let checked = hook.call(ctx, params);
            Box::pin(async move { checked.await.map_err(IntoFunctionError::into_function_error) })
        }));
        self
    }
}

/// A typed reference to a channel by name, enough to publish: `P` the parameters, `M` the
/// message. Constant-constructible, so a module can declare its channels once.
///
/// ```
/// use mizan_core::channels::ChannelKey;
///
/// const TICKS: ChannelKey<(), u64> = ChannelKey::new("ticks");
/// assert_eq!(TICKS.name(), "ticks");
/// ```
pub struct ChannelKey<P, M> {
    name: std::borrow::Cow<'static, str>,
    _types: PhantomData<fn() -> (P, M)>,
}

impl<P, M> ChannelKey<P, M> {
    /// A handle on the channel named `name`.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name: std::borrow::Cow::Borrowed(name),
            _types: PhantomData,
        }
    }

    /// A handle on a channel whose name is known only at run time.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: std::borrow::Cow::Owned(name.into()),
            _types: PhantomData,
        }
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<P, M> Clone for ChannelKey<P, M> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            _types: PhantomData,
        }
    }
}

impl<P, M> std::fmt::Debug for ChannelKey<P, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ChannelKey").field(&self.name).finish()
    }
}

/// Something that names a channel with its types: what
/// [`Publisher::publish`](super::Publisher::publish) takes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not name a channel with a message type",
    note = "pass a `Channel` built with `.message::<M>()` or a `ChannelKey<P, M>`"
)]
pub trait ChannelDef {
    /// The parameters that pick the topic.
    type Params: Serialize;
    /// The messages published on it.
    type Message: Serialize;
    /// The channel's name.
    fn channel_name(&self) -> &str;
}

impl<P: Serialize, M: Serialize, K> ChannelDef for Channel<P, M, K> {
    type Params = P;
    type Message = M;
    fn channel_name(&self) -> &str {
        &self.name
    }
}

impl<P: Serialize, M: Serialize> ChannelDef for ChannelKey<P, M> {
    type Params = P;
    type Message = M;
    fn channel_name(&self) -> &str {
        &self.name
    }
}

/// A channel with its types erased: what [`Channels`](super::Channels) holds and the
/// transport runs. Made from a [`Channel`] with `into()`.
#[derive(Clone)]
pub struct ChannelSpec {
    name: String,
    description: Option<String>,
    access: Access,
    history: Option<History>,
    presence: Option<Presence>,
    params_schema: Value,
    message_schema: Value,
    client_message_schema: Option<Value>,
    topic_of: fn(&str, Value) -> Result<Topic, FunctionError>,
    authorize: Option<ErasedAuthorize>,
    receive: Option<ErasedReceive>,
}

impl std::fmt::Debug for ChannelSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelSpec")
            .field("name", &self.name)
            .field("access", &self.access)
            .field("bidirectional", &self.is_bidirectional())
            .finish_non_exhaustive()
    }
}

/// Decodes the parameters into `P` (field errors on mismatch), then takes the topic from
/// `P` serialized again, so subscriber and publisher agree on the exact same bytes.
fn topic_of<P: Serialize + DeserializeOwned>(channel: &str, params: Value) -> Result<Topic, FunctionError> {
    let decoded: P = decode_input(params)?;
    let value = serde_json::to_value(&decoded).map_err(|_| FunctionError::internal())?;
    Topic::new(channel, &value).map_err(|err| {
        FunctionError::from_code(
            ErrorCode::ValidationFailed,
            format!("the parameters name no topic: {err}"),
        )
    })
}

impl<P, M, K> From<Channel<P, M, K>> for ChannelSpec
where
    P: Serialize + DeserializeOwned + JsonSchema + Send + 'static,
    M: Serialize + JsonSchema + 'static,
    K: ChannelKind<P>,
{
    fn from(channel: Channel<P, M, K>) -> Self {
        let mut generator = schema_generator();
        let authorize = channel.authorize.map(|hook| -> ErasedAuthorize {
            Arc::new(move |ctx, params| match decode_input::<P>(params) {
                Ok(params) => hook(ctx, params),
                Err(err) => Box::pin(std::future::ready(Err(err))),
            })
        });
        Self {
            params_schema: generator.root_schema_for::<P>().to_value(),
            message_schema: generator.root_schema_for::<M>().to_value(),
            client_message_schema: channel.kind.client_schema(),
            receive: channel.kind.receiver(),
            topic_of: topic_of::<P>,
            authorize,
            name: channel.name,
            description: channel.description,
            access: channel.access,
            history: channel.history,
            presence: channel.presence,
        }
    }
}

impl ChannelSpec {
    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The doc text, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Who may subscribe and send.
    pub fn access_rule(&self) -> &Access {
        &self.access
    }

    /// The history the channel keeps per topic, if any.
    pub fn history(&self) -> Option<&History> {
        self.history.as_ref()
    }

    /// Who the channel lists as subscribed to its topics, if it keeps presence.
    pub fn presence(&self) -> Option<&Presence> {
        self.presence.as_ref()
    }

    /// Whether a subscription depends on who the caller is (an access rule other than
    /// public, or an authorize hook): such subscriptions end when the caller's token
    /// expires.
    pub fn depends_on_identity(&self) -> bool {
        !matches!(self.access, Access::Public) || self.authorize.is_some()
    }

    /// Whether clients may send messages.
    pub fn is_bidirectional(&self) -> bool {
        self.receive.is_some()
    }

    /// The topic `params` names, without authorizing anyone (what unsubscribing needs).
    ///
    /// # Errors
    ///
    /// `validation_failed` when `params` do not decode into the channel's parameter type.
    pub fn topic(&self, params: Value) -> Result<Topic, FunctionError> {
        (self.topic_of)(&self.name, params)
    }

    /// Authorizes `ctx`'s caller for the topic `params` names and returns that topic: the
    /// access rule, then the parameters decoded (`validation_failed` with field errors),
    /// then the authorize hook. What the transport runs on every subscribe.
    pub async fn authorize(&self, ctx: &RequestContext, params: Value) -> Result<Topic, FunctionError> {
        self.access
            .check(ctx.identity(), format_args!("channel `{}`", self.name))?;
        let topic = (self.topic_of)(&self.name, params.clone())?;
        if let Some(hook) = &self.authorize {
            hook(ctx.clone(), params).await?;
        }
        Ok(topic)
    }

    /// Runs the client-message handler after [`authorize`](Self::authorize); a one-way
    /// channel answers `method_not_allowed`. The executor's
    /// [`channel_send`](crate::executor::Executor::channel_send) runs it inside the
    /// middleware.
    pub async fn receive(
        &self,
        ctx: RequestContext,
        params: Value,
        data: Value,
    ) -> Result<(), FunctionError> {
        let receive = self.receiver()?;
        self.authorize(&ctx, params.clone()).await?;
        receive(ctx, params, data).await
    }

    /// The client-message handler, or `method_not_allowed` for a one-way channel.
    pub(crate) fn receiver(&self) -> Result<ErasedReceive, FunctionError> {
        self.receive.clone().ok_or_else(|| {
            FunctionError::from_code(
                ErrorCode::MethodNotAllowed,
                format!(
                    "channel `{}` is one-way: only the server publishes on it",
                    self.name
                ),
            )
        })
    }

    /// This channel's entry in the schema document (`spec/SCHEMA.md`, "Channels").
    pub fn schema_entry(&self) -> Value {
        json!({
            "type": "channel",
            "bidirectional": self.is_bidirectional(),
            "description": self.description,
            "params": self.params_schema,
            "message": self.message_schema,
            "client_message": self.client_message_schema,
            "access": self.access.schema_entry(),
            "history": self.history.map(|history| json!({
                "size": history.size(),
                "ttl_seconds": history.ttl().as_secs(),
            })),
            "presence": self.presence.as_ref().map(|presence| json!({
                "claims": presence.exposed_claims(),
            })),
        })
    }
}
