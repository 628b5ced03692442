//! Readable presence: one accessor per field `presence` made `Option<Option<T>>`, answering the
//! value when it is present and not `null`, so reading one is not a `.flatten()` every time.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use super::{PRESENT_DESERIALIZER, json_name, option_inner, serde_path, vec_item};

/// Methods every generated type has through a trait (derived, `crate::Redact`, schemars) or a
/// blanket impl. An inherent method of the same name would shadow the trait's in method-call
/// syntax (`value.clone()` would stop cloning), so a field of one of these names keeps only its
/// `.flatten()`.
pub(super) const TRAIT_METHODS: &[&str] = &[
    "borrow",
    "borrow_mut",
    "clone",
    "clone_from",
    "clone_into",
    "default",
    "deserialize",
    "eq",
    "fmt",
    "from",
    "inline_schema",
    "into",
    "json_schema",
    "ne",
    "redacted",
    "schema_id",
    "schema_name",
    "serialize",
    "to_owned",
    "to_string",
    "try_from",
    "try_into",
    "type_id",
];

/// Scalars returned by value: a reference to an `f64` or a `bool` only gets in the way of
/// arithmetic and comparisons, and copying one costs nothing.
const COPIED: &[&str] = &[
    "bool", "char", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32",
    "u64", "u128", "usize",
];

