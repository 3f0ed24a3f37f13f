//! Caching in the request flow (memory backend): hits and misses, purge and invalidation,
//! the `rev` parameter and the cache headers.

use std::sync::Arc;
use std::time::Duration;

use mizan_core::{CacheBackend, CachePolicy, Ctx, FunctionError, MemoryCache, ServerFunction};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Reply, Server, TestCache, config, registry, token, until_the_clock_passes};

#[tokio::test]
async fn a_second_call_is_a_hit_with_the_same_body() {
    let server = Server::default().await;
    let first = server.call("counter", json!({"q": 1}), None).await;
    assert_eq!(first.header("mizan-cache"), Some("miss"));
    let rev = server
        .revisions(&["counter", "counted"])
        .await
        .iter()
        .sum::<u64>();
    assert_eq!(
        first.body,
        json!({"data": {"input": {"q": 1}, "computed": 1}, "rev": rev})
    );
    let second = server.call("counter", json!({"q": 1}), None).await;
    assert_eq!(second.header("mizan-cache"), Some("hit"));
    assert_eq!(second.body, first.body);
    // Canonical input: key order and spacing do not matter; the value does.
    let reordered = server.get("counter", &json!({"q": 1}), None).await;
    assert_eq!(reordered.header("mizan-cache"), Some("hit"));
    let other = server.call("counter", json!({"q": 2}), None).await;
    assert_eq!(other.body["data"]["computed"], 2);
    let snapshot = server.mizan.metrics().snapshot();
    assert_eq!((snapshot.cache_hits, snapshot.cache_misses), (2, 2));
}

/// Per-function counters over HTTP: every call, batch and composition members included,
/// counted once by what it came to.
#[tokio::test]
async fn per_function_counters_count_batch_and_composition_members() {
    let server = Server::default().await;
    server.call("counter", json!({"q": 1}), None).await; // miss
    server.get("counter", &json!({"q": 1}), None).await; // hit
    let batch = json!({"calls": [
        {"fn": "counter", "input": {"q": 1}},
        {"fn": "counter", "input": {"q": 2}},
        {"fn": "echo", "input": 1},
    ]});
    server
        .send(server.request(Method::POST, "/batch").json(&batch))
        .await; // hit, miss, off
    let compose = json!({"inputs": {"counter": {"q": 2}}});
    for _ in 0..2 {
        // counter: hit; by_perms: miss then hit; admin_only: refused (an error, uncached).
        server
            .send(server.request(Method::POST, "/compose/page").json(&compose))
            .await;
    }
    let snapshot = server.mizan.metrics().snapshot();
    let counts = |name: &str| {
        let f = snapshot.functions[name];
        (f.calls, f.cache_hits, f.cache_misses, f.cache_bypasses, f.errors)
    };
    assert_eq!(counts("counter"), (6, 4, 2, 0, 0));
    assert_eq!(counts("by_perms"), (2, 1, 1, 0, 0));
    assert_eq!(counts("admin_only"), (2, 0, 0, 0, 2));
    assert_eq!(counts("echo"), (1, 0, 0, 0, 0));
    assert_eq!(counts("write"), (0, 0, 0, 0, 0));
    assert_eq!(
        (snapshot.calls, snapshot.cache_hits, snapshot.cache_misses),
        (11, 5, 3)
    );
    let as_json = serde_json::to_value(&snapshot).unwrap();
    assert_eq!(as_json["functions"]["counter"]["cache_hits"], 4);
}

