//! The one hand-written type the generated code uses: every `format: date-time` in
//! `openapi.yaml` decodes into [`Timestamp`].

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};

/// A MoneyKit timestamp in whichever form the API sent it.
///
/// `chrono::DateTime<Utc>` rejects the naive timestamps of MoneyKit's own examples
/// (`2023-02-16T09:14:11`) and the bare dates `balance_date` may carry, so this type accepts
/// RFC 3339 with `Z` or a numeric offset, the same without any offset (read as UTC), either with
/// fractional seconds, and a bare date (read as midnight UTC). It serializes back in the form it
/// was read in; equality, ordering and hashing follow the instant ([`Timestamp::to_utc`]).
#[derive(Clone, Copy, Debug)]
pub enum Timestamp {
    /// Had an offset (`Z`, `+00:00`, `-05:00`).
    Offset(DateTime<FixedOffset>),
    /// Had no offset; MoneyKit means UTC.
    Naive(NaiveDateTime),
    /// Had no time of day.
    Date(NaiveDate),
}

/// The text was not a timestamp in any of the forms [`Timestamp`] accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampParseError(String);

impl fmt::Display for TimestampParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an RFC 3339 timestamp, a timestamp without offset, or a date",
            self.0
        )
    }
}

impl std::error::Error for TimestampParseError {}

impl Timestamp {
    /// The instant this timestamp names, reading a missing offset as UTC and a bare date as
    /// midnight UTC.
    pub fn to_utc(&self) -> DateTime<Utc> {
        match self {
            Timestamp::Offset(t) => t.with_timezone(&Utc),
            Timestamp::Naive(t) => t.and_utc(),
            Timestamp::Date(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
        }
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Timestamp::Offset(value.fixed_offset())
    }
}

impl FromStr for Timestamp {
    type Err = TimestampParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(t) = whole_seconds_utc(text) {
            return Ok(Timestamp::Offset(t));
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(Timestamp::Offset(t));
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
            return Ok(Timestamp::Naive(t));
        }
        if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Timestamp::Date(d));
        }
        Err(TimestampParseError(text.chars().take(64).collect()))
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form MoneyKit sends nearly every timestamp in, read without
/// chrono's general parser: that parser was a fifth of the client's cost over plain reqwest per
/// decoded response (11 timestamps in a link's accounts). chrono still checks the date and time
/// (`from_ymd_opt`, `from_hms_opt`); anything else, a leap second included, gets `None` and
/// goes through the general parsers, so the result is always the one `parse_from_rfc3339` gives.
fn whole_seconds_utc(text: &str) -> Option<DateTime<FixedOffset>> {
    let b = text.as_bytes();
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ];
    if b.len() != 20 || separators.iter().any(|&(at, byte)| b[at] != byte) {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &digit| {
            digit
                .is_ascii_digit()
                .then(|| n * 10 + u32::from(digit - b'0'))
        })
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?;
    let time = NaiveTime::from_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)?;
    Some(date.and_time(time).and_utc().fixed_offset())
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::Offset(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            Timestamp::Naive(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.f")),
            Timestamp::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.to_utc() == other.to_utc()
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.to_utc().cmp(&other.to_utc())
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.to_utc().hash(state);
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// Only the drift and decode tests read the schema (feature `schemars`).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "RFC 3339 date-time; MoneyKit also sends it without offset (UTC) or as a bare date.",
            "examples": ["2023-02-16T09:14:11Z", "2023-02-16T09:14:11", "2024-02-08"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_form_parses_and_round_trips() {
        for text in [
            "2021-08-12T15:23:00Z",
            "2024-01-09T17:03:21.123456+00:00",
            "2024-01-09T12:03:21-05:00",
            "2023-02-16T09:14:11",
            "2023-02-16T09:14:11.5",
            "2024-02-08",
        ] {
            let parsed: Timestamp = text.parse().unwrap();
            let again: Timestamp = parsed.to_string().parse().unwrap();
            assert_eq!(parsed, again, "{text}");
        }
    }

    #[test]
    fn the_same_instant_in_different_forms_is_equal() {
        let z: Timestamp = "2024-01-09T17:03:21Z".parse().unwrap();
        let offset: Timestamp = "2024-01-09T12:03:21-05:00".parse().unwrap();
        let naive: Timestamp = "2024-01-09T17:03:21".parse().unwrap();
        assert_eq!(z, offset);
        assert_eq!(z, naive);
        assert!(z < "2024-01-09T17:03:22Z".parse().unwrap());
        assert_eq!(
            "2024-02-08".parse::<Timestamp>().unwrap().to_utc(),
            "2024-02-08T00:00:00Z"
                .parse::<Timestamp>()
                .unwrap()
                .to_utc()
        );
    }

    #[test]
    fn the_fast_path_agrees_with_chrono() {
        // Every field at and past its limits, leap days and a leap second, and near misses of
        // the form: the fast path takes exactly chrono's whole-second `Z` instants (no leap
        // second), and gives the same instant.
        let (mut accepted, mut expected) = (0, 0);
        for year in ["0000", "1970", "2024", "2100", "9999"] {
            for (month, day) in [
                ("01", "31"),
                ("02", "28"),
                ("02", "29"),
                ("02", "30"),
                ("04", "31"),
                ("12", "31"),
                ("13", "01"),
                ("00", "10"),
                ("06", "00"),
            ] {
                for time in [
                    "00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "1a:00:00",
                ] {
                    for end in ["Z", "z", "+00:00", ""] {
                        let text = format!("{year}-{month}-{day}T{time}{end}");
                        let chrono = DateTime::parse_from_rfc3339(&text).ok();
                        if chrono.is_some() && end == "Z" && !time.ends_with(":60") {
                            expected += 1;
                        }
                        if let Some(fast) = whole_seconds_utc(&text) {
                            accepted += 1;
                            assert_eq!(Some(fast), chrono, "{text}");
                            assert_eq!(fast.offset().local_minus_utc(), 0, "{text}");
                        }
                        let parsed = text.parse::<Timestamp>().ok();
                        if let Some(chrono) = chrono {
                            assert_eq!(parsed, Some(Timestamp::Offset(chrono)), "{text}");
                        }
                    }
                }
            }
        }
        assert_eq!(accepted, expected);
        assert_eq!(
            "2026-11-20T08:00:05Z"
                .parse::<Timestamp>()
                .unwrap()
                .to_string(),
            "2026-11-20T08:00:05Z"
        );
    }

    #[test]
    fn garbage_is_a_typed_error() {
        let err = "yesterday".parse::<Timestamp>().unwrap_err();
        assert!(err.to_string().contains("yesterday"));
    }
}
