//! Presence: the optional fields of `mod types` keep absent, `null` and empty apart.

use quote::{ToTokens, quote};

use super::{PRESENT_DESERIALIZER, Shapes, json_name, serde_path, serde_setting};

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
                && skipped_if(field, &syn::parse_quote!(::std::option::Option::is_none))
            {
                let ty = &field.ty;
                let schema_ty = ty.to_token_stream().to_string().replace(' ', "");
                field.ty = syn::parse_quote!(::std::option::Option<#ty>);
                field.attrs.push(syn::parse_quote!(
                    #[serde(default, deserialize_with = #PRESENT_DESERIALIZER)]
                ));
                field
                    .attrs
                    .push(syn::parse_quote!(#[schemars(with = #schema_ty)]));
            } else if skipped_if(field, &syn::parse_quote!(::std::vec::Vec::is_empty)) {
                let ty = &field.ty;
                field.ty = syn::parse_quote!(::std::option::Option<#ty>);
                // typify writes a property's rename into the attribute replaced here.
                let rename = serde_setting(field, "rename").map(|name| quote!(rename = #name,));
                field.attrs.retain(|a| !a.path().is_ident("serde"));
                field.attrs.push(syn::parse_quote!(
                    #[serde(#rename default, skip_serializing_if = "::std::option::Option::is_none")]
                ));
            }
        }
    }
}

/// Whether the field is left out of serialization when `function` says so, the setting's string
/// read as the path it names.
fn skipped_if(field: &syn::Field, function: &syn::Path) -> bool {
    serde_path(field, "skip_serializing_if").as_ref() == Some(function)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::shapes::find_struct;
    use crate::shapes::testing::{items, shapes};

    /// `mod types` as typify writes it for `Account` and `Other`, after `keep_presence` with the
    /// facts of an `Account` whose `note` and `type` are optional and nullable.
    fn kept(types: &str) -> Vec<syn::Item> {
        let nullable = json!({ "type": "string", "nullable": true });
        let facts = shapes(json!({
            "Account": {
                "type": "object",
                "required": ["id"],
                "properties": { "id": nullable, "note": nullable, "type": nullable }
            }
        }));
        let mut types = items(types);
        keep_presence(&mut types, &facts);
        types
    }

    fn fields(types: &[syn::Item], name: &str) -> Vec<syn::Field> {
        find_struct(types, name)
            .unwrap()
            .fields
            .iter()
            .cloned()
            .collect()
    }

    #[test]
    fn an_optional_nullable_property_keeps_null_apart_from_absent() {
        let types = kept(
            r#"pub struct Account {
                /// A note.
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub note: ::std::option::Option<::std::string::String>,
                #[serde(rename = "type", skip_serializing_if = "::std::option::Option::is_none")]
                pub type_: ::std::option::Option<Kind>,
            }"#,
        );
        let expected: syn::ItemStruct = syn::parse_quote! {
            pub struct Account {
                #[doc = " A note."]
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                #[serde(default, deserialize_with = "crate::presence::deserialize_present")]
                #[schemars(with = "::std::option::Option<::std::string::String>")]
                pub note: ::std::option::Option<::std::option::Option<::std::string::String>>,
                #[serde(rename = "type", skip_serializing_if = "::std::option::Option::is_none")]
                #[serde(default, deserialize_with = "crate::presence::deserialize_present")]
                #[schemars(with = "::std::option::Option<Kind>")]
                pub type_: ::std::option::Option<::std::option::Option<Kind>>,
            }
        };
        assert_eq!(find_struct(&types, "Account"), Some(&expected));
    }

    #[test]
    fn presence_is_kept_only_where_the_facts_and_typify_agree() {
        let other = r#"pub struct Other {
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub note: ::std::option::Option<::std::string::String>,
            }"#;
        let written = format!(
            r#"pub struct Account {{
                #[serde(deserialize_with = "::std::option::Option::deserialize")]
                pub id: ::std::option::Option<::std::string::String>,
                #[serde(skip_serializing_if = "::std::option::Option::is_some")]
                pub note: ::std::option::Option<::std::string::String>,
            }}
            {other}"#
        );
        // A required nullable property (no `skip_serializing_if`), a property skipped for
        // another reason, and a property of the same name in a struct the facts do not name.
        let types = kept(&written);
        assert_eq!(types, items(&written));
    }

    #[test]
    fn an_array_typify_would_drop_when_empty_keeps_empty_apart_from_absent() {
        let types = kept(
            r#"pub struct Other {
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub tags: ::std::vec::Vec<::std::string::String>,
                #[serde(rename = "Kinds", default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub kinds: ::std::vec::Vec<Kind>,
            }"#,
        );
        let expected: [syn::Field; 2] = [
            syn::parse_quote! {
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub tags: ::std::option::Option<::std::vec::Vec<::std::string::String>>
            },
            syn::parse_quote! {
                #[serde(rename = "Kinds", default, skip_serializing_if = "::std::option::Option::is_none")]
                pub kinds: ::std::option::Option<::std::vec::Vec<Kind>>
            },
        ];
        assert_eq!(fields(&types, "Other"), expected);
    }
}
