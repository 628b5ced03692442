//! `impl crate::Redact` for every type of `mod types`.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, quote};

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
        let Some((field, _)) = field else {
            return false;
        };
        let text = field.ty.to_token_stream().to_string();
        !text
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|word| walked.contains(word))
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
