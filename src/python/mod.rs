// SPDX-License-Identifier: MIT
//! The PyO3 module `iron_fast._core`: argument conversion and the GIL
//! policy around the pure core, and the adapters' cookie jar (`jar.rs`),
//! which holds Python objects and so lives here, its rules in the core.

mod errors;
mod inspect;
mod jar;
mod reader;
mod sealers;
mod writer;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyMapping, PyString, PyTuple};

use crate::cache::{self, VerifiedCache};
use crate::crypto::{Iterations, IV_LEN, MAX_ITERATIONS};
use crate::error::{Error, UnsealKind};
use crate::password::{PasswordInput, Passwords, SecretInput};
use crate::seal::{self, SealInputs, DEFAULT_TIMESTAMP_SKEW_SEC, DEFAULT_TTL_SEC};
use errors::PasswordError;
use reader::ParseError;
use writer::WriteError;

/// Plaintext bytes from which the crypto runs with the GIL released. A
/// release pays only when the crypto outlasts waking the thread that takes
/// the GIL meanwhile, and that wake-up is slow where servers run (on a
/// virtual machine); `benches/threads.py` measures where two threads start
/// to gain (its figures are in BENCHMARKS.md).
const GIL_DETACH_THRESHOLD: usize = 8192;
// The verified-seal cache is only reached with the GIL held: its lock is
// then never held by a thread that has released the GIL, and as a fork is
// made by a thread holding the GIL, a child never inherits the lock
// locked. So `seal` remembers its seal after the crypto, and an unseal
// that releases the GIL goes around the cache, which loses nothing: such a
// token is longer than the cache keeps, as this assertion holds (unseal
// estimates the plaintext as 3/4 of the token).
// tests/test_verified_cache.py checks the same at run time.
const _: () = assert!(cache::MAX_CACHED_TOKEN / 4 * 3 < GIL_DETACH_THRESHOLD);
/// The PBKDF2 iteration count from which the two key derivations of a seal
/// alone take longer than the crypto of `GIL_DETACH_THRESHOLD` bytes of
/// plaintext at one iteration: a seal then releases the GIL whatever its
/// size (h3 2.x's 8192 is far past it).
const GIL_DETACH_ITERATIONS: u32 = 64;
/// A bound on `cache_size`, so that a typo cannot reserve gigabytes.
const MAX_CACHE_SIZE: usize = 1 << 20;
// Defaults written as literals in signatures, so that Python shows them.
const _: () = assert!(cache::DEFAULT_CAPACITY == 512);
const _: () = assert!(DEFAULT_TTL_SEC == 1_209_600);
const _: () = assert!(DEFAULT_TIMESTAMP_SKEW_SEC == 60);

fn detaches(plaintext_len: usize) -> bool {
    plaintext_len >= GIL_DETACH_THRESHOLD
}

fn run_detached<T: Send>(
    py: Python<'_>,
    plaintext_len: usize,
    work: impl FnOnce() -> T + Send,
) -> T {
    if detaches(plaintext_len) {
        py.detach(work)
    } else {
        work()
    }
}

fn secret_input(value: &Bound<'_, PyAny>, what: &str) -> PyResult<SecretInput> {
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_str().map_err(|_| {
            PasswordError::new_err(format!("{what} is not valid Unicode text (lone surrogate)"))
        })?;
        return Ok(SecretInput::Text(text.to_owned()));
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(SecretInput::Bytes(bytes.as_bytes().to_vec()));
    }
    let name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(PasswordError::new_err(format!(
        "{what} must be a str of at least 32 characters or 32 raw bytes, not {name}"
    )))
}

fn password_id(key: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = key.cast::<PyString>() {
        return Ok(text
            .to_str()
            .map_err(|_| PasswordError::new_err("invalid password id"))?
            .to_owned());
    }
    if key.is_instance_of::<PyInt>() && !key.is_instance_of::<pyo3::types::PyBool>() {
        return Ok(key.str()?.to_str()?.to_owned());
    }
    let name = key
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(PasswordError::new_err(format!(
        "password ids must be integers (or str), not {name}: use {{1: secret, 2: newer_secret}}"
    )))
}

