// SPDX-License-Identifier: MIT
//! Password configurations: one secret, or a rotation map `{id: secret}`
//! where the highest integer id seals and every id unseals, and the PBKDF2
//! iteration count text secrets are stretched with. Validated once, when
//! the configuration is built; messages name the id, never the secret.

use zeroize::Zeroizing;

use crate::crypto::{Iterations, KeyDeriver, KEY_LEN, MAX_ITERATIONS};
use crate::error::{Error, Result};

/// iron's `minPasswordlength`, counted as JavaScript's `String.length`
/// (UTF-16 code units).
pub const MIN_PASSWORD_LEN: usize = 32;

/// The PBKDF2 iteration count of text secrets, as the caller gave it: 1
/// (iron's default, and all iron-session writes) to [`MAX_ITERATIONS`].
/// Every password of a configuration uses the same count, as in iron,
/// whose options carry one count for all of them; raw keys ignore it.
pub fn iterations(count: i64) -> Result<Iterations> {
    u32::try_from(count)
        .ok()
        .and_then(Iterations::new)
        .ok_or_else(|| iterations_refused(&count.to_string()))
}

/// The refusal of an iteration count, `given` saying what it was (`0`,
/// `a float`): also for the values a binding refuses before they reach
/// [`iterations`].
pub fn iterations_refused(given: &str) -> Error {
    Error::Argument(format!(
        "iterations must be an int from 1 to {MAX_ITERATIONS}, got {given}: it is \
         the PBKDF2 iteration count of the seals to read and write (1 for \
         iron-session and iron's default, 8192 for h3 2.x)"
    ))
}

/// A secret as the caller gave it, before validation. Wiped when dropped,
/// including on the error paths (a map refused for its third entry still
/// holds the first two).
pub enum SecretInput {
    Text(String),
    Bytes(Vec<u8>),
}

impl Drop for SecretInput {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        match self {
            SecretInput::Text(text) => text.zeroize(),
            SecretInput::Bytes(bytes) => bytes.zeroize(),
        }
    }
}

/// How an error message names a password id: as itself when it is short,
/// else by its length only. A long "id" is most likely a secret given in
/// the wrong place (`{secret: 1}` for `{1: secret}`), and an error message
/// ends up in logs.
pub fn shown_id(id: &str) -> String {
    const SHOWN_UP_TO: usize = 16;
    if id.chars().count() <= SHOWN_UP_TO {
        format!("id {id:?}")
    } else {
        format!(
            "an id of {} characters (not shown: a key that long is likely a \
             secret in the wrong place, the map is {{id: secret}})",
            id.chars().count()
        )
    }
}

pub enum PasswordInput {
    Single(SecretInput),
    Map(Vec<(String, SecretInput)>),
}

/// A validated secret. Text secrets are stretched per seal with the seal's
/// salts (their PBKDF2 state is keyed once, here); raw keys are used as
/// they are, with empty salts (iron's rule).
pub enum Secret {
    Text(KeyDeriver),
    Raw(Zeroizing<[u8; KEY_LEN]>),
}

pub struct Passwords {
    /// (id as written in seals, secret); a single secret has id "1", the id
    /// iron-session gives a plain string password.
    entries: Vec<(String, Secret)>,
    /// Index in `entries` of the id that seals, if any id is an integer.
    sealing: Option<usize>,
    /// Whether the caller gave one secret rather than a map.
    single: bool,
}

/// Shows the ids only: a secret must never reach a log or a panic message.
impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("ids", &self.ids().collect::<Vec<_>>())
            .field("sealing_id", &self.for_seal().map(|(id, _)| id))
            .finish_non_exhaustive()
    }
}

impl Passwords {
    pub fn new(input: PasswordInput) -> Result<Self> {
        match input {
            PasswordInput::Single(secret) => Ok(Passwords {
                entries: vec![("1".to_owned(), validate_secret(secret, None)?)],
                sealing: Some(0),
                single: true,
            }),
            PasswordInput::Map(pairs) => {
                if pairs.is_empty() {
                    return Err(Error::Password(
                        "the password map is empty: give at least one entry, \
                         e.g. {1: \"<a secret of 32+ characters>\"}"
                            .to_owned(),
                    ));
                }
                let mut entries: Vec<(String, Secret)> = Vec::with_capacity(pairs.len());
                for (id, secret) in pairs {
                    validate_id(&id)?;
                    if entries.iter().any(|(seen, _)| *seen == id) {
                        return Err(Error::Password(format!(
                            "password {} appears twice in the password map \
                             (1 and \"1\" are the same id)",
                            shown_id(&id)
                        )));
                    }
                    let secret = validate_secret(secret, Some(&id))?;
                    entries.push((id, secret));
                }
                let sealing = newest_integer_id(&entries);
                Ok(Passwords {
                    entries,
                    sealing,
                    single: false,
                })
            }
        }
    }

