//! Keyed structs (`x-moneykit-keyed-by`): a lookup by the enum, an iterator, a shared trait.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::facts::{KEYED_BY_EXTENSION, Keyed};
use super::{Shapes, innermost, json_name, named_struct, reader, schema_struct};
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
            let ty = innermost(&field.ty);
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::shapes::testing::{impl_of, items, method, method_names, parsed, shapes};

    /// `LinkProducts` keyed by `Product`, whose values are listed in the order `identity`,
    /// `transactions`, `accounts`.
    fn facts(properties: Value) -> Shapes {
        shapes(json!({
            "Product": { "type": "string", "enum": ["identity", "transactions", "accounts"] },
            "LinkProducts": {
                "type": "object",
                "x-moneykit-keyed-by": "Product",
                "properties": properties
            }
        }))
    }

    const TYPES: &str = r#"
        pub struct LinkProducts {
            pub accounts: ::std::option::Option<AccountsState>,
            #[serde(rename = "transactions")]
            pub transactions_: ::std::option::Option<::std::option::Option<TransactionsState>>,
        }
        pub struct AccountsState {
            pub refreshed_at: ::std::option::Option<crate::Timestamp>,
            pub settings: AccountsSettings,
            pub error: ::std::option::Option<::std::string::String>,
        }
        pub struct TransactionsState {
            /// When it was refreshed.
            pub refreshed_at: ::std::option::Option<crate::Timestamp>,
            pub settings: TransactionsSettings,
            pub error: ::std::option::Option<::std::string::String>,
        }
    "#;

    fn generated() -> Vec<syn::Item> {
        let types = items(TYPES);
        let facts = facts(json!({ "accounts": {}, "transactions": {} }));
        parsed(keyed_impls(&types, &facts).unwrap())
    }

    #[test]
    fn get_and_iter_follow_the_enum_s_order_and_skip_values_without_a_property() {
        let generated = generated();
        let holder = impl_of(&generated, None, "LinkProducts");
        let get = method(holder, "get");
        let syn::Stmt::Expr(syn::Expr::Match(matched), None) = &get.block.stmts[0] else {
            panic!("get is one match");
        };
        let patterns: Vec<&syn::Pat> = matched.arms.iter().map(|arm| &arm.pat).collect();
        let expected: [syn::Pat; 3] = [
            syn::parse_quote!(Product::Transactions),
            syn::parse_quote!(Product::Accounts),
            syn::parse_quote!(_),
        ];
        assert_eq!(patterns, expected.iter().collect::<Vec<_>>());
        // Through one `Option` or two, the field found by its JSON name.
        let reads: Vec<&syn::Expr> = matched.arms.iter().map(|arm| &*arm.body).collect();
        let expected: [syn::Expr; 3] = [
            syn::parse_quote!(
                self.transactions_
                    .as_ref()
                    .and_then(::std::option::Option::as_ref)
                    .map(|entry| entry as &dyn ProductState)
            ),
            syn::parse_quote!(
                self.accounts
                    .as_ref()
                    .map(|entry| entry as &dyn ProductState)
            ),
            syn::parse_quote!(None),
        ];
        assert_eq!(reads, expected.iter().collect::<Vec<_>>());

        let iter = method(holder, "iter");
        let keys: syn::ExprArray = syn::parse_quote!([Product::Transactions, Product::Accounts]);
        let syn::Stmt::Expr(body, None) = &iter.block.stmts[0] else {
            panic!("iter is one expression");
        };
        assert!(
            contains_expr(body, &syn::Expr::Array(keys)),
            "{}",
            quote!(#body)
        );
    }

    /// Whether `expected` is `expr` or the receiver of one of its method calls, however deep.
    fn contains_expr(expr: &syn::Expr, expected: &syn::Expr) -> bool {
        expr == expected
            || matches!(expr, syn::Expr::MethodCall(call) if contains_expr(&call.receiver, expected))
    }

    #[test]
    fn the_state_trait_has_the_fields_every_entry_type_shares() {
        let generated = generated();
        let state = generated
            .iter()
            .find_map(|item| match item {
                syn::Item::Trait(t) if t.ident == "ProductState" => Some(t),
                _ => None,
            })
            .expect("trait ProductState");
        let methods: Vec<String> = state
            .items
            .iter()
            .filter_map(|item| match item {
                syn::TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect();
        // `settings` has another type in each entry.
        assert_eq!(methods, ["refreshed_at", "error"]);
        let syn::TraitItem::Fn(refreshed_at) = &state.items[0] else {
            panic!("a method");
        };
        let returns: syn::ReturnType =
            syn::parse_quote!(-> ::std::option::Option<&crate::Timestamp>);
        assert_eq!(refreshed_at.sig.output, returns);
        assert!(
            refreshed_at.attrs.iter().any(|a| a.path().is_ident("doc")),
            "the doc of the first entry type's field (in the enum's order) is the method's"
        );
        for entry in ["AccountsState", "TransactionsState"] {
            let imp = impl_of(&generated, Some("ProductState"), entry);
            assert_eq!(method_names(imp), ["refreshed_at", "error"], "{entry}");
        }
    }

    #[test]
    fn an_entry_that_is_not_a_struct_is_refused() {
        let types = items(
            "pub struct LinkProducts { pub accounts: ::std::option::Option<::std::string::String> }",
        );
        let one = facts(json!({ "accounts": {} }));
        let Err(GenError::Invalid(problems)) = keyed_impls(&types, &one) else {
            panic!("accepted");
        };
        assert!(
            problems[0].starts_with("components/schemas/LinkProducts: needs at least one property, each an object schema"),
            "{problems:?}"
        );
        // No property at all: nothing to key.
        let types = items("pub struct LinkProducts {}");
        assert!(matches!(
            keyed_impls(&types, &facts(json!({}))),
            Err(GenError::Invalid(_))
        ));
    }
}
