use base64::Engine;
use serde_json::json;

use super::*;

const NOW: u64 = 1_700_000_000;

fn ring() -> Keyring {
    Keyring::new("k1", b"0123456789abcdef0123456789abcdef").unwrap()
}

fn claims() -> Claims {
    Claims::new("user-1", "pk-1", NOW - 10, NOW + 3600)
        .with_perms(["a", "b"])
        .with_claim("tenant", json!(7))
}

fn code(result: Result<Claims, MwtError>) -> &'static str {
    result.unwrap_err().code().as_str()
}

/// A token over an arbitrary payload, correctly signed with `k1`.
fn signed(payload: &str) -> String {
    ring().sign_payload("k1", payload.as_bytes()).unwrap()
}

#[test]
fn issued_token_round_trips() {
    let ring = ring();
    let token = ring.issue(claims()).unwrap();
    assert!(token.starts_with("mwt1."));
    let verified = ring.verify(&token, NOW, 0).unwrap();
    assert_eq!(
        verified,
        Claims {
            kid: "k1".into(),
            ..claims()
        }
    );
}

#[test]
fn payload_is_canonical_json_and_signature_is_hmac_of_the_prefix() {
    let token = ring().issue(Claims::new("ü", "p", 1, 2)).unwrap();
    let (signed_part, signature) = token.rsplit_once('.').unwrap();
    let payload = B64.decode(signed_part.strip_prefix("mwt1.").unwrap()).unwrap();
    assert_eq!(
        payload,
        r#"{"exp":2,"iat":1,"kid":"k1","pk":"p","sub":"ü"}"#.as_bytes()
    );
    let mut mac = crate::keys::keyed_mac(b"0123456789abcdef0123456789abcdef");
    hmac::Mac::update(&mut mac, signed_part.as_bytes());
    assert_eq!(
        B64.decode(signature).unwrap(),
        hmac::Mac::finalize(mac).into_bytes().as_slice()
    );
}

#[test]
fn oversize_is_rejected_before_decoding() {
    let ring = ring().with_max_token_len(20);
    let garbage = "x".repeat(21);
    assert_eq!(
        ring.verify(&garbage, NOW, 0).unwrap_err(),
        MwtError::Oversize { len: 21, max: 20 }
    );
    assert_eq!(code(ring.verify(&"x".repeat(20), NOW, 0)), "malformed");
}

#[test]
fn a_token_over_the_limit_is_never_issued() {
    let ring = ring().with_max_token_len(200);
    let fits = ring.issue(claims()).unwrap();
    assert!(fits.len() <= 200);
    let long = Claims::new("u".repeat(200), "pk", NOW, NOW + 60);
    let err = ring.issue(long).unwrap_err();
    assert!(
        matches!(err, IssueError::Oversize { max: 200, len } if len > 200),
        "{err}"
    );
}

#[test]
fn shape_errors() {
    let ring = ring();
    let good = ring.issue(claims()).unwrap();
    let (head, signature) = good.rsplit_once('.').unwrap();
    for bad in [
        "",
        "mwt1",
        "mwt1.",
        "mwt1.abc",
        "mwt1..",
        "mwt1.abc.",
        "mwt1..abc",
        &format!("{good}.x"),
    ] {
        assert_eq!(code(ring.verify(bad, NOW, 0)), "malformed", "{bad:?}");
    }
    assert_eq!(
        code(ring.verify(&format!("{head}.{}", &signature[..40]), NOW, 0)),
        "malformed"
    );
    for bad in [
        good.replacen("mwt1", "mwt2", 1),
        good.replacen("mwt1", "MWT1", 1),
        format!("x{good}"),
    ] {
        assert_eq!(code(ring.verify(&bad, NOW, 0)), "wrong_version", "{bad}");
    }
}

#[test]
fn base64_must_be_canonical_unpadded_base64url() {
    let ring = ring();
    let good = ring.issue(claims()).unwrap();
    let (head, signature) = good.rsplit_once('.').unwrap();
    // The last character of a 32-byte MAC carries 4 data bits and 2 unused ones.
    let last = signature.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    let non_canonical = alphabet.chars().nth(idx ^ 1).unwrap();
    let tweaked = format!("{head}.{}{non_canonical}", &signature[..signature.len() - 1]);
    assert_eq!(code(ring.verify(&tweaked, NOW, 0)), "bad_encoding");
    assert_eq!(
        code(ring.verify(&format!("{head}.{signature}="), NOW, 0)),
        "bad_encoding"
    );
    let std_alphabet = good.replace(['-', '_'], "+");
    if std_alphabet != good {
        assert_eq!(code(ring.verify(&std_alphabet, NOW, 0)), "bad_encoding");
    }
    assert_eq!(code(ring.verify("mwt1.e30$.AAAA", NOW, 0)), "bad_encoding");
}

