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

    /// Every form [`Timestamp`] accepts: the forms MoneyKit sends read directly, anything else
    /// through chrono's parsers: RFC 3339 (which also takes a lowercase `t`/`z`, a space for `T`
    /// and a leap second), the same without an offset, then a bare date.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match read_common(text.as_bytes()) {
            Some(timestamp) => Ok(timestamp),
            None => parse_with_chrono(text),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, then `.` and one to nine digits or not, then `Z`, `±HH:MM` or nothing:
/// the forms MoneyKit sends, read without chrono's general parser, which costs several times as
/// much per timestamp and a response carries a dozen. `None` for any other text (a leap second
/// included), which [`parse_with_chrono`] then accepts or refuses; where this reads a text, the
/// result is chrono's (`reads_what_chrono_reads`).
fn read_common(text: &[u8]) -> Option<Timestamp> {
    let (head, mut rest) = text.split_at_checked(19)?;
    let head: &[u8; 19] = head.try_into().ok()?;
    if [head[4], head[7], head[10], head[13], head[16]] != *b"--T::" {
        return None;
    }
    let two = |at: usize| digits(&head[at..at + 2]);
    let year = i32::try_from(digits(&head[..4])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, two(5)?, two(8)?)?;
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let mut nanos = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&count) {
            return None;
        }
        let (given, after) = fraction.split_at(count);
        nanos = digits(given)? * 10u32.pow(9 - u32::try_from(count).ok()?);
        rest = after;
    }
    // A leap second (`:60`) is chrono's to read.
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).filter(|_| second < 60)?;
    let naive = date.and_time(time);
    match rest {
        [] => Some(Timestamp::Naive(naive)),
        [b'Z'] => Some(Timestamp::Offset(naive.and_utc().fixed_offset())),
        &[sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (digits(&[h1, h2])?, digits(&[m1, m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            let offset = if sign == b'+' {
                FixedOffset::east_opt(seconds)
            } else {
                FixedOffset::west_opt(seconds)
            }?;
            naive
                .and_local_timezone(offset)
                .single()
                .map(Timestamp::Offset)
        }
        _ => None,
    }
}

/// The number `bytes` spell in decimal, if they are all digits (at most nine).
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

/// Every form [`Timestamp`] accepts, through chrono's parsers.
fn parse_with_chrono(text: &str) -> Result<Timestamp, TimestampParseError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Timestamp::Offset(t));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(Timestamp::Naive(t));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Timestamp::Date)
        .map_err(|_| TimestampParseError(text.chars().take(64).collect()))
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
    fn each_form_is_accepted_or_refused() {
        // Each part accepted (true) or not: dates and times at and past their limits, leap days,
        // a leap second, fractions of 0 to 10 digits (chrono keeps nine), offsets in range and
        // out, and near misses. A text is accepted when all its parts are.
        let dates = [
            ("0000-02-29", true),
            ("1970-01-01", true),
            ("2024-02-29", true),
            ("2025-12-31", true),
            ("2100-02-29", false),
            ("2025-04-31", false),
            ("2025-13-01", false),
            ("2025-00-10", false),
            ("2025-1-010", false),
        ];
        let times = [
            ("00:00:00", true),
            ("23:59:59", true),
            ("23:59:60", true),
            ("24:00:00", false),
            ("12:60:00", false),
            ("1a:00:00", false),
        ];
        let fractions = [
            ("", true),
            (".5", true),
            (".318245", true),
            (".123456789", true),
            (".1234567891", true),
            (".", false),
            ("5x", false),
            (".5x", false),
        ];
        let ends = [
            ("Z", true),
            ("z", true),
            ("", true),
            ("+00:00", true),
            ("-05:30", true),
            ("+23:59", true),
            ("+24:00", false),
            ("+05:60", false),
            ("+0530", false),
            (" ", false),
        ];
        for (date, date_ok) in dates {
            for (time, time_ok) in times {
                for (fraction, fraction_ok) in fractions {
                    for (end, end_ok) in ends {
                        let text = format!("{date}T{time}{fraction}{end}");
                        assert_reads_what_chrono_reads(&text);
                        let parsed = text.parse::<Timestamp>();
                        let valid = date_ok && time_ok && fraction_ok && end_ok;
                        assert_eq!(parsed.is_ok(), valid, "{text}");
                        let Ok(parsed) = parsed else { continue };
                        // Received without an offset, it stays without one; printed and read
                        // again, it is the same variant and value (Debug: == compares instants).
                        assert_eq!(
                            matches!(parsed, Timestamp::Naive(_)),
                            end.is_empty(),
                            "{text}"
                        );
                        let again: Timestamp = parsed.to_string().parse().unwrap();
                        assert_eq!(format!("{again:?}"), format!("{parsed:?}"), "{text}");
                    }
                }
            }
        }
        for (text, accepted) in [
            ("2024-02-08", true),
            ("2023-02-16t09:14:11Z", true),
            ("2023-02-16 09:14:11Z", true),
            ("2024-02-30", false),
            ("2024-02-08Z", false),
            ("2024-02-08 ", false),
            ("2023-02-16 09:14:11", false),
            ("2023-02-16t09:14:11", false),
            ("", false),
        ] {
            assert_eq!(text.parse::<Timestamp>().is_ok(), accepted, "{text}");
        }
        for text in ["2023-02-16T09:14:11.318245", "2026-11-20T08:00:05Z"] {
            assert_eq!(text.parse::<Timestamp>().unwrap().to_string(), text);
        }
    }

    /// Where [`read_common`] reads a text, chrono reads the same variant and value (`Debug`:
    /// `==` compares instants, not offsets).
    fn assert_reads_what_chrono_reads(text: &str) {
        if let Some(read) = read_common(text.as_bytes()) {
            let chrono = parse_with_chrono(text).map(|t| format!("{t:?}"));
            assert_eq!(Ok(format!("{read:?}")), chrono, "{text}");
        }
    }

    proptest::proptest! {
        /// Any digits in the common form's places, in range or not, any fraction length and any
        /// offset: what `read_common` reads, chrono reads alike (and what it declines, chrono
        /// decides).
        #[test]
        fn reads_what_chrono_reads(
            year in 0u32..10_000,
            month in 0u32..14,
            day in 0u32..33,
            hour in 0u32..26,
            minute in 0u32..62,
            second in 0u32..62,
            fraction in "(\\.[0-9]{0,11})?",
            end in "(Z|[+-][0-9]{2}:[0-9]{2}|)",
        ) {
            let text = format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{end}"
            );
            assert_reads_what_chrono_reads(&text);
        }
    }

    #[test]
    fn garbage_is_a_typed_error() {
        let err = "yesterday".parse::<Timestamp>().unwrap_err();
        assert!(err.to_string().contains("yesterday"));
    }
}
