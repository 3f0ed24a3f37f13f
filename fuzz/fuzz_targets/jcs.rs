//! Arbitrary bytes as JSON text: canonicalization must never panic, and when the text
//! parses, the canonical form re-parses to an equal value and is its own canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Structural equality with numbers compared as the doubles JCS writes.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // serde_json's `Value` (the oracle here, not the code under test) treats this member
    // name specially when the raw_value feature is on; the strict parser does not.
    if text.contains("$serde_json::private::RawValue") {
        return;
    }
    let Ok(canonical) = mizan_core::canonicalize_str(text) else { return };
    let original: Value = serde_json::from_str(text).expect("canonicalize_str accepted it");
    let reparsed: Value = serde_json::from_str(&canonical).expect("canonical output is JSON");
    assert!(same(&original, &reparsed), "{text:?} -> {canonical:?}");
    assert_eq!(mizan_core::canonicalize_str(&canonical).as_deref(), Ok(canonical.as_str()));
});
