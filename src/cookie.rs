// SPDX-License-Identifier: MIT
//! One cookie found in a `Cookie` header and %-decoded, as cookie@2's parse
//! finds it (`iron_fast.cookies.get_cookie`, and the jar every adapter
//! reads the request's session through), done natively because every
//! request that uses its session runs it over a header of some 400 bytes.
//! Also the browser limits the cookies are written within. No PyO3 here.
//!
//! The header and the name are UTF-8. Every byte the scan looks at is ASCII
//! (blanks, `;`, `=`), which never occurs inside a multi-byte character,
//! and a match of one UTF-8 string inside another always starts and ends on
//! character boundaries; so the byte scan finds exactly what the Python scan
//! finds over characters, and every slice it returns is whole characters.

use std::borrow::Cow;

use memchr::memmem::Finder;

/// Browsers cap one cookie at 4096 bytes, counted over the whole Set-Cookie
/// line; iron-session 9 measures the same way (`MAX_COOKIE_BYTES`).
pub const MAX_COOKIE_BYTES: usize = 4096;
/// iron-session 9's hard cap: more chunks would overflow the Cookie header
/// limits of common proxies (nginx: 8 KB) and fail there, far from here.
pub const MAX_CHUNKS: usize = 4;
/// A %-encoded value longer than a whole chunked session is not a session:
/// decoding it would only cost time and memory (a 10 MB header).
pub const MAX_DECODED_VALUE: usize = MAX_CHUNKS * MAX_COOKIE_BYTES;

/// What cookie@2 trims around keys and values.
fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// `start..end` without the blanks at either end.
fn trimmed(bytes: &[u8], start: usize, end: usize) -> (usize, usize) {
    let part = &bytes[start..end];
    let Some(first) = part.iter().position(|&b| !is_blank(b)) else {
        return (start, start);
    };
    let last = part.iter().rposition(|&b| !is_blank(b)).unwrap_or(first);
    (start + first, start + last + 1)
}

/// The value of the first pair whose key is exactly `name`, blanks trimmed
/// around key and value, not yet %-decoded; `None` when there is none.
///
/// Every occurrence of `name` is a candidate, overlapping ones included (a
/// name may occur inside another cookie's value, or overlap itself); it is
/// the key when only blanks stand between it and a `;` (or the start)
/// before, and between it and a `=` after. The value runs to the next `;`.
pub fn find<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    let bytes = header.as_bytes();
    let finder = Finder::new(name.as_bytes());
    // `at + 1` may pass the end only after a match at the very end, which
    // only the empty name makes (it occurs at every position, the end too).
    let mut start = 0;
    while start <= bytes.len() {
        let at = start + finder.find(&bytes[start..])?;
        start = at + 1;
        let key_starts_pair = match bytes[..at].iter().rposition(|&b| !is_blank(b)) {
            None => true,
            Some(before) => bytes[before] == b';',
        };
        if !key_starts_pair {
            continue;
        }
        let after = at + name.len();
        let Some(eq) = bytes[after..].iter().position(|&b| !is_blank(b)) else {
            continue;
        };
        let eq = after + eq;
        if bytes[eq] != b'=' {
            continue;
        }
        let value_end = memchr::memchr(b';', &bytes[eq + 1..]).map_or(bytes.len(), |i| eq + 1 + i);
        // Cut next to ASCII bytes only (see the module docs): whole characters.
        let (from, to) = trimmed(bytes, eq + 1, value_end);
        return Some(&header[from..to]);
    }
    None
}

/// The value of cookie `name`, %-decoded (see [`decode`]); `None` when
/// there is none, or when a value to decode is longer than any session.
pub fn get<'h>(header: &'h str, name: &str) -> Option<Cow<'h, str>> {
    let value = find(header, name)?;
    if !value.contains('%') {
        return Some(Cow::Borrowed(value));
    }
    if value.len() > MAX_DECODED_VALUE {
        return None;
    }
    Some(decode(value))
}

