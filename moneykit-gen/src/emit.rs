//! The items progenitor cannot emit: open enums (into `mod types`) and one typed error enum per
//! operation (into `mod errors`) that restores the status → schema mapping `prepare` took out.

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::{GenError, schema_gate, shapes};

use crate::prepare::{OpenEnum, Operation, Prepared};

/// The catch-all variant of every open enum. Not `Unknown`: `LinkProductError` has a documented
/// value `unknown`.
const FALLBACK_VARIANT: &str = "Other";

/// Adds the open enums and the shape walkers to `mod types`, and appends `PATH_TEMPLATES` and
/// `mod errors`.
pub(crate) fn extend(file: &mut syn::File, prepared: &Prepared) -> Result<(), GenError> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| GenError::Progenitor("generated code has no `mod types`".into()))?;
    extend_types(&mut types.1, prepared)?;
    let bodies: Vec<(Ident, Vec<(Ident, String)>)> = prepared
        .operations
        .iter()
        .map(|op| {
            let variants = op
                .errors
                .iter()
                .map(|r| (ident(&status_variant(r.status)), r.schema.clone()));
            (error_enum_name(op), variants.collect())
        })
        .collect();
    let error_fields = shapes::error_fields(&types.1, &bodies)?;
    file.items
        .push(syn::parse2(path_templates(prepared)).map_err(internal)?);
    file.items
        .push(syn::parse2(errors_module(prepared, error_fields)).map_err(internal)?);
    Ok(())
}

fn error_enum_name(op: &Operation) -> Ident {
    ident(&format!("{}Error", op.operation_id.to_upper_camel_case()))
}

fn extend_types(types: &mut Vec<syn::Item>, prepared: &Prepared) -> Result<(), GenError> {
    for open in &prepared.open_enums {
        types.extend(parse_items(open_enum(open)?)?);
    }
    // After the open enums, so that the walkers see every type.
    shapes::keep_presence(types, &prepared.shapes);
    let mut walkers = shapes::redact_impls(types);
    walkers.extend(shapes::keyed_impls(types, &prepared.shapes)?);
    walkers.extend(shapes::extends_impls(types, &prepared.shapes)?);
    walkers.extend(shapes::items_view_impls(types, &prepared.shapes)?);
    walkers.extend(shapes::lookup_impls(types, &prepared.shapes)?);
    for walker in walkers {
        types.extend(parse_items(walker)?);
    }
    // Last, so that an accessor never takes a name another walker's method has.
    for accessors in shapes::presence_accessors(types) {
        types.extend(parse_items(accessors)?);
    }
    schema_gate::gate(types);
    Ok(())
}

fn parse_items(tokens: TokenStream) -> Result<Vec<syn::Item>, GenError> {
    Ok(syn::parse2::<syn::File>(tokens).map_err(internal)?.items)
}

