//! The cross-language test vectors in `spec/vectors/`, generated from this crate's code.
//!
//! `mizan vectors` writes them and `tests/vectors.rs` checks that the committed files are
//! byte for byte what [`generate`] returns, so they cannot drift from the implementation.
//! Everything here is deterministic: fixed secrets, fixed times, no randomness.

use base64::Engine;
use serde_json::{Value, json};

use crate::auth::{DEFAULT_CSRF_HEADER, DEFAULT_TOKEN_COOKIE, REFRESH_FUNCTION, TOKEN_FUNCTION};
use crate::channels::REVISIONS_CHANNEL;
use crate::codes::WireCode;
use crate::{
    Access, CanonicalErrorCode, Claims, ErrorCode, FieldErrorCode, Identity, KeyScope, Keyring,
    MAX_SAFE_INTEGER, MwtErrorCode, cache_key, canonicalize_str, permission_key,
};

/// The vector files, as `(file name, contents)`, in a fixed order.
pub fn generate() -> Vec<(&'static str, String)> {
    [
        ("canonical.json", canonical().into()),
        ("cache_keys.json", cache_keys().into()),
        ("permission_keys.json", permission_keys().into()),
        ("mwt.json", mwt().into()),
        ("access.json", access().into()),
        ("auth_headers.json", auth_headers().into()),
        ("codes.json", codes()),
    ]
    .into_iter()
    .map(|(name, contents)| (name, render(&contents)))
    .collect()
}

fn render(contents: &Value) -> String {
    let mut text = serde_json::to_string_pretty(contents).unwrap_or_default();
    text.push('\n');
    text
}

/// Secret 1: the 32 bytes 0x00..=0x1f.
fn secret_sequence() -> Vec<u8> {
    (0u8..32).collect()
}

/// Secrets of every interesting length: short, one block (64 bytes), longer than a block
/// (HMAC hashes it first).
fn secrets() -> [Vec<u8>; 4] {
    [
        secret_sequence(),
        b"mizan-test-secret".to_vec(),
        vec![0xa5; 64],
        (0u8..100).map(|i| i.wrapping_mul(7) ^ 0x5c).collect(),
    ]
}

/// JSON texts and their canonical form, or the code of the error that rejects them.
pub const CANONICAL_INPUTS: &[&str] = &[
    // RFC 8785 §3.2.2: the sample object.
    "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50,\n              2e-3, 0.000000000000000000000000001],\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n  \"literals\": [null, true, false]\n}",
    // RFC 8785 §3.2.3: the sorting example.
    "{\n  \"\\u20ac\": \"Euro Sign\",\n  \"\\r\": \"Carriage Return\",\n  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n  \"1\": \"One\",\n  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n  \"\\u0080\": \"Control\",\n  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n}",
    // RFC 8785 Appendix B, as the shortest text of each double.
    "0",
    "-0",
    "5e-324",
    "-5e-324",
    "1.7976931348623157e308",
    "-1.7976931348623157e308",
    "9007199254740992",
    "-9007199254740992",
    "295147905179352825856",
    "9.999999999999997e22",
    "1e23",
    "1.0000000000000001e23",
    "999999999999999700000",
    "999999999999999900000",
    "1e21",
    "9.999999999999997e-7",
    "0.000001",
    "333333333.3333332",
    "333333333.33333325",
    "333333333.3333333",
    "333333333.3333334",
    "333333333.33333343",
    "-0.0000033333333333333333",
    "1424953923781206.2",
    // More numbers.
    "1E+2",
    "4.50",
    "-0.0",
    "1e-7",
    "1e-400",
    "123456789012345678901234567890",
    "9007199254740993",
    "18446744073709551615",
    "-9223372036854775808",
    "[0.1, 0.2, 0.30000000000000004, 1e20, 1e-6, 100, 1.5e300]",
    // Strings: escapes and literal Unicode.
    "\"\\u0000\\u0001\\u001f\\u007f\\b\\t\\n\\f\\r\\\"\\\\\\/\"",
    "\"\\u00e9\\u00E9é\"",
    "\"\\ud83d\\ude00😀\\uDBFF\\uDFFF\"",
    "\"\\u2028\\u2029\\ufeff\\uffff\"",
    "\"<script>&'\"",
    // Key order by UTF-16 code units: U+1F600 (D83D DE00) sorts before U+E000 and U+FFFF.
    "{\"\\uffff\": 1, \"\\ud83d\\ude00\": 2, \"\\ue000\": 3, \"a\": 4, \"\": 5}",
    "{\"b\": {\"d\": 1, \"c\": 2}, \"a\": [{\"z\": 0, \"y\": 0}], \"A\": null, \"aa\": true, \"_\": false}",
    "{\"\\u00e9\": 1, \"e\\u0301\": 2, \"f\": 3}",
    // Structure and whitespace.
    "  [ ]  ",
    "{ }",
    "[{}, [], [[]], {\"a\": {}}]",
    "\t\r\n true \n",
    "null",
    "\"\"",
];

