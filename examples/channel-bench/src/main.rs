//! Load benchmark of channels (not a test): one server process holding many WebSocket
//! subscribers on one topic, and a client process (this binary in `client` mode, spawned as
//! a child, so each side has its own open-file budget).
//!
//! ```text
//! channel-bench [CONNECTIONS] [PUBLISHES]      # default 10000 and 20; see scripts/bench-channels
//! ```
//!
//! The channel keeps a history, so every publish is also an append. Reports how many
//! subscribers were reached, the server's RSS growth per connection, the latency from a
//! publish to each delivery (p50, p99, max), measured by the client against the send time
//! carried in the message (same host, same clock), the server's CPU time per delivery, and
//! how long a subscriber that was away while 1,000 messages were published (on a topic of
//! their own) takes to get them back, while the server still holds the 10,000. Latencies
//! depend on what else the machine runs: compare runs interleaved. Every loop and wait is
//! bounded in count and time; only loopback is used.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::{SinkExt, StreamExt};
use mizan::ErrorCode;
use mizan::axum::{Config, Limits, Mizan};
use mizan::channels::{Channel, ChannelKey, Channels, History};
use mizan::mwt::Keyring;
use mizan::prelude::*;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// When a message was published, in nanoseconds since the Unix epoch.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Stamp {
    sent_ns: u128,
}

const BENCH: ChannelKey<(), Stamp> = ChannelKey::new("bench");
/// Where the away client's 1,000 are published: a topic of its own, so the replay is
/// measured, not 10,000 subscribers receiving the same 1,000.
const AWAY: ChannelKey<(), Stamp> = ChannelKey::new("away");
const CONNECT_CONCURRENCY: usize = 200;
const PHASE_LIMIT: Duration = Duration::from_secs(120);
const PUBLISH_INTERVAL: Duration = Duration::from_millis(200);
/// The bench channel keeps a history, as a real feed would: every publish is also an append.
const HISTORY: usize = 2000;

type Error = Box<dyn std::error::Error + Send + Sync>;

// Counts the heap in use, beside RSS: RSS also holds what the allocator kept after the
// connect burst (handshake buffers freed again), the heap only what connections hold.
#[global_allocator]
static HEAP: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

fn heap_bytes() -> i64 {
    let stats = HEAP.stats();
    let total = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    total(stats.bytes_allocated) - total(stats.bytes_deallocated) + stats.bytes_reallocated as i64
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

/// The `sent_ns` of a message frame.
fn stamp(frame: &str) -> Option<u128> {
    let start = frame.find("\"sent_ns\":")? + "\"sent_ns\":".len();
    let digits = &frame[start..];
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse().ok()
}

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// CPU time this process used so far (user + system), from `/proc/self/stat`: unlike
/// latencies it hardly depends on what else the machine runs.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command (which may hold spaces): utime and stime are the 12th and
    // 13th, in clock ticks of 10 ms.
    let ticks: u64 = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|t| t.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("client") {
        let url = args.get(2).ok_or("client needs a URL")?.clone();
        let connections = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(10_000);
        let publishes = args.get(4).and_then(|n| n.parse().ok()).unwrap_or(20);
        return client(url, connections, publishes).await;
    }
    let connections: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let publishes: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(20);
    server(connections, publishes).await
}

