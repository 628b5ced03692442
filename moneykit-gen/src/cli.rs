//! The CLI's per-operation commands, `moneykit-cli/src/generated.rs`: one clap subcommand per
//! operation that has a call path, its arguments read from the operation's parameters, and
//! `execute`, which starts the operation on the `moneykit` client exactly as a user of the
//! library would (`client.link(id).accounts().account_ids(…)`) and renders the response through
//! the CLI's one renderer.
//!
//! A command's words are its `x-moneykit-cli` (`accounts list`), else its call path's names in
//! kebab case (`link(id).get` is `link get`). Path parameters are positional (`LINK_ID`), other
//! parameters are flags named after them in kebab case (or their `x-moneykit-cli-flag`), a list
//! is a repeated flag, a body is `--body JSON`, and every command takes `--reveal`.

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::GenError;
use crate::surface::{Field, Held, Surface, argument_of, path_label};

/// Arguments every generated command has already (`--reveal`, clap's `--help`, and `--body`
/// for a body): a parameter may not take their names, as a field or as a flag. The global flags
/// of `moneykit` are kept apart by the CLI's own test, which knows them.
const RESERVED_ARGUMENTS: [&str; 3] = ["reveal", "help", "body"];
/// Commands of `moneykit` that are not generated, and clap's `help`.
const RESERVED_COMMANDS: [&str; 3] = ["token", "completions", "help"];

