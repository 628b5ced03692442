//! Checks, on the raw document, the rules that progenitor would otherwise enforce with a panic
//! or silently bend, so that a broken spec fails with a message naming the place to fix.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::GenError;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Validates the whole document, collecting every problem before failing.
pub(crate) fn document(doc: &Value) -> Result<(), GenError> {
    let mut problems = Vec::new();
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => problems.push(format!(
            "`openapi: {v}`: only OpenAPI 3.0.x is supported (progenitor 0.15 rejects 3.1)"
        )),
        None => problems.push("missing `openapi: 3.0.3` version field".to_owned()),
    }
    check_operations(doc, &mut problems);
    check_inline_enums(doc, &mut problems);
    each_object(doc, "#", &mut |map, at| {
        check_ref(doc, map, at, &mut problems);
        check_sensitive_mark(map, at, &mut problems);
        check_amount_mark(map, at, &mut problems);
    });
    if problems.is_empty() {
        Ok(())
    } else {
        Err(GenError::Invalid(problems))
    }
}

/// Calls `check` with every object of the document and where it is (`#/components/…`).
fn each_object(node: &Value, at: &str, check: &mut impl FnMut(&Map<String, Value>, &str)) {
    match node {
        Value::Object(map) => {
            check(map, at);
            for (key, child) in map {
                each_object(child, &format!("{at}/{key}"), check);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                each_object(child, &format!("{at}/{i}"), check);
            }
        }
        _ => {}
    }
}

/// Whether the object at `at` is a parameter or inside one (`#/components/parameters/…`,
/// `…/get/parameters/0/…`), not a schema property that happens to be named `parameters`.
fn in_parameter(at: &str) -> bool {
    let segments: Vec<&str> = at.split('/').collect();
    segments
        .windows(2)
        .any(|pair| pair[1] == "parameters" && pair[0] != "properties")
}

/// Every `$ref` must point inside this document at something that exists.
fn check_ref(root: &Value, map: &Map<String, Value>, at: &str, problems: &mut Vec<String>) {
    if let Some(target) = map.get("$ref").and_then(Value::as_str) {
        let resolved = target
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer));
        if resolved.is_none() {
            problems.push(format!("{at}: `$ref: {target}` points at nothing"));
        }
    }
}

fn check_operations(doc: &Value, problems: &mut Vec<String>) {
    let mut seen_ids = BTreeSet::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        problems.push("missing `paths`".to_owned());
        return;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let place = format!("{} {path}", method.to_uppercase());
            match op.get("operationId").and_then(Value::as_str) {
                Some(id) if !seen_ids.insert(id.to_owned()) => {
                    problems.push(format!("{place}: operationId `{id}` is used twice"))
                }
                Some(_) => {}
                None => problems.push(format!(
                    "{place}: missing operationId (it names the client method)"
                )),
            }
            if op
                .get(crate::prepare::IDEMPOTENT_EXTENSION)
                .is_some_and(|mark| !mark.is_boolean())
            {
                problems.push(format!(
                    "{place}: `{}` is `true` or `false`",
                    crate::prepare::IDEMPOTENT_EXTENSION
                ));
            }
            match op.get(crate::prepare::CALL_EXTENSION) {
                Some(Value::String(_) | Value::Bool(false)) => {}
                _ => problems.push(format!(
                    "{place}: `{}` must say where the ergonomic client starts the operation \
                     (`link(id).accounts`), or be `false` for one the client sends itself",
                    crate::prepare::CALL_EXTENSION
                )),
            }
            let is_kebab = |word: &str| {
                word.starts_with(|c: char| c.is_ascii_lowercase())
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            };
            if let Some(cli) = op.get(crate::prepare::CLI_EXTENSION)
                && !cli
                    .as_str()
                    .is_some_and(|words| !words.is_empty() && words.split(' ').all(is_kebab))
            {
                problems.push(format!(
                    "{place}: `{}` is the CLI command's words in kebab case (`accounts list`)",
                    crate::prepare::CLI_EXTENSION
                ));
            }
            let params = item
                .get("parameters")
                .into_iter()
                .chain(op.get("parameters"))
                .filter_map(Value::as_array)
                .flatten()
                .map(|p| crate::resolve(doc, p));
            for param in params {
                let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
                if let Some(flag) = param.get(crate::prepare::CLI_FLAG_EXTENSION)
                    && !flag.as_str().is_some_and(is_kebab)
                {
                    problems.push(format!(
                        "{place}: `{}` of `{name}` is one flag name in kebab case",
                        crate::prepare::CLI_FLAG_EXTENSION
                    ));
                }
                match param.get("in").and_then(Value::as_str) {
                    Some("path") if param.get("required") != Some(&Value::Bool(true)) => problems
                        .push(format!(
                            "{place}: path parameter `{name}` must be `required: true`"
                        )),
                    Some("cookie") => problems.push(format!(
                        "{place}: cookie parameter `{name}` is not supported by progenitor"
                    )),
                    _ => {}
                }
            }
            check_responses(doc, &place, op, problems);
        }
    }
}