async fn server(connections: usize, publishes: usize) -> Result<(), Error> {
    let mut registry = Registry::new();
    registry.register_extension(
        "channels",
        Channels::new()
            .with(
                Channel::new("bench")
                    .message::<Stamp>()
                    .history(History::new(HISTORY, Duration::from_secs(600))),
            )
            .with(
                Channel::new("away")
                    .message::<Stamp>()
                    .history(History::new(HISTORY, Duration::from_secs(600))),
            ),
    );
    registry.register(
        ServerFunction::mutation("bench_publish").handler(|ctx: Ctx, count: u64| async move {
            let publisher = ctx.state::<mizan::channels::Publisher>()?;
            for _ in 0..count {
                let stamp = Stamp { sent_ns: now_ns() };
                publisher
                    .publish(&AWAY, &(), &stamp)
                    .await
                    .map_err(|err| FunctionError::from_code(ErrorCode::Unavailable, err.to_string()))?;
            }
            Ok::<_, FunctionError>(count)
        }),
    );
    let mut limits = Limits::default();
    limits.channels.idle_timeout = Duration::from_secs(600);
    let config =
        Config::new(b"bench cache secret".to_vec(), Keyring::new("k1", b"bench key")?).with_limits(limits);
    let mizan = Mizan::new(registry, config)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/ws", listener.local_addr()?);
    let app = mizan.router();
    // A push service writes small frames that must not wait for the previous one's ack.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });

    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_before = rss_bytes();
    let heap_before = heap_bytes();
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args(["client", &url, &connections.to_string(), &publishes.to_string()])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no child stdout")?).lines();

    let ready = tokio::time::timeout(PHASE_LIMIT, lines.next_line())
        .await
        .map_err(|_| "the client did not get ready in time")??
        .ok_or("the client exited early")?;
    let subscribed: usize = ready
        .strip_prefix("READY ")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("unexpected client line: {ready}"))?;
    // Let the last connections' tasks settle before reading memory.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = rss_bytes();
    let per_connection = (rss_after.saturating_sub(rss_before)) as f64 / subscribed.max(1) as f64;
    let heap_per_connection = (heap_bytes() - heap_before) as f64 / subscribed.max(1) as f64;

    let publisher = mizan.publisher().clone();
    let cpu_before = cpu_time();
    for _ in 0..publishes {
        publisher
            .publish(&BENCH, &(), &Stamp { sent_ns: now_ns() })
            .await?;
        tokio::time::sleep(PUBLISH_INTERVAL).await;
    }
    let result = tokio::time::timeout(PHASE_LIMIT, lines.next_line())
        .await
        .map_err(|_| "the client did not report in time")??
        .ok_or("the client exited without a report")?;
    let server_cpu = cpu_time().saturating_sub(cpu_before);
    let recovery = tokio::time::timeout(PHASE_LIMIT, lines.next_line())
        .await
        .map_err(|_| "the client did not report the recovery in time")??
        .ok_or("the client exited without the recovery")?;
    let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;

    println!("connections requested   {connections}");
    println!("subscribed (acked)      {subscribed}");
    println!(
        "server RSS              {:.1} MiB -> {:.1} MiB",
        rss_before as f64 / 1048576.0,
        rss_after as f64 / 1048576.0
    );
    println!(
        "memory per connection   {:.1} KiB RSS, {:.1} KiB heap in use",
        per_connection / 1024.0,
        heap_per_connection / 1024.0
    );
    println!("publishes               {publishes} (one every {PUBLISH_INTERVAL:?})");
    println!("{result}");
    println!(
        "server CPU per delivery  {:.2} us ({:?} for {} deliveries)",
        server_cpu.as_secs_f64() * 1e6 / (subscribed * publishes).max(1) as f64,
        server_cpu,
        subscribed * publishes
    );
    println!("{recovery}");
    let metrics = mizan.metrics().snapshot();
    println!("slow consumers dropped  {}", metrics.ws_slow_consumers);
    Ok(())
}

