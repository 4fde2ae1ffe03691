// SPDX-License-Identifier: MIT
//! JSON text exactly as JavaScript writes and reads it, independent of any
//! object model: `JSON.stringify`'s number and string formatting, and a
//! `JSON.parse` grammar that hands values to a [`Sink`] (the Python binding
//! builds Python objects with it). No PyO3 here.

/// How deep arrays and objects may nest before parsing gives up: far more
/// than a 4 KB cookie needs, far less than would exhaust the stack.
pub const MAX_DEPTH: usize = 512;
/// What a text nested deeper than [`MAX_DEPTH`] is refused with.
pub const TOO_DEEP: &str = "the JSON is nested deeper than 512 levels";
const _: () = assert!(MAX_DEPTH == 512, "TOO_DEEP spells the limit out");

/// `value`'s decimal digits (and sign), written at the end of `buffer`:
/// the integers of JSON text and the expiration of a seal, without the
/// formatting machinery of `Display`.
pub fn format_i64(buffer: &mut [u8; 20], value: i64) -> &[u8] {
    // Two digits a step: half the chain of divisions.
    static PAIRS: [[u8; 2]; 100] = {
        let mut pairs = [[0u8; 2]; 100];
        let mut n = 0;
        while n < 100 {
            pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
            n += 1;
        }
        pairs
    };
    let mut n = value.unsigned_abs();
    let mut i = buffer.len();
    while n >= 100 {
        i -= 2;
        buffer[i..i + 2].copy_from_slice(&PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if n >= 10 {
        i -= 2;
        buffer[i..i + 2].copy_from_slice(&PAIRS[n as usize]);
    } else {
        i -= 1;
        buffer[i] = b'0' + n as u8;
    }
    if value < 0 {
        // i64::MIN has 19 digits, so there is room for the sign.
        i -= 1;
        buffer[i] = b'-';
    }
    &buffer[i..]
}

/// Appends `value` as ECMAScript `Number::toString` writes it (`1e21` →
/// `1e+21`, `1e-7` → `1e-7`, `1.0` → `1`, `-0` → `0`). Callers refuse
/// non-finite values before (`JSON.stringify` would write `null`).
pub fn write_f64(out: &mut Vec<u8>, value: f64) {
    debug_assert!(value.is_finite());
    if value == 0.0 {
        out.push(b'0');
        return;
    }
    let mut buffer = ryu_js::Buffer::new();
    out.extend_from_slice(buffer.format_finite(value).as_bytes());
}

/// The escape `JSON.stringify` uses for a character, if any.
#[inline]
fn escape_of(unit: u32) -> Option<&'static [u8]> {
    Some(match unit {
        0x22 => b"\\\"",
        0x5c => b"\\\\",
        0x08 => b"\\b",
        0x0c => b"\\f",
        0x0a => b"\\n",
        0x0d => b"\\r",
        0x09 => b"\\t",
        _ => return None,
    })
}

fn write_u_escape(out: &mut Vec<u8>, unit: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((unit >> shift) & 0xf) as usize]);
    }
}

/// Appends a quoted string: `"` and `\` escaped, the short escapes, other
/// control characters as lowercase `\u00xx`, everything else raw UTF-8.
/// Plain runs are found as the parser finds them and copied whole.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    loop {
        let end = plain_run_end(bytes, start);
        out.extend_from_slice(&bytes[start..end]);
        let Some(&byte) = bytes.get(end) else { break };
        match escape_of(u32::from(byte)) {
            Some(escape) => out.extend_from_slice(escape),
            None => write_u_escape(out, u32::from(byte)),
        }
        start = end + 1;
    }
    out.push(b'"');
}

/// The high bit of each byte of `word` (little-endian) that is a control
/// character, `"` or `\`: the classic SWAR zero-byte tests. The lowest
/// bit set is always a genuine match (a borrow only ever marks bytes after
/// one), so `trailing_zeros() / 8` is the first such byte's offset.
#[inline]
fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    below_space
        | has_zero(word ^ (ONES * u64::from(b'"')))
        | has_zero(word ^ (ONES * u64::from(b'\\')))
}

