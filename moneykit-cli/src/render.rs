//! What each command prints: pretty JSON of the decoded response, or aligned tables for people.
//!
//! Serializing masks every `moneykit::Sensitive` and `Secret`, whatever struct it sits in, so
//! every output is masked unless `--reveal` opts in through [`RevealedSensitive`], which writes
//! out account numbers and keeps tokens and secrets masked even then. The tables list products
//! and number kinds through what the generator derived (`LinkProducts::iter`, the serialized
//! shape of the numbers), so a product or number kind added to `openapi.yaml` shows up here
//! without an edit.

use moneykit::types::{
    AccountResponse, AccountWithAccountNumbersLegacy20230218, CreateAccessTokenResponse,
    GetAccountNumbersResponseLegacy20230218, GetAccountsResponse, LinkCommon, ProductState,
};
use std::any::Any;

use moneykit::{Amount, RevealedSensitive, Timestamp, one_line};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::cli::OutputFormat;

/// What `token` prints: never the token itself.
#[derive(Serialize)]
struct TokenSummary<'a> {
    token_type: &'a str,
    expires_in: i64,
}

/// `token`.
pub fn token(response: &CreateAccessTokenResponse, format: OutputFormat) -> Result<String, String> {
    let summary = TokenSummary {
        token_type: &response.token_type,
        expires_in: response.expires_in,
    };
    match format {
        OutputFormat::Json => json(&summary, Reveal::No),
        OutputFormat::Table => Ok(pairs(&[
            ("token_type", clean(summary.token_type)),
            ("expires_in", summary.expires_in.to_string()),
        ])),
    }
}

/// What an operation's command prints (`generated.rs` calls it for each): masked unless `reveal`
/// (`--reveal`), in the JSON too. The tables of the responses people read most (a link, its
/// accounts, its account numbers) have their own columns; any other response is a table of its
/// top-level properties, each value as compact JSON.
pub fn output<T: Serialize + 'static>(
    response: &T,
    reveal: bool,
    format: OutputFormat,
) -> Result<String, String> {
    let reveal = if reveal { Reveal::Yes } else { Reveal::No };
    if format == OutputFormat::Json {
        return json(response, reveal);
    }
    let any: &dyn Any = response;
    if let Some(link) = any.downcast_ref::<LinkCommon>() {
        Ok(link_table(link))
    } else if let Some(response) = any.downcast_ref::<GetAccountsResponse>() {
        Ok(accounts_table(&response.accounts))
    } else if let Some(response) = any.downcast_ref::<GetAccountNumbersResponseLegacy20230218>() {
        numbers_table(&response.accounts, reveal)
    } else {
        properties_table(response, reveal)
    }
}

/// `name  value` per top-level property; a value that is not text as compact JSON.
fn properties_table<T: Serialize>(response: &T, reveal: Reveal) -> Result<String, String> {
    let value =
        json_value(response, reveal).map_err(|e| format!("could not encode the output: {e}"))?;
    let Some(properties) = value.as_object() else {
        return Ok(format!("{}\n", clean(&value.to_string())));
    };
    let rows: Vec<(String, String)> = properties
        .iter()
        .map(|(name, value)| {
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Null => "-".to_owned(),
                other => other.to_string(),
            };
            (clean(name), clean(&text))
        })
        .collect();
    Ok(pairs(&rows))
}

/// Whether sensitive values are printed in full: only `--reveal` opts in.
#[derive(Clone, Copy)]
enum Reveal {
    Yes,
    No,
}

/// `value` as a JSON value, masked unless revealed.
fn json_value<T: Serialize>(value: &T, reveal: Reveal) -> serde_json::Result<serde_json::Value> {
    match reveal {
        Reveal::Yes => serde_json::to_value(RevealedSensitive(value)),
        Reveal::No => serde_json::to_value(value),
    }
}

fn json<T: Serialize>(value: &T, reveal: Reveal) -> Result<String, String> {
    match reveal {
        Reveal::Yes => serde_json::to_string_pretty(&RevealedSensitive(value)),
        Reveal::No => serde_json::to_string_pretty(value),
    }
    .map(|mut text| {
        text.push('\n');
        text
    })
    .map_err(|e| format!("could not encode the output as JSON: {e}"))
}

/// A value for a table cell: on one line, control characters (which could drive the terminal)
/// gone; `moneykit`'s one sanitizer, without a length limit.
fn clean(text: &str) -> String {
    one_line(text, usize::MAX)
}

fn or_dash(value: Option<String>) -> String {
    match value {
        Some(text) if !text.is_empty() => text,
        _ => "-".to_owned(),
    }
}

fn timestamp(value: Option<&Timestamp>) -> String {
    or_dash(value.map(|t| clean(&t.to_string())))
}

