//! `check_json_input` agrees with `parse_json_input` on every text: it accepts exactly what
//! the strict parse accepts and refuses the rest with the same error. The texts are built
//! to hit what the strict reading refuses: member names repeated (also through escapes),
//! lone surrogates, numbers beyond the double range, and plain syntax errors.

use mizan_core::{FunctionError, check_json_input, check_raw_input, parse_json_input};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::value::RawValue;

fn text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("-0".to_owned()),
        Just("1.5e3".to_owned()),
        Just("1e400".to_owned()),
        Just("123456789012345678901234567890".to_owned()),
        Just(r#""\ud800""#.to_owned()),
        Just(r#""\ud83d\ude00""#.to_owned()),
        Just(r#""\u0000 ok""#.to_owned()),
        Just("01".to_owned()),
        Just("[1,]".to_owned()),
        Just(" 2 ".to_owned()),
        Just("-12.5E-3".to_owned()),
        Just(format!("1{}", "0".repeat(310))),
        Just(r#""a\"b\\""#.to_owned()),
        "[a-z]{0,3}".prop_map(|s| format!("\"{s}\"")),
    ];
    // Few names, one of them also written with an escape, so objects repeat names often.
    let name = prop_oneof![
        Just("a"),
        Just("b"),
        Just("\\u0061"),
        Just("\\ud800"),
        Just("/"),
        Just("\\/")
    ];
    leaf.prop_recursive(4, 40, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((name.clone(), inner), 0..5).prop_map(|members| {
                let members: Vec<String> = members.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// `checked` accepts when the strict parse of `text` does, and refuses with its error.
fn agrees_with_the_strict_parse(text: &str, checked: Result<(), FunctionError>) -> Result<(), TestCaseError> {
    let parsed = parse_json_input(text.as_bytes()).map(drop);
    match (&parsed, &checked) {
        (Ok(()), Ok(())) => {}
        (Err(want), Err(got)) => {
            prop_assert_eq!(want.code(), got.code(), "{}", text);
            prop_assert_eq!(want.details(), got.details(), "{}", text);
        }
        _ => prop_assert!(false, "{}: parse {:?}, check {:?}", text, parsed, checked),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_check_accepts_and_refuses_as_the_strict_parse(text in text()) {
        agrees_with_the_strict_parse(&text, check_json_input(text.as_bytes()))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// On a text serde_json reads as a raw value, the raw value's check accepts and refuses
    /// as the strict parse, with its error.
    #[test]
    fn the_raw_check_accepts_and_refuses_as_the_strict_parse(text in text()) {
        let Ok(raw) = serde_json::from_str::<&RawValue>(&text) else {
            return Ok(());
        };
        agrees_with_the_strict_parse(&text, check_raw_input(raw))?;
    }
}
