//! [`Amount`]: the type of every `x-moneykit-amount` number in `openapi.yaml` (balances,
//! limits, and every money field the API adds).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::value::RawValue;

/// A money amount, exactly as MoneyKit sent it: `0.1 + 0.2` is `0.3`.
///
/// It decodes from the JSON number's own text (never through a binary `f64`) into a
/// [`rust_decimal::Decimal`], keeping its scale, so it serializes back as the same text
/// (`500`, `445.89`, `1.10`; an exponent form such as `1e3` comes back as `1000`). A number
/// that a `Decimal` cannot hold exactly (more than 28 significant digits, or beyond about
/// ±7.9 × 10²⁸) is a decoding error, never a rounded value.
///
/// The text is read and written through serde_json's `RawValue` mechanism (its `raw_value`
/// feature, which changes nothing for other crates), not `arbitrary_precision`, which would
/// change how every crate in the build parses numbers. Where serde buffers a value first
/// (`#[serde(flatten)]`, untagged enums) the number arrives as an `f64` and is read as its
/// shortest text: exact for every amount an `f64` holds (up to 15 significant digits). To store
/// amounts in a format other than JSON, convert to [`Decimal`] and use its own serde support.
///
/// ```
/// use moneykit_api::{Amount, rust_decimal::Decimal};
///
/// let amounts: Vec<Amount> = serde_json::from_str("[0.1, 0.2]").unwrap();
/// let sum: Decimal = amounts.iter().map(|a| a.decimal()).sum();
/// assert_eq!(sum.to_string(), "0.3");
/// assert_eq!(serde_json::to_string(&amounts).unwrap(), "[0.1,0.2]");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(Decimal);

impl Amount {
    /// The amount as a decimal, to compute with.
    pub fn decimal(self) -> Decimal {
        self.0
    }
}

impl From<Decimal> for Amount {
    fn from(value: Decimal) -> Self {
        Amount(value)
    }
}

impl From<Amount> for Decimal {
    fn from(value: Amount) -> Self {
        value.0
    }
}

impl From<i64> for Amount {
    fn from(value: i64) -> Self {
        Amount(Decimal::from(value))
    }
}

/// The text was not a JSON number that a [`Decimal`] holds exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmountParseError(String);

impl fmt::Display for AmountParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Quoted with escapes: the text came from a server and may hold a line break.
        write!(
            f,
            "{:?} is not an amount: a JSON number of at most 28 significant digits",
            self.0
        )
    }
}

impl std::error::Error for AmountParseError {}

impl FromStr for Amount {
    type Err = AmountParseError;

    /// Parses a JSON number (`-12`, `445.89`, `1.5e2`), refusing one it would have to round.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(short) = short_plain(text) {
            return Ok(Amount(short));
        }
        let refused = || AmountParseError(text.chars().take(64).collect());
        if !is_json_number(text) {
            return Err(refused());
        }
        // `Decimal::from_scientific` rounds and can overflow while scaling, so an exponent
        // is spelt out as plain digits first and parsed like any other text.
        let plain = match text.find(['e', 'E']) {
            Some(at) => Cow::Owned(spelt_out(&text[..at], &text[at + 1..]).ok_or_else(refused)?),
            None => Cow::Borrowed(text),
        };
        Decimal::from_str_exact(&plain)
            .map(Amount)
            .map_err(|_| refused())
    }
}

/// Most digits a mantissa read by [`short_plain`] may have: any 18 fit a `u64` (and a `Decimal`).
const SHORT_DIGITS: u32 = 18;

/// Nearly every amount (`-1234.56`): no exponent and at most 18 digits, read in one pass, by
/// JSON's grammar, straight into a mantissa and a scale. This keeps decoding an amount about as
/// cheap as decoding the `f64` it replaced (`BENCHMARKS.md`); anything else is `None` and takes
/// the general path, which also refuses what is not a JSON number.
fn short_plain(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    // JSON: the integer part is `0` or does not start with `0`.
    if let [b'0', b'0'..=b'9', ..] = digits {
        return None;
    }
    let (mut mantissa, mut count, mut scale) = (0u64, 0u32, None::<u32>);
    for &byte in digits {
        match byte {
            b'0'..=b'9' if count < SHORT_DIGITS => {
                mantissa = mantissa * 10 + u64::from(byte - b'0');
                count += 1;
                scale = scale.map(|s| s + 1);
            }
            b'.' if scale.is_none() && count > 0 => scale = Some(0),
            _ => return None,
        }
    }
    if count == 0 || scale == Some(0) {
        return None;
    }
    let mut decimal =
        Decimal::try_from_i128_with_scale(i128::from(mantissa), scale.unwrap_or(0)).ok()?;
    decimal.set_sign_negative(negative);
    Some(decimal)
}

