//! A registry with channels, a server on an ephemeral loopback port, and a client over
//! either transport: a WebSocket, or Server-Sent Events plus POST.

use std::sync::{Mutex, Once};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::{SinkExt, StreamExt};
use mizan_axum::{Config, Mizan};
use mizan_core::channels::{Channel, ChannelKey, Channels, History, Presence, Publisher};
use mizan_core::{Claims, Ctx, ErrorCode, FunctionError, Keyring, Registry, ServerFunction, permission_key};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) const CACHE_SECRET: &[u8] = b"test cache secret";
pub(crate) const SIGNING_KEY: &[u8] = b"test signing key";
/// Every wait in these tests is bounded by this.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Room {
    pub(crate) room: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Said {
    pub(crate) user: String,
    pub(crate) text: String,
}

pub(crate) const CHAT: ChannelKey<Room, Said> = ChannelKey::new("chat");
pub(crate) const NEWS: ChannelKey<(), String> = ChannelKey::new("news");
pub(crate) const FEED: ChannelKey<(), u64> = ChannelKey::new("feed");
/// The history `feed` keeps per topic.
pub(crate) const FEED_HISTORY: usize = 500;

/// `chat` (bidirectional, `{room}`; room 13 is for `vip` claim holders), `news` (one-way,
/// public), `feed` (one-way, public, a history of [`FEED_HISTORY`]), `admin_feed` (needs
/// the `admin` permission), `lobby` (one-way, public, with presence exposing the `vip`
/// claim), and a `post_news` function.
pub(crate) fn registry() -> Registry {
    let chat = Channel::new("chat")
        .params::<Room>()
        .message::<Said>()
        .authorize(|ctx: Ctx, room: Room| async move {
            let vip = ctx.identity().and_then(|i| i.claims.get("vip")) == Some(&json!(true));
            if room.room == 13 && !vip {
                return Err(FunctionError::from_code(
                    ErrorCode::Forbidden,
                    "room 13 is for VIPs",
                ));
            }
            Ok(())
        })
        .client_message(|ctx: Ctx, room: Room, text: String| async move {
            let user = ctx
                .identity()
                .map_or("anonymous".to_owned(), |i| i.user_id.clone());
            let said = Said { user, text };
            ctx.state::<Publisher>()?
                .publish(&CHAT, &room, &said)
                .await
                .map_err(|err| FunctionError::from_code(ErrorCode::Unavailable, err.to_string()))
        });
    let news = Channel::new("news").message::<String>();
    let feed = Channel::new("feed")
        .message::<u64>()
        .history(History::new(FEED_HISTORY, Duration::from_secs(60)));
    let admin = Channel::new("admin_feed")
        .message::<String>()
        .permissions(["admin"]);
    let lobby = Channel::new("lobby")
        .message::<String>()
        .presence(Presence::new().claims(["vip"]));
    let mut registry = Registry::new();
    registry.register(
        ServerFunction::mutation("post_news").handler(|ctx: Ctx, text: String| async move {
            ctx.state::<Publisher>()?
                .publish(&NEWS, &(), &text)
                .await
                .map_err(|err| FunctionError::from_code(ErrorCode::Unavailable, err.to_string()))
        }),
    );
    registry.register_extension(
        "channels",
        Channels::new()
            .with(chat)
            .with(news)
            .with(feed)
            .with(admin)
            .with(lobby),
    );
    registry
}

pub(crate) fn config() -> Config {
    Config::new(CACHE_SECRET.to_vec(), Keyring::new("k1", SIGNING_KEY).unwrap())
}

pub(crate) fn token(user: &str, perms: &[&str], vip: bool) -> String {
    token_for(user, perms, vip, 3600)
}

