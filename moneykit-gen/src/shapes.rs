//! The code that walks the API's shapes by name, generated so that nothing hand-written has to:
//!
//! - **presence**: a property a response body may omit keeps the difference between absent,
//!   `null` and empty when the value is serialized again;
//! - **redaction**: `impl crate::Redact` for every type, so every `x-moneykit-sensitive` value
//!   (a `crate::Sensitive`) is masked by one call, whatever struct it sits in;
//! - **keyed structs** (`x-moneykit-keyed-by: <Enum>`): a struct whose property names are the
//!   values of an enum (`LinkProducts` by `Product`) gets a lookup by that enum, an iterator over
//!   the entries present, and a trait over what the entries' types have in common;
//! - **extensions** (`x-moneykit-extends: <Base>`): a schema that repeats another's properties
//!   and adds some (an account with its numbers) converts from the base plus its additions, and
//!   back.
//!
//! [`collect`] reads these facts from the spec before `prepare` strips the extensions; the
//! `apply` functions work on the syntax tree progenitor produced, so they see the Rust names
//! and types typify actually chose.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, quote};
use serde_json::Value;

use crate::GenError;
use crate::emit::rust_type_name;

/// Marks an object schema whose property names are the values of the named enum schema.
const KEYED_BY_EXTENSION: &str = "x-moneykit-keyed-by";
/// Marks an object schema that has every property of the named schema, and more.
const EXTENDS_EXTENSION: &str = "x-moneykit-extends";

/// What the spec says about shapes, for the generated walkers.
#[derive(Default)]
pub(crate) struct Shapes {
    /// `(Rust struct, JSON property)` of each optional, nullable property of a schema that is not
    /// only a request body: these become `Option<Option<T>>` so an explicit `null` survives a
    /// round trip.
    nullable_optional: BTreeSet<(String, String)>,
    keyed: Vec<Keyed>,
    extends: Vec<Extends>,
}

struct Keyed {
    schema: String,
    by_enum: String,
    /// The enum's values in spec order; the iteration order of the generated iterator.
    values: Vec<String>,
}

