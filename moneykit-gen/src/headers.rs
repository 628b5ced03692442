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

/// The header progenitor adds to every request.
const PROGENITOR_API_VERSION: &str = "api-version";

/// Edits every method of the generated `Client`. progenitor writes the `api-version` statement
/// at the top of each method, so only those statements are looked at.
pub(crate) fn streamline(file: &mut syn::File) {
    for method in crate::calls::client_methods(file) {
        method.block.stmts.retain(|stmt| !appends_api_version(stmt));
        crate::calls::each_method_call(&mut method.block, &mut |call| {
            if call.method == "append"
                && let Some(name) = call.args.first_mut()
            {
                make_static_name(name);
            }
        });
    }
}

/// Whether `stmt` is `header_map.append(HeaderName::from_static("api-version"), …);` (or
/// with the bare literal).
fn appends_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    let literal = match call.args.first() {
        Some(syn::Expr::Call(from_static)) => from_static.args.first(),
        name => name,
    };
    call.method == "append"
        && matches!(literal, Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. }))
            if name.value() == PROGENITOR_API_VERSION)
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
    use quote::ToTokens;

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
