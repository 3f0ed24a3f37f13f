//! Runs the built `mizan` binary against entries of spec/vectors.

use std::process::{Command, Output};

use serde_json::Value;

fn mizan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(args)
        .output()
        .expect("the mizan binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn vectors(name: &str) -> Vec<Value> {
    let path = format!("{}/../../spec/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("JSON")
}

fn field<'a>(entry: &'a Value, name: &str) -> &'a str {
    entry[name].as_str().expect("string field")
}

#[test]
fn keys_derive_prints_the_vector_cache_key() {
    for entry in vectors("cache_keys.json")
        .iter()
        .filter(|e| e["scope"] != "public")
        .take(4)
    {
        let input = entry["input"].to_string();
        let rev = entry["rev"].to_string();
        let output = mizan(&[
            "keys",
            "derive",
            "--secret-hex",
            field(entry, "secret_hex"),
            "--fn",
            field(entry, "fn"),
            "--input",
            &input,
            "--scope",
            field(entry, "scope"),
            "--who",
            field(entry, "who"),
            "--rev",
            &rev,
        ]);
        assert!(output.status.success(), "{output:?}");
        assert_eq!(stdout(&output).trim(), field(entry, "key"));
    }
}

#[test]
fn keys_perm_prints_the_vector_permission_key() {
    let entry = &vectors("permission_keys.json")[3];
    let perms: Vec<&str> = entry["perms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let mut args = vec!["keys", "perm", "--secret-hex", field(entry, "secret_hex")];
    args.extend(perms);
    let output = mizan(&args);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output).trim(), field(entry, "key"));
}

fn verify_args(entry: &Value) -> Vec<String> {
    let mut args: Vec<String> = vec!["token".into(), "verify".into(), field(entry, "token").into()];
    for (kid, secret) in entry["keys"].as_object().unwrap() {
        args.push("--key".into());
        args.push(format!("{kid}={}", secret.as_str().unwrap()));
    }
    args.extend([
        "--now".into(),
        entry["now"].to_string(),
        "--leeway".into(),
        entry["leeway"].to_string(),
    ]);
    args
}

#[test]
fn token_verify_accepts_valid_and_reports_rejection_codes() {
    let entries = vectors("mwt.json");
    let valid = entries.iter().find(|e| e["valid"] == true).unwrap();
    let args = verify_args(valid);
    let output = mizan(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).contains(field(&valid["claims"], "sub")));

    for code in ["bad_signature", "expired", "unknown_kid"] {
        let rejected = entries.iter().find(|e| e["error"] == code).unwrap();
        let args = verify_args(rejected);
        let output = mizan(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert_eq!(stdout(&output).trim(), format!("rejected: {code}"));
    }
}

#[test]
fn token_inspect_labels_claims_unverified() {
    let entry = vectors("mwt.json")
        .into_iter()
        .find(|e| e["error"] == "bad_signature")
        .unwrap();
    let output = mizan(&["token", "inspect", field(&entry, "token")]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.starts_with("UNVERIFIED"), "{text}");
    assert!(text.contains("kid:       k1"), "{text}");
}

#[test]
fn vectors_check_passes_on_the_committed_files() {
    let dir = format!("{}/../../spec/vectors", env!("CARGO_MANIFEST_DIR"));
    let output = mizan(&["vectors", "--check", "--out", &dir]);
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn schema_runs_the_app_and_prints_its_schema() {
    let manifest = format!("{}/../../Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("mizan-schema-{}.json", std::process::id()));
    let output = mizan(&[
        "schema",
        "--manifest-path",
        &manifest,
        "-p",
        "hello",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    std::fs::remove_file(&out).unwrap();
    assert_eq!(schema["version"], 1);
    assert_eq!(schema["functions"]["greet"]["cache"]["scope"], "public");
    assert_eq!(
        schema["compositions"]["home_page"]["members"],
        serde_json::json!(["greet", "whoami"])
    );
}

#[test]
fn schema_explains_a_package_that_does_not_export() {
    let manifest = format!("{}/../../Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    // The CLI itself does not export a schema: it prints usage, which is not JSON.
    let output = mizan(&["schema", "--manifest-path", &manifest, "-p", "mizan-cli"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("could not export the schema"),
        "{output:?}"
    );
}

#[test]
fn codegen_needs_the_npm_package_in_the_frontend() {
    let empty = std::env::temp_dir().join(format!("mizan-cli-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let schema = format!("{}/../../spec/vectors/access.json", env!("CARGO_MANIFEST_DIR"));
    let output = mizan(&[
        "codegen",
        "--schema",
        &schema,
        "--frontend",
        empty.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&empty).unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("has no `mizan` npm package"), "{stderr}");
    assert!(stderr.contains("scripts/pack-ts"), "{stderr}");
}

#[test]
fn codegen_says_which_source_failed() {
    // A frontend with the generator in place, so the source is what fails.
    let frontend = std::env::temp_dir().join(format!("mizan-cli-frontend-{}", std::process::id()));
    std::fs::create_dir_all(frontend.join("node_modules/.bin")).unwrap();
    std::fs::write(frontend.join("node_modules/.bin/mizan-codegen"), "").unwrap();
    let dir = frontend.to_str().unwrap();
    let not_a_schema = format!("{}/../../spec/vectors/access.json", env!("CARGO_MANIFEST_DIR"));
    let cases = [
        (
            vec!["--url", "http://127.0.0.1:1/mizan/schema"],
            "GET http://127.0.0.1:1/mizan/schema",
        ),
        (
            vec!["--schema", "/nonexistent/schema.json"],
            "/nonexistent/schema.json",
        ),
        (
            vec!["--schema", not_a_schema.as_str()],
            "is not a Mizan schema document",
        ),
        (
            vec!["--schema", not_a_schema.as_str(), "--interval", "0"],
            "not a positive number of seconds",
        ),
    ];
    for (args, expected) in cases {
        let output = mizan(&[&["codegen", "--frontend", dir][..], &args].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&frontend).unwrap();
}

#[test]
fn help_is_not_circular() {
    let output = mizan(&["schema", "--help"]);
    let help = stdout(&output);
    assert!(help.contains("export_if_requested"), "{help}");
    assert!(!help.contains("see `mizan schema --help`"), "{help}");
}

#[test]
fn new_writes_a_project_and_refuses_to_overwrite() {
    let parent = std::env::temp_dir().join(format!("mizan-cli-new-{}", std::process::id()));
    let dir = parent.join("my-app");
    let _ = std::fs::remove_dir_all(&parent);
    let written = mizan(&["new", dir.to_str().unwrap()]);
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(r#"name = "my-app""#), "{manifest}");
    let checkout = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
    assert!(
        manifest.contains(&format!("{}/crates/mizan", checkout.display())),
        "{manifest}"
    );
    let again = mizan(&["new", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let bad = mizan(&["new", parent.join("Bad Name").to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&parent).unwrap();
}