#[test]
fn payload_must_be_a_canonical_object() {
    let ring = ring();
    for payload in ["[1]", "\"s\"", "{", "\u{ff}"] {
        assert_eq!(
            code(ring.verify(&signed(payload), NOW, 0)),
            "invalid_payload",
            "{payload}"
        );
    }
    let canonical = r#"{"exp":1700003600,"iat":1699999990,"kid":"k1","pk":"p","sub":"s"}"#;
    assert!(ring.verify(&signed(canonical), NOW, 0).is_ok());
    for payload in [
        r#"{"iat":1699999990,"exp":1700003600,"kid":"k1","pk":"p","sub":"s"}"#,
        r#"{"exp":1700003600, "iat":1699999990,"kid":"k1","pk":"p","sub":"s"}"#,
        r#"{"exp":1.7000036e9,"iat":1699999990,"kid":"k1","pk":"p","sub":"s"}"#,
        r#"{"exp":1700003600,"iat":1699999990,"kid":"k1","pk":"p","sub":"\u0073"}"#,
        r#"{"exp":1700003600,"iat":1699999990,"kid":"k1","kid":"k1","pk":"p","sub":"s"}"#,
        "{\"exp\":1700003600,\"iat\":1699999990,\"kid\":\"k1\",\"pk\":\"p\",\"sub\":\"s\"}\n",
    ] {
        assert_eq!(
            code(ring.verify(&signed(payload), NOW, 0)),
            "non_canonical",
            "{payload}"
        );
    }
}

#[test]
fn unknown_kid_and_bad_signature() {
    let ring = ring();
    let other = Keyring::new("k2", b"another secret entirely, 32 byte").unwrap();
    assert_eq!(
        ring.verify(&other.issue(claims()).unwrap(), NOW, 0).unwrap_err(),
        MwtError::UnknownKid { kid: "k2".into() }
    );
    let impostor = Keyring::new("k1", b"not the real k1 secret at all!!!").unwrap();
    assert_eq!(
        code(ring.verify(&impostor.issue(claims()).unwrap(), NOW, 0)),
        "bad_signature"
    );

    // Flipping any payload claim invalidates the signature.
    let token = ring.issue(claims()).unwrap();
    let (head, signature) = token.rsplit_once('.').unwrap();
    let payload = B64.decode(head.strip_prefix("mwt1.").unwrap()).unwrap();
    let forged = String::from_utf8(payload).unwrap().replace("user-1", "user-2");
    let forged_token = format!("mwt1.{}.{signature}", B64.encode(forged));
    assert_eq!(code(ring.verify(&forged_token, NOW, 0)), "bad_signature");
}

#[test]
fn claims_are_type_checked_even_when_signed() {
    let ring = ring();
    let cases = [
        (
            r#"{"iat":1,"kid":"k1","pk":"p","sub":"s"}"#,
            "exp",
            ClaimProblem::Missing,
        ),
        (
            r#"{"exp":"2","iat":1,"kid":"k1","pk":"p","sub":"s"}"#,
            "exp",
            ClaimProblem::NotSafeInteger,
        ),
        (
            r#"{"exp":2,"iat":-1,"kid":"k1","pk":"p","sub":"s"}"#,
            "iat",
            ClaimProblem::NotSafeInteger,
        ),
        (
            r#"{"exp":2.5,"iat":1,"kid":"k1","pk":"p","sub":"s"}"#,
            "exp",
            ClaimProblem::NotSafeInteger,
        ),
        (
            r#"{"exp":9007199254740992,"iat":1,"kid":"k1","pk":"p","sub":"s"}"#,
            "exp",
            ClaimProblem::NotSafeInteger,
        ),
        (
            r#"{"exp":2,"iat":1,"kid":"k1","pk":"p"}"#,
            "sub",
            ClaimProblem::Missing,
        ),
        (
            r#"{"exp":2,"iat":1,"kid":"k1","pk":null,"sub":"s"}"#,
            "pk",
            ClaimProblem::NotString,
        ),
        (
            r#"{"exp":2,"iat":1,"kid":"k1","pk":"p","sub":7}"#,
            "sub",
            ClaimProblem::NotString,
        ),
        (
            r#"{"exp":2,"iat":1,"kid":"k1","perms":"a","pk":"p","sub":"s"}"#,
            "perms",
            ClaimProblem::NotStringArray,
        ),
        (
            r#"{"exp":2,"iat":1,"kid":"k1","perms":[1],"pk":"p","sub":"s"}"#,
            "perms",
            ClaimProblem::NotStringArray,
        ),
        (
            r#"{"exp":2,"iat":1,"pk":"p","sub":"s"}"#,
            "kid",
            ClaimProblem::Missing,
        ),
        (
            r#"{"exp":2,"iat":1,"kid":1,"pk":"p","sub":"s"}"#,
            "kid",
            ClaimProblem::NotString,
        ),
    ];
    for (payload, claim, problem) in cases {
        assert_eq!(
            ring.verify(&signed(payload), 1, 0).unwrap_err(),
            MwtError::InvalidClaims { claim, problem }
        );
    }
}

