//! The types of every `x-moneykit-sensitive` property: [`Sensitive`] for full account,
//! routing, sort-code and IBAN numbers (`x-moneykit-sensitive: true`), whose last four
//! characters help a person tell accounts apart; [`Secret`] for access tokens and client
//! secrets (`x-moneykit-sensitive: secret`), of which nothing is shown.

use std::cell::Cell;
use std::fmt;
use std::thread::LocalKey;

/// What `Debug`, `Display` and serialization show of a [`Secret`], and how every mask starts.
const MASK: &str = "••••";

/// A string that must not reach a log or a file by accident. `Debug`, `Display` and
/// serialization show at most its last four characters (none for values shorter than eight),
/// e.g. `••••8062`; [`Sensitive::reveal`] reads it, and [`Revealed`] serializes it in full.
///
/// A masked copy ([`Redact::redacted`](crate::Redact::redacted), or a mask read back from
/// masked output) stays recognisable: [`Sensitive::is_masked`] says so and `reveal` has nothing
/// to give, so a mask is never mistaken for the number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sensitive(Held);

/// A credential that must not reach a log or a file by accident: an access token or a client
/// secret. `Debug`, `Display` and serialization show `••••` and nothing of the value (unlike
/// [`Sensitive`], whose last four characters tell accounts apart, and would only shorten a
/// guess here); [`Secret::reveal`] reads it, and [`Revealed`] serializes it in full.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Held);

/// The value, or only its mask: a mask carries no value to reveal.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Held {
    Value(String),
    Masked(String),
}

impl Held {
    /// A text that is itself a mask (`••••` and at most four more characters; no account
    /// number or credential starts with `•`) is held as one, so output read back stays masked.
    fn new(text: String) -> Self {
        match text.strip_prefix(MASK) {
            Some(rest) if rest.chars().count() <= 4 => Held::Masked(text),
            _ => Held::Value(text),
        }
    }

    fn value(&self) -> Option<&str> {
        match self {
            Held::Value(value) => Some(value),
            Held::Masked(_) => None,
        }
    }

    /// What `Serialize` writes: the value only when `revealed` (inside [`Revealed`], or for a
    /// [`Sensitive`] inside [`RevealedSensitive`]).
    fn serialize<S: serde::Serializer>(
        &self,
        revealed: bool,
        masked: impl FnOnce() -> String,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match self {
            Held::Value(value) if revealed => serializer.serialize_str(value),
            Held::Value(_) => serializer.serialize_str(&masked()),
            Held::Masked(mask) => serializer.serialize_str(mask),
        }
    }
}

impl Sensitive {
    /// The full value, or `None` for a masked copy. Every call site is a place where the value
    /// can leak: keep them few.
    pub fn reveal(&self) -> Option<&str> {
        self.0.value()
    }

    /// Whether this is a masked copy, which has no value to reveal.
    pub fn is_masked(&self) -> bool {
        matches!(self.0, Held::Masked(_))
    }

    /// The masked form shown and serialized, e.g. `••••6789`.
    pub fn masked(&self) -> String {
        let text = match &self.0 {
            Held::Value(value) => value,
            Held::Masked(mask) => return mask.clone(),
        };
        let chars = text.chars().count();
        if chars < 8 {
            return MASK.to_owned();
        }
        let last_four: String = text.chars().skip(chars - 4).collect();
        format!("{MASK}{last_four}")
    }
}

impl Secret {
    /// What `Debug`, `Display` and serialization show instead of the value.
    pub const MASK: &'static str = MASK;

    /// The full value, or `None` for a masked copy. Every call site is a place where the value
    /// can leak: keep them few.
    pub fn reveal(&self) -> Option<&str> {
        self.0.value()
    }

    /// Whether this is a masked copy, which has no value to reveal.
    pub fn is_masked(&self) -> bool {
        matches!(self.0, Held::Masked(_))
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Sensitive(Held::new(value))
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Sensitive(Held::new(value.to_owned()))
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(Held::new(value))
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(Held::new(value.to_owned()))
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Sensitive").field(&self.masked()).finish()
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&MASK).finish()
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl serde::Serialize for Sensitive {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let revealed = revealing(&REVEALING) || revealing(&REVEALING_SENSITIVE);
        self.0.serialize(revealed, || self.masked(), serializer)
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0
            .serialize(revealing(&REVEALING), || MASK.to_owned(), serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Sensitive {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextOnly).map(Sensitive)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextOnly).map(Secret)
    }
}