/// The bytes that end a run of plain string content: the quote, the
/// backslash, and the control characters JSON forbids raw in a string.
static ENDS_PLAIN_RUN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The offset of the first byte from `from` on that ends a run of plain
/// string content, or `bytes.len()`: eight bytes at a time while eight
/// remain (strings are most of a session's text, and a byte loop's exit
/// branch mispredicts at every string's end), then one table lookup a
/// byte. The parser skips string content with it, the writer copies it.
#[inline(always)]
fn plain_run_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let flags = special_bytes(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        if flags != 0 {
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let rest = &bytes[at..];
    at + rest
        .iter()
        .position(|&b| ENDS_PLAIN_RUN[usize::from(b)])
        .unwrap_or(rest.len())
}

/// As [`write_str`] for text given as UTF-16 code units, which may hold
/// lone surrogates: a valid pair is written as its character in UTF-8, a
/// lone surrogate as a lowercase `\udxxx` escape (well-formed
/// `JSON.stringify`, ES2019).
pub fn write_utf16(out: &mut Vec<u8>, units: &[u16]) {
    out.push(b'"');
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(ch) => {
                let code = u32::from(ch);
                if let Some(escape) = escape_of(code) {
                    out.extend_from_slice(escape);
                } else if code < 0x20 {
                    write_u_escape(out, code);
                } else {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
            }
            Err(lone) => write_u_escape(out, u32::from(lone.unpaired_surrogate())),
        }
    }
    out.push(b'"');
}

/// The value of an integer literal the parser handed to
/// [`Sink::integer`] when it has at most 18 digits, and so fits an `i64`:
/// summed digit by digit, with none of `str::parse`'s checks, which the
/// grammar already made. None for longer literals.
pub fn small_integer(literal: &str) -> Option<i64> {
    let (negative, digits) = match literal.as_bytes() {
        [b'-', digits @ ..] => (true, digits),
        digits => (false, digits),
    };
    if digits.len() > 18 {
        return None;
    }
    debug_assert!(!digits.is_empty() && digits.iter().all(u8::is_ascii_digit));
    let magnitude = digits
        .iter()
        .fold(0i64, |n, &digit| n * 10 + i64::from(digit - b'0'));
    Some(if negative { -magnitude } else { magnitude })
}

/// `true` for the keys JavaScript orders first, ascending: canonical array
/// indices `0` … `2³² − 2` (no sign, no leading zero).
pub fn is_array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return None;
    }
    let value: u64 = key.parse().ok()?;
    (value < u64::from(u32::MAX)).then_some(value as u32)
}

/// A JSON string's content as decoded by the parser.
pub enum Text<'a> {
    /// Valid Unicode.
    Str(std::borrow::Cow<'a, str>),
    /// Holds a lone surrogate from a `\uXXXX` escape: UTF-16 code units.
    Utf16(Vec<u16>),
}

/// Receives the values of a JSON text as the parser meets them.
pub trait Sink {
    type Value;
    type Array;
    type Object;
    type Error;

