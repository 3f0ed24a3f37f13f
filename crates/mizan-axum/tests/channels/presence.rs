//! Presence over real sockets: members join and leave, a query lists them, and an
//! instance that dies without cleanup has its members expire, in-process and on Redis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mizan_core::channels::{ChannelLayer, InProcessLayer};
use serde_json::{Value, json};

use crate::support::{Client, Server, WAIT, config, error_code, registry, token};

/// A short ttl, so that a dead instance's members expire within the test.
const TTL: Duration = Duration::from_millis(600);

/// The members of `lobby` as the client's presence query lists them: `(user, claims)`,
/// sorted.
async fn members(client: &mut Client) -> Vec<(String, Value)> {
    let answer = client
        .request(json!({"type": "presence", "channel": "lobby"}))
        .await;
    assert_eq!(answer["type"], "presence", "{answer}");
    assert_eq!(
        (answer["channel"].as_str(), &answer["params"]),
        (Some("lobby"), &Value::Null)
    );
    let mut members: Vec<(String, Value)> = answer["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["user"].as_str().unwrap().to_owned(), m["claims"].clone()))
        .collect();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    members
}

/// The next join or leave frame: `(type, user)`.
async fn change(client: &mut Client) -> (String, String) {
    loop {
        match client.next().await {
            crate::support::Seen::Frame(frame) if frame["type"] == "join" || frame["type"] == "leave" => {
                assert_eq!(frame["channel"], "lobby", "{frame}");
                assert!(frame["member"]["client"].is_string(), "{frame}");
                return (
                    frame["type"].as_str().unwrap().to_owned(),
                    frame["member"]["user"].as_str().unwrap().to_owned(),
                );
            }
            crate::support::Seen::Frame(_) => continue,
            crate::support::Seen::Closed(code) => panic!("closed ({code:?}) while waiting for presence"),
        }
    }
}

async fn join_lobby(server: &Server, user: &str, vip: bool) -> Client {
    let mut client = server.connect_with(Some(&token(user, &[], vip))).await;
    let ack = client.subscribe("lobby", json!(null)).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    client
}

#[tokio::test]
async fn members_join_and_leave_and_a_query_lists_them() {
    let server = Server::default().await;
    let mut ada = join_lobby(&server, "ada", true).await;
    assert_eq!(
        change(&mut ada).await,
        ("join".into(), "ada".into()),
        "her own join"
    );
    let mut bob = join_lobby(&server, "bob", false).await;
    assert_eq!(change(&mut ada).await, ("join".into(), "bob".into()));
    // Anonymous subscribers see presence but are not listed.
    let mut anonymous = server.connect().await;
    anonymous.subscribe("lobby", json!(null)).await;
    let listed = vec![
        ("ada".to_owned(), json!({"vip": true})),
        ("bob".to_owned(), json!({})),
    ];
    assert_eq!(members(&mut anonymous).await, listed, "only the exposed claims");
    assert_eq!(members(&mut bob).await, listed);

    bob.request(json!({"type": "unsubscribe", "channel": "lobby"}))
        .await;
    assert_eq!(change(&mut ada).await, ("leave".into(), "bob".into()));
    let bob_again = join_lobby(&server, "bob", false).await;
    assert_eq!(change(&mut ada).await, ("join".into(), "bob".into()));
    bob_again.close().await;
    assert_eq!(
        change(&mut ada).await,
        ("leave".into(), "bob".into()),
        "a disconnect leaves"
    );
    assert_eq!(members(&mut ada).await, listed[..1].to_vec());
}

#[tokio::test]
async fn presence_queries_are_refused_off_topic_and_on_channels_without_it() {
    let server = Server::default().await;
    let mut client = server.connect_with(Some(&token("ada", &[], false))).await;
    let off_topic = client
        .request(json!({"type": "presence", "channel": "lobby"}))
        .await;
    assert_eq!(error_code(&off_topic), "forbidden", "{off_topic}");
    client.subscribe("news", json!(null)).await;
    let none = client
        .request(json!({"type": "presence", "channel": "news"}))
        .await;
    assert_eq!(error_code(&none), "bad_request", "{none}");
    let unknown = client
        .request(json!({"type": "presence", "channel": "nope"}))
        .await;
    assert_eq!(error_code(&unknown), "not_found", "{unknown}");
}

/// A server on a runtime of its own, to be killed: shutting the runtime down drops its
/// tasks where they stand, so nothing says goodbye, as when a process dies.
struct Doomed {
    runtime: tokio::runtime::Runtime,
    server: Option<Server>,
}

impl Doomed {
    async fn start(
        layer: impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Arc<dyn ChannelLayer>> + Send>> + Send,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    runtime.block_on(async {
                        let layer = layer().await;
                        Server::start(registry(), config().with_channel_layer(layer)).await
                    })
                })
                .join()
                .unwrap()
        });
        Self {
            runtime,
            server: Some(server),
        }
    }

    fn server(&self) -> &Server {
        self.server.as_ref().unwrap()
    }

    fn kill(mut self) {
        drop(self.server.take());
        self.runtime.shutdown_background();
    }
}

