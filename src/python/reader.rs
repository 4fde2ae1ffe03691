// SPDX-License-Identifier: MIT
//! JSON text to Python objects, with `JSON.parse`'s grammar: integers stay
//! `int` (exact, however large), other numbers are `float`, and strings may
//! carry the lone surrogates that `\uXXXX` escapes can spell.

use std::cell::RefCell;
use std::os::raw::{c_char, c_int};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyString};

use crate::json::{self, Sink, Text};

pub enum ParseError {
    Syntax {
        message: &'static str,
        offset: usize,
    },
    Python(PyErr),
}

impl From<PyErr> for ParseError {
    fn from(err: PyErr) -> Self {
        ParseError::Python(err)
    }
}

/// Keys repeat within a session (`{"sku": …, "qty": …}` in every item of a
/// cart) and across requests (every session has the same few keys): a key
/// seen before is the same `str` object again, neither allocated nor hashed
/// (a str caches its hash). The cache is per thread, so it needs no lock,
/// and lives as long as the thread; keys longer than a name are not kept.
const KEY_CACHE_SLOTS: usize = 512;
const _: () = assert!(KEY_CACHE_SLOTS.is_power_of_two());
const KEY_CACHE_MAX_LEN: usize = 32;

type KeySlot = Option<(Box<str>, Py<PyString>)>;

thread_local! {
    static KEY_CACHE: RefCell<Box<[KeySlot]>> =
        RefCell::new((0..KEY_CACHE_SLOTS).map(|_| None).collect());
}

/// The cache slot of a key: its first and last eight bytes and its length,
/// mixed by one multiplication (a byte-by-byte hash is a chain of
/// multiplications, slow for how little it has to spread). Keys that
/// collide still compare in full; they only share a slot.
fn key_slot(key: &[u8]) -> usize {
    // Overlapping loads cover every byte of a key of up to 8 bytes, and
    // the first and last eight of a longer one (as wyhash reads its input).
    let u32_at = |at: usize| u64::from(u32::from_le_bytes(key[at..at + 4].try_into().expect("4")));
    let u64_at = |at: usize| u64::from_le_bytes(key[at..at + 8].try_into().expect("8"));
    let n = key.len();
    let (head, tail) = match n {
        0 => (0, 0),
        1..=3 => (
            u64::from(key[0]) << 16 | u64::from(key[n / 2]) << 8 | u64::from(key[n - 1]),
            0,
        ),
        4..=8 => (u32_at(0), u32_at(n - 4)),
        _ => (u64_at(0), u64_at(n - 8)),
    };
    let mixed = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // The top bits are the best mixed.
    (mixed >> (64 - KEY_CACHE_SLOTS.trailing_zeros())) as usize
}

struct Builder<'py, 'c> {
    py: Python<'py>,
    keys: &'c mut [KeySlot],
}

impl<'py> Builder<'py, '_> {
    fn key(&mut self, key: Text<'_>) -> PyResult<Bound<'py, PyString>> {
        let text = match key {
            Text::Str(text) if text.len() <= KEY_CACHE_MAX_LEN && !self.keys.is_empty() => text,
            other => {
                return string(self.py, other)?
                    .cast_into::<PyString>()
                    .map_err(Into::into)
            }
        };
        let slot = &mut self.keys[key_slot(text.as_bytes())];
        if let Some((cached_text, cached)) = slot {
            if **cached_text == *text {
                return Ok(cached.bind(self.py).clone());
            }
        }
        let fresh = PyString::new(self.py, &text);
        *slot = Some((text.as_ref().into(), fresh.clone().unbind()));
        Ok(fresh)
    }
}

