//! Compile errors of the macros are part of the user experience: their wording is pinned
//! here (`TRYBUILD=overwrite cargo test -p mizan --test ui` after an intended change).

#[test]
fn macro_errors_read_well() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