/// A token that expires `ttl_secs` from now.
pub(crate) fn token_for(user: &str, perms: &[&str], vip: bool, ttl_secs: u64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let pk = permission_key(CACHE_SECRET, perms.iter().copied());
    let mut claims = Claims::new(user, pk, now, now + ttl_secs).with_perms(perms.iter().copied());
    if vip {
        claims = claims.with_claim("vip", json!(true));
    }
    Keyring::new("k1", SIGNING_KEY).unwrap().issue(claims).unwrap()
}

/// Publishes each of `values` on `feed`, in order.
pub(crate) async fn publish_feed(server: &Server, values: std::ops::Range<u64>) {
    for value in values {
        server
            .mizan
            .publisher()
            .publish(&FEED, &(), &value)
            .await
            .unwrap();
    }
}

/// A server on 127.0.0.1 with an ephemeral port, stopped when dropped.
pub(crate) struct Server {
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) mizan: Mizan,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
        if !std::thread::panicking() {
            let panics = server_panics();
            assert!(panics.is_empty(), "server tasks panicked: {panics:?}");
        }
    }
}

/// Panics raised outside this test crate, by thread: `#[tokio::test]` runs a test's
/// server on the test's own thread, so a connection task that panics (tokio catches it
/// and the test would otherwise pass) is recorded under the test's thread name.
static SERVER_PANICS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn record_server_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_tests = info
                .location()
                .is_some_and(|l| l.file().contains("tests/channels/"));
            if !in_tests {
                let thread = std::thread::current().name().unwrap_or("?").to_owned();
                let mut panics = SERVER_PANICS.lock().unwrap_or_else(|e| e.into_inner());
                panics.push((thread, info.to_string()));
            }
            default(info);
        }));
    });
}

/// The server panics recorded on this test's thread so far.
pub(crate) fn server_panics() -> Vec<String> {
    let thread = std::thread::current().name().unwrap_or("?").to_owned();
    let panics = SERVER_PANICS.lock().unwrap_or_else(|e| e.into_inner());
    panics
        .iter()
        .filter(|(on, _)| *on == thread)
        .map(|(_, what)| what.clone())
        .collect()
}

impl Server {
    pub(crate) async fn start(registry: Registry, config: Config) -> Self {
        record_server_panics();
        let mizan = Mizan::new(registry, config).expect("valid registry");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().merge(mizan.mount("/mizan"));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, mizan, task }
    }

    pub(crate) async fn default() -> Self {
        Self::start(registry(), config()).await
    }

    pub(crate) fn ws_url(&self) -> String {
        format!("ws://{}/mizan/ws", self.addr)
    }

    pub(crate) fn sse_url(&self) -> String {
        format!("http://{}/mizan/sse", self.addr)
    }

    pub(crate) async fn connect(&self) -> Client {
        self.connect_with(None).await
    }

    /// Connects, with `Authorization: Bearer <token>` when given.
    pub(crate) async fn connect_with(&self, bearer: Option<&str>) -> Client {
        let authorization = bearer.map(|token| format!("Bearer {token}"));
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("authorization", value.as_str()))
            .collect();
        self.connect_headers(&headers).await
    }

    /// Connects over the test's transport with these handshake headers.
    pub(crate) async fn connect_headers(&self, headers: &[(&str, &str)]) -> Client {
        let connection = match Transport::current() {
            Transport::WebSocket => {
                let mut request = self.ws_url().into_client_request().unwrap();
                for (name, value) in headers {
                    let name = axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
                    request.headers_mut().insert(name, value.parse().unwrap());
                }
                let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
                    .await
                    .expect("connect in time")
                    .expect("the upgrade succeeds");
                Connection::WebSocket(Box::new(socket))
            }
            Transport::Sse => {
                let mut request = reqwest::Client::new().get(self.sse_url());
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                let stream = tokio::time::timeout(WAIT, SseStream::open(request))
                    .await
                    .expect("connect in time");
                Connection::Sse(Box::new(stream))
            }
        };
        Client {
            connection,
            next_id: 0,
        }
    }
}

/// Which transport a test's clients use: the tests of `main.rs`'s `over_both_transports!`
/// run once over each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    WebSocket,
    Sse,
}