async fn client(url: String, connections: usize, publishes: usize) -> Result<(), Error> {
    let started = Instant::now();
    let cpu_before = cpu_time();
    let deadline = tokio::time::Instant::now() + PHASE_LIMIT;
    let mut sockets = Vec::with_capacity(connections);
    let mut connecting = futures::stream::iter(0..connections)
        .map(|_| {
            let url = url.clone();
            async move {
                // Small frames: a 4 KiB read buffer instead of tungstenite's 128 KiB, which
                // the client would otherwise zero on every read (it dominated the profile).
                let config = WebSocketConfig::default().read_buffer_size(4096);
                let (mut socket, _) =
                    tokio_tungstenite::connect_async_with_config(url, Some(config), false).await?;
                socket
                    .send(Message::text(r#"{"type":"subscribe","id":1,"channel":"bench"}"#))
                    .await?;
                match socket.next().await {
                    Some(Ok(Message::Text(text))) if text.contains(r#""type":"ack""#) => Ok(socket),
                    other => Err(format!("no ack: {other:?}").into()),
                }
            }
        })
        .buffer_unordered(CONNECT_CONCURRENCY);
    let mut failures = 0usize;
    while let Ok(Some(result)) = tokio::time::timeout_at(deadline, connecting.next()).await {
        match result {
            Ok(socket) => sockets.push(socket),
            Err::<_, Error>(err) => {
                failures += 1;
                if failures <= 3 {
                    eprintln!("connection failed: {err}");
                }
            }
        }
    }
    drop(connecting);
    eprintln!(
        "client: {} subscribed, {failures} failed, in {:?}",
        sockets.len(),
        started.elapsed()
    );
    println!("READY {}", sockets.len());

    let wait = PUBLISH_INTERVAL * publishes as u32 + Duration::from_secs(30);
    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(
        sockets.len() * publishes,
    )));
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let latencies = latencies.clone();
            tokio::spawn(async move {
                let mut mine = Vec::with_capacity(publishes);
                // One deadline for the whole read, not a timer per message: the client
                // shares the machine's two cores with the server, so its cost shows in the
                // figures.
                let read = async {
                    while mine.len() < publishes {
                        let Some(Ok(message)) = socket.next().await else {
                            break;
                        };
                        if let Message::Text(text) = message {
                            let received = now_ns();
                            // Found without building a JSON tree, for the same reason.
                            if let Some(sent) = stamp(&text) {
                                mine.push(received.saturating_sub(sent) as u64);
                            }
                        }
                    }
                };
                let _ = tokio::time::timeout(wait, read).await;
                let complete = mine.len() == publishes;
                latencies.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
                (complete, socket)
            })
        })
        .collect();
    let mut reached = 0;
    // Held open through the recovery below: it runs on a server that still holds them,
    // not one busy closing 10,000 connections.
    let mut open = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok((complete, socket)) = task.await {
            reached += usize::from(complete);
            open.push(socket);
        }
    }
    let mut all = std::mem::take(&mut *latencies.lock().unwrap_or_else(|e| e.into_inner()));
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |ns| *ns as f64 / 1e6)
    };
    println!(
        "reached all {publishes} publishes: {reached} subscribers; deliveries {}; fan-out latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; client CPU (connect and read) {:?}",
        all.len(),
        pct(0.50),
        pct(0.99),
        all.last().map_or(0.0, |ns| *ns as f64 / 1e6),
        cpu_time().saturating_sub(cpu_before),
    );
    println!("{}", recover(&url).await?);
    drop(open);
    Ok(())
}

/// How long a client that was away while `MISSED` messages were published takes to
/// get them back: from its resubscribe with `since` to the last one replayed.
async fn recover(url: &str) -> Result<String, Error> {
    const MISSED: u64 = 1000;
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    socket
        .send(Message::text(r#"{"type":"subscribe","id":1,"channel":"away"}"#))
        .await?;
    let ack = loop {
        match tokio::time::timeout(PHASE_LIMIT, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) if text.contains(r#""type":"ack""#) => break text,
            Ok(Some(Ok(_))) => continue,
            other => return Err(format!("no ack: {other:?}").into()),
        }
    };
    let ack: serde_json::Value = serde_json::from_str(&ack)?;
    drop(socket);

    let call = url
        .replacen("ws://", "http://", 1)
        .replace("/ws", "/call/bench_publish");
    let (host, path) = call
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once('/'))
        .ok_or("bad URL")?;
    post_json(host, &format!("/{path}"), &MISSED.to_string()).await?;

    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    let since = serde_json::json!({"offset": ack["offset"], "epoch": ack["epoch"]});
    let subscribe = serde_json::json!({"type": "subscribe", "id": 2, "channel": "away", "since": since});
    let started = Instant::now();
    socket.send(Message::text(subscribe.to_string())).await?;
    let mut replayed = 0;
    let mut recovered = None;
    while replayed < MISSED {
        let Ok(Some(Ok(Message::Text(text)))) = tokio::time::timeout(PHASE_LIMIT, socket.next()).await else {
            return Err(format!("the replay stopped after {replayed}").into());
        };
        if text.contains(r#""type":"message""#) {
            replayed += 1;
        } else if text.contains(r#""type":"ack""#) {
            recovered = Some(text.contains(r#""recovered":true"#));
        }
    }
    Ok(format!(
        "recovery of {MISSED} missed  {:.2} ms (recovered: {recovered:?})",
        started.elapsed().as_secs_f64() * 1e3
    ))
}

/// A bare HTTP/1.1 `POST` of a JSON body on loopback; the status line must say 200.
async fn post_json(host: &str, path: &str, body: &str) -> Result<(), Error> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    tokio::time::timeout(PHASE_LIMIT, stream.read_to_string(&mut answer)).await??;
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!("publish call failed: {}", answer.lines().next().unwrap_or("")).into())
    }
}
