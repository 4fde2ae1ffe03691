// SPDX-License-Identifier: MIT
//! The one error type of the core. The Python binding maps each variant to
//! one exception class (`src/python/errors.rs`); nothing ever matches on the
//! message text. No message may contain a secret.

use std::fmt;

/// Why a seal could not be opened, in iron-session 9's `onUnsealError`
/// vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsealKind {
    /// Malformed, tampered with, wrong password, or undecodable content.
    Invalid,
    /// The expiration plus the allowed skew has passed.
    Expired,
    /// The seal names a password id that is not configured.
    UnknownPassword,
}

impl UnsealKind {
    pub fn reason(self) -> &'static str {
        match self {
            UnsealKind::Invalid => "invalid",
            UnsealKind::Expired => "expired",
            UnsealKind::UnknownPassword => "unknown-password",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The password configuration is unusable; says what to change.
    Password(String),
    /// A seal was refused; `detail` names the failed check (never data).
    Unseal {
        kind: UnsealKind,
        detail: &'static str,
    },
    /// The data is not plain JSON; says where (`data["at"] is a datetime`).
    Data(String),
    /// A bad argument to a call (e.g. a negative ttl).
    Argument(String),
    /// The operating system's random source failed.
    Random,
}

impl Error {
    pub(crate) fn invalid(detail: &'static str) -> Self {
        Error::Unseal {
            kind: UnsealKind::Invalid,
            detail,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Password(msg) | Error::Data(msg) | Error::Argument(msg) => f.write_str(msg),
            Error::Unseal { kind, detail } => match kind {
                UnsealKind::Invalid => write!(f, "invalid seal: {detail}"),
                UnsealKind::Expired => f.write_str("expired seal"),
                UnsealKind::UnknownPassword => {
                    f.write_str("the seal's password id is not in the password map")
                }
            },
            Error::Random => f.write_str("the operating system's random number source failed"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
