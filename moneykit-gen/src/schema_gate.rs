//! Puts the JSON Schema support of the generated types behind `moneykit-api`'s `schemars`
//! feature: only the drift and decode tests read the schemas, and without the gate every
//! downstream build would compile `schemars` and a `JsonSchema` impl per type for nothing.
//!
//! progenitor still gets `schemars::JsonSchema` as an extra derive (so the set of types that
//! have one is typify's choice, as before); this pass moves it, the `#[schemars(...)]` helper
//! attributes and the hand-emitted impls under `cfg(feature = "schemars")`.

use syn::punctuated::Punctuated;

/// The `moneykit-api` feature that turns the schemas on.
const FEATURE: &str = "schemars";

/// Gates every `JsonSchema` derive, helper attribute and impl in `items` (recursively).
pub(crate) fn gate(items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                gate_derives(&mut s.attrs);
                s.fields.iter_mut().for_each(|f| gate_helpers(&mut f.attrs));
            }
            syn::Item::Enum(e) => {
                gate_derives(&mut e.attrs);
                for variant in e.variants.iter_mut() {
                    gate_helpers(&mut variant.attrs);
                    variant
                        .fields
                        .iter_mut()
                        .for_each(|f| gate_helpers(&mut f.attrs));
                }
            }
            syn::Item::Impl(i) if i.trait_.as_ref().is_some_and(|(p, _)| is_json_schema(p)) => {
                i.attrs.push(syn::parse_quote!(#[cfg(feature = #FEATURE)]));
            }
            syn::Item::Mod(m) => {
                if let Some((_, content)) = m.content.as_mut() {
                    gate(content);
                }
            }
            _ => {}
        }
    }
}

/// `schemars::JsonSchema` or `::schemars::JsonSchema`, by its path's last two segments.
fn is_json_schema(path: &syn::Path) -> bool {
    let segments: Vec<&syn::Ident> = path.segments.iter().map(|s| &s.ident).collect();
    matches!(segments.as_slice(), [.., krate, name] if *krate == "schemars" && *name == "JsonSchema")
}

/// `#[derive(A, schemars::JsonSchema, B)]` → `#[derive(A, B)]` and, right after it,
/// `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]`; container-level
/// helper attributes are gated too.
fn gate_derives(attrs: &mut Vec<syn::Attribute>) {
    let mut at = None;
    for (index, attr) in attrs.iter_mut().enumerate() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) =
            attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        if !paths.iter().any(is_json_schema) {
            continue;
        }
        let rest = paths.iter().filter(|p| !is_json_schema(p));
        *attr = syn::parse_quote!(#[derive(#(#rest),*)]);
        at = Some(index + 1);
    }
    gate_helpers(attrs);
    if let Some(index) = at {
        attrs.insert(
            index,
            syn::parse_quote!(#[cfg_attr(feature = #FEATURE, derive(::schemars::JsonSchema))]),
        );
    }
}

/// `#[schemars(...)]` → `#[cfg_attr(feature = "schemars", schemars(...))]`.
fn gate_helpers(attrs: &mut [syn::Attribute]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("schemars")) {
        if let syn::Meta::List(list) = &attr.meta {
            let tokens = &list.tokens;
            *attr = syn::parse_quote!(#[cfg_attr(feature = #FEATURE, schemars(#tokens))]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_schema_derive_is_told_by_its_path_segments() {
        let is = |text: &str| is_json_schema(&syn::parse_str(text).unwrap());
        assert!(is("schemars::JsonSchema"));
        assert!(is(":: schemars :: JsonSchema"));
        assert!(!is("JsonSchema"));
        assert!(!is("other::JsonSchema"));
        assert!(!is("schemars::JsonSchemaLike"));
    }
}
