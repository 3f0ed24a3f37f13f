//! Properties of the canonical form over arbitrary JSON values.

use mizan_core::{canonicalize, canonicalize_str};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[\\u{0}-\\u{20}\"\\\\\\u{e000}-\\u{ffff}\\u{10000}-\\u{10ffff}]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Equality with numbers compared as the doubles JCS writes.
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

proptest! {
    #[test]
    fn canonical_form_reparses_to_the_same_value(value in json_value()) {
        let canonical = canonicalize(&value).unwrap();
        let reparsed: Value = serde_json::from_str(&canonical).unwrap();
        prop_assert!(same(&value, &reparsed), "{value} -> {canonical}");
    }

    #[test]
    fn canonicalization_is_idempotent(value in json_value()) {
        let canonical = canonicalize(&value).unwrap();
        let reparsed: Value = serde_json::from_str(&canonical).unwrap();
        prop_assert_eq!(&canonicalize(&reparsed).unwrap(), &canonical);
        prop_assert_eq!(&canonicalize_str(&canonical).unwrap(), &canonical);
    }

    #[test]
    fn member_order_and_whitespace_do_not_matter(value in json_value()) {
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        prop_assert_eq!(canonicalize_str(&pretty).unwrap(), canonicalize(&value).unwrap());
        if let Value::Object(map) = &value {
            let reversed: Map<String, Value> = map.iter().rev().map(|(k, v)| (k.clone(), v.clone())).collect();
            prop_assert_eq!(canonicalize(&Value::Object(reversed)).unwrap(), canonicalize(&value).unwrap());
        }
    }
}
