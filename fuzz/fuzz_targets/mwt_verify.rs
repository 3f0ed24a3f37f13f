//! Arbitrary bytes as a token against a fixed keyring: verification must never panic,
//! and anything it accepts must be what the keyring itself would issue.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mizan_core::Keyring;

static RING: LazyLock<Keyring> = LazyLock::new(|| {
    let mut ring = Keyring::new("k1", b"fuzzing secret one, 32 bytes....").expect("valid key");
    ring.insert("k2", b"fuzzing secret two").expect("valid key");
    ring
});

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    for (now, leeway) in [(0, 0), (1_700_000_000, 60), (u64::MAX, u64::MAX)] {
        if let Ok(claims) = RING.verify(token, now, leeway) {
            assert!(token.starts_with("mwt1."));
            assert!(RING.kids().any(|kid| kid == claims.kid));
        }
    }
    let _ = mizan_core::decode_mwt_unverified(token);
});
