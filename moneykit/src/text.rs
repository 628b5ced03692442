//! Making text from elsewhere (a server's message, a proxy's HTML page) safe to print on one line.

/// `text` on one line of at most `max_chars` characters: control characters (newlines, terminal
/// escapes) and bidirectional overrides become spaces, runs of whitespace collapse to one space, the ends are trimmed, and a
/// cut is marked with `…`.
///
/// [`Error`](crate::Error)'s `Display` and [`body_snippet`](crate::Error::body_snippet) already
/// pass what the server sent through it; use it for any text of your own that must stay one line
/// (the `moneykit` command line does, for its error line).
///
/// ```
/// assert_eq!(moneykit::one_line(" Bad\r\n\tgateway\u{1b}[31m ", 100), "Bad gateway [31m");
/// assert_eq!(moneykit::one_line("abcdef", 3), "abc…");
/// ```
pub fn one_line(text: &str, max_chars: usize) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut line = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((cut, _)) = line.char_indices().nth(max_chars) {
        line.truncate(cut);
        line.truncate(line.trim_end().len());
        line.push('…');
    }
    line
}

/// The bidirectional embedding, override and isolate controls and the directional marks
/// (Unicode category Cf, not Cc): they reorder what a terminal shows after them, so a line
/// could read other than it is.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_controls_collapses_and_truncates() {
        assert_eq!(
            one_line("<html>\n\t<body>Bad\r\ngateway</body>", 200),
            "<html> <body>Bad gateway</body>"
        );
        assert_eq!(one_line(&"x".repeat(300), 200).chars().count(), 201);
        assert_eq!(one_line("a\u{7}b", 10), "a b");
        assert_eq!(one_line("ab cd", 3), "ab…");
        assert_eq!(one_line("abc", 3), "abc");
        assert_eq!(one_line("  ", 3), "");
        assert_eq!(one_line("ok\u{202e}gnp.exe", 20), "ok gnp.exe");
        assert_eq!(one_line("ok\u{061c}1", 20), "ok 1");
    }
}