fn check_responses(doc: &Value, place: &str, op: &Value, problems: &mut Vec<String>) {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        problems.push(format!("{place}: no responses"));
        return;
    };
    let mut success_bodies = BTreeSet::new();
    for (status, response) in responses {
        let response = crate::resolve(doc, response);
        let code: Option<u16> = status.parse().ok();
        if code.is_none() {
            problems.push(format!(
                "{place}: response `{status}`: give every response its exact status code \
                 (ranges and `default` would merge distinct error schemas)"
            ));
        }
        for (media, body) in response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if media.starts_with("application/json") && body.get("schema").is_none() {
                problems.push(format!(
                    "{place}: response {status} `{media}` has no schema"
                ));
            }
            if code.is_some_and(|c| (200..300).contains(&c)) {
                success_bodies.insert(body.get("schema").map(Value::to_string));
            }
        }
    }
    if success_bodies.len() > 1 {
        problems.push(format!(
            "{place}: success responses have {} different bodies; progenitor needs one",
            success_bodies.len()
        ));
    }
}

/// A sensitivity mark the generator does not know would silently leave a value unmasked.
fn check_sensitive_mark(map: &Map<String, Value>, at: &str, problems: &mut Vec<String>) {
    let extension = crate::prepare::SENSITIVE_EXTENSION;
    let Some(mark) = map.get(extension) else {
        return;
    };
    if crate::prepare::sensitive_format(mark).is_none() {
        problems.push(format!(
            "{at}: `{extension}: {mark}`: use `true` (a number, shown as its last four \
             characters) or `secret` (a credential, shown as nothing)"
        ));
    }
    // A parameter is written into the URL or a header by `Display`, which masks: the request
    // would carry `••••`.
    if in_parameter(at) {
        problems.push(format!(
            "{at}: `{extension}` cannot mark a parameter (it would be sent masked)"
        ));
    }
}

/// Every number in a body says whether it is money (`x-moneykit-amount`), so a new amount cannot
/// become an `f64` by being forgotten, and the mark sits only on numbers. Parameters take no
/// mark: a parameter is written into the URL, where an amount would need a text form of its own.
fn check_amount_mark(map: &Map<String, Value>, at: &str, problems: &mut Vec<String>) {
    let extension = crate::prepare::AMOUNT_EXTENSION;
    let is_number = map.get("type").and_then(Value::as_str) == Some("number");
    let in_parameter = in_parameter(at);
    match map.get(extension) {
        Some(_) if in_parameter => problems.push(format!(
            "{at}: `{extension}` cannot mark a parameter (it would be sent in the URL)"
        )),
        Some(Value::Bool(_)) if is_number => {}
        Some(mark) if is_number => problems.push(format!(
            "{at}: `{extension}: {mark}`: use `true` (an amount of money, decoded exactly) or \
             `false` (any other number)"
        )),
        Some(_) => problems.push(format!(
            "{at}: `{extension}` belongs on a `type: number` schema only"
        )),
        None if is_number && !in_parameter => problems.push(format!(
            "{at}: a number needs `{extension}: true` (an amount of money, decoded exactly) or \
             `{extension}: false`"
        )),
        None => {}
    }
}

/// Named enums become open enums (see `prepare`); an inline enum with several values would
/// silently stay closed, so it must be named. One-value inline enums are constants (FastAPI
/// `Literal`s such as an error's `error_code`) and stay closed: they tell union members apart.
fn check_inline_enums(doc: &Value, problems: &mut Vec<String>) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, schema) in schemas {
        for (prop, prop_schema) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let values = prop_schema
                .get("enum")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if values > 1 {
                problems.push(format!(
                    "components/schemas/{name}/properties/{prop}: inline enum with {values} values; \
                     move it to components/schemas so it is generated as one open enum"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_property_named_parameters_is_not_a_parameter() {
        assert!(in_parameter("#/components/parameters/LinkId/schema"));
        assert!(in_parameter(
            "#/paths/~1links~1{id}/get/parameters/0/schema"
        ));
        assert!(!in_parameter(
            "#/components/schemas/Job/properties/parameters/items"
        ));
        assert!(!in_parameter("#/components/schemas/Job/properties/amount"));
    }
}