#[test]
fn expiry_and_issue_time_with_leeway() {
    let ring = ring();
    let token = ring.issue(Claims::new("s", "p", 1000, 2000)).unwrap();
    assert!(
        ring.verify(&token, 2000, 0).is_ok(),
        "valid through the exp second"
    );
    assert_eq!(
        ring.verify(&token, 2001, 0).unwrap_err(),
        MwtError::Expired {
            exp: 2000,
            now: 2001,
            leeway: 0
        }
    );
    assert!(ring.verify(&token, 2060, 60).is_ok(), "expired but within leeway");
    assert_eq!(code(ring.verify(&token, 2061, 60)), "expired");
    assert!(ring.verify(&token, 1000, 0).is_ok());
    assert_eq!(
        ring.verify(&token, 999, 0).unwrap_err(),
        MwtError::NotYetValid {
            iat: 1000,
            now: 999,
            leeway: 0
        }
    );
    assert!(ring.verify(&token, 940, 60).is_ok());
    assert_eq!(code(ring.verify(&token, 939, 60)), "not_yet_valid");
    assert!(ring.verify(&token, u64::MAX, u64::MAX).is_ok(), "no overflow");
}

#[test]
fn rotation_keeps_old_tokens_valid_until_their_key_is_removed() {
    let mut ring = ring();
    let old = ring.issue(claims()).unwrap();
    ring.insert("k2", b"the next secret, rotated in 2025").unwrap();
    assert_eq!(
        ring.verify(&ring.issue(claims()).unwrap(), NOW, 0).unwrap().kid,
        "k1",
        "insert does not activate"
    );
    ring.set_active("k2").unwrap();
    let new = ring.issue(claims()).unwrap();
    assert_eq!(ring.verify(&new, NOW, 0).unwrap().kid, "k2");
    assert_eq!(ring.verify(&old, NOW, 0).unwrap().kid, "k1");
    assert_eq!(
        ring.remove("k2"),
        Err(KeyringError::RemovingActiveKey { kid: "k2".into() })
    );
    ring.remove("k1").unwrap();
    assert_eq!(code(ring.verify(&old, NOW, 0)), "unknown_kid");
    assert_eq!(ring.kids().collect::<Vec<_>>(), ["k2"]);
    assert_eq!(
        ring.set_active("k1"),
        Err(KeyringError::UnknownKid { kid: "k1".into() })
    );
}

#[test]
fn keyring_rejects_empty_ids_and_secrets() {
    assert_eq!(Keyring::new("", b"s").unwrap_err(), KeyringError::EmptyKid);
    assert_eq!(
        Keyring::new("k", b"").unwrap_err(),
        KeyringError::EmptySecret { kid: "k".into() }
    );
}

#[test]
fn issuing_rejects_reserved_names_and_unsafe_times() {
    let ring = ring();
    let reserved = Claims::new("s", "p", 1, 2).with_claim("perms", json!([]));
    assert_eq!(
        ring.issue(reserved).unwrap_err(),
        IssueError::ReservedClaim { name: "perms".into() }
    );
    let late = Claims::new("s", "p", 1, MAX_SAFE_INTEGER + 1);
    assert!(matches!(
        ring.issue(late).unwrap_err(),
        IssueError::TimeOutOfRange { claim: "exp", .. }
    ));
}