/// The largest power of ten (either way) spelt out: no amount needs more, and a larger one would
/// spell out a huge string; such a text is refused.
const LARGEST_EXPONENT: u64 = 64;

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. `Decimal`'s own
/// parser is more lenient (`_`, a leading `+` or `.`), and an amount that JSON could not carry
/// must not be accepted from other text either.
fn is_json_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let integer_ok = digits(integer) && (integer == "0" || !integer.starts_with('0'));
    let fraction_ok = fraction.is_none_or(digits);
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    integer_ok && fraction_ok && exponent_ok
}

/// `mantissa × 10^exponent` as plain decimal text (`1.5`, `2` → `150`); `None` when the
/// exponent is too large for any exact decimal. The input passed `is_json_number`.
fn spelt_out(mantissa: &str, exponent: &str) -> Option<String> {
    let exponent: i64 = exponent.parse().ok()?;
    let (sign, unsigned) = match mantissa.strip_prefix('-') {
        Some(unsigned) => ("-", unsigned),
        None => ("", mantissa),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{integer}{fraction}");
    if digits.bytes().all(|b| b == b'0') {
        return Some("0".to_owned());
    }
    // `unsigned_abs`: `i64::MIN` has no `abs`.
    if exponent.unsigned_abs() > LARGEST_EXPONENT {
        return None;
    }
    let point = integer.len() as i64 + exponent;
    let zeros = |n: i64| "0".repeat(n.max(0) as usize);
    Some(if point <= 0 {
        format!("{sign}0.{}{digits}", zeros(-point))
    } else if point as usize >= digits.len() {
        format!("{sign}{digits}{}", zeros(point - digits.len() as i64))
    } else {
        let (whole, part) = digits.split_at(point as usize);
        format!("{sign}{whole}.{part}")
    })
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.0)
    }
}

impl serde::Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawValue::from_string(self.0.to_string())
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// The name under which serde_json hands a value over as its JSON text (its `RawValue`
/// mechanism, `raw_value` feature): asked for a newtype struct of this name, it calls
/// `visit_map` with one entry whose value is the text. Any other deserializer (and serde_json
/// itself, should the name ever change) calls `visit_newtype_struct`, and the number is read as
/// a number: still exact for every amount an `f64` holds, which the tests would notice.
const JSON_TEXT: &str = "$serde_json::private::RawValue";

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(JSON_TEXT, AmountVisitor)
    }
}

struct AmountVisitor;

impl<'de> serde::de::Visitor<'de> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON number")
    }

    /// serde_json: the number's own text, under `JSON_TEXT`. Any other map (a buffered object
    /// where an amount belongs) is not a number.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Amount, A::Error> {
        match map.next_key_seed(JsonTextKey)? {
            Some(true) => map.next_value_seed(NumberText),
            _ => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Map,
                &self,
            )),
        }
    }

    /// A value serde buffered first (inside `#[serde(flatten)]` or an untagged enum), or another
    /// format: the number itself.
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Amount, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(value)))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(value)))
    }

    /// The shortest text that reads back as `value` (what the JSON said, for any amount an
    /// `f64` can hold).
    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Amount, E> {
        value.to_string().parse().map_err(E::custom)
    }
}

/// Whether a map's key is serde_json's `JSON_TEXT`, compared where it lies (no copy).
struct JsonTextKey;

impl<'de> serde::de::DeserializeSeed<'de> for JsonTextKey {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for JsonTextKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("serde_json's raw value key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == JSON_TEXT)
    }
}

/// The text serde_json hands over, parsed where it lies (no copy).
struct NumberText;

impl<'de> serde::de::DeserializeSeed<'de> for NumberText {
    type Value = Amount;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Amount, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for NumberText {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the text of a JSON number")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Amount, E> {
        text.parse().map_err(E::custom)
    }
}

