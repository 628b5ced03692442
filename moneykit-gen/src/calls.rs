//! The one walk over the request code of the generated operation methods, shared by the passes
//! that edit it (`headers`, `bodies`).

/// The methods of every inherent `impl` in `file`: the generated `Client`'s operations. Trait
/// impls (the hooks, `Display`, serde) are not request code.
pub(crate) fn client_methods(file: &mut syn::File) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    file.items
        .iter_mut()
        .filter_map(|item| match item {
            syn::Item::Impl(block) if block.trait_.is_none() => Some(&mut block.items),
            _ => None,
        })
        .flatten()
        .filter_map(|member| match member {
            syn::ImplItem::Fn(method) => Some(method),
            _ => None,
        })
}

/// Calls `edit` on every method call in `block`, wherever it sits (a chain's receivers
/// before the call on them, arguments, closures, nested blocks, `match` arms): a pass that must
/// see every call, such as the one that keeps request bodies whole, cannot miss one that
/// progenitor writes in a new shape.
pub(crate) fn each_method_call(
    block: &mut syn::Block,
    edit: &mut impl FnMut(&mut syn::ExprMethodCall),
) {
    struct Calls<'a, F>(&'a mut F);
    impl<F: FnMut(&mut syn::ExprMethodCall)> syn::visit_mut::VisitMut for Calls<'_, F> {
        fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
            // Inside first, so that an edit is never visited again.
            syn::visit_mut::visit_expr_method_call_mut(self, call);
            (self.0)(call);
        }
    }
    syn::visit_mut::VisitMut::visit_block_mut(&mut Calls(edit), block);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_of_the_client_methods_is_visited_once() {
        let mut file: syn::File = syn::parse_str(
            r#"impl Client { async fn op(&self) {
                let r = self.client.post(url).json(&b)?.build()?;
                if x { a.append(1); } else { { c.send().await; } }
                let n = 1 + d.len(match e { _ => |x| x.f() });
            } }
            impl Hooks for Client { fn pre(&self) { e.hidden(); } }"#,
        )
        .unwrap();
        let mut seen = Vec::new();
        for method in client_methods(&mut file) {
            each_method_call(&mut method.block, &mut |call| {
                seen.push(call.method.to_string())
            });
        }
        assert_eq!(
            seen,
            ["post", "json", "build", "append", "send", "f", "len"]
        );
    }
}
