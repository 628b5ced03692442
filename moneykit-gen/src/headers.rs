//! Two edits to the request code of the generated operation methods, both for what each request
//! costs (nothing changes on the wire: the hooks removed `api-version` before sending):
//!
//! - progenitor adds an `api-version` header (the spec's `info.version`) to every request.
//!   MoneyKit defines no such header and reads `moneykit-version`, so the statement is dropped
//!   here rather than the header built and removed again on every request.
//! - progenitor names a header parameter with a string literal, which is parsed (and a custom
//!   name allocated) on every request. A literal that is already a valid lowercase header name
//!   becomes `HeaderName::from_static`, checked once here; any other stays as progenitor wrote
//!   it, so a surprising name can never turn into a panic at run time.

use quote::ToTokens;

/// The header progenitor adds to every request.
const PROGENITOR_API_VERSION: &str = "api-version";

/// Edits every method of every inherent `impl` in `file` (the generated `Client`'s).
pub(crate) fn streamline(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        for member in &mut block.items {
            if let syn::ImplItem::Fn(method) = member {
                streamline_block(&mut method.block);
            }
        }
    }
}

fn streamline_block(block: &mut syn::Block) {
    block.stmts.retain(|stmt| !appends_api_version(stmt));
    for stmt in &mut block.stmts {
        match stmt {
            syn::Stmt::Expr(expr, _) => streamline_expr(expr),
            syn::Stmt::Local(local) => {
                if let Some(init) = &mut local.init {
                    streamline_expr(&mut init.expr);
                }
            }
            _ => {}
        }
    }
}

fn streamline_expr(expr: &mut syn::Expr) {
    match expr {
        syn::Expr::If(branch) => {
            streamline_block(&mut branch.then_branch);
            if let Some((_, otherwise)) = &mut branch.else_branch {
                streamline_expr(otherwise);
            }
        }
        syn::Expr::Block(inner) => streamline_block(&mut inner.block),
        syn::Expr::MethodCall(call) if call.method == "append" => {
            if let Some(name) = call.args.first_mut() {
                make_static_name(name);
            }
        }
        _ => {}
    }
}

/// Whether `stmt` is `header_map.append(HeaderName::from_static("api-version"), …);`.
fn appends_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && call.args.first().is_some_and(|name| {
            name.to_token_stream()
                .to_string()
                .contains(&format!("\"{PROGENITOR_API_VERSION}\""))
        })
}

/// Turns a string-literal header name into `HeaderName::from_static`, when that cannot panic.
fn make_static_name(name: &mut syn::Expr) {
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(literal),
        ..
    }) = name
    else {
        return;
    };
    let text = literal.value();
    // `from_static` accepts exactly the names `from_bytes` keeps unchanged (valid, lowercase).
    let valid = http::HeaderName::from_bytes(text.as_bytes()).is_ok_and(|n| n.as_str() == text);
    if valid {
        *name = syn::parse_quote!(::reqwest::header::HeaderName::from_static(#literal));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamlined(code: &str) -> String {
        let mut file: syn::File = syn::parse_str(code).unwrap();
        streamline(&mut file);
        file.to_token_stream().to_string()
    }

    #[test]
    fn the_api_version_header_is_dropped_and_names_become_static() {
        let code = streamlined(
            r#"impl Client { async fn op(&self, v: Option<&str>) {
                let mut header_map = HeaderMap::with_capacity(2usize);
                header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(Self::api_version()));
                if let Some(value) = v { header_map.append("moneykit-version", value.to_string().try_into()?); }
                header_map.append("Odd Name", x);
            } }"#,
        );
        assert!(!code.contains("api-version"), "{code}");
        assert!(
            code.contains(r#"HeaderName :: from_static ("moneykit-version")"#),
            "{code}"
        );
        // Not a valid lowercase name: left to be parsed (and refused) at run time.
        assert!(code.contains(r#"append ("Odd Name" , x)"#), "{code}");
    }
}