    /// The id and secret new seals are made with.
    pub fn for_seal(&self) -> Option<(&str, &Secret)> {
        self.sealing
            .map(|i| (self.entries[i].0.as_str(), &self.entries[i].1))
    }

    /// The secret for a seal's password id. iron-session turns a single
    /// password into the map `{1: password}`, so it opens only seals with id
    /// "1"; in a map, an empty id looks up "default" (iron's rule).
    pub fn for_unseal(&self, id: &str) -> Option<&Secret> {
        let key = if id.is_empty() { "default" } else { id };
        self.entries
            .iter()
            .find(|(entry_id, _)| entry_id == key)
            .map(|(_, secret)| secret)
    }

    /// The secret to seal with under an explicit id (test vectors made with
    /// iron directly): a single secret serves any id, as in iron itself.
    pub fn for_explicit_id(&self, id: &str) -> Option<&Secret> {
        if self.single {
            return Some(&self.entries[0].1);
        }
        self.for_unseal(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(id, _)| id.as_str())
    }
}

/// iron accepts ids matching `/^\w+$/` (ASCII word characters).
pub fn validate_id(id: &str) -> Result<()> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Ok(());
    }
    Err(Error::Password(format!(
        "password {} is not valid: use integers such as 1, 2, 3 \
         (ids may only contain letters, digits and underscores)",
        shown_id(id)
    )))
}

fn validate_secret(secret: SecretInput, id: Option<&str>) -> Result<Secret> {
    let whose = match id {
        Some(id) => format!("the password for {}", shown_id(id)),
        None => "the password".to_owned(),
    };
    // Borrowed: `secret` wipes itself when it goes out of scope, here.
    match &secret {
        SecretInput::Text(text) => {
            let units = text.encode_utf16().count();
            if units < MIN_PASSWORD_LEN {
                return Err(Error::Password(format!(
                    "{whose} is too short: {units} characters, at least \
                     {MIN_PASSWORD_LEN} are required (counted as JavaScript does, in \
                     UTF-16 code units); use a random string of 32 characters or more, \
                     e.g. from `iron-fast keygen`"
                )));
            }
            Ok(Secret::Text(KeyDeriver::new(text.as_bytes())))
        }
        SecretInput::Bytes(bytes) => {
            let key: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| {
                Error::Password(format!(
                    "{whose} is {} raw bytes; a raw key must be exactly {KEY_LEN} bytes \
                     (or pass a str of at least {MIN_PASSWORD_LEN} characters)",
                    bytes.len()
                ))
            })?;
            Ok(Secret::Raw(Zeroizing::new(key)))
        }
    }
}

