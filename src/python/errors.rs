// SPDX-License-Identifier: MIT
//! The single mapping from the core's `Error` to Python exceptions. The
//! classes live in `iron_fast/errors.py`, so Python owns the tree and Rust
//! only borrows it.

use pyo3::exceptions::PyOSError;
use pyo3::PyErr;

use crate::error::{Error, UnsealKind};

pyo3::import_exception!(iron_fast.errors, BadSeal);
pyo3::import_exception!(iron_fast.errors, ExpiredSeal);
pyo3::import_exception!(iron_fast.errors, IronError);
pyo3::import_exception!(iron_fast.errors, PasswordError);
pyo3::import_exception!(iron_fast.errors, SerializationError);
pyo3::import_exception!(iron_fast.errors, UnknownPassword);

impl From<Error> for PyErr {
    fn from(error: Error) -> PyErr {
        let message = error.to_string();
        match error {
            Error::Password(_) => PasswordError::new_err(message),
            Error::Data(_) => SerializationError::new_err(message),
            Error::Argument(_) => IronError::new_err(message),
            Error::Random => PyOSError::new_err(message),
            Error::Unseal { kind, .. } => match kind {
                UnsealKind::Invalid => BadSeal::new_err(message),
                UnsealKind::Expired => ExpiredSeal::new_err(message),
                UnsealKind::UnknownPassword => UnknownPassword::new_err(message),
            },
        }
    }
}