struct Extends {
    schema: String,
    base: String,
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

/// Rewrites the fields of `mod types` so that presence survives a round trip: an optional
/// nullable property becomes `Option<Option<T>>` (absent, `null`, a value), and an array typify
/// would drop when empty (a required array relaxed by `x-moneykit-added`) becomes
/// `Option<Vec<T>>` (absent, `[]`, items).
pub(crate) fn keep_presence(types: &mut [syn::Item], shapes: &Shapes) {
    for item in types {
        let syn::Item::Struct(s) = item else { continue };
        let struct_name = s.ident.to_string();
        for field in s.fields.iter_mut() {
            let json = json_name(field);
            if shapes
                .nullable_optional
                .contains(&(struct_name.clone(), json))
                && has_serde_attr(field, "::std::option::Option::is_none")
            {
                let ty = &field.ty;
                let schema_ty = ty.to_token_stream().to_string().replace(' ', "");
                field.ty = syn::parse_quote!(::std::option::Option<#ty>);
                field.attrs.push(syn::parse_quote!(
                    #[serde(default, deserialize_with = "crate::presence::deserialize_present")]
                ));
                field
                    .attrs
                    .push(syn::parse_quote!(#[schemars(with = #schema_ty)]));
            } else if has_serde_attr(field, "::std::vec::Vec::is_empty") {
                let ty = &field.ty;
                field.ty = syn::parse_quote!(::std::option::Option<#ty>);
                field.attrs.retain(|a| !a.path().is_ident("serde"));
                field.attrs.push(syn::parse_quote!(
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                ));
            }
        }
    }
}

/// The property name a field (de)serializes as.
fn json_name(field: &syn::Field) -> String {
    let mut renamed = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                renamed = Some(meta.value()?.parse::<syn::LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    renamed.unwrap_or_else(|| {
        let ident = field
            .ident
            .as_ref()
            .map(Ident::to_string)
            .unwrap_or_default();
        ident.trim_start_matches("r#").to_owned()
    })
}

fn has_serde_attr(field: &syn::Field, text: &str) -> bool {
    field
        .attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && a.to_token_stream().to_string().contains(text))
}

/// `impl crate::Redact` for every struct and enum of `mod types`: each field, variant and
/// element is redacted in turn, down to the leaves `moneykit-api` implements by hand
/// (`Sensitive` masks itself, everything else is kept). A type without an impl does not
/// compile, so a new shape can never print its secrets by omission.
pub(crate) fn redact_impls(types: &[syn::Item]) -> Vec<TokenStream> {
    types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => {
                let name = &s.ident;
                let body = redact_fields(quote!(Self), &s.fields, |member| quote!(&self.#member));
                Some(redact_impl(name, body))
            }
            syn::Item::Enum(e) => {
                let name = &e.ident;
                let arms = e.variants.iter().map(|v| {
                    let variant = &v.ident;
                    let (pattern, bindings) = bind_fields(&v.fields);
                    let built =
                        redact_fields(quote!(Self::#variant), &v.fields, |member| bindings(member));
                    quote!(Self::#variant #pattern => #built,)
                });
                Some(redact_impl(name, quote!(match self { #(#arms)* })))
            }
            _ => None,
        })
        .collect()
}

fn redact_impl(name: &Ident, body: TokenStream) -> TokenStream {
    quote! {
        impl crate::Redact for #name {
            fn redacted(&self) -> Self {
                #body
            }
        }
    }
}

/// `Path { a: redact(a), .. }`, `Path(redact(0), ..)` or `Path`; `access` gives a reference to
/// each field.
fn redact_fields(
    path: TokenStream,
    fields: &syn::Fields,
    access: impl Fn(&syn::Member) -> TokenStream,
) -> TokenStream {
    let members: Vec<syn::Member> = fields.members().collect();
    let values = members
        .iter()
        .map(|m| {
            let value = access(m);
            quote!(crate::Redact::redacted(#value))
        })
        .collect::<Vec<_>>();
    match fields {
        syn::Fields::Named(_) => quote!(#path { #(#members: #values),* }),
        syn::Fields::Unnamed(_) => quote!(#path(#(#values),*)),
        syn::Fields::Unit => path,
    }
}

/// The pattern that binds a variant's fields, and how to name each binding.
fn bind_fields(fields: &syn::Fields) -> (TokenStream, impl Fn(&syn::Member) -> TokenStream) {
    let binding = |m: &syn::Member| match m {
        syn::Member::Named(ident) => quote!(#ident),
        syn::Member::Unnamed(index) => {
            let ident = quote::format_ident!("field{}", index.index);
            quote!(#ident)
        }
    };
    let bound: Vec<TokenStream> = fields.members().map(|m| binding(&m)).collect();
    let pattern = match fields {
        syn::Fields::Named(_) => quote!({ #(#bound),* }),
        syn::Fields::Unnamed(_) => quote!((#(#bound),*)),
        syn::Fields::Unit => quote!(),
    };
    (pattern, binding)
}

fn find_struct<'a>(types: &'a [syn::Item], name: &str) -> Option<&'a syn::ItemStruct> {
    types.iter().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })
}

/// How a field's value is read as a reference: `&T`, or `Option<&T>` through one or two
/// `Option`s, and the type the reader returns.
fn reader(field: &syn::Field) -> (TokenStream, TokenStream) {
    let ident = &field.ident;
    match option_inner(&field.ty) {
        Some(inner) => match option_inner(inner) {
            Some(innermost) => (
                quote!(self.#ident.as_ref().and_then(::std::option::Option::as_ref)),
                quote!(::std::option::Option<&#innermost>),
            ),
            None => (
                quote!(self.#ident.as_ref()),
                quote!(::std::option::Option<&#inner>),
            ),
        },
        None => {
            let ty = &field.ty;
            (quote!(&self.#ident), quote!(&#ty))
        }
    }
}

/// syn compares types only with its `extra-traits` feature; their tokens say the same.
fn same_type(a: &syn::Type, b: &syn::Type) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}

/// `T` of `::std::option::Option<T>`.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// For each keyed struct (`LinkProducts` keyed by `Product`): a trait `<Enum>State` over the
/// fields every entry type shares (same name, same type), `get(&Enum)` and `iter()`.
pub(crate) fn keyed_impls(
    types: &[syn::Item],
    shapes: &Shapes,
) -> Result<Vec<TokenStream>, GenError> {
    let mut out = Vec::new();
    for keyed in &shapes.keyed {
        let missing = || GenError::Progenitor(format!("no generated struct for {}", keyed.schema));
        let holder = find_struct(types, &rust_type_name(&keyed.schema)).ok_or_else(missing)?;
        let entries: Vec<(&String, &syn::Field)> = keyed
            .values
            .iter()
            .filter_map(|value| {
                holder
                    .fields
                    .iter()
                    .find(|f| json_name(f) == *value)
                    .map(|f| (value, f))
            })
            .collect();
        let mut entry_types: Vec<&syn::Type> = Vec::new();
        for (_, field) in &entries {
            let mut ty = &field.ty;
            while let Some(inner) = option_inner(ty) {
                ty = inner;
            }
            if !entry_types.iter().any(|known| same_type(known, ty)) {
                entry_types.push(ty);
            }
        }
        let entry_structs: Vec<&syn::ItemStruct> = entry_types
            .iter()
            .filter_map(|ty| find_struct(types, &ty.to_token_stream().to_string()))
            .collect();
        if entry_structs.len() != entry_types.len() {
            return Err(GenError::Invalid(vec![format!(
                "components/schemas/{}: every property must be an object schema ({KEYED_BY_EXTENSION})",
                keyed.schema
            )]));
        }
        out.push(keyed_impl(keyed, holder, &entries, &entry_structs));
    }
    Ok(out)
}

fn keyed_impl(
    keyed: &Keyed,
    holder: &syn::ItemStruct,
    entries: &[(&String, &syn::Field)],
    entry_structs: &[&syn::ItemStruct],
) -> TokenStream {
    let holder_name = &holder.ident;
    let enum_name = quote::format_ident!("{}", rust_type_name(&keyed.by_enum));
    let trait_name = quote::format_ident!("{}State", rust_type_name(&keyed.by_enum));
    let entry_trait = entry_trait(&trait_name, holder_name, entry_structs);
    let variants = entries
        .iter()
        .map(|(value, _)| quote::format_ident!("{}", crate::emit::variant_name(value)));
    let keys: Vec<TokenStream> = variants.map(|v| quote!(#enum_name::#v)).collect();
    let reads = entries.iter().map(|(_, field)| {
        let (read, _) = reader(field);
        quote!(#read.map(|entry| entry as &dyn #trait_name))
    });
    let get_doc = format!(
        "The entry for `key`, if present. `None` for a [`{enum_name}`] that has no property here."
    );
    let iter_doc = format!("The entries present, in the order of [`{enum_name}`]'s values.");
    quote! {
        #entry_trait
        impl #holder_name {
            #[doc = #get_doc]
            pub fn get(&self, key: &#enum_name) -> ::std::option::Option<&dyn #trait_name> {
                match key {
                    #(#keys => #reads,)*
                    _ => None,
                }
            }
            #[doc = #iter_doc]
            pub fn iter(&self) -> impl ::std::iter::Iterator<Item = (#enum_name, &dyn #trait_name)> + '_ {
                [#(#keys),*]
                    .into_iter()
                    .filter_map(|key| self.get(&key).map(|entry| (key, entry)))
            }
        }
    }
}

/// The trait over the fields every entry type has (same name, same type), and its impls.
fn entry_trait(
    trait_name: &Ident,
    holder_name: &Ident,
    entry_structs: &[&syn::ItemStruct],
) -> TokenStream {
    let shared: Vec<&syn::Field> = entry_structs[0]
        .fields
        .iter()
        .filter(|f| {
            entry_structs.iter().all(|s| {
                s.fields
                    .iter()
                    .any(|g| g.ident == f.ident && same_type(&g.ty, &f.ty))
            })
        })
        .collect();
    let methods = shared.iter().map(|f| {
        let ident = &f.ident;
        let (_, returns) = reader(f);
        let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
        quote!(#(#docs)* fn #ident(&self) -> #returns;)
    });
    let impls = entry_structs.iter().map(|s| {
        let name = &s.ident;
        let bodies = shared.iter().map(|f| {
            let ident = &f.ident;
            let (read, returns) = reader(f);
            quote!(fn #ident(&self) -> #returns { #read })
        });
        quote!(impl #trait_name for #name { #(#bodies)* })
    });
    let trait_doc = format!(
        "What every entry of [`{holder_name}`] has, whatever its own type: the fields the entry \
         types share."
    );
    quote! {
        #[doc = #trait_doc]
        pub trait #trait_name: ::std::fmt::Debug {
            #(#methods)*
        }
        #(#impls)*
    }
}

/// For each extension (`AccountWithAccountNumbersLegacy20230218` extends `AccountResponse`):
/// `from_base(base, <each field the base lacks that has no default>)` and `From<Ext> for Base`.
pub(crate) fn extends_impls(
    types: &[syn::Item],
    shapes: &Shapes,
) -> Result<Vec<TokenStream>, GenError> {
    let mut out = Vec::new();
    for ext in &shapes.extends {
        let missing = |name: &str| GenError::Progenitor(format!("no generated struct for {name}"));
        let wide =
            find_struct(types, &rust_type_name(&ext.schema)).ok_or_else(|| missing(&ext.schema))?;
        let base =
            find_struct(types, &rust_type_name(&ext.base)).ok_or_else(|| missing(&ext.base))?;
        let (wide_name, base_name) = (&wide.ident, &base.ident);
        let shared: Vec<&Option<Ident>> = base.fields.iter().map(|f| &f.ident).collect();
        let added: Vec<&syn::Field> = wide
            .fields
            .iter()
            .filter(|f| !shared.contains(&&f.ident))
            .collect();
        let (given, defaulted): (Vec<&syn::Field>, Vec<&syn::Field>) = added
            .into_iter()
            .partition(|f| option_inner(&f.ty).is_none() && !has_serde_attr(f, "default"));
        let params = given.iter().map(|f| {
            let (ident, ty) = (&f.ident, &f.ty);
            quote!(#ident: #ty)
        });
        let given_idents = given.iter().map(|f| &f.ident);
        let defaulted_idents = defaulted.iter().map(|f| &f.ident);
        let from_doc = format!(
            "A [`{wide_name}`] from the [`{base_name}`] it repeats and the required properties it \
             adds; the optional ones it adds are absent."
        );
        out.push(quote! {
            impl #wide_name {
                #[doc = #from_doc]
                pub fn from_base(base: #base_name, #(#params),*) -> Self {
                    Self {
                        #(#shared: base.#shared,)*
                        #(#given_idents,)*
                        #(#defaulted_idents: ::std::default::Default::default(),)*
                    }
                }
            }
            impl ::std::convert::From<#wide_name> for #base_name {
                fn from(wide: #wide_name) -> Self {
                    Self { #(#shared: wide.#shared),* }
                }
            }
        });
    }
    Ok(out)
}

/// `errors::ErrorFields`: one accessor per field of the documented error bodies (every body
/// schema an operation documents, the members of the 401 unions included), answering from
/// whichever body was decoded and `None` where that body has no such field. Fields whose type
/// differs between bodies (each body's constant `error_code`) are left out: read those from
/// the JSON. Implemented for the bodies, the unions and every `<Op>Error`, so classifying an
/// error response never names a body type, and a body or status added to the spec is read
/// without an edit.
pub(crate) fn error_fields(
    types: &[syn::Item],
    bodies_by_operation: &[(Ident, Vec<(Ident, String)>)],
) -> Result<TokenStream, GenError> {
    let mut unions: Vec<(&Ident, Vec<(&Ident, &syn::ItemStruct)>)> = Vec::new();
    let mut structs: Vec<&syn::ItemStruct> = Vec::new();
    for (_, variants) in bodies_by_operation {
        for (_, schema) in variants {
            let name = rust_type_name(schema);
            if let Some(body) = find_struct(types, &name) {
                structs.push(body);
            } else if let Some(union) = find_enum(types, &name) {
                let members = union_members(types, union)?;
                structs.extend(members.iter().map(|(_, body)| *body));
                unions.push((&union.ident, members));
            }
        }
    }
    structs.sort_by_key(|s| s.ident.to_string());
    structs.dedup_by_key(|s| s.ident.to_string());
    unions.sort_by_key(|(name, _)| name.to_string());
    unions.dedup_by_key(|(name, _)| name.to_string());
    let fields = common_error_fields(&structs);
    let accessors: Vec<(&Ident, TokenStream)> = fields
        .iter()
        .map(|(name, inner)| (*name, quote!(::std::option::Option<&#inner>)))
        .collect();
    let signatures = accessors.iter().map(|(name, returns)| {
        let doc = format!("The body's `{name}`, if it has one.");
        quote!(#[doc = #doc] fn #name(&self) -> #returns;)
    });
    let struct_impls = structs.iter().map(|body| {
        let methods = accessors.iter().map(|(name, returns)| {
            let read = match body.fields.iter().find(|f| f.ident.as_ref() == Some(*name)) {
                Some(field) => optional_reader(field),
                None => quote!(::std::option::Option::None),
            };
            quote!(fn #name(&self) -> #returns { #read })
        });
        let ident = &body.ident;
        quote!(impl ErrorFields for super::types::#ident { #(#methods)* })
    });
    let union_impls = unions.iter().map(|(union, members)| {
        let variants: Vec<&Ident> = members.iter().map(|(v, _)| *v).collect();
        delegate(&quote!(super::types::#union), &variants, &accessors)
    });
    let operation_impls = bodies_by_operation.iter().map(|(error_enum, variants)| {
        let variants: Vec<&Ident> = variants.iter().map(|(v, _)| v).collect();
        delegate(&quote!(#error_enum), &variants, &accessors)
    });
    Ok(quote! {
        /// The fields of the documented error bodies, read from whichever body was decoded.
        pub trait ErrorFields {
            #(#signatures)*
        }
        #(#struct_impls)*
        #(#union_impls)*
        #(#operation_impls)*
    })
}

fn find_enum<'a>(types: &'a [syn::Item], name: &str) -> Option<&'a syn::ItemEnum> {
    types.iter().find_map(|item| match item {
        syn::Item::Enum(e) if e.ident == name => Some(e),
        _ => None,
    })
}

/// The variants of a `oneOf` union of bodies, each with the struct it holds.
fn union_members<'a>(
    types: &'a [syn::Item],
    union: &'a syn::ItemEnum,
) -> Result<Vec<(&'a Ident, &'a syn::ItemStruct)>, GenError> {
    union
        .variants
        .iter()
        .map(|variant| {
            let held = variant.fields.iter().next().map(|f| &f.ty);
            let name = held.and_then(|ty| match ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            });
            name.and_then(|name| find_struct(types, &name))
                .map(|body| (&variant.ident, body))
                .ok_or_else(|| {
                    GenError::Progenitor(format!(
                        "{}::{} does not hold an error body struct",
                        union.ident, variant.ident
                    ))
                })
        })
        .collect()
}

/// Each field name of the bodies with its innermost type, where every body that has the field
/// agrees on that type.
fn common_error_fields<'a>(structs: &[&'a syn::ItemStruct]) -> Vec<(&'a Ident, &'a syn::Type)> {
    let mut fields: Vec<(&Ident, &syn::Type)> = Vec::new();
    let mut conflicting: Vec<&Ident> = Vec::new();
    for field in structs.iter().flat_map(|s| s.fields.iter()) {
        let (Some(name), inner) = (field.ident.as_ref(), innermost(&field.ty)) else {
            continue;
        };
        match fields.iter().find(|(known, _)| *known == name) {
            Some((_, ty)) if !same_type(ty, inner) => conflicting.push(name),
            Some(_) => {}
            None => fields.push((name, inner)),
        }
    }
    fields.retain(|(name, _)| !conflicting.contains(name));
    fields.sort_by_key(|(name, _)| name.to_string());
    fields
}

fn innermost(mut ty: &syn::Type) -> &syn::Type {
    while let Some(inner) = option_inner(ty) {
        ty = inner;
    }
    ty
}

/// Reads a field as `Option<&T>` whether it is `T`, `Option<T>` or `Option<Option<T>>`.
fn optional_reader(field: &syn::Field) -> TokenStream {
    let (read, _) = reader(field);
    if option_inner(&field.ty).is_some() {
        read
    } else {
        quote!(::std::option::Option::Some(#read))
    }
}

/// `impl ErrorFields` for an enum whose every variant holds one value that implements it.
fn delegate(
    target: &TokenStream,
    variants: &[&Ident],
    accessors: &[(&Ident, TokenStream)],
) -> TokenStream {
    let methods = accessors.iter().map(|(name, returns)| {
        quote! {
            fn #name(&self) -> #returns {
                match self { #(Self::#variants(body) => body.#name(),)* }
            }
        }
    });
    quote!(impl ErrorFields for #target { #(#methods)* })
}
