//! Presence: the optional fields of `mod types` keep absent, `null` and empty apart.

use quote::ToTokens;

use super::{Shapes, json_name, serde_setting};

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
                && skipped_if(field, "::std::option::Option::is_none")
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
            } else if skipped_if(field, "::std::vec::Vec::is_empty") {
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

/// Whether the field is left out of serialization when `function` says so.
fn skipped_if(field: &syn::Field, function: &str) -> bool {
    serde_setting(field, "skip_serializing_if").as_deref() == Some(function)
}
