// SPDX-License-Identifier: MIT
//! Python objects to the JSON text `JSON.stringify` would write for the
//! same JavaScript value, refusing anything that is not plain JSON with
//! the path of the offending value (`data["at"] is a datetime`).

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::json::{self, MAX_DEPTH};

/// One step of the path to a refused value, collected while the error
/// unwinds so that a successful walk pays nothing for it.
enum Step {
    Key(String),
    Index(usize),
}

/// Why a value was refused, and where.
pub struct Refusal {
    path: Vec<Step>,
    problem: String,
}

impl Refusal {
    fn new(problem: String) -> Self {
        Refusal {
            path: Vec::new(),
            problem,
        }
    }

    fn at(mut self, step: Step) -> Self {
        self.path.push(step);
        self
    }

    /// `data["user"]["tags"][2] is a set; use a list` (`root` names the
    /// top-level value).
    pub fn describe(&self, root: &str) -> String {
        let mut where_ = root.to_owned();
        for step in self.path.iter().rev() {
            match step {
                Step::Key(key) => {
                    let mut quoted = Vec::new();
                    json::write_str(&mut quoted, key);
                    where_.push('[');
                    where_.push_str(&String::from_utf8_lossy(&quoted));
                    where_.push(']');
                }
                Step::Index(i) => where_.push_str(&format!("[{i}]")),
            }
        }
        format!("{where_} {}", self.problem)
    }
}

pub enum WriteError {
    Refused(Refusal),
    Python(PyErr),
}

impl From<PyErr> for WriteError {
    fn from(err: PyErr) -> Self {
        WriteError::Python(err)
    }
}

type Result<T> = std::result::Result<T, WriteError>;

fn refuse<T>(problem: String) -> Result<T> {
    Err(WriteError::Refused(Refusal::new(problem)))
}

fn with_step<T>(result: Result<T>, step: impl FnOnce() -> Step) -> Result<T> {
    result.map_err(|err| match err {
        WriteError::Refused(refusal) => WriteError::Refused(refusal.at(step())),
        other => other,
    })
}

/// Writes `value` as JSON text into `out`.
pub fn write_value(out: &mut Vec<u8>, value: &Bound<'_, PyAny>) -> Result<()> {
    write(out, value, 0)
}

fn write(out: &mut Vec<u8>, value: &Bound<'_, PyAny>, depth: usize) -> Result<()> {
    // Exact types first: they are what sessions hold, and each check is a
    // pointer comparison (the subclass checks below are calls into Python).
    if let Ok(text) = value.cast_exact::<PyString>() {
        return write_string(out, text);
    }
    if value.is_exact_instance_of::<PyInt>() {
        return write_int(out, value);
    }
    if let Ok(dict) = value.cast_exact::<PyDict>() {
        return write_dict(out, dict, depth);
    }
    if let Ok(list) = value.cast_exact::<PyList>() {
        return write_array(out, list.iter(), depth);
    }
    if let Ok(flag) = value.cast_exact::<PyBool>() {
        out.extend_from_slice(if flag.is_true() { b"true" } else { b"false" });
        return Ok(());
    }
    if value.is_none() {
        out.extend_from_slice(b"null");
        return Ok(());
    }
    // The rest in the order of a full type check: a class deriving from
    // several of these is written as the first one listed.
    if let Ok(dict) = value.cast::<PyDict>() {
        return write_dict(out, dict, depth);
    }
    if let Ok(list) = value.cast::<PyList>() {
        return write_array(out, list.iter(), depth);
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        let number = float.value();
        if !number.is_finite() {
            let what = if number.is_nan() { "NaN" } else { "infinite" };
            return refuse(format!(
                "is {what}, which JSON cannot hold; store None or a string"
            ));
        }
        json::write_f64(out, number);
        return Ok(());
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return write_array(out, tuple.iter(), depth);
    }
    // Subclasses of str and int (StrEnum, IntEnum, ...) are written as the
    // plain value they hold, as json.dumps does.
    if let Ok(text) = value.cast::<PyString>() {
        return write_string(out, text);
    }
    if value.is_instance_of::<PyInt>() {
        return write_int(out, value);
    }
    refuse(describe_type(value))
}

fn describe_type(value: &Bound<'_, PyAny>) -> String {
    let name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    let hint = match name.as_str() {
        "datetime" | "date" | "time" => "store a timestamp (time.time()) or an ISO string",
        "set" | "frozenset" => "store a list",
        "bytes" | "bytearray" | "memoryview" => "decode it to a str (e.g. base64)",
        "Decimal" | "Fraction" | "complex" => "store a str or a float",
        _ => "store plain JSON values only: dict, list, str, int, float, bool or None",
    };
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("is {article} {name}, which is not plain JSON; {hint}")
}

