// SPDX-License-Identifier: MIT
//! A [`Sink`] that rebuilds compact JSON text: the round trip the parser's
//! tests and the `json_parse` fuzz target check it with. Built for the
//! tests and with the `json-echo` feature (the fuzz crate's); not part of
//! the library otherwise. No PyO3 here.

use crate::json::{self, Sink, Text};

/// Rebuilds the parsed value as compact JSON text, as `JSON.stringify`
/// would write it (non-finite floats as `null`, duplicate keys collapsed
/// with the last value winning).
pub struct Echo;

fn text_of(text: Text<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    match text {
        Text::Str(s) => json::write_str(&mut out, &s),
        Text::Utf16(units) => json::write_utf16(&mut out, &units),
    }
    out
}

impl Sink for Echo {
    type Value = Vec<u8>;
    type Array = Vec<Vec<u8>>;
    type Object = Vec<(Vec<u8>, Vec<u8>)>;
    type Error = (&'static str, usize);

    fn null(&mut self) -> Result<Vec<u8>, Self::Error> {
        Ok(b"null".to_vec())
    }
    fn boolean(&mut self, value: bool) -> Result<Vec<u8>, Self::Error> {
        Ok(if value {
            b"true".to_vec()
        } else {
            b"false".to_vec()
        })
    }
    fn integer(&mut self, literal: &str) -> Result<Vec<u8>, Self::Error> {
        // The grammar promises `-?digits`: anything else is a parser bug.
        let digits = literal.strip_prefix('-').unwrap_or(literal);
        assert!(
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
            "integer literal {literal:?}"
        );
        Ok(literal.as_bytes().to_vec())
    }
    fn float(&mut self, value: f64) -> Result<Vec<u8>, Self::Error> {
        let mut out = Vec::new();
        if value.is_finite() {
            json::write_f64(&mut out, value);
        } else {
            out.extend_from_slice(b"null");
        }
        Ok(out)
    }
    fn string(&mut self, text: Text<'_>) -> Result<Vec<u8>, Self::Error> {
        Ok(text_of(text))
    }
    fn array(&mut self) -> Result<Self::Array, Self::Error> {
        Ok(Vec::new())
    }
    fn push(&mut self, array: &mut Self::Array, value: Vec<u8>) -> Result<(), Self::Error> {
        array.push(value);
        Ok(())
    }
    fn finish_array(&mut self, array: Self::Array) -> Result<Vec<u8>, Self::Error> {
        Ok([b"[".to_vec(), array.join(&b","[..]), b"]".to_vec()].concat())
    }
    fn object(&mut self) -> Result<Self::Object, Self::Error> {
        Ok(Vec::new())
    }
    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: Text<'_>,
        value: Vec<u8>,
    ) -> Result<(), Self::Error> {
        let key = text_of(key);
        match object.iter_mut().find(|(seen, _)| *seen == key) {
            Some(slot) => slot.1 = value,
            None => object.push((key, value)),
        }
        Ok(())
    }
    fn finish_object(&mut self, object: Self::Object) -> Result<Vec<u8>, Self::Error> {
        let members: Vec<Vec<u8>> = object
            .into_iter()
            .map(|(k, v)| [k, b":".to_vec(), v].concat())
            .collect();
        Ok([b"{".to_vec(), members.join(&b","[..]), b"}".to_vec()].concat())
    }
    fn syntax_error(&mut self, message: &'static str, offset: usize) -> Self::Error {
        (message, offset)
    }
}