/// `Math.max` over the ids that are canonical non-negative integers (no
/// leading zero: iron-session looks the secret up by `String(max)`).
fn newest_integer_id(entries: &[(String, Secret)]) -> Option<usize> {
    let is_integer =
        |id: &str| id.bytes().all(|b| b.is_ascii_digit()) && (id == "0" || !id.starts_with('0'));
    entries
        .iter()
        .enumerate()
        .filter(|(_, (id, _))| is_integer(id))
        .max_by(|(_, (a, _)), (_, (b, _))| a.len().cmp(&b.len()).then_with(|| a.cmp(b)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PW: &str = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0";

    fn text(s: &str) -> SecretInput {
        SecretInput::Text(s.to_owned())
    }

    fn map(pairs: &[(&str, &str)]) -> Result<Passwords> {
        Passwords::new(PasswordInput::Map(
            pairs
                .iter()
                .map(|(id, s)| (id.to_string(), text(s)))
                .collect(),
        ))
    }

    #[test]
    fn newest_numeric_id_seals_not_lexicographic() {
        let p = map(&[("1", PW), ("9", PW), ("10", PW)]).unwrap();
        assert_eq!(p.for_seal().unwrap().0, "10");
    }

    #[test]
    fn non_integer_ids_unseal_but_never_seal() {
        let p = map(&[("01", PW), ("abc_DEF_123", PW)]).unwrap();
        assert!(p.for_seal().is_none());
        assert!(p.for_unseal("abc_DEF_123").is_some());
        assert!(p.for_unseal("1").is_none());
    }

    #[test]
    fn empty_id_looks_up_default() {
        let p = map(&[("default", PW), ("2", PW)]).unwrap();
        assert!(p.for_unseal("").is_some());
        assert!(map(&[("2", PW)]).unwrap().for_unseal("").is_none());
    }

    #[test]
    fn single_secret_is_the_map_one_to_secret() {
        let p = Passwords::new(PasswordInput::Single(text(PW))).unwrap();
        assert_eq!(p.for_seal().unwrap().0, "1");
        assert!(p.for_unseal("1").is_some());
        assert!(p.for_unseal("7").is_none() && p.for_unseal("").is_none());
        assert!(p.for_explicit_id("").is_some());
    }

    #[test]
    fn length_counts_utf16_units() {
        let emoji = "🔑".repeat(16); // 32 units, 16 code points
        assert!(Passwords::new(PasswordInput::Single(text(&emoji))).is_ok());
        let short = &PW[..31];
        let err = Passwords::new(PasswordInput::Single(text(short)))
            .err()
            .unwrap();
        let msg = err.to_string();
        assert!(msg.contains("31 characters"), "{msg}");
        assert!(!msg.contains(short), "the secret leaked into: {msg}");
    }

    #[test]
    fn bad_maps_are_refused_with_the_id_named() {
        assert!(map(&[]).is_err());
        assert!(map(&[("-1", PW)])
            .unwrap_err()
            .to_string()
            .contains("\"-1\""));
        assert!(map(&[("1", PW), ("1", PW)]).is_err());
        let err = map(&[("2", "short")]).unwrap_err().to_string();
        assert!(
            err.contains("id \"2\"") && !err.contains("short\""),
            "{err}"
        );
    }

    #[test]
    fn a_secret_given_as_an_id_is_never_shown() {
        let secret = "Xf9wKqZ2mNvB7cJ4hR6tY8uI0oP3aS5d";
        // {secret: "short"}: the keys and values swapped.
        let err = map(&[(secret, "short")]).unwrap_err().to_string();
        assert!(
            !err.contains(secret) && err.contains("32 characters"),
            "{err}"
        );
        let err = map(&[(secret, PW), (secret, PW)]).unwrap_err().to_string();
        assert!(!err.contains(secret), "{err}");
        let err = map(&[("x-y", PW)]).unwrap_err().to_string();
        assert!(err.contains("\"x-y\""), "short ids are shown: {err}");
    }

    /// Key material is wiped when a sealer is dropped: every type that
    /// holds it zeroizes itself on drop, which the compiler checks here.
    #[test]
    fn key_material_types_zeroize_on_drop() {
        use zeroize::ZeroizeOnDrop;
        fn wiped<T: ZeroizeOnDrop>() {}
        // KeyDeriver: the keyed PBKDF2 (HMAC-SHA1) states, and raw or
        // derived keys.
        wiped::<Zeroizing<[u32; 5]>>();
        wiped::<Zeroizing<[u8; KEY_LEN]>>();
        // The per-seal MAC: `Hmac<Sha256>` (hmac 0.13) lacks the marker
        // itself, but it is only two keyed `Sha256` cores and a block
        // buffer, each wiped on drop.
        wiped::<<sha2::Sha256 as hmac::EagerHash>::Core>();
        wiped::<hmac::digest::block_api::Buffer<<sha2::Sha256 as hmac::EagerHash>::Core>>();
        wiped::<cbc::Encryptor<aes::Aes256>>();
        wiped::<cbc::Decryptor<aes::Aes256>>();
        wiped::<chacha20::ChaCha20Rng>(); // the salt and IV generator
    }

    #[test]
    fn iteration_counts_outside_the_bounds_are_refused_by_name() {
        assert_eq!(iterations(1).unwrap(), Iterations::ONE);
        assert_eq!(iterations(8192).unwrap().get(), 8192);
        let max = i64::from(MAX_ITERATIONS);
        assert_eq!(iterations(max).unwrap().get(), MAX_ITERATIONS);
        for bad in [0, -1, max + 1, i64::from(u32::MAX) + 2, i64::MIN, i64::MAX] {
            let message = iterations(bad).unwrap_err().to_string();
            assert!(
                message.starts_with("iterations must be an int from 1 to 1048576, got ")
                    && message.contains(&bad.to_string()),
                "{message}"
            );
        }
    }

    #[test]
    fn raw_keys_must_be_32_bytes() {
        assert!(Passwords::new(PasswordInput::Single(SecretInput::Bytes(vec![1; 32]))).is_ok());
        assert!(Passwords::new(PasswordInput::Single(SecretInput::Bytes(vec![1; 31]))).is_err());
        assert!(Passwords::new(PasswordInput::Single(SecretInput::Bytes(vec![1; 64]))).is_err());
    }
}