    fn null(&mut self) -> Result<Self::Value, Self::Error>;
    fn boolean(&mut self, value: bool) -> Result<Self::Value, Self::Error>;
    /// An integer literal (`-?digits`, no fraction or exponent), as written.
    fn integer(&mut self, literal: &str) -> Result<Self::Value, Self::Error>;
    fn float(&mut self, value: f64) -> Result<Self::Value, Self::Error>;
    fn string(&mut self, text: Text<'_>) -> Result<Self::Value, Self::Error>;
    fn array(&mut self) -> Result<Self::Array, Self::Error>;
    fn push(&mut self, array: &mut Self::Array, value: Self::Value) -> Result<(), Self::Error>;
    fn finish_array(&mut self, array: Self::Array) -> Result<Self::Value, Self::Error>;
    fn object(&mut self) -> Result<Self::Object, Self::Error>;
    /// Duplicate keys: the last value wins, as in `JSON.parse`.
    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: Text<'_>,
        value: Self::Value,
    ) -> Result<(), Self::Error>;
    fn finish_object(&mut self, object: Self::Object) -> Result<Self::Value, Self::Error>;
    /// Turns a syntax error (with its byte offset) into the sink's error.
    fn syntax_error(&mut self, message: &'static str, offset: usize) -> Self::Error;
    /// A container opened deeper than [`MAX_DEPTH`]: valid JSON, but more
    /// than this parser reads, which a sink may report apart.
    fn too_deep(&mut self, offset: usize) -> Self::Error {
        self.syntax_error(TOO_DEEP, offset)
    }
}

/// Parses `text` with `JSON.parse`'s grammar (whitespace is space, tab, LF,
/// CR; no trailing commas; control characters must be escaped).
pub fn parse<S: Sink>(text: &str, sink: &mut S) -> Result<S::Value, S::Error> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
    };
    parser.skip_whitespace();
    let value = parser.value(sink)?;
    parser.skip_whitespace();
    if parser.pos != parser.bytes.len() {
        return Err(sink.syntax_error("unexpected text after the JSON value", parser.pos));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    /// Moves past string content that needs no decoding.
    #[inline(always)]
    fn skip_plain(&mut self) {
        self.pos = plain_run_end(self.bytes, self.pos);
    }

    /// Inlined with a one-compare exit: it runs between every two tokens,
    /// and the text iron-session writes has no whitespace at all.
    #[inline(always)]
    fn skip_whitespace(&mut self) {
        if self.bytes.get(self.pos).is_some_and(|&b| b > b' ') {
            return;
        }
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The text from `start` to the cursor, where each sits on an ASCII
    /// byte or just after one (a string's quotes, a number's first byte
    /// and the byte after its last digit).
    #[inline(always)]
    fn ascii_bounded(&self, start: usize) -> &'a str {
        debug_assert!(self.text.is_char_boundary(start) && self.text.is_char_boundary(self.pos));
        // SAFETY: neither an ASCII byte nor the byte after one is inside
        // a multi-byte UTF-8 sequence, so both ends are char boundaries of
        // `text`, and start <= pos <= len (the cursor only moves forward,
        // within the text). The checked slice is an out-of-line call per
        // token.
        unsafe { self.text.get_unchecked(start..self.pos) }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn literal<S: Sink>(&mut self, sink: &mut S, word: &'static [u8]) -> Result<(), S::Error> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(sink.syntax_error("unexpected token", self.pos))
        }
    }

    /// One value of any kind. Inlined into the object and array loops (and
    /// `parse`): a scalar member then costs no call of its own; only
    /// nested containers recurse.
    #[inline(always)]
    fn value<S: Sink>(&mut self, sink: &mut S) -> Result<S::Value, S::Error> {
        match self.peek() {
            Some(b'{') => self.object(sink),
            Some(b'[') => self.array(sink),
            Some(b'"') => {
                let text = self.string(sink)?;
                sink.string(text)
            }
            Some(b't') => self
                .literal(sink, b"true")
                .and_then(|()| sink.boolean(true)),
            Some(b'f') => self
                .literal(sink, b"false")
                .and_then(|()| sink.boolean(false)),
            Some(b'n') => self.literal(sink, b"null").and_then(|()| sink.null()),
            Some(b'-' | b'0'..=b'9') => self.number(sink),
            Some(_) => Err(sink.syntax_error("unexpected token", self.pos)),
            None => Err(sink.syntax_error("unexpected end of JSON input", self.pos)),
        }
    }

    fn enter<S: Sink>(&mut self, sink: &mut S) -> Result<(), S::Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(sink.too_deep(self.pos));
        }
        self.pos += 1;
        self.skip_whitespace();
        Ok(())
    }

    #[inline(never)]
    fn array<S: Sink>(&mut self, sink: &mut S) -> Result<S::Value, S::Error> {
        self.enter(sink)?;
        let mut array = sink.array()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                let value = self.value(sink)?;
                sink.push(&mut array, value)?;
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_whitespace();
                    }
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(sink.syntax_error("expected ',' or ']'", self.pos)),
                }
            }
        }
        self.depth -= 1;
        sink.finish_array(array)
    }

    #[inline(never)]
    fn object<S: Sink>(&mut self, sink: &mut S) -> Result<S::Value, S::Error> {
        self.enter(sink)?;
        let mut object = sink.object()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                if self.peek() != Some(b'"') {
                    return Err(sink.syntax_error("expected a property name", self.pos));
                }
                let key = self.string(sink)?;
                self.skip_whitespace();
                if self.peek() != Some(b':') {
                    return Err(sink.syntax_error("expected ':'", self.pos));
                }
                self.pos += 1;
                self.skip_whitespace();
                let value = self.value(sink)?;
                sink.insert(&mut object, key, value)?;
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_whitespace();
                    }
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(sink.syntax_error("expected ',' or '}'", self.pos)),
                }
            }
        }
        self.depth -= 1;
        sink.finish_object(object)
    }

    fn number<S: Sink>(&mut self, sink: &mut S) -> Result<S::Value, S::Error> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(sink.syntax_error("no number after minus sign", self.pos)),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integer = false;
            if digits(self) == 0 {
                return Err(sink.syntax_error("unterminated fractional number", self.pos));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(sink.syntax_error("exponent part is missing a number", self.pos));
            }
        }
        let literal = self.ascii_bounded(start);
        if integer {
            sink.integer(literal)
        } else {
            // Rust's parse rounds correctly, as JavaScript does; overflow
            // gives ±inf, as `JSON.parse("1e400")` gives Infinity.
            let value: f64 = literal.parse().expect("grammar-checked float literal");
            sink.float(value)
        }
    }

    /// A string token (the cursor is on the opening quote). Inlined: its
    /// result is handed straight on, not spilled and reloaded.
    #[inline(always)]
    fn string<S: Sink>(&mut self, sink: &mut S) -> Result<Text<'a>, S::Error> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes, borrow the text as is.
        self.skip_plain();
        match self.peek() {
            Some(b'"') => {
                let text = self.ascii_bounded(start);
                self.pos += 1;
                return Ok(Text::Str(text.into()));
            }
            Some(b'\\') => {}
            Some(_) => return Err(sink.syntax_error("bad control character in string", self.pos)),
            None => return Err(sink.syntax_error("unterminated string", self.pos)),
        }
        // Slow path: decode escapes into UTF-16 units, which can carry the
        // lone surrogates that `\uXXXX` may spell.
        let mut units: Vec<u16> = self.text[start..self.pos].encode_utf16().collect();
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let unit = match self.peek() {
                        Some(b'"') => 0x22,
                        Some(b'\\') => 0x5c,
                        Some(b'/') => 0x2f,
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => 0x0a,
                        Some(b'r') => 0x0d,
                        Some(b't') => 0x09,
                        Some(b'u') => {
                            let hex = self
                                .text
                                .get(self.pos + 1..self.pos + 5)
                                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                                .ok_or_else(|| sink.syntax_error("bad unicode escape", self.pos))?;
                            self.pos += 4;
                            u16::from_str_radix(hex, 16).expect("four hex digits")
                        }
                        _ => return Err(sink.syntax_error("bad escaped character", self.pos)),
                    };
                    units.push(unit);
                    self.pos += 1;
                }
                Some(0x00..=0x1f) => {
                    return Err(sink.syntax_error("bad control character in string", self.pos))
                }
                Some(_) => {
                    let from = self.pos;
                    self.skip_plain();
                    units.extend(self.text[from..self.pos].encode_utf16());
                }
                None => return Err(sink.syntax_error("unterminated string", self.pos)),
            }
        }
        Ok(match String::from_utf16(&units) {
            Ok(text) => Text::Str(text.into()),
            Err(_) => Text::Utf16(units),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_echo::Echo;

    #[test]
    fn the_word_test_finds_exactly_the_bytes_to_escape() {
        let escaped = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut words: Vec<u64> = (0..200_000)
            .map(|_| {
                // xorshift: many words, each byte anywhere in 0..=255
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            })
            .collect();
        // Every byte value in every position, among plain ASCII letters.
        for position in 0..8 {
            for byte in 0..=255u64 {
                words.push(
                    (0x6161_6161_6161_6161 & !(0xff << (8 * position))) | byte << (8 * position),
                );
            }
        }
        for word in words {
            let first = word.to_le_bytes().iter().position(|&b| escaped(b));
            assert_eq!(special_bytes(word) != 0, first.is_some(), "{word:#018x}");
            // The parser's plain-run scan stops at the first one exactly.
            let found = Some(special_bytes(word))
                .filter(|&flags| flags != 0)
                .map(|flags| (flags.trailing_zeros() / 8) as usize);
            assert_eq!(found, first, "{word:#018x}");
        }
    }

    #[test]
    fn strings_are_escaped_at_every_offset() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', b'\n', 0x01, 0x1f, 0x7f, b'a'] {
                    let mut text = vec![b'x'; len];
                    text[at] = special;
                    let text = String::from_utf8(text).unwrap();
                    let mut out = Vec::new();
                    write_str(&mut out, &text);
                    let expected = serde_json::to_string(&text).unwrap();
                    assert_eq!(String::from_utf8(out).unwrap(), expected, "{text:?}");
                }
            }
        }
    }

    fn echo(text: &str) -> Result<String, (&'static str, usize)> {
        parse(text, &mut Echo).map(|v| String::from_utf8(v).unwrap())
    }

    /// Two bytes at every pair of offsets, among them special bytes next
    /// to the bytes a SWAR borrow out of them would flag falsely (`#`
    /// after `"`, `]` after `\`, a space after a control character).
    #[test]
    fn strings_with_two_special_bytes_are_escaped_and_parsed_exactly() {
        let bytes = [
            b'"', b'#', b'\\', b']', 0x01, 0x1f, b' ', b'!', b'\n', b'a', 0x7f,
        ];
        for len in 2..=20 {
            for i in 0..len {
                for j in i + 1..len {
                    for &first in &bytes {
                        for &second in &bytes {
                            let mut text = vec![b'x'; len];
                            text[i] = first;
                            text[j] = second;
                            let text = String::from_utf8(text).unwrap();
                            let mut out = Vec::new();
                            write_str(&mut out, &text);
                            let quoted = String::from_utf8(out).unwrap();
                            let expected = serde_json::to_string(&text).unwrap();
                            assert_eq!(quoted, expected, "{text:?}");
                            // The parser reads it back (as the last token
                            // of a text, and followed by more).
                            for wrapped in [quoted.clone(), format!("[{quoted},1]")] {
                                let echoed = echo(&wrapped).expect("valid JSON");
                                let ours: serde_json::Value =
                                    serde_json::from_str(&echoed).unwrap();
                                let theirs: serde_json::Value =
                                    serde_json::from_str(&wrapped).unwrap();
                                assert_eq!(ours, theirs, "{text:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn number_formatting_matches_json_stringify() {
        let vectors = crate::testutil::load_vectors("deterministic.json");
        let cases = vectors["number_formatting"].as_array().unwrap();
        assert!(cases.len() > 300);
        for case in cases {
            let bits = u64::from_str_radix(case["double_bits_hex"].as_str().unwrap(), 16).unwrap();
            let value = f64::from_bits(bits);
            let mut out = Vec::new();
            if value.is_finite() {
                write_f64(&mut out, value);
            } else {
                out.extend_from_slice(b"null");
            }
            assert_eq!(
                String::from_utf8(out).unwrap(),
                case["js"].as_str().unwrap(),
                "{bits:016x}"
            );
        }
    }

    #[test]
    fn strings_escape_as_javascript_does() {
        let mut out = Vec::new();
        write_str(
            &mut out,
            "\"\\\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}\u{2028}é😀/",
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\u{2028}é😀/\""
        );
        let mut out = Vec::new();
        write_utf16(
            &mut out,
            &[0xd800, 0x41, 0xdfff, 0xd83d, 0xde00, 0xdc00, 0xd800, 0x0a],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"\\ud800A\\udfff😀\\udc00\\ud800\\n\""
        );
    }

    #[test]
    fn integers_are_formatted_as_display_formats_them() {
        let mut values = vec![
            0,
            1,
            9,
            10,
            99,
            100,
            101,
            12_345,
            i64::MAX,
            i64::MIN,
            -1,
            -10,
            -100,
        ];
        values.extend((0..19).map(|p| 10i64.pow(p)));
        values.extend((1..19).map(|p| 10i64.pow(p) - 1));
        for value in values {
            let mut buffer = [0u8; 20];
            assert_eq!(format_i64(&mut buffer, value), value.to_string().as_bytes());
        }
    }

    #[test]
    fn small_integers_are_what_str_parse_gives() {
        let mut literals: Vec<String> = ["0", "-0", "7", "-7", "48213", "999999999999999999"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut n = 1i64;
        for _ in 0..18 {
            literals.push(n.to_string());
            literals.push((n - 1).to_string());
            literals.push((-n).to_string());
            literals.push((-n + 1).to_string());
            n *= 10;
        }
        for literal in &literals {
            assert_eq!(
                small_integer(literal),
                literal.parse::<i64>().ok(),
                "{literal}"
            );
        }
        // 19 digits and more go the long way, even where an i64 holds them.
        assert_eq!(small_integer("1000000000000000000"), None);
        assert_eq!(small_integer("-9223372036854775808"), None);
    }

    #[test]
    fn array_index_keys() {
        assert_eq!(is_array_index("0"), Some(0));
        assert_eq!(is_array_index("4294967294"), Some(4294967294));
        for key in ["4294967295", "01", "-1", "1.5", "", "a", "1e3", " 1"] {
            assert_eq!(is_array_index(key), None, "{key}");
        }
    }

    #[test]
    fn parser_accepts_what_json_parse_accepts() {
        assert_eq!(
            echo(" {\"a\" : [1, -0.5e1, true, null, \"x\\u0041\\/\"] } ").unwrap(),
            "{\"a\":[1,-5,true,null,\"xA/\"]}"
        );
        assert_eq!(echo("{\"a\":1,\"a\":2}").unwrap(), "{\"a\":2}");
        assert_eq!(echo("\"\\ud800\\ud83d\\ude00\"").unwrap(), "\"\\ud800😀\"");
        assert_eq!(
            echo("123456789012345678901234567890").unwrap(),
            "123456789012345678901234567890"
        );
        assert_eq!(echo("1e400").unwrap(), "null");
    }

    #[test]
    fn parser_rejects_what_json_parse_rejects() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "-",
            "1e",
            "'a'",
            "\"\t\"",
            "\"\\x\"",
            "\"\\u12\"",
            "nul",
            "[1 2]",
            "{a:1}",
            "1 2",
            "\u{feff}1",
            "\"abc",
            "[",
            "{\"a\" 1}",
            "NaN",
            "Infinity",
        ] {
            assert!(echo(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn strings_parse_with_a_special_byte_at_every_offset() {
        // Offsets on both sides of the scan's 8-byte words, and strings
        // ending within 8 bytes of the text's end (the byte-wise tail).
        for len in 0..40 {
            for at in 0..len {
                for trailer in ["", "]", "        ]"] {
                    for special in ["\\\"", "\\\\", "\\n", "\\u0001", "é", "\n", "\u{1}"] {
                        let mut content = "x".repeat(len);
                        content.replace_range(at..=at, special);
                        let text = format!(
                            "{}\"{content}\"{trailer}",
                            if trailer.is_empty() { "" } else { "[" }
                        );
                        let ours = echo(&text).map_err(|(message, _)| message);
                        let theirs = serde_json::from_str::<serde_json::Value>(&text)
                            .map(|value| value.to_string())
                            .map_err(|_| "rejected");
                        assert_eq!(ours.is_ok(), theirs.is_ok(), "{text:?}");
                        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
                            let reparsed: serde_json::Value = serde_json::from_str(&ours).unwrap();
                            assert_eq!(reparsed.to_string(), theirs, "{text:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn depth_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(echo(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(echo(&deep), Err((TOO_DEEP, MAX_DEPTH)));
        assert!(echo(&"[".repeat(100_000)).is_err());
    }
}
