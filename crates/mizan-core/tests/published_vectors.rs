//! Published third-party vectors, vendored under `spec/vectors/` with their licences:
//! Wycheproof's HMAC-SHA256 tests (`wycheproof/`) and the RFC 8785 reference test data
//! (`rfc8785/`, from the specification's author). The TypeScript suite checks the same
//! files (`test/publishedVectors.node.test.ts`).

use std::path::PathBuf;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/vectors")
}

/// Every Wycheproof case: the MAC of `msg` under `key`, truncated to `tagSize` bits, equals
/// `tag` exactly when the case is `valid`. The key derivation and MWT use this `hmac` crate.
#[test]
fn wycheproof_hmac_sha256() {
    let text = std::fs::read_to_string(vectors_dir().join("wycheproof/hmac_sha256_test.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for group in file["testGroups"].as_array().unwrap() {
        let tag_bytes = group["tagSize"].as_u64().unwrap() as usize / 8;
        for case in group["tests"].as_array().unwrap() {
            let hex_field = |name: &str| hex::decode(case[name].as_str().unwrap()).unwrap();
            let mut mac = Hmac::<Sha256>::new_from_slice(&hex_field("key")).unwrap();
            mac.update(&hex_field("msg"));
            let full = mac.finalize().into_bytes();
            let matches = full[..tag_bytes] == hex_field("tag")[..];
            assert_eq!(matches, case["result"] == "valid", "tcId {}", case["tcId"]);
            checked += 1;
        }
    }
    assert_eq!(checked, file["numberOfTests"].as_u64().unwrap());
}

/// Every RFC 8785 reference input canonicalizes to its output file, byte for byte.
#[test]
fn rfc8785_reference_data() {
    let dir = vectors_dir().join("rfc8785");
    let mut names: Vec<_> = std::fs::read_dir(dir.join("input"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6);
    for name in names {
        let input = std::fs::read_to_string(dir.join("input").join(&name)).unwrap();
        let expected = std::fs::read_to_string(dir.join("output").join(&name)).unwrap();
        assert_eq!(
            mizan_core::canonicalize_str(&input).unwrap(),
            expected,
            "{name:?}"
        );
    }
}
