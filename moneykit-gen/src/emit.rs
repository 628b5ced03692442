//! The items progenitor cannot emit: open enums (into `mod types`) and one typed error enum per
//! operation (into `mod errors`) that restores the status → schema mapping `prepare` took out.

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::{GenError, shapes};

use crate::prepare::{OpenEnum, Operation, Prepared};

/// The catch-all variant of every open enum. Not `Unknown`: `LinkProductError` has a documented
/// value `unknown`.
const FALLBACK_VARIANT: &str = "Other";

/// Adds the open enums to `mod types` and appends `mod errors`.
pub(crate) fn extend(file: &mut syn::File, prepared: &Prepared) -> Result<(), GenError> {
    let mut open_enums = Vec::new();
    for open in &prepared.open_enums {
        open_enums.push(syn::parse2::<syn::File>(open_enum(open)?).map_err(internal)?);
    }
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| GenError::Progenitor("generated code has no `mod types`".into()))?;
    types.1.extend(open_enums.into_iter().flat_map(|f| f.items));
    shapes::keep_presence(&mut types.1, &prepared.shapes);
    let mut walkers = shapes::redact_impls(&types.1);
    walkers.extend(shapes::keyed_impls(&types.1, &prepared.shapes)?);
    walkers.extend(shapes::extends_impls(&types.1, &prepared.shapes)?);
    for walker in walkers {
        types
            .1
            .extend(syn::parse2::<syn::File>(walker).map_err(internal)?.items);
    }

    let error_enums: Vec<TokenStream> = prepared.operations.iter().map(error_enum).collect();
    let ids: Vec<&String> = prepared
        .operations
        .iter()
        .map(|op| &op.operation_id)
        .collect();
    let paths: Vec<&String> = prepared.operations.iter().map(|op| &op.path).collect();
    let path_templates = quote! {
        /// Each operation's path template, so a request whose URL was normalised into another
        /// path (a `..` path parameter) can be refused before it is sent.
        pub const PATH_TEMPLATES: &[(&str, &str)] = &[#((#ids, #paths)),*];
    };
    file.items
        .push(syn::parse2(path_templates).map_err(internal)?);
    let errors_mod = quote! {
        /// The documented error responses of each operation, decoded by status.
        ///
        /// The generated methods return `Error::ErrorResponse` with the raw body for these
        /// statuses (progenitor allows one error type per operation); `decode` turns the status
        /// and body into the schema `openapi.yaml` names for it.
        pub mod errors {
            /// What every operation's error enum offers, so callers can handle them generically.
            pub trait DocumentedError:
                ::std::marker::Sized + ::serde::Serialize + ::std::fmt::Debug + ::std::marker::Send + ::std::marker::Sync + 'static
            {
                /// The operation these errors belong to.
                const OPERATION_ID: &'static str;
                /// The statuses `openapi.yaml` documents for the operation.
                const STATUSES: &'static [u16];
                /// Decodes `body` as the schema documented for `status`; `None` when the status
                /// is not documented for the operation.
                fn decode(status: u16, body: &[u8]) -> ::std::option::Option<::std::result::Result<Self, ::serde_json::Error>>;
                /// The status this body was documented for.
                fn status(&self) -> u16;
            }

            #(#error_enums)*
        }
    };
    file.items.push(syn::parse2(errors_mod).map_err(internal)?);
    Ok(())
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

fn open_enum(open: &OpenEnum) -> Result<TokenStream, GenError> {
    let name = ident(&rust_type_name(&open.name));
    let fallback = ident(FALLBACK_VARIANT);
    let mut variants = Vec::new();
    for value in &open.values {
        let variant = variant_name(value);
        let clash = variant == FALLBACK_VARIANT
            || variant.is_empty()
            || variants
                .iter()
                .any(|(v, _): &(String, &String)| *v == variant);
        if clash {
            return Err(GenError::Invalid(vec![format!(
                "components/schemas/{}: enum value `{value}` has no distinct Rust name \
                 (it would be `{variant}`)",
                open.name
            )]));
        }
        variants.push((variant, value));
    }
    let idents: Vec<Ident> = variants.iter().map(|(v, _)| ident(v)).collect();
    let values: Vec<&String> = variants.iter().map(|(_, v)| *v).collect();
    let value_docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let doc = open
        .description
        .clone()
        .unwrap_or_else(|| format!("`{}` values.", open.name));
    let schema_name = &open.name;
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

        impl #name {
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

        #default_impl
    })
}

fn error_enum(op: &Operation) -> TokenStream {
    let name = ident(&format!("{}Error", op.operation_id.to_upper_camel_case()));
    let doc = format!(
        "Documented error responses of `{}` (`{} {}`), one variant per status.",
        op.operation_id, op.method, op.path
    );
    let operation_id = &op.operation_id;
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
