//! The sandbox's server side, `moneykit-sandbox/src/generated.rs`: the operations as an enum,
//! what the sandbox checks of each before its behaviour runs (method and path, credentials,
//! the API version header, path, query and header parameters, the body), the routes, and the
//! trait `Behaviour` with one method per operation taking the checked, typed parameters.
//!
//! The sandbox implements `Behaviour` by hand: that is all a new operation costs it, and a
//! missing method is a compile error that names the operation. Everything here is read from the
//! generated low-level method (through [`Surface`]) and the operation table, so the checks take
//! exactly what the client sends.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::GenError;
use crate::prepare::BodyMedia;
use crate::surface::{Field, Held, Surface, argument_of};

/// The source of `moneykit-sandbox/src/generated.rs`.
pub(crate) fn generate(surfaces: &[Surface<'_>]) -> Result<syn::File, GenError> {
    let mut problems = Vec::new();
    let mut handlers = Vec::new();
    let mut methods = Vec::new();
    for surface in surfaces {
        match operation(surface) {
            Ok((handler, method)) => {
                handlers.push(handler);
                methods.push(method);
            }
            Err(problem) => problems.push(format!("{}: {problem}", surface.op.operation_id)),
        }
    }
    if !problems.is_empty() {
        return Err(GenError::Invalid(problems));
    }
    let variants: Vec<syn::Ident> = surfaces.iter().map(|s| s.name.clone()).collect();
    let variant_docs = surfaces.iter().map(|s| {
        format!(
            " `{} {}` (`{}`): {}.",
            s.op.method,
            s.op.path,
            s.op.operation_id,
            s.op.summary.trim_end_matches('.')
        )
    });
    let ids = surfaces.iter().map(|s| &s.op.operation_id);
    let errors = surfaces
        .iter()
        .map(|s| format_ident!("{}Error", s.op.operation_id.to_upper_camel_case()));
    let specs = surfaces.iter().map(|s| {
        let op = s.op;
        let (success, authenticated) = (op.success, op.authenticated);
        let version = option(
            op.parameters
                .iter()
                .find(|p| p.api_version)
                .map(|p| p.name.as_str()),
        );
        let link = option(link_parameter(s));
        let reads_body = op.body.is_some();
        quote! {
            &crate::handling::OperationSpec {
                success: #success,
                authenticated: #authenticated,
                api_version_header: #version,
                link_parameter: #link,
                reads_body: #reads_body,
            }
        }
    });
    let routes = routes(surfaces);
    let tokens = quote! {
        /// An operation of the API, by its `operationId`. New operations may be added, so match
        /// with a `_` arm.
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operation {
            #(#[doc = #variant_docs] #variants,)*
        }

        impl Operation {
            /// Every operation, in the order of their `operationId`s.
            pub const ALL: &'static [Operation] = &[#(Operation::#variants),*];

            /// The spec's `operationId`, e.g. `get_accounts`.
            pub fn as_str(self) -> &'static str {
                match self {
                    #(Operation::#variants => #ids,)*
                }
            }

            /// The error statuses `openapi.yaml` documents for the operation (from the
            /// generated `moneykit_api::errors`).
            pub fn documented_statuses(self) -> &'static [u16] {
                match self {
                    #(Operation::#variants => <moneykit_api::errors::#errors as moneykit_api::errors::DocumentedError>::STATUSES,)*
                }
            }

            /// What the spec says of a request to it, for the checks before its behaviour.
            pub(crate) fn spec(self) -> &'static crate::handling::OperationSpec {
                match self {
                    #(Operation::#variants => #specs,)*
                }
            }
        }

        /// What the sandbox does for each operation once the request passed the checks of its
        /// spec (credentials, API version, parameters, body): one method per operation, taking
        /// its parameters typed as the client sends them. The sandbox implements it on its
        /// state; an operation without its method does not compile.
        pub(crate) trait Behaviour {
            #(#methods)*
        }

        /// Every operation's route.
        pub(crate) fn routes(
            router: ::axum::Router<::std::sync::Arc<crate::state::AppState>>,
        ) -> ::axum::Router<::std::sync::Arc<crate::state::AppState>> {
            router #(#routes)*
        }

        #(#handlers)*
    };
    syn::parse2(tokens).map_err(|e| GenError::Progenitor(format!("the server is not Rust: {e}")))
}

