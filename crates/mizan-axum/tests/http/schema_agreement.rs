//! Property: the server accepts an input exactly when its published input schema does.
//! Random JSON values, shaped like the input type (its field names, nearby numbers,
//! integral floats, arrays where objects belong), are sent both as a POST body (decoded
//! straight from text) and to a cached twin (decoded through a value), and checked by a
//! JSON Schema validator over the schema `GET /schema` serves.

use std::sync::OnceLock;

use mizan_core::{CachePolicy, Ctx, FunctionError, Registry, ServerFunction};
use proptest::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::support::{Server, config};

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Person {
    name: String,
    age: u8,
    #[serde(default)]
    nick: Option<String>,
    #[serde(default)]
    pets: Vec<Pet>,
    kind: Kind,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Pet {
    name: String,
    legs: i16,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Human,
    Robot,
}

const FIELDS: [&str; 7] = ["name", "age", "nick", "pets", "kind", "legs", "other"];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Runtime::new().unwrap())
}

fn server() -> &'static (Server, jsonschema::Validator) {
    static SERVER: OnceLock<(Server, jsonschema::Validator)> = OnceLock::new();
    SERVER.get_or_init(|| {
        let mut registry = Registry::new();
        registry
            .register(
                ServerFunction::query("person")
                    .handler(|_: Ctx, p: Person| async move { Ok::<_, FunctionError>(p) }),
            )
            .register(
                ServerFunction::query("person_cached")
                    .cache(CachePolicy::public())
                    .handler(|_: Ctx, p: Person| async move { Ok::<_, FunctionError>(p) }),
            );
        let server = runtime().block_on(Server::start(registry, config()));
        let schema = runtime().block_on(async {
            let reply = server.send(server.request(reqwest::Method::GET, "/schema")).await;
            reply.body["functions"]["person"]["input"].clone()
        });
        let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
        (server, validator)
    })
}

/// Numbers around the bounds of `u8` and `i16`, as integers and as floats.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-40_000i64..70_000).prop_map(|n| json!(n)),
        (-300i64..300).prop_map(|n| json!(n as f64)),
        (-300.0f64..300.0).prop_map(|f| json!(f)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        prop::sample::select(vec!["Ada", "", "human", "robot", "Human"]).prop_map(|s| json!(s)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(FIELDS.to_vec()), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// Mostly valid people with one part replaced by a random value, and wholly random values.
fn input() -> impl Strategy<Value = Value> {
    // Where serde and JSON Schema are known to part: integral floats, structs as arrays.
    let part = prop_oneof![
        3 => number(),
        2 => json_value(),
        1 => Just(json!(["Rex", 4])),
        1 => Just(json!([["Rex", 4]])),
    ];
    let person =
        (prop::sample::select(FIELDS.to_vec()), part, any::<bool>()).prop_map(|(field, value, drop)| {
            let mut person = json!({
                "name": "Ada", "age": 36, "pets": [{"name": "Rex", "legs": 4}], "kind": "human"
            });
            if drop {
                person.as_object_mut().unwrap().remove(field);
            } else if field == "legs" {
                person["pets"][0]["legs"] = value;
            } else {
                person[field] = value;
            }
            person
        });
    prop_oneof![
        6 => person,
        2 => json_value(),
        1 => Just(json!(["Ada", 36, null, [], "human"])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_server_accepts_exactly_what_its_schema_accepts(input in input()) {
        let (server, schema) = server();
        let by_schema = schema.is_valid(&input);
        runtime().block_on(async {
            for function in ["person", "person_cached"] {
                let reply = server.call(function, input.clone(), None).await;
                let by_server = reply.status.as_u16() == 200;
                prop_assert!(
                    by_server || reply.code() == "validation_failed",
                    "{function} {input}: {}", reply.body
                );
                prop_assert_eq!(by_server, by_schema, "{} {}: {}", function, input, reply.body);
            }
            Ok(())
        })?;
    }
}
