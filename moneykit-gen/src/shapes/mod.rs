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
use quote::{ToTokens, quote};

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

pub(super) fn has_serde_attr(field: &syn::Field, text: &str) -> bool {
    field
        .attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && a.to_token_stream().to_string().contains(text))
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

/// syn compares types only with its `extra-traits` feature; their tokens say the same.
pub(super) fn same_type(a: &syn::Type, b: &syn::Type) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
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