fn password_input(password: &Bound<'_, PyAny>) -> PyResult<PasswordInput> {
    if password.is_none() {
        return Err(PasswordError::new_err(
            "password is missing: pass a str of at least 32 characters, 32 raw bytes, \
             or a map {id: secret}",
        ));
    }
    if password.is_instance_of::<PyString>() || password.is_instance_of::<PyBytes>() {
        return Ok(PasswordInput::Single(secret_input(
            password,
            "the password",
        )?));
    }
    if let Ok(mapping) = password.cast::<PyMapping>() {
        let mut pairs = Vec::new();
        for item in mapping.items()?.iter() {
            let (key, value) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
            let id = password_id(&key)?;
            let whose = format!("the password for {}", crate::password::shown_id(&id));
            let secret = secret_input(&value, &whose)?;
            pairs.push((id, secret));
        }
        return Ok(PasswordInput::Map(pairs));
    }
    let name = password
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(PasswordError::new_err(format!(
        "password must be a str, 32 raw bytes, or a map {{id: secret}}, not {name}"
    )))
}

/// `iterations` as given: an int, not a bool. Its range is the core's to
/// check (`password::iterations`), so this refuses only what cannot reach
/// it, in the same words.
fn iterations_arg(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    if !value.is_instance_of::<PyInt>() || value.is_instance_of::<PyBool>() {
        let name = value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(crate::password::iterations_refused(&format!("a {name}")).into());
    }
    value.extract::<i64>().or_else(|_| {
        let bits: u64 = value.call_method0("bit_length")?.extract()?;
        let sign = if value.lt(0)? { "a negative" } else { "an" };
        let given = format!("{sign} int of {bits} bits");
        Err(crate::password::iterations_refused(&given).into())
    })
}

fn non_negative(value: i64, name: &str) -> PyResult<u64> {
    u64::try_from(value)
        .map_err(|_| PyValueError::new_err(format!("{name} must be >= 0 seconds, got {value}")))
}

fn to_json_bytes(data: &Bound<'_, PyAny>, root: &str) -> PyResult<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    match writer::write_value(&mut out, data) {
        Ok(()) => Ok(out),
        Err(WriteError::Python(err)) => Err(err),
        Err(WriteError::Refused(refusal)) => Err(Error::Data(refusal.describe(root)).into()),
    }
}

/// iron's clock options of a sealer, as given.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Clock {
    timestamp_skew_sec: i64,
    localtime_offset_ms: i64,
}

/// A compiled password configuration; see `_core.pyi` for the contract.
#[pyclass(frozen, module = "iron_fast._core", name = "Sealer")]
struct PySealer {
    core: seal::Sealer,
    ttl: u64,
    /// Seals this sealer verified recently (src/cache.rs): the clock's
    /// unseals go through it, the fixed-clock ones (`_unseal_at`) do not.
    cache: VerifiedCache,
}

impl PySealer {
    /// A sealer for a password already read from Python (`password_input`)
    /// and an iteration count already checked.
    fn build(
        password: PasswordInput,
        iterations: Iterations,
        ttl: u64,
        clock: Clock,
        cache_size: usize,
    ) -> Result<Self, Error> {
        let passwords = Passwords::new(password)?;
        Ok(PySealer {
            core: seal::Sealer::new(
                passwords,
                clock.timestamp_skew_sec,
                clock.localtime_offset_ms,
            )
            .with_iterations(iterations),
            ttl,
            cache: VerifiedCache::new(cache_size),
        })
    }

    /// `seal`'s work, for `seal` and `seal_data`.
    fn seal_json(&self, py: Python<'_>, data: &Bound<'_, PyAny>, ttl: u64) -> PyResult<String> {
        let plaintext = to_json_bytes(data, "data")?;
        let (core, cache) = (&self.core, &self.cache);
        let weight = if core.iterations().get() >= GIL_DETACH_ITERATIONS {
            GIL_DETACH_THRESHOLD
        } else {
            plaintext.len()
        };
        let (sealed, now_ms) = run_detached(py, weight, || {
            let now_ms = core.now_ms();
            core.seal_at(&plaintext, ttl, now_ms)
                .map(|sealed| (sealed, now_ms))
        })?;
        // The cookie comes back with the user's next request. Remembered
        // with the GIL held (see GIL_DETACH_THRESHOLD).
        cache.remember(&sealed, seal::expiration_ms(now_ms, ttl), &plaintext);
        Ok(sealed)
    }