fn path_templates(prepared: &Prepared) -> TokenStream {
    let ids = prepared.operations.iter().map(|op| &op.operation_id);
    let paths = prepared.operations.iter().map(|op| &op.path);
    quote! {
        /// Each operation's path template, so a request whose URL was normalised into another
        /// path (a `..` path parameter) can be refused before it is sent.
        pub const PATH_TEMPLATES: &[(&str, &str)] = &[#((#ids, #paths)),*];
    }
}

fn errors_module(prepared: &Prepared, error_fields: TokenStream) -> TokenStream {
    let error_enums = prepared.operations.iter().map(error_enum);
    quote! {
        /// The documented error responses of each operation, decoded by status.
        ///
        /// The generated methods return `Error::ErrorResponse` with the raw body for these
        /// statuses (progenitor allows one error type per operation); `decode` turns the status
        /// and body into the schema `openapi.yaml` names for it.
        pub mod errors {
            /// What every operation's error enum offers, so callers can handle them generically.
            pub trait DocumentedError:
                ErrorFields + ::std::marker::Sized + ::serde::Serialize + ::std::fmt::Debug + ::std::marker::Send + ::std::marker::Sync + 'static
            {
                /// The operation these errors belong to.
                const OPERATION_ID: &'static str;
                /// Its HTTP method, upper case (`GET`).
                const METHOD: &'static str;
                /// Its path template, as `openapi.yaml` writes it (`/links/{id}`).
                const PATH_TEMPLATE: &'static str;
                /// Whether sending it twice does no more than sending it once
                /// (`x-moneykit-idempotent`, else whether it is a `GET`): a request that is not
                /// is sent again only when it provably did not reach the server.
                const IDEMPOTENT: bool;
                /// The statuses `openapi.yaml` documents for the operation.
                const STATUSES: &'static [u16];
                /// Decodes `body` as the schema documented for `status`; `None` when the status
                /// is not documented for the operation.
                fn decode(status: u16, body: &[u8]) -> ::std::option::Option<::std::result::Result<Self, ::serde_json::Error>>;
                /// The status this body was documented for.
                fn status(&self) -> u16;
            }

            #error_fields

            #(#error_enums)*
        }
    }
}

fn internal(e: syn::Error) -> GenError {
    GenError::Progenitor(format!("moneykit-gen emitted invalid Rust: {e}"))
}

/// The name typify gives the type of a component schema (`APIErrorFoo` → `ApiErrorFoo`).
pub(crate) fn rust_type_name(schema_name: &str) -> String {
    schema_name.to_upper_camel_case()
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `depository.checking` → `DepositoryChecking`; `2023-02-18` → `V20230218`.
pub(crate) fn variant_name(value: &str) -> String {
    let name = value.to_upper_camel_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

/// The enum's variants and values; an error if two values (or a value and the fallback) would
/// get the same Rust name.
fn open_enum_variants(open: &OpenEnum) -> Result<Vec<(Ident, &String)>, GenError> {
    let mut variants: Vec<(String, &String)> = Vec::new();
    for value in &open.values {
        let variant = variant_name(value);
        let clash = variant == FALLBACK_VARIANT
            || variant.is_empty()
            || variants.iter().any(|(v, _)| *v == variant);
        if clash {
            return Err(GenError::Invalid(vec![format!(
                "components/schemas/{}: enum value `{value}` has no distinct Rust name \
                 (it would be `{variant}`)",
                open.name
            )]));
        }
        variants.push((variant, value));
    }
    Ok(variants
        .into_iter()
        .map(|(v, value)| (ident(&v), value))
        .collect())
}

fn open_enum(open: &OpenEnum) -> Result<TokenStream, GenError> {
    let name = ident(&rust_type_name(&open.name));
    let fallback = ident(FALLBACK_VARIANT);
    let variants = open_enum_variants(open)?;
    let idents: Vec<&Ident> = variants.iter().map(|(v, _)| v).collect();
    let values: Vec<&String> = variants.iter().map(|(_, v)| *v).collect();
    let value_docs = values.iter().map(|v| format!("`{v}`"));
    let doc = open
        .description
        .clone()
        .unwrap_or_else(|| format!("`{}` values.", open.name));
    let default_impl = open.default.as_deref().map(|default| {
        let variant = ident(&variant_name(default));
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    Self::#variant
                }
            }
        }
    });
    let conversions = open_enum_conversions(&name, &idents, &values);
    let wire = open_enum_wire(&name, &doc, &open.name, &values);
    Ok(quote! {
        #[doc = #doc]
        ///
        /// Open: a value this client does not know yet decodes as
        #[doc = concat!("[`", #FALLBACK_VARIANT, "`](Self::", #FALLBACK_VARIANT, ")")]
        /// and serializes back unchanged.
        ///
        /// `#[non_exhaustive]`: the API adds values, so a `match` needs a `_` arm.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #[doc = #value_docs]
                #idents,
            )*
            /// A value not in `openapi.yaml`, kept exactly as received.
            #fallback(::std::string::String),
        }
        #conversions
        #wire
        #default_impl
    })
}