#[test]
fn debug_never_shows_secrets() {
    let debug = format!("{:?}", ring());
    assert!(
        !debug.contains("0123456789abcdef") && debug.contains("redacted"),
        "{debug}"
    );
}

#[test]
fn permission_key_claim_is_checked_against_perms() {
    let secret = b"perm secret";
    let pk = crate::permission_key(secret, ["b", "a"]);
    assert!(
        Claims::new("s", pk.clone(), 1, 2)
            .with_perms(["a", "b", "a"])
            .permission_key_matches(secret)
    );
    assert!(
        !Claims::new("s", pk.clone(), 1, 2)
            .with_perms(["a"])
            .permission_key_matches(secret)
    );
    assert!(!Claims::new("s", pk, 1, 2).permission_key_matches(secret));
}

#[test]
fn decode_mwt_unverified_reads_claims_of_any_signature() {
    let token = Keyring::new("zz", b"unknown to anyone")
        .unwrap()
        .issue(claims())
        .unwrap();
    assert_eq!(decode_mwt_unverified(&token).unwrap()["sub"], "user-1");
    assert_eq!(
        decode_mwt_unverified("mwt9.a.b").unwrap_err().code(),
        MwtErrorCode::WrongVersion
    );
}

#[test]
fn serde_json_raw_value_marker_is_an_ordinary_claim() {
    let ring = ring();
    let payload = r#"{"$serde_json::private::RawValue":[],"exp":2,"iat":1,"kid":"k1","pk":"p","sub":"s"}"#;
    let claims = ring.verify(&signed(payload), 1, 0).unwrap();
    assert_eq!(claims.extra["$serde_json::private::RawValue"], json!([]));
}

#[test]
fn payloads_too_long_for_the_stack_buffer_verify_the_same() {
    // Decoded payloads over 768 bytes take the heap path of `verify`.
    let long = "x".repeat(2000);
    let token = ring().issue(claims().with_claim("note", json!(long))).unwrap();
    let verified = ring().verify(&token, NOW, 0).unwrap();
    assert_eq!(verified.extra["note"], json!(long));
    // And a forged signature is still caught there.
    let (unsigned, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{unsigned}.{}", "A".repeat(43));
    assert_eq!(code(ring().verify(&forged, NOW, 0)), "bad_signature");
}

proptest::proptest! {
    /// The payload's decoder refuses exactly what `base64` (and so the issuer's encoder,
    /// and the spec's unpadded base64url) refuses: padding, non-canonical trailing bits, a
    /// length of one more than a multiple of four, characters of other alphabets.
    #[test]
    fn the_payload_decoder_agrees_with_base64(text in "[A-Za-z0-9_=+/.-]{0,13}") {
        let token = format!("mwt1.{text}.{}", B64.encode([0u8; 32]));
        let refused = ring().verify(&token, NOW, 0).unwrap_err();
        let encoding = matches!(refused, MwtError::BadEncoding { part: TokenPart::Payload });
        let shape = matches!(refused, MwtError::Malformed { .. });
        if text.contains('.') || text.is_empty() {
            proptest::prop_assert!(shape, "{text}: {refused:?}");
        } else {
            proptest::prop_assert_eq!(encoding, B64.decode(&text).is_err(), "{}: {:?}", text, refused);
        }
    }
}

#[test]
fn a_fourth_part_is_named_before_an_empty_part_or_a_bad_encoding() {
    let reason = |token: &str| match ring().verify(token, NOW, 0) {
        Err(MwtError::Malformed { reason }) => reason,
        other => panic!("{token}: {other:?}"),
    };
    let three = "expected three '.'-separated parts";
    for token in [
        "mwt1.e30",
        "mwt1...",
        "mwt1.a.b.",
        "mwt1.a.b.c",
        "mwt1.a$.b.c",
        "mwt1..b.c",
    ] {
        assert_eq!(reason(token), three, "{token}");
    }
    for token in ["mwt1..", "mwt1..AAAA", "mwt1.e30."] {
        assert_eq!(reason(token), "empty part", "{token}");
    }
    assert_eq!(code(ring().verify("mwt1.e3$.AAAA", NOW, 0)), "bad_encoding");
}
