//! The ergonomic client's per-operation surface, `moneykit/src/generated.rs`: for every
//! operation with an `x-moneykit-call` (`link(id).accounts`), the operation as data (a struct of
//! its parameters), how the client's call runner sends it (`Sealed`), a setter on its `Request`
//! for each optional parameter, and the resource handles that start it (`client.link(id)`, then
//! `.accounts()`).
//!
//! Everything is read from the generated low-level method's signature (its parameters and their
//! types, its response type), so the surface sends exactly what the generated client takes; the
//! call path only says where the operation starts and which handle takes which path parameter.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::GenError;
use crate::prepare::{Operation, Parameter};

/// One step of a call path: `link(id)` is a handle taking the path parameter `id`; the last
/// step is the method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub name: String,
    pub parameters: Vec<String>,
}

/// Parses `link(id).accounts` into its steps; the problem, if it is not one.
pub(crate) fn parse_call(text: &str) -> Result<Vec<Step>, String> {
    let is_name = |name: &str| {
        name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let mut steps = Vec::new();
    for step in text.split('.') {
        let (name, parameters) = match step.split_once('(') {
            None => (step, Vec::new()),
            Some((name, rest)) => {
                let Some(list) = rest.strip_suffix(')') else {
                    return Err(format!("`{step}` has no closing `)`"));
                };
                let parameters: Vec<String> =
                    list.split(',').map(|p| p.trim().to_owned()).collect();
                (name, parameters)
            }
        };
        if !is_name(name) || !parameters.iter().all(|p| is_name(p)) {
            return Err(format!(
                "`{step}` is not `name` or `name(parameter, …)` in snake_case"
            ));
        }
        steps.push(Step {
            name: name.to_owned(),
            parameters,
        });
    }
    Ok(steps)
}

/// The path parameters of a path template, in order (`/links/{id}/x/{y}` → `id`, `y`).
pub(crate) fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// Why the operations' call paths cannot make one surface: an unparsable path, a path parameter
/// no step takes (or two take), a handle that takes different parameters in two call paths, two
/// things of one name under one handle (operations, sub-handles, the handle's accessors, or
/// `Client`'s own methods), or a generated type name taken twice or by `moneykit`'s own.
pub(crate) fn check(operations: &[Operation]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut handles: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    // Under each handle (`[]`: `Client`), each name and what has it.
    let mut children: BTreeMap<Vec<String>, BTreeMap<String, String>> = BTreeMap::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut name_once = |under: &[String], name: &str, what: String, problems: &mut Vec<String>| {
        let names = children.entry(under.to_vec()).or_default();
        match names.get(name) {
            Some(known) if *known != what => problems.push(format!(
                "`{}` is both {known} and {what}",
                under
                    .iter()
                    .chain([&name.to_owned()])
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(".")
            )),
            _ => {
                names.insert(name.to_owned(), what);
            }
        }
    };
    for op in operations {
        let Some(call) = &op.call else { continue };
        let id = &op.operation_id;
        let steps = match parse_call(call) {
            Ok(steps) => steps,
            Err(problem) => {
                problems.push(format!("{id}: x-moneykit-call {problem}"));
                continue;
            }
        };
        let mut taken: Vec<&str> = steps
            .iter()
            .flat_map(|s| s.parameters.iter().map(String::as_str))
            .collect();
        let mut expected = path_parameters(&op.path);
        taken.sort_unstable();
        expected.sort_unstable();
        if taken != expected {
            problems.push(format!(
                "{id}: x-moneykit-call `{call}` takes the path parameters {taken:?}, the path \
                 {} has {expected:?}",
                op.path
            ));
        }
        let names: Vec<String> = steps.iter().map(|s| s.name.clone()).collect();
        for end in 1..steps.len() {
            let parameters = steps[end - 1].parameters.clone();
            if let Some(known) = handles.insert(names[..end].to_vec(), parameters.clone())
                && known != parameters
            {
                problems.push(format!(
                    "{id}: the handle `{}` takes {parameters:?} here and {known:?} elsewhere",
                    names[..end].join(".")
                ));
            }
            let handle = format!("the handle `{}`", names[..end].join("."));
            name_once(&names[..end - 1], &names[end - 1], handle, &mut problems);
        }
        let (method, under) = names
            .split_last()
            .expect("parse_call gives one step at least");
        name_once(under, method, format!("the operation {id}"), &mut problems);
        let mut named = vec![(id.to_upper_camel_case(), format!("the operation {id}"))];
        for end in 1..=under.len() {
            let handle = format!("the handle `{}`", under[..end].join("."));
            named.push((under[..end].join("_").to_upper_camel_case(), handle));
        }
        for (name, what) in named {
            match types.get(&name) {
                Some(known) if *known != what => {
                    problems.push(format!("the type `{name}` is both {known} and {what}"));
                }
                _ => {
                    types.insert(name, what);
                }
            }
        }
    }
    for (name, what) in &types {
        if RESERVED_TYPES.contains(&name.as_str()) {
            problems.push(format!(
                "{what} would be the type `{name}`, one of moneykit's own"
            ));
        }
    }
    for (under, names) in &children {
        let taken: Vec<&String> = if under.is_empty() {
            Vec::new()
        } else {
            (1..=under.len())
                .filter_map(|end| handles.get(&under[..end]))
                .flatten()
                .collect()
        };
        for (name, what) in names {
            let on_client = under.is_empty() && RESERVED_ON_CLIENT.contains(&name.as_str());
            if on_client || taken.contains(&name) {
                problems.push(format!(
                    "{what} would shadow a method of the same name, `{name}`"
                ));
            }
        }
    }
    problems
}

/// How a parameter of the generated method is held and passed.
pub(crate) enum Held {
    /// `&'a str`: a `String`, passed as `&self.x`.
    Str,
    /// `&'a T`: a `T`, passed as `&self.x`.
    Ref(syn::Type),
    /// `T`, taken by value (typify passes integers, booleans and such so): a clone is passed.
    Value(syn::Type),
    /// `Option<&'a T>`: an `Option<T>`, passed as `self.x.as_ref()`.
    Optional(syn::Type),
    /// `Option<&'a str>`: an `Option<String>`, passed as `self.x.as_deref()`.
    OptionalStr,
    /// `Option<T>` by value: a clone is passed.
    OptionalValue(syn::Type),
}

impl Held {
    pub(crate) fn is_optional(&self) -> bool {
        matches!(
            self,
            Held::Optional(_) | Held::OptionalStr | Held::OptionalValue(_)
        )
    }
}

/// Names a generated struct cannot take: `moneykit`'s own exports, which a generated one of the
/// same name would be hidden behind (`pub use operations::*`).
const RESERVED_TYPES: [&str; 18] = [
    "AttemptEnd",
    "AttemptObserver",
    "BuildError",
    "Client",
    "ClientBuilder",
    "CreateAccessToken",
    "Credentials",
    "Error",
    "ErrorGroup",
    "ErrorKind",
    "Jitter",
    "LinkFreshness",
    "Operation",
    "Request",
    "Response",
    "RetryPolicy",
    "TokenAuthMethod",
    "UnauthorizedReason",
];
/// Names a method on `Client` cannot take: its hand-written ones.
const RESERVED_ON_CLIENT: [&str; 4] = ["authenticate", "builder", "clone", "from_env"];
/// Names an optional parameter's setter on `Request` cannot take: its hand-written methods.
const RESERVED_ON_REQUEST: [&str; 11] = [
    "attempt_timeout",
    "call_timeout",
    "header",
    "into_future",
    "new",
    "operation_mut",
    "options",
    "options_mut",
    "retry_policy",
    "send",
    "send_with_response",
];

/// One parameter of the generated method, other than the API version.
pub(crate) struct Field<'a> {
    pub ident: Ident,
    pub held: Held,
    /// A path parameter (checked as one URL segment), rather than a query parameter or body.
    pub in_path: bool,
    /// The spec's parameter it is; `None` for the request body (the one argument of the
    /// generated method that is no parameter).
    pub parameter: Option<&'a Parameter>,
    pub description: String,
}