/// JSON texts that have no canonical form, with the error code every implementation reports.
pub const CANONICAL_REJECTS: &[(&str, CanonicalErrorCode)] = &[
    ("\"\\ud800\"", CanonicalErrorCode::LoneSurrogate),
    ("\"\\udc00\"", CanonicalErrorCode::LoneSurrogate),
    ("{\"a\\ud83d\": 1}", CanonicalErrorCode::LoneSurrogate),
    ("[\"\\ud83d\\u0041\"]", CanonicalErrorCode::LoneSurrogate),
    ("1e400", CanonicalErrorCode::NumberOutOfRange),
    ("[-1e309]", CanonicalErrorCode::NumberOutOfRange),
    ("{\"x\": 2e308}", CanonicalErrorCode::NumberOutOfRange),
    ("{\"a\": 1, \"a\": 2}", CanonicalErrorCode::DuplicateKey),
    ("{\"a\": 1, \"\\u0061\": 1}", CanonicalErrorCode::DuplicateKey),
    ("[1, 2,]", CanonicalErrorCode::Syntax),
    ("{\"a\" 1}", CanonicalErrorCode::Syntax),
    ("NaN", CanonicalErrorCode::Syntax),
    ("Infinity", CanonicalErrorCode::Syntax),
    ("01", CanonicalErrorCode::Syntax),
    ("\"tab\tinside\"", CanonicalErrorCode::Syntax),
    ("[1] [2]", CanonicalErrorCode::Syntax),
    ("", CanonicalErrorCode::Syntax),
];

fn canonical() -> Vec<Value> {
    let accepted = CANONICAL_INPUTS
        .iter()
        .map(|&input| match canonicalize_str(input) {
            Ok(canonical) => json!({"input": input, "canonical": canonical}),
            Err(err) => json!({"input": input, "error": err.code()}),
        });
    let rejected = CANONICAL_REJECTS
        .iter()
        .map(|&(input, code)| json!({"input": input, "error": code}));
    accepted.chain(rejected).collect()
}

fn cache_keys() -> Vec<Value> {
    let inputs = [
        json!({"id": 42, "filter": {"tag": "rust", "page": 2}}),
        json!({}),
        json!([]),
        json!(null),
        json!(true),
        json!(0),
        json!(-0.0),
        json!(1e21),
        json!(0.1),
        json!(5e-324),
        json!(9_007_199_254_740_991_u64),
        json!("héllo 😀 \u{2028}"),
        json!({"\u{ffff}": 1, "😀": 2, "\u{e000}": 3}),
        json!({"a": [{"b": {"c": [null, true, false]}}], "z": ""}),
        json!({"escape": "\"\\\u{8}\u{c}\n\r\t\u{1}/"}),
        json!({"b": 1, "a": 2}),
        json!([1.5, -2.25, 333_333_333.333_333_3, 1e-7]),
        json!({"page": 1, "per_page": 50, "sort": "-created_at"}),
        json!({"unicode key é": "ü", "ключ": "значение", "鍵": "値"}),
        json!(""),
        json!((0..20).map(|i| i * i).collect::<Vec<_>>()),
    ];
    let functions = ["posts.get", "get_post", "search", "billing.invoices.list"];
    let revs = [0, 1, 7, 1_000_000, 1 << 32, MAX_SAFE_INTEGER];
    let secrets = secrets();
    let perm_key = permission_key(&secrets[0], ["posts.read"]);
    let users = ["user-42", "Zoë 😀", "\""];
    let mut entries = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        for (j, scope) in [KeyScope::Public, KeyScope::Permission, KeyScope::User]
            .into_iter()
            .enumerate()
        {
            let n = i * 3 + j;
            let secret = &secrets[n % secrets.len()];
            let function = functions[n % functions.len()];
            let who = match scope {
                KeyScope::Public => "",
                KeyScope::Permission => &perm_key,
                KeyScope::User => users[i % users.len()],
            };
            let rev = revs[n % revs.len()];
            let key = cache_key(secret, function, input, scope, who, rev).unwrap_or_default();
            entries.push(json!({
                "secret_hex": hex::encode(secret), "fn": function, "input": input,
                "scope": scope.as_str(), "who": who, "rev": rev, "key": key,
            }));
        }
    }
    entries
}

