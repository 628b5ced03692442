//! The places where progenitor 0.15 needs the contract in another form than `openapi.yaml`
//! states it. Each rewrite keeps what it removes: the facts it takes out of the document are
//! returned in [`Prepared`] and emitted as code by `emit`, so nothing the spec says is lost.

use serde_json::{Map, Value};

use crate::GenError;

/// The extension that records when MoneyKit added a property (see `ARCHITECTURE.md`).
const ADDED_EXTENSION: &str = "x-moneykit-added";
/// The extension that marks a string that must never reach a log: `true` for a number (shown
/// as its last four characters), `secret` for a credential (shown as nothing).
pub(crate) const SENSITIVE_EXTENSION: &str = "x-moneykit-sensitive";
/// The `format` a sensitive string is given so that typify can map it to `crate::Sensitive`.
const SENSITIVE_FORMAT: &str = "moneykit-sensitive";
/// The `format` a secret string is given so that typify can map it to `crate::Secret`.
const SECRET_FORMAT: &str = "moneykit-secret";
/// The extension that says whether a `type: number` property is money: `true` makes it a
/// `crate::Amount` (an exact decimal), `false` keeps typify's `f64`. `validate` requires it on
/// every number, so no amount can stay a binary float by being forgotten.
pub(crate) const AMOUNT_EXTENSION: &str = "x-moneykit-amount";
/// The `format` an amount is given so that typify can map it to `crate::Amount`.
const AMOUNT_FORMAT: &str = "moneykit-amount";

/// The `format` for a value of [`SENSITIVE_EXTENSION`]; `None` for a value it does not take
/// (`validate` refuses those).
pub(crate) fn sensitive_format(mark: &Value) -> Option<&'static str> {
    match mark {
        Value::Bool(true) => Some(SENSITIVE_FORMAT),
        Value::String(kind) if kind == "secret" => Some(SECRET_FORMAT),
        _ => None,
    }
}

/// The document as progenitor will see it, plus what had to be taken out of it.
pub(crate) struct Prepared {
    pub spec: openapiv3::OpenAPI,
    pub open_enums: Vec<OpenEnum>,
    pub operations: Vec<Operation>,
    pub shapes: crate::shapes::Shapes,
}

/// A named string enum, generated as an open enum that keeps values it does not know.
pub(crate) struct OpenEnum {
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<String>,
    pub default: Option<String>,
}

impl OpenEnum {
    /// What the generated type implements, so typify can use it in place of its own enum.
    pub fn type_impls(&self) -> Vec<progenitor::TypeImpl> {
        let mut impls = vec![
            progenitor::TypeImpl::Display,
            progenitor::TypeImpl::FromStr,
            progenitor::TypeImpl::FromStringIrrefutable,
        ];
        if self.default.is_some() {
            impls.push(progenitor::TypeImpl::Default);
        }
        impls
    }
}

/// One operation: where it goes, its documented error responses, and what the ergonomic
/// client's surface (`surface.rs`) needs to know of it.
pub(crate) struct Operation {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub errors: Vec<DocumentedError>,
    /// `summary`, for the generated docs.
    pub summary: String,
    /// `x-moneykit-call` (`link(id).accounts`): where the ergonomic client starts the operation;
    /// `None` for `false`, an operation the client sends itself (the token request).
    pub call: Option<String>,
    /// The parameters, `$ref`s resolved, in the spec's order.
    pub parameters: Vec<Parameter>,
    /// Whether sending it twice does no more than sending it once: `x-moneykit-idempotent`,
    /// else whether it is a `GET`.
    pub idempotent: bool,
    /// `x-moneykit-cli` (`accounts list`): the words of its CLI command, when they are not the
    /// call path's names (`link(id).get` is `link get`).
    pub cli: Option<String>,
    /// Whether every security requirement it lists (its own, else the document's) needs
    /// credentials: `false` when one of them is `{}` (the token request), or there are none.
    pub authenticated: bool,
    /// How its request body is sent, if it has one.
    pub body: Option<BodyMedia>,
    /// Its first documented success status (`200`, `201`).
    pub success: u16,
}