/// `KNOWN`, `as_str`, `From<&str>`, `From<String>`, `FromStr` and `Display`: every string maps
/// to a value.
fn open_enum_conversions(name: &Ident, idents: &[&Ident], values: &[&String]) -> TokenStream {
    let fallback = ident(FALLBACK_VARIANT);
    quote! {
        impl #name {
            /// Every value `openapi.yaml` names, as on the wire, in its order.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #values,)*
                    Self::#fallback(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#idents,)*
                    other => Self::#fallback(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

    }
}

/// Serde as the plain string, and the JSON Schema of an open string set.
fn open_enum_wire(name: &Ident, doc: &str, schema_name: &str, values: &[&String]) -> TokenStream {
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::std::string::String::deserialize(deserializer).map(Self::from)
            }
        }

        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #schema_name.into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": #doc,
                    "type": "string",
                    "anyOf": [
                        { "enum": [#(#values),*] },
                        { "description": "A value added to the API after this client was generated." }
                    ]
                })
            }
        }

    }
}

fn error_enum(op: &Operation) -> TokenStream {
    let name = error_enum_name(op);
    let doc = format!(
        "Documented error responses of `{}` (`{} {}`), one variant per status.",
        op.operation_id, op.method, op.path
    );
    let operation_id = &op.operation_id;
    let method = op.method.to_uppercase();
    let path = &op.path;
    let idempotent = op.idempotent;
    let statuses: Vec<u16> = op.errors.iter().map(|r| r.status).collect();
    let variants: Vec<Ident> = op
        .errors
        .iter()
        .map(|r| ident(&status_variant(r.status)))
        .collect();
    let schemas: Vec<TokenStream> = op
        .errors
        .iter()
        .map(|r| {
            let schema = ident(&rust_type_name(&r.schema));
            quote!(super::types::#schema)
        })
        .collect();
    let variant_docs: Vec<String> = op
        .errors
        .iter()
        .map(|r| format!("{}: {} (`{}`)", r.status, r.description, r.schema))
        .collect();
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #variants(#schemas),
            )*
        }

        impl DocumentedError for #name {
            const OPERATION_ID: &'static str = #operation_id;
            const METHOD: &'static str = #method;
            const PATH_TEMPLATE: &'static str = #path;
            const IDEMPOTENT: bool = #idempotent;
            const STATUSES: &'static [u16] = &[#(#statuses),*];

            fn decode(status: u16, body: &[u8]) -> ::std::option::Option<::std::result::Result<Self, ::serde_json::Error>> {
                match status {
                    #(#statuses => Some(::serde_json::from_slice(body).map(Self::#variants)),)*
                    _ => None,
                }
            }

            fn status(&self) -> u16 {
                match self {
                    #(Self::#variants(_) => #statuses,)*
                }
            }
        }
    }
}

