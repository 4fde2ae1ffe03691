// SPDX-License-Identifier: MIT
//! The reader's dicts and ASCII strings, allocated at their final size.
//!
//! The limited API this abi3 module is built against builds both the long
//! way. A dict starts with room for five keys and is rebuilt when the sixth
//! arrives: a typical session (six or more keys) paid a second table, the
//! rehash of the first five and the free of the first. An ASCII `str` comes
//! from a decoder, which scans the bytes for the widest character before
//! copying them. Two CPython functions outside the limited API do it
//! directly: `_PyDict_NewPresized(n)` allocates the right table at once,
//! and `PyUnicode_New(len, 127)` an ASCII string whose bytes the caller
//! fills. `from_json` of the 100 B session, in-process A/B: the dicts
//! -7.6 % (with the reader's entry stack that lets a dict be made once its
//! members are counted), the strings a further -5 % (-10 % at 3.5 KB).
//!
//! Both have been exported (`PyAPI_FUNC`) with the same signatures from
//! 3.10 through 3.14 (their `Include/cpython/dictobject.h` and
//! `unicodeobject.h`), so they are looked up by name at run time on those
//! versions only, and the string is filled through the pointer
//! `PyUnicode_AsUTF8AndSize` gives (for an ASCII string, its own bytes)
//! only after a probe string shows that this reaches the string's text.
//! The one wheel still loads everywhere; where a lookup or the probe fails
//! (Windows, where the lookup is not done; an interpreter embedded without
//! exporting its symbols; a newer CPython), objects are built the long way.
//! The objects are the same either way.

use std::os::raw::c_char;

use pyo3::ffi::{PyObject, Py_ssize_t};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// The CPython versions whose headers were read for the signatures below.
const CHECKED_VERSIONS: std::ops::RangeInclusive<u8> = 10..=14;

/// The keys a new dict has room for (CPython's `USABLE_FRACTION` of its
/// smallest table, 8 slots, since 3.6); `_PyDict_NewPresized` returns a
/// plain new dict up to it, so it is not worth the call.
const NEW_DICT_ROOM: usize = 5;

type NewPresizedDict = unsafe extern "C" fn(Py_ssize_t) -> *mut PyObject;
type NewUnicode = unsafe extern "C" fn(Py_ssize_t, u32) -> *mut PyObject;

#[derive(Clone, Copy)]
struct Constructors {
    new_presized_dict: NewPresizedDict,
    new_unicode: NewUnicode,
}

/// Makes the reader's dicts and ASCII strings; looks the constructors up
/// once, when made (one per parse).
#[derive(Clone, Copy)]
pub struct Alloc<'py> {
    py: Python<'py>,
    found: Option<Constructors>,
}

impl<'py> Alloc<'py> {
    pub fn new(py: Python<'py>) -> Self {
        static FOUND: PyOnceLock<Option<Constructors>> = PyOnceLock::new();
        let found = *FOUND.get_or_init(py, || lookup(py));
        Alloc { py, found }
    }

    pub fn py(self) -> Python<'py> {
        self.py
    }

    /// Whether the constructors were found (`_core._FAST_CONSTRUCTORS`,
    /// which tests check where it should hold, so that a failed lookup
    /// cannot go unnoticed).
    pub fn fast(self) -> bool {
        self.found.is_some()
    }

    /// An empty dict with room for `members` keys.
    pub fn dict(self, members: usize) -> PyResult<Bound<'py, PyDict>> {
        let py = self.py;
        let (Some(found), true) = (self.found, members > NEW_DICT_ROOM) else {
            return Ok(PyDict::new(py));
        };
        let members = Py_ssize_t::try_from(members).unwrap_or(Py_ssize_t::MAX);
        // SAFETY: `new_presized_dict` is CPython's `_PyDict_NewPresized`
        // (found by name on a version whose signature was checked), called
        // with the GIL held (`py`). It returns a new reference to an exact
        // dict, or NULL with an exception set; `from_owned_ptr_or_err`
        // takes either.
        unsafe {
            Bound::from_owned_ptr_or_err(py, (found.new_presized_dict)(members))
                .map(|dict| dict.cast_into_unchecked::<PyDict>())
        }
    }

    /// A `str` of `text`, which must be ASCII.
    pub fn ascii_str(self, text: &str) -> PyResult<Bound<'py, PyAny>> {
        debug_assert!(text.is_ascii());
        // One character or none: the decoder returns CPython's shared
        // single-character (or empty) string without allocating.
        let (Some(found), true) = (self.found, text.len() > 1) else {
            return decode_ascii(self.py, text);
        };
        // SAFETY: `new_unicode` is CPython's `PyUnicode_New` (found by name
        // on a version whose signature was checked, and probed), called
        // with the GIL held. `fill` writes exactly `text.len()` bytes into
        // the string it returns, before anything else can see it.
        unsafe { fill(self.py, found.new_unicode, text.as_bytes()) }
    }
}

