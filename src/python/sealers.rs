// SPDX-License-Identifier: MIT
//! `sealer_for`, `seal_data` and `unseal_data`: the functional API over
//! the process's compiled sealers, one per password configuration, so that
//! a password given on every call is read and keyed once. A `Sealer` also
//! holds the seals it verified, which only pays if the same one is found
//! again on the next call.

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use zeroize::Zeroizing;

use super::{iterations_arg, non_negative, password_input, Clock, PySealer};
use crate::cache;
use crate::crypto::Iterations;
use crate::password::{PasswordInput, SecretInput};
use crate::seal::{DEFAULT_TIMESTAMP_SKEW_SEC, DEFAULT_TTL_SEC};

/// Enough for every configuration a process plausibly has (a few apps, a
/// few rotation states each) while bounding memory if a caller builds
/// passwords dynamically; the oldest goes first.
const CAPACITY: usize = 64;

const DEFAULT_CLOCK: Clock = Clock {
    timestamp_skew_sec: DEFAULT_TIMESTAMP_SKEW_SEC,
    localtime_offset_ms: 0,
};

/// A configuration and its sealer. The password is kept as the bytes
/// `encoded` writes: two passwords that read the same (`{1: pw}` and
/// `{"1": pw}`, a str and a str subclass) build the same sealer, so they
/// share it.
struct Entry {
    password: Zeroizing<Vec<u8>>,
    iterations: Iterations,
    clock: Clock,
    sealer: Py<PySealer>,
}

/// Shared by every thread (the free-threaded build included). The lock is
/// held for a scan or an insert only, which call into Python for nothing
/// but a reference count, so a thread never waits on it for long.
static SEALERS: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

fn sealers() -> MutexGuard<'static, Vec<Entry>> {
    // Entries are pushed and removed whole: a panic cannot leave one
    // half written, so a poisoned lock is usable.
    SEALERS.lock().unwrap_or_else(PoisonError::into_inner)
}

const TEXT: u8 = b't';
const BYTES: u8 = b'b';
const MAP: u8 = b'm';

fn secret_parts(secret: &SecretInput) -> (u8, &[u8]) {
    match secret {
        SecretInput::Text(text) => (TEXT, text.as_bytes()),
        SecretInput::Bytes(bytes) => (BYTES, bytes),
    }
}

