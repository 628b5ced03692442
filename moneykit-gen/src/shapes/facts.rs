//! The shape facts `openapi.yaml` states: optional nullable properties, keyed structs
//! (`x-moneykit-keyed-by`), extensions (`x-moneykit-extends`), items views
//! (`x-moneykit-items-view`) and lookups (`x-moneykit-lookup`), checked as they are read.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::GenError;
use crate::emit::rust_type_name;

/// Marks an object schema whose property names are the values of the named enum schema.
pub(super) const KEYED_BY_EXTENSION: &str = "x-moneykit-keyed-by";
/// Marks an object schema that has every property of the named schema, and more.
pub(super) const EXTENDS_EXTENSION: &str = "x-moneykit-extends";
/// Marks an object schema whose properties are all lists (of an object schema each): the
/// value names a borrowed enum with one variant per property, over the items of every list.
pub(super) const ITEMS_VIEW_EXTENSION: &str = "x-moneykit-items-view";
/// Marks the required string property that identifies an object: the value names the method
/// that finds one in a list of them by it.
pub(super) const LOOKUP_EXTENSION: &str = "x-moneykit-lookup";

/// What the spec says about shapes, for the generated walkers.
#[derive(Default)]
pub(crate) struct Shapes {
    /// `(Rust struct, JSON property)` of each optional, nullable property of a schema that is not
    /// only a request body: these become `Option<Option<T>>` so an explicit `null` survives a
    /// round trip.
    pub(super) nullable_optional: BTreeSet<(String, String)>,
    pub(super) keyed: Vec<Keyed>,
    pub(super) extends: Vec<Extends>,
    pub(super) items_views: Vec<ItemsView>,
    pub(super) lookups: Vec<Lookup>,
}

/// `x-moneykit-items-view: <View>` on `schema`.
pub(super) struct ItemsView {
    pub(super) schema: String,
    /// The name of the generated enum; its snake case names the iterator method.
    pub(super) view: String,
}

/// `x-moneykit-lookup: <method>` on `schema`'s `property`.
pub(super) struct Lookup {
    pub(super) schema: String,
    pub(super) property: String,
    pub(super) method: String,
}

pub(super) struct Keyed {
    pub(super) schema: String,
    pub(super) by_enum: String,
    /// The enum's values in spec order; the iteration order of the generated iterator.
    pub(super) values: Vec<String>,
}

pub(super) struct Extends {
    pub(super) schema: String,
    pub(super) base: String,
}

