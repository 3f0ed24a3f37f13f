//! Checks every entry of `spec/vectors/*.json` against this crate, and that the files are
//! exactly what `mizan_core::vectors::generate` produces. New vector kinds: add the file to
//! `KNOWN_FILES` and a checker below.

use std::collections::BTreeSet;
use std::path::PathBuf;

use hmac::{Hmac, Mac};
use mizan_core::{
    Access, CanonicalError, Identity, KeyScope, Keyring, MwtErrorCode, cache_key, canonicalize_str,
    permission_key,
};
use serde_json::Value;
use sha2::Sha256;

/// Generated files, plus the folders of published vectors (checked in
/// `published_vectors.rs`).
const KNOWN_FILES: [&str; 8] = [
    "README.md",
    "rfc8785",
    "wycheproof",
    "access.json",
    "canonical.json",
    "cache_keys.json",
    "permission_keys.json",
    "mwt.json",
];

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors")
}

fn load(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn str_field<'a>(entry: &'a Value, field: &str) -> &'a str {
    entry[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {entry}"))
}

fn secret(entry: &Value) -> Vec<u8> {
    hex::decode(str_field(entry, "secret_hex")).expect("secret_hex is hex")
}

#[test]
fn every_file_is_known() {
    for file in std::fs::read_dir(vectors_dir()).expect("spec/vectors exists") {
        let name = file
            .expect("readable entry")
            .file_name()
            .into_string()
            .expect("UTF-8 name");
        assert!(
            KNOWN_FILES.contains(&name.as_str()),
            "unexpected vector file {name}; add a checker"
        );
    }
}

#[test]
fn files_are_exactly_what_the_generator_produces() {
    for (name, contents) in mizan_core::vectors::generate() {
        let on_disk = std::fs::read_to_string(vectors_dir().join(name)).unwrap_or_default();
        assert!(
            on_disk == contents,
            "spec/vectors/{name} is stale: run `mizan vectors`"
        );
    }
}

#[test]
fn canonical_vectors() {
    let entries = load("canonical.json");
    let mut codes = BTreeSet::new();
    for entry in &entries {
        let input = str_field(entry, "input");
        match (entry.get("canonical"), entry.get("error")) {
            (Some(Value::String(expected)), None) => {
                assert_eq!(&canonicalize_str(input).unwrap(), expected, "{input}");
                assert_eq!(
                    &canonicalize_str(expected).unwrap(),
                    expected,
                    "idempotent: {input}"
                );
            }
            (None, Some(Value::String(code))) => {
                assert_eq!(canonicalize_str(input).unwrap_err().code(), code, "{input}");
                codes.insert(code.as_str());
            }
            _ => panic!("entry needs exactly one of canonical/error: {entry}"),
        }
    }
    let all = [
        CanonicalError::LoneSurrogate { line: 0, column: 0 },
        CanonicalError::NumberOutOfRange { line: 0, column: 0 },
        CanonicalError::DuplicateKey {
            key: String::new(),
            line: 0,
            column: 0,
        },
        CanonicalError::Syntax {
            message: String::new(),
            line: 0,
            column: 0,
        },
    ];
    assert_eq!(
        codes,
        all.iter().map(CanonicalError::code).collect(),
        "every error code has a vector"
    );
    let rfc_sample = entries
        .iter()
        .find(|e| str_field(e, "input").contains("333333333.33333329"))
        .unwrap();
    assert_eq!(
        str_field(rfc_sample, "canonical"),
        r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
    );
}

/// The rule as the schema writes it (`{"kind": "permissions", "permissions": [...]}`).
fn access_rule(entry: &Value) -> Access {
    match str_field(entry, "kind") {
        "public" => Access::Public,
        "authenticated" => Access::Authenticated,
        "permissions" => Access::permissions(
            entry["permissions"]
                .as_array()
                .expect("permissions is a list")
                .iter()
                .map(|p| p.as_str().expect("a permission is a string")),
        ),
        other => panic!("unknown access kind {other}"),
    }
}

