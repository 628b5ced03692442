//! Request bodies are serialized through `crate::Revealed`: serializing a `Sensitive` or a
//! `Secret` writes its mask unless the caller opts in, and what the client sends to MoneyKit
//! (the client secret in the token form, any sensitive value a request body carries) must be
//! the value. progenitor hands the body to reqwest's `json` or progenitor-client's
//! `form_urlencoded`; the argument of each such call becomes `&crate::Revealed(…)`.

/// The request-builder methods that serialize a body.
const BODY_METHODS: [&str; 2] = ["json", "form_urlencoded"];

/// Wraps the body argument of every body-serializing call in the generated `Client`'s methods.
pub(crate) fn sent_in_full(file: &mut syn::File) {
    for method in crate::calls::client_methods(file) {
        crate::calls::each_method_call(&mut method.block, &mut |call| {
            if BODY_METHODS.iter().any(|m| call.method == m) && call.args.len() == 1 {
                let body = &call.args[0];
                call.args[0] = syn::parse_quote!(&crate::Revealed(#body));
            }
        });
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
