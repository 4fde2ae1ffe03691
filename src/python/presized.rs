// SPDX-License-Identifier: MIT
//! A `dict` allocated for the number of members it is about to hold.
//!
//! A dict starts with room for five keys and is rebuilt when the sixth
//! arrives: a typical session (six or more keys) paid a second table, the
//! rehash of the first five and the free of the first table, 8 % of
//! `from_json` of the 100 B session (callgrind, 5414 -> 4990 instructions;
//! 0.63 -> 0.59 µs). CPython's `_PyDict_NewPresized` allocates the right
//! table at once, but it is not in the limited API this abi3 module is
//! built against. It has been exported (`PyAPI_FUNC`) with the same
//! signature, `PyObject *(Py_ssize_t)`, from 3.10 through 3.14 (their
//! `Include/cpython/dictobject.h`), so it is looked up by name at run time
//! on those versions only: the one wheel still loads everywhere, and where
//! the symbol or the version is not one of those (Windows, where the
//! lookup is not done; an interpreter embedded without exporting its
//! symbols; a newer CPython), dicts are made by `PyDict_New` and grow as
//! they always did. The dict is the same either way, only its first table
//! differs.

use pyo3::ffi::{PyObject, Py_ssize_t};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

type NewPresized = unsafe extern "C" fn(Py_ssize_t) -> *mut PyObject;

/// The CPython versions whose headers were read for the signature above.
const CHECKED_VERSIONS: std::ops::RangeInclusive<u8> = 10..=14;

/// The keys a new dict has room for (CPython's `USABLE_FRACTION` of its
/// smallest table, 8 slots, since 3.6); `_PyDict_NewPresized` returns a
/// plain new dict up to it, so it is not worth the call.
const NEW_DICT_ROOM: usize = 5;

/// An empty dict with room for `members` keys.
pub fn dict_for(py: Python<'_>, members: usize) -> PyResult<Bound<'_, PyDict>> {
    let found = (members > NEW_DICT_ROOM)
        .then(|| new_presized(py))
        .flatten();
    let Some(new_presized) = found else {
        return Ok(PyDict::new(py));
    };
    let members = Py_ssize_t::try_from(members).unwrap_or(Py_ssize_t::MAX);
    // SAFETY: `new_presized` is CPython's `_PyDict_NewPresized` (found by
    // name on a version whose signature was checked), called with the GIL
    // held (`py`). It returns a new reference to an exact dict, or NULL
    // with an exception set; `from_owned_ptr_or_err` takes either.
    unsafe {
        Bound::from_owned_ptr_or_err(py, new_presized(members))
            .map(|dict| dict.cast_into_unchecked::<PyDict>())
    }
}

/// Whether dicts are presized on this interpreter: `_core._PRESIZED_DICTS`,
/// which tests check where it should hold, so that a failed lookup cannot
/// go unnoticed.
pub fn available(py: Python<'_>) -> bool {
    new_presized(py).is_some()
}

fn new_presized(py: Python<'_>) -> Option<NewPresized> {
    static FOUND: PyOnceLock<Option<NewPresized>> = PyOnceLock::new();
    *FOUND.get_or_init(py, || lookup(py))
}

fn lookup(py: Python<'_>) -> Option<NewPresized> {
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
    find_symbol()
}

#[cfg(unix)]
fn find_symbol() -> Option<NewPresized> {
    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only reads;
    // a non-NULL result is the address of the exported function, whose
    // signature on these versions is `NewPresized`.
    unsafe {
        let address = libc::dlsym(libc::RTLD_DEFAULT, c"_PyDict_NewPresized".as_ptr());
        (!address.is_null()).then(|| std::mem::transmute::<*mut libc::c_void, NewPresized>(address))
    }
}

#[cfg(not(unix))]
fn find_symbol() -> Option<NewPresized> {
    None
}