/// The media type of a request body, as far as the sandbox reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyMedia {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// One parameter of an operation.
pub(crate) struct Parameter {
    /// The name as sent (`account_ids`, `moneykit-version`).
    pub name: String,
    pub description: String,
    /// `x-moneykit-api-version: true`: the client fills it with its API version.
    pub api_version: bool,
    /// Where it is sent: `path`, `query` or `header`.
    pub location: String,
    /// `x-moneykit-cli-flag`: its CLI flag's name when it is not the parameter's in kebab
    /// case (`account-id` for `account_ids`, a name the CLI had before it was generated).
    pub cli_flag: Option<String>,
}

/// The extension on the parameter that carries the API version: the client sends its own, so
/// no generated method asks for it.
pub(crate) const API_VERSION_EXTENSION: &str = "x-moneykit-api-version";
/// The extension that says where the ergonomic client starts an operation (`surface.rs`).
pub(crate) const CALL_EXTENSION: &str = "x-moneykit-call";
/// The extension that names an operation's CLI command (`accounts list`).
pub(crate) const CLI_EXTENSION: &str = "x-moneykit-cli";
/// The extension that names a parameter's CLI flag (`account-id`).
pub(crate) const CLI_FLAG_EXTENSION: &str = "x-moneykit-cli-flag";
/// The extension that says whether an operation may be sent again after it may have reached
/// the server (a timeout, a 5xx): `true` or `false`; without it, only a `GET` may.
pub(crate) const IDEMPOTENT_EXTENSION: &str = "x-moneykit-idempotent";

/// One documented error status and the component schema of its body.
pub(crate) struct DocumentedError {
    pub status: u16,
    pub schema: String,
    pub description: String,
}

/// The schema typify maps to `crate::Timestamp` instead of `chrono::DateTime<Utc>`, which
/// rejects the naive timestamps MoneyKit's own examples use.
pub(crate) fn timestamp_schema() -> schemars08::schema::SchemaObject {
    schemars08::schema::SchemaObject {
        instance_type: Some(schemars08::schema::InstanceType::String.into()),
        format: Some("date-time".to_owned()),
        ..Default::default()
    }
}

/// The schema typify maps to `crate::Amount` instead of `f64`.
pub(crate) fn amount_schema() -> schemars08::schema::SchemaObject {
    schemars08::schema::SchemaObject {
        instance_type: Some(schemars08::schema::InstanceType::Number.into()),
        format: Some(AMOUNT_FORMAT.to_owned()),
        ..Default::default()
    }
}

/// The schema typify maps to `crate::Sensitive`, whose `Debug` and `Display` mask the value.
pub(crate) fn sensitive_schema() -> schemars08::schema::SchemaObject {
    string_of_format(SENSITIVE_FORMAT)
}

/// The schema typify maps to `crate::Secret`, whose `Debug` and `Display` show nothing of it.
pub(crate) fn secret_schema() -> schemars08::schema::SchemaObject {
    string_of_format(SECRET_FORMAT)
}

fn string_of_format(format: &str) -> schemars08::schema::SchemaObject {
    schemars08::schema::SchemaObject {
        instance_type: Some(schemars08::schema::InstanceType::String.into()),
        format: Some(format.to_owned()),
        ..Default::default()
    }
}

/// Applies every rewrite; the input has passed `validate::document`.
pub(crate) fn for_progenitor(mut doc: Value) -> Result<Prepared, GenError> {
    let open_enums = collect_open_enums(&doc);
    let shapes = crate::shapes::collect(&doc)?;
    let operations = move_error_bodies_out(&mut doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            relax_later_additions(schema);
            disjoint_any_of_to_one_of(schema);
        }
    }
    mark_typed_schemas(&mut doc);
    strip_moneykit_extensions(&mut doc);
    let spec = serde_json::from_value(doc).map_err(|e| GenError::Parse(e.to_string()))?;
    Ok(Prepared {
        spec,
        open_enums,
        operations,
        shapes,
    })
}

/// typify generates closed enums, and MoneyKit adds and removes enum values often (facts §6),
/// so every named string enum is replaced by an open one emitted by `emit`.
fn collect_open_enums(doc: &Value) -> Vec<OpenEnum> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    schemas
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("string"))
        .filter_map(|(name, s)| {
            let values = s.get("enum")?.as_array()?;
            Some(OpenEnum {
                name: name.clone(),
                description: s
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                values: values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                default: s.get("default").and_then(Value::as_str).map(str::to_owned),
            })
        })
        .collect()
}