fn option(value: Option<&str>) -> TokenStream {
    match value {
        Some(text) => quote!(::std::option::Option::Some(#text)),
        None => quote!(::std::option::Option::None),
    }
}

/// The path parameter that names the link the operation is about: the one `link(id)` takes.
fn link_parameter<'a>(surface: &'a Surface<'_>) -> Option<&'a str> {
    match surface.steps.first() {
        Some(first) if first.name == "link" && first.parameters.len() == 1 => {
            Some(first.parameters[0].as_str())
        }
        _ => None,
    }
}

/// `.route(path, get(a).post(b))` per path, methods in the spec's order of operation ids.
fn routes(surfaces: &[Surface<'_>]) -> Vec<TokenStream> {
    let mut by_path: BTreeMap<&str, Vec<TokenStream>> = BTreeMap::new();
    for surface in surfaces {
        let method = format_ident!("{}", surface.op.method.to_lowercase());
        let handler = format_ident!("{}", surface.op.operation_id);
        by_path
            .entry(surface.op.path.as_str())
            .or_default()
            .push(quote!(#method(#handler)));
    }
    by_path
        .into_iter()
        .map(|(path, methods)| {
            let (first, rest) = methods.split_first().expect("one method at least");
            quote!(.route(#path, ::axum::routing::#first #(.#rest)*))
        })
        .collect()
}

/// An operation's axum handler and its `Behaviour` method.
fn operation(surface: &Surface<'_>) -> Result<(TokenStream, TokenStream), String> {
    let op = surface.op;
    // The checks before the behaviour answer 401 (no credentials) and 422 (a parameter, the
    // version or the body invalid): the spec must document them where they can happen.
    let documents = |status: u16| op.errors.iter().any(|e| e.status == status);
    if op.authenticated && !documents(401) {
        return Err("it needs credentials but documents no 401, the answer without them".into());
    }
    if (!op.parameters.is_empty() || op.body.is_some()) && !documents(422) {
        return Err(
            "it takes parameters or a body but documents no 422, the answer to invalid ones".into(),
        );
    }
    let id = format_ident!("{}", op.operation_id);
    let variant = &surface.name;
    let mut extractions = Vec::new();
    let mut parameters = Vec::new();
    let mut idents = Vec::new();
    for field in &surface.fields {
        let (extraction, ty) = extraction(field, op.body)?;
        let ident = &field.ident;
        extractions.push(quote!(let #ident = #extraction;));
        parameters.push(quote!(#ident: #ty));
        idents.push(ident);
    }
    let doc = format!(
        " `{} {}`: {}.",
        op.method,
        op.path,
        op.summary.trim_end_matches('.')
    );
    let handler = quote! {
        async fn #id(
            ::axum::extract::State(state): ::axum::extract::State<::std::sync::Arc<crate::state::AppState>>,
            request: ::axum::extract::Request,
        ) -> ::axum::response::Response {
            crate::handling::serve(&state, Operation::#variant, request, |state, request| {
                #(#extractions)*
                <crate::state::AppState as Behaviour>::#id(state, request, #(#idents),*)
            })
            .await
        }
    };
    let method = quote! {
        #[doc = #doc]
        fn #id(
            &self,
            request: &crate::handling::Admitted,
            #(#parameters),*
        ) -> crate::handling::Answer;
    };
    Ok((handler, method))
}

/// How a field is taken from the request, and its type in the `Behaviour` method.
fn extraction(
    field: &Field<'_>,
    body: Option<BodyMedia>,
) -> Result<(TokenStream, TokenStream), String> {
    let string: syn::Type = syn::parse_quote!(::std::string::String);
    let Some(parameter) = field.parameter else {
        let (Held::Ref(ty) | Held::Value(ty)) = &field.held else {
            return Err("an optional request body is not supported".to_owned());
        };
        let read = match body {
            Some(BodyMedia::Json) => quote!(request.json::<#ty>()?),
            Some(BodyMedia::Form) => quote!(request.form::<#ty>()?),
            None => return Err("a body of a media type the sandbox cannot read".to_owned()),
        };
        return Ok((read, quote!(#ty)));
    };
    let name = &parameter.name;
    if field.in_path {
        return Ok((quote!(request.path(#name)?), quote!(#string)));
    }
    let location = parameter.location.as_str();
    let one = |ty: &syn::Type| match location {
        "header" => quote!(request.header::<#ty>(#name)?),
        _ => quote!(request.query::<#ty>(#name)?),
    };
    let all = |item: &syn::Type| quote!(request.query_all::<#item>(#name)?);
    if !matches!(location, "query" | "header") {
        return Err(format!("the parameter `{name}` is in `{location}`"));
    }
    let (read, ty) = match &field.held {
        Held::OptionalStr => (one(&string), quote!(::std::option::Option<#string>)),
        Held::Optional(ty) | Held::OptionalValue(ty) => match argument_of(ty, "Vec") {
            Some(item) if location == "query" => (all(item), quote!(::std::option::Option<#ty>)),
            _ => (one(ty), quote!(::std::option::Option<#ty>)),
        },
        Held::Str => {
            let read = one(&string);
            (
                quote!(crate::handling::required(#read, #location, #name)?),
                quote!(#string),
            )
        }
        Held::Ref(ty) | Held::Value(ty) => {
            let read = match argument_of(ty, "Vec") {
                Some(item) if location == "query" => all(item),
                _ => one(ty),
            };
            (
                quote!(crate::handling::required(#read, #location, #name)?),
                quote!(#ty),
            )
        }
    };
    Ok((read, ty))
}

#[cfg(test)]
mod tests {
    use crate::surface::tests::{SPEC, generated, item_text, refusal_of};

    fn server_of(spec: &str) -> syn::File {
        generated(spec, crate::SANDBOX_PATH)
    }

    /// The `Behaviour` trait's method signatures, as text of their parameters after `request`.
    fn behaviour(file: &syn::File) -> Vec<(String, Vec<String>)> {
        let trait_ = file
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Trait(t) if t.ident == "Behaviour" => Some(t),
                _ => None,
            })
            .expect("a Behaviour trait");
        trait_
            .items
            .iter()
            .filter_map(|item| match item {
                syn::TraitItem::Fn(f) => Some(f),
                _ => None,
            })
            .map(|f| {
                let parameters = f
                    .sig
                    .inputs
                    .iter()
                    .skip(2)
                    .map(|input| match input {
                        syn::FnArg::Typed(t) => {
                            let ty = &t.ty;
                            let pat = &t.pat;
                            quote::quote!(#pat: #ty).to_string()
                        }
                        syn::FnArg::Receiver(_) => "self".to_owned(),
                    })
                    .collect();
                (f.sig.ident.to_string(), parameters)
            })
            .collect()
    }

    #[test]
    fn every_operation_has_one_behaviour_method_with_typed_parameters() {
        let file = server_of(SPEC);
        let methods = behaviour(&file);
        let names: Vec<&str> = methods.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["add_note", "get_thing_items"]);
        let string = ":: std :: string :: String";
        assert_eq!(
            methods[0].1,
            [
                format!("id : {string}"),
                "body : moneykit_api :: types :: Note".to_owned()
            ]
        );
        assert_eq!(
            methods[1].1,
            [
                format!("id : {string}"),
                format!("since : :: std :: option :: Option < {string} >"),
                format!("tags : :: std :: option :: Option < :: std :: vec :: Vec < {string} > >"),
            ]
        );
    }

    #[test]
    fn handlers_check_what_the_spec_declares() {
        let file = server_of(SPEC);
        let items = item_text(&file, "get_thing_items");
        assert!(items.contains("request . path (\"id\") ?"), "{items}");
        assert!(items.contains("query_all :: < :: std :: string :: String > (\"tags\")"));
        assert!(items.contains("query :: < :: std :: string :: String > (\"since\")"));
        let note = item_text(&file, "add_note");
        assert!(note.contains("request . json :: < moneykit_api :: types :: Note > () ?"));
        // A required query parameter is refused when absent.
        let spec = SPEC.replace(
            "          required: false\n          schema: { type: string }",
            "          required: true\n          schema: { type: string }",
        );
        let items = item_text(&server_of(&spec), "get_thing_items");
        assert!(
            items.contains("crate :: handling :: required (request . query"),
            "{items}"
        );
    }

    #[test]
    fn statuses_the_checks_answer_must_be_documented() {
        let without_422 = SPEC.replacen(
            "        '422': { $ref: '#/components/responses/Invalid' }\n",
            "",
            1,
        );
        assert!(refusal_of(&without_422).contains("documents no 422"));
        let secured = SPEC
            .replace("paths:\n", "security:\n  - Key: []\npaths:\n")
            .replace(
                "components:\n",
                "components:\n  securitySchemes:\n    Key: { type: apiKey, in: header, name: k }\n",
            );
        assert!(refusal_of(&secured).contains("documents no 401"));
    }

    #[test]
    fn one_route_per_path_with_its_methods() {
        // Both operations on one path: one `.route` with a chain of methods.
        let file = server_of(&SPEC.replace("  /things/{id}/notes:\n", ""));
        let routes = item_text(&file, "routes");
        assert_eq!(routes.matches(". route (").count(), 1, "{routes}");
        assert!(
            routes.contains("\"/things/{id}/items\" , :: axum :: routing :: post (add_note) . get (get_thing_items)"),
            "{routes}"
        );
    }
}
