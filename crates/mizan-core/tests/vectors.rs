//! Checks every entry of `spec/vectors/*.json` against this crate, that the files are
//! exactly what `mizan_core::vectors::generate` produces, and that the code tables of
//! `spec/PROTOCOL.md` agree with `codes.json`. New vector kinds: add the file to
//! `KNOWN_FILES` and a checker below.

use std::collections::BTreeSet;
use std::path::PathBuf;

use hmac::{Hmac, Mac};
use mizan_core::{
    Access, CanonicalErrorCode, ErrorCode, FieldErrorCode, Identity, KeyScope, Keyring, MwtErrorCode,
    cache_key, canonicalize_str, permission_key,
};
use serde_json::Value;
use sha2::Sha256;

/// Generated files, plus the folders of published vectors (checked in
/// `published_vectors.rs`).
const KNOWN_FILES: [&str; 10] = [
    "README.md",
    "rfc8785",
    "wycheproof",
    "access.json",
    "auth_headers.json",
    "canonical.json",
    "cache_keys.json",
    "permission_keys.json",
    "mwt.json",
    "codes.json",
];

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors")
}

fn load<T: serde::de::DeserializeOwned>(name: &str) -> T {
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
    let entries: Vec<Value> = load("canonical.json");
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
                assert_eq!(
                    canonicalize_str(input).unwrap_err().code().as_str(),
                    code,
                    "{input}"
                );
                codes.insert(code.as_str());
            }
            _ => panic!("entry needs exactly one of canonical/error: {entry}"),
        }
    }
    assert_eq!(
        codes,
        CanonicalErrorCode::ALL.iter().map(|c| c.as_str()).collect(),
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
fn auth_header_vectors() {
    let entries = load::<Vec<Value>>("auth_headers.json");
    for entry in &entries {
        let token = mizan_core::bearer_token(str_field(entry, "authorization"));
        assert_eq!(token, entry["token"].as_str(), "{entry}");
    }
    let refused = entries.iter().filter(|e| e["token"].is_null()).count();
    assert!(
        refused > 0 && refused < entries.len(),
        "both outcomes have vectors"
    );
}

#[test]
fn access_vectors() {
    let mut decisions = BTreeSet::new();
    for entry in load::<Vec<Value>>("access.json") {
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
    let entries: Vec<Value> = load("cache_keys.json");
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
    let entries: Vec<Value> = load("permission_keys.json");
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
    let entries: Vec<Value> = load("mwt.json");
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

/// The `code` of every entry of one table of `codes.json`, in order.
fn codes_of(table: &str) -> Vec<String> {
    let codes: Value = load("codes.json");
    codes[table]
        .as_array()
        .unwrap_or_else(|| panic!("codes.json has no {table}"))
        .iter()
        .map(|entry| str_field(entry, "code").to_owned())
        .collect()
}

#[test]
fn code_vectors() {
    let codes: Value = load("codes.json");
    for entry in codes["error_codes"].as_array().unwrap() {
        let code = ErrorCode::from_code(str_field(entry, "code")).expect("a framework code");
        assert_eq!(entry["status"], code.status(), "{entry}");
        assert_eq!(str_field(entry, "description"), code.description());
    }
    for entry in codes["field_error_codes"].as_array().unwrap() {
        let code = FieldErrorCode::from_code(str_field(entry, "code")).expect("a field code");
        assert_eq!(entry["keywords"], serde_json::json!(code.keywords()), "{entry}");
    }
    fn wire(all: impl IntoIterator<Item = impl std::fmt::Display>) -> Vec<String> {
        all.into_iter().map(|code| code.to_string()).collect()
    }
    assert_eq!(codes_of("error_codes"), wire(ErrorCode::ALL));
    assert_eq!(codes_of("mwt_error_codes"), wire(MwtErrorCode::ALL));
    assert_eq!(codes_of("canonical_error_codes"), wire(CanonicalErrorCode::ALL));
    assert_eq!(codes_of("field_error_codes"), wire(FieldErrorCode::ALL));
    let constants = &codes["constants"];
    assert_eq!(constants["token_function"], mizan_core::auth::TOKEN_FUNCTION);
    assert_eq!(constants["refresh_function"], mizan_core::auth::REFRESH_FUNCTION);
    assert_eq!(
        constants["revisions_channel"],
        mizan_core::channels::REVISIONS_CHANNEL
    );
    assert_eq!(constants["token_cookie"], mizan_core::auth::DEFAULT_TOKEN_COOKIE);
    assert_eq!(constants["csrf_header"], mizan_core::auth::DEFAULT_CSRF_HEADER);
}

/// The rows of the first table after `header` in the PROTOCOL.md section titled `heading`,
/// each as its cells.
fn protocol_table(heading: &str, header: &str) -> Vec<Vec<String>> {
    let protocol = include_str!("../../../spec/PROTOCOL.md");
    let section = protocol
        .split("\n#")
        .find(|s| s.trim_start_matches('#').trim_start().starts_with(heading))
        .unwrap_or_else(|| panic!("PROTOCOL.md has no section {heading}"));
    let table = section
        .split_once(&format!("\n{header}\n"))
        .unwrap_or_else(|| panic!("§{heading} has no table {header}"))
        .1;
    table
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells = line.trim_matches('|').split(" | ");
            cells.map(|cell| cell.trim().to_owned()).collect()
        })
        .collect()
}

/// A cell's backticked names (`` `minLength`, `format: "uri"` `` gives `minLength`, `format`).
fn quoted_names(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|quoted| quoted.split(':').next().unwrap_or_default().to_owned())
        .collect()
}

fn first_column(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter().map(|row| quoted_names(&row[0]).concat()).collect()
}

#[test]
fn protocol_code_tables_agree_with_the_code_vectors() {
    let canonical = protocol_table("1.1 ", "| code | condition | note for JavaScript |");
    assert_eq!(
        first_column(&canonical),
        codes_of("canonical_error_codes"),
        "§1.1"
    );

    let mwt = protocol_table("1.4 ", "| code | step |");
    assert_eq!(first_column(&mwt), codes_of("mwt_error_codes"), "§1.4");

    let fields = protocol_table("4.2 ", "| code | JSON Schema keyword | meaning |");
    assert_eq!(first_column(&fields), codes_of("field_error_codes"), "§4.2");
    for row in &fields {
        let code = FieldErrorCode::from_code(&quoted_names(&row[0]).concat()).unwrap();
        let mut keywords = quoted_names(&row[1]);
        keywords.dedup();
        let mut expected: Vec<&str> = code.keywords().to_vec();
        expected.dedup();
        assert_eq!(keywords, expected, "§4.2 keywords of {code}");
    }
}

/// §2.3's table is rendered from `ErrorCode`: this is the text it must read.
#[test]
fn protocol_error_table_is_the_rendered_error_codes() {
    let rows = protocol_table("2.3 ", "| code | status | meaning |");
    let codes: Value = load("codes.json");
    let rendered: Vec<Vec<String>> = codes["error_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            vec![
                format!("`{}`", str_field(entry, "code")),
                entry["status"].to_string(),
                str_field(entry, "description").to_owned(),
            ]
        })
        .collect();
    let text = |rows: &[Vec<String>]| {
        rows.iter()
            .map(|row| format!("| {} |\n", row.join(" | ")))
            .collect::<String>()
    };
    assert!(
        rows == rendered,
        "§2.3 differs from ErrorCode; its rows must read:\n{}",
        text(&rendered)
    );
}
