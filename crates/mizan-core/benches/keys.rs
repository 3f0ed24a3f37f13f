//! Key derivation, token verification and canonicalization costs.
#![allow(missing_docs)] // criterion_group! defines an undocumented `pub fn benches`.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use mizan_core::{Claims, KeyDeriver, KeyScope, Keyring, cache_key, canonicalize, permission_key};
use serde_json::{Value, json};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn keys(c: &mut Criterion) {
    let input = json!({"id": 42, "filter": {"tag": "rust", "page": 2}});
    c.bench_function("cache_key (fresh secret)", |b| {
        b.iter(|| {
            cache_key(
                SECRET,
                "posts.list",
                black_box(&input),
                KeyScope::User,
                "user-42",
                17,
            )
        })
    });
    let deriver = KeyDeriver::new(SECRET);
    c.bench_function("cache_key (KeyDeriver)", |b| {
        b.iter(|| deriver.cache_key("posts.list", black_box(&input), KeyScope::User, "user-42", 17))
    });
    let perms = [
        "posts.read",
        "posts.write",
        "users.read",
        "billing.view",
        "reports.export",
    ];
    c.bench_function("permission_key (5 perms)", |b| {
        b.iter(|| permission_key(SECRET, black_box(perms)))
    });
    c.bench_function("permission_key (5 perms, KeyDeriver)", |b| {
        b.iter(|| deriver.permission_key(black_box(perms)))
    });
}

fn mwt(c: &mut Criterion) {
    let ring = Keyring::new("k1", SECRET).unwrap();
    let claims = Claims::new(
        "user-42",
        "3f2a9c0e7b5d41a8c6e2f09b1d7a4c35",
        1_700_000_000,
        1_700_003_600,
    )
    .with_perms(["posts.read", "posts.write"])
    .with_claim("tenant", json!("acme"));
    let token = ring.issue(claims.clone()).unwrap();
    c.bench_function("mwt verify", |b| {
        b.iter(|| ring.verify(black_box(&token), 1_700_000_100, 60))
    });
    c.bench_function("mwt issue", |b| b.iter(|| ring.issue(black_box(claims.clone()))));
}

fn jcs(c: &mut Criterion) {
    let items: Vec<Value> = (0..12)
        .map(|i| json!({"id": i, "title": format!("Post number {i}"), "score": i as f64 / 3.0, "tags": ["a", "b"], "draft": i % 2 == 0}))
        .collect();
    let object = json!({"zeta": "last", "items": items, "alpha": {"nested": [1, 2, 3]}});
    let size = canonicalize(&object).unwrap().len();
    c.bench_function(&format!("jcs ({size} bytes)"), |b| {
        b.iter(|| canonicalize(black_box(&object)))
    });
}

criterion_group!(benches, keys, mwt, jcs);
criterion_main!(benches);