/// `401` → `Unauthorized`, `429` → `TooManyRequests`.
fn status_variant(status: u16) -> String {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map_or_else(
            || format!("Status{status}"),
            |reason| reason.to_upper_camel_case(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::DocumentedError;

    fn open(values: &[&str], default: Option<&str>) -> OpenEnum {
        OpenEnum {
            name: "link_state".to_owned(),
            description: None,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            default: default.map(str::to_owned),
        }
    }

    fn items(tokens: TokenStream) -> Vec<syn::Item> {
        parse_items(tokens).unwrap()
    }

    #[test]
    fn an_open_enum_has_a_variant_per_value_and_keeps_the_others() {
        let generated =
            items(open_enum(&open(&["depository.checking", "2023-02-18"], None)).unwrap());
        let Some(syn::Item::Enum(link_state)) = generated.first() else {
            panic!("the enum comes first");
        };
        assert_eq!(link_state.ident, "LinkState");
        let variants: Vec<(String, &syn::Fields)> = link_state
            .variants
            .iter()
            .map(|v| (v.ident.to_string(), &v.fields))
            .collect();
        let fallback: syn::FieldsUnnamed = syn::parse_quote!((::std::string::String));
        assert_eq!(
            variants,
            [
                ("DepositoryChecking".to_owned(), &syn::Fields::Unit),
                ("V20230218".to_owned(), &syn::Fields::Unit),
                ("Other".to_owned(), &syn::Fields::Unnamed(fallback)),
            ]
        );
        let has_default = |generated: &[syn::Item]| {
            generated.iter().any(|item| {
                matches!(item, syn::Item::Impl(i)
                    if i.trait_.as_ref().is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "Default")))
            })
        };
        assert!(!has_default(&generated));
        let defaulted = items(open_enum(&open(&["a", "b"], Some("b"))).unwrap());
        assert!(has_default(&defaulted));
    }

    #[test]
    fn values_without_distinct_rust_names_are_refused() {
        for values in [&["a-b", "a_b"][..], &["other"], &[""]] {
            let Err(GenError::Invalid(problems)) = open_enum(&open(values, None)) else {
                panic!("{values:?} accepted");
            };
            let last = values.last().unwrap();
            assert!(
                problems[0].starts_with(&format!(
                    "components/schemas/link_state: enum value `{last}` has no distinct Rust name"
                )),
                "{problems:?}"
            );
        }
    }

    fn operation(id: &str, statuses: &[(u16, &str)]) -> Operation {
        Operation {
            operation_id: id.to_owned(),
            method: "get".to_owned(),
            path: format!("/{id}/{{id}}"),
            errors: statuses
                .iter()
                .map(|(status, schema)| DocumentedError {
                    status: *status,
                    schema: (*schema).to_owned(),
                    description: "no".to_owned(),
                })
                .collect(),
            summary: String::new(),
            call: None,
            parameters: Vec::new(),
            idempotent: true,
            cli: None,
            authenticated: true,
            body: None,
            success: 200,
        }
    }

    #[test]
    fn an_error_enum_has_a_variant_per_documented_status() {
        let generated = items(error_enum(&operation(
            "get_link",
            &[(404, "not_found"), (401, "APIErrorAuth"), (599, "odd")],
        )));
        let Some(syn::Item::Enum(errors)) = generated.first() else {
            panic!("the enum comes first");
        };
        assert_eq!(errors.ident, "GetLinkError");
        let variants: Vec<syn::Variant> = errors
            .variants
            .iter()
            .map(|v| syn::Variant {
                attrs: Vec::new(),
                ..v.clone()
            })
            .collect();
        let expected: [syn::Variant; 3] = [
            syn::parse_quote!(NotFound(super::types::NotFound)),
            syn::parse_quote!(Unauthorized(super::types::ApiErrorAuth)),
            syn::parse_quote!(Status599(super::types::Odd)),
        ];
        assert_eq!(variants, expected);
        let Some(syn::Item::Impl(documented)) = generated.get(1) else {
            panic!("then its impl");
        };
        let statuses: syn::ImplItem = syn::parse_quote!(
            const STATUSES: &'static [u16] = &[404u16, 401u16, 599u16];
        );
        let method: syn::ImplItem = syn::parse_quote!(
            const METHOD: &'static str = "GET";
        );
        assert!(
            documented.items.contains(&statuses),
            "{}",
            quote!(#documented)
        );
        assert!(
            documented.items.contains(&method),
            "{}",
            quote!(#documented)
        );
    }

    #[test]
    fn path_templates_pair_each_operation_with_its_path() {
        let prepared = Prepared {
            spec: Default::default(),
            open_enums: Vec::new(),
            operations: vec![operation("a", &[]), operation("b", &[])],
            shapes: Default::default(),
        };
        let generated: syn::ItemConst = syn::parse2(path_templates(&prepared)).unwrap();
        let expected: syn::Expr = syn::parse_quote!(&[("a", "/a/{id}"), ("b", "/b/{id}")]);
        assert_eq!(*generated.expr, expected);
        // No `mod types`: nothing progenitor made to extend.
        let mut empty: syn::File = syn::parse_quote!(
            mod other {}
        );
        assert!(matches!(
            extend(&mut empty, &prepared),
            Err(GenError::Progenitor(_))
        ));
    }
}
