//! Load benchmark server: the same work served by hand-written axum handlers or by Mizan
//! functions, one kind per process so each one's CPU time and memory can be read apart.
//!
//! ```text
//! bench-server raw ADDR                 # /raw/add, /raw/post?id=N, /raw/trivial
//! bench-server mizan ADDR               # Mizan at /mizan, in-memory cache
//! bench-server mizan-redis ADDR URL     # the same, cache and channels in Redis at URL
//! bench-server token                    # prints a token the Mizan servers accept
//! ```
//!
//! `scripts/bench` starts them pinned to one core and drives them with `wrk` from the other.
//! What each serves is in the library (`src/lib.rs`).

use std::sync::Arc;

use bench_server::{mizan_app, posts, raw_app};

async fn serve(addr: &str, app: axum::Router) {
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    let stop = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .expect("serve");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let posts = posts();
    match (arg(1), arg(2)) {
        (Some("raw"), Some(addr)) => serve(addr, raw_app(posts)).await,
        (Some("mizan"), Some(addr)) => serve(addr, mizan_app(&posts, None)).await,
        (Some("mizan-redis"), Some(addr)) => {
            let url = arg(3).unwrap_or("redis://127.0.0.1:6379/0");
            // A prefix of this process only, deleted on the way out.
            let prefix = format!("mizan-bench:{}:", std::process::id());
            let cache = Arc::new(
                mizan::cache::RedisCache::connect(url, prefix.clone())
                    .await
                    .expect("Redis answers"),
            );
            let layer = mizan::channels::RedisLayer::connect(url, &prefix)
                .await
                .expect("Redis answers");
            let redis = bench_server::SharedRedis {
                cache: cache.clone(),
                layer: Arc::new(layer),
            };
            serve(addr, mizan_app(&posts, Some(redis))).await;
            cache.clear_prefix().await.expect("the bench keys are deleted");
        }
        (Some("token"), None) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("a clock after 1970")
                .as_secs();
            println!("{}", bench_server::token(now));
        }
        _ => eprintln!("usage: bench-server raw|mizan ADDR | mizan-redis ADDR [REDIS_URL] | token"),
    }
}