impl Field<'_> {
    fn stored_type(&self) -> TokenStream {
        match &self.held {
            Held::Str => quote!(::std::string::String),
            Held::Ref(ty) => quote!(#ty),
            Held::Value(ty) => quote!(#ty),
            Held::Optional(ty) | Held::OptionalValue(ty) => quote!(::std::option::Option<#ty>),
            Held::OptionalStr => quote!(::std::option::Option<::std::string::String>),
        }
    }

    fn passed(&self) -> TokenStream {
        let ident = &self.ident;
        match &self.held {
            Held::Str | Held::Ref(_) => quote!(&self.#ident),
            Held::Optional(_) => quote!(self.#ident.as_ref()),
            Held::OptionalStr => quote!(self.#ident.as_deref()),
            // UFCS: `.clone()` on a `Copy` value would trip clippy in the generated code.
            Held::Value(_) | Held::OptionalValue(_) => {
                quote!(::std::clone::Clone::clone(&self.#ident))
            }
        }
    }

    /// The argument a handle method takes for it, and the field's initializer in the operation
    /// (`id: id.into()`, or the shorthand `body` when the argument is stored as given).
    fn argument(&self) -> (TokenStream, TokenStream) {
        let ident = &self.ident;
        let argument = match &self.held {
            Held::Str => {
                return (
                    quote!(#ident: impl ::std::convert::Into<::std::string::String>),
                    quote!(#ident: #ident.into()),
                );
            }
            Held::Ref(ty) | Held::Value(ty) => quote!(#ident: #ty),
            Held::Optional(ty) | Held::OptionalValue(ty) => {
                quote!(#ident: ::std::option::Option<#ty>)
            }
            Held::OptionalStr => quote!(#ident: ::std::option::Option<::std::string::String>),
        };
        (argument, quote!(#ident))
    }
}

/// `types::X` and `crate::types::X` of the generated crate, as `moneykit_api::types::X`.
struct FromApiCrate;

impl VisitMut for FromApiCrate {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let first = path.segments.first().map(|s| s.ident.to_string());
        match first.as_deref() {
            Some("crate") => {
                path.segments[0].ident = Ident::new("moneykit_api", Span::call_site());
            }
            Some("types") if path.leading_colon.is_none() => {
                path.segments
                    .insert(0, syn::PathSegment::from(format_ident!("moneykit_api")));
            }
            _ => {}
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// `T` without the lifetime of a `&'a T`, its paths made absolute.
pub(crate) fn owned(ty: &syn::Type) -> syn::Type {
    let mut ty = match ty {
        syn::Type::Reference(reference) => (*reference.elem).clone(),
        other => other.clone(),
    };
    FromApiCrate.visit_type_mut(&mut ty);
    ty
}

/// `T` of `Option<T>` or `ResponseValue<T>`: the one type argument of the last segment.
pub(crate) fn argument_of<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match arguments.args.first()? {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    }
}

/// Whether `ty` is `&str` (with any lifetime).
fn is_str(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Path(p) if p.path.is_ident("str")))
}

/// Whether `ty` is `String` or a `Vec` of it (so an empty value can be refused).
pub(crate) fn holds_strings(ty: &syn::Type) -> bool {
    let ty = argument_of(ty, "Vec").unwrap_or(ty);
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "String"))
}

/// The generated `Client` method of `operation_id`.
fn method<'a>(file: &'a syn::File, operation_id: &str) -> Option<&'a syn::ImplItemFn> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Impl(block) if block.trait_.is_none() => {
            block.items.iter().find_map(|item| match item {
                syn::ImplItem::Fn(f) if f.sig.ident == operation_id => Some(f),
                _ => None,
            })
        }
        _ => None,
    })
}

/// One operation, read from its generated method.
pub(crate) struct Surface<'a> {
    pub op: &'a Operation,
    /// Its call path's steps; none for an operation without one.
    pub steps: Vec<Step>,
    pub name: Ident,
    pub fields: Vec<Field<'a>>,
    /// The generated method's arguments, in order: a field, or the API version (passed as
    /// `None`: the hooks of the client's generated client send its own, ready-made).
    arguments: Vec<Option<usize>>,
    /// Whether the method takes the API version.
    takes_version: bool,
    pub output: syn::Type,
}

/// Every operation, read from its generated method; the problems, if any cannot be.
pub(crate) fn read_all<'a>(
    file: &syn::File,
    operations: &'a [Operation],
) -> Result<Vec<Surface<'a>>, GenError> {
    let mut surfaces = Vec::new();
    let mut problems = Vec::new();
    for op in operations {
        match read(file, op) {
            Ok(surface) => surfaces.push(surface),
            Err(problem) => problems.push(format!("{}: {problem}", op.operation_id)),
        }
    }
    if problems.is_empty() {
        Ok(surfaces)
    } else {
        Err(GenError::Invalid(problems))
    }
}

fn read<'a>(file: &syn::File, op: &'a Operation) -> Result<Surface<'a>, String> {
    let id = &op.operation_id;
    let steps = match &op.call {
        Some(call) => parse_call(call)?,
        None => Vec::new(),
    };
    let method = method(file, id).ok_or_else(|| format!("no generated method `{id}`"))?;
    let in_path = path_parameters(&op.path);
    let version: Vec<String> = op
        .parameters
        .iter()
        .filter(|p| p.api_version)
        .map(|p| heck::AsSnakeCase(&p.name).to_string())
        .collect();
    let parameter = |name: &str| {
        op.parameters
            .iter()
            .find(|p| heck::AsSnakeCase(&p.name).to_string() == name)
    };
    let (mut fields, mut arguments, mut takes_version) = (Vec::new(), Vec::new(), false);
    for input in method.sig.inputs.iter().skip(1) {
        let syn::FnArg::Typed(typed) = input else {
            return Err(format!("`{id}` takes an unexpected receiver"));
        };
        let syn::Pat::Ident(pattern) = &*typed.pat else {
            return Err(format!("`{id}` has a parameter that is not a name"));
        };
        let ident = pattern.ident.clone();
        if version.contains(&ident.to_string()) {
            takes_version = true;
            arguments.push(None);
            continue;
        }
        let held = match argument_of(&typed.ty, "Option") {
            Some(inner) if is_str(inner) => Held::OptionalStr,
            Some(inner @ syn::Type::Reference(_)) => Held::Optional(owned(inner)),
            Some(inner) => Held::OptionalValue(owned(inner)),
            None if is_str(&typed.ty) => Held::Str,
            None if matches!(&*typed.ty, syn::Type::Reference(_)) => Held::Ref(owned(&typed.ty)),
            None => Held::Value(owned(&typed.ty)),
        };
        let name = ident.to_string();
        let in_path = in_path.contains(&name.as_str());
        if in_path && !matches!(held, Held::Str) {
            return Err(format!(
                "the path parameter `{name}` is not a string: handles hold path parameters as text"
            ));
        }
        if held.is_optional() && RESERVED_ON_REQUEST.contains(&name.as_str()) {
            return Err(format!(
                "the optional parameter `{name}` would shadow `Request::{name}`"
            ));
        }
        arguments.push(Some(fields.len()));
        let parameter = parameter(&name);
        fields.push(Field {
            in_path,
            description: parameter.map_or_else(String::new, |p| p.description.clone()),
            parameter,
            ident,
            held,
        });
    }
    let syn::ReturnType::Type(_, result) = &method.sig.output else {
        return Err(format!("`{id}` returns nothing"));
    };
    let output = argument_of(result, "Result")
        .and_then(|ok| argument_of(ok, "ResponseValue"))
        .map(owned)
        .ok_or_else(|| format!("`{id}` does not return `Result<ResponseValue<T>, _>`"))?;
    Ok(Surface {
        op,
        name: format_ident!("{}", id.to_upper_camel_case()),
        steps,
        fields,
        arguments,
        takes_version,
        output,
    })
}

/// The source of `moneykit/src/generated.rs` from the generated low-level client `file`.
pub(crate) fn generate(all: &[Surface<'_>]) -> Result<syn::File, GenError> {
    let surfaces: Vec<&Surface<'_>> = all.iter().filter(|s| s.op.call.is_some()).collect();
    let operations = surfaces
        .iter()
        .map(|s| operation_items(s))
        .collect::<Result<Vec<_>, _>>()?;
    let handles = handles(&surfaces);
    let table = surfaces.iter().map(|s| {
        let id = &s.op.operation_id;
        let call = s.op.call.as_deref().unwrap_or_default();
        quote!((#id, #call))
    });
    let tokens = quote! {
        /// Every operation this file starts, with its `x-moneykit-call`: the coverage test
        /// compares it with the spec's operations.
        pub const OPERATIONS: &[(&str, &str)] = &[#(#table),*];
        #(#operations)*
        #handles
    };
    syn::parse2(tokens).map_err(|e| GenError::Progenitor(format!("the surface is not Rust: {e}")))
}

/// The operation's struct, its `Operation` and `Sealed` impls, and its setters.
fn operation_items(surface: &Surface<'_>) -> Result<TokenStream, GenError> {
    let Surface {
        op,
        name,
        fields,
        arguments,
        takes_version,
        output,
        steps,
    } = surface;
    if !takes_version {
        let id = &op.operation_id;
        let problem = format!("{id}: no parameter says `x-moneykit-api-version: true`");
        return Err(GenError::Invalid(vec![problem]));
    }
    let doc = format!(
        " `{} {}`: {}.",
        op.method,
        op.path,
        op.summary.trim_end_matches('.')
    );
    let start = format!(
        " Started by `client.{}`.",
        steps
            .iter()
            .map(|s| format!("{}({})", s.name, s.parameters.join(", ")))
            .collect::<Vec<_>>()
            .join(".")
    );
    let field_idents: Vec<&Ident> = fields.iter().map(|f| &f.ident).collect();
    let field_types: Vec<TokenStream> = fields.iter().map(Field::stored_type).collect();
    let documented = format_ident!("{}Error", op.operation_id.to_upper_camel_case());
    let passed = arguments.iter().map(|argument| match argument {
        Some(index) => fields[*index].passed(),
        None => quote!(::std::option::Option::None),
    });
    let method = format_ident!("{}", op.operation_id);
    let labels: Vec<(String, &Ident)> = fields
        .iter()
        .filter(|f| f.in_path)
        .map(|f| (path_label(steps, &f.ident.to_string()), &f.ident))
        .collect();
    let (label_texts, label_idents): (Vec<&String>, Vec<&&Ident>) =
        labels.iter().map(|(t, i)| (t, i)).unzip();
    // Only what differs from the `Sealed` defaults (no link, no path parameter, no refusal).
    let link_id = match steps.first() {
        Some(first) if first.name == "link" && first.parameters.len() == 1 => {
            let ident = format_ident!("{}", first.parameters[0]);
            Some(quote! {
                fn link_id(&self) -> ::std::option::Option<&str> {
                    ::std::option::Option::Some(&self.#ident)
                }
            })
        }
        _ => None,
    };
    let path_parameters = (!label_texts.is_empty()).then(|| {
        quote! {
            fn path_parameters(&self) -> impl ::std::iter::Iterator<Item = (&'static str, &str)> {
                [#((#label_texts, self.#label_idents.as_str())),*].into_iter()
            }
        }
    });
    let refusals = fields
        .iter()
        .filter(|f| !f.in_path)
        .filter(|f| match &f.held {
            Held::Optional(ty) | Held::Ref(ty) => holds_strings(ty),
            Held::Str | Held::OptionalStr => true,
            Held::Value(_) | Held::OptionalValue(_) => false,
        })
        .map(|f| {
            let ident = &f.ident;
            let why = format!("`{ident}` holds an empty value");
            let empty = quote!(|value: &::std::string::String| value.is_empty());
            let test = match &f.held {
                Held::Str => quote!(self.#ident.is_empty()),
                Held::Optional(ty) if argument_of(ty, "Vec").is_some() => {
                    quote!(self.#ident.as_ref().is_some_and(|values| values.iter().any(#empty)))
                }
                Held::Optional(_) | Held::OptionalStr => {
                    quote!(self.#ident.as_ref().is_some_and(#empty))
                }
                Held::Ref(ty) if argument_of(ty, "Vec").is_some() => {
                    quote!(self.#ident.iter().any(#empty))
                }
                Held::Ref(_) => quote!(self.#ident.is_empty()),
                Held::Value(_) | Held::OptionalValue(_) => {
                    unreachable!("filtered: no value taken by value holds text")
                }
            };
            quote! {
                if #test {
                    return ::std::option::Option::Some(#why);
                }
            }
        })
        .collect::<Vec<_>>();
    let refusal = (!refusals.is_empty()).then(|| {
        quote! {
            fn refusal(&self) -> ::std::option::Option<&'static str> {
                #(#refusals)*
                ::std::option::Option::None
            }
        }
    });
    let string: syn::Type = syn::parse_quote!(::std::string::String);
    let setters = fields.iter().filter_map(|f| {
        let ty = match &f.held {
            Held::Optional(ty) | Held::OptionalValue(ty) => ty,
            Held::OptionalStr => &string,
            _ => return None,
        };
        let ident = &f.ident;
        let doc = if f.description.is_empty() {
            format!(" Sends `{ident}`.")
        } else {
            format!(" Sends `{ident}`: {}", f.description.trim())
        };
        Some(match argument_of(ty, "Vec") {
            Some(item) if holds_strings(ty) => quote! {
                #[doc = #doc]
                pub fn #ident<I, S>(mut self, values: I) -> Self
                where
                    I: ::std::iter::IntoIterator<Item = S>,
                    S: ::std::convert::Into<#item>,
                {
                    self.operation_mut().#ident =
                        ::std::option::Option::Some(values.into_iter().map(::std::convert::Into::into).collect());
                    self
                }
            },
            _ if holds_strings(ty) => quote! {
                #[doc = #doc]
                pub fn #ident(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                    self.operation_mut().#ident = ::std::option::Option::Some(value.into());
                    self
                }
            },
            _ => quote! {
                #[doc = #doc]
                pub fn #ident(mut self, value: #ty) -> Self {
                    self.operation_mut().#ident = ::std::option::Option::Some(value);
                    self
                }
            },
        })
    });
    let setters: Vec<TokenStream> = setters.collect();
    let setters = (!setters.is_empty()).then(|| {
        quote! {
            impl crate::Request<#name> {
                #(#setters)*
            }
        }
    });
    Ok(quote! {
        #[doc = #doc]
        ///
        #[doc = #start]
        #[derive(Clone, Debug)]
        pub struct #name {
            #(pub(crate) #field_idents: #field_types,)*
        }

        impl crate::request::Operation for #name {
            type Output = #output;
        }

        impl crate::request::Sealed for #name {
            type Documented = moneykit_api::errors::#documented;

            #link_id
            #path_parameters
            #refusal

            fn send<'a>(
                &'a self,
                api: &'a moneykit_api::Client,
            ) -> impl ::std::future::Future<Output = crate::request::ApiResult<#output>> + ::std::marker::Send + 'a {
                api.#method(#(#passed),*)
            }
        }

        #setters
    })
}

/// How an error names a path parameter: `link id` for `link(id)`, `account id` for
/// `account_id`.
pub(crate) fn path_label(steps: &[Step], parameter: &str) -> String {
    let owner = steps
        .iter()
        .find(|s| s.parameters.iter().any(|p| p == parameter));
    match owner {
        Some(step) if parameter == "id" => format!("{} id", step.name.replace('_', " ")),
        _ => parameter.replace('_', " "),
    }
}

/// The resource handles (`Link`, …), the `Client` methods that start them, and each operation's
/// method on its handle.
fn handles(surfaces: &[&Surface<'_>]) -> TokenStream {
    // Handle → (its own parameters, the operations and sub-handles it starts).
    let mut items = Vec::new();
    let mut known: BTreeMap<Vec<String>, ()> = BTreeMap::new();
    let mut methods: BTreeMap<Vec<String>, Vec<TokenStream>> = BTreeMap::new();
    for surface in surfaces {
        let (method, handle_steps) = surface.steps.split_last().expect("one step at least");
        for end in 1..=handle_steps.len() {
            let names: Vec<String> = handle_steps[..end].iter().map(|s| s.name.clone()).collect();
            if known.insert(names.clone(), ()).is_none() {
                let (parent, step) = (&handle_steps[..end - 1], &handle_steps[end - 1]);
                let parent_names: Vec<String> = parent.iter().map(|s| s.name.clone()).collect();
                let (handle, start) = handle_items(parent, step);
                items.push(handle);
                methods.entry(parent_names).or_default().push(start);
            }
        }
        let parent_names: Vec<String> = handle_steps.iter().map(|s| s.name.clone()).collect();
        methods
            .entry(parent_names)
            .or_default()
            .push(operation_method(surface, handle_steps, method));
    }
    let impls = methods.into_iter().map(|(names, methods)| {
        let owner = if names.is_empty() {
            quote!(crate::Client)
        } else {
            let ident = handle_name(&names);
            quote!(#ident)
        };
        quote! {
            impl #owner {
                #(#methods)*
            }
        }
    });
    quote! {
        #(#items)*
        #(#impls)*
    }
}

fn handle_name(names: &[String]) -> Ident {
    format_ident!("{}", names.join("_").to_upper_camel_case())
}

/// The handle of `step` under `parent`: its struct with its accessors, and the method of its
/// parent (or of `Client`) that starts it.
fn handle_items(parent: &[Step], step: &Step) -> (TokenStream, TokenStream) {
    let all: Vec<&String> = parent
        .iter()
        .chain([step])
        .flat_map(|s| &s.parameters)
        .collect();
    let inherited: Vec<Ident> = parent
        .iter()
        .flat_map(|s| &s.parameters)
        .map(|p| format_ident!("{p}"))
        .collect();
    let own: Vec<Ident> = step
        .parameters
        .iter()
        .map(|p| format_ident!("{p}"))
        .collect();
    let fields: Vec<Ident> = all.iter().map(|p| format_ident!("{p}")).collect();
    let names: Vec<String> = parent
        .iter()
        .chain([step])
        .map(|s| s.name.clone())
        .collect();
    let name = handle_name(&names);
    let path = names
        .iter()
        .zip(parent.iter().chain([step]))
        .map(|(n, s)| format!("{n}({})", s.parameters.join(", ")))
        .collect::<Vec<_>>()
        .join(".");
    let mut doc = format!(
        " `client.{path}`: the operations under it. Nothing is sent until one of its requests is \
         awaited."
    );
    if !all.is_empty() {
        doc.push_str(
            " Each path parameter is sent as one percent-encoded URL segment; an empty one, `.`, \
             `..` or one longer than [`MAX_LINK_ID_LEN`](crate::MAX_LINK_ID_LEN) bytes fails the \
             call with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) before any \
             request.",
        );
    }
    let accessor_docs = all
        .iter()
        .map(|p| format!(" The `{p}` this handle was made with."));
    // A handle without parameters has no accessors, and so no `impl` of its own here.
    let accessors = (!all.is_empty()).then(|| {
        quote! {
            impl #name {
                #(
                    #[doc = #accessor_docs]
                    pub fn #fields(&self) -> &str {
                        &self.#fields
                    }
                )*
            }
        }
    });
    let handle = quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        pub struct #name {
            client: crate::Client,
            #(#fields: ::std::string::String,)*
        }

        #accessors
    };
    let method = format_ident!("{}", step.name);
    let start_doc = format!(" `{path}`: see [`{name}`].");
    let client = if parent.is_empty() {
        quote!(self.clone())
    } else {
        quote!(self.client.clone())
    };
    let start = quote! {
        #[doc = #start_doc]
        pub fn #method(&self, #(#own: impl ::std::convert::Into<::std::string::String>),*) -> #name {
            #name {
                client: #client,
                #(#inherited: self.#inherited.clone(),)*
                #(#own: #own.into(),)*
            }
        }
    };
    (handle, start)
}

