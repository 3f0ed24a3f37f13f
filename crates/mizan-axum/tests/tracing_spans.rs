//! Every call is one `mizan.call` span with the function, the cache outcome, the status and
//! the duration, recorded by a real `tracing` subscriber.
//!
//! A binary of its own: `tracing` caches per call site whether anyone listens, so the
//! subscriber must be the process-wide default, installed before any span is created.

#[path = "http/support.rs"]
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use support::Server;

type Fields = BTreeMap<String, String>;

/// Collects the fields of every closed `mizan.call` span.
#[derive(Clone, Default)]
struct CallSpans(Arc<Mutex<Vec<Fields>>>);

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CallSpans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut Collect(&mut fields));
        ctx.span(id).unwrap().extensions_mut().insert(fields);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let mut extensions = span.extensions_mut();
        values.record(&mut Collect(extensions.get_mut::<Fields>().unwrap()));
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let span = ctx.span(&id).unwrap();
        if span.name() == "mizan.call" {
            let fields = span.extensions().get::<Fields>().cloned().unwrap_or_default();
            self.0.lock().unwrap().push(fields);
        }
    }
}

#[tokio::test]
async fn each_call_is_a_span_with_function_cache_status_and_duration() {
    let spans = CallSpans::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(spans.clone())).unwrap();
    let server = Server::default().await;
    server.call("counter", json!(1), None).await;
    server.call("counter", json!(1), None).await;
    server.call("admin_only", json!(null), None).await;
    server.call("echo", json!(2), None).await;

    let seen = spans.0.lock().unwrap().clone();
    let summary: Vec<_> = seen
        .iter()
        .map(|f| (f["function"].as_str(), f["cache"].as_str(), f["status"].as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("counter", "miss", "200"),
            ("counter", "hit", "200"),
            ("admin_only", "off", "401"),
            ("echo", "off", "200"),
        ]
    );
    assert!(
        seen.iter().all(|f| f["duration_us"].parse::<u64>().is_ok()),
        "{seen:?}"
    );
}
