//! The shape facts `openapi.yaml` states: optional nullable properties, keyed structs
//! (`x-moneykit-keyed-by`) and extensions (`x-moneykit-extends`), checked as they are read.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::GenError;
use crate::emit::rust_type_name;

/// Marks an object schema whose property names are the values of the named enum schema.
pub(super) const KEYED_BY_EXTENSION: &str = "x-moneykit-keyed-by";
/// Marks an object schema that has every property of the named schema, and more.
const EXTENDS_EXTENSION: &str = "x-moneykit-extends";

/// What the spec says about shapes, for the generated walkers.
#[derive(Default)]
pub(crate) struct Shapes {
    /// `(Rust struct, JSON property)` of each optional, nullable property of a schema that is not
    /// only a request body: these become `Option<Option<T>>` so an explicit `null` survives a
    /// round trip.
    pub(super) nullable_optional: BTreeSet<(String, String)>,
    pub(super) keyed: Vec<Keyed>,
    pub(super) extends: Vec<Extends>,
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
