//! The JSON Schemas in docs/schema/ match what msbc really emits and reads.
//!
//! The schemas are checked with a small validator for the subset of JSON
//! Schema (2020-12) they use. It refuses any keyword it does not know, so a
//! schema cannot lean on a rule that goes unchecked here.

use crate::cli::{run, text};
use crate::support::root;
use msbc::config::Config;
use msbc::diagnostic::{Code, Severity};
use serde_json::{json, Value};
use std::collections::BTreeSet;

pub fn schema(name: &str) -> Value {
    let path = root().join("docs/schema").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The places where `value` breaks `schema`, as `path: reason` lines.
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, schema, value, "$", &mut out);
    out
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("unknown type {other}"),
    }
}

fn check(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let Some(rules) = schema.as_object() else {
        panic!("{path}: a schema must be an object: {schema}");
    };
    for (keyword, rule) in rules {
        match keyword.as_str() {
            "$schema" | "$id" | "title" | "description" | "examples" | "default" | "$defs" => {}
            "$ref" => {
                let pointer = rule
                    .as_str()
                    .unwrap()
                    .strip_prefix('#')
                    .expect("local references only");
                let target = root.pointer(pointer).unwrap_or_else(|| panic!("no {pointer}"));
                check(root, target, value, path, out);
            }
            "type" => {
                let names: Vec<&str> = match rule {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
                    _ => panic!("bad type"),
                };
                if !names.iter().any(|n| type_matches(n, value)) {
                    out.push(format!("{path}: {value} is not of type {names:?}"));
                }
            }
            "enum" => {
                if !rule.as_array().unwrap().contains(value) {
                    out.push(format!("{path}: {value} is not one of {rule}"));
                }
            }
            "pattern" => {
                if let Some(s) = value.as_str() {
                    if !regex::Regex::new(rule.as_str().unwrap()).unwrap().is_match(s) {
                        out.push(format!("{path}: {s:?} does not match {rule}"));
                    }
                }
            }
            "minimum" => {
                if let (Some(v), Some(min)) = (value.as_f64(), rule.as_f64()) {
                    if v < min {
                        out.push(format!("{path}: {v} < {min}"));
                    }
                }
            }
            "minItems" => {
                if let Some(a) = value.as_array() {
                    if (a.len() as u64) < rule.as_u64().unwrap() {
                        out.push(format!("{path}: fewer than {rule} items"));
                    }
                }
            }
            "required" => {
                if let Some(o) = value.as_object() {
                    for key in rule.as_array().unwrap() {
                        if !o.contains_key(key.as_str().unwrap()) {
                            out.push(format!("{path}: missing {key}"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(o) = value.as_object() {
                    for (key, sub) in rule.as_object().unwrap() {
                        if let Some(v) = o.get(key) {
                            check(root, sub, v, &format!("{path}.{key}"), out);
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(o) = value.as_object() {
                    let known: BTreeSet<&str> = rules
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    for (key, v) in o {
                        if known.contains(key.as_str()) {
                            continue;
                        }
                        match rule {
                            Value::Bool(false) => out.push(format!("{path}: unexpected key {key:?}")),
                            Value::Bool(true) => {}
                            sub => check(root, sub, v, &format!("{path}.{key}"), out),
                        }
                    }
                }
            }
            "propertyNames" => {
                if let Some(o) = value.as_object() {
                    for key in o.keys() {
                        check(root, rule, &json!(key), &format!("{path}[{key:?}]"), out);
                    }
                }
            }
            "items" => {
                if let Some(a) = value.as_array() {
                    for (i, v) in a.iter().enumerate() {
                        check(root, rule, v, &format!("{path}[{i}]"), out);
                    }
                }
            }
            other => panic!("{path}: the test validator does not know the keyword {other:?}"),
        }
    }
}

/// Every property name a schema declares, at any depth.
fn declared(schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(o) => {
            for (k, v) in o {
                if k == "properties" {
                    out.extend(v.as_object().unwrap().keys().cloned());
                }
                declared(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| declared(v, out)),
        _ => {}
    }
}

/// Every key a document holds, at any depth.
pub fn emitted(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(o) => {
            for (k, v) in o {
                out.insert(k.clone());
                emitted(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| emitted(v, out)),
        _ => {}
    }
}

#[test]
fn the_validator_catches_what_the_schemas_forbid() {
    let s = schema("diagnostics.schema.json");
    assert!(violations(&s, &json!({"diagnostics": [], "errors": 0, "warnings": 0})).is_empty());
    assert!(!violations(&s, &json!({"diagnostics": [], "errors": 0})).is_empty());
    assert!(!violations(&s, &json!({"diagnostics": [], "errors": -1, "warnings": 0})).is_empty());
    assert!(!violations(&s, &json!({"diagnostics": [{}], "errors": 0, "warnings": 0})).is_empty());
    assert!(!violations(
        &s,
        &json!({"diagnostics": [], "errors": 0, "warnings": 0, "x": 1})
    )
    .is_empty());
}

/// Real `check --format json` output, over every fixture that raises a
/// diagnostic (and a clean program), is valid; and the schema declares no
/// field that msbc never emits.
#[test]
fn check_json_output_matches_the_schema() {
    let s = schema("diagnostics.schema.json");
    let data = root().join("tests/data");
    let mut files: Vec<String> = Vec::new();
    for folder in ["check/err", "check/ok", "parse"] {
        for entry in std::fs::read_dir(data.join(folder)).unwrap() {
            files.push(entry.unwrap().path().display().to_string());
        }
    }
    files.sort();
    files.push(root().join("examples/seed-go/app.msb").display().to_string());
    let mut keys = BTreeSet::new();
    let mut codes = BTreeSet::new();
    // One run for all files, and one per file (an empty list included).
    let mut runs = vec![files.clone()];
    runs.extend(files.iter().map(|f| vec![f.clone()]));
    for args in runs {
        let mut argv = vec!["check", "--format", "json"];
        argv.extend(args.iter().map(String::as_str));
        let out = run(&argv);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out.stderr));
        let document: Value = serde_json::from_slice(&out.stdout).unwrap();
        let problems = violations(&s, &document);
        assert!(problems.is_empty(), "{args:?}:\n{}", problems.join("\n"));
        emitted(&document, &mut keys);
        for d in document["diagnostics"].as_array().unwrap() {
            codes.insert(d["code"].as_str().unwrap().to_string());
        }
    }
    let mut schema_keys = BTreeSet::new();
    declared(&s, &mut schema_keys);
    assert_eq!(
        keys, schema_keys,
        "the schema's fields are exactly those msbc emits"
    );
    assert!(codes.len() > 20, "many codes were seen: {codes:?}");
}

/// `compile --format json` writes the same document on standard error.
#[test]
fn compile_json_output_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.msb");
    std::fs::write(&file, "image go = \"golang\"\nruntime app from og {\n}\n").unwrap();
    let out = run(&["compile", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&out.stderr).unwrap();
    let problems = violations(&schema("diagnostics.schema.json"), &document);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Table of msbc.toml files: the schema accepts exactly those msbc accepts.
#[test]
fn msbc_toml_schema_agrees_with_the_config_reader() {
    let s = schema("msbc-toml.schema.json");
    let warnings: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.default_severity() == Severity::Warning)
        .map(|c| c.as_str())
        .collect();
    let mut cases: Vec<String> = vec![
        String::new(),
        "[runtime]\nuser = \"10001:10001\"".into(),
        "[runtime]\nuser = \"10001\"".into(),
        "[runtime]\nuser = \"app\"".into(),
        "[runtime]\nuser = \"1:2:3\"".into(),
        "[runtime]\nuser = \":1\"".into(),
        "[runtime]\nuser = 10001".into(),
        "[runtime]\ngroup = \"1\"".into(),
        "[compile]\nprofile = \"legacy\"".into(),
        "[compile]\nprofile = \"modern\"".into(),
        "[compile]\nprofile = \"Modern\"".into(),
        "[compile]\ntarget = \"app\"".into(),
        "[lints]\nE0301 = \"allow\"".into(),
        "[lints]\nW9999 = \"allow\"".into(),
        "[lints]\nW0004 = \"forbid\"".into(),
        "[lints]\nw0004 = \"deny\"".into(),
        "[output]\npath = \"x\"".into(),
        "[runtime]\n[compile]\n[lints]".into(),
    ];
    for code in &warnings {
        for level in ["allow", "warn", "deny"] {
            cases.push(format!("[lints]\n{code} = \"{level}\""));
        }
    }
    for case in &cases {
        let Ok(document) = toml::from_str::<Value>(case) else {
            panic!("not TOML: {case}");
        };
        let by_msbc = Config::parse(case).is_ok();
        let by_schema = violations(&s, &document).is_empty();
        assert_eq!(by_msbc, by_schema, "msbc and the schema disagree on:\n{case}");
    }
    // The lint pattern names exactly the warning codes.
    let pattern = s
        .pointer("/properties/lints/propertyNames/pattern")
        .unwrap()
        .as_str()
        .unwrap();
    let listed: BTreeSet<String> = pattern
        .trim_start_matches("^[Ww](")
        .trim_end_matches(")$")
        .split('|')
        .map(|n| format!("W{n}"))
        .collect();
    let expected: BTreeSet<String> = warnings.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        listed, expected,
        "update the [lints] pattern in msbc-toml.schema.json"
    );
}

/// The sections and keys msbc.toml knows, as the reader's own error message
/// lists them, are the schema's.
#[test]
fn msbc_toml_schema_lists_every_key() {
    let s = schema("msbc-toml.schema.json");
    let expected_fields = |toml: &str| -> BTreeSet<String> {
        let message = Config::parse(toml).unwrap_err();
        let list = message
            .split("expected")
            .nth(1)
            .unwrap_or_else(|| panic!("{message}"));
        list.split('`').skip(1).step_by(2).map(str::to_string).collect()
    };
    let keys = |pointer: &str| -> BTreeSet<String> {
        s.pointer(pointer)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(expected_fields("unknown = 1"), keys("/properties"));
    // A section with one field: serde names it alone ("expected `user`").
    assert_eq!(
        expected_fields("[runtime]\nunknown = 1"),
        keys("/properties/runtime/properties")
    );
    assert_eq!(
        expected_fields("[compile]\nunknown = 1"),
        keys("/properties/compile/properties")
    );
}