#[tokio::test]
async fn purge_bumps_the_revision_and_the_next_read_is_fresh() {
    let server = Server::default().await;
    let first = server.call("counter", json!(null), None).await;
    let [counter, counted] = server.revisions(&["counter", "counted"]).await[..] else {
        unreachable!()
    };
    assert_eq!(
        first.body["rev"].as_u64(),
        Some(counter + counted),
        "the sum of its tags"
    );

    let reply = server.purge(&["counted"]).await;
    let purged = reply.body["revisions"]["counted"].as_u64().unwrap();
    assert!(
        purged > counted,
        "the purge moved `counted` from {counted} to {purged}"
    );
    assert_eq!(reply.body, json!({"revisions": {"counted": purged}}));
    let after = server.call("counter", json!(null), None).await;
    assert_eq!(after.header("mizan-cache"), Some("miss"));
    assert_eq!(after.body["rev"].as_u64(), Some(counter + purged));
    assert_eq!(after.body["data"]["computed"], 2);

    // Purging by the function's own name works too, and revisions add up.
    let by_name = server.purge(&["counter"]).await.body["revisions"]["counter"]
        .as_u64()
        .unwrap();
    assert!(by_name > counter);
    let after = server.call("counter", json!(null), None).await;
    let rev = by_name + purged;
    assert_eq!(
        (after.body["rev"].as_u64(), after.header("mizan-rev")),
        (Some(rev), Some(rev.to_string().as_str()))
    );

    // A tag no function names reads 0, and asking for it stores nothing.
    let revisions = server
        .send(
            server
                .request(Method::GET, "/revisions")
                .query(&[("tags", "counted,counter,never")]),
        )
        .await;
    assert_eq!(
        revisions.body,
        json!({"revisions": {"counted": purged, "counter": by_name, "never": 0}})
    );

    // The server-side API purges the same way.
    let again = server.mizan.purge(["counted"]).await["counted"];
    assert!(again > purged);
    assert_eq!(
        server.call("counter", json!(null), None).await.body["rev"].as_u64(),
        Some(by_name + again)
    );
}

#[tokio::test]
async fn a_mutation_invalidates_its_tags() {
    let server = Server::default().await;
    let before = server.call("counter", json!(null), None).await.body["rev"]
        .as_u64()
        .unwrap();
    assert_eq!(
        server
            .call("counter", json!(null), None)
            .await
            .header("mizan-cache"),
        Some("hit")
    );
    server.call("write", json!(null), None).await;
    let after = server.call("counter", json!(null), None).await;
    assert_eq!(after.header("mizan-cache"), Some("miss"));
    assert!(
        after.body["rev"].as_u64() > Some(before),
        "{} is not past {before}",
        after.body["rev"]
    );
}

#[tokio::test]
async fn purge_needs_the_purge_permission() {
    let server = Server::default().await;
    let body = json!({"tags": ["counted"]});
    let reply = server
        .send(server.request(Method::POST, "/purge").json(&body))
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (401, "unauthenticated"));
    let reply = server
        .send(
            server
                .request(Method::POST, "/purge")
                .bearer_auth(token("u", &["admin"]))
                .json(&body),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (403, "forbidden"));
    let reply = server
        .send(
            server
                .request(Method::POST, "/purge")
                .bearer_auth(token("u", &["mizan.purge"]))
                .json(&json!({"tags": []})),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.code()), (400, "bad_request"));
}

#[tokio::test]
async fn a_cookie_authenticated_purge_needs_the_csrf_header() {
    let server = Server::default().await;
    let cookie = format!("mizan_token={}", token("admin", &["mizan.purge"]));
    let purge = || {
        server
            .request(Method::POST, "/purge")
            .header("cookie", &cookie)
            .json(&json!({"tags": ["t"]}))
    };
    let reply = server.send(purge()).await;
    assert_eq!((reply.status.as_u16(), reply.code()), (403, "csrf_failed"));
    let reply = server.send(purge().header("x-mizan-csrf", "1")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body["revisions"]["t"].as_u64(),
        Some(server.revisions(&["t"]).await[0])
    );
}

#[tokio::test]
async fn the_rev_parameter_decides_whether_shared_caches_may_keep_a_result() {
    let server = Server::default().await;
    let input = json!({"page": 1});
    let without = server.get("counter", &input, None).await;
    assert_eq!(without.header("cache-control"), Some("public, no-cache"));
    let rev: u64 = without.header("mizan-rev").unwrap().parse().unwrap();
    let current = server.get("counter", &input, Some(rev)).await;
    assert_eq!(current.header("cache-control"), Some("public, max-age=3600"));
    assert_eq!(current.header("mizan-rev"), Some(rev.to_string().as_str()));
    server.purge(&["counted"]).await;
    // A client still on the old rev gets the fresh result and learns the new revision, but
    // no shared cache may keep it under the old URL.
    let stale = server.get("counter", &input, Some(rev)).await;
    assert_eq!(stale.header("cache-control"), Some("public, no-cache"));
    let new_rev: u64 = stale.header("mizan-rev").unwrap().parse().unwrap();
    assert!(
        new_rev > rev,
        "the purge moved the revision from {rev} to {new_rev}"
    );
    assert_eq!(stale.body["data"]["computed"].as_u64(), Some(2));
    let fresh = server.get("counter", &input, Some(new_rev)).await;
    assert_eq!(fresh.header("cache-control"), Some("public, max-age=3600"));
    assert_eq!(fresh.header("mizan-cache"), Some("hit"));
    // POST responses are never kept by shared caches.
    let posted = server.call("counter", input.clone(), None).await;
    assert_eq!(posted.header("cache-control"), Some("public, no-cache"));
}