/// The source of `moneykit-cli/src/generated.rs`.
pub(crate) fn generate(surfaces: &[Surface<'_>]) -> Result<syn::File, GenError> {
    let mut problems = Vec::new();
    let mut commands = Vec::new();
    for surface in surfaces.iter().filter(|s| s.op.call.is_some()) {
        match command(surface) {
            Ok(command) => commands.push(command),
            Err(problem) => problems.push(format!("{}: {problem}", surface.op.operation_id)),
        }
    }
    let tree = match tree(&commands) {
        Ok(tree) => tree,
        Err(problem) => {
            problems.push(problem);
            Group::default()
        }
    };
    if !problems.is_empty() {
        return Err(GenError::Invalid(problems));
    }
    let table = commands.iter().map(|c| {
        let (id, words) = (&c.operation_id, c.words.join(" "));
        quote!((#id, #words))
    });
    let mut enums = Vec::new();
    group_enums(&tree, &commands, &[], &mut enums);
    let args = commands.iter().map(|c| &c.args);
    let arms = commands.iter().map(|c| {
        let pattern = pattern(&c.words);
        let body = &c.execute;
        quote!(#pattern => { #body })
    });
    let mut file: syn::File = syn::parse2(quote! {
        /// Every operation with a command, and the command's words: the coverage test compares
        /// it with the spec's operations.
        #[cfg(test)]
        pub(crate) const OPERATIONS: &[(&str, &str)] = &[#(#table),*];

        #(#enums)*
        #(#args)*

        /// Sends the request of `command` with `client` and renders its response.
        pub(crate) async fn execute(
            client: &moneykit::Client,
            command: ApiCommand,
            format: crate::cli::OutputFormat,
        ) -> ::std::result::Result<::std::string::String, crate::failure::Failure> {
            match command {
                #(#arms)*
            }
        }
    })
    .map_err(|e| GenError::Progenitor(format!("the CLI is not Rust: {e}")))?;
    ThroughMoneykit.visit_file_mut(&mut file);
    Ok(file)
}

/// `moneykit_api::types::X` as `moneykit::types::X`: the CLI talks to the API only through
/// `moneykit`, which re-exports the generated types.
struct ThroughMoneykit;

impl VisitMut for ThroughMoneykit {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some(first) = path.segments.first_mut()
            && first.ident == "moneykit_api"
        {
            first.ident = format_ident!("moneykit");
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// One operation's command.
struct Command {
    operation_id: String,
    words: Vec<String>,
    /// The doc of its variant: the first line is its `--help` summary.
    about: [String; 3],
    args_name: syn::Ident,
    /// Its `clap::Args` struct.
    args: TokenStream,
    /// The body of its arm in `execute`, with `args` bound.
    execute: TokenStream,
}

fn command(surface: &Surface<'_>) -> Result<Command, String> {
    let op = surface.op;
    let words: Vec<String> = match &op.cli {
        Some(cli) => cli.split_whitespace().map(str::to_owned).collect(),
        None => surface
            .steps
            .iter()
            .map(|s| s.name.replace('_', "-"))
            .collect(),
    };
    let args_name = format_ident!("{}Args", surface.name);
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut reads = Vec::new();
    for field in &surface.fields {
        let (declaration, read, setter) = argument(surface, field)?;
        fields.push(declaration);
        reads.extend(read);
        setters.extend(setter);
    }
    let about = [
        format!(" {}.", op.summary.trim_end_matches('.')),
        String::new(),
        format!(
            " Sends `{} {}` (`{}`). Sensitive values are masked unless --reveal is given.",
            op.method, op.path, op.operation_id
        ),
    ];
    let doc = format!(" The arguments of `moneykit {}`.", words.join(" "));
    let args = quote! {
        #[doc = #doc]
        #[derive(::clap::Args)]
        pub(crate) struct #args_name {
            #(#fields)*
            /// Print sensitive values (account numbers, personal data) in full; tokens and
            /// secrets stay masked.
            #[arg(long)]
            reveal: bool,
        }
    };
    let start = start(surface)?;
    let execute = quote! {
        #(#reads)*
        let request = #start;
        #(#setters)*
        let response = request.await.map_err(crate::failure::Failure::Api)?;
        crate::render::output(&response, args.reveal, format).map_err(crate::failure::Failure::Local)
    };
    Ok(Command {
        operation_id: op.operation_id.clone(),
        words,
        about,
        args_name,
        args,
        execute,
    })
}

/// A field's declaration in the `Args` struct, the statement that reads its value when it needs
/// one (a body parsed from JSON), and the statement that sets it on the request when it is
/// optional.
fn argument(
    surface: &Surface<'_>,
    field: &Field<'_>,
) -> Result<(TokenStream, Option<TokenStream>, Option<TokenStream>), String> {
    let ident = &field.ident;
    let string: syn::Type = syn::parse_quote!(::std::string::String);
    let description = field.description.trim();
    let Some(parameter) = field.parameter else {
        let (Held::Ref(ty) | Held::Value(ty)) = &field.held else {
            return Err("an optional request body has no CLI form".to_owned());
        };
        let doc = match ty {
            syn::Type::Path(path) => {
                let name = path.path.segments.last().map(|s| s.ident.to_string());
                format!(
                    " The request body, as JSON (`{}`).",
                    name.unwrap_or_default()
                )
            }
            _ => " The request body, as JSON.".to_owned(),
        };
        let declaration = quote! {
            #[doc = #doc]
            #[arg(long, value_name = "JSON")]
            #ident: ::std::string::String,
        };
        let flag = format!("--{ident}");
        let read = quote! {
            let #ident: #ty = crate::cli::json_argument(#flag, &args.#ident)?;
        };
        return Ok((declaration, Some(read), None));
    };
    if RESERVED_ARGUMENTS.contains(&ident.to_string().as_str()) {
        return Err(format!(
            "the parameter `{}` would be the argument `{ident}`, which every command has",
            parameter.name
        ));
    }
    let doc = if description.is_empty() {
        format!(" The {}.", path_label(&surface.steps, &parameter.name))
    } else {
        format!(" {description}")
    };
    if field.in_path {
        let value_name = path_label(&surface.steps, &parameter.name).to_shouty_snake_case();
        let declaration = quote! {
            #[doc = #doc]
            #[arg(value_name = #value_name)]
            #ident: #string,
        };
        return Ok((declaration, None, None));
    }
    let flag = parameter
        .cli_flag
        .clone()
        .unwrap_or_else(|| parameter.name.replace('_', "-").to_lowercase());
    if RESERVED_ARGUMENTS.contains(&flag.as_str()) {
        return Err(format!(
            "the parameter `{}` would be the flag --{flag}, which every command has",
            parameter.name
        ));
    }
    let value_name = flag.to_shouty_snake_case();
    // Bare `Option` and `Vec`: clap's derive recognizes them by those names only (an optional
    // flag, a repeated one).
    let set_if_given = quote! {
        let request = match args.#ident { ::std::option::Option::Some(value) => request.#ident(value), ::std::option::Option::None => request };
    };
    let mut required = None;
    let (ty, setter) = match &field.held {
        Held::Str => (quote!(#string), None),
        Held::Ref(ty) | Held::Value(ty) => match argument_of(ty, "Vec") {
            Some(item) => {
                required = Some(quote!(required = true,));
                (quote!(Vec<#item>), None)
            }
            None => (quote!(#ty), None),
        },
        Held::OptionalStr => (quote!(Option<#string>), Some(set_if_given)),
        Held::Optional(ty) | Held::OptionalValue(ty) => match argument_of(ty, "Vec") {
            Some(item) => (
                quote!(Vec<#item>),
                Some(quote! {
                    let request = if args.#ident.is_empty() { request } else { request.#ident(args.#ident) };
                }),
            ),
            None => (quote!(Option<#ty>), Some(set_if_given)),
        },
    };
    let declaration = quote! {
        #[doc = #doc]
        #[arg(long = #flag, value_name = #value_name, #required)]
        #ident: #ty,
    };
    Ok((declaration, None, setter))
}

/// `client.link(args.id).accounts()`: the call path with the path parameters, and the required
/// parameters and body as the operation's method takes them.
fn start(surface: &Surface<'_>) -> Result<TokenStream, String> {
    let (method, handles) = surface
        .steps
        .split_last()
        .ok_or("an operation with a command needs a call path")?;
    let from_handles: Vec<&String> = handles.iter().flat_map(|s| &s.parameters).collect();
    let mut chain = quote!(client);
    for step in handles {
        let name = format_ident!("{}", step.name);
        let values = step.parameters.iter().map(|p| {
            let p = format_ident!("{p}");
            quote!(args.#p)
        });
        chain = quote!(#chain.#name(#(#values),*));
    }
    let required = surface
        .fields
        .iter()
        .filter(|f| !f.held.is_optional() && !from_handles.contains(&&f.ident.to_string()))
        .map(|f| {
            let ident = &f.ident;
            if f.parameter.is_none() {
                quote!(#ident)
            } else {
                quote!(args.#ident)
            }
        });
    let name = format_ident!("{}", method.name);
    Ok(quote!(#chain.#name(#(#required),*)))
}

/// The commands by their words: a word is a group of commands or one command, never both.
#[derive(Default)]
struct Group {
    groups: BTreeMap<String, Group>,
    /// Word → index into the commands.
    leaves: BTreeMap<String, usize>,
}

fn tree(commands: &[Command]) -> Result<Group, String> {
    let mut root = Group::default();
    for (index, command) in commands.iter().enumerate() {
        let Some((last, prefix)) = command.words.split_last() else {
            return Err(format!("{}: a command needs a word", command.operation_id));
        };
        if let Some(reserved) =
            (command.words.first()).filter(|w| RESERVED_COMMANDS.contains(&w.as_str()))
        {
            return Err(format!(
                "{}: `{reserved}` is a command of `moneykit` that is not generated",
                command.operation_id
            ));
        }
        let mut group = &mut root;
        for word in prefix {
            if group.leaves.contains_key(word) {
                return Err(format!(
                    "`{word}` is both a command and a group of commands"
                ));
            }
            group = group.groups.entry(word.clone()).or_default();
        }
        if group.groups.contains_key(last) {
            return Err(format!(
                "`{last}` is both a command and a group of commands"
            ));
        }
        if group.leaves.insert(last.clone(), index).is_some() {
            return Err(format!(
                "two operations would be `{}`",
                command.words.join(" ")
            ));
        }
    }
    let mut problems = Vec::new();
    names_once(&root, &[], &mut BTreeMap::new(), &mut problems);
    match problems.into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(root),
    }
}

/// Refuses words that would give two enums one name (`api` is the root's `ApiCommand`), or two
/// variants of one enum one name (`v-2` and `v2` are both `V2`).
fn names_once(
    group: &Group,
    prefix: &[String],
    enums: &mut BTreeMap<syn::Ident, Vec<String>>,
    problems: &mut Vec<String>,
) {
    if let Some(known) = enums.insert(enum_name(prefix), prefix.to_vec()) {
        problems.push(format!(
            "`{}` and `{}` would be one type",
            known.join(" "),
            prefix.join(" ")
        ));
    }
    let mut variants: BTreeMap<syn::Ident, &String> = BTreeMap::new();
    for word in group.groups.keys().chain(group.leaves.keys()) {
        if let Some(known) = variants.insert(variant(word), word) {
            problems.push(format!("`{known}` and `{word}` would be one command"));
        }
    }
    for (word, sub) in &group.groups {
        let path: Vec<String> = prefix.iter().chain([word]).cloned().collect();
        names_once(sub, &path, enums, problems);
    }
}

fn enum_name(prefix: &[String]) -> syn::Ident {
    if prefix.is_empty() {
        format_ident!("ApiCommand")
    } else {
        format_ident!("{}Command", prefix.join("-").to_upper_camel_case())
    }
}

fn variant(word: &str) -> syn::Ident {
    format_ident!("{}", word.to_upper_camel_case())
}

/// The `Subcommand` enum of `group` (at `prefix`) and, before it, those of its groups.
fn group_enums(
    group: &Group,
    commands: &[Command],
    prefix: &[String],
    enums: &mut Vec<TokenStream>,
) {
    let mut variants = Vec::new();
    for (word, sub) in &group.groups {
        let path: Vec<String> = prefix.iter().chain([word]).cloned().collect();
        group_enums(sub, commands, &path, enums);
        let (name, ident) = (enum_name(&path), variant(word));
        let doc = format!(" `moneykit {} …`.", path.join(" "));
        variants.push(quote! {
            #[doc = #doc]
            #[command(subcommand, name = #word)]
            #ident(#name),
        });
    }
    for (word, index) in &group.leaves {
        let ident = variant(word);
        let Command {
            about, args_name, ..
        } = &commands[*index];
        variants.push(quote! {
            #(#[doc = #about])*
            #[command(name = #word)]
            #ident(#args_name),
        });
    }
    let name = enum_name(prefix);
    let doc = if prefix.is_empty() {
        " The API's operations, one command each.".to_owned()
    } else {
        format!(" `moneykit {} …`.", prefix.join(" "))
    };
    enums.push(quote! {
        #[doc = #doc]
        #[derive(::clap::Subcommand)]
        pub(crate) enum #name {
            #(#variants)*
        }
    });
}

/// The `match` pattern that picks the command with `words`, binding its arguments as `args`.
fn pattern(words: &[String]) -> TokenStream {
    let mut inner = quote!(args);
    for end in (1..=words.len()).rev() {
        let name = enum_name(&words[..end - 1]);
        let ident = variant(&words[end - 1]);
        inner = quote!(#name::#ident(#inner));
    }
    inner
}

#[cfg(test)]
mod tests {
    use crate::surface::tests::{SPEC, generated, item_text, refusal_of};

    fn cli_of(spec: &str) -> syn::File {
        generated(spec, crate::CLI_PATH)
    }

    #[test]
    fn words_come_from_the_call_path_unless_the_spec_names_them() {
        let file = cli_of(SPEC);
        let top = item_text(&file, "ApiCommand");
        assert!(top.contains("subcommand , name = \"thing\""), "{top}");
        let thing = item_text(&file, "ThingCommand");
        assert!(
            thing.contains("name = \"items\"") && thing.contains("name = \"add-note\""),
            "{thing}"
        );
        let named = SPEC.replace(
            "x-moneykit-call: thing(id).items",
            "x-moneykit-call: thing(id).items\n      x-moneykit-cli: items list",
        );
        let file = cli_of(&named);
        let items = item_text(&file, "ItemsCommand");
        assert!(items.contains("List (GetThingItemsArgs)"), "{items}");
        let execute = item_text(&file, "execute");
        assert!(
            execute.contains("ApiCommand :: Items (ItemsCommand :: List (args))"),
            "{execute}"
        );
    }

    #[test]
    fn parameters_become_positionals_flags_and_a_json_body() {
        let file = cli_of(SPEC);
        let items = item_text(&file, "GetThingItemsArgs");
        assert!(items.contains("value_name = \"THING_ID\""), "{items}");
        assert!(items.contains("long = \"tags\""), "{items}");
        assert!(
            items.contains("tags : Vec < :: std :: string :: String >"),
            "{items}"
        );
        assert!(
            items.contains("since : Option < :: std :: string :: String >"),
            "{items}"
        );
        assert!(items.contains("reveal : bool"), "{items}");
        let note = item_text(&file, "AddNoteArgs");
        assert!(note.contains("value_name = \"JSON\""), "{note}");
        let execute = item_text(&file, "execute");
        // The body is parsed into the type `moneykit` re-exports, then passed to the method.
        assert!(
            execute
                .contains("let body : moneykit :: types :: Note = crate :: cli :: json_argument"),
            "{execute}"
        );
        assert!(
            execute.contains("client . thing (args . id) . add_note (body)"),
            "{execute}"
        );
        // An optional list is set only when given.
        assert!(
            execute.contains("if args . tags . is_empty ()"),
            "{execute}"
        );
        // A flag named in the spec.
        let flagged = SPEC.replace(
            "        - name: tags\n",
            "        - name: tags\n          x-moneykit-cli-flag: tag\n",
        );
        let items = item_text(&cli_of(&flagged), "GetThingItemsArgs");
        assert!(items.contains("long = \"tag\""), "{items}");
    }

    /// A spec edit the CLI generator refuses, and what its refusal says.
    struct Refused {
        edits: &'static [(&'static str, &'static str)],
        because: &'static str,
    }

    #[test]
    fn clashing_commands_and_flags_are_refused() {
        const ITEMS: &str = "x-moneykit-call: thing(id).items";
        const NOTE: &str = "x-moneykit-call: thing(id).add_note";
        const SINCE: &str = "        - name: since\n";
        let table = [
            Refused {
                edits: &[(
                    NOTE,
                    "x-moneykit-call: thing(id).add_note\n      x-moneykit-cli: thing items",
                )],
                because: "two operations would be `thing items`",
            },
            Refused {
                edits: &[(
                    NOTE,
                    "x-moneykit-call: thing(id).add_note\n      x-moneykit-cli: thing items more",
                )],
                because: "`items` is both a command and a group",
            },
            Refused {
                edits: &[(SINCE, "        - name: reveal\n")],
                because: "the argument `reveal`, which every command has",
            },
            Refused {
                edits: &[(
                    SINCE,
                    "        - name: since\n          x-moneykit-cli-flag: body\n",
                )],
                because: "the flag --body, which every command has",
            },
            Refused {
                edits: &[(
                    ITEMS,
                    "x-moneykit-call: thing(id).items\n      x-moneykit-cli: token list",
                )],
                because: "`token` is a command of `moneykit`",
            },
            Refused {
                edits: &[(
                    ITEMS,
                    "x-moneykit-call: thing(id).items\n      x-moneykit-cli: api items",
                )],
                because: "`` and `api` would be one type",
            },
            Refused {
                edits: &[
                    (
                        ITEMS,
                        "x-moneykit-call: thing(id).items\n      x-moneykit-cli: thing v-2",
                    ),
                    (
                        NOTE,
                        "x-moneykit-call: thing(id).add_note\n      x-moneykit-cli: thing v2",
                    ),
                ],
                because: "`v-2` and `v2` would be one command",
            },
        ];
        for row in table {
            let spec = (row.edits.iter()).fold(SPEC.to_owned(), |spec, (from, to)| {
                assert!(spec.contains(from), "the spec has no {from:?}");
                spec.replace(from, to)
            });
            let why = refusal_of(&spec);
            assert!(why.contains(row.because), "{why}");
        }
    }
}
