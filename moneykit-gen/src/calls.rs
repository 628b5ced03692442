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

/// Calls `edit` on every method call in `block`: statements, `let` initialisers, the receivers
/// of a chain (`client.post(url).json(&body)?.build()?`), and nested blocks and `if`s, which is
/// every shape progenitor's request code takes.
pub(crate) fn each_method_call(
    block: &mut syn::Block,
    edit: &mut impl FnMut(&mut syn::ExprMethodCall),
) {
    for stmt in &mut block.stmts {
        match stmt {
            syn::Stmt::Expr(expr, _) => in_expr(expr, edit),
            syn::Stmt::Local(local) => {
                if let Some(init) = &mut local.init {
                    in_expr(&mut init.expr, edit);
                }
            }
            _ => {}
        }
    }
}

fn in_expr(expr: &mut syn::Expr, edit: &mut impl FnMut(&mut syn::ExprMethodCall)) {
    match expr {
        syn::Expr::MethodCall(call) => {
            in_expr(&mut call.receiver, edit);
            edit(call);
        }
        syn::Expr::Try(inner) => in_expr(&mut inner.expr, edit),
        syn::Expr::Await(inner) => in_expr(&mut inner.base, edit),
        syn::Expr::Block(inner) => each_method_call(&mut inner.block, edit),
        syn::Expr::If(branch) => {
            each_method_call(&mut branch.then_branch, edit);
            if let Some((_, otherwise)) = &mut branch.else_branch {
                in_expr(otherwise, edit);
            }
        }
        _ => {}
    }
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
                let n = 1 + d.len();
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
        // `d.len()` sits inside a binary expression, which request code never needs.
        assert_eq!(seen, ["post", "json", "build", "append", "send"]);
    }
}