tokio::task_local! {
    static TRANSPORT: Transport;
}

impl Transport {
    /// The transport of the test running now (a WebSocket outside `run`).
    pub(crate) fn current() -> Self {
        TRANSPORT.try_with(|t| *t).unwrap_or(Self::WebSocket)
    }

    /// Runs a test with its clients on this transport.
    pub(crate) async fn run(self, test: impl std::future::Future<Output = ()>) {
        self.run_value(test).await;
    }

    /// Runs `work` with its clients on this transport, and gives what it made.
    pub(crate) async fn run_value<T>(self, work: impl std::future::Future<Output = T>) -> T {
        TRANSPORT.scope(self, work).await
    }
}

/// What the client saw instead of a frame.
#[derive(Debug, PartialEq)]
pub(crate) enum Seen {
    Frame(Value),
    Closed(Option<u16>),
}

enum Connection {
    WebSocket(Box<WebSocketStream<MaybeTlsStream<TcpStream>>>),
    Sse(Box<SseStream>),
}

pub(crate) struct Client {
    connection: Connection,
    next_id: u64,
}

/// An SSE session: its event stream, read event by event, and where its frames go.
pub(crate) struct SseStream {
    response: reqwest::Response,
    buffer: String,
    post_url: String,
    http: reqwest::Client,
    /// The `id` of the last event that had one (what a reconnect sends as `Last-Event-ID`).
    pub(crate) last_event_id: Option<String>,
}

/// One Server-Sent Event: its `event` name (`None` for frames) and data.
struct SseEvent {
    name: Option<String>,
    data: String,
}