fn string<'py>(py: Python<'py>, text: Text<'_>) -> PyResult<Bound<'py, PyAny>> {
    match text {
        Text::Str(s) if s.is_ascii() => {
            // ASCII is its own Latin-1, and CPython's Latin-1 decoder (a
            // scan for the widest character, then memcpy) does a little
            // less than its UTF-8 one (callgrind: -2 % for a 3.5 KB text).
            // SAFETY: the pointer and length are those of `s`, which
            // outlives the call; NULL errors is "strict"; the returned new
            // reference (or NULL with an exception set) is owned by Bound.
            unsafe {
                let ptr = pyo3::ffi::PyUnicode_DecodeLatin1(
                    s.as_ptr().cast::<c_char>(),
                    s.len() as pyo3::ffi::Py_ssize_t,
                    std::ptr::null(),
                );
                Bound::from_owned_ptr_or_err(py, ptr)
            }
        }
        Text::Str(s) => Ok(PyString::new(py, &s).into_any()),
        Text::Utf16(units) => {
            let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            let mut little_endian: c_int = -1;
            // SAFETY: `bytes` outlives the call, the length is its own, the
            // errors name is a NUL-terminated literal, and the returned new
            // reference (or NULL with an exception set) is owned by Bound.
            unsafe {
                let ptr = pyo3::ffi::PyUnicode_DecodeUTF16(
                    bytes.as_ptr().cast::<c_char>(),
                    bytes.len() as pyo3::ffi::Py_ssize_t,
                    c"surrogatepass".as_ptr(),
                    &mut little_endian,
                );
                Bound::from_owned_ptr_or_err(py, ptr)
            }
        }
    }
}

impl<'py> Sink for Builder<'py, '_> {
    type Value = Bound<'py, PyAny>;
    type Array = Vec<Bound<'py, PyAny>>;
    type Object = Bound<'py, PyDict>;
    type Error = ParseError;

    fn null(&mut self) -> Result<Self::Value, ParseError> {
        Ok(self.py.None().into_bound(self.py))
    }

    fn boolean(&mut self, value: bool) -> Result<Self::Value, ParseError> {
        Ok(pyo3::types::PyBool::new(self.py, value)
            .to_owned()
            .into_any())
    }

    fn integer(&mut self, literal: &str) -> Result<Self::Value, ParseError> {
        if let Some(small) = json::small_integer(literal).or_else(|| literal.parse::<i64>().ok()) {
            return Ok(small.into_pyobject(self.py).expect("infallible").into_any());
        }
        Ok(self.py.get_type::<PyInt>().call1((literal,))?)
    }

    fn float(&mut self, value: f64) -> Result<Self::Value, ParseError> {
        Ok(value.into_pyobject(self.py).expect("infallible").into_any())
    }

    fn string(&mut self, text: Text<'_>) -> Result<Self::Value, ParseError> {
        Ok(string(self.py, text)?)
    }

    fn array(&mut self) -> Result<Self::Array, ParseError> {
        Ok(Vec::new())
    }

    fn push(&mut self, array: &mut Self::Array, value: Self::Value) -> Result<(), ParseError> {
        array.push(value);
        Ok(())
    }

    fn finish_array(&mut self, array: Self::Array) -> Result<Self::Value, ParseError> {
        Ok(PyList::new(self.py, array)?.into_any())
    }

    fn object(&mut self) -> Result<Self::Object, ParseError> {
        Ok(PyDict::new(self.py))
    }

    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: Text<'_>,
        value: Self::Value,
    ) -> Result<(), ParseError> {
        let key = self.key(key)?;
        object.set_item(key, value)?;
        Ok(())
    }

    fn finish_object(&mut self, object: Self::Object) -> Result<Self::Value, ParseError> {
        Ok(object.into_any())
    }

    fn syntax_error(&mut self, message: &'static str, offset: usize) -> ParseError {
        ParseError::Syntax { message, offset }
    }
}

pub fn parse<'py>(py: Python<'py>, text: &str) -> Result<Bound<'py, PyAny>, ParseError> {
    KEY_CACHE.with(|cache| match cache.try_borrow_mut() {
        Ok(mut keys) => json::parse(
            text,
            &mut Builder {
                py,
                keys: &mut keys,
            },
        ),
        // Re-entered on this thread (a finalizer run by an allocation of
        // the outer parse): parse without the cache.
        Err(_) => json::parse(text, &mut Builder { py, keys: &mut [] }),
    })
}