/// progenitor allows one error body type per operation and panics otherwise. Each error
/// response keeps its status and description but its body becomes an opaque byte stream, so
/// the generated method returns `Error<ByteStream>` with the status intact (even for a proxy's
/// HTML page); the status → schema table is returned and emitted as a typed decoder.
fn move_error_bodies_out(doc: &mut Value) -> Vec<Operation> {
    let snapshot = doc.clone();
    let mut all = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return all;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            let operation_id = op_id(&snapshot, path, method);
            let success = responses
                .keys()
                .filter_map(|status| status.parse::<u16>().ok())
                .filter(|status| (200..300).contains(status))
                .min()
                .unwrap_or(200);
            let mut documented = Vec::new();
            for (status, response) in responses.iter_mut() {
                let Some(status) = status.parse::<u16>().ok().filter(|s| *s >= 400) else {
                    continue;
                };
                let resolved = crate::resolve(&snapshot, response).clone();
                let schema = resolved
                    .pointer("/content/application~1json/schema/$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .map(str::to_owned);
                let description = resolved
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if let Some(schema) = schema {
                    documented.push(DocumentedError {
                        status,
                        schema,
                        description: description.clone(),
                    });
                }
                let mut opaque = Map::new();
                opaque.insert("description".into(), Value::String(description));
                opaque.insert(
                    "content".into(),
                    serde_json::json!({ "application/octet-stream": {} }),
                );
                *response = Value::Object(opaque);
            }
            if let Some(operation_id) = operation_id {
                documented.sort_by_key(|d| d.status);
                let text = |value: &Value, key: &str| {
                    value
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let parameters = (op.get("parameters").and_then(Value::as_array))
                    .into_iter()
                    .flatten()
                    .map(|parameter| crate::resolve(&snapshot, parameter))
                    .map(|parameter| Parameter {
                        name: text(parameter, "name"),
                        description: text(parameter, "description"),
                        api_version: parameter.get(API_VERSION_EXTENSION)
                            == Some(&Value::Bool(true)),
                        location: text(parameter, "in"),
                        cli_flag: parameter
                            .get(CLI_FLAG_EXTENSION)
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    })
                    .collect();
                all.push(Operation {
                    operation_id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    errors: documented,
                    summary: text(op, "summary"),
                    call: op
                        .get(CALL_EXTENSION)
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    parameters,
                    idempotent: op
                        .get(IDEMPOTENT_EXTENSION)
                        .and_then(Value::as_bool)
                        .unwrap_or(method == "get"),
                    cli: op
                        .get(CLI_EXTENSION)
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    authenticated: authenticated(&snapshot, op),
                    body: body_media(&snapshot, op),
                    success,
                });
            }
        }
    }
    all.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    all
}

/// Whether `op` needs credentials: it (else the document) lists security requirements and none
/// of them is `{}`.
fn authenticated(doc: &Value, op: &Value) -> bool {
    let requirements = op
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array);
    requirements.is_some_and(|all| {
        !all.is_empty()
            && all
                .iter()
                .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
    })
}

/// The media type of `op`'s request body, `$ref` resolved: JSON, else a form.
fn body_media(doc: &Value, op: &Value) -> Option<BodyMedia> {
    let body = crate::resolve(doc, op.get("requestBody")?);
    let content = body.get("content")?.as_object()?;
    if content.contains_key("application/json") {
        Some(BodyMedia::Json)
    } else if content.contains_key("application/x-www-form-urlencoded") {
        Some(BodyMedia::Form)
    } else {
        None
    }
}

fn op_id(doc: &Value, path: &str, method: &str) -> Option<String> {
    doc.get("paths")?
        .get(path)?
        .get(method)?
        .get("operationId")?
        .as_str()
        .map(str::to_owned)
}