fn write_string(out: &mut Vec<u8>, text: &Bound<'_, PyString>) -> Result<()> {
    match text.to_str() {
        Ok(utf8) => json::write_str(out, utf8),
        // Only strings holding lone surrogates fail to encode as UTF-8;
        // JavaScript strings can hold them too, and JSON.stringify escapes
        // them, so go through UTF-16.
        Err(_) => json::write_utf16(out, &utf16_units(text)?),
    }
    Ok(())
}

fn utf16_units(text: &Bound<'_, PyString>) -> PyResult<Vec<u16>> {
    let encoded = text.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
    let bytes = encoded.cast::<PyBytes>()?.as_bytes();
    Ok(bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect())
}

/// Integers are written with all their digits: Python keeps them exact, and
/// for any integer a JavaScript number can hold this is the text
/// `JSON.stringify` writes.
fn write_int(out: &mut Vec<u8>, value: &Bound<'_, PyAny>) -> Result<()> {
    if let Ok(small) = value.extract::<i64>() {
        let mut buffer = [0u8; 20];
        out.extend_from_slice(json::format_i64(&mut buffer, small));
        return Ok(());
    }
    let py = value.py();
    let exact = py.get_type::<PyInt>().call1((value,))?;
    match exact.str() {
        Ok(text) => out.extend_from_slice(text.to_str()?.as_bytes()),
        // Longer than sys.get_int_max_str_digits() allows as text: the
        // reader of a process with the default limit could not read it
        // back either.
        Err(err) if err.is_instance_of::<PyValueError>(py) => {
            return refuse(
                "is an int with more digits than Python writes as text \
                 (sys.get_int_max_str_digits()); store it as a str"
                    .to_owned(),
            );
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

fn enter(depth: usize) -> Result<usize> {
    if depth >= MAX_DEPTH {
        return refuse(format!(
            "is nested deeper than {MAX_DEPTH} levels (does it contain itself?)"
        ));
    }
    Ok(depth + 1)
}

fn write_array<'py>(
    out: &mut Vec<u8>,
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    depth: usize,
) -> Result<()> {
    let depth = enter(depth)?;
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        with_step(write(out, &item, depth), || Step::Index(i))?;
    }
    out.push(b']');
    Ok(())
}

/// A dict's members, one at a time, as CPython's own dict iterator gives
/// them. PyO3's iterator panics when the dict changes while it is walked,
/// and the writer runs Python code between members (a str subclass's
/// `encode`, an int subclass's `__int__`, a `__repr__`, a finalizer, or
/// another thread while that code has released the GIL), which can change
/// it: here that is the RuntimeError CPython raises, never a panic.
struct Members<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    position: ffi::Py_ssize_t,
    len: usize,
    remaining: usize,
}

fn dict_members<'a, 'py>(dict: &'a Bound<'py, PyDict>) -> Members<'a, 'py> {
    let len = dict.len();
    Members {
        dict,
        position: 0,
        len,
        remaining: len,
    }
}

impl<'py> Iterator for Members<'_, 'py> {
    type Item = PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.dict.len() != self.len {
            return Some(Err(PyRuntimeError::new_err(
                "dictionary changed size during iteration",
            )));
        }
        let (mut key, mut value) = (std::ptr::null_mut(), std::ptr::null_mut());
        let py = self.dict.py();
        // SAFETY: the GIL is held (`py`), and on a free-threaded build the
        // dict is locked for the call; `PyDict_Next` bounds `position` by
        // the dict's current table whatever happened to it, and returns
        // borrowed references, which are made owned at once.
        let found = pyo3::sync::critical_section::with_critical_section(self.dict, || unsafe {
            ffi::PyDict_Next(self.dict.as_ptr(), &mut self.position, &mut key, &mut value) != 0
        });
        if !found {
            return None;
        }
        // Same size but more members than it had: keys were replaced.
        let Some(remaining) = self.remaining.checked_sub(1) else {
            return Some(Err(PyRuntimeError::new_err(
                "dictionary keys changed during iteration",
            )));
        };
        self.remaining = remaining;
        // SAFETY: non-null borrowed references from `PyDict_Next`, still
        // held by the dict (nothing ran since the call).
        unsafe {
            Some(Ok((
                Bound::from_borrowed_ptr(py, key),
                Bound::from_borrowed_ptr(py, value),
            )))
        }
    }
}

/// A dict key as JavaScript sees it: str as is, int as its decimal text.
enum Key<'py> {
    Str(Bound<'py, PyString>),
    Int(String),
}

impl Key<'_> {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Key::Str(s) => s.to_str().map_or_else(
                |_| std::borrow::Cow::Owned(s.to_string_lossy().into_owned()),
                std::borrow::Cow::Borrowed,
            ),
            Key::Int(text) => std::borrow::Cow::Borrowed(text),
        }
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        match self {
            Key::Str(s) => write_string(out, s),
            Key::Int(text) => {
                json::write_str(out, text);
                Ok(())
            }
        }
    }
}