#[tokio::test]
async fn user_and_permission_results_are_private() {
    let server = Server::default().await;
    let reply = server.call("mine", json!(null), Some(&token("ada", &[]))).await;
    assert_eq!(reply.header("cache-control"), Some("private, no-store"));
    assert_eq!(reply.header("mizan-cache-scope"), Some("user"));
    let reply = server
        .call("by_perms", json!(null), Some(&token("ada", &["x"])))
        .await;
    assert_eq!(reply.header("cache-control"), Some("private, no-store"));
    assert_eq!(reply.header("vary"), Some("authorization, cookie"));
}

#[tokio::test]
async fn errors_are_not_cached() {
    let server = Server::default().await;
    let backend = Arc::new(MemoryCache::new());
    let server2 = Server::start(registry(), config().with_cache(backend.clone())).await;
    drop(server);
    server2.call("counter", json!({"x": 1}), None).await;
    let entries = backend.entry_count();
    server2.call("typed", json!({"bad": 1}), None).await;
    server2.call("admin_only", json!(null), None).await;
    assert_eq!(backend.entry_count(), entries);
    assert_eq!(backend.name(), "memory");
}

#[tokio::test]
async fn batch_and_composition_members_are_served_from_the_cache_each_on_its_own() {
    let server = Server::default().await;
    let batch = |rev: u64| {
        server.request(Method::POST, "/batch").json(&json!({"calls": [
            {"fn": "counter", "input": {"b": 1}, "rev": rev},
            {"fn": "echo", "input": 1},
        ]}))
    };
    let cold = server.send(batch(0)).await;
    assert_eq!(cold.status, 200);
    let rev = server
        .revisions(&["counter", "counted"])
        .await
        .iter()
        .sum::<u64>();
    assert_eq!(
        cold.body["results"],
        json!([
            {"data": {"input": {"b": 1}, "computed": 1}, "rev": rev, "cache": "miss", "scope": "public"},
            {"data": 1, "cache": "off"},
        ])
    );
    // The known `rev` is accepted whatever it says: the origin answers at its own revision.
    let warm = server.send(batch(9)).await;
    assert_eq!(warm.body["results"][0]["cache"], "hit");
    assert_eq!(warm.body["results"][0]["data"], cold.body["results"][0]["data"]);

    // A composition member shares the entry of the same call made alone.
    let single = server.call("counter", json!({"page": 1}), None).await;
    assert_eq!(single.header("mizan-cache"), Some("miss"));
    let ada = token("ada", &[]);
    let compose = || {
        server
            .request(Method::POST, "/compose/page")
            .bearer_auth(&ada)
            .json(&json!({"inputs": {"counter": {"page": 1}}, "revs": {"counter": 0, "by_perms": 0}}))
    };
    let first = server.send(compose()).await;
    let results = &first.body["results"];
    assert_eq!(results["counter"]["cache"], "hit");
    assert_eq!(results["counter"]["data"], single.body["data"]);
    assert_eq!(
        (&results["by_perms"]["cache"], &results["by_perms"]["scope"]),
        (&json!("miss"), &json!("permission"))
    );
    assert_eq!(results["admin_only"]["cache"], "off");
    assert_eq!(results["admin_only"]["error"]["code"], "forbidden");
    let second = server.send(compose()).await;
    assert_eq!(second.body["results"]["by_perms"]["cache"], "hit");

    // `revs` names members, as `inputs` does.
    let stray = server
        .send(
            server
                .request(Method::POST, "/compose/page")
                .json(&json!({"revs": {"echo": 0}})),
        )
        .await;
    assert_eq!(stray.status, 400);
    assert_eq!(stray.body["error"]["code"], "bad_request");
}

