//! Property: random users with random permission sets, calling permission- and user-scoped
//! functions in random order, only ever receive results computed for themselves.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::json;

use crate::support::{Server, token};

const PERMS: [&str; 4] = ["a", "b", "c", "d"];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Runtime::new().unwrap())
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| runtime().block_on(Server::default()))
}

#[derive(Debug, Clone)]
struct User {
    id: String,
    perms: Vec<&'static str>,
}

fn user() -> impl Strategy<Value = User> {
    (
        0..6u8,
        proptest::sample::subsequence(PERMS.to_vec(), 0..=PERMS.len()),
    )
        .prop_map(|(n, perms)| User {
            id: format!("user-{n}"),
            perms,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn nobody_receives_an_entry_computed_for_someone_else(
        calls in proptest::collection::vec((user(), any::<bool>(), 0..3u8), 1..12)
    ) {
        let server = server();
        runtime().block_on(async {
            for (user, per_user, input) in calls {
                let token = token(&user.id, &user.perms);
                let input = json!({ "i": input });
                if per_user {
                    let reply = server.call("mine", input, Some(&token)).await;
                    prop_assert_eq!(&reply.body["data"]["user"], &json!(user.id));
                } else {
                    let reply = server.call("by_perms", input, Some(&token)).await;
                    let mut expected = user.perms.clone();
                    expected.sort_unstable();
                    prop_assert_eq!(&reply.body["data"]["perms"], &json!(expected));
                }
            }
            Ok(())
        })?;
    }
}

#[test]
fn the_property_actually_shares_entries() {
    // Guard against a vacuous property: users with equal permission sets must hit one
    // shared entry, so the cache is really in play.
    let server = server();
    runtime().block_on(async {
        let a = server
            .call("by_perms", json!({"shared": 1}), Some(&token("x1", &["b", "a"])))
            .await;
        let b = server
            .call("by_perms", json!({"shared": 1}), Some(&token("x2", &["a", "b"])))
            .await;
        assert_eq!(a.header("mizan-cache"), Some("miss"));
        assert_eq!(b.header("mizan-cache"), Some("hit"));
        let c = server
            .call("by_perms", json!({"shared": 1}), Some(&token("x3", &["a"])))
            .await;
        assert_eq!(c.header("mizan-cache"), Some("miss"));
    });
}
