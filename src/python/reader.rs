// SPDX-License-Identifier: MIT
//! JSON text to Python objects, with `JSON.parse`'s grammar: integers stay
//! `int` (exact, however large), other numbers are `float`, and strings may
//! carry the lone surrogates that `\uXXXX` escapes can spell.

use std::cell::RefCell;
use std::os::raw::{c_char, c_int};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyString};

use crate::json::{self, Sink, Text};

pub enum ParseError {
    Syntax {
        message: &'static str,
        offset: usize,
    },
    /// Valid JSON that is not read, and why: nested deeper than the
    /// parser goes, or a number Python cannot hold as the writer would
    /// write it again.
    Unreadable(&'static str),
    Python(PyErr),
}

/// An integer literal longer than `int()` converts (CPython's
/// `sys.get_int_max_str_digits()`, 4300 digits by default).
pub const LONG_INTEGER: &str =
    "the JSON holds an integer longer than Python reads (sys.get_int_max_str_digits())";
/// A number beyond a double's range (`1e400`): `JSON.parse` reads it as
/// Infinity, which no JSON text can hold, so the next save would fail.
pub const INFINITE_NUMBER: &str = "the JSON holds a number beyond the range of a float";

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

/// A cached key: its text, its `str`, and the summary `KeyWords::of` makes
/// of the text, which picks the slot and, for a key of up to 16 bytes
/// (every byte of it is in the summary), is the whole comparison.
struct CachedKey {
    words: KeyWords,
    text: Box<str>,
    key: Py<PyString>,
}

type KeySlot = Option<CachedKey>;

/// What a parse reuses from the thread's previous ones.
struct Scratch {
    keys: Box<[KeySlot]>,
    /// Empty between parses; kept for its allocation (see `Builder`).
    pending: Vec<Py<PyAny>>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        keys: (0..KEY_CACHE_SLOTS).map(|_| None).collect(),
        pending: Vec::new(),
    });
}

/// A key's first and last eight bytes and its length.
#[derive(Clone, Copy, PartialEq, Eq)]
struct KeyWords {
    head: u64,
    tail: u64,
    len: usize,
}

impl KeyWords {
    fn of(key: &[u8]) -> Self {
        // Overlapping loads cover every byte of a key of up to 16 bytes
        // (as wyhash reads its input), and the first and last eight of a
        // longer one.
        let u32_at =
            |at: usize| u64::from(u32::from_le_bytes(key[at..at + 4].try_into().expect("4")));
        let u64_at = |at: usize| u64::from_le_bytes(key[at..at + 8].try_into().expect("8"));
        let len = key.len();
        let (head, tail) = match len {
            0 => (0, 0),
            1..=3 => (
                u64::from(key[0]) << 16 | u64::from(key[len / 2]) << 8 | u64::from(key[len - 1]),
                0,
            ),
            4..=8 => (u32_at(0), u32_at(len - 4)),
            _ => (u64_at(0), u64_at(len - 8)),
        };
        KeyWords { head, tail, len }
    }

    /// Whether equal words mean equal keys: every byte is in them.
    fn whole(self) -> bool {
        self.len <= 16
    }

    /// The cache slot: the words mixed by one multiplication (a
    /// byte-by-byte hash is a chain of multiplications, slow for how little
    /// it has to spread). Keys that collide only share a slot.
    fn slot(self) -> usize {
        let mixed = (self.head ^ self.tail.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // The top bits are the best mixed.
        (mixed >> (64 - KEY_CACHE_SLOTS.trailing_zeros())) as usize
    }
}

/// The most entries a thread's `pending` keeps room for between parses,
/// so that one huge session does not pin its memory.
const PENDING_KEPT: usize = 4096;

struct Builder<'py, 'c> {
    py: Python<'py>,
    keys: &'c mut [KeySlot],
    /// The items of the arrays being read, innermost last: an array takes
    /// its own off the end when it closes, and is then made at its size.
    /// One vector for all arrays, reused by the thread's parses, so that a
    /// parse does not allocate one per array. (An object's members go
    /// straight into its dict.)
    pending: &'c mut Vec<Py<PyAny>>,
}

impl<'py> Builder<'py, '_> {
    /// Sets `dict[key] = value`, the key taken from the thread's cache when
    /// it is there: lent to the dict, which takes its own reference, so a
    /// cached key costs no reference count of ours.
    fn set_member(
        &mut self,
        dict: &Bound<'py, PyDict>,
        key: Text<'_>,
        value: Bound<'py, PyAny>,
    ) -> PyResult<()> {
        let text = match key {
            Text::Str(text) if text.len() <= KEY_CACHE_MAX_LEN && !self.keys.is_empty() => text,
            other => return dict.set_item(string(self.py, other)?, value),
        };
        let words = KeyWords::of(text.as_bytes());
        let slot = &mut self.keys[words.slot()];
        let cached = match slot {
            Some(cached) if cached.words == words && (words.whole() || *cached.text == *text) => {
                cached
            }
            _ => slot.insert(CachedKey {
                words,
                text: text.as_ref().into(),
                key: PyString::new(self.py, &text).unbind(),
            }),
        };
        // Lent, not cloned: the dict takes its own reference.
        dict.set_item(cached.key.bind(self.py), value)?;
        Ok(())
    }
}