/// A password as one byte string: a single secret is its kind and bytes
/// (what `single` compares without building it); a map, every id and
/// secret with their lengths, in order. Sized before it is written, so
/// that no copy of a secret is left behind by a reallocation.
fn encoded(password: &PasswordInput) -> Zeroizing<Vec<u8>> {
    const LEN: usize = std::mem::size_of::<u64>();
    let pairs = match password {
        PasswordInput::Single(secret) => {
            let (kind, bytes) = secret_parts(secret);
            let mut out = Zeroizing::new(Vec::with_capacity(1 + bytes.len()));
            out.push(kind);
            out.extend_from_slice(bytes);
            return out;
        }
        PasswordInput::Map(pairs) => pairs,
    };
    let size = pairs
        .iter()
        .map(|(id, secret)| 2 * LEN + id.len() + 1 + secret_parts(secret).1.len())
        .sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(1 + size));
    out.push(MAP);
    for (id, secret) in pairs {
        let (kind, bytes) = secret_parts(secret);
        out.extend_from_slice(&(id.len() as u64).to_le_bytes());
        out.extend_from_slice(id.as_bytes());
        out.push(kind);
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// Whether `password` (as `encoded` writes it) is the single secret
/// `bytes` of `kind`.
fn single(password: &[u8], kind: u8, bytes: &[u8]) -> bool {
    password.split_first() == Some((&kind, bytes))
}

/// The entry for a configuration, if there is one.
fn entry_for(
    entries: &[Entry],
    iterations: Iterations,
    clock: Clock,
    password: impl Fn(&[u8]) -> bool,
) -> Option<&Entry> {
    entries.iter().find(|entry| {
        entry.iterations == iterations && entry.clock == clock && password(&entry.password)
    })
}

fn find(
    py: Python<'_>,
    iterations: Iterations,
    clock: Clock,
    password: impl Fn(&[u8]) -> bool,
) -> Option<Py<PySealer>> {
    entry_for(&sealers(), iterations, clock, password).map(|entry| entry.sealer.clone_ref(py))
}

/// The sealer of a configuration, built on the first call. An exact `str`
/// or `bytes` password (what nearly every caller passes) is compared as
/// it is; anything else is read first, as `Sealer()` reads it.
fn cached(
    py: Python<'_>,
    password: &Bound<'_, PyAny>,
    iterations: Iterations,
    clock: Clock,
) -> PyResult<Py<PySealer>> {
    let as_given = if let Ok(text) = password.cast_exact::<PyString>() {
        text.to_str().ok().map(|text| (TEXT, text.as_bytes()))
    } else if let Ok(bytes) = password.cast_exact::<PyBytes>() {
        Some((BYTES, bytes.as_bytes()))
    } else {
        None
    };
    if let Some((kind, bytes)) = as_given {
        if let Some(found) = find(py, iterations, clock, |key| single(key, kind, bytes)) {
            return Ok(found);
        }
    }
    let input = password_input(password)?;
    let key = encoded(&input);
    if let Some(found) = find(py, iterations, clock, |stored| *stored == **key) {
        return Ok(found);
    }
    let built = PySealer::build(
        input,
        iterations,
        DEFAULT_TTL_SEC,
        clock,
        cache::DEFAULT_CAPACITY,
    )?;
    let built = Py::new(py, built)?;
    let entry = Entry {
        password: key,
        iterations,
        clock,
        sealer: built.clone_ref(py),
    };
    // Dropped after the lock is released: the entry that made room, or
    // ours if another thread built the same sealer meanwhile (theirs is
    // returned, so that one configuration has one sealer).
    let (sealer, dropped) = {
        let mut entries = sealers();
        match entry_for(&entries, iterations, clock, |other| {
            *other == **entry.password
        }) {
            Some(other) => (other.sealer.clone_ref(py), Some(entry)),
            None => {
                let evicted = (entries.len() >= CAPACITY).then(|| entries.remove(0));
                entries.push(entry);
                (built, evicted)
            }
        }
    };
    drop(dropped);
    Ok(sealer)
}

/// The compiled Sealer for a password configuration, built once and
/// cached. Raises PasswordError for an unusable password and IronError
/// for an iteration count outside 1 to ``MAX_ITERATIONS``.
#[pyfunction]
#[pyo3(signature = (password, *, iterations = 1, timestamp_skew_sec = 60, localtime_offset_ms = 0))]
pub fn sealer_for(
    py: Python<'_>,
    password: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = iterations_arg)] iterations: i64,
    timestamp_skew_sec: i64,
    localtime_offset_ms: i64,
) -> PyResult<Py<PySealer>> {
    let iterations = crate::password::iterations(iterations)?;
    let clock = Clock {
        timestamp_skew_sec,
        localtime_offset_ms,
    };
    cached(py, password, iterations, clock)
}

/// iron-session ``sealData``: seal ``data`` into ``Fe26.2*…~2``.
///
/// ``ttl`` is in seconds (``DEFAULT_TTL``, 14 days); 0 means the seal
/// never expires. ``iterations`` is the PBKDF2 count, as on ``Sealer``
/// (1 is iron-session's). Raises SerializationError for data that is not
/// plain JSON, PasswordError for an unusable password and IronError for a
/// bad ``iterations``. The Sealer for ``password`` is built once
/// (``sealer_for``) and reused.
#[pyfunction]
#[pyo3(signature = (data, *, password, ttl = 1_209_600, iterations = 1))]
pub fn seal_data(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    password: &Bound<'_, PyAny>,
    ttl: i64,
    #[pyo3(from_py_with = iterations_arg)] iterations: i64,
) -> PyResult<String> {
    let iterations = crate::password::iterations(iterations)?;
    let sealer = cached(py, password, iterations, DEFAULT_CLOCK)?;
    sealer.get().seal_json(py, data, non_negative(ttl, "ttl")?)
}

/// iron-session 9 ``unsealData``: the sealed data, or ``{}`` for any
/// bad, expired, tampered or unknown-password seal (and for a seal of
/// ``null``, or one made with another ``iterations``). It never raises
/// for a bad seal; it does raise PasswordError for an unusable password
/// and IronError for a bad ``iterations`` (as on ``Sealer``).
///
/// ``ttl`` is accepted for signature parity with iron-session and, as
/// there, ignored: validity depends on the expiration inside the seal.
#[pyfunction]
#[pyo3(signature = (seal, *, password, ttl = None, iterations = 1))]
pub fn unseal_data<'py>(
    py: Python<'py>,
    seal: &Bound<'py, PyAny>,
    password: &Bound<'py, PyAny>,
    ttl: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = iterations_arg)] iterations: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = ttl;
    let iterations = crate::password::iterations(iterations)?;
    let sealer = cached(py, password, iterations, DEFAULT_CLOCK)?;
    if let Some(text) = seal.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) {
        if let Ok(value) = sealer.get().open_quietly(py, text)? {
            if !value.is_none() {
                return Ok(value);
            }
        }
    }
    Ok(PyDict::new(py).into_any())
}