fn decode_ascii<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    // ASCII is its own Latin-1, and CPython's Latin-1 decoder (a scan for
    // the widest character, then memcpy) does a little less than its
    // UTF-8 one.
    // SAFETY: the pointer and length are those of `text`, which outlives
    // the call; NULL errors is "strict"; the returned new reference (or
    // NULL with an exception set) is owned by Bound.
    unsafe {
        let ptr = pyo3::ffi::PyUnicode_DecodeLatin1(
            text.as_ptr().cast::<c_char>(),
            text.len() as Py_ssize_t,
            std::ptr::null(),
        );
        Bound::from_owned_ptr_or_err(py, ptr)
    }
}

/// A new ASCII `str` holding `bytes` (all ASCII).
///
/// # Safety
/// `new_unicode` must be CPython's `PyUnicode_New`, on an interpreter where
/// `probe` succeeded, and the GIL must be held.
unsafe fn fill<'py>(
    py: Python<'py>,
    new_unicode: NewUnicode,
    bytes: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY (whole body): `PyUnicode_New(len, 127)` returns a new compact
    // ASCII string of `len` characters (or NULL with an exception set),
    // owned by the Bound at once. For such a string,
    // `PyUnicode_AsUTF8AndSize` returns the string's own bytes and length
    // (its UTF-8 is its text), which `probe` checked on this interpreter;
    // no one else holds the string yet, so writing them is its
    // initialisation, as `PyUnicode_New`'s contract expects of the caller.
    unsafe {
        let string = Bound::from_owned_ptr_or_err(py, new_unicode(bytes.len() as Py_ssize_t, 127))?;
        let mut len: Py_ssize_t = 0;
        let data = pyo3::ffi::PyUnicode_AsUTF8AndSize(string.as_ptr(), &mut len);
        if data.is_null() {
            return Err(PyErr::fetch(py));
        }
        debug_assert_eq!(len as usize, bytes.len());
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), data.cast_mut().cast::<u8>(), bytes.len());
        Ok(string)
    }
}

fn lookup(py: Python<'_>) -> Option<Constructors> {
    let version = py.version_info();
    let cpython = py
        .import("sys")
        .and_then(|sys| {
            sys.getattr("implementation")?
                .getattr("name")?
                .extract::<String>()
        })
        .is_ok_and(|name| name == "cpython");
    if !cpython || version.major != 3 || !CHECKED_VERSIONS.contains(&version.minor) {
        return None;
    }
    // SAFETY: the names are those of functions whose signatures on these
    // versions are the types they are read as.
    let found = unsafe {
        Constructors {
            new_presized_dict: std::mem::transmute::<Symbol, NewPresizedDict>(find_symbol(
                c"_PyDict_NewPresized",
            )?),
            new_unicode: std::mem::transmute::<Symbol, NewUnicode>(find_symbol(c"PyUnicode_New")?),
        }
    };
    probe(py, found.new_unicode).then_some(found)
}

/// Whether filling a new string through `PyUnicode_AsUTF8AndSize`'s
/// pointer writes its text here: a string filled so must equal the text.
fn probe(py: Python<'_>, new_unicode: NewUnicode) -> bool {
    const TEXT: &[u8] = b"iron_fast probe";
    // SAFETY: the GIL is held; `fill` writes as many bytes as
    // `PyUnicode_AsUTF8AndSize` reported through the pointer it returned,
    // memory the string owns whichever buffer that is; the comparison then
    // tells whether it was the string's text.
    let Ok(string) = (unsafe { fill(py, new_unicode, TEXT) }) else {
        return false;
    };
    string
        .extract::<String>()
        .is_ok_and(|text| text.as_bytes() == TEXT)
}

type Symbol = *mut std::ffi::c_void;

#[cfg(unix)]
fn find_symbol(name: &std::ffi::CStr) -> Option<Symbol> {
    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only reads;
    // the result is the address of the exported symbol, or NULL.
    let address = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    (!address.is_null()).then_some(address)
}

#[cfg(not(unix))]
fn find_symbol(_: &std::ffi::CStr) -> Option<Symbol> {
    None
}
