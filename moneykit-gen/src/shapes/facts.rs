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
const EXTENDS_EXTENSION: &str = "x-moneykit-extends";
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