fn permission_keys() -> Vec<Value> {
    let sets: &[&[&str]] = &[
        &[],
        &["posts.read"],
        &["posts.write", "posts.read"],
        &["a", "a", "b", "a"],
        // U+FF61 is before U+1F600 in UTF-8 bytes, after it in UTF-16 units.
        &["😀", "\u{ff61}"],
        &["\u{ffff}", "😀", "\u{e000}", "z"],
        &["Z", "a", "_", "A", "0"],
        &[
            "posts.write",
            "posts.read",
            "users.admin",
            "billing.view",
            "reports.export",
        ],
        &["é", "e\u{301}", "f"],
        &["quote\"", "back\\slash", "tab\tand\nnewline", "\u{1}"],
        &[""],
        &["𝒜", "𝒜", "ℬ"],
    ];
    let secrets = secrets();
    sets.iter()
        .enumerate()
        .map(|(i, perms)| {
            let secret = &secrets[i % secrets.len()];
            json!({
                "secret_hex": hex::encode(secret),
                "perms": perms,
                "key": permission_key(secret, perms.iter().copied()),
            })
        })
        .collect()
}

/// Access decisions: a function's rule (as the schema writes it) and a caller (no token,
/// or the verified claims of one) give `allow` or the error code that refuses the call.
/// The edge decides with the same rule before it touches its cache.
fn access() -> Vec<Value> {
    let rules = [
        Access::Public,
        Access::Authenticated,
        Access::permissions(["posts.read"]),
        Access::permissions(["posts.read", "posts.write"]),
    ];
    let callers: [Option<Value>; 8] = [
        None,
        Some(json!({"sub": "ada"})),
        Some(json!({"sub": "ada", "perms": []})),
        Some(json!({"sub": "ada", "perms": ["posts.read"]})),
        Some(json!({"sub": "ada", "perms": ["posts.write", "posts.read"]})),
        Some(json!({"sub": "ada", "perms": ["posts.read", "posts.write", "users.admin"]})),
        // Names match exactly: no prefixes, no case folding.
        Some(json!({"sub": "ada", "perms": ["posts", "POSTS.READ", "posts.read.all"]})),
        Some(json!({"sub": "ada", "perms": ["posts.write"]})),
    ];
    let mut entries = Vec::new();
    for rule in &rules {
        for claims in &callers {
            let identity = claims.as_ref().map(|claims| Identity {
                user_id: claims["sub"].as_str().unwrap_or_default().to_owned(),
                permission_key: String::new(),
                permissions: claims["perms"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect(),
                claims: serde_json::Map::new(),
            });
            let decision = match rule.check(identity.as_ref(), "the function") {
                Ok(()) => "allow".to_owned(),
                Err(error) => error.code().to_owned(),
            };
            entries.push(json!({
                "access": rule.schema_entry(),
                "claims": claims,
                "decision": decision,
            }));
        }
    }
    entries
}

/// `Authorization` header values and the token each one carries, or `null` when it is
/// not a bearer credential (`unauthenticated`, reason `malformed`).
pub const AUTH_HEADERS: &[&str] = &[
    "Bearer mwt1.e30.c2ln",
    "bearer mwt1.e30.c2ln",
    "BEARER mwt1.e30.c2ln",
    "bEaReR mwt1.e30.c2ln",
    "Bearer   mwt1.e30.c2ln",
    "  Bearer mwt1.e30.c2ln\t",
    "Bearer abc==",
    "Bearer",
    "Bearer ",
    "Bearer\tmwt1.e30.c2ln",
    "Bearer mwt1.e30 .c2ln",
    "Bearer a b",
    "Bearermwt1.e30.c2ln",
    "Basic dXNlcjpwYXNz",
    "Token mwt1.e30.c2ln",
    "mwt1.e30.c2ln",
    "",
];

fn auth_headers() -> Vec<Value> {
    AUTH_HEADERS
        .iter()
        .map(|header| json!({"authorization": header, "token": crate::bearer_token(header)}))
        .collect()
}

const NOW: u64 = 1_700_000_000;

fn mwt() -> Vec<Value> {
    let k1 = secret_sequence();
    let k2 = b"second signing key, rotated in".to_vec();
    let mut ring = Keyring::new("k1", &k1).expect("fixed, valid key");
    let _ = ring.insert("k2", &k2);
    let keys = json!({"k1": hex::encode(&k1), "k2": hex::encode(&k2)});
    let pk = permission_key(&k1, ["posts.read", "posts.write"]);

    let mut entries = Vec::new();
    let mut push = |token: String, now: u64, leeway: u64, outcome: Result<(), MwtErrorCode>| {
        let mut entry =
            json!({"keys": keys, "now": now, "leeway": leeway, "token": token, "valid": outcome.is_ok()});
        match outcome {
            Ok(()) => {
                let claims = crate::decode_mwt_unverified(&token).unwrap_or_default();
                entry["claims"] = Value::Object(claims);
            }
            Err(code) => entry["error"] = json!(code),
        }
        entries.push(entry);
    };
    let issue = |ring: &Keyring, claims: Claims| ring.issue(claims).unwrap_or_default();
    let typical = || {
        Claims::new("user-42", pk.clone(), NOW - 60, NOW + 3600)
            .with_perms(["posts.write", "posts.read"])
            .with_claim("tenant", json!("acme"))
            .with_claim("roles", json!({"editor": true, "levels": [1, 2.5]}))
    };

    // Accepted.
    let good = issue(&ring, typical());
    push(good.clone(), NOW, 0, Ok(()));
    let mut ring2 = ring.clone();
    let _ = ring2.set_active("k2");
    push(
        issue(&ring2, Claims::new("Zoë 😀 \u{e000}", "", NOW, NOW + 1)),
        NOW,
        0,
        Ok(()),
    );
    push(issue(&ring, Claims::new("u", "pk", 0, 0)), 0, 0, Ok(()));
    let short = issue(&ring, Claims::new("u", "pk", NOW - 3600, NOW - 30));
    push(short.clone(), NOW, 60, Ok(()));
    push(short.clone(), NOW - 30, 0, Ok(()));
    let early = issue(&ring, Claims::new("u", "pk", NOW + 30, NOW + 3600));
    push(early.clone(), NOW, 60, Ok(()));
    if let Some(exact) = (2900..3000)
        .map(|n| padded(&ring, n))
        .find(|t| t.len() == crate::DEFAULT_MAX_TOKEN_LEN)
    {
        push(exact, NOW, 0, Ok(()));
    }

    // Time.
    push(short.clone(), NOW, 29, Err(MwtErrorCode::Expired));
    push(short, NOW - 29, 0, Err(MwtErrorCode::Expired));
    push(early.clone(), NOW, 29, Err(MwtErrorCode::NotYetValid));
    push(early, NOW, 0, Err(MwtErrorCode::NotYetValid));

    // Keys and signatures.
    let stranger = Keyring::new("k9", &k1).expect("fixed, valid key");
    push(issue(&stranger, typical()), NOW, 0, Err(MwtErrorCode::UnknownKid));
    let impostor = Keyring::new("k1", &k2).expect("fixed, valid key");
    push(
        issue(&impostor, typical()),
        NOW,
        0,
        Err(MwtErrorCode::BadSignature),
    );
    let (good_head, good_sig) = good.rsplit_once('.').unwrap_or_default();
    let other = issue(&ring, Claims::new("user-43", pk.clone(), NOW - 60, NOW + 3600));
    let (other_head, other_sig) = other.rsplit_once('.').unwrap_or_default();
    push(
        format!("{other_head}.{good_sig}"),
        NOW,
        0,
        Err(MwtErrorCode::BadSignature),
    );
    push(
        format!("{good_head}.{other_sig}"),
        NOW,
        0,
        Err(MwtErrorCode::BadSignature),
    );

    // Shape, version and size.
    for token in ["", "mwt1", "mwt1.", "mwt1.e30", "mwt1..", "mwt1..AAAA"] {
        push(token.into(), NOW, 0, Err(MwtErrorCode::Malformed));
    }
    push(format!("{good}."), NOW, 0, Err(MwtErrorCode::Malformed));
    push(format!("{good}.{good_sig}"), NOW, 0, Err(MwtErrorCode::Malformed));
    let mut short_sig = crate::mwt::B64.decode(good_sig).unwrap_or_default();
    short_sig.pop();
    push(
        format!("{good_head}.{}", crate::mwt::B64.encode(short_sig)),
        NOW,
        0,
        Err(MwtErrorCode::Malformed),
    );
    push(
        format!("{good_head}.{good_sig}AAAA"),
        NOW,
        0,
        Err(MwtErrorCode::Malformed),
    );
    push(
        format!("mwt2{}", &good[4..]),
        NOW,
        0,
        Err(MwtErrorCode::WrongVersion),
    );
    push(
        format!("MWT1{}", &good[4..]),
        NOW,
        0,
        Err(MwtErrorCode::WrongVersion),
    );
    push(
        "eyJhbGciOiJIUzI1NiJ9.e30.AAAA".into(),
        NOW,
        0,
        Err(MwtErrorCode::WrongVersion),
    );
    push(padded(&ring, 3200), NOW, 0, Err(MwtErrorCode::Oversize));
    push(
        format!("mwt1.{}", "A".repeat(4092)),
        NOW,
        0,
        Err(MwtErrorCode::Oversize),
    );

    // Encoding.
    push(
        format!("{good_head}.{good_sig}="),
        NOW,
        0,
        Err(MwtErrorCode::BadEncoding),
    );
    push(
        format!("{good_head}=.{good_sig}"),
        NOW,
        0,
        Err(MwtErrorCode::BadEncoding),
    );
    let last = good_sig.chars().last().unwrap_or('A');
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let flipped = alphabet
        .chars()
        .nth(alphabet.find(last).unwrap_or(0) ^ 1)
        .unwrap_or('A');
    push(
        format!("{good_head}.{}{flipped}", &good_sig[..good_sig.len() - 1]),
        NOW,
        0,
        Err(MwtErrorCode::BadEncoding),
    );
    push(
        format!("{good_head}.{}+", &good_sig[..good_sig.len() - 1]),
        NOW,
        0,
        Err(MwtErrorCode::BadEncoding),
    );
    push(
        format!("mwt1.e30$.{good_sig}"),
        NOW,
        0,
        Err(MwtErrorCode::BadEncoding),
    );

    // Payload content, signed correctly with k1 so only the content is wrong.
    let raw = |payload: &str| ring.sign_payload("k1", payload.as_bytes()).unwrap_or_default();
    push(raw("[]"), NOW, 0, Err(MwtErrorCode::InvalidPayload));
    push(raw("not json"), NOW, 0, Err(MwtErrorCode::InvalidPayload));
    push(
        raw(r#"{"kid":"k1","sub":"\ud800"}"#),
        NOW,
        0,
        Err(MwtErrorCode::InvalidPayload),
    );
    let fields = format!(
        r#""exp":{},"iat":{},"kid":"k1","pk":"p","sub":"s""#,
        NOW + 60,
        NOW
    );
    push(raw(&format!("{{{fields}}}")), NOW, 0, Ok(()));
    push(
        raw(&format!("{{ {fields}}}")),
        NOW,
        0,
        Err(MwtErrorCode::NonCanonical),
    );
    push(
        raw(&format!("{{{fields}}}\n")),
        NOW,
        0,
        Err(MwtErrorCode::NonCanonical),
    );
    push(
        raw(&format!(
            r#"{{"iat":{NOW},"exp":{},"kid":"k1","pk":"p","sub":"s"}}"#,
            NOW + 60
        )),
        NOW,
        0,
        Err(MwtErrorCode::NonCanonical),
    );
    push(
        raw(&format!(
            r#"{{"exp":{}.0,"iat":{NOW},"kid":"k1","pk":"p","sub":"s"}}"#,
            NOW + 60
        )),
        NOW,
        0,
        Err(MwtErrorCode::NonCanonical),
    );
    push(
        raw(&format!(
            r#"{{"exp":{},"iat":{NOW},"kid":"k1","pk":"p","sub":"\u0073"}}"#,
            NOW + 60
        )),
        NOW,
        0,
        Err(MwtErrorCode::NonCanonical),
    );
    push(
        raw(&format!(r#"{{{fields},"sub":"t"}}"#)),
        NOW,
        0,
        Err(MwtErrorCode::NonCanonical),
    );
    for payload in [
        format!(r#"{{"exp":{},"iat":{NOW},"kid":"k1","pk":"p"}}"#, NOW + 60),
        format!(
            r#"{{"exp":"{}","iat":{NOW},"kid":"k1","pk":"p","sub":"s"}}"#,
            NOW + 60
        ),
        format!(r#"{{"exp":{},"iat":-1,"kid":"k1","pk":"p","sub":"s"}}"#, NOW + 60),
        format!(
            r#"{{"exp":{}.5,"iat":{NOW},"kid":"k1","pk":"p","sub":"s"}}"#,
            NOW + 60
        ),
        format!(r#"{{"exp":9007199254740992,"iat":{NOW},"kid":"k1","pk":"p","sub":"s"}}"#),
        format!(
            r#"{{"exp":{},"iat":{NOW},"kid":"k1","pk":null,"sub":"s"}}"#,
            NOW + 60
        ),
        format!(
            r#"{{"exp":{},"iat":{NOW},"kid":"k1","perms":"posts.read","pk":"p","sub":"s"}}"#,
            NOW + 60
        ),
        format!(
            r#"{{"exp":{},"iat":{NOW},"kid":"k1","perms":[1],"pk":"p","sub":"s"}}"#,
            NOW + 60
        ),
        format!(r#"{{"exp":{},"iat":{NOW},"pk":"p","sub":"s"}}"#, NOW + 60),
        format!(r#"{{"exp":{},"iat":{NOW},"kid":1,"pk":"p","sub":"s"}}"#, NOW + 60),
    ] {
        push(raw(&payload), NOW, 0, Err(MwtErrorCode::InvalidClaims));
    }
    entries
}

/// A valid token whose `note` claim is `n` characters long.
fn padded(ring: &Keyring, n: usize) -> String {
    let claims = Claims::new("u", "pk", NOW, NOW + 60).with_claim("note", json!("x".repeat(n)));
    // Issuing refuses tokens over the limit; the vectors need some to refuse on verifying.
    let unbounded = ring.clone().with_max_token_len(usize::MAX);
    unbounded.issue(claims).unwrap_or_default()
}

/// Every code table, in declaration order, and the names both sides must agree on.
fn codes() -> Value {
    fn table<C: WireCode>(column: impl Fn(C) -> (&'static str, Value)) -> Value {
        C::ALL
            .iter()
            .map(|&code| {
                let (name, value) = column(code);
                json!({"code": code.as_str(), name: value, "description": code.description()})
            })
            .collect()
    }
    fn plain<C: WireCode>() -> Value {
        C::ALL
            .iter()
            .map(|&code| json!({"code": code.as_str(), "description": code.description()}))
            .collect()
    }
    json!({
        "error_codes": table(|code: ErrorCode| ("status", code.status().into())),
        "mwt_error_codes": plain::<MwtErrorCode>(),
        "canonical_error_codes": plain::<CanonicalErrorCode>(),
        "field_error_codes": table(|code: FieldErrorCode| ("keywords", code.keywords().into())),
        "constants": {
            "csrf_header": DEFAULT_CSRF_HEADER,
            "token_cookie": DEFAULT_TOKEN_COOKIE,
            "token_function": TOKEN_FUNCTION,
            "refresh_function": REFRESH_FUNCTION,
            "revisions_channel": REVISIONS_CHANNEL,
        },
    })
}
