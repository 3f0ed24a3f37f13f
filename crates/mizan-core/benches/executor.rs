//! The executor's cost per call, without HTTP: an uncached call decoding a flat object from
//! JSON text (the strict read), and a cached hit (input parse, canonical form, key, revision
//! read, lookup).
#![allow(missing_docs)] // criterion_group! defines an undocumented `pub fn benches`.

use std::sync::Arc;

use bytes::Bytes;
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use mizan_core::channels::{InProcessLayer, Publisher};
use mizan_core::executor::{CallInput, Caller, Executor, ExecutorConfig, Via};
use mizan_core::{CachePolicy, Ctx, FunctionError, MemoryCache, Registry, ServerFunction};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
struct Flat {
    id: u64,
    title: String,
    draft: bool,
    score: f64,
}

fn executor() -> Executor {
    let mut registry = Registry::new();
    let sum = |_: Ctx, input: Flat| async move {
        Ok::<_, FunctionError>(
            input.id + input.title.len() as u64 + u64::from(input.draft) + input.score as u64,
        )
    };
    registry
        .register(ServerFunction::query("flat").handler(sum))
        .register(
            ServerFunction::query("flat_cached")
                .cache(CachePolicy::public())
                .handler(sum),
        );
    registry.validate_registry().unwrap();
    Executor::new(
        registry,
        ExecutorConfig {
            cache_secret: b"bench secret".to_vec(),
            cache: Arc::new(MemoryCache::new()),
            publisher: Publisher::new(Arc::new(InProcessLayer::new())),
            state: Arc::default(),
            csrf_header: "x-csrf".into(),
            middleware: Vec::new(),
            revision_copy: None,
        },
    )
}

fn calls(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let executor = executor();
    let caller = Caller::anonymous();
    let text = Bytes::from_static(br#"{"id": 42, "title": "Post number 42", "draft": false, "score": 2.5}"#);
    let call = |name: &'static str| {
        let input = CallInput::Json(text.clone());
        rt.block_on(executor.execute(&caller, name, black_box(input), Via::Read))
    };
    assert_eq!(call("flat").status, 200);
    c.bench_function("call, uncached (flat object from text)", |b| {
        b.iter(|| call("flat"))
    });
    call("flat_cached");
    assert_eq!(call("flat_cached").cache.as_str(), "hit");
    c.bench_function("call, cached hit (memory)", |b| b.iter(|| call("flat_cached")));
}

criterion_group!(benches, calls);
criterion_main!(benches);
