//! Registry operations, `validate_registry` problems, and the schema document.
//!
//! New registry behaviour gets a test here; schema shape changes update the snapshot in
//! `snapshots/` (review it with `cargo insta review`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mizan_core::{
    CachePolicy, Ctx, FunctionError, Registry, RegistryExtension, RegistryProblem, RequestContext,
    ServerFunction,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Deserialize, JsonSchema)]
struct PostId {
    /// The post's id.
    id: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Post {
    id: u64,
    title: String,
}

async fn get_post(_: Ctx, input: PostId) -> Result<Post, FunctionError> {
    Ok(Post {
        id: input.id,
        title: format!("post {}", input.id),
    })
}

async fn noop(_: Ctx, _: ()) -> Result<(), FunctionError> {
    Ok(())
}

fn query(name: &str) -> ServerFunction {
    ServerFunction::query(name).handler(noop)
}

fn mutation(name: &str) -> ServerFunction {
    ServerFunction::mutation(name).handler(noop)
}

/// An extension that counts `clear` calls through a shared counter.
struct CountingExtension {
    clears: Arc<AtomicUsize>,
    problems: Vec<String>,
}

impl RegistryExtension for CountingExtension {
    fn schema(&self) -> Value {
        json!({ "demo_channel": { "type": "demo", "bidirectional": false } })
    }

    fn clear(&mut self) {
        self.clears.fetch_add(1, Ordering::SeqCst);
    }