/// Reads the shape facts from the (validated, not yet prepared) document.
pub(crate) fn collect(doc: &Value) -> Result<Shapes, GenError> {
    let empty = serde_json::Map::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let requests = request_schemas(doc);
    let mut shapes = Shapes::default();
    let mut problems = Vec::new();
    for (name, schema) in schemas {
        if !requests.contains(name.as_str()) {
            // Optional as decoded: not required, or required since a date (`x-moneykit-added`).
            for (property, _) in properties(schema).filter(|(p, s)| {
                s.get("nullable") == Some(&Value::Bool(true))
                    && (!is_required(schema, p) || s.get("x-moneykit-added").is_some())
            }) {
                shapes
                    .nullable_optional
                    .insert((rust_type_name(name), property.clone()));
            }
        }
        if let Some(by) = schema.get(KEYED_BY_EXTENSION).and_then(Value::as_str) {
            match keyed(name, schema, by, schemas) {
                Ok(k) => shapes.keyed.push(k),
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(base) = schema.get(EXTENDS_EXTENSION).and_then(Value::as_str) {
            match extends(name, schema, base, schemas) {
                Ok(e) => shapes.extends.push(e),
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(view) = schema.get(ITEMS_VIEW_EXTENSION) {
            match items_view(name, schema, view, doc, schemas) {
                Ok(v) => shapes.items_views.push(v),
                Err(problem) => problems.push(problem),
            }
        }
        for (property, property_schema) in properties(schema) {
            if let Some(method) = property_schema.get(LOOKUP_EXTENSION) {
                match lookup(name, schema, property, property_schema, method) {
                    Ok(l) => shapes.lookups.push(l),
                    Err(problem) => problems.push(problem),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(shapes)
    } else {
        Err(GenError::Invalid(problems))
    }
}

fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

fn is_required(schema: &Value, property: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(property)))
}

/// The component schemas a request body can contain: request-only schemas such as the token
/// form keep typify's plain `Option`s, since nothing reads presence back from them.
fn request_schemas(doc: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending: Vec<&Value> = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .filter_map(|(_, op)| op.get("requestBody"))
        .collect();
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    && found.insert(name.to_owned())
                    && let Some(target) = doc.pointer(&format!("/components/schemas/{name}"))
                {
                    pending.push(target);
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    found
}

fn keyed(
    name: &str,
    schema: &Value,
    by: &str,
    schemas: &serde_json::Map<String, Value>,
) -> Result<Keyed, String> {
    let values: Vec<String> = schemas
        .get(by)
        .and_then(|e| e.get("enum"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            format!(
                "components/schemas/{name}: {KEYED_BY_EXTENSION} `{by}` is not a string enum schema"
            )
        })?
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let strays: Vec<&String> = properties(schema)
        .map(|(p, _)| p)
        .filter(|p| !values.contains(p))
        .collect();
    if !strays.is_empty() {
        return Err(format!(
            "components/schemas/{name}: properties {strays:?} are not values of `{by}` \
             ({KEYED_BY_EXTENSION}); add them to the enum"
        ));
    }
    Ok(Keyed {
        schema: name.to_owned(),
        by_enum: by.to_owned(),
        values,
    })
}

fn extends(
    name: &str,
    schema: &Value,
    base: &str,
    schemas: &serde_json::Map<String, Value>,
) -> Result<Extends, String> {
    let base_schema = schemas.get(base).ok_or_else(|| {
        format!("components/schemas/{name}: {EXTENDS_EXTENSION} names no schema `{base}`")
    })?;
    // Descriptions and examples may differ; what decodes must not.
    let shape = |s: &Value| {
        let mut s = s.clone();
        if let Some(map) = s.as_object_mut() {
            map.retain(|k, _| k != "description" && k != "example");
        }
        s
    };
    let mut problems = Vec::new();
    for (property, base_property) in properties(base_schema) {
        match schema.pointer(&format!("/properties/{property}")) {
            None => problems.push(format!("lacks `{property}`")),
            Some(p) if shape(p) != shape(base_property) => {
                problems.push(format!("declares `{property}` unlike `{base}` does"))
            }
            Some(_) if is_required(base_schema, property) != is_required(schema, property) => {
                problems.push(format!("requires `{property}` unlike `{base}` does"))
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(Extends {
            schema: name.to_owned(),
            base: base.to_owned(),
        })
    } else {
        Err(format!(
            "components/schemas/{name} ({EXTENDS_EXTENSION}: {base}) {}",
            problems.join(", ")
        ))
    }
}

fn items_view(
    name: &str,
    schema: &Value,
    view: &Value,
    doc: &Value,
    schemas: &serde_json::Map<String, Value>,
) -> Result<ItemsView, String> {
    let at = format!("components/schemas/{name} ({ITEMS_VIEW_EXTENSION})");
    let view = view
        .as_str()
        .filter(|v| is_type_name(v))
        .ok_or_else(|| format!("{at}: the value must be a Rust type name such as `Details`"))?;
    if schemas.keys().any(|s| rust_type_name(s) == view) {
        return Err(format!(
            "{at}: `{view}` is already the name of a schema's type"
        ));
    }
    // Every property must be a list of objects: a property of another shape would be left out
    // of the view without anyone noticing.
    let strays: Vec<&String> = properties(schema)
        .filter(|(_, p)| {
            let items = p.get("items").map(|items| crate::resolve(doc, items));
            p.get("type").and_then(Value::as_str) != Some("array")
                || p.get("items").and_then(|i| i.get("$ref")).is_none()
                || items.and_then(|i| i.get("type")).and_then(Value::as_str) != Some("object")
        })
        .map(|(p, _)| p)
        .collect();
    if !strays.is_empty() {
        return Err(format!(
            "{at}: properties {strays:?} are not arrays whose items `$ref` an object schema"
        ));
    }
    if properties(schema).next().is_none() {
        return Err(format!("{at}: the schema has no properties"));
    }
    Ok(ItemsView {
        schema: name.to_owned(),
        view: view.to_owned(),
    })
}

fn lookup(
    name: &str,
    schema: &Value,
    property: &str,
    property_schema: &Value,
    method: &Value,
) -> Result<Lookup, String> {
    let at = format!("components/schemas/{name}/properties/{property} ({LOOKUP_EXTENSION})");
    let method = method
        .as_str()
        .filter(|m| {
            syn::parse_str::<syn::Ident>(m).is_ok()
                && m.chars()
                    .all(|c| c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        .ok_or_else(|| {
            format!("{at}: the value must be a snake_case method name such as `account`")
        })?;
    // A lookup by a value an entry may lack would answer `None` for a reason it cannot say.
    let plain_string = property_schema.get("type").and_then(Value::as_str) == Some("string")
        && property_schema.get("nullable") != Some(&Value::Bool(true))
        && property_schema.get("x-moneykit-added").is_none()
        && is_required(schema, property);
    if !plain_string {
        return Err(format!(
            "{at}: the property must be a required, non-nullable string present since launch"
        ));
    }
    Ok(Lookup {
        schema: name.to_owned(),
        property: property.to_owned(),
        method: method.to_owned(),
    })
}

/// `UpperCamelCase`, and a Rust identifier.
fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && syn::parse_str::<syn::Ident>(name).is_ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::shapes::testing::{document, shapes};

    /// The problems `collect` reports for `schemas`, one line each.
    fn problems(schemas: Value) -> Vec<String> {
        match collect(&document(schemas)) {
            Err(GenError::Invalid(problems)) => problems,
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn optional_nullable_properties_of_response_schemas_keep_presence() {
        let mut doc = document(json!({
            "Account": {
                "type": "object",
                "required": ["name", "mask", "kind"],
                "properties": {
                    "name": { "type": "string", "nullable": true },
                    "mask": { "type": "string", "nullable": true, "x-moneykit-added": "2024-01-01" },
                    "kind": { "type": "string" },
                    "note": { "type": "string", "nullable": true },
                    "plain": { "type": "string" }
                }
            },
            "TokenForm": {
                "type": "object",
                "properties": { "scope": { "$ref": "#/components/schemas/Scope" } }
            },
            "Scope": {
                "type": "object",
                "properties": { "note": { "type": "string", "nullable": true } }
            }
        }));
        doc["paths"] = json!({ "/token": { "post": { "requestBody": { "content": {
            "application/json": { "schema": { "$ref": "#/components/schemas/TokenForm" } }
        } } } } });
        let found = collect(&doc).unwrap().nullable_optional;
        // Required since a date counts as optional; a schema a request body reaches, even
        // through another, does not count at all.
        let expected: BTreeSet<(String, String)> = [("Account", "mask"), ("Account", "note")]
            .map(|(s, p)| (s.to_owned(), p.to_owned()))
            .into();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_keyed_struct_takes_its_keys_in_the_enum_s_order() {
        let found = shapes(json!({
            "product": { "type": "string", "enum": ["transactions", "accounts", "identity"] },
            "LinkProducts": {
                "type": "object",
                "x-moneykit-keyed-by": "product",
                "properties": { "accounts": {}, "transactions": {} }
            }
        }));
        let [keyed] = found.keyed.as_slice() else {
            panic!("one keyed struct expected");
        };
        assert_eq!(
            (keyed.schema.as_str(), keyed.by_enum.as_str()),
            ("LinkProducts", "product")
        );
        assert_eq!(keyed.values, ["transactions", "accounts", "identity"]);
    }

    #[test]
    fn a_keyed_property_that_is_no_value_of_the_enum_is_refused() {
        let found = problems(json!({
            "Product": { "type": "string", "enum": ["accounts"] },
            "Kind": { "type": "object" },
            "LinkProducts": {
                "type": "object",
                "x-moneykit-keyed-by": "Product",
                "properties": { "accounts": {}, "balances": {} }
            },
            "ByObject": { "type": "object", "x-moneykit-keyed-by": "Kind" }
        }));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_reported(
            &found,
            "components/schemas/ByObject: x-moneykit-keyed-by `Kind` is not a string enum schema",
        );
        assert_reported(
            &found,
            r#"components/schemas/LinkProducts: properties ["balances"] are not values of `Product`"#,
        );
    }

    fn assert_reported(problems: &[String], expected: &str) {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{expected:?} not among {problems:?}"
        );
    }

    #[test]
    fn an_extension_may_add_properties_and_reword_the_base_s() {
        let found = shapes(json!({
            "Account": {
                "type": "object",
                "required": ["id"],
                "properties": { "id": { "type": "string", "description": "The id." } }
            },
            "AccountWithNumbers": {
                "type": "object",
                "x-moneykit-extends": "Account",
                "required": ["id", "numbers"],
                "properties": {
                    "id": { "type": "string", "description": "The account's id.", "example": "a1" },
                    "numbers": { "type": "string" }
                }
            }
        }));
        let [extends] = found.extends.as_slice() else {
            panic!("one extension expected");
        };
        assert_eq!(
            (extends.schema.as_str(), extends.base.as_str()),
            ("AccountWithNumbers", "Account")
        );
    }

    #[test]
    fn an_extension_must_decode_every_base_property_as_the_base_does() {
        let base = json!({
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": { "type": "string" },
                "name": { "type": "string" },
                "mask": { "type": "string" },
                "kind": { "type": "string" }
            }
        });
        let found = problems(json!({
            "Account": base,
            "Wide": {
                "type": "object",
                "x-moneykit-extends": "Account",
                "required": ["id", "mask"],
                "properties": {
                    "id": { "type": "string" },
                    "name": { "type": "string" },
                    "mask": { "type": "string" },
                    "kind": { "type": "string", "nullable": true }
                }
            },
            "Orphan": { "type": "object", "x-moneykit-extends": "Missing" }
        }));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_reported(
            &found,
            "components/schemas/Orphan: x-moneykit-extends names no schema `Missing`",
        );
        let wide = found
            .iter()
            .find(|p| p.starts_with("components/schemas/Wide (x-moneykit-extends: Account) "))
            .expect("Wide refused");
        for problem in [
            "declares `kind` unlike `Account` does",
            "requires `mask` unlike `Account` does",
            "requires `name` unlike `Account` does",
        ] {
            assert!(wide.contains(problem), "{problem}: {wide}");
        }
        assert!(!wide.contains("`id`"), "{wide}");
        let lacking = problems(json!({
            "Account": base,
            "Narrow": { "type": "object", "x-moneykit-extends": "Account", "properties": {} }
        }));
        for property in ["id", "kind", "mask", "name"] {
            assert!(
                lacking[0].contains(&format!("lacks `{property}`")),
                "{lacking:?}"
            );
        }
    }

    /// A holder for an items view named `view` whose one property is `numbers`.
    fn with_view(view: Value, numbers: Value) -> Value {
        json!({
            "Ach": { "type": "object" },
            "Numbers": {
                "type": "object",
                "x-moneykit-items-view": view,
                "properties": { "ach": numbers }
            }
        })
    }

    #[test]
    fn an_items_view_is_a_new_type_name_over_lists_of_objects() {
        let list = json!({ "type": "array", "items": { "$ref": "#/components/schemas/Ach" } });
        let found = shapes(with_view(json!("Details"), list.clone()));
        let [view] = found.items_views.as_slice() else {
            panic!("one view expected");
        };
        assert_eq!(
            (view.schema.as_str(), view.view.as_str()),
            ("Numbers", "Details")
        );

        for (view, numbers, problem) in [
            (json!("details"), list.clone(), "must be a Rust type name"),
            (
                json!("Ach"),
                list.clone(),
                "`Ach` is already the name of a schema's type",
            ),
            (
                json!("Details"),
                json!({ "type": "string" }),
                r#"properties ["ach"] are not arrays"#,
            ),
            (
                json!("Details"),
                json!({ "type": "array", "items": { "type": "object" } }),
                r#"properties ["ach"] are not arrays"#,
            ),
        ] {
            let found = problems(with_view(view, numbers));
            assert!(found[0].contains(problem), "{problem}: {found:?}");
        }
    }

    #[test]
    fn a_lookup_needs_a_snake_case_method_and_a_plain_required_string() {
        let account = |method: &str, mut id: Value, required: Value| {
            id[LOOKUP_EXTENSION] = json!(method);
            json!({ "Account": {
                "type": "object",
                "required": required,
                "properties": { "id": id }
            } })
        };
        let string = json!({ "type": "string" });
        let found = shapes(account("account", string.clone(), json!(["id"])));
        let [lookup] = found.lookups.as_slice() else {
            panic!("one lookup expected");
        };
        assert_eq!(
            (
                lookup.schema.as_str(),
                lookup.property.as_str(),
                lookup.method.as_str()
            ),
            ("Account", "id", "account")
        );
        for (method, id, required, problem) in [
            (
                "Account",
                string.clone(),
                json!(["id"]),
                "snake_case method name",
            ),
            (
                "fn",
                string.clone(),
                json!(["id"]),
                "snake_case method name",
            ),
            (
                "account",
                string.clone(),
                json!([]),
                "required, non-nullable string",
            ),
            (
                "account",
                json!({ "type": "string", "nullable": true }),
                json!(["id"]),
                "required, non-nullable string",
            ),
            (
                "account",
                json!({ "type": "string", "x-moneykit-added": "2024-01-01" }),
                json!(["id"]),
                "present since launch",
            ),
        ] {
            let found = problems(account(method, id, required));
            assert!(found[0].contains(problem), "{method}: {found:?}");
        }
    }
}
