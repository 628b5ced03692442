//! Keyed structs (`x-moneykit-keyed-by`): a lookup by the enum, an iterator, a shared trait.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::facts::{KEYED_BY_EXTENSION, Keyed};
use super::{Shapes, json_name, named_struct, option_inner, reader, schema_struct};
use crate::GenError;
use crate::emit::rust_type_name;

/// For each keyed struct (`LinkProducts` keyed by `Product`): a trait `<Enum>State` over the
/// fields every entry type shares (same name, same type), `get(&Enum)` and `iter()`.
pub(crate) fn keyed_impls(
    types: &[syn::Item],
    shapes: &Shapes,
) -> Result<Vec<TokenStream>, GenError> {
    let mut out = Vec::new();
    for keyed in &shapes.keyed {
        let holder = schema_struct(types, &keyed.schema)?;
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
            if !entry_types.contains(&ty) {
                entry_types.push(ty);
            }
        }
        let entry_structs: Vec<&syn::ItemStruct> = entry_types
            .iter()
            .filter_map(|ty| named_struct(types, ty))
            .collect();
        if entry_structs.is_empty() || entry_structs.len() != entry_types.len() {
            return Err(GenError::Invalid(vec![format!(
                "components/schemas/{}: needs at least one property, each an object schema \
                 ({KEYED_BY_EXTENSION})",
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
            entry_structs
                .iter()
                .all(|s| s.fields.iter().any(|g| g.ident == f.ident && g.ty == f.ty))
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
