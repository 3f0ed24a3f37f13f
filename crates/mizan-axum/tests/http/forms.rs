//! Forms through the server: the server enforces every rule of the form type, the handler
//! runs only on valid input, and every rule the server enforces is in the schema the client
//! receives.

use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use mizan_core::forms::{FieldDef, form_functions, register_form};
use mizan_core::{Access, Ctx, FieldErrorCode, FunctionError, Registry};
use regex::Regex;
use reqwest::{Method, StatusCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use validator::Validate;

use crate::support::{Server, config, token};

static ZIP: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[0-9]{5}$").unwrap());
static SKU: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[A-Z]{3}-[0-9]{3}$").unwrap());

/// An order, with every rule a form supports.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
struct Order {
    /// Who orders.
    #[schemars(title = "Name")]
    #[validate(length(min = 2, max = 20))]
    name: String,
    #[validate(email)]
    email: String,
    /// A homepage, if any.
    #[validate(url)]
    website: Option<String>,
    #[validate(range(min = 18, max = 120))]
    age: u32,
    topic: Topic,
    #[validate(nested)]
    address: Address,
    #[validate(length(min = 1, max = 3), nested)]
    items: Vec<Item>,
    #[serde(default = "default_priority")]
    #[validate(range(min = 1, max = 5))]
    priority: u8,
}

fn default_priority() -> u8 {
    3
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Topic {
    Sales,
    Support,
}

#[derive(Debug, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
struct Address {
    #[validate(regex(path = *ZIP))]
    zip: String,
    #[validate(length(min = 1, max = 40))]
    city: String,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
struct Item {
    #[validate(regex(path = *SKU))]
    sku: String,
    #[validate(range(min = 1, max = 99))]
    qty: u32,
}

/// A server with the `order` form, whose submit handler counts its runs.
async fn server() -> (Server, Arc<AtomicU64>) {
    let runs = Arc::new(AtomicU64::new(0));
    let counter = runs.clone();
    let mut registry = Registry::new();
    register_form(&mut registry, "order", move |_: Ctx, order: Order| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, FunctionError>(
                json!({ "name": order.name, "topic": order.topic, "priority": order.priority }),
            )
        }
    })
    .expect("a struct form");
    (Server::start(registry, config()).await, runs)
}

fn valid() -> Value {
    json!({
        "name": "Ada",
        "email": "ada@example.com",
        "website": null,
        "age": 36,
        "topic": "sales",
        "address": {"zip": "12345", "city": "London"},
        "items": [{"sku": "ABC-123", "qty": 2}]
    })
}

/// One violated rule: how to break the valid input, and the field error it must cause.
struct Case {
    path: &'static str,
    code: &'static str,
    breaks: fn(&mut Value),
}

fn cases() -> Vec<Case> {
    fn case(path: &'static str, code: &'static str, breaks: fn(&mut Value)) -> Case {
        Case { path, code, breaks }
    }
    vec![
        case("name", "length", |v| v["name"] = json!("A")),
        case("name", "length", |v| v["name"] = json!("A".repeat(21))),
        case("email", "email", |v| v["email"] = json!("not-an-email")),
        case("website", "url", |v| v["website"] = json!("not a url")),
        case("age", "range", |v| v["age"] = json!(17)),
        case("age", "range", |v| v["age"] = json!(121)),
        case("age", "range", |v| v["age"] = json!(-1)),
        case("topic", "choice", |v| v["topic"] = json!("billing")),
        case("address.zip", "pattern", |v| v["address"]["zip"] = json!("1234")),
        case("address.city", "length", |v| v["address"]["city"] = json!("")),
        case("items", "length", |v| v["items"] = json!([])),
        case("items", "length", |v| {
            v["items"] = json!([
                valid()["items"][0],
                valid()["items"][0],
                valid()["items"][0],
                valid()["items"][0]
            ])
        }),
        case("items.1.sku", "pattern", |v| {
            v["items"] = json!([valid()["items"][0], {"sku": "abc", "qty": 1}])
        }),
        case("items.0.qty", "range", |v| v["items"][0]["qty"] = json!(100)),
        case("priority", "range", |v| v["priority"] = json!(6)),
        case("name", "required", |v| {
            v.as_object_mut().unwrap().remove("name");
        }),
        case("address.city", "required", |v| {
            v["address"].as_object_mut().unwrap().remove("city");
        }),
        case("extra", "unknown_field", |v| v["extra"] = json!(1)),
        case("items.0.colour", "unknown_field", |v| {
            v["items"][0]["colour"] = json!("red")
        }),
        case("age", "type", |v| v["age"] = json!("36")),
        case("website", "type", |v| v["website"] = json!(42)),
    ]
}

fn broken(case: &Case) -> Value {
    let mut input = valid();
    (case.breaks)(&mut input);
    input
}

/// The `(path, code)` pairs of a 422 reply, after checking the envelope.
fn field_errors(reply: &crate::support::Reply) -> Vec<(String, String)> {
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", reply.body);
    assert_eq!(reply.code(), "validation_failed");
    reply.body["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
            (
                f["path"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_valid_submit_runs_the_handler_once_with_defaults_applied() {
    let (server, runs) = server().await;
    let reply = server.call("order.submit", valid(), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(
        reply.body["data"],
        json!({"name": "Ada", "topic": "sales", "priority": 3})
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn validate_accepts_valid_input_and_never_runs_the_handler() {
    let (server, runs) = server().await;
    let reply = server.call("order.validate", valid(), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"], Value::Null);
    for case in cases() {
        server.call("order.validate", broken(&case), None).await;
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn each_violated_rule_is_its_field_error_and_the_handler_does_not_run() {
    let (server, runs) = server().await;
    for case in cases() {
        let input = broken(&case);
        let expected = vec![(case.path.to_owned(), case.code.to_owned())];
        for function in ["order.submit", "order.validate"] {
            let reply = server.call(function, input.clone(), None).await;
            assert_eq!(field_errors(&reply), expected, "{function} with {input}");
        }
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn every_violated_rule_is_reported_at_once() {
    let (server, _) = server().await;
    let mut input = valid();
    input["name"] = json!("A");
    input["email"] = json!("nope");
    input["items"] = json!([{"sku": "bad", "qty": 0}]);
    let reply = server.call("order.submit", input, None).await;
    let expected = [
        ("email", "email"),
        ("items.0.qty", "range"),
        ("items.0.sku", "pattern"),
        ("name", "length"),
    ]
    .map(|(p, c)| (p.to_owned(), c.to_owned()));
    assert_eq!(field_errors(&reply), expected);
}

#[tokio::test]
async fn validate_is_a_mutation_and_never_cached() {
    let (server, _) = server().await;
    let reply = server
        .send(
            server
                .request(Method::GET, "/call/order.validate")
                .query(&[("input", valid().to_string())]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    let reply = server.call("order.validate", valid(), None).await;
    assert!(reply.body.get("rev").is_none(), "{:?}", reply.body);
    let schema = server.send(server.request(Method::GET, "/schema")).await.body;
    for (name, role) in [("order.validate", "validate"), ("order.submit", "submit")] {
        let entry = &schema["functions"][name];
        assert_eq!(entry["kind"], "mutation");
        assert_eq!(entry["cache"]["scope"], "none");
        assert_eq!(entry["meta"], json!({"form": "order", "form_role": role}));
    }
}

#[tokio::test]
async fn a_form_for_signed_in_users_guards_validate_as_well_as_submit() {
    let mut registry = Registry::new();
    let [validate, submit] = form_functions("order", Access::Authenticated, |_: Ctx, _: Order| async {
        Ok::<_, FunctionError>(())
    })
    .unwrap();
    registry.register(validate).register(submit);
    let server = Server::start(registry, config()).await;
    for function in ["order.validate", "order.submit"] {
        let reply = server.call(function, valid(), None).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "unauthenticated")
        );
        let reply = server.call(function, valid(), Some(&token("ada", &[]))).await;
        assert_eq!(reply.status, StatusCode::OK, "{function}: {:?}", reply.body);
    }
}

/// The schema as the client receives it.
async fn schema(server: &Server) -> Value {
    let reply = server.send(server.request(Method::GET, "/schema")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

#[tokio::test]
async fn the_field_definitions_are_pinned() {
    let (server, _) = server().await;
    let schema = schema(&server).await;
    insta::assert_json_snapshot!("order_form", schema["forms"]["order"]);
}

/// The field definition at a dotted path (`items.1.sku`: list indices go to `items`).
fn field_at<'a>(fields: &'a [FieldDef], path: &str) -> Option<&'a FieldDef> {
    let mut segments = path.split('.');
    let first = segments.next()?;
    let mut field = fields.iter().find(|f| f.name == first)?;
    for segment in segments {
        field = if segment.parse::<usize>().is_ok() {
            field.items.as_deref()?
        } else {
            field.fields.iter().find(|f| f.name == segment)?
        };
    }
    Some(field)
}

fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

/// For every rule the server enforces: a JSON Schema validator given only the schema the
/// client receives rejects the same input at the same place, with the keyword the
/// field-error code names; and the form's field definitions carry that keyword too.
#[tokio::test]
async fn every_rule_the_server_enforces_is_in_the_schema() {
    let (server, _) = server().await;
    let schema = schema(&server).await;
    let input_schema = &schema["functions"]["order.submit"]["input"];
    assert_eq!(&schema["functions"]["order.validate"]["input"], input_schema);
    let checker = jsonschema::options()
        .should_validate_formats(true)
        .build(input_schema)
        .expect("a valid JSON Schema");
    let fields: Vec<FieldDef> =
        serde_json::from_value::<Vec<Value>>(schema["forms"]["order"]["fields"].clone())
            .unwrap()
            .iter()
            .map(field_def)
            .collect();

    assert!(
        checker.is_valid(&valid()),
        "{:?}",
        checker.validate(&valid()).err()
    );
    for case in cases() {
        let input = broken(&case);
        let reply = server.call("order.submit", input.clone(), None).await;
        assert_eq!(
            field_errors(&reply),
            [(case.path.to_owned(), case.code.to_owned())]
        );

        let keywords = FieldErrorCode::from_code(case.code)
            .expect("a documented code")
            .keywords();
        let errors: Vec<(String, String)> = checker
            .iter_errors(&input)
            .map(|e| {
                (
                    dotted(&e.instance_path().to_string()),
                    e.kind().keyword().to_owned(),
                )
            })
            .collect();
        // `required` and `additionalProperties` are reported at the object holding the field.
        let (parent, _) = case.path.rsplit_once('.').unwrap_or(("", case.path));
        let at = if matches!(case.code, "required" | "unknown_field") {
            parent
        } else {
            case.path
        };
        assert!(
            errors
                .iter()
                .any(|(path, keyword)| path == at && keywords.contains(&keyword.as_str())),
            "the schema does not reject {input} at `{at}` with {keywords:?}: {errors:?}"
        );

        // The field definitions state the same rule.
        match case.code {
            "unknown_field" => {}
            "required" => assert!(field_at(&fields, case.path).unwrap().required, "{}", case.path),
            "choice" => assert!(field_at(&fields, case.path).unwrap().choices.is_some()),
            "type" => assert_ne!(field_at(&fields, case.path).unwrap().kind, "any"),
            _ => {
                let field = field_at(&fields, case.path).unwrap();
                assert!(
                    keywords.iter().any(|k| field.constraints.contains_key(*k)),
                    "field `{}` lacks {keywords:?}: {:?}",
                    case.path,
                    field.constraints
                );
            }
        }
    }
}

/// Reads a field definition back from the schema JSON (the test sees what a client sees).
fn field_def(value: &Value) -> FieldDef {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    FieldDef {
        name: text("name").unwrap_or_default(),
        kind: text("type").unwrap(),
        required: value["required"].as_bool().unwrap(),
        nullable: value["nullable"].as_bool().unwrap(),
        default: value.get("default").cloned(),
        label: text("label"),
        help: text("help"),
        constraints: value
            .get("constraints")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        choices: value.get("choices").and_then(Value::as_array).cloned(),
        fields: value
            .get("fields")
            .and_then(Value::as_array)
            .map(|f| f.iter().map(field_def).collect())
            .unwrap_or_default(),
        items: value.get("items").map(|i| Box::new(field_def(i))),
    }
}