/// An amount as sent, padded to two decimals (`500` → `500.00`); never rounded.
fn amount(value: Option<&Amount>) -> String {
    match value.map(|a| a.decimal()) {
        Some(v) if v.scale() < 2 => format!("{v:.2}"),
        Some(v) => v.to_string(),
        None => "-".to_owned(),
    }
}

/// Two columns of `name  value` lines.
fn pairs<N: AsRef<str>>(rows: &[(N, String)]) -> String {
    let mut table = Table::new(&["", ""]);
    table.headers = None;
    for (name, value) in rows {
        table.row(vec![name.as_ref().to_owned(), value.clone()]);
    }
    table.render()
}

fn link_table(link: &LinkCommon) -> String {
    let institution = if link.institution_id.is_empty() {
        clean(&link.institution_name)
    } else {
        format!(
            "{} ({})",
            clean(&link.institution_name),
            clean(&link.institution_id)
        )
    };
    let mut out = pairs(&[
        ("link_id", clean(&link.link_id)),
        ("institution", institution),
        (
            "provider",
            or_dash(link.provider.as_ref().map(|p| clean(p.as_str()))),
        ),
        ("state", clean(link.state.as_str())),
        (
            "error_code",
            or_dash(link.error_code.clone().flatten().map(|e| clean(e.as_str()))),
        ),
    ]);
    out.push('\n');
    let mut rows = link.products.iter().peekable();
    if rows.peek().is_none() {
        out.push_str("no products\n");
        return out;
    }
    let mut table = Table::new(&["PRODUCT", "REFRESHED_AT", "LAST_ATTEMPTED_AT", "ERROR"]);
    for (product, state) in rows {
        table.row(vec![
            clean(product.as_str()),
            timestamp(state.refreshed_at()),
            timestamp(state.last_attempted_at()),
            product_error(state),
        ]);
    }
    out.push_str(&table.render());
    out
}

/// A product's error column: its code and message, and why it is unavailable.
fn product_error(state: &dyn ProductState) -> String {
    let mut parts = Vec::new();
    match (state.error_code(), state.error_message()) {
        (Some(code), Some(message)) => parts.push(format!("{}: {}", code.as_str(), message)),
        (Some(code), None) => parts.push(code.as_str().to_owned()),
        (None, Some(message)) => parts.push(message.to_owned()),
        (None, None) => {}
    }
    if let Some(why) = state.unavailable() {
        parts.push(format!("unavailable: {why}"));
    }
    or_dash(Some(clean(&parts.join("; "))))
}

fn accounts_table(accounts: &[AccountResponse]) -> String {
    if accounts.is_empty() {
        return "no accounts\n".to_owned();
    }
    let mut table = Table::new(&[
        "ACCOUNT_ID",
        "NAME",
        "TYPE",
        "MASK",
        "CURRENCY",
        "AVAILABLE",
        "CURRENT",
        "CLOSED",
    ]);
    table.right_aligned = vec![5, 6];
    for account in accounts {
        let balances = &account.balances;
        table.row(vec![
            clean(&account.account_id),
            clean(&account.name),
            clean(&account.account_type),
            or_dash(account.account_mask.clone().flatten().as_deref().map(clean)),
            or_dash(balances.currency.clone().flatten().as_deref().map(clean)),
            amount(balances.available()),
            amount(balances.current()),
            match account.closed.flatten() {
                Some(true) => "yes",
                Some(false) => "no",
                None => "-",
            }
            .to_owned(),
        ]);
    }
    table.render()
}

/// One row per number set: its kind (the property of `numbers` it came from) and its fields in
/// the order the generated type serializes them, masked unless the caller revealed them.
fn numbers_table(
    accounts: &[AccountWithAccountNumbersLegacy20230218],
    reveal: Reveal,
) -> Result<String, String> {
    if accounts.is_empty() {
        return Ok("no accounts\n".to_owned());
    }
    let mut table = Table::new(&["ACCOUNT_ID", "NAME", "KIND", "NUMBERS"]);
    for account in accounts {
        let id = clean(&account.account_id);
        let name = clean(&account.name);
        let kinds = json_value(&account.numbers, reveal)
            .map_err(|e| format!("could not encode the numbers: {e}"))?;
        let mut rows = 0;
        for (kind, sets) in kinds.as_object().into_iter().flatten() {
            for set in sets.as_array().into_iter().flatten() {
                table.row(vec![
                    id.clone(),
                    name.clone(),
                    clean(kind),
                    number_fields(set),
                ]);
                rows += 1;
            }
        }
        if rows == 0 {
            table.row(vec![id, name, "-".into(), "no numbers".into()]);
        }
    }
    Ok(table.render())
}