/// The method that starts one operation on its handle (or on `Client`).
fn operation_method(surface: &Surface<'_>, handle_steps: &[Step], method: &Step) -> TokenStream {
    let Surface {
        op, name, fields, ..
    } = surface;
    let from_handle: Vec<&String> = handle_steps.iter().flat_map(|s| &s.parameters).collect();
    let ident = format_ident!("{}", method.name);
    let doc = format!(
        " `{} {}`: {}.",
        op.method,
        op.path,
        op.summary.trim_end_matches('.')
    );
    let more = format!(
        " Await the [`Request`](crate::Request) for a [`{}`](crate::{name}) response body, or set per-call options and optional parameters first.",
        op.operation_id
    );
    let (mut arguments, mut values) = (Vec::new(), Vec::new());
    for field in fields {
        let ident = &field.ident;
        if from_handle.contains(&&ident.to_string()) {
            values.push(quote!(#ident: self.#ident.clone()));
            continue;
        }
        values.push(match &field.held {
            held if held.is_optional() => quote!(#ident: ::std::option::Option::None),
            _ => {
                let (argument, initializer) = field.argument();
                arguments.push(argument);
                initializer
            }
        });
    }
    let client = if handle_steps.is_empty() {
        quote!(self.clone())
    } else {
        quote!(self.client.clone())
    };
    quote! {
        #[doc = #doc]
        ///
        #[doc = #more]
        pub fn #ident(&self, #(#arguments),*) -> crate::Request<#name> {
            crate::Request::new(#client, #name { #(#values,)* })
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn call_paths_parse_into_steps() {
        let steps = parse_call("link(id).transactions.enrichment(transaction_id)").unwrap();
        let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["link", "transactions", "enrichment"]);
        assert_eq!(steps[0].parameters, ["id"]);
        assert!(steps[1].parameters.is_empty());
        assert_eq!(steps[2].parameters, ["transaction_id"]);
        for refused in [
            "Link(id).get",
            "link(id.get",
            "link().get",
            "link..get",
            "link(i d)",
        ] {
            assert!(parse_call(refused).is_err(), "{refused}");
        }
    }

    pub(crate) const SPEC: &str = r#"openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /things/{id}/items:
    get:
      operationId: get_thing_items
      summary: List a thing's items
      x-moneykit-call: thing(id).items
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - name: tags
          in: query
          required: false
          description: Only items with these tags.
          schema: { type: array, items: { type: string } }
        - name: since
          in: query
          required: false
          schema: { type: string }
        - $ref: '#/components/parameters/Version'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Note' }
        '422': { $ref: '#/components/responses/Invalid' }
  /things/{id}/notes:
    post:
      operationId: add_note
      summary: Add a note
      x-moneykit-call: thing(id).add_note
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - $ref: '#/components/parameters/Version'
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Note' }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Note' }
        '422': { $ref: '#/components/responses/Invalid' }
components:
  responses:
    Invalid:
      description: invalid
      content:
        application/json:
          schema: { $ref: '#/components/schemas/Note' }
  parameters:
    Version:
      name: api-version-header
      in: header
      required: false
      x-moneykit-api-version: true
      schema: { type: string }
  schemas:
    Note:
      type: object
      required: [text]
      properties:
        text: { type: string }
"#;

    /// Why `spec` makes no generated code.
    pub(crate) fn refusal_of(spec: &str) -> String {
        crate::generate_all(spec).map(drop).unwrap_err().to_string()
    }

    /// The file `generate_all` writes to `path` (one of `GENERATED_PATHS`) for `spec`, parsed
    /// back.
    pub(crate) fn generated(spec: &str, path: &str) -> syn::File {
        let files = crate::generate_all(spec).unwrap_or_else(|e| panic!("{e}"));
        let (_, source) = files
            .into_iter()
            .find(|(written, _)| *written == path)
            .unwrap_or_else(|| panic!("nothing written to {path}"));
        syn::parse_file(&source).unwrap()
    }

    /// The item of `file` named `name` (a struct, enum, trait or function), as token text.
    pub(crate) fn item_text(file: &syn::File, name: &str) -> String {
        file.items
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == name => Some(quote!(#s).to_string()),
                syn::Item::Enum(e) if e.ident == name => Some(quote!(#e).to_string()),
                syn::Item::Trait(t) if t.ident == name => Some(quote!(#t).to_string()),
                syn::Item::Fn(f) if f.sig.ident == name => Some(quote!(#f).to_string()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no item {name}"))
    }

    fn surface_of(spec: &str) -> syn::File {
        generated(spec, crate::SURFACE_PATH)
    }

    /// The fields of struct `name`, as `name: type` with the type's tokens.
    fn fields(file: &syn::File, name: &str) -> Vec<(String, syn::Type)> {
        file.items
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no struct {name}"))
            .fields
            .iter()
            .map(|f| (f.ident.as_ref().unwrap().to_string(), f.ty.clone()))
            .collect()
    }

    /// The signatures of the inherent methods of `self_ty`.
    fn methods(file: &syn::File, self_ty: syn::Type) -> Vec<syn::Signature> {
        file.items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(block) if block.trait_.is_none() && *block.self_ty == self_ty => {
                    Some(block)
                }
                _ => None,
            })
            .flat_map(|block| &block.items)
            .filter_map(|item| match item {
                syn::ImplItem::Fn(f) => Some(f.sig.clone()),
                _ => None,
            })
            .collect()
    }

    fn find<'a>(signatures: &'a [syn::Signature], name: &str) -> &'a syn::Signature {
        signatures
            .iter()
            .find(|s| s.ident == name)
            .unwrap_or_else(|| panic!("no method {name}"))
    }

    #[test]
    fn an_operation_becomes_data_a_handle_method_and_setters() {
        let file = surface_of(SPEC);
        let string: syn::Type = syn::parse_quote!(::std::string::String);
        let tags: syn::Type =
            syn::parse_quote!(::std::option::Option<::std::vec::Vec<::std::string::String>>);
        let body: syn::Type = syn::parse_quote!(moneykit_api::types::Note);
        // The version parameter is the client's: no field, no argument.
        let since: syn::Type = syn::parse_quote!(::std::option::Option<::std::string::String>);
        assert_eq!(
            fields(&file, "GetThingItems"),
            [
                ("id".to_owned(), string.clone()),
                ("since".to_owned(), since),
                ("tags".to_owned(), tags),
            ]
        );
        assert_eq!(
            fields(&file, "AddNote"),
            [("id".to_owned(), string), ("body".to_owned(), body.clone())]
        );
        let client = methods(&file, syn::parse_quote!(crate::Client));
        assert_eq!(find(&client, "thing").inputs.len(), 2, "self and the id");
        let thing = methods(&file, syn::parse_quote!(Thing));
        assert_eq!(find(&thing, "items").inputs.len(), 1, "self only");
        let add_note = find(&thing, "add_note");
        let syn::FnArg::Typed(argument) = &add_note.inputs[1] else {
            panic!("add_note takes no body");
        };
        assert_eq!(*argument.ty, body);
        let setters = methods(&file, syn::parse_quote!(crate::Request<GetThingItems>));
        assert_eq!(find(&setters, "tags").inputs.len(), 2);
        assert_eq!(find(&setters, "since").inputs.len(), 2);
        // A body-only operation has no optional parameter: no setter block.
        assert!(methods(&file, syn::parse_quote!(crate::Request<AddNote>)).is_empty());
    }

    #[test]
    fn call_paths_that_do_not_fit_the_path_are_refused() {
        for (call, expected) in [
            ("thing.items", "takes the path parameters []"),
            (
                "thing(id).items(id)",
                "takes the path parameters [\"id\", \"id\"]",
            ),
            (
                "thing(id).add_note",
                "`thing.add_note` is both the operation add_note and",
            ),
            ("thing(id, other).items", "takes [\"id\", \"other\"] here"),
        ] {
            let spec = SPEC.replace("thing(id).items", call);
            let error = refusal_of(&spec);
            assert!(error.contains(expected), "{call}: {error}");
        }
    }

    #[test]
    fn names_that_would_clash_in_rust_are_refused() {
        for (from, to, expected) in [
            // A handle and an operation of one name under `Client`.
            (
                "thing(id).add_note",
                "thing(id)",
                "`thing` is both the operation add_note and the handle",
            ),
            // `Client`'s own method.
            (
                "thing(id).add_note",
                "builder(id)",
                "would shadow a method of the same name, `builder`",
            ),
            // The handle's accessor `id`.
            (
                "thing(id).add_note",
                "thing(id).id",
                "would shadow a method of the same name, `id`",
            ),
            // moneykit's own type.
            (
                "operationId: add_note",
                "operationId: request",
                "the type `Request`, one of moneykit's own",
            ),
            // An optional parameter named like a method of `Request`.
            ("name: since", "name: send", "would shadow `Request::send`"),
        ] {
            let spec = SPEC.replace(from, to);
            let error = refusal_of(&spec);
            assert!(error.contains(expected), "{to}: {error}");
        }
    }

    #[test]
    fn parameters_taken_by_value_are_held_and_passed_by_value() {
        let spec = SPEC.replace(
            "          schema: { type: array, items: { type: string } }",
            "          schema: { type: integer, format: int64 }",
        );
        let file = surface_of(&spec);
        let tags: syn::Type = syn::parse_quote!(::std::option::Option<i64>);
        assert!(fields(&file, "GetThingItems").contains(&("tags".to_owned(), tags)));
        let setters = methods(&file, syn::parse_quote!(crate::Request<GetThingItems>));
        let syn::FnArg::Typed(value) = &find(&setters, "tags").inputs[1] else {
            panic!("tags takes no value");
        };
        assert_eq!(*value.ty, syn::parse_quote!(i64));
        // A path parameter must be text: the handles hold it as a `String`.
        let spec = SPEC.replace(
            "- { name: id, in: path, required: true, schema: { type: string } }",
            "- { name: id, in: path, required: true, schema: { type: integer } }",
        );
        let error = refusal_of(&spec);
        assert!(
            error.contains("the path parameter `id` is not a string"),
            "{error}"
        );
    }

    #[test]
    fn labels_name_the_resource_of_an_id() {
        let steps = parse_call("link(id).account(account_id)").unwrap();
        assert_eq!(path_label(&steps, "id"), "link id");
        assert_eq!(path_label(&steps, "account_id"), "account id");
    }
}