/// Reads a sensitive value's string. serde's own error for a value of another type quotes it
/// (``invalid type: integer `235905558062` ``), which would put an account number sent as a JSON
/// number into an error message; this one names only the kind of value. (Asked for through
/// `deserialize_any`: serde_json's `deserialize_string` writes that error itself.)
struct TextOnly;

impl serde::de::Visitor<'_> for TextOnly {
    type Value = Held;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Held, E> {
        Ok(Held::new(text.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Held, E> {
        Ok(Held::new(text))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Held, E> {
        Err(not_shown("a boolean"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Held, E> {
        Err(not_shown("a number"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Held, E> {
        Err(not_shown("a number"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Held, E> {
        Err(not_shown("a number"))
    }

    fn visit_char<E: serde::de::Error>(self, _: char) -> Result<Held, E> {
        Err(not_shown("a character"))
    }
}

/// The error for a JSON value that is not a string, naming its type but never its value: a
/// number sent where a masked string was expected may be an account number.
fn not_shown<E: serde::de::Error>(what: &str) -> E {
    E::custom(format_args!(
        "invalid type: {what} (not shown), expected a string"
    ))
}

/// The explicit opt-in to serialize sensitive values in full: `Revealed(&value)` serializes
/// `value` with every [`Sensitive`] and [`Secret`] in it written out, where serializing `value`
/// itself writes their masks. What is sent to MoneyKit goes through it (the generated client
/// wraps every request body), as do a sandbox's responses and a CLI's `--reveal`.
///
/// ```
/// use moneykit_api::{Revealed, Sensitive};
///
/// let number = vec![Sensitive::from("235905558062")];
/// assert_eq!(serde_json::to_string(&number).unwrap(), r#"["••••8062"]"#);
/// assert_eq!(serde_json::to_string(&Revealed(&number)).unwrap(), r#"["235905558062"]"#);
/// ```
///
/// The opt-in lasts exactly as long as this value's `serialize` call, on its thread (a
/// `Serialize` implementation cannot await, so it cannot reach another task's output). Anything
/// else serialized on that thread during that call is revealed too, such as a value a custom
/// `Serialize` impl inside it logs as JSON.
#[derive(Clone, Copy, Debug)]
pub struct Revealed<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> serde::Serialize for Revealed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let _revealing = RevealingScope::enter(&REVEALING);
        self.0.serialize(serializer)
    }
}

/// [`Revealed`] for output meant for people: every [`Sensitive`] in `value` written out, every
/// [`Secret`] still masked. An account number is what a person asks to see (a CLI's
/// `--reveal`); a credential has no reader on a screen.
///
/// ```
/// use moneykit_api::{RevealedSensitive, Secret, Sensitive};
///
/// let pair = (Sensitive::from("235905558062"), Secret::from("tok_123456789"));
/// assert_eq!(
///     serde_json::to_string(&RevealedSensitive(&pair)).unwrap(),
///     r#"["235905558062","••••"]"#
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RevealedSensitive<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> serde::Serialize for RevealedSensitive<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let _revealing = RevealingScope::enter(&REVEALING_SENSITIVE);
        self.0.serialize(serializer)
    }
}

thread_local! {
    /// How many [`Revealed`] serializations are running on this thread (they may nest).
    static REVEALING: Cell<u32> = const { Cell::new(0) };
    /// How many [`RevealedSensitive`] serializations are running on this thread.
    static REVEALING_SENSITIVE: Cell<u32> = const { Cell::new(0) };
}

fn revealing(depth: &'static LocalKey<Cell<u32>>) -> bool {
    depth.with(|depth| depth.get() > 0)
}

/// Counts one running serialization of [`Revealed`] or [`RevealedSensitive`] (its `depth`);
/// the count drops even if serializing panics.
struct RevealingScope(&'static LocalKey<Cell<u32>>);

impl RevealingScope {
    fn enter(depth: &'static LocalKey<Cell<u32>>) -> Self {
        depth.with(|depth| depth.set(depth.get().saturating_add(1)));
        RevealingScope(depth)
    }
}

impl Drop for RevealingScope {
    fn drop(&mut self) {
        self.0
            .with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

// Only the drift and decode tests read the schema (feature `schemars`).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Secret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Sent in full; nothing of it is shown in Debug, Display or serialization (unless through Revealed)."
        })
    }
}

// Only the drift and decode tests read the schema (feature `schemars`).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Sensitive {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Sensitive".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Sent in full; masked to the last four characters in Debug, Display and serialization (unless through Revealed)."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_display_and_serialization_show_only_the_last_four() {
        let number = Sensitive::from("235905558062");
        assert_eq!(format!("{number}"), "••••8062");
        assert_eq!(format!("{number:?}"), "Sensitive(\"••••8062\")");
        assert_eq!(format!("{number:#?}"), "Sensitive(\n    \"••••8062\",\n)");
        assert_eq!(serde_json::to_string(&number).unwrap(), "\"••••8062\"");
        assert_eq!(number.reveal(), Some("235905558062"));
    }

    #[test]
    fn short_values_show_nothing() {
        assert_eq!(Sensitive::from("123456").to_string(), "••••");
        assert_eq!(
            serde_json::to_string(&Sensitive::from("1")).unwrap(),
            "\"••••\""
        );
    }

    #[test]
    fn tokens_show_nothing_of_their_value() {
        let token = Secret::from("at_TopSecretToken_52ea3d1b");
        assert_eq!(format!("{token}"), "••••");
        assert_eq!(format!("{token:?}"), "Secret(\"••••\")");
        assert_eq!(format!("{token:#?}"), "Secret(\n    \"••••\",\n)");
        assert_eq!(token.reveal(), Some("at_TopSecretToken_52ea3d1b"));
        assert_eq!(serde_json::to_string(&token).unwrap(), "\"••••\"");
        assert_eq!(
            serde_json::to_string(&Revealed(&token)).unwrap(),
            "\"at_TopSecretToken_52ea3d1b\""
        );
    }

    #[test]
    fn revealed_serializes_in_full_only_while_it_runs() {
        let numbers = (
            Sensitive::from("GB29NWBK60161331926819"),
            Some(Secret::from("s3cr3t")),
        );
        let full = serde_json::to_string(&Revealed(&numbers)).unwrap();
        assert_eq!(full, r#"["GB29NWBK60161331926819","s3cr3t"]"#);
        // Nested opt-ins end where they began; afterwards the default is masked again.
        let nested = serde_json::to_string(&Revealed(&Revealed(&numbers))).unwrap();
        assert_eq!(nested, full);
        assert_eq!(
            serde_json::to_string(&numbers).unwrap(),
            r#"["••••6819","••••"]"#
        );
    }

    #[test]
    fn a_value_of_another_type_is_refused_without_being_quoted() {
        for json in ["235905558062", "-235905558062", "2359055580.62", "true"] {
            let number = serde_json::from_str::<Sensitive>(json)
                .unwrap_err()
                .to_string();
            let token = serde_json::from_str::<Secret>(json)
                .unwrap_err()
                .to_string();
            for message in [number, token] {
                assert!(message.contains("expected a string"), "{message}");
                assert!(!message.contains(json), "{json} quoted in: {message}");
            }
        }
    }

    #[test]
    fn a_masked_copy_is_told_apart_and_reveals_nothing() {
        let number = Sensitive::from("235905558062");
        let masked = crate::Redact::redacted(&number);
        assert!(masked.is_masked() && !number.is_masked());
        assert_eq!(masked.reveal(), None);
        assert_ne!(masked, number);
        // Masked output read back is a masked value, and serializes as the same mask.
        let read: Sensitive = serde_json::from_str("\"••••8062\"").unwrap();
        assert_eq!(read, masked);
        assert_eq!(
            serde_json::to_string(&Revealed(&read)).unwrap(),
            "\"••••8062\""
        );
        let token: Secret = serde_json::from_str("\"••••\"").unwrap();
        assert!(token.is_masked());
        assert_eq!(token, crate::Redact::redacted(&Secret::from("s3cr3t")));
        assert_eq!(token.reveal(), None);
        // A real value that merely contains the character is a value.
        assert!(!Sensitive::from("12•••••3456789").is_masked());
    }
}