/// `account_number ••••8062, routing_number ••••2333`: the set's non-null fields.
fn number_fields(set: &serde_json::Value) -> String {
    let fields: Vec<String> = set
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, value)| !value.is_null())
        .map(|(field, value)| match value.as_str() {
            Some(text) => format!("{field} {text}"),
            None => format!("{field} {value}"),
        })
        .collect();
    clean(&fields.join(", "))
}

/// Columns padded to their widest cell, two spaces apart. Widths are terminal columns
/// (`UnicodeWidthStr::width`), not `char`s: a CJK character or an emoji takes two.
struct Table {
    headers: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    right_aligned: Vec<usize>,
}

impl Table {
    fn new(headers: &[&str]) -> Self {
        Table {
            headers: Some(headers.iter().map(|h| (*h).to_owned()).collect()),
            rows: Vec::new(),
            right_aligned: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self) -> String {
        let all: Vec<&Vec<String>> = self.headers.iter().chain(self.rows.iter()).collect();
        let columns = all.iter().map(|row| row.len()).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &all {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = String::new();
        for row in all {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = widths[i].saturating_sub(cell.width());
                if self.right_aligned.contains(&i) {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_masked_numbers() {
        let mut table = Table::new(&["A", "NUMBER", "N"]);
        table.right_aligned = vec![2];
        table.row(vec!["x".into(), "••••8062".into(), "1.00".into()]);
        table.row(vec!["long".into(), "-".into(), "10.50".into()]);
        assert_eq!(
            table.render(),
            "A     NUMBER        N\nx     ••••8062   1.00\nlong  -         10.50\n"
        );
    }

    #[test]
    fn tables_align_cjk_and_emoji_names() {
        // A CJK character or an emoji takes two terminal columns: padded by `char` count, the
        // columns after these names started one column left per such character.
        let mut table = Table::new(&["NAME", "MASK", "CURRENT"]);
        table.right_aligned = vec![2];
        table.row(vec![
            "東京銀行 普通預金".into(),
            "1234".into(),
            "1.00".into(),
        ]);
        table.row(vec!["💳 Card".into(), "5678".into(), "10.50".into()]);
        table.row(vec!["Checking".into(), "-".into(), "-".into()]);
        let expected = [
            "NAME               MASK  CURRENT",
            "東京銀行 普通預金  1234     1.00",
            "💳 Card            5678    10.50",
            "Checking           -           -",
        ];
        assert_eq!(
            table.render(),
            expected.map(|line| format!("{line}\n")).concat()
        );
        // The same through `pairs`: a wide name in the first column pushes every value right.
        let pairs = pairs(&[("機関", "みずほ銀行".into()), ("state", "connected".into())]);
        assert_eq!(pairs, "機関   みずほ銀行\nstate  connected\n");
    }

    #[test]
    fn amounts_and_cells() {
        let shown = |text: &str| amount(Some(&text.parse().unwrap()));
        assert_eq!(shown("12.5"), "12.50");
        assert_eq!(shown("-3"), "-3.00");
        assert_eq!(shown("0.125"), "0.125");
        assert_eq!(shown("0.30000000000000004"), "0.30000000000000004");
        assert_eq!(amount(None), "-");
        assert_eq!(clean("a\u{1b}[2Jb\n"), "a [2Jb");
    }

    #[test]
    fn a_response_without_its_own_table_is_a_table_of_its_properties_masked() {
        // The token response stands for any response the renderer has no columns for.
        let response = CreateAccessTokenResponse {
            access_token: "tok_secret_value_123".into(),
            expires_in: 3600,
            token_type: "bearer".into(),
        };
        let masked = output(&response, false, OutputFormat::Table).unwrap();
        assert!(masked.contains("expires_in    3600\n"), "{masked}");
        assert!(masked.contains("token_type    bearer\n"), "{masked}");
        assert!(!masked.contains("tok_"), "{masked}");
        // A property's name reaches the terminal too: control characters go.
        let keyed = std::collections::BTreeMap::from([("a\u{1b}[2J".to_owned(), "v".to_owned())]);
        let table = output(&keyed, false, OutputFormat::Table).unwrap();
        assert_eq!(table, "a [2J  v\n");
        // `--reveal` is for account numbers: a token stays masked even then.
        let revealed = output(&response, true, OutputFormat::Table).unwrap();
        assert!(revealed.contains("access_token  ••••\n"), "{revealed}");
    }

    #[test]
    fn token_output_never_has_the_token() {
        let response = CreateAccessTokenResponse {
            access_token: "tok_secret_value_123".into(),
            expires_in: 3600,
            token_type: "bearer".into(),
        };
        let json = token(&response, OutputFormat::Json).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            serde_json::json!({"token_type": "bearer", "expires_in": 3600})
        );
        let table = token(&response, OutputFormat::Table).unwrap();
        assert_eq!(table, "token_type  bearer\nexpires_in  3600\n");
        assert!(!json.contains("tok_") && !table.contains("tok_"));
    }
}
