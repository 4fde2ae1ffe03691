// SPDX-License-Identifier: MIT
//! One cookie found in a `Cookie` header: `iron_fast.cookies.get_cookie`'s
//! scan (cookie@2's parse, for a single name), done natively because every
//! request that uses its session runs it over a header of some 400 bytes.
//! No PyO3 here.
//!
//! The header and the name are UTF-8. Every byte the scan looks at is ASCII
//! (blanks, `;`, `=`), which never occurs inside a multi-byte character,
//! and a match of one UTF-8 string inside another always starts and ends on
//! character boundaries; so the byte scan finds exactly what the Python scan
//! finds over characters, and every slice it returns is whole characters.

use memchr::memmem::Finder;

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
