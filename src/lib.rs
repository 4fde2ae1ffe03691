// SPDX-License-Identifier: MIT
//! iron_fast: iron-session's Fe26.2 seals, byte-compatible, in Rust.
//!
//! The pure core (`crypto`, `password`, `seal`, `json`, `cache`, `cookie`)
//! has no Python in it
//! and is tested by `cargo test`; the PyO3 binding lives in `python` and is
//! compiled only with the `python` feature, which maturin turns on.

pub mod cache;
pub mod cookie;
pub mod crypto;
pub mod error;
pub mod json;
#[cfg(any(test, feature = "json-echo"))]
pub mod json_echo;
pub mod password;
pub mod random;
pub mod seal;

#[cfg(test)]
mod testutil;

#[cfg(feature = "python")]
mod python;
