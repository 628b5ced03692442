//! `errors::ErrorFields` over every documented error body.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{find_enum, find_struct, innermost, named_struct, option_inner, reader};
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
            held.and_then(|ty| named_struct(types, ty))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::testing::{impl_of, items, method, method_names, parsed};

    /// Two bodies and a 401 union of one of them and a third; `error_code` is a constant of
    /// another type in each body.
    const TYPES: &str = r#"
        pub struct NotFound {
            pub error_code: NotFoundErrorCode,
            pub error_message: ::std::string::String,
            pub details: ::std::option::Option<::std::vec::Vec<Detail>>,
        }
        pub struct Expired {
            pub error_code: ExpiredErrorCode,
            pub error_message: ::std::option::Option<::std::string::String>,
            pub retry_after: ::std::option::Option<::std::option::Option<i64>>,
        }
        pub struct Revoked {
            pub error_code: RevokedErrorCode,
            pub error_message: ::std::string::String,
        }
        pub enum Unauthorized { Expired(Expired), Revoked(Revoked) }
        pub struct Detail { pub field: ::std::string::String }
    "#;

    fn operation(name: &str, variants: &[(&str, &str)]) -> (Ident, Vec<(Ident, String)>) {
        let variants = variants
            .iter()
            .map(|(variant, schema)| (quote::format_ident!("{variant}"), (*schema).to_owned()))
            .collect();
        (quote::format_ident!("{name}"), variants)
    }

    fn generated(types: &str) -> Result<Vec<syn::Item>, GenError> {
        let bodies = [
            operation(
                "GetLinkError",
                &[("NotFound", "not_found"), ("Unauthorized", "unauthorized")],
            ),
            operation("DeleteLinkError", &[("NotFound", "not_found")]),
        ];
        error_fields(&items(types), &bodies).map(|tokens| parsed([tokens]))
    }

    #[test]
    fn the_trait_reads_the_fields_the_bodies_agree_on() {
        let generated = generated(TYPES).unwrap();
        let Some(syn::Item::Trait(fields)) = generated.first() else {
            panic!("the trait comes first");
        };
        let signatures: Vec<&syn::Signature> = fields
            .items
            .iter()
            .filter_map(|item| match item {
                syn::TraitItem::Fn(f) => Some(&f.sig),
                _ => None,
            })
            .collect();
        // Sorted by name; `error_code` is left out, a generated type is named from `errors`.
        let expected: [syn::Signature; 3] = [
            syn::parse_quote!(fn details(&self) -> ::std::option::Option<&::std::vec::Vec<super::types::Detail>>),
            syn::parse_quote!(fn error_message(&self) -> ::std::option::Option<&::std::string::String>),
            syn::parse_quote!(fn retry_after(&self) -> ::std::option::Option<&i64>),
        ];
        assert_eq!(signatures, expected.iter().collect::<Vec<_>>());
    }

    #[test]
    fn each_body_answers_from_its_own_field_or_none() {
        let generated = generated(TYPES).unwrap();
        let read = |body: &str, field: &str| {
            let imp = impl_of(&generated, Some("ErrorFields"), body);
            let syn::Stmt::Expr(expr, None) = &method(imp, field).block.stmts[0] else {
                panic!("{body}::{field} is one expression");
            };
            expr.clone()
        };
        let expected: [(&str, &str, syn::Expr); 4] = [
            (
                "NotFound",
                "error_message",
                syn::parse_quote!(::std::option::Option::Some(&self.error_message)),
            ),
            (
                "Expired",
                "error_message",
                syn::parse_quote!(self.error_message.as_ref()),
            ),
            (
                "Expired",
                "retry_after",
                syn::parse_quote!(
                    self.retry_after
                        .as_ref()
                        .and_then(::std::option::Option::as_ref)
                ),
            ),
            (
                "Revoked",
                "retry_after",
                syn::parse_quote!(::std::option::Option::None),
            ),
        ];
        for (body, field, expr) in expected {
            assert_eq!(read(body, field), expr, "{body}::{field}");
        }
    }

    #[test]
    fn unions_and_operations_delegate_to_the_body_they_hold() {
        let generated = generated(TYPES).unwrap();
        // Each body and union once, although two operations document `NotFound`.
        let in_types: Vec<&syn::ItemImpl> = generated
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(i) if matches!(&*i.self_ty, syn::Type::Path(p) if p.path.segments.len() == 3) => Some(i),
                _ => None,
            })
            .collect();
        let names: Vec<String> = in_types.iter().map(|i| type_name(&i.self_ty)).collect();
        assert_eq!(names, ["Expired", "NotFound", "Revoked", "Unauthorized"]);

        let union = impl_of(&generated, Some("ErrorFields"), "Unauthorized");
        let expected: syn::Block = syn::parse_quote!({
            match self {
                Self::Expired(body) => ErrorFields::details(body),
                Self::Revoked(body) => ErrorFields::details(body),
            }
        });
        assert_eq!(method(union, "details").block, expected);
        let operation = impl_of(&generated, Some("ErrorFields"), "GetLinkError");
        assert_eq!(
            method_names(operation),
            ["details", "error_message", "retry_after"]
        );
        let expected: syn::Block = syn::parse_quote!({
            match self {
                Self::NotFound(body) => ErrorFields::details(body),
                Self::Unauthorized(body) => ErrorFields::details(body),
            }
        });
        assert_eq!(method(operation, "details").block, expected);
    }

    fn type_name(ty: &syn::Type) -> String {
        crate::shapes::type_ident(ty).unwrap().to_string()
    }

    #[test]
    fn a_union_member_that_is_no_body_struct_is_refused() {
        let types = TYPES.replace("Revoked(Revoked)", "Revoked(::std::string::String)");
        let Err(GenError::Progenitor(problem)) = generated(&types) else {
            panic!("accepted");
        };
        assert_eq!(
            problem,
            "Unauthorized::Revoked does not hold an error body struct"
        );
    }
}