/// For every struct field that `keep_presence` made `Option<Option<T>>`, a method of the
/// field's name that returns the value when the property was present and not `null`:
/// `Option<T>` for a scalar, `Option<&str>` for a string, `Option<&[T]>` for an array and
/// `Option<&T>` otherwise (the std conventions: `as_deref` rather than `&String`). The field
/// stays public and keeps presence; a field whose name another method of the type already has
/// (an inherent method, or one of [`TRAIT_METHODS`]) gets no accessor rather than shadowing it.
pub(crate) fn presence_accessors(types: &[syn::Item]) -> Vec<TokenStream> {
    let taken = inherent_methods(types);
    let no_methods = BTreeSet::new();
    types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s),
            _ => None,
        })
        .filter_map(|s| {
            let taken = taken.get(&s.ident.to_string()).unwrap_or(&no_methods);
            let methods: Vec<TokenStream> = s
                .fields
                .iter()
                .filter(|f| {
                    let name = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                    let bare = name.trim_start_matches("r#");
                    !TRAIT_METHODS.contains(&bare) && !taken.contains(&name)
                })
                .filter_map(accessor)
                .collect();
            let name = &s.ident;
            (!methods.is_empty()).then(|| quote!(impl #name { #(#methods)* }))
        })
        .collect()
}

/// The accessor of one field, if `keep_presence` gave it a second `Option`.
fn accessor(field: &syn::Field) -> Option<TokenStream> {
    let inner = option_inner(option_inner(&field.ty)?)?;
    let present = syn::parse_str::<syn::Path>(PRESENT_DESERIALIZER).ok()?;
    if serde_path(field, "deserialize_with") != Some(present) {
        return None;
    }
    let ident = field.ident.as_ref()?;
    let (returns, read) = if last_segment_is(inner, COPIED) {
        (
            quote!(::std::option::Option<#inner>),
            quote!(self.#ident.flatten()),
        )
    } else if last_segment_is(inner, &["String"]) {
        (
            quote!(::std::option::Option<&str>),
            quote!(self.#ident.as_ref().and_then(::std::option::Option::as_deref)),
        )
    } else if let Some(item) = vec_item(inner) {
        (
            quote!(::std::option::Option<&[#item]>),
            quote!(self.#ident.as_ref().and_then(::std::option::Option::as_deref)),
        )
    } else {
        (
            quote!(::std::option::Option<&#inner>),
            quote!(self.#ident.as_ref().and_then(::std::option::Option::as_ref)),
        )
    };
    let docs: Vec<&syn::Attribute> = field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    // A paragraph of its own after the field's description, if it has one.
    let separator = if docs.is_empty() { "" } else { "\n\n" };
    let presence_doc = format!(
        "{separator}`{}` when present and not `null`. The field keeps the difference: `None` is \
         absent, `Some(None)` is `null`.",
        json_name(field)
    );
    Some(quote! {
        #(#docs)*
        #[doc = #presence_doc]
        pub fn #ident(&self) -> #returns {
            #read
        }
    })
}

/// The names of the inherent methods (and associated functions) of each type.
fn inherent_methods(types: &[syn::Item]) -> BTreeMap<String, BTreeSet<String>> {
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = super::type_ident(&imp.self_ty) else {
            continue;
        };
        taken
            .entry(name.to_string())
            .or_default()
            .extend(imp.items.iter().filter_map(|i| match i {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            }));
    }
    taken
}

fn last_segment_is(ty: &syn::Type, names: &[&str]) -> bool {
    super::type_ident(ty).is_some_and(|ident| names.iter().any(|name| ident == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The accessors generated for `code` (a few items of `mod types`), as one string.
    fn accessors(code: &str) -> String {
        let file: syn::File = syn::parse_str(code).unwrap();
        let impls = presence_accessors(&file.items);
        let file: syn::File = syn::parse2(quote!(#(#impls)*)).unwrap();
        prettyplease::unparse(&file)
    }

    const PRESENT: &str =
        r#"#[serde(default, deserialize_with = "crate::presence::deserialize_present")]"#;

    #[test]
    fn each_kind_of_value_gets_its_reader() {
        let code = accessors(&format!(
            "pub struct Balances {{
                /// The available balance.
                {PRESENT} pub available: ::std::option::Option<::std::option::Option<f64>>,
                {PRESENT} pub note: ::std::option::Option<::std::option::Option<::std::string::String>>,
                {PRESENT} pub tags: ::std::option::Option<::std::option::Option<::std::vec::Vec<::std::string::String>>>,
                {PRESENT} pub at: ::std::option::Option<::std::option::Option<crate::Timestamp>>,
                #[serde(rename = \"type\")] {PRESENT} pub type_: ::std::option::Option<::std::option::Option<Kind>>,
                pub plain: ::std::option::Option<::std::string::String>,
                pub required: f64,
            }}"
        ));
        for expected in [
            "/// The available balance.\n",
            "pub fn available(&self) -> ::std::option::Option<f64> {\n        self.available.flatten()",
            "pub fn note(&self) -> ::std::option::Option<&str> {\n        self.note.as_ref().and_then(::std::option::Option::as_deref)",
            "pub fn tags(&self) -> ::std::option::Option<&[::std::string::String]>",
            "pub fn at(&self) -> ::std::option::Option<&crate::Timestamp> {\n        self.at.as_ref().and_then(::std::option::Option::as_ref)",
            "pub fn type_(&self) -> ::std::option::Option<&Kind>",
            "`type` when present and not `null`",
        ] {
            assert!(
                code.contains(expected),
                "{expected:?} missing from:\n{code}"
            );
        }
        // Plain options and required fields are read directly: no accessor.
        assert!(!code.contains("fn plain"), "{code}");
        assert!(!code.contains("fn required"), "{code}");
    }

    #[test]
    fn a_double_option_presence_did_not_make_is_left_alone() {
        let code = accessors(
            "pub struct Odd { pub value: ::std::option::Option<::std::option::Option<f64>> }",
        );
        assert!(code.trim().is_empty(), "{code}");
    }

    #[test]
    fn a_name_another_method_has_gets_no_accessor() {
        let code = accessors(&format!(
            "pub struct Holder {{
                {PRESENT} pub get: ::std::option::Option<::std::option::Option<f64>>,
                {PRESENT} pub clone: ::std::option::Option<::std::option::Option<f64>>,
                {PRESENT} pub redacted: ::std::option::Option<::std::option::Option<f64>>,
                {PRESENT} pub kept: ::std::option::Option<::std::option::Option<f64>>,
            }}
            impl Holder {{ pub fn get(&self, key: &Product) -> Option<&dyn ProductState> {{ None }} }}
            impl Other {{ pub fn kept(&self) {{}} }}"
        ));
        assert!(!code.contains("fn get"), "{code}");
        assert!(!code.contains("fn clone"), "{code}");
        assert!(!code.contains("fn redacted"), "{code}");
        // Another type's method of the same name is no clash.
        assert!(code.contains("pub fn kept(&self)"), "{code}");
    }
}
