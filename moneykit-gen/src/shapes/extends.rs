//! Extensions (`x-moneykit-extends`): from the base plus the additions, and back.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{Shapes, option_inner, schema_struct, serde_setting};
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