/// Ada on the doomed instance, Bob on the survivor: Bob sees Ada, then the doomed instance
/// dies and Ada's entry vanishes within the documented `ttl + ttl/3`.
async fn a_dead_instances_members_expire(doomed: Doomed, survivor: &Server) {
    let mut ada = join_lobby(doomed.server(), "ada", false).await;
    assert_eq!(change(&mut ada).await, ("join".into(), "ada".into()));
    let mut bob = join_lobby(survivor, "bob", false).await;
    assert_eq!(
        change(&mut ada).await,
        ("join".into(), "bob".into()),
        "across instances"
    );
    let both = vec![("ada".to_owned(), json!({})), ("bob".to_owned(), json!({}))];
    assert_eq!(members(&mut bob).await, both);

    // Beats keep Ada listed past the ttl while her instance lives.
    tokio::time::sleep(TTL * 2).await;
    assert_eq!(members(&mut bob).await, both, "refreshed by the heartbeat");

    doomed.kill();
    let killed = Instant::now();
    assert_eq!(change(&mut bob).await, ("leave".into(), "ada".into()));
    let took = killed.elapsed();
    // The last beat was at most ttl/3 before the kill; the survivor's sweep at most ttl/3
    // after the entry expired. Slack for a loaded machine.
    assert!(
        took < TTL + TTL / 3 + Duration::from_millis(700),
        "the leave took {took:?}"
    );
    assert_eq!(members(&mut bob).await, both[1..].to_vec());
    assert!(took < WAIT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_a_dead_instances_members_expire() {
    let layer: Arc<dyn ChannelLayer> = Arc::new(InProcessLayer::new().with_presence_ttl(TTL));
    let shared = layer.clone();
    let doomed = Doomed::start(move || Box::pin(async move { shared })).await;
    let survivor = Server::start(registry(), config().with_channel_layer(layer)).await;
    a_dead_instances_members_expire(doomed, &survivor).await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_redis_a_dead_instances_members_expire() {
    use mizan_core::channels::RedisLayer;

    use crate::redis::{redis_url, unique_prefix};

    let prefix = unique_prefix("presence_dead_instance");
    let connect = |prefix: String| async move {
        let layer = RedisLayer::connect(&redis_url(), &prefix)
            .await
            .expect("the local Redis answers")
            .with_presence_ttl(TTL);
        Arc::new(layer) as Arc<dyn ChannelLayer>
    };
    let doomed_prefix = prefix.clone();
    let doomed = Doomed::start(move || Box::pin(connect(doomed_prefix))).await;
    let survivor = Server::start(registry(), config().with_channel_layer(connect(prefix).await)).await;
    a_dead_instances_members_expire(doomed, &survivor).await;
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn the_redis_layer_announces_each_change_once() {
    use mizan_core::channels::{Member, PresenceChange, PresenceLayer, RedisLayer, Topic};

    use crate::redis::{redis_url, unique_prefix};

    let prefix = unique_prefix("presence_layer");
    let layer = RedisLayer::connect(&redis_url(), &prefix)
        .await
        .unwrap()
        .with_presence_ttl(TTL);
    let mut events = layer.presence_events();
    let topic = Topic::new("lobby", &json!(null)).unwrap();
    let member = Member {
        client: "c1".into(),
        user: "ada".into(),
        claims: serde_json::Map::new(),
    };
    layer.touch(&topic, std::slice::from_ref(&member)).await.unwrap();
    layer.touch(&topic, std::slice::from_ref(&member)).await.unwrap();
    layer.leave(&topic, "c1").await.unwrap();
    layer.leave(&topic, "c1").await.unwrap();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let event = tokio::time::timeout(WAIT, events.recv()).await.unwrap().unwrap();
        assert_eq!((&event.topic, &event.member), (&topic, &member));
        seen.push(event.change);
    }
    assert_eq!(seen, vec![PresenceChange::Join, PresenceChange::Leave]);
    assert!(layer.members(&topic).await.unwrap().is_empty());
}
