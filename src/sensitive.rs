//! The types of every `x-moneykit-sensitive` property: [`Sensitive`] for full account,
//! routing, sort-code and IBAN numbers (`x-moneykit-sensitive: true`), whose last four
//! characters help a person tell accounts apart; [`Secret`] for access tokens and client
//! secrets (`x-moneykit-sensitive: secret`), of which nothing is shown.

use std::fmt;

/// A string that must not reach a log. `Debug` and `Display` show at most its last four
/// characters (none for values shorter than eight); [`Sensitive::reveal`] is the explicit way
/// to read it. It serializes in full, because that is what the wire carries.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// The full value. Every call site is a place where the value can leak: keep them few.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// The masked form `Debug` and `Display` print, e.g. `••••6789`.
    pub fn masked(&self) -> String {
        let chars = self.0.chars().count();
        if chars < 8 {
            return "••••".to_owned();
        }
        let last_four: String = self.0.chars().skip(chars - 4).collect();
        format!("••••{last_four}")
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Sensitive(value)
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Sensitive(value.to_owned())
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

/// A credential that must not reach a log: an access token or a client secret. `Debug` and
/// `Display` show `••••` and nothing of the value (unlike [`Sensitive`], whose last four
/// characters tell accounts apart, and would only shorten a guess here); [`Secret::reveal`] is
/// the explicit way to read it. It serializes in full, because that is what the wire carries.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// What `Debug` and `Display` print instead of the value.
    pub const MASK: &'static str = "••••";

    /// The full value. Every call site is a place where the value can leak: keep them few.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&Self::MASK).finish()
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
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
            "description": "Sent in full; nothing of it is shown in Debug and Display."
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
            "description": "Sent in full; masked to the last four characters in Debug and Display."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_show_only_the_last_four() {
        let number = Sensitive::from("235905558062");
        assert_eq!(format!("{number}"), "••••8062");
        assert_eq!(format!("{number:?}"), "Sensitive(\"••••8062\")");
        assert_eq!(format!("{number:#?}"), "Sensitive(\n    \"••••8062\",\n)");
        assert_eq!(number.reveal(), "235905558062");
    }

    #[test]
    fn short_values_show_nothing() {
        assert_eq!(Sensitive::from("123456").to_string(), "••••");
    }

    #[test]
    fn tokens_show_nothing_of_their_value() {
        let token = Secret::from("at_TopSecretToken_52ea3d1b");
        assert_eq!(format!("{token}"), "••••");
        assert_eq!(format!("{token:?}"), "Secret(\"••••\")");
        assert_eq!(format!("{token:#?}"), "Secret(\n    \"••••\",\n)");
        assert_eq!(token.reveal(), "at_TopSecretToken_52ea3d1b");
        assert_eq!(
            serde_json::to_string(&token).unwrap(),
            "\"at_TopSecretToken_52ea3d1b\""
        );
    }

    #[test]
    fn serializes_in_full() {
        let json = serde_json::to_string(&Sensitive::from("GB29NWBK60161331926819")).unwrap();
        assert_eq!(json, "\"GB29NWBK60161331926819\"");
    }
}