/// A property MoneyKit added after launch (`x-moneykit-added`) is absent from bodies shaped by
/// older API versions and from older embedded objects (facts §5.1: `provider` was missing from
/// the embedded `link` until 2024-10-08), so it is decoded as optional even where the current
/// API lists it as required.
fn relax_later_additions(schema: &mut Value) {
    let added: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, p)| p.get(ADDED_EXTENSION).is_some())
        .map(|(name, _)| name.clone())
        .collect();
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|r| !r.as_str().is_some_and(|r| added.iter().any(|a| a == r)));
    }
}

/// Gives every `x-moneykit-sensitive` string the format `sensitive_schema` or `secret_schema`
/// matches, and every `x-moneykit-amount: true` number the one `amount_schema` matches,
/// wherever the schema sits (a property, an array's items, a nested object), so that no mark
/// `validate` accepted is left without its type.
fn mark_typed_schemas(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let format = match map.get(SENSITIVE_EXTENSION) {
                Some(mark) => sensitive_format(mark),
                None => {
                    (map.get(AMOUNT_EXTENSION) == Some(&Value::Bool(true))).then_some(AMOUNT_FORMAT)
                }
            };
            if let Some(format) = format {
                map.insert("format".to_owned(), Value::String(format.to_owned()));
                // typify would make a constrained string a newtype of its own, which prints
                // the value: the constraint stays in the spec (the sandbox checks it) and the
                // type is `Sensitive` or `Secret`.
                for constraint in ["minLength", "maxLength", "pattern"] {
                    map.remove(constraint);
                }
            }
            map.values_mut().for_each(mark_typed_schemas);
        }
        Value::Array(items) => items.iter_mut().for_each(mark_typed_schemas),
        _ => {}
    }
}

/// typify turns `anyOf` into a struct of flattened optional members, all of which match an
/// error body. MoneyKit's unions (the 401 bodies) are `anyOf` members that pin different
/// constant `error_code`s, so they are disjoint and `oneOf` states the same thing in a form that
/// becomes a Rust enum choosing the member by its `error_code`.
fn disjoint_any_of_to_one_of(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let all_refs = map
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|members| members.iter().all(|m| m.get("$ref").is_some()));
    if all_refs && let Some(members) = map.remove("anyOf") {
        map.insert("oneOf".into(), members);
    }
}

