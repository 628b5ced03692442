//! The spec check shared by `spec.rs` and `spec_kit.rs`: `openapi.yaml` as JSON Schema, and a
//! checker that validates each response against the schema declared for its operation and
//! status and remembers which declared statuses were produced.

// Each test file uses only some of these.
#![allow(dead_code)]

use std::collections::BTreeSet;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

/// (path template, suffix after `/links/{id}`).
pub const LINK_ENDPOINTS: &[(&str, &str)] = &[
    ("/links/{id}", ""),
    ("/links/{id}/accounts", "/accounts"),
    ("/links/{id}/accounts/numbers", "/accounts/numbers"),
];

/// `openapi.yaml` as JSON, with OpenAPI 3.0's `nullable: true` rewritten to JSON Schema.
pub fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
        .expect("read openapi.yaml");
    let mut spec: Value = yaml_serde::from_str(&text).expect("parse openapi.yaml");
    rewrite_nullable(&mut spec);
    spec
}

fn rewrite_nullable(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(rewrite_nullable);
            if map.remove("nullable") == Some(Value::Bool(true)) {
                let schema = Value::Object(std::mem::take(map));
                map.insert("anyOf".into(), json!([{ "type": "null" }, schema]));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_nullable),
        _ => {}
    }
}

/// Checks responses and remembers which declared (path, method, status) were produced.
pub struct Checker {
    pub spec: Value,
    seen: BTreeSet<(String, String, String)>,
    checked: usize,
}

impl Checker {
    pub fn new() -> Self {
        Checker {
            spec: spec(),
            seen: BTreeSet::new(),
            checked: 0,
        }
    }

    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let root = json!({ "allOf": [schema], "components": self.spec["components"] });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .expect("the spec's schema compiles")
    }

    pub fn schema_errors(&self, schema: &Value, body: &Value) -> Vec<String> {
        self.validator(schema)
            .iter_errors(body)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect()
    }

    /// Sends `request`, checks status, content type and body against `template`/`method`.
    pub async fn check(
        &mut self,
        template: &str,
        method: &Method,
        request: RequestBuilder,
    ) -> (StatusCode, Value) {
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status();
        let content_type = crate::common::content_type(&response);
        let retry_after = response.headers().get("retry-after").cloned();
        let body: Value = response.json().await.expect("the body is JSON");
        let context = format!("{method} {template} -> {status}: {body}");
        assert_eq!(content_type, "application/json", "{context}");
        if status == StatusCode::TOO_MANY_REQUESTS {
            let seconds: u64 = retry_after
                .and_then(|v| v.to_str().ok().and_then(|v| v.parse().ok()))
                .unwrap_or_else(|| panic!("429 without a Retry-After in seconds: {context}"));
            assert!((1..=60).contains(&seconds), "{context}");
        }
        let operation = &self.spec["paths"][template][method.as_str().to_lowercase()];
        assert!(
            operation.is_object(),
            "{template} {method} is not in the spec"
        );
        let declared = &operation["responses"][status.as_str()];
        assert!(declared.is_object(), "undeclared status: {context}");
        self.seen.insert((
            template.to_owned(),
            method.to_string(),
            status.as_str().to_owned(),
        ));
        let schema = declared["content"]["application/json"]["schema"].clone();
        let errors = self.schema_errors(&schema, &body);
        assert!(errors.is_empty(), "{context}\nschema errors: {errors:#?}");
        self.checked += 1;
        (status, body)
    }

    fn declared(&self) -> BTreeSet<(String, String, String)> {
        let mut declared = BTreeSet::new();
        for (path, item) in self.spec["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                let Some(responses) = operation["responses"].as_object() else {
                    continue;
                };
                for status in responses.keys() {
                    declared.insert((path.clone(), method.to_uppercase(), status.clone()));
                }
            }
        }
        declared
    }

    /// Every declared (path, method, status) was produced by some request checked so far.
    pub fn assert_every_declared_status_was_produced(&self) {
        let declared = self.declared();
        let missing: Vec<_> = declared.difference(&self.seen).collect();
        assert!(
            missing.is_empty(),
            "declared but never produced: {missing:?}"
        );
        assert!(
            self.checked > 100,
            "only {} responses checked",
            self.checked
        );
    }
}
