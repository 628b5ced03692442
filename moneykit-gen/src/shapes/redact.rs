//! `impl crate::Redact` for every type of `mod types`.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// `impl crate::Redact` for every struct and enum of `mod types`: each field, variant and
/// element that holds a generated type, a `Sensitive` or a `Secret` is redacted in turn (those
/// two mask themselves); any other field (a string, a number, a date, a map of JSON) is cloned, whatever
/// Rust type typify chose for it. A generated type without an impl does not compile, so a new
/// shape can never print its secrets by omission.
pub(crate) fn redact_impls(types: &[syn::Item]) -> Vec<TokenStream> {
    let mut walked: BTreeSet<String> = types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    walked.insert("Sensitive".to_owned());
    walked.insert("Secret".to_owned());
    let copy = |fields: &syn::Fields, member: &syn::Member| -> bool {
        let field = fields
            .iter()
            .zip(fields.members())
            .find(|(_, m)| m == member);
        field.is_some_and(|(field, _)| !may_hold(&field.ty, &walked))
    };
    types
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => {
                let name = &s.ident;
                let body = redact_fields(
                    quote!(Self),
                    &s.fields,
                    |member| quote!(&self.#member),
                    |member| copy(&s.fields, member),
                );
                Some(redact_impl(name, body))
            }
            syn::Item::Enum(e) => {
                let name = &e.ident;
                let arms = e.variants.iter().map(|v| {
                    let variant = &v.ident;
                    let (pattern, bindings) = bind_fields(&v.fields);
                    let built =
                        redact_fields(quote!(Self::#variant), &v.fields, &bindings, |member| {
                            copy(&v.fields, member)
                        });
                    quote!(Self::#variant #pattern => #built,)
                });
                Some(redact_impl(name, quote!(match self { #(#arms)* })))
            }
            _ => None,
        })
        .collect()
}

/// Whether a value of `ty` may hold one of the `walked` types: any of them named anywhere in it
/// (`Option<Vec<crate::types::AchNumber>>`), or a type of a shape typify does not write for a
/// field, which is walked rather than cloned so that a missing impl fails to compile instead of
/// a value being copied unmasked.
fn may_hold(ty: &syn::Type, walked: &BTreeSet<String>) -> bool {
    let inner = |ty: &syn::Type| may_hold(ty, walked);
    match ty {
        syn::Type::Path(path) => {
            path.qself.as_ref().is_some_and(|q| inner(&q.ty))
                || path.path.segments.iter().any(|segment| {
                    walked.contains(&segment.ident.to_string())
                        || match &segment.arguments {
                            syn::PathArguments::AngleBracketed(generic) => {
                                generic.args.iter().any(|arg| match arg {
                                    syn::GenericArgument::Type(ty) => inner(ty),
                                    _ => false,
                                })
                            }
                            _ => false,
                        }
                })
        }
        syn::Type::Reference(r) => inner(&r.elem),
        syn::Type::Array(a) => inner(&a.elem),
        syn::Type::Slice(s) => inner(&s.elem),
        syn::Type::Paren(p) => inner(&p.elem),
        syn::Type::Group(g) => inner(&g.elem),
        syn::Type::Tuple(t) => t.elems.iter().any(inner),
        _ => true,
    }
}

fn redact_impl(name: &Ident, body: TokenStream) -> TokenStream {
    quote! {
        impl crate::Redact for #name {
            fn redacted(&self) -> Self {
                #body
            }
        }
    }
}

/// `Path { a: redact(a), .. }`, `Path(redact(0), ..)` or `Path`; `access` gives a reference to
/// each field, `copied` says which fields hold nothing to redact.
fn redact_fields(
    path: TokenStream,
    fields: &syn::Fields,
    access: impl Fn(&syn::Member) -> TokenStream,
    copied: impl Fn(&syn::Member) -> bool,
) -> TokenStream {
    let members: Vec<syn::Member> = fields.members().collect();
    let values = members
        .iter()
        .map(|m| {
            let value = access(m);
            if copied(m) {
                quote!(::std::clone::Clone::clone(#value))
            } else {
                quote!(crate::Redact::redacted(#value))
            }
        })
        .collect::<Vec<_>>();
    match fields {
        syn::Fields::Named(_) => quote!(#path { #(#members: #values),* }),
        syn::Fields::Unnamed(_) => quote!(#path(#(#values),*)),
        syn::Fields::Unit => path,
    }
}

/// The pattern that binds a variant's fields, and how to name each binding.
fn bind_fields(fields: &syn::Fields) -> (TokenStream, impl Fn(&syn::Member) -> TokenStream) {
    let binding = |m: &syn::Member| match m {
        syn::Member::Named(ident) => quote!(#ident),
        syn::Member::Unnamed(index) => {
            let ident = quote::format_ident!("field{}", index.index);
            quote!(#ident)
        }
    };
    let bound: Vec<TokenStream> = fields.members().map(|m| binding(&m)).collect();
    let pattern = match fields {
        syn::Fields::Named(_) => quote!({ #(#bound),* }),
        syn::Fields::Unnamed(_) => quote!((#(#bound),*)),
        syn::Fields::Unit => quote!(),
    };
    (pattern, binding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn impls(code: &str) -> String {
        let file: syn::File = syn::parse_str(code).unwrap();
        let impls = redact_impls(&file.items);
        quote!(#(#impls)*).to_string()
    }

    #[test]
    fn what_may_hold_a_secret_is_walked_and_the_rest_cloned() {
        let code = impls(
            "pub struct Numbers { pub ach: Vec<AchNumber>, pub note: Option<String>, \
             pub map: ::serde_json::Map<String, ::serde_json::Value> } \
             pub struct AchNumber { pub account_number: crate::Sensitive, pub count: (u8, Option<i64>) } \
             pub enum Token { Issued(crate::Secret), None }",
        );
        for walked in ["ach", "account_number"] {
            let expected = format!("{walked} : crate :: Redact :: redacted (& self . {walked})");
            assert!(code.contains(&expected), "{walked}: {code}");
        }
        for cloned in ["note", "map", "count"] {
            let expected =
                format!("{cloned} : :: std :: clone :: Clone :: clone (& self . {cloned})");
            assert!(code.contains(&expected), "{cloned}: {code}");
        }
        assert!(
            code.contains("Self :: Issued (crate :: Redact :: redacted (field0))"),
            "{code}"
        );
    }

    #[test]
    fn a_type_of_an_unexpected_shape_is_walked_not_copied() {
        let walked = BTreeSet::from(["Sensitive".to_owned()]);
        let holds = |ty: &str| may_hold(&syn::parse_str::<syn::Type>(ty).unwrap(), &walked);
        assert!(holds("Option<Option<crate::Sensitive>>"));
        assert!(holds("[crate::Sensitive; 2]"));
        assert!(
            holds("fn(u8) -> u8"),
            "a function pointer is not a shape typify writes"
        );
        assert!(!holds("::std::collections::HashMap<String, Vec<u8>>"));
        // A name is a path segment, not a substring: `SensitiveCount` is another type.
        assert!(!holds("Option<SensitiveCount>"));
    }
}
