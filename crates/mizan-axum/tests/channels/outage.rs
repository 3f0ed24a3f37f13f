//! Redis taken away under load: two instances on a Redis of the test's own, calls and a
//! channel client on each, then Redis is killed and restarted on the same port. No call
//! fails (the cache fails open within its timeout, auth never does), both instances
//! resubscribe to pub/sub, and a purge on one reaches a client of the other within 5 s.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mizan_core::channels::RedisLayer;
use mizan_core::{CachePolicy, Ctx, FunctionError, RedisCache, ServerFunction};
use serde_json::{Value, json};

use crate::support::{Client, Seen, Server, config, registry, token};

/// A `redis-server` on a loopback port, without persistence, killed when dropped.
pub(crate) struct OwnRedis {
    port: u16,
    child: Child,
}

impl OwnRedis {
    pub(crate) fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { port, child }
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: the server goes away without a goodbye, as in a crash.
    pub(crate) fn kill(mut self) -> u16 {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.port
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The channel registry plus `echo`, a public cached query tagged `echoes`, and `me`, a
/// query for signed-in callers only.
fn outage_registry() -> mizan_core::Registry {
    let mut registry = registry();
    registry
        .register(
            ServerFunction::query("echo")
                .cache(CachePolicy::public().tags(["echoes"]))
                .handler(|_: Ctx, n: u64| async move { Ok::<_, FunctionError>(n) }),
        )
        .register(
            ServerFunction::query("me")
                .authenticated()
                .handler(|ctx: Ctx, _: ()| async move {
                    Ok::<_, FunctionError>(ctx.require_identity()?.user_id.clone())
                }),
        );
    registry
}

async fn instance(url: &str, prefix: &str) -> Server {
    let cache = RedisCache::builder(url)
        .prefix(prefix)
        .operation_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let layer = RedisLayer::connect(url, prefix).await.expect("our Redis answers");
    Server::start(
        outage_registry(),
        config()
            .with_cache(Arc::new(cache))
            .with_channel_layer(Arc::new(layer)),
    )
    .await
}

/// Tallies of the load: calls made, and those that did not answer as they should.
#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    failed: AtomicU64,
}

/// Calls `echo` on `base` (and `me`, with a good and a forged token) until `stop`, at most
/// `max` rounds.
async fn load(base: String, stop: Arc<AtomicBool>, tally: Arc<Tally>, max: u64) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let good = token("ada", &[], false);
    let forged = format!("{}x", &good[..good.len() - 1]);
    for round in 0..max {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let n = round % 7;
        let echo = http.get(format!("{base}/call/echo?input={n}")).send().await;
        let ok = match echo {
            Ok(response) if response.status() == 200 => {
                response
                    .json::<Value>()
                    .await
                    .ok()
                    .map(|body| body["data"].clone())
                    == Some(json!(n))
            }
            _ => false,
        };
        let me = http
            .get(format!("{base}/call/me"))
            .bearer_auth(&good)
            .send()
            .await
            .map(|r| r.status().as_u16());
        let forged = http
            .get(format!("{base}/call/me"))
            .bearer_auth(&forged)
            .send()
            .await
            .map(|r| r.status().as_u16());
        tally.calls.fetch_add(3, Ordering::Relaxed);
        let failed = u64::from(!ok) + u64::from(me.ok() != Some(200)) + u64::from(forged.ok() != Some(401));
        tally.failed.fetch_add(failed, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The next `mizan_revisions` message within `wait`, skipping other frames.
pub(crate) async fn revisions_within(client: &mut Client, wait: Duration) -> Option<Value> {
    tokio::time::timeout(wait, async {
        loop {
            match client.next().await {
                Seen::Frame(frame) if frame["type"] == "message" && frame["channel"] == "mizan_revisions" => {
                    return frame["data"].clone();
                }
                Seen::Frame(_) => continue,
                Seen::Closed(code) => panic!("the channel client was closed ({code:?})"),
            }
        }
    })
    .await
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_killed_and_restarted_under_load() {
    let redis = OwnRedis::start(free_port());
    let url = redis.url();
    let prefix = "outage:";
    let a = instance(&url, prefix).await;
    let b = instance(&url, prefix).await;
    let mut on_a = a.connect().await;
    let mut on_b = b.connect().await;
    on_a.subscribe("mizan_revisions", json!(null)).await;
    on_b.subscribe("mizan_revisions", json!(null)).await;

    // Before: a purge on A reaches B.
    let before_outage = a.mizan.purge(["echoes"]).await;
    assert_eq!(
        revisions_within(&mut on_b, Duration::from_secs(5)).await,
        Some(json!({"revisions": before_outage}))
    );

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let mut workers = Vec::new();
    for server in [&a, &b] {
        for _ in 0..2 {
            let base = format!("http://{}/mizan", server.addr);
            workers.push(tokio::spawn(load(base, stop.clone(), tally.clone(), 5_000)));
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = tally.calls.load(Ordering::Relaxed);

    let port = redis.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = tally.calls.load(Ordering::Relaxed) - before;
    let redis = OwnRedis::start(port);
    let back = Instant::now();

    // After: one purge on A, as soon as Redis takes it, reaches the client on B within 5 s
    // of Redis's return. B's pub/sub may not be back yet when A publishes (pub/sub is
    // fire-and-forget): B must then resync its clients through `mizan_revisions` itself.
    // Redis came back empty, so the revision starts again from its clock: past the one
    // before, never back to it.
    let mut purged = a.mizan.purge(["echoes"]).await;
    while purged.is_empty() && back.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
        purged = a.mizan.purge(["echoes"]).await;
    }
    let echoes = *purged
        .get("echoes")
        .expect("A could not purge after Redis returned");
    assert!(
        echoes > before_outage["echoes"],
        "the revision went back from {} to {echoes}",
        before_outage["echoes"]
    );
    let mut heard = None;
    while back.elapsed() < Duration::from_secs(5) {
        match revisions_within(&mut on_b, Duration::from_millis(100)).await {
            Some(message) if message["revisions"]["echoes"] == echoes => {
                heard = Some(message);
                break;
            }
            _ => continue,
        }
    }
    let resynced = back.elapsed();
    assert!(
        heard.is_some(),
        "A's purge did not reach B within {resynced:?} of Redis's return"
    );
    // And B's own purge reaches A: both directions resubscribed.
    b.mizan.purge(["echoes"]).await;
    assert!(
        revisions_within(&mut on_a, Duration::from_secs(5))
            .await
            .is_some(),
        "a purge on B after Redis's return did not reach A"
    );

    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let (calls, failed) = (
        tally.calls.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
    );
    eprintln!(
        "{calls} calls ({during} while Redis was down), {failed} failed; B heard A {resynced:?} after Redis returned"
    );
    assert!(during > 0, "no call was made while Redis was down");
    assert_eq!(failed, 0, "{failed} of {calls} calls failed");
    drop(redis);
}
