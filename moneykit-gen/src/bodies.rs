//! Request bodies are serialized through `crate::Revealed`: serializing a `Sensitive` or a
//! `Secret` writes its mask unless the caller opts in, and what the client sends to MoneyKit
//! (the client secret in the token form, any sensitive value a request body carries) must be
//! the value. progenitor hands the body to reqwest's `json` or progenitor-client's
//! `form_urlencoded`; the argument of each such call becomes `&crate::Revealed(…)`.

/// The request-builder methods that serialize a body.
const BODY_METHODS: [&str; 2] = ["json", "form_urlencoded"];

/// Wraps the body argument of every body-serializing call in the methods of every inherent
/// `impl` in `file` (the generated `Client`'s).
pub(crate) fn sent_in_full(file: &mut syn::File) {
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        for member in &mut block.items {
            if let syn::ImplItem::Fn(method) = member {
                in_block(&mut method.block);
            }
        }
    }
}

fn in_block(block: &mut syn::Block) {
    for stmt in &mut block.stmts {
        match stmt {
            syn::Stmt::Expr(expr, _) => in_expr(expr),
            syn::Stmt::Local(local) => {
                if let Some(init) = &mut local.init {
                    in_expr(&mut init.expr);
                }
            }
            _ => {}
        }
    }
}

/// Follows method chains (`client.post(url).json(&body)?.build()?`) and nested blocks.
fn in_expr(expr: &mut syn::Expr) {
    match expr {
        syn::Expr::MethodCall(call) => {
            in_expr(&mut call.receiver);
            if BODY_METHODS.iter().any(|m| call.method == m) && call.args.len() == 1 {
                let body = &call.args[0];
                call.args[0] = syn::parse_quote!(&crate::Revealed(#body));
            }
        }
        syn::Expr::Try(inner) => in_expr(&mut inner.expr),
        syn::Expr::Await(inner) => in_expr(&mut inner.base),
        syn::Expr::Block(inner) => in_block(&mut inner.block),
        syn::Expr::If(branch) => {
            in_block(&mut branch.then_branch);
            if let Some((_, otherwise)) = &mut branch.else_branch {
                in_expr(otherwise);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use quote::ToTokens;

    use super::*;

    fn rewritten(code: &str) -> String {
        let mut file: syn::File = syn::parse_str(code).unwrap();
        sent_in_full(&mut file);
        file.to_token_stream().to_string()
    }

    #[test]
    fn json_and_form_bodies_are_revealed() {
        let code = rewritten(
            r#"impl Client {
                async fn form(&self, body: &Form) {
                    let mut request = self.client.post(url).form_urlencoded(&body)?.headers(h).build()?;
                }
                async fn json(&self, body: &Json) {
                    if x { let request = self.client.post(url).json(&body).build()?; }
                }
            }"#,
        );
        assert!(
            code.contains("form_urlencoded (& crate :: Revealed (& body)) ? . headers (h)"),
            "{code}"
        );
        assert!(
            code.contains("json (& crate :: Revealed (& body)) . build ()"),
            "{code}"
        );
    }

    #[test]
    fn other_calls_and_trait_impls_are_left_alone() {
        let code = rewritten(
            r#"impl Client { fn f(&self) { let v = response.json().await?; a.json(&b, &c); } }
            impl Serialize for T { fn f(&self) { x.json(&body); } }"#,
        );
        assert!(!code.contains("Revealed"), "{code}");
    }
}
