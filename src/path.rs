//! How a path parameter becomes one URL segment (the generated methods call [`encode_path`];
//! `moneykit-gen/src/paths.rs` says why not progenitor's).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) is percent-encoded:
/// `/`, `\`, `?`, `#`, `%` and the rest can never end the segment or be read as a separator.
/// (`.` and `..` alone are refused before sending, by the hooks' path check.)
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `segment` percent-encoded as one path segment.
pub(crate) fn encode_path(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backslash_cannot_escape_its_segment() {
        assert_eq!(encode_path(r"mk_mine\..\other"), "mk_mine%5C..%5Cother");
        let url =
            reqwest::Url::parse(&format!("http://h/links/{}", encode_path(r"a\..\b"))).unwrap();
        assert_eq!(url.path(), "/links/a%5C..%5Cb");
    }

    #[test]
    fn unreserved_characters_stay_and_the_rest_is_encoded() {
        assert_eq!(encode_path("mk_eqkWN34-UEoa2.x~"), "mk_eqkWN34-UEoa2.x~");
        assert_eq!(encode_path("a/b?c#d%e f+g"), "a%2Fb%3Fc%23d%25e%20f%2Bg");
        assert_eq!(encode_path("é"), "%C3%A9");
    }
}