impl SseStream {
    /// Opens the stream; panics unless it answers `200` with a `session` event first.
    pub(crate) async fn open(request: reqwest::RequestBuilder) -> Self {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "the stream opens");
        let base = response.url().to_string();
        let mut stream = Self {
            response,
            buffer: String::new(),
            post_url: String::new(),
            http: reqwest::Client::new(),
            last_event_id: None,
        };
        let opening = stream.event().await.expect("a session event");
        assert_eq!(opening.name.as_deref(), Some("session"));
        let session: Value = serde_json::from_str(&opening.data).unwrap();
        stream.post_url = format!("{base}/{}", session["session"].as_str().unwrap());
        stream
    }

    /// Where the session's frames go.
    pub(crate) fn post_url(&self) -> &str {
        &self.post_url
    }

    /// `POST`s one frame's body to the session; the answer comes on the stream.
    pub(crate) async fn post(&self, body: Vec<u8>) -> reqwest::StatusCode {
        self.http
            .post(&self.post_url)
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// The next event (comments skipped), or `None` when the stream ended.
    async fn event(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (None, Vec::new());
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("data: ") {
                        data.push(value.to_owned());
                    } else if let Some(value) = line.strip_prefix("event: ") {
                        name = Some(value.to_owned());
                    } else if let Some(value) = line.strip_prefix("id: ") {
                        self.last_event_id = Some(value.to_owned());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some(SseEvent {
                    name,
                    data: data.join("\n"),
                });
            }
            let chunk = self.response.chunk().await.ok()??;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

impl Client {
    pub(crate) fn from_sse(stream: SseStream) -> Self {
        Self {
            connection: Connection::Sse(Box::new(stream)),
            next_id: 0,
        }
    }

    pub(crate) async fn send_text(&mut self, text: impl Into<String>) {
        match &mut self.connection {
            Connection::WebSocket(socket) => socket.send(Message::text(text.into())).await.unwrap(),
            Connection::Sse(stream) => {
                stream.post(text.into().into_bytes()).await;
            }
        }
    }

    /// A frame that is not text: a binary WebSocket frame, or a `POST` body that is not
    /// UTF-8.
    pub(crate) async fn send_binary(&mut self, mut bytes: Vec<u8>) {
        match &mut self.connection {
            Connection::WebSocket(socket) => socket.send(Message::binary(bytes)).await.unwrap(),
            Connection::Sse(stream) => {
                bytes.insert(0, 0xff);
                stream.post(bytes).await;
            }
        }
    }

    /// Ends the connection from the client's side: a WebSocket close handshake, or the
    /// SSE stream dropped.
    pub(crate) async fn close(self) {
        if let Connection::WebSocket(mut socket) = self.connection {
            drop(WebSocketStream::close(&mut socket, None).await);
        }
    }

    /// The SSE session, for tests of that transport alone.
    pub(crate) fn sse(&self) -> &SseStream {
        match &self.connection {
            Connection::Sse(stream) => stream,
            Connection::WebSocket(_) => panic!("not an SSE client"),
        }
    }

    /// Sends a frame with a fresh `id` and returns the answer with that id (frames of
    /// other kinds that arrive first are skipped).
    pub(crate) async fn request(&mut self, mut frame: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        frame["id"] = json!(id);
        self.send_text(frame.to_string()).await;
        loop {
            match self.next().await {
                Seen::Frame(reply) if reply["id"] == json!(id) => return reply,
                Seen::Frame(_) => continue,
                Seen::Closed(code) => panic!("closed ({code:?}) while waiting for the answer to {frame}"),
            }
        }
    }

    pub(crate) async fn subscribe(&mut self, channel: &str, params: Value) -> Value {
        self.request(json!({"type": "subscribe", "channel": channel, "params": params}))
            .await
    }

    /// Subscribes to `feed`, from `since` (an ack's or a message's `{offset, epoch}`).
    pub(crate) async fn subscribe_feed(&mut self, since: Option<Value>) -> Value {
        let mut frame = json!({"type": "subscribe", "channel": "feed"});
        if let Some(since) = since {
            frame["since"] = since;
        }
        self.request(frame).await
    }

    /// The next `count` messages, as `(offset, data)`.
    pub(crate) async fn offsets(&mut self, count: usize) -> Vec<(u64, u64)> {
        let mut got = Vec::with_capacity(count);
        while got.len() < count {
            let message = self.message().await;
            got.push((
                message["offset"].as_u64().unwrap(),
                message["data"].as_u64().unwrap(),
            ));
        }
        got
    }

    /// The next frame or the close, within [`WAIT`].
    pub(crate) async fn next(&mut self) -> Seen {
        tokio::time::timeout(WAIT, self.next_unbounded())
            .await
            .expect("a frame in time")
    }

    async fn next_unbounded(&mut self) -> Seen {
        match &mut self.connection {
            Connection::WebSocket(socket) => loop {
                match socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        return Seen::Frame(serde_json::from_str(&text).unwrap());
                    }
                    Some(Ok(Message::Close(frame))) => return Seen::Closed(frame.map(|f| f.code.into())),
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return Seen::Closed(None),
                }
            },
            Connection::Sse(stream) => match stream.event().await {
                None => Seen::Closed(None),
                Some(SseEvent { name: None, data }) => Seen::Frame(serde_json::from_str(&data).unwrap()),
                Some(SseEvent {
                    name: Some(name),
                    data,
                }) => {
                    assert_eq!(name, "close", "only frames and the close come after the session");
                    let close: Value = serde_json::from_str(&data).unwrap();
                    Seen::Closed(close["code"].as_u64().map(|code| code as u16))
                }
            },
        }
    }

    /// The next `message` frame.
    pub(crate) async fn message(&mut self) -> Value {
        loop {
            match self.next().await {
                Seen::Frame(frame) if frame["type"] == "message" => return frame,
                Seen::Frame(_) => continue,
                Seen::Closed(code) => panic!("closed ({code:?}) while waiting for a message"),
            }
        }
    }
}

pub(crate) fn error_code(frame: &Value) -> &str {
    assert_eq!(frame["type"], "error", "{frame}");
    frame["error"]["code"].as_str().unwrap()
}