    fn validate(&self) -> Vec<String> {
        self.problems.clone()
    }
}

fn extension() -> (CountingExtension, Arc<AtomicUsize>) {
    let clears = Arc::new(AtomicUsize::new(0));
    let ext = CountingExtension {
        clears: clears.clone(),
        problems: Vec::new(),
    };
    (ext, clears)
}

fn problems(registry: &Registry) -> Vec<RegistryProblem> {
    registry.validate_registry().unwrap_err().problems().to_vec()
}

#[tokio::test]
async fn register_and_get_function_then_call_it() {
    let mut registry = Registry::new();
    registry.register(ServerFunction::query("posts.get").handler(get_post));
    let f = registry.get_function("posts.get").expect("registered");
    let out = f.call(RequestContext::default(), json!({"id": 7})).await.unwrap();
    assert_eq!(out.get(), r#"{"id":7,"title":"post 7"}"#);
    assert!(registry.get_function("posts.missing").is_none());
}

#[test]
fn register_as_renames_the_same_handler() {
    let mut registry = Registry::new();
    registry.register(query("a")).register_as("b", query("a"));
    assert_eq!(registry.get_function("b").unwrap().name(), "b");
    assert_eq!(
        registry
            .get_all_functions()
            .map(ServerFunction::name)
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    registry.validate_registry().unwrap();
}

#[test]
fn compositions_are_listed_and_fetched() {
    let mut registry = Registry::new();
    registry.register(query("a")).register(query("b"));
    registry
        .register_compose("home", ["a", "b"])
        .register_compose("side", ["b"]);
    assert_eq!(registry.get_compose("home").unwrap().members(), ["a", "b"]);
    assert_eq!(
        registry
            .get_all_compositions()
            .map(|c| c.name())
            .collect::<Vec<_>>(),
        ["home", "side"]
    );
    assert!(registry.get_compose("nope").is_none());
}

#[test]
fn contexts_group_functions() {
    let mut registry = Registry::new();
    registry
        .register(ServerFunction::query("b").context("blog").handler(noop))
        .register(ServerFunction::query("a").context("blog").handler(noop))
        .register(ServerFunction::query("c").context("admin").handler(noop))
        .register(query("d"));
    assert_eq!(registry.get_contexts(), ["admin", "blog"]);
    let groups = registry.get_context_groups();
    assert_eq!(groups["blog"], ["a", "b"]);
    assert_eq!(groups["admin"], ["c"]);
}

#[test]
fn extensions_are_found_by_name_and_type() {
    let mut registry = Registry::new();
    let (ext, _) = extension();
    registry.register_extension("channels", ext);
    assert!(registry.get_extension::<CountingExtension>("channels").is_some());
    assert!(registry.get_extension::<CountingExtension>("other").is_none());
    assert_eq!(
        registry.get_schema()["channels"]["demo_channel"]["bidirectional"],
        false
    );
}

#[test]
fn get_registry_lists_names_by_kind() {
    let mut registry = Registry::new();
    registry
        .register(query("q"))
        .register(mutation("m"))
        .register_compose("c", ["q"]);
    let (ext, _) = extension();
    registry.register_extension("channels", ext);
    assert_eq!(
        registry.get_registry(),
        json!({"queries": ["q"], "mutations": ["m"], "compositions": {"c": ["q"]}, "extensions": ["channels"]})
    );
}

#[test]
fn clear_registry_cascades_into_extensions() {
    let mut registry = Registry::new();
    let (ext, clears) = extension();
    registry
        .register(query("a"))
        .register_compose("c", ["a"])
        .register_extension("channels", ext);
    registry.clear_registry();
    assert_eq!(clears.load(Ordering::SeqCst), 1, "the extension was cleared");
    assert_eq!(registry.get_all_functions().len(), 0);
    assert_eq!(registry.get_all_compositions().len(), 0);
    assert!(registry.get_extension::<CountingExtension>("channels").is_none());
    registry.validate_registry().unwrap();
    // A cleared registry accepts the same names again without a duplicate problem.
    let (ext, _) = extension();
    registry.register(query("a")).register_extension("channels", ext);
    registry.validate_registry().unwrap();
}

#[test]
fn validate_reports_duplicates() {
    let mut registry = Registry::new();
    registry
        .register(query("a"))
        .register(query("a"))
        .register(query("b"));
    registry
        .register_compose("b", ["a"])
        .register_compose("c", ["a"])
        .register_compose("c", ["a"]);
    let (e1, _) = extension();
    let (e2, _) = extension();
    registry.register_extension("x", e1).register_extension("x", e2);
    let found = problems(&registry);
    let dups: Vec<_> = found
        .iter()
        .filter_map(|p| match p {
            RegistryProblem::DuplicateName { name, what } => Some((name.as_str(), *what)),
            _ => None,
        })
        .collect();
    assert_eq!(
        dups,
        [
            ("a", "two functions"),
            ("c", "two compositions"),
            ("x", "two extensions"),
            ("b", "a function and a composition")
        ]
    );
}

#[test]
fn validate_reports_invalid_names() {
    let mut registry = Registry::new();
    registry
        .register(query("GetPost"))
        .register(ServerFunction::query("ok").context("Blog Context").handler(noop))
        .register_compose("bad-name", ["ok"]);
    let (ext, _) = extension();
    registry.register_extension("Chan", ext);
    let whats: Vec<_> = problems(&registry)
        .iter()
        .map(|p| match p {
            RegistryProblem::InvalidName { what, why } => {
                assert!(why.contains("snake_case"), "{why}");
                *what
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(whats, ["function", "context", "composition", "extension"]);
}

#[test]
fn validate_reports_composition_problems() {
    let mut registry = Registry::new();
    registry.register(query("a")).register(mutation("m"));
    registry
        .register_compose("unknown", ["a", "ghost"])
        .register_compose("writes", ["m"])
        .register_compose("empty", Vec::<String>::new())
        .register_compose("twice", ["a", "a"]);
    let found = problems(&registry);
    assert!(found.contains(&RegistryProblem::UnknownMember {
        composition: "unknown".into(),
        member: "ghost".into()
    }));
    assert!(found.contains(&RegistryProblem::MutationInComposition {
        composition: "writes".into(),
        member: "m".into()
    }));
    let bad: Vec<_> = found
        .iter()
        .filter_map(|p| match p {
            RegistryProblem::BadComposition { composition, .. } => Some(composition.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(bad, ["empty", "twice"]);
    assert_eq!(found.len(), 4, "{found:#?}");
}

#[test]
fn validate_reports_policy_problems() {
    let mut registry = Registry::new();
    registry
        .register(
            ServerFunction::mutation("cached_write")
                .cache(CachePolicy::public())
                .handler(noop),
        )
        .register(
            ServerFunction::query("purging_read")
                .invalidates(["posts"])
                .handler(noop),
        )
        .register(
            ServerFunction::query("no_perms")
                .permissions(Vec::<String>::new())
                .handler(noop),
        )
        .register(
            ServerFunction::query("blank_perm")
                .permissions([""])
                .handler(noop),
        )
        .register(
            ServerFunction::query("guarded_public")
                .permissions(["reports.read"])
                .cache(CachePolicy::public())
                .handler(noop),
        )
        .register(
            ServerFunction::query("signed_in_public")
                .authenticated()
                .cache(CachePolicy::public())
                .handler(noop),
        );
    assert_eq!(
        problems(&registry),
        [
            RegistryProblem::EmptyPermission {
                name: "blank_perm".into()
            },
            RegistryProblem::CachedMutation {
                name: "cached_write".into()
            },
            RegistryProblem::PublicCacheOfGuardedQuery {
                name: "guarded_public".into(),
                rule: "the permissions reports.read".into()
            },
            RegistryProblem::EmptyPermission {
                name: "no_perms".into()
            },
            RegistryProblem::InvalidatingQuery {
                name: "purging_read".into()
            },
            RegistryProblem::PublicCacheOfGuardedQuery {
                name: "signed_in_public".into(),
                rule: "a valid token".into()
            },
        ]
    );
}

/// A purge of a tag nothing carries reaches no entry: the typo is reported with the fix.
#[test]
fn validate_reports_invalidated_tags_no_function_carries() {
    let mut registry = Registry::new();
    registry
        .register(
            ServerFunction::query("list_posts")
                .cache(CachePolicy::public().tags(["posts"]))
                .handler(noop),
        )
        .register(
            ServerFunction::mutation("create_post")
                .invalidates(["post", "posts", "list_posts"])
                .handler(noop),
        )
        .register(
            ServerFunction::mutation("wipe")
                .invalidates(["everything"])
                .handler(noop),
        );
    let found = problems(&registry);
    assert_eq!(
        found,
        [
            RegistryProblem::UnknownTag {
                name: "create_post".into(),
                tag: "post".into(),
                nearest: Some("posts".into())
            },
            RegistryProblem::UnknownTag {
                name: "wipe".into(),
                tag: "everything".into(),
                nearest: None
            },
        ]
    );
    assert_eq!(
        found[0].to_string(),
        "mutation `create_post` invalidates `post`, which no function carries; did you mean `posts`?"
    );
}

/// Guarded queries may share entries by permission set or by user: every reader applies the
/// access rule before the cache, so no caller the rule refuses ever reads those entries.
#[test]
fn guarded_queries_may_cache_by_permission_or_user() {
    let mut registry = Registry::new();
    registry
        .register(
            ServerFunction::query("report")
                .permissions(["reports.read"])
                .cache(CachePolicy::permission())
                .handler(noop),
        )
        .register(
            ServerFunction::query("signed_in")
                .authenticated()
                .cache(CachePolicy::permission())
                .handler(noop),
        )
        .register(
            ServerFunction::query("mine")
                .authenticated()
                .cache(CachePolicy::user())
                .handler(noop),
        );
    assert_eq!(registry.validate_registry(), Ok(()));
    let err = {
        let mut bad = Registry::new();
        bad.register(
            ServerFunction::query("guarded_public")
                .permissions(["reports.read"])
                .cache(CachePolicy::public())
                .handler(noop),
        );
        bad.validate_registry().unwrap_err().to_string()
    };
    assert!(err.contains("use `scope = \"permission\"`"), "{err}");
}

#[test]
fn validate_reports_extension_problems() {
    let mut registry = Registry::new();
    let (ext, _) = extension();
    registry.register_extension("functions", ext);
    let (mut ext, _) = extension();
    ext.problems.push("channel `x` has no message type".into());
    registry.register_extension("channels", ext);
    let found = problems(&registry);
    assert_eq!(
        found,
        [
            RegistryProblem::Extension {
                extension: "channels".into(),
                problem: "channel `x` has no message type".into()
            },
            RegistryProblem::ReservedExtensionName {
                name: "functions".into()
            },
        ]
    );
    // The reserved name never overwrites the functions section.
    assert!(registry.get_schema()["functions"].as_object().unwrap().is_empty());
}

#[test]
fn every_problem_is_reported_at_once_with_a_fix() {
    let mut registry = Registry::new();
    registry
        .register(query("Bad"))
        .register(
            ServerFunction::mutation("w")
                .cache(CachePolicy::user())
                .handler(noop),
        )
        .register_compose("c", ["ghost"]);
    let err = registry.validate_registry().unwrap_err();
    assert_eq!(err.problems().len(), 3);
    let text = err.to_string();
    assert!(text.starts_with("the registry has 3 problem(s):"), "{text}");
    assert!(text.contains("register it first"), "{text}");
    assert!(text.contains("remove `cache(...)`"), "{text}");
}

/// An example registry that uses every field of the schema.
fn full_registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register(
            ServerFunction::query("posts.get")
                .description("One post by id.")
                .context("blog")
                .cache(CachePolicy::public().ttl(Duration::from_secs(60)).tags(["posts"]))
                .handler(get_post),
        )
        .register(
            ServerFunction::query("posts.drafts")
                .context("blog")
                .cache(CachePolicy::permission())
                .permissions(["posts.read_drafts"])
                .handler(noop),
        )
        .register(
            ServerFunction::query("me")
                .cache(CachePolicy::user().ttl(Duration::from_secs(5)))
                .authenticated()
                .handler(noop),
        )
        .register(
            ServerFunction::mutation("posts.create")
                .permissions(["posts.write"])
                .invalidates(["posts"])
                .meta("form", "new_post")
                .handler(get_post),
        )
        .register_compose("blog_home", ["posts.get", "posts.drafts"]);
    let (ext, _) = extension();
    registry.register_extension("channels", ext);
    registry
}

#[test]
fn schema_snapshot() {
    let registry = full_registry();
    registry.validate_registry().unwrap();
    insta::assert_json_snapshot!(registry.get_schema());
}

#[test]
fn schema_is_deterministic_whatever_the_registration_order() {
    let a = full_registry().get_schema();
    let mut registry = Registry::new();
    for f in full_registry()
        .get_all_functions()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        registry.register(f.clone());
    }
    registry.register_compose("blog_home", ["posts.get", "posts.drafts"]);
    let (ext, _) = extension();
    registry.register_extension("channels", ext);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&registry.get_schema()).unwrap()
    );
}