/// `decodeURIComponent`, or `value` unchanged where it would throw: a `%`
/// not followed by two hex digits, or escapes whose bytes are not UTF-8.
/// (The escaped bytes sit between whole characters of `value`, so checking
/// the whole result as UTF-8 refuses exactly what decoding each run of
/// escapes on its own would.)
pub fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'%' {
            out.push(bytes[at]);
            at += 1;
            continue;
        }
        let (Some(high), Some(low)) = (
            bytes.get(at + 1).and_then(|&b| hex(b)),
            bytes.get(at + 2).and_then(|&b| hex(b)),
        ) else {
            return Cow::Borrowed(value);
        };
        out.push(high << 4 | low);
        at += 3;
    }
    match String::from_utf8(out) {
        Ok(text) => Cow::Owned(text),
        Err(_) => Cow::Borrowed(value),
    }
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_get_cookie_finds() {
        // The cases of tests/test_session.py::test_get_cookie, before
        // %-decoding (which the Python side does).
        for (header, expected) in [
            ("", None),
            ("test=1", Some("1")),
            ("a=1; test=2; b=3", Some("2")),
            ("test=1; test=2", Some("1")),
            ("  test  =  1  ", Some("1")),
            ("\ttest=\t1\t", Some("1")),
            ("test=", Some("")),
            ("test", None),
            ("x; test=1", Some("1")),
            ("foo=test; test=9", Some("9")),
            ("test=a=b", Some("a=b")),
            ("test=\"quoted\"", Some("\"quoted\"")),
            ("test=%41%42", Some("%41%42")),
            ("Test=1", None),
            ("test.0=1", None),
            ("xtest=1; test=2", Some("2")),
            ("test =", Some("")),
            ("été=1; test=é;", Some("é")),
        ] {
            assert_eq!(find(header, "test"), expected, "{header:?}");
        }
    }

    #[test]
    fn decodes_as_decode_uri_component_or_keeps_the_text() {
        for (value, expected) in [
            ("plain", "plain"),
            ("%41%42", "AB"),
            ("a%20b", "a b"),
            ("%C3%A9t%C3%A9", "été"),
            ("%e2%82%ac", "€"),
            ("100%", "100%"),
            ("%4", "%4"),
            ("%4g", "%4g"),
            ("%%41", "%%41"),
            ("%C3", "%C3"),             // a truncated character
            ("%C3x", "%C3x"),           // ... followed by a character
            ("%80", "%80"),             // a lone continuation byte
            ("%ED%A0%80", "%ED%A0%80"), // a surrogate
            ("%C0%AF", "%C0%AF"),       // an overlong form
            ("é%41", "éA"),
        ] {
            assert_eq!(decode(value), expected, "{value:?}");
        }
    }

    #[test]
    fn get_decodes_only_what_a_session_could_be() {
        assert_eq!(get("test=%41%42", "test").as_deref(), Some("AB"));
        assert_eq!(
            get("test=Fe26.2*1*x~2", "test").as_deref(),
            Some("Fe26.2*1*x~2")
        );
        let longest = "%41".repeat(MAX_DECODED_VALUE / 3);
        assert!(get(&format!("test={longest}"), "test").is_some());
        let longer = format!("test={longest}%41%41");
        assert_eq!(get(&longer, "test"), None);
        assert_eq!(get("other=1", "test"), None);
    }

    #[test]
    fn overlapping_and_empty_names() {
        // "aa" occurs at 0 (not a key: followed by "a") and at 1 (also not:
        // preceded by "a"); a scan that skipped overlaps would agree here,
        // but not on "a;aa=1", where the key is the second occurrence.
        assert_eq!(find("aaa=1", "aa"), None);
        assert_eq!(find("a;aa=1", "aa"), Some("1"));
        assert_eq!(find("aa;aa=2", "aa"), Some("2"));
        // Here the key is an occurrence that overlaps a previous one.
        assert_eq!(find("a;a;a=1", "a;a"), Some("1"));
        // The empty name is the key of a pair that starts with '='.
        assert_eq!(find("=e", ""), Some("e"));
        assert_eq!(find("a=1; =e", ""), Some("e"));
        assert_eq!(find("a=1", ""), None);
        assert_eq!(find("", ""), None);
    }
}
