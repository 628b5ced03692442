//! Extensions (`x-moneykit-extends`): from the base plus the additions, and back.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::facts::EXTENDS_EXTENSION;
use super::{Shapes, json_name, option_inner, schema_struct, serde_setting};
use crate::GenError;

/// For each extension (`AccountWithAccountNumbersLegacy20230218` extends `AccountResponse`):
/// `from_base(base, <each field the base lacks that has no default>)` and `From<Ext> for Base`.
pub(crate) fn extends_impls(
    types: &[syn::Item],
    shapes: &Shapes,
) -> Result<Vec<TokenStream>, GenError> {
    let mut out = Vec::new();
    for ext in &shapes.extends {
        let wide = schema_struct(types, &ext.schema)?;
        let base = schema_struct(types, &ext.base)?;
        let (wide_name, base_name) = (&wide.ident, &base.ident);
        // The spec check compares the schemas; typify still names an inline type after the
        // struct holding it, so such a property gets another type here and could not be moved.
        let unlike: Vec<String> = base
            .fields
            .iter()
            .filter(|b| {
                !wide
                    .fields
                    .iter()
                    .any(|w| w.ident == b.ident && w.ty == b.ty)
            })
            .map(json_name)
            .collect();
        if !unlike.is_empty() {
            return Err(GenError::Invalid(vec![format!(
                "components/schemas/{} ({EXTENDS_EXTENSION}: {}): properties {unlike:?} are not \
                 generated with the base's types; make their schemas components",
                ext.schema, ext.base
            )]));
        }
        let shared: Vec<&Option<Ident>> = base.fields.iter().map(|f| &f.ident).collect();
        let added: Vec<&syn::Field> = wide
            .fields
            .iter()
            .filter(|f| !shared.contains(&&f.ident))
            .collect();
        let (given, defaulted): (Vec<&syn::Field>, Vec<&syn::Field>) = added
            .into_iter()
            .partition(|f| option_inner(&f.ty).is_none() && serde_setting(f, "default").is_none());
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::shapes::testing::{impl_of, items, method, parsed, shapes};

    /// `Wide` extends `Base`; the generated structs are `types`.
    fn extended(types: &str) -> Result<Vec<syn::Item>, GenError> {
        let facts = shapes(json!({
            "Base": { "type": "object", "properties": { "id": {} } },
            "Wide": {
                "type": "object",
                "x-moneykit-extends": "Base",
                "properties": { "id": {} }
            }
        }));
        extends_impls(&items(types), &facts).map(parsed)
    }

    const BASE: &str = "pub struct Base { pub id: ::std::string::String, \
                        pub mask: ::std::option::Option<::std::string::String> }";

    #[test]
    fn from_base_asks_for_each_added_field_that_has_no_default() {
        let generated = extended(&format!(
            r#"{BASE}
            pub struct Wide {{
                pub id: ::std::string::String,
                pub numbers: Numbers,
                pub mask: ::std::option::Option<::std::string::String>,
                pub note: ::std::option::Option<::std::string::String>,
                #[serde(default)]
                pub tags: ::std::vec::Vec<::std::string::String>,
            }}"#
        ))
        .unwrap();
        let from_base = method(impl_of(&generated, None, "Wide"), "from_base");
        let expected: syn::Signature =
            syn::parse_quote!(fn from_base(base: Base, numbers: Numbers) -> Self);
        assert_eq!(from_base.sig, expected);
        let expected: [syn::FieldValue; 5] = [
            syn::parse_quote!(id: base.id),
            syn::parse_quote!(mask: base.mask),
            syn::parse_quote!(numbers),
            syn::parse_quote!(note: ::std::default::Default::default()),
            syn::parse_quote!(tags: ::std::default::Default::default()),
        ];
        assert_eq!(built(&from_base.block), expected);

        let back = method(impl_of(&generated, Some("From"), "Base"), "from");
        let expected: [syn::FieldValue; 2] = [
            syn::parse_quote!(id: wide.id),
            syn::parse_quote!(mask: wide.mask),
        ];
        assert_eq!(built(&back.block), expected);
    }

    /// The fields of the `Self { … }` a method's body is.
    fn built(block: &syn::Block) -> Vec<syn::FieldValue> {
        let [syn::Stmt::Expr(syn::Expr::Struct(built), None)] = block.stmts.as_slice() else {
            panic!("not one struct expression");
        };
        assert!(built.path.is_ident("Self") && built.rest.is_none());
        built.fields.iter().cloned().collect()
    }

    #[test]
    fn a_base_field_generated_with_another_type_is_refused() {
        let refused = extended(&format!(
            "{BASE} pub struct Wide {{ pub id: WideId, pub mask: ::std::option::Option<::std::string::String> }}"
        ));
        let Err(GenError::Invalid(problems)) = refused else {
            panic!("accepted");
        };
        assert_eq!(
            problems,
            [
                "components/schemas/Wide (x-moneykit-extends: Base): properties [\"id\"] are not \
              generated with the base's types; make their schemas components"
            ]
        );
        // A struct typify did not generate is the generator's error, not the spec's.
        assert!(matches!(extended(BASE), Err(GenError::Progenitor(_))));
    }
}
