//! Path parameters are encoded by `moneykit-api`'s own `path::encode_path` instead of
//! progenitor's. progenitor's leaves `\` as it is, and the URL parser reads `\` as `/` in an
//! `http(s)` URL: a link id `a\..\b` would become `/links/a/../b` and be resolved to `/links/b`,
//! another link, before any check could see it. The replacement encodes every byte but the
//! unreserved ones, so a parameter is always exactly one path segment.

/// The module progenitor's helper is imported from, and its name.
const PROGENITOR_CLIENT: &str = "progenitor_client";
const ENCODE_PATH: &str = "encode_path";

/// Drops `encode_path` from the generated `use progenitor_client::{…}` and imports
/// `crate::path::encode_path` in its place; the calls (inside `format!`) are left as they are.
pub(crate) fn own_encoding(file: &mut syn::File) {
    let mut replaced = false;
    for item in &mut file.items {
        let syn::Item::Use(import) = item else {
            continue;
        };
        let syn::UseTree::Path(path) = &mut import.tree else {
            continue;
        };
        if path.ident != PROGENITOR_CLIENT {
            continue;
        }
        let syn::UseTree::Group(group) = path.tree.as_mut() else {
            continue;
        };
        let before = group.items.len();
        group.items = std::mem::take(&mut group.items)
            .into_iter()
            .filter(|tree| !matches!(tree, syn::UseTree::Name(name) if name.ident == ENCODE_PATH))
            .collect();
        replaced |= group.items.len() != before;
    }
    if replaced {
        file.items.push(syn::parse_quote!(
            use crate::path::encode_path;
        ));
    }
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;

    fn rewritten(code: &str) -> String {
        let mut file: syn::File = syn::parse_str(code).unwrap();
        own_encoding(&mut file);
        file.to_token_stream().to_string()
    }

    #[test]
    fn progenitors_encode_path_is_replaced_by_ours() {
        let code = rewritten(
            r#"use progenitor_client::{encode_path, ClientHooks, OperationInfo};
            fn url(id: &str) -> String { format!("/links/{}", encode_path(&id.to_string())) }"#,
        );
        assert_eq!(
            code,
            "use progenitor_client :: { ClientHooks , OperationInfo } ; \
             fn url (id : & str) -> String { format ! (\"/links/{}\" , encode_path (& id . to_string ())) } \
             use crate :: path :: encode_path ;"
        );
    }

    #[test]
    fn without_path_parameters_nothing_is_imported() {
        let code = rewritten("use progenitor_client::{ClientHooks, OperationInfo};");
        assert_eq!(
            code,
            "use progenitor_client :: { ClientHooks , OperationInfo } ;"
        );
        let other = rewritten("use other::{encode_path};");
        assert_eq!(other, "use other :: { encode_path } ;");
    }
}
