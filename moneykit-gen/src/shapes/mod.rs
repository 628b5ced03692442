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
//!   back;
//! - **items views** (`x-moneykit-items-view: <View>`): a struct whose properties are lists (an
//!   account's numbers, one list per kind) gets a borrowed enum with a variant per list and an
//!   iterator over every item of every list;
//! - **lookups** (`x-moneykit-lookup: <method>` on an id property): a struct with a list of such
//!   objects finds one by its id (and, if it holds an items view, that view);
//! - **readable presence**: each `Option<Option<T>>` field gets an accessor of its name that
//!   answers the value when present and not `null`, the field keeping presence.
//!
//! - **error fields**: `errors::ErrorFields` reads the documented error bodies' fields from
//!   whichever body was decoded.
//!
//! [`collect`] (`facts.rs`) reads these facts from the spec before `prepare` strips the
//! extensions; the other modules work on the syntax tree progenitor produced, so they see the
//! Rust names and types typify actually chose. This module holds what they share: reading that
//! tree.

mod errors;
mod extends;
mod facts;
mod keyed;
mod presence;
mod readable;
mod redact;
mod views;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub(crate) use errors::error_fields;
pub(crate) use extends::extends_impls;
pub(crate) use facts::{Shapes, collect};
pub(crate) use keyed::keyed_impls;
pub(crate) use presence::keep_presence;
pub(crate) use readable::presence_accessors;
pub(crate) use redact::redact_impls;
pub(crate) use views::{items_view_impls, lookup_impls};

/// The property name a field (de)serializes as.
pub(super) fn json_name(field: &syn::Field) -> String {
    serde_setting(field, "rename").unwrap_or_else(|| {
        let ident = field
            .ident
            .as_ref()
            .map(Ident::to_string)
            .unwrap_or_default();
        ident.trim_start_matches("r#").to_owned()
    })
}

/// The function that decodes a kept presence (`Option<Option<T>>`): written by `presence.rs`,
/// recognised by `readable.rs`.
pub(super) const PRESENT_DESERIALIZER: &str = "crate::presence::deserialize_present";

/// The setting `key` of the field's `#[serde(…)]` attributes as the path its string names
/// (`skip_serializing_if = "::std::option::Option::is_none"`), so that two spellings of one
/// path compare equal; `None` when no attribute has it or it names no path.
pub(super) fn serde_path(field: &syn::Field, key: &str) -> Option<syn::Path> {
    syn::parse_str(&serde_setting(field, key)?).ok()
}

/// The setting `key` of the field's `#[serde(…)]` attributes, read as syn parses them: the
/// string of `key = "…"`, or `""` for a bare `key` (`default`); `None` when no attribute has it.
pub(super) fn serde_setting(field: &syn::Field, key: &str) -> Option<String> {
    let mut found = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let value = if meta.input.peek(syn::Token![=]) {
                Some(meta.value()?.parse::<syn::Expr>()?)
            } else {
                None
            };
            if meta.path.is_ident(key) {
                found = Some(match value {
                    Some(syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    })) => text.value(),
                    _ => String::new(),
                });
            }
            Ok(())
        });
    }
    found
}

/// The struct generated for the component schema `schema`.
pub(super) fn schema_struct<'a>(
    types: &'a [syn::Item],
    schema: &str,
) -> Result<&'a syn::ItemStruct, crate::GenError> {
    find_struct(types, &crate::emit::rust_type_name(schema))
        .ok_or_else(|| crate::GenError::Progenitor(format!("no generated struct for {schema}")))
}

/// The struct of `types` that `ty` names by a plain path (`AchNumber`, `types::AchNumber`).
pub(super) fn named_struct<'a>(
    types: &'a [syn::Item],
    ty: &syn::Type,
) -> Option<&'a syn::ItemStruct> {
    find_struct(types, &type_ident(ty)?.to_string())
}

/// The name a plain path type ends in (`Foo` of `types::Foo`); `None` for any other type.
pub(super) fn type_ident(ty: &syn::Type) -> Option<&Ident> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    (path.qself.is_none() && last.arguments.is_none()).then_some(&last.ident)
}

pub(super) fn find_struct<'a>(types: &'a [syn::Item], name: &str) -> Option<&'a syn::ItemStruct> {
    types.iter().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })
}

