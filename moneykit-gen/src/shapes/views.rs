//! Items views (`x-moneykit-items-view`) and lookups (`x-moneykit-lookup`): one borrowed enum
//! over the items of every list of a struct (an account's numbers, whatever their kind), and
//! finding an entry of a list by its identifying property (an account by its id).

use heck::ToSnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::facts::{ITEMS_VIEW_EXTENSION, ItemsView, LOOKUP_EXTENSION};
use super::readable::TRAIT_METHODS;
use super::{
    Shapes, innermost, json_name, named_struct, option_inner, schema_struct, type_ident, vec_item,
};
use crate::GenError;
use crate::emit::{rust_type_name, variant_name};

/// The view's own method; an entry field of this name gets no accessor on the view.
const KIND_METHOD: &str = "kind";

/// For each items view (`AccountNumbersLegacy20230218` as `PaymentDetails`): the enum
/// `<View><'a>`, one variant per list holding a reference to one of its items, with `kind()` and
/// an accessor per field the items have (`None` for a kind without it); and on the struct,
/// `<view>()` iterating over every item of every list, list by list in field order. The variants
/// come from the struct's fields, so a list added to the schema is a variant after regen.
pub(crate) fn items_view_impls(
    types: &[syn::Item],
    shapes: &Shapes,
) -> Result<Vec<TokenStream>, GenError> {
    let mut out = Vec::new();
    for view in &shapes.items_views {
        let holder = schema_struct(types, &view.schema)?;
        let mut kinds = Vec::new();
        for field in &holder.fields {
            let item = vec_item(innermost(&field.ty))
                .and_then(|item| named_struct(types, item))
                .ok_or_else(|| {
                    GenError::Invalid(vec![format!(
                        "components/schemas/{} ({ITEMS_VIEW_EXTENSION}): `{}` is not generated \
                         as a list of structs",
                        view.schema,
                        json_name(field)
                    )])
                })?;
            kinds.push(Kind { field, item });
        }
        out.push(items_view(view, holder, &kinds));
    }
    Ok(out)
}

/// One list of the holder: its field and the struct of its items.
struct Kind<'a> {
    field: &'a syn::Field,
    item: &'a syn::ItemStruct,
}

impl Kind<'_> {
    fn variant(&self) -> Ident {
        format_ident!("{}", variant_name(&json_name(self.field)))
    }
}

