// SPDX-License-Identifier: MIT
//! `_core.seal_fields`: what a seal tells without its password, for
//! `iron-fast inspect`. Every field is read by the parser the core unseals
//! with (`seal.rs`, and `password.rs` for ids), so a token shown here is one
//! the core reads the same way, and a token refused here is one that no
//! password opens.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::crypto::{DIGEST_LEN, IV_LEN};
use crate::password::validate_id;
use crate::seal::{
    decode_b64url, decode_b64url_array, parse_expiration, split_fields, FIELD_COUNT, MAC_PREFIX,
};

/// The versions before the dot are @hapi/iron's; only the last is read.
const IRON_PREFIX: &str = "Fe26.";
/// A version field longer than this is not repeated in the message.
const SHOWN_VERSION_LEN: usize = 16;

fn refused(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// Why the version field is refused, worded for a person (not iron at
/// all, or another version), or None for `Fe26.2`.
fn version_error(version: &str) -> Option<PyErr> {
    if version == MAC_PREFIX {
        None
    } else if !version.starts_with(IRON_PREFIX) {
        Some(refused("not an iron seal (it does not start with Fe26.)"))
    } else if version.chars().count() <= SHOWN_VERSION_LEN {
        Some(refused(format!("unsupported seal version {version:?}")))
    } else {
        Some(refused("unsupported seal version"))
    }
}

/// Why `split_fields` refused a token: its version first, as a reader
/// would check it, then its number of fields.
fn shape_error(token: &str) -> PyErr {
    let iron = token.split('~').next().unwrap_or_default();
    let version = iron.split('*').next().unwrap_or_default();
    version_error(version).unwrap_or_else(|| {
        refused(format!(
            "a seal has {FIELD_COUNT} '*'-separated fields, this one has {}",
            iron.split('*').count()
        ))
    })
}

/// The fields of an `Fe26.2` seal, read as the core reads them, without
/// verifying or decrypting anything; see `_core.pyi`.
#[pyfunction]
pub fn seal_fields<'py>(seal: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyDict>> {
    let py = seal.py();
    // The core refuses such a str too (Sealer.unseal: "not ASCII").
    let token = seal
        .to_str()
        .map_err(|_| refused("not an iron seal (it holds a lone surrogate)"))?;
    let (iron, fields) = split_fields(token).ok_or_else(|| shape_error(token))?;
    let [prefix, id, encryption_salt, iv, ciphertext, expiration, hmac_salt, digest] = fields;
    if let Some(error) = version_error(prefix) {
        return Err(error);
    }
    let expires_ms = parse_expiration(expiration).map_err(|_| {
        refused("the expiration is not a number of milliseconds (digits, no leading 0)")
    })?;
    // An empty id looks up "default" (Passwords::for_unseal); any other id
    // must be one a password map can hold.
    if !id.is_empty() && validate_id(id).is_err() {
        return Err(refused(
            "the password id is not made of word characters: no password map holds it",
        ));
    }
    if decode_b64url_array::<DIGEST_LEN>(digest).is_none() {
        return Err(refused(format!(
            "the HMAC is not {DIGEST_LEN} bytes of canonical base64url"
        )));
    }
    // seal.rs's key_for: a text password needs both salts, a raw key has
    // neither, so a seal with one of them is opened by no password.
    if encryption_salt.is_empty() != hmac_salt.is_empty() {
        return Err(refused(
            "one salt is empty and the other is not: no password opens it",
        ));
    }
    if decode_b64url_array::<IV_LEN>(iv).is_none() {
        return Err(refused(format!(
            "the IV is not {IV_LEN} bytes of canonical base64url"
        )));
    }
    let ciphertext_bytes = decode_b64url(ciphertext)
        .ok_or_else(|| refused("the ciphertext is not canonical base64url"))?
        .len();
    // CBC's IV is one AES block: crypto::decrypt refuses anything but whole
    // blocks, at least one.
    if ciphertext_bytes == 0 || ciphertext_bytes % IV_LEN != 0 {
        return Err(refused("the ciphertext is not whole AES blocks"));
    }
    let marker = token.get(iron.len() + 1..);
    let out = PyDict::new(py);
    out.set_item("password_id", id)?;
    out.set_item("encryption_salt_length", encryption_salt.chars().count())?;
    out.set_item("hmac_salt_length", hmac_salt.chars().count())?;
    out.set_item("expires_ms", expires_ms)?;
    out.set_item("ciphertext_bytes", ciphertext_bytes)?;
    out.set_item("marker", marker)?;
    Ok(out)
}