/// How a field's value is read as a reference: `&T`, or `Option<&T>` through one or two
/// `Option`s, and the type the reader returns.
pub(super) fn reader(field: &syn::Field) -> (TokenStream, TokenStream) {
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

/// `T` of `::std::option::Option<T>`.
pub(super) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    type_argument(ty, "Option")
}

/// `T` of a path type named `wrapper` with one type argument (`Option<T>`, `Vec<T>`).
fn type_argument<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
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

pub(super) fn find_enum<'a>(types: &'a [syn::Item], name: &str) -> Option<&'a syn::ItemEnum> {
    types.iter().find_map(|item| match item {
        syn::Item::Enum(e) if e.ident == name => Some(e),
        _ => None,
    })
}

pub(super) fn innermost(mut ty: &syn::Type) -> &syn::Type {
    while let Some(inner) = option_inner(ty) {
        ty = inner;
    }
    ty
}

/// `T` of `::std::vec::Vec<T>`.
pub(super) fn vec_item(ty: &syn::Type) -> Option<&syn::Type> {
    type_argument(ty, "Vec")
}

/// What the tests of the shape passes share: facts from a few hand-written schemas, hand-written
/// `mod types` items, and the passes' output read back as syn items.
#[cfg(test)]
mod testing {
    use proc_macro2::TokenStream;

    use super::{Shapes, collect};

    /// A document whose only content is `schemas`, as `components/schemas`.
    pub(super) fn document(schemas: serde_json::Value) -> serde_json::Value {
        serde_json::json!({ "components": { "schemas": schemas } })
    }

    /// The shape facts of `schemas`, which must be valid.
    pub(super) fn shapes(schemas: serde_json::Value) -> Shapes {
        collect(&document(schemas)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Hand-written items of `mod types`.
    pub(super) fn items(code: &str) -> Vec<syn::Item> {
        syn::parse_str::<syn::File>(code)
            .unwrap_or_else(|e| panic!("{e}: {code}"))
            .items
    }

    /// A pass's output, parsed back.
    pub(super) fn parsed(tokens: impl IntoIterator<Item = TokenStream>) -> Vec<syn::Item> {
        tokens
            .into_iter()
            .flat_map(|t| syn::parse2::<syn::File>(t).unwrap().items)
            .collect()
    }

    /// The impl of `trait_name` (by its last segment; `None`: the inherent impl) for the type
    /// whose path ends in `self_ty`.
    pub(super) fn impl_of<'a>(
        items: &'a [syn::Item],
        trait_name: Option<&str>,
        self_ty: &str,
    ) -> &'a syn::ItemImpl {
        items
            .iter()
            .find_map(|item| match item {
                syn::Item::Impl(i)
                    if super::type_ident(&i.self_ty).is_some_and(|t| t == self_ty)
                        && i.trait_
                            .as_ref()
                            .and_then(|(p, _)| p.segments.last())
                            .map(|s| s.ident.to_string())
                            .as_deref()
                            == trait_name =>
                {
                    Some(i)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no impl {trait_name:?} for {self_ty}"))
    }

    /// The method `name` of `imp`.
    pub(super) fn method<'a>(imp: &'a syn::ItemImpl, name: &str) -> &'a syn::ImplItemFn {
        imp.items
            .iter()
            .find_map(|item| match item {
                syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no fn {name}"))
    }

    /// The names of the methods of `imp`, in order.
    pub(super) fn method_names(imp: &syn::ItemImpl) -> Vec<String> {
        imp.items
            .iter()
            .filter_map(|item| match item {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_settings_are_read_from_the_attribute_not_its_text() {
        let item: syn::ItemStruct = syn::parse_str(
            r#"struct S {
                #[serde(rename = "type", default)]
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                kind: Option<String>,
                #[serde(deserialize_with = "crate::default_or_null")]
                other: u8,
            }"#,
        )
        .unwrap();
        let fields: Vec<&syn::Field> = item.fields.iter().collect();
        let (kind, other) = (fields[0], fields[1]);
        assert_eq!(serde_setting(kind, "rename").as_deref(), Some("type"));
        assert_eq!(serde_setting(kind, "default").as_deref(), Some(""));
        assert_eq!(
            serde_setting(kind, "skip_serializing_if").as_deref(),
            Some("::std::option::Option::is_none")
        );
        assert_eq!(json_name(kind), "type");
        // `default` inside another setting's value is not the setting.
        assert_eq!(serde_setting(other, "default"), None);
        assert_eq!(json_name(other), "other");
    }
}