    /// A seal's value, or the core's refusal as a plain `Error`: no Python
    /// exception is built yet, since the never-raising paths only need its
    /// kind (building one costs more than opening a good seal, and a site
    /// sent garbage cookies would pay it on each). Python's own errors
    /// while building the value (MemoryError and the like) raise. The cache
    /// of verified seals serves the clock's unseals, not a fixed `now_ms`.
    fn open_value<'py>(
        &self,
        py: Python<'py>,
        sealed: &str,
        now_ms: Option<i64>,
    ) -> PyResult<Result<Bound<'py, PyAny>, Error>> {
        let (core, cache) = (&self.core, &self.cache);
        // The plaintext is about 3/4 of its base64 in the token.
        let estimated = sealed.len() / 4 * 3;
        let opened = match now_ms {
            Some(now) => run_detached(py, estimated, || core.unseal_at(sealed, now)),
            // Around the cache: it is reached with the GIL held only.
            None if detaches(estimated) => py.detach(|| core.unseal(sealed)),
            None => cache.unseal_at(core, sealed, core.now_ms()),
        };
        let plaintext = match opened {
            Ok(plaintext) => plaintext,
            Err(refused) => return Ok(Err(refused)),
        };
        match reader::parse(py, &seal::decode_text(&plaintext)) {
            Ok(value) => Ok(Ok(value)),
            Err(ParseError::Syntax { .. }) => {
                Ok(Err(Error::invalid("the sealed content is not valid JSON")))
            }
            Err(ParseError::Unreadable(why)) => Ok(Err(Error::invalid(why))),
            Err(ParseError::Python(err)) => Err(err),
        }
    }

    /// The strict path: a refused seal raises its typed error.
    fn open<'py>(
        &self,
        py: Python<'py>,
        sealed: &str,
        now_ms: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.open_value(py, sealed, now_ms)??)
    }

    /// The never-raising paths: a refused seal is only its kind.
    fn open_quietly<'py>(
        &self,
        py: Python<'py>,
        sealed: &str,
    ) -> PyResult<Result<Bound<'py, PyAny>, UnsealKind>> {
        match self.open_value(py, sealed, None)? {
            Ok(value) => Ok(Ok(value)),
            Err(Error::Unseal { kind, .. }) => Ok(Err(kind)),
            Err(other) => Err(other.into()),
        }
    }
}

#[pymethods]
impl PySealer {
    #[new]
    #[pyo3(signature = (password, *, iterations = 1, ttl = DEFAULT_TTL_SEC as i64, timestamp_skew_sec = DEFAULT_TIMESTAMP_SKEW_SEC, localtime_offset_ms = 0, cache_size = 512))]
    fn new(
        password: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = iterations_arg)] iterations: i64,
        ttl: i64,
        timestamp_skew_sec: i64,
        localtime_offset_ms: i64,
        cache_size: i64,
    ) -> PyResult<Self> {
        let ttl = non_negative(ttl, "ttl")?;
        let cache_size = usize::try_from(cache_size)
            .ok()
            .filter(|&size| size <= MAX_CACHE_SIZE)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "cache_size must be between 0 and {MAX_CACHE_SIZE}, got {cache_size}"
                ))
            })?;
        let iterations = crate::password::iterations(iterations)?;
        let clock = Clock {
            timestamp_skew_sec,
            localtime_offset_ms,
        };
        Ok(Self::build(
            password_input(password)?,
            iterations,
            ttl,
            clock,
            cache_size,
        )?)
    }

    /// The verified-seal cache: capacity, entries held, hits, misses.
    fn _cache_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let (hits, misses) = self.cache.stats();
        (self.cache.capacity(), self.cache.len(), hits, misses).into_pyobject(py)
    }

    #[getter]
    fn ttl(&self) -> u64 {
        self.ttl
    }

    #[getter]
    fn iterations(&self) -> u32 {
        self.core.iterations().get()
    }

    #[getter]
    fn password_id(&self) -> Option<&str> {
        self.core.passwords().for_seal().map(|(id, _)| id)
    }

    #[getter]
    fn password_ids(&self) -> Vec<&str> {
        self.core.passwords().ids().collect()
    }

    #[pyo3(signature = (data, *, ttl = None))]
    fn seal(&self, py: Python<'_>, data: &Bound<'_, PyAny>, ttl: Option<i64>) -> PyResult<String> {
        let ttl = match ttl {
            Some(ttl) => non_negative(ttl, "ttl")?,
            None => self.ttl,
        };
        self.seal_json(py, data, ttl)
    }

    fn unseal<'py>(
        &self,
        py: Python<'py>,
        seal: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = seal
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err("a seal is a str (the cookie value)"))?;
        let text = text.to_str().map_err(|_| Error::invalid("not ASCII"))?;
        self.open(py, text, None)
    }

    /// The never-raising path: `(value, None)` or `(None, reason)`.
    fn unseal_or_none<'py>(
        &self,
        py: Python<'py>,
        seal: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let Some(text) = seal.cast::<PyString>().ok().and_then(|s| s.to_str().ok()) else {
            return (py.None(), UnsealKind::Invalid.reason()).into_pyobject(py);
        };
        match self.open_quietly(py, text)? {
            Ok(value) => (value, py.None()).into_pyobject(py),
            Err(kind) => (py.None(), kind.reason()).into_pyobject(py),
        }
    }

    #[pyo3(signature = (data, *, ttl, now_ms, encryption_salt, hmac_salt, iv, password_id = None))]
    #[allow(clippy::too_many_arguments)]
    fn _seal_with(
        &self,
        data: &Bound<'_, PyAny>,
        ttl: i64,
        now_ms: i64,
        encryption_salt: &str,
        hmac_salt: &str,
        iv: &[u8],
        password_id: Option<&str>,
    ) -> PyResult<String> {
        let iv: [u8; IV_LEN] = iv
            .try_into()
            .map_err(|_| PyValueError::new_err(format!("iv must be {IV_LEN} bytes")))?;
        let plaintext = to_json_bytes(data, "data")?;
        let inputs = SealInputs {
            encryption_salt,
            hmac_salt,
            iv,
            now_ms,
        };
        Ok(self
            .core
            .seal_with(&plaintext, non_negative(ttl, "ttl")?, &inputs, password_id)?)
    }

    #[pyo3(signature = (seal, *, now_ms))]
    fn _unseal_at<'py>(
        &self,
        py: Python<'py>,
        seal: &str,
        now_ms: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.open(py, seal, Some(now_ms))
    }

    /// Ids, ttl and a count other than 1 only: a repr must never show a
    /// secret.
    fn __repr__(&self) -> String {
        let quoted = |id: &str| format!("'{id}'");
        let ids: Vec<String> = self.core.passwords().ids().map(quoted).collect();
        let sealing = self.password_id().map_or_else(|| "None".to_owned(), quoted);
        let iterations = match self.iterations() {
            1 => String::new(),
            count => format!(", iterations={count}"),
        };
        format!(
            "Sealer(password_ids=[{}], password_id={sealing}, ttl={}{iterations})",
            ids.join(", "),
            self.ttl
        )
    }
}