fn items_view(view: &ItemsView, holder: &syn::ItemStruct, kinds: &[Kind]) -> TokenStream {
    let holder_name = &holder.ident;
    let enum_name = format_ident!("{}", view.view);
    let method = format_ident!("{}", view.view.to_snake_case());
    let variants: Vec<Ident> = kinds.iter().map(Kind::variant).collect();
    let kind_names: Vec<String> = kinds.iter().map(|k| json_name(k.field)).collect();
    let item_types = kinds.iter().map(|k| &k.item.ident);
    let variant_docs = kinds.iter().zip(&kind_names).map(|(k, name)| {
        let first = format!("An item of `{name}`.");
        let docs = k.field.attrs.iter().filter(|a| a.path().is_ident("doc"));
        quote!(#[doc = #first] #[doc = ""] #(#docs)*)
    });
    // Each list, iterated through however many `Option`s presence wrapped it in.
    let lists = kinds.iter().zip(&variants).map(|(k, variant)| {
        let ident = &k.field.ident;
        let mut ty = &k.field.ty;
        let mut list = quote!(self.#ident.iter());
        while let Some(inner) = option_inner(ty) {
            list = quote!(#list.flatten());
            ty = inner;
        }
        quote!(.chain(#list.map(#enum_name::#variant)))
    });
    let accessors = shared_fields(kinds).into_iter().map(|(ident, ty)| {
        let arms = kinds.iter().zip(&variants).map(|(k, variant)| {
            match k
                .item
                .fields
                .iter()
                .find(|f| f.ident.as_ref() == Some(ident))
            {
                Some(field) => {
                    let read = match option_inner(&field.ty) {
                        None => quote!(::std::option::Option::Some(&entry.#ident)),
                        Some(mut ty) => {
                            let mut read = quote!(entry.#ident.as_ref());
                            while let Some(inner) = option_inner(ty) {
                                read = quote!(#read.and_then(::std::option::Option::as_ref));
                                ty = inner;
                            }
                            read
                        }
                    };
                    quote!(Self::#variant(entry) => #read,)
                }
                None => quote!(Self::#variant(_) => ::std::option::Option::None,),
            }
        });
        let doc = format!("The item's `{ident}`, if its kind has one (and it is not `null`).");
        quote! {
            #[doc = #doc]
            pub fn #ident(&self) -> ::std::option::Option<&'a #ty> {
                match *self { #(#arms)* }
            }
        }
    });
    let kind_method = format_ident!("{KIND_METHOD}");
    let enum_doc = format!(
        "One item of any list of [`{holder_name}`], borrowed: one variant per list \
         (`{ITEMS_VIEW_EXTENSION}`), so a list the spec adds is a variant after regen. \
         `#[non_exhaustive]`: a kind added later does not break a `match`. Values stay as they \
         are typed (a `crate::Sensitive` is masked in `Debug`)."
    );
    let kind_doc = format!(
        "The property of [`{holder_name}`] whose list holds the item: one of {}.",
        kind_names
            .iter()
            .map(|k| format!("`{k:?}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let method_doc = format!(
        "Every item of every list, as a [`{enum_name}`]: list by list in field order, each in its \
         list's order. Empty lists (and absent ones) contribute nothing."
    );
    quote! {
        #[doc = #enum_doc]
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #enum_name<'a> {
            #(#variant_docs #variants(&'a #item_types),)*
        }
        impl<'a> #enum_name<'a> {
            #[doc = #kind_doc]
            pub fn #kind_method(&self) -> &'static str {
                match self { #(Self::#variants(_) => #kind_names,)* }
            }
            #(#accessors)*
        }
        impl #holder_name {
            #[doc = #method_doc]
            pub fn #method(&self) -> impl ::std::iter::Iterator<Item = #enum_name<'_>> + '_ {
                ::std::iter::empty()#(#lists)*
            }
        }
    }
}

/// The fields the items have, each once, in the order first seen, with the type under their
/// `Option`s: left out are a name the types disagree on (no one accessor type fits) and a name
/// that would shadow `kind()` or a trait method.
fn shared_fields<'a>(kinds: &[Kind<'a>]) -> Vec<(&'a Ident, &'a syn::Type)> {
    let mut seen: Vec<(&Ident, &syn::Type)> = Vec::new();
    let mut disagreeing: Vec<&Ident> = Vec::new();
    for field in kinds.iter().flat_map(|k| k.item.fields.iter()) {
        let Some(ident) = field.ident.as_ref() else {
            continue;
        };
        let ty = innermost(&field.ty);
        match seen.iter().find(|(known, _)| *known == ident) {
            Some((_, known)) if *known != ty => disagreeing.push(ident),
            Some(_) => {}
            None => seen.push((ident, ty)),
        }
    }
    seen.retain(|(ident, _)| {
        let name = ident.to_string();
        !disagreeing.contains(ident) && name != KIND_METHOD && !TRAIT_METHODS.contains(&&*name)
    });
    seen
}

/// For each lookup (`account_id` of `AccountResponse`, method `account`): on every struct with
/// a list of that schema's struct, `<method>(&str)` finding the entry whose property has that
/// value; and when the entry holds an items view's struct, `<view>(&str)` too, that entry's
/// view (`payment_details(account_id)`).
pub(crate) fn lookup_impls(
    types: &[syn::Item],
    shapes: &Shapes,
) -> Result<Vec<TokenStream>, GenError> {
    let mut out = Vec::new();
    let structs = types.iter().filter_map(|item| match item {
        syn::Item::Struct(s) => Some(s),
        _ => None,
    });
    for holder in structs {
        let mut methods = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for list in &holder.fields {
            let Some(entry_type) = vec_item(innermost(&list.ty)) else {
                continue;
            };
            let Some(entry_name) = type_ident(entry_type).map(ToString::to_string) else {
                continue;
            };
            let Some(lookup) = shapes
                .lookups
                .iter()
                .find(|l| rust_type_name(&l.schema) == entry_name)
            else {
                continue;
            };
            let entry = schema_struct(types, &lookup.schema)?;
            let key = entry
                .fields
                .iter()
                .find(|f| json_name(f) == lookup.property)
                .ok_or_else(|| {
                    GenError::Progenitor(format!("{entry_name} lacks {}", lookup.property))
                })?;
            let (list_ident, key_ident) = (&list.ident, &key.ident);
            let method = format_ident!("{}", lookup.method);
            let mut entries = quote!(self.#list_ident.iter());
            let mut ty = &list.ty;
            while let Some(inner) = option_inner(ty) {
                entries = quote!(#entries.flatten());
                ty = inner;
            }
            let (list_json, key_json) = (json_name(list), &lookup.property);
            let doc = format!(
                "The item of `{list_json}` whose `{key_json}` is `{key_json}`, if any \
                 (`{LOOKUP_EXTENSION}`)."
            );
            names.push(lookup.method.clone());
            methods.push(quote! {
                #[doc = #doc]
                pub fn #method(&self, #key_ident: &str) -> ::std::option::Option<&#entry_type> {
                    #entries.find(|entry| entry.#key_ident == #key_ident)
                }
            });
            // The entry's items view, through the lookup.
            for field in &entry.fields {
                let Some(held) = type_ident(innermost(&field.ty)) else {
                    continue;
                };
                let Some(view) = shapes
                    .items_views
                    .iter()
                    .find(|v| held == &rust_type_name(&v.schema))
                else {
                    continue;
                };
                let (view_enum, view_method) = (
                    format_ident!("{}", view.view),
                    format_ident!("{}", view.view.to_snake_case()),
                );
                let field_ident = &field.ident;
                let mut read = quote!(self.#method(#key_ident).map(|entry| &entry.#field_ident));
                let mut ty = &field.ty;
                while let Some(inner) = option_inner(ty) {
                    read = quote!(#read.and_then(::std::option::Option::as_ref));
                    ty = inner;
                }
                let doc = format!(
                    "The [`{view_enum}`] of the item of `{list_json}` whose `{key_json}` is \
                     `{key_json}`: `None` when there is no such item, an empty iterator when it \
                     has none."
                );
                names.push(view_method.to_string());
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn #view_method(&self, #key_ident: &str) -> ::std::option::Option<impl ::std::iter::Iterator<Item = #view_enum<'_>> + '_> {
                        #read.map(|held| held.#view_method())
                    }
                });
            }
        }
        let mut sorted = names.clone();
        sorted.sort();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(GenError::Invalid(vec![format!(
                "{}: two lists would get the method `{}` ({LOOKUP_EXTENSION}, \
                 {ITEMS_VIEW_EXTENSION})",
                holder.ident, pair[0]
            )]));
        }
        if !methods.is_empty() {
            let name = &holder.ident;
            out.push(quote!(impl #name { #(#methods)* }));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// A small spec: one operation answering a list of accounts, each with its numbers in
    /// `kinds` (property name → item schema, each item schema an object with `fields`).
    fn spec(kinds: &[(&str, &str)], extra: &str) -> String {
        let mut properties = String::new();
        let mut items = String::new();
        for (kind, item) in kinds {
            properties.push_str(&format!(
                "        {kind}:\n          type: array\n          description: The {kind} numbers.\n          items:\n            $ref: '#/components/schemas/{item}'\n"
            ));
        }
        for (_, item) in kinds {
            if items.contains(&format!("    {item}:\n")) {
                continue;
            }
            items.push_str(&format!(
                "    {item}:\n      type: object\n      required: [account_number]\n      properties:\n        account_number:\n          type: string\n          x-moneykit-sensitive: true\n        code:\n          type: string\n          nullable: true\n"
            ));
        }
        format!(
            r#"openapi: 3.0.3
info: {{ title: t, version: '1' }}
paths:
  /accounts:
    get:
      operationId: get_accounts
      x-moneykit-call: false
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Accounts'
components:
  schemas:
    Accounts:
      type: object
      required: [accounts]
      properties:
        accounts:
          type: array
          items:
            $ref: '#/components/schemas/Account'
    Account:
      type: object
      required: [account_id, numbers]
      properties:
        account_id:
          type: string
          x-moneykit-lookup: account
        numbers:
          $ref: '#/components/schemas/Numbers'
    Numbers:
      type: object
      x-moneykit-items-view: Details
      required: [ach]
{extra}      properties:
{properties}{items}"#
        )
    }

    fn generated(spec: &str) -> String {
        crate::generate(spec).unwrap_or_else(|e| panic!("{e}"))
    }

    fn assert_contains(code: &str, expected: &[&str]) {
        for part in expected {
            assert!(code.contains(part), "{part:?} missing from:\n{code}");
        }
    }

    #[test]
    fn a_kind_added_to_the_spec_is_a_variant_of_the_view() {
        let two = generated(&spec(&[("ach", "AchNumber"), ("bacs", "BacsNumber")], ""));
        assert!(!two.contains("Sepa"), "{two}");
        let three = generated(&spec(
            &[
                ("ach", "AchNumber"),
                ("bacs", "BacsNumber"),
                ("sepa", "SepaNumber"),
            ],
            "",
        ));
        assert_contains(
            &three,
            &[
                "#[non_exhaustive]\n    pub enum Details<'a> {",
                "Ach(&'a AchNumber),",
                "Sepa(&'a SepaNumber),",
                "Self::Sepa(_) => \"sepa\",",
                "pub fn details(&self) -> impl ::std::iter::Iterator<Item = Details<'_>> + '_",
                // A required list, and one presence made optional.
                ".chain(self.ach.iter().map(Details::Ach))",
                ".chain(self.sepa.iter().flatten().map(Details::Sepa))",
                // Accessors over the items' fields, flattening presence.
                "pub fn account_number(&self) -> ::std::option::Option<&'a crate::Sensitive>",
                "Self::Sepa(entry) => ::std::option::Option::Some(&entry.account_number),",
                "Self::Sepa(entry) => {\n                    entry.code.as_ref().and_then(::std::option::Option::as_ref)",
            ],
        );
    }

    #[test]
    fn a_list_gets_a_lookup_and_the_view_through_it() {
        let code = generated(&spec(&[("ach", "AchNumber")], ""));
        assert_contains(
            &code,
            &[
                "pub fn account(&self, account_id: &str) -> ::std::option::Option<&Account>",
                "self.accounts.iter().find(|entry| entry.account_id == account_id)",
                "pub fn details(\n            &self,\n            account_id: &str,\n        ) -> ::std::option::Option<impl ::std::iter::Iterator<Item = Details<'_>> + '_>",
            ],
        );
    }

    #[test]
    fn a_kind_that_is_not_a_list_of_objects_is_refused() {
        let broken = spec(&[("ach", "AchNumber")], "").replace(
            "      properties:\n        ach:",
            "      properties:\n        wire:\n          type: string\n        ach:",
        );
        let message = crate::generate(&broken).expect_err("refused").to_string();
        assert!(
            message.contains("Numbers (x-moneykit-items-view): properties [\"wire\"]"),
            "{message}"
        );
    }

    #[test]
    fn a_lookup_by_an_optional_property_is_refused() {
        let broken = spec(&[("ach", "AchNumber")], "")
            .replace("required: [account_id, numbers]", "required: [numbers]");
        let message = crate::generate(&broken).expect_err("refused").to_string();
        assert!(
            message.contains("Account/properties/account_id (x-moneykit-lookup)"),
            "{message}"
        );
    }
}
