//! `errors::ErrorFields` over every documented error body.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{find_enum, find_struct, innermost, option_inner, reader};
use crate::GenError;
use crate::emit::rust_type_name;

/// `errors::ErrorFields`: one accessor per field of the documented error bodies (every body
/// schema an operation documents, the members of the 401 unions included), answering from
/// whichever body was decoded and `None` where that body has no such field. Fields whose type
/// differs between bodies (each body's constant `error_code`) are left out: read those from
/// the JSON. Implemented for the bodies, the unions and every `<Op>Error`, so classifying an
/// error response never names a body type, and a body or status added to the spec is read
/// without an edit.
pub(crate) fn error_fields(
    types: &[syn::Item],
    bodies_by_operation: &[(Ident, Vec<(Ident, String)>)],
) -> Result<TokenStream, GenError> {
    let mut unions: Vec<(&Ident, Vec<(&Ident, &syn::ItemStruct)>)> = Vec::new();
    let mut structs: Vec<&syn::ItemStruct> = Vec::new();
    for (_, variants) in bodies_by_operation {
        for (_, schema) in variants {
            let name = rust_type_name(schema);
            if let Some(body) = find_struct(types, &name) {
                structs.push(body);
            } else if let Some(union) = find_enum(types, &name) {
                let members = union_members(types, union)?;
                structs.extend(members.iter().map(|(_, body)| *body));
                unions.push((&union.ident, members));
            }
        }
    }
    structs.sort_by_key(|s| s.ident.to_string());
    structs.dedup_by_key(|s| s.ident.to_string());
    unions.sort_by_key(|(name, _)| name.to_string());
    unions.dedup_by_key(|(name, _)| name.to_string());
    let fields = common_error_fields(&structs);
    let accessors: Vec<(&Ident, TokenStream)> = fields
        .iter()
        .map(|(name, inner)| {
            let inner = in_types_module(types, inner);
            (*name, quote!(::std::option::Option<&#inner>))
        })
        .collect();
    let signatures = accessors.iter().map(|(name, returns)| {
        let doc = format!("The body's `{name}`, if it has one.");
        quote!(#[doc = #doc] fn #name(&self) -> #returns;)
    });
    let struct_impls = structs.iter().map(|body| {
        let methods = accessors.iter().map(|(name, returns)| {
            let read = match body.fields.iter().find(|f| f.ident.as_ref() == Some(*name)) {
                Some(field) => optional_reader(field),
                None => quote!(::std::option::Option::None),
            };
            quote!(fn #name(&self) -> #returns { #read })
        });
        let ident = &body.ident;
        quote!(impl ErrorFields for super::types::#ident { #(#methods)* })
    });
    let union_impls = unions.iter().map(|(union, members)| {
        let variants: Vec<&Ident> = members.iter().map(|(v, _)| *v).collect();
        delegate(&quote!(super::types::#union), &variants, &accessors)
    });
    let operation_impls = bodies_by_operation.iter().map(|(error_enum, variants)| {
        let variants: Vec<&Ident> = variants.iter().map(|(v, _)| v).collect();
        delegate(&quote!(#error_enum), &variants, &accessors)
    });
    Ok(quote! {
        /// The fields of the documented error bodies, read from whichever body was decoded.
        pub trait ErrorFields {
            #(#signatures)*
        }
        #(#struct_impls)*
        #(#union_impls)*
        #(#operation_impls)*
    })
}

/// The variants of a `oneOf` union of bodies, each with the struct it holds.
fn union_members<'a>(
    types: &'a [syn::Item],
    union: &'a syn::ItemEnum,
) -> Result<Vec<(&'a Ident, &'a syn::ItemStruct)>, GenError> {
    union
        .variants
        .iter()
        .map(|variant| {
            let held = variant.fields.iter().next().map(|f| &f.ty);
            let name = held.and_then(|ty| match ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            });
            name.and_then(|name| find_struct(types, &name))
                .map(|body| (&variant.ident, body))
                .ok_or_else(|| {
                    GenError::Progenitor(format!(
                        "{}::{} does not hold an error body struct",
                        union.ident, variant.ident
                    ))
                })
        })
        .collect()
}

/// Each field name of the bodies with its innermost type, where every body that has the field
/// agrees on that type.
fn common_error_fields<'a>(structs: &[&'a syn::ItemStruct]) -> Vec<(&'a Ident, &'a syn::Type)> {
    let mut fields: Vec<(&Ident, &syn::Type)> = Vec::new();
    let mut conflicting: Vec<&Ident> = Vec::new();
    for field in structs.iter().flat_map(|s| s.fields.iter()) {
        let (Some(name), inner) = (field.ident.as_ref(), innermost(&field.ty)) else {
            continue;
        };
        match fields.iter().find(|(known, _)| *known == name) {
            Some((_, ty)) if *ty != inner => conflicting.push(name),
            Some(_) => {}
            None => fields.push((name, inner)),
        }
    }
    fields.retain(|(name, _)| !conflicting.contains(name));
    fields.sort_by_key(|(name, _)| name.to_string());
    fields
}

/// `ty` as written from the `errors` module: a generated type it names (such as the item type
/// of a body's list of details) is reached through `super::types`.
fn in_types_module(types: &[syn::Item], ty: &syn::Type) -> syn::Type {
    let mut ty = ty.clone();
    qualify(types, &mut ty);
    ty
}

fn qualify(types: &[syn::Item], ty: &mut syn::Type) {
    let syn::Type::Path(path) = ty else {
        return;
    };
    for segment in path.path.segments.iter_mut() {
        if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
            for arg in args.args.iter_mut() {
                if let syn::GenericArgument::Type(inner) = arg {
                    qualify(types, inner);
                }
            }
        }
    }
    let local =
        path.qself.is_none() && path.path.leading_colon.is_none() && path.path.segments.len() == 1;
    let Some(segment) = path.path.segments.first().filter(|_| local).cloned() else {
        return;
    };
    let name = segment.ident.to_string();
    if find_struct(types, &name).is_some() || find_enum(types, &name).is_some() {
        *ty = syn::parse_quote!(super::types::#segment);
    }
}

/// Reads a field as `Option<&T>` whether it is `T`, `Option<T>` or `Option<Option<T>>`.
fn optional_reader(field: &syn::Field) -> TokenStream {
    let (read, _) = reader(field);
    if option_inner(&field.ty).is_some() {
        read
    } else {
        quote!(::std::option::Option::Some(#read))
    }
}

/// `impl ErrorFields` for an enum whose every variant holds one value that implements it.
fn delegate(
    target: &TokenStream,
    variants: &[&Ident],
    accessors: &[(&Ident, TokenStream)],
) -> TokenStream {
    // Called as `ErrorFields::name(body)`: a body's inherent accessor of the same name (readable
    // presence) would win a method call.
    let methods = accessors.iter().map(|(name, returns)| {
        quote! {
            fn #name(&self) -> #returns {
                match self { #(Self::#variants(body) => ErrorFields::#name(body),)* }
            }
        }
    });
    quote!(impl ErrorFields for #target { #(#methods)* })
}