fn classify_key<'py>(key: Bound<'py, PyAny>) -> Result<Key<'py>> {
    // An exact str (nearly every key) is one pointer comparison; the
    // subclass check below is a call into the C API.
    let key = match key.cast_into_exact::<PyString>() {
        Ok(text) => return Ok(Key::Str(text)),
        Err(not_exact) => not_exact.into_inner(),
    };
    let key = match key.cast_into::<PyString>() {
        Ok(text) => return Ok(Key::Str(text)),
        Err(not_str) => not_str.into_inner(),
    };
    if key.is_instance_of::<PyInt>() && !key.is_instance_of::<PyBool>() {
        let mut text = Vec::new();
        write_int(&mut text, &key)?;
        return Ok(Key::Int(String::from_utf8(text).expect("digits are ASCII")));
    }
    let shown = key
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    let name = key
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    refuse(format!(
        "has the key {shown} (a {name}); JSON object keys must be str (or int, written as text)"
    ))
}

/// What writing a key found about it.
enum KeyKind {
    Plain,
    /// An int key, written as its text: `{1: …, "1": …}` must be checked.
    Int,
    /// Text that JavaScript orders first; nothing was written.
    ArrayIndex,
}

/// Writes a dict key as its quoted text.
fn write_key(out: &mut Vec<u8>, key: &Bound<'_, PyAny>) -> Result<KeyKind> {
    // An exact str of UTF-8 text (nearly every key) is written from its
    // text at once: no `Key` is built, nor a reference taken.
    if let Ok(text) = key.cast_exact::<PyString>() {
        if let Ok(utf8) = text.to_str() {
            if json::is_array_index(utf8).is_some() {
                return Ok(KeyKind::ArrayIndex);
            }
            json::write_str(out, utf8);
            return Ok(KeyKind::Plain);
        }
    }
    let key = classify_key(key.clone())?;
    let text = key.text();
    if json::is_array_index(&text).is_some() {
        return Ok(KeyKind::ArrayIndex);
    }
    match &text {
        // Already UTF-8: no second trip into Python for the same text.
        std::borrow::Cow::Borrowed(utf8) => json::write_str(out, utf8),
        std::borrow::Cow::Owned(_) => key.write(out)?,
    }
    Ok(match key {
        Key::Int(_) => KeyKind::Int,
        Key::Str(_) => KeyKind::Plain,
    })
}

fn write_dict(out: &mut Vec<u8>, dict: &Bound<'_, PyDict>, depth: usize) -> Result<()> {
    let depth = enter(depth)?;
    let start = out.len();
    // Common case: no integer-like key, so JavaScript keeps insertion order
    // and the members can be written as they come.
    out.push(b'{');
    let mut first = true;
    let mut saw_int_key = false;
    for member in dict_members(dict) {
        let (key, value) = member?;
        if !first {
            out.push(b',');
        }
        first = false;
        match write_key(out, &key)? {
            KeyKind::Plain => {}
            KeyKind::Int => saw_int_key = true,
            KeyKind::ArrayIndex => {
                out.truncate(start);
                return write_dict_ordered(out, dict, depth);
            }
        }
        out.push(b':');
        with_step(write(out, &value, depth), || {
            Step::Key(
                classify_key(key).map_or_else(|_| String::new(), |key| key.text().into_owned()),
            )
        })?;
    }
    out.push(b'}');
    if saw_int_key {
        check_distinct_keys(dict)?;
    }
    Ok(())
}

/// JavaScript property order: array-index keys first in ascending order,
/// then the other keys in insertion order.
fn write_dict_ordered(out: &mut Vec<u8>, dict: &Bound<'_, PyDict>, depth: usize) -> Result<()> {
    let mut members: Vec<(Option<u32>, Key<'_>, Bound<'_, PyAny>)> = Vec::with_capacity(dict.len());
    for member in dict_members(dict) {
        let (key, value) = member?;
        let key = classify_key(key)?;
        members.push((json::is_array_index(&key.text()), key, value));
    }
    // Stable sort: indices ascending, everything else after, in order.
    members.sort_by_key(|(index, _, _)| index.map_or(u64::MAX, u64::from));
    check_distinct_keys(dict)?;
    out.push(b'{');
    for (i, (_, key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        key.write(out)?;
        out.push(b':');
        with_step(write(out, value, depth), || {
            Step::Key(key.text().into_owned())
        })?;
    }
    out.push(b'}');
    Ok(())
}

/// `{1: "a", "1": "b"}` would write the key "1" twice and lose a value.
fn check_distinct_keys(dict: &Bound<'_, PyDict>) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(dict.len());
    for key in dict.keys() {
        let key = classify_key(key)?;
        let text = key.text().into_owned();
        if !seen.insert(text.clone()) {
            return refuse(format!(
                "has the key {text:?} twice (an int and a str spell the same JSON key)"
            ));
        }
    }
    Ok(())
}