#[tokio::test]
async fn revisions_never_go_back_when_the_store_forgets_its_counters() {
    let cache = Arc::new(TestCache::default());
    let server = Server::start(registry(), config().with_cache(cache.clone())).await;
    let seen = |reply: &Reply| {
        let rev = reply.body["rev"].as_u64().expect("a cached answer has a rev");
        assert_eq!(reply.header("mizan-rev"), Some(rev.to_string().as_str()));
        (
            reply.header("mizan-cache").map(str::to_owned),
            rev,
            reply.body["data"]["computed"].as_u64(),
        )
    };

    let (_, first, _) = seen(&server.call("counter", json!(null), None).await);
    server.purge(&["counted"]).await;
    let (cache_status, before, computed) = seen(&server.call("counter", json!(null), None).await);
    assert_eq!((cache_status.as_deref(), computed), (Some("miss"), Some(2)));
    assert!(
        before > first,
        "a purge moved the revision from {first} to {before}"
    );
    assert_eq!(
        seen(&server.call("counter", json!(null), None).await)
            .0
            .as_deref(),
        Some("hit")
    );
    let tags = server
        .send(
            server
                .request(Method::GET, "/revisions")
                .query(&[("tags", "counter,counted")]),
        )
        .await;
    let newest_tag = ["counter", "counted"]
        .iter()
        .map(|tag| tags.body["revisions"][tag].as_u64().unwrap())
        .max()
        .unwrap();

    cache.forget_counters();
    until_the_clock_passes(newest_tag).await;
    // Every result cached so far is still in the entries; none may be current again.
    let (cache_status, after, computed) = seen(&server.call("counter", json!(null), None).await);
    assert_eq!(
        (cache_status.as_deref(), computed),
        (Some("miss"), Some(3)),
        "the answer is recomputed, not an old entry"
    );
    assert!(after > before, "the revision went back from {before} to {after}");

    let purged = server.purge(&["counted"]).await;
    let counted = purged.body["revisions"]["counted"].as_u64().unwrap();
    assert!(
        counted > newest_tag,
        "the purge gave {counted}, not past {newest_tag}"
    );
    let (cache_status, purged, computed) = seen(&server.call("counter", json!(null), None).await);
    assert_eq!((cache_status.as_deref(), computed), (Some("miss"), Some(4)));
    assert!(
        purged > after,
        "the purge moved the revision from {after} to {purged}"
    );
}

/// A cached query's answer carries every header of `spec/PROTOCOL.md` §2.5 with its own
/// values, whichever kind of answer (miss or hit, with or without a TTL, each scope)
/// came before it.
#[tokio::test]
async fn every_cached_answer_has_its_own_cache_headers() {
    let mut registry = registry();
    registry.register(
        ServerFunction::query("brief")
            .cache(CachePolicy::public().ttl(Duration::from_secs(90)))
            .handler(|_: Ctx, input: Value| async move { Ok::<_, FunctionError>(input) }),
    );
    let server = Server::start(registry, config()).await;
    let ada = token("ada", &[]);
    let replies = [
        ("brief", json!(1), None, "miss"),
        ("brief", json!(1), None, "hit"),
        ("counter", json!({"z": 1}), None, "miss"),
        ("counter", json!({"z": 1}), None, "hit"),
        ("mine", json!(null), Some(ada.as_str()), "miss"),
        ("mine", json!(null), Some(ada.as_str()), "hit"),
        ("brief", json!("a longer input, so a longer body"), None, "miss"),
    ];
    for (name, input, auth, cache) in replies {
        let reply = server.call(name, input, auth).await;
        let rev = reply.body["rev"].as_u64().expect("a cached answer's revision");
        let (scope, control, ttl) = match name {
            "brief" => ("public", "public, no-cache", Some("90")),
            "counter" => ("public", "public, no-cache", None),
            _ => ("user", "private, no-store", None),
        };
        let mut names: Vec<&str> = reply.headers.keys().map(|name| name.as_str()).collect();
        names.sort_unstable();
        let mut expected = vec![
            "cache-control",
            "content-length",
            "content-type",
            "date",
            "mizan-cache",
            "mizan-cache-scope",
            "mizan-rev",
            "vary",
        ];
        expected.extend(ttl.map(|_| "mizan-cache-ttl"));
        expected.sort_unstable();
        assert_eq!(names, expected, "{name} {cache}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.header("cache-control"), Some(control), "{name} {cache}");
        assert_eq!(reply.header("mizan-cache"), Some(cache), "{name}");
        assert_eq!(reply.header("mizan-cache-scope"), Some(scope), "{name}");
        assert_eq!(
            reply.header("mizan-rev"),
            Some(rev.to_string().as_str()),
            "{name}"
        );
        assert_eq!(reply.header("mizan-cache-ttl"), ttl, "{name}");
        assert_eq!(reply.header("vary"), Some("authorization, cookie"));
        let length = serde_json::to_vec(&reply.body).unwrap().len();
        assert_eq!(reply.header("content-length"), Some(length.to_string().as_str()));
    }
}