fn string<'py>(py: Python<'py>, text: Text<'_>) -> PyResult<Bound<'py, PyAny>> {
    match text {
        Text::Str(s) => Ok(PyString::new(py, &s).into_any()),
        Text::Utf16(units) => utf16_string(py, &units),
    }
}

/// A str from UTF-16 code units that may hold lone surrogates.
#[cold]
fn utf16_string<'py>(py: Python<'py>, units: &[u16]) -> PyResult<Bound<'py, PyAny>> {
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let mut little_endian: c_int = -1;
    // SAFETY: `bytes` outlives the call, the length is its own, the errors
    // name is a NUL-terminated literal, and the returned new reference (or
    // NULL with an exception set) is owned by Bound.
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

impl<'py> Sink for Builder<'py, '_> {
    type Value = Bound<'py, PyAny>;
    /// Where the array's items start in `pending`.
    type Array = usize;
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
        match self.py.get_type::<PyInt>().call1((literal,)) {
            Ok(int) => Ok(int),
            Err(err) if err.is_instance_of::<PyValueError>(self.py) => {
                Err(ParseError::Unreadable(LONG_INTEGER))
            }
            Err(err) => Err(err.into()),
        }
    }

    fn float(&mut self, value: f64) -> Result<Self::Value, ParseError> {
        if !value.is_finite() {
            return Err(ParseError::Unreadable(INFINITE_NUMBER));
        }
        Ok(value.into_pyobject(self.py).expect("infallible").into_any())
    }

    fn string(&mut self, text: Text<'_>) -> Result<Self::Value, ParseError> {
        Ok(string(self.py, text)?)
    }

    fn array(&mut self) -> Result<Self::Array, ParseError> {
        Ok(self.pending.len())
    }

    fn push(&mut self, _: &mut Self::Array, value: Self::Value) -> Result<(), ParseError> {
        self.pending.push(value.unbind());
        Ok(())
    }

    fn finish_array(&mut self, start: Self::Array) -> Result<Self::Value, ParseError> {
        let items = self
            .pending
            .drain(start..)
            .map(|item| item.into_bound(self.py));
        Ok(PyList::new(self.py, items)?.into_any())
    }

    fn object(&mut self) -> Result<Self::Object, ParseError> {
        Ok(PyDict::new(self.py))
    }

    /// Each member goes in as it is read, so a repeated key keeps its last
    /// value.
    fn insert(
        &mut self,
        dict: &mut Self::Object,
        key: Text<'_>,
        value: Self::Value,
    ) -> Result<(), ParseError> {
        Ok(self.set_member(dict, key, value)?)
    }

    fn finish_object(&mut self, dict: Self::Object) -> Result<Self::Value, ParseError> {
        Ok(dict.into_any())
    }

    fn syntax_error(&mut self, message: &'static str, offset: usize) -> ParseError {
        ParseError::Syntax { message, offset }
    }

    fn too_deep(&mut self, _: usize) -> ParseError {
        ParseError::Unreadable(json::TOO_DEEP)
    }
}

pub fn parse<'py>(py: Python<'py>, text: &str) -> Result<Bound<'py, PyAny>, ParseError> {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            let Scratch { keys, pending } = &mut *scratch;
            let builder = &mut Builder { py, keys, pending };
            let parsed = json::parse(text, builder);
            // What a syntax error left behind is released now, not kept.
            builder.pending.clear();
            builder.pending.shrink_to(PENDING_KEPT);
            parsed
        }
        // Re-entered on this thread (a finalizer run by an allocation of
        // the outer parse): parse without the scratch.
        Err(_) => json::parse(
            text,
            &mut Builder {
                py,
                keys: &mut [],
                pending: &mut Vec::new(),
            },
        ),
    })
}