/// The extension has served its purpose, and typify compares schemas (for the timestamp
/// conversion) including their extensions.
fn strip_moneykit_extensions(node: &mut Value) {
    match node {
        Value::Object(map) => {
            map.retain(|key, _| !key.starts_with("x-moneykit-"));
            map.values_mut().for_each(strip_moneykit_extensions);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_moneykit_extensions),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn named_string_enums_are_collected_as_open_enums() {
        let doc = json!({ "components": { "schemas": {
            "Product": {
                "type": "string",
                "description": "A product.",
                "enum": ["accounts", "identity"],
                "default": "accounts"
            },
            "Kind": { "type": "string", "enum": ["a"] },
            "Count": { "type": "integer", "enum": [1, 2] },
            "Name": { "type": "string" }
        } } });
        let enums = collect_open_enums(&doc);
        let found: Vec<_> = enums
            .iter()
            .map(|e| {
                let values = e.values.iter().map(String::as_str).collect();
                (
                    &*e.name,
                    e.description.as_deref(),
                    values,
                    e.default.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("Kind", None, vec!["a"], None),
                (
                    "Product",
                    Some("A product."),
                    vec!["accounts", "identity"],
                    Some("accounts")
                ),
            ]
        );
        // Only a default makes the type implement `Default`.
        let has_default = |e: &OpenEnum| {
            e.type_impls()
                .iter()
                .any(|i| matches!(i, progenitor::TypeImpl::Default))
        };
        assert!(!has_default(&enums[0]));
        assert!(has_default(&enums[1]));
    }

    #[test]
    fn error_bodies_become_opaque_and_their_schemas_are_kept_by_status() {
        let mut doc = json!({
            "paths": {
                "/links/{id}": {
                    "parameters": [],
                    "get": {
                        "operationId": "get_link",
                        "responses": {
                            "200": { "description": "ok", "content": { "application/json": {
                                "schema": { "$ref": "#/components/schemas/Link" } } } },
                            "429": { "$ref": "#/components/responses/TooMany" },
                            "404": { "description": "gone", "content": { "application/json": {
                                "schema": { "$ref": "#/components/schemas/NotFound" } } } },
                            "500": { "description": "html", "content": { "text/html": {} } }
                        }
                    },
                    "delete": { "operationId": "delete_link", "responses": {} }
                }
            },
            "components": { "responses": { "TooMany": {
                "description": "slow down",
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/RateLimited" } } }
            } } }
        });
        let operations = move_error_bodies_out(&mut doc);
        let found: Vec<_> = operations
            .iter()
            .map(|op| {
                let errors = op
                    .errors
                    .iter()
                    .map(|e| (e.status, &*e.schema, &*e.description))
                    .collect();
                (&*op.operation_id, &*op.method, &*op.path, errors)
            })
            .collect();
        // Sorted by operation id, errors by status; a body that names no schema is not decoded.
        assert_eq!(
            found,
            [
                ("delete_link", "DELETE", "/links/{id}", vec![]),
                (
                    "get_link",
                    "GET",
                    "/links/{id}",
                    vec![(404, "NotFound", "gone"), (429, "RateLimited", "slow down")]
                ),
            ]
        );
        let responses = &doc["paths"]["/links/{id}"]["get"]["responses"];
        assert_eq!(
            responses["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Link"
        );
        for (status, description) in [("404", "gone"), ("429", "slow down"), ("500", "html")] {
            assert_eq!(
                responses[status],
                json!({ "description": description, "content": { "application/octet-stream": {} } })
            );
        }
    }

    #[test]
    fn a_later_addition_is_decoded_as_optional() {
        let mut schema = json!({
            "required": ["id", "provider"],
            "properties": {
                "id": { "type": "string" },
                "provider": { "type": "string", "x-moneykit-added": "2024-10-08" }
            }
        });
        relax_later_additions(&mut schema);
        assert_eq!(schema["required"], json!(["id"]));
    }

    #[test]
    fn marks_become_formats_wherever_the_schema_sits() {
        let mut doc = json!({
            "number": { "type": "string", "x-moneykit-sensitive": true },
            "token": { "type": "string", "x-moneykit-sensitive": "secret" },
            "amounts": { "type": "array", "items": { "type": "number", "x-moneykit-amount": true } },
            "ratio": { "type": "number", "x-moneykit-amount": false },
            "nested": { "properties": { "pin": { "type": "string", "x-moneykit-sensitive": true } } }
        });
        mark_typed_schemas(&mut doc);
        assert_eq!(doc["number"]["format"], SENSITIVE_FORMAT);
        assert_eq!(doc["token"]["format"], SECRET_FORMAT);
        assert_eq!(doc["amounts"]["items"]["format"], AMOUNT_FORMAT);
        assert_eq!(doc["ratio"].get("format"), None);
        assert_eq!(
            doc["nested"]["properties"]["pin"]["format"],
            SENSITIVE_FORMAT
        );
        // A mark `validate` refuses gives no type.
        assert_eq!(sensitive_format(&json!(false)), None);
        assert_eq!(sensitive_format(&json!("password")), None);
    }

    #[test]
    fn only_a_union_of_references_becomes_one_of() {
        let refs =
            json!([{ "$ref": "#/components/schemas/A" }, { "$ref": "#/components/schemas/B" }]);
        let mut union = json!({ "anyOf": refs });
        disjoint_any_of_to_one_of(&mut union);
        assert_eq!(union, json!({ "oneOf": refs }));
        let mixed =
            json!({ "anyOf": [{ "$ref": "#/components/schemas/A" }, { "type": "string" }] });
        let mut kept = mixed.clone();
        disjoint_any_of_to_one_of(&mut kept);
        assert_eq!(kept, mixed);
    }

    #[test]
    fn only_moneykit_extensions_are_stripped_at_every_depth() {
        let mut doc = json!({
            "x-moneykit-keyed-by": "Product",
            "x-other": 1,
            "allOf": [{ "x-moneykit-added": "2024-01-01", "type": "string" }]
        });
        strip_moneykit_extensions(&mut doc);
        assert_eq!(
            doc,
            json!({ "x-other": 1, "allOf": [{ "type": "string" }] })
        );
    }
}