/// The exact text `JSON.stringify` writes for `data`.
#[pyfunction]
#[pyo3(name = "to_json")]
fn py_to_json(data: &Bound<'_, PyAny>) -> PyResult<String> {
    let bytes = to_json_bytes(data, "data")?;
    Ok(String::from_utf8(bytes).expect("the writer emits UTF-8"))
}

/// Parses JSON text as `JSON.parse` does, keeping integers as `int`.
#[pyfunction]
#[pyo3(name = "from_json")]
fn py_from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    reader::parse(py, text).map_err(|err| match err {
        ParseError::Syntax { message, offset } => {
            PyValueError::new_err(format!("invalid JSON: {message} at position {offset}"))
        }
        ParseError::Unreadable(why) => PyValueError::new_err(why),
        ParseError::Python(err) => err,
    })
}

#[pymodule(gil_used = false)]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PySealer>()?;
    module.add_class::<jar::ResponseJar>()?;
    module.add_function(wrap_pyfunction!(jar::add_cookie_headers, module)?)?;
    module.add_function(wrap_pyfunction!(sealers::sealer_for, module)?)?;
    module.add_function(wrap_pyfunction!(sealers::seal_data, module)?)?;
    module.add_function(wrap_pyfunction!(sealers::unseal_data, module)?)?;
    module.add_function(wrap_pyfunction!(py_to_json, module)?)?;
    module.add_function(wrap_pyfunction!(py_from_json, module)?)?;
    module.add_function(wrap_pyfunction!(jar::get_cookie, module)?)?;
    module.add_function(wrap_pyfunction!(jar::decode_cookie_value, module)?)?;
    module.add_function(wrap_pyfunction!(inspect::seal_fields, module)?)?;
    module.add("DEFAULT_TTL", DEFAULT_TTL_SEC)?;
    // The core's limits, so that Python states them without a copy.
    module.add("TIMESTAMP_SKEW_SEC", DEFAULT_TIMESTAMP_SKEW_SEC)?;
    module.add("MIN_PASSWORD_LENGTH", crate::password::MIN_PASSWORD_LEN)?;
    module.add("MAX_ITERATIONS", MAX_ITERATIONS)?;
    module.add("MAX_COOKIE_BYTES", crate::cookie::MAX_COOKIE_BYTES)?;
    module.add("MAX_CHUNKS", crate::cookie::MAX_CHUNKS)?;
    let limits = pyo3::types::PyDict::new(module.py());
    limits.set_item("max_cached_token", cache::MAX_CACHED_TOKEN)?;
    limits.set_item("gil_release", GIL_DETACH_THRESHOLD)?;
    module.add("_CACHE_LIMITS", limits)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;

    Ok(())
}