// Only the drift and decode tests read the schema (feature `schemars`).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Amount {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Amount".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "description": "Decoded exactly from the number's text into a decimal."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<String, AmountParseError> {
        text.parse::<Amount>().map(|a| a.to_string())
    }

    #[test]
    fn json_numbers_decode_exactly_and_keep_their_scale() {
        let rows = [
            ("0", "0"),
            ("-12", "-12"),
            ("445.89", "445.89"),
            ("1.10", "1.10"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("1e3", "1000"),
            ("1.5E+2", "150"),
            ("25e-2", "0.25"),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
        ];
        for (text, shown) in rows {
            assert_eq!(parsed(text).as_deref(), Ok(shown), "{text}");
        }
    }

    #[test]
    fn what_a_decimal_cannot_hold_exactly_or_json_cannot_carry_is_refused() {
        for text in [
            "79228162514264337593543950336",
            "0.12345678901234567890123456789",
            "1e40",
            "1.00000000000000000000000000001e1",
            "",
            "-",
            "+1",
            ".5",
            "5.",
            "01",
            "1_000",
            "1e-9223372036854775808",
            "1e9223372036854775807",
            "1e99999999999999999999",
            "1e65",
            "00.5",
            "-01",
            "1.2.3",
            "1..2",
            "- 1",
            "1e",
            "NaN",
            "\"1\"",
        ] {
            assert!(parsed(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn serde_round_trip_is_the_same_text() {
        let text = r#"[500,445.89,-0.01,1.10,123456789012345678.12]"#;
        let amounts: Vec<Amount> = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&amounts).unwrap(), text);
        let error = serde_json::from_str::<Amount>("\"12\"").unwrap_err();
        assert!(error.to_string().contains("is not an amount"), "{error}");
        // A server's line break stays escaped in the message.
        let error = serde_json::from_str::<Amount>("[1,\n\"forged\"]").unwrap_err();
        assert!(!error.to_string().contains('\n'), "{error}");
    }

    #[test]
    fn inside_flatten_and_untagged_enums_amounts_still_decode() {
        #[derive(serde::Deserialize)]
        struct Outer {
            #[serde(flatten)]
            inner: Inner,
        }
        #[derive(serde::Deserialize)]
        struct Inner {
            amount: Amount,
            count: Amount,
        }
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            Amount(Amount),
        }
        let outer: Outer = serde_json::from_str(r#"{"amount": 445.89, "count": -3}"#).unwrap();
        assert_eq!(outer.inner.amount.to_string(), "445.89");
        assert_eq!(outer.inner.count.to_string(), "-3");
        let Either::Amount(amount) = serde_json::from_str("0.1").unwrap();
        assert_eq!(amount.to_string(), "0.1");
        // An object where an amount belongs is not one, buffered or not.
        let object = r#"{"amount": {"x": "1.5"}, "count": 1}"#;
        assert!(serde_json::from_str::<Outer>(object).is_err());
        assert!(serde_json::from_str::<Inner>(object).is_err());
        // Through `serde_json::Value` too (its numbers are `f64`).
        let value = serde_json::json!({"amount": 1.25, "count": 7});
        let inner: Inner = serde_json::from_value(value).unwrap();
        assert_eq!(
            (inner.amount.to_string(), inner.count.to_string()),
            ("1.25".into(), "7".into())
        );
    }

    proptest::proptest! {
        #[test]
        fn the_one_pass_reading_agrees_with_rust_decimals_parser(
            mantissa in -999_999_999_999_999_999i64..=999_999_999_999_999_999,
            scale in 0u32..=18,
        ) {
            let text = Decimal::new(mantissa, scale).to_string();
            let with_scale = |d: Decimal| (d, d.scale(), d.is_sign_negative());
            let expected = Decimal::from_str_exact(&text).ok().map(with_scale);
            if let Some(short) = short_plain(&text) {
                proptest::prop_assert_eq!(Some(with_scale(short)), expected);
            }
            let parsed = text.parse::<Amount>().ok().map(|a| with_scale(a.decimal()));
            proptest::prop_assert_eq!(parsed, expected);
        }
    }

    #[test]
    fn sums_are_exact() {
        let amounts: Vec<Amount> = serde_json::from_str("[0.1, 0.2]").unwrap();
        let sum: Decimal = amounts.iter().map(|a| a.decimal()).sum();
        assert_eq!(sum, "0.3".parse::<Decimal>().unwrap());
    }
}