#[test]
fn access_vectors() {
    let mut decisions = BTreeSet::new();
    for entry in load("access.json") {
        let rule = access_rule(&entry["access"]);
        let identity = entry["claims"].as_object().map(|claims| Identity {
            user_id: claims["sub"].as_str().unwrap_or_default().to_owned(),
            permission_key: String::new(),
            // A token without `perms` grants no permission name.
            permissions: claims
                .get("perms")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| p.as_str().expect("a permission is a string").to_owned())
                .collect(),
            claims: claims.clone(),
        });
        let decided = match rule.check(identity.as_ref(), "f") {
            Ok(()) => "allow".to_owned(),
            Err(error) => error.code().to_owned(),
        };
        let expected = str_field(&entry, "decision");
        assert_eq!(decided, expected, "{entry}");
        decisions.insert(expected.to_owned());
    }
    assert_eq!(
        decisions,
        ["allow", "forbidden", "unauthenticated"]
            .map(str::to_owned)
            .into(),
        "every decision has a vector"
    );
}

fn scope(name: &str) -> KeyScope {
    match name {
        "public" => KeyScope::Public,
        "permission" => KeyScope::Permission,
        "user" => KeyScope::User,
        other => panic!("unknown scope {other}"),
    }
}

#[test]
fn cache_key_vectors() {
    let entries = load("cache_keys.json");
    assert!(entries.len() >= 50, "only {} cache key vectors", entries.len());
    let mut scopes = BTreeSet::new();
    for entry in &entries {
        let rev = entry["rev"].as_u64().expect("rev is an integer");
        let scope_name = str_field(entry, "scope");
        scopes.insert(scope_name);
        let key = cache_key(
            &secret(entry),
            str_field(entry, "fn"),
            &entry["input"],
            scope(scope_name),
            str_field(entry, "who"),
            rev,
        )
        .unwrap();
        assert_eq!(key, str_field(entry, "key"), "{entry}");
    }
    assert_eq!(scopes.len(), 3);

    // One pinned key recomputed independently: HMAC over the envelope written by hand.
    let first = &entries[0];
    assert_eq!(
        first["input"],
        serde_json::json!({"id": 42, "filter": {"tag": "rust", "page": 2}})
    );
    let envelope = r#"{"fn":"posts.get","input":{"filter":{"page":2,"tag":"rust"},"id":42},"rev":0,"scope":"public","v":1,"who":""}"#;
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret(first)).unwrap();
    mac.update(envelope.as_bytes());
    assert_eq!(hex::encode(mac.finalize().into_bytes()), str_field(first, "key"));
}

#[test]
fn permission_key_vectors() {
    let entries = load("permission_keys.json");
    for entry in &entries {
        let perms: Vec<&str> = entry["perms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(
            permission_key(&secret(entry), perms),
            str_field(entry, "key"),
            "{entry}"
        );
    }
    // UTF-8 order puts U+FF61 first; UTF-16 order would put the emoji first.
    let astral = entries
        .iter()
        .find(|e| e["perms"] == serde_json::json!(["😀", "\u{ff61}"]))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret(astral)).unwrap();
    mac.update("{\"perms\":[\"\u{ff61}\",\"😀\"],\"v\":1}".as_bytes());
    assert_eq!(
        hex::encode(&mac.finalize().into_bytes()[..16]),
        str_field(astral, "key")
    );
}

#[test]
fn mwt_vectors() {
    let entries = load("mwt.json");
    let mut codes = BTreeSet::new();
    let mut valid = 0;
    for entry in &entries {
        let keys = entry["keys"].as_object().unwrap();
        let mut ring: Option<Keyring> = None;
        for (kid, secret) in keys {
            let secret = hex::decode(secret.as_str().unwrap()).unwrap();
            match &mut ring {
                None => ring = Some(Keyring::new(kid.as_str(), &secret).unwrap()),
                Some(ring) => ring.insert(kid.as_str(), &secret).unwrap(),
            }
        }
        let ring = ring.expect("at least one key");
        let (now, leeway) = (entry["now"].as_u64().unwrap(), entry["leeway"].as_u64().unwrap());
        let result = ring.verify(str_field(entry, "token"), now, leeway);
        if entry["valid"] == Value::Bool(true) {
            let claims = result.unwrap_or_else(|e| panic!("{e}: {entry}"));
            let decoded = mizan_core::decode_mwt_unverified(str_field(entry, "token")).unwrap();
            assert_eq!(Value::Object(decoded), entry["claims"]);
            assert_eq!(Value::String(claims.sub), entry["claims"]["sub"]);
            valid += 1;
        } else {
            let code = str_field(entry, "error");
            assert_eq!(result.map(|_| ()).unwrap_err().code().as_str(), code, "{entry}");
            codes.insert(code);
        }
    }
    assert!(valid >= 5);
    let all: BTreeSet<&str> = MwtErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, all, "every rejection code has a vector");
}
