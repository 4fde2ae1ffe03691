// SPDX-License-Identifier: MIT
//! The Fe26.2 seal, as @hapi/iron, iron-webcrypto and iron-session write it:
//!
//! ```text
//! Fe26.2*<id>*<encSalt>*<b64url iv>*<b64url ciphertext>*<expiration>*<hmacSalt>*<b64url hmac>~2
//! ```
//!
//! `encSalt` and `hmacSalt` are 64 lowercase hex characters (empty for a raw
//! key), `expiration` is an absolute Unix time in milliseconds or empty, and
//! the HMAC-SHA256 covers everything before the sixth `*`. The `~2` marker is
//! iron-session's and is not covered by the MAC. No PyO3 here.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use base64_simd::URL_SAFE_NO_PAD;

use crate::crypto::{self, Iterations, Key, DIGEST_LEN, IV_LEN, KEY_LEN, SALT_BYTES};
use crate::error::{Error, Result, UnsealKind};
use crate::json;
use crate::password::{Passwords, Secret};
use crate::random;

pub const MAC_PREFIX: &str = "Fe26.2";
/// iron-session's token version marker, appended after the iron seal.
pub const VERSION_SUFFIX: &str = "~2";
pub const FIELD_COUNT: usize = 8;
/// iron's default `timestampSkewSec`.
pub const DEFAULT_TIMESTAMP_SKEW_SEC: i64 = 60;
/// iron-session's default ttl: 14 days, in seconds.
pub const DEFAULT_TTL_SEC: u64 = 14 * 24 * 3600;

const SALT_HEX_LEN: usize = 2 * SALT_BYTES;

/// The random (or, for test vectors, fixed) inputs of one seal.
pub struct SealInputs<'a> {
    pub encryption_salt: &'a str,
    pub hmac_salt: &'a str,
    pub iv: [u8; IV_LEN],
    pub now_ms: i64,
}

/// A compiled configuration: the passwords, the PBKDF2 iteration count and
/// iron's clock options.
pub struct Sealer {
    passwords: Passwords,
    iterations: Iterations,
    timestamp_skew_ms: i64,
    localtime_offset_ms: i64,
}

impl Sealer {
    /// A sealer with iron's one PBKDF2 iteration; see [`Sealer::with_iterations`].
    pub fn new(passwords: Passwords, timestamp_skew_sec: i64, localtime_offset_ms: i64) -> Self {
        Sealer {
            passwords,
            iterations: Iterations::ONE,
            timestamp_skew_ms: timestamp_skew_sec.saturating_mul(1000),
            localtime_offset_ms,
        }
    }

    /// The same sealer, stretching text secrets with `iterations` rounds
    /// of PBKDF2 for every key of every seal it makes or opens (h3 2.x
    /// seals with 8192). The password-keyed HMAC states are shared by all
    /// counts, but each seal has its own salts: no key is reused across
    /// seals, so the count is paid per key derived, twice per seal.
    pub fn with_iterations(self, iterations: Iterations) -> Self {
        Sealer { iterations, ..self }
    }

    pub fn iterations(&self) -> Iterations {
        self.iterations
    }

    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// iron's `now`: the local clock plus `localtimeOffsetMsec`.
    pub fn now_ms(&self) -> i64 {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since_epoch.as_millis())
            .unwrap_or(i64::MAX)
            .saturating_add(self.localtime_offset_ms)
    }

    /// Seals `plaintext` (JSON text) with fresh salts and IV from the OS.
    /// `ttl_sec == 0` means the seal never expires. The result carries `~2`.
    pub fn seal(&self, plaintext: &[u8], ttl_sec: u64) -> Result<String> {
        self.seal_at(plaintext, ttl_sec, self.now_ms())
    }

    /// [`Sealer::seal`] with the clock read by the caller: the seal expires
    /// at [`expiration_ms`]`(now_ms, ttl_sec)`.
    pub fn seal_at(&self, plaintext: &[u8], ttl_sec: u64, now_ms: i64) -> Result<String> {
        check_writable_expiration(now_ms, ttl_sec)?;
        let (id, secret) = self.sealing_password()?;
        match secret {
            Secret::Text(_) => {
                // One draw for all three: each getrandom call costs a syscall.
                let mut random = [0u8; 2 * SALT_BYTES + IV_LEN];
                random::fill(&mut random).map_err(|_| Error::Random)?;
                let (salt_bytes, iv) = random.split_at(2 * SALT_BYTES);
                let mut salts = [0u8; 2 * SALT_HEX_LEN];
                hex_encode(salt_bytes, &mut salts);
                let salts = std::str::from_utf8(&salts).expect("hex is ASCII");
                let (encryption_salt, hmac_salt) = salts.split_at(SALT_HEX_LEN);
                let inputs = SealInputs {
                    encryption_salt,
                    hmac_salt,
                    iv: iv.try_into().expect("IV_LEN bytes"),
                    now_ms,
                };
                Ok(self.build_seal(id, secret, plaintext, ttl_sec, &inputs))
            }
            Secret::Raw(_) => {
                let mut iv = [0u8; IV_LEN];
                random::fill(&mut iv).map_err(|_| Error::Random)?;
                let inputs = SealInputs {
                    encryption_salt: "",
                    hmac_salt: "",
                    iv,
                    now_ms,
                };
                Ok(self.build_seal(id, secret, plaintext, ttl_sec, &inputs))
            }
        }
    }

    /// A fully determined seal (fixed salts, IV and clock) for test vectors.
    /// `id` picks another configured password than the sealing one.
    pub fn seal_with(
        &self,
        plaintext: &[u8],
        ttl_sec: u64,
        inputs: &SealInputs<'_>,
        id: Option<&str>,
    ) -> Result<String> {
        check_writable_expiration(inputs.now_ms, ttl_sec)?;
        let (id, secret) = match id {
            None => self.sealing_password()?,
            Some(id) => {
                let secret = self.passwords.for_explicit_id(id).ok_or_else(|| {
                    Error::Argument(format!("password id {id:?} is not configured"))
                })?;
                (id, secret)
            }
        };
        Ok(self.build_seal(id, secret, plaintext, ttl_sec, inputs))
    }

    /// Opens a seal and returns the decrypted bytes (JSON text, still to be
    /// decoded with [`decode_text`]).
    pub fn unseal(&self, sealed: &str) -> Result<Vec<u8>> {
        self.unseal_at(sealed, self.now_ms())
    }

    /// iron's expiry rule: a seal is good until its expiration plus the
    /// clock skew. `None` (no expiration field) never expires.
    pub fn check_expiration(&self, expires_ms: Option<i128>, now_ms: i64) -> Result<()> {
        if let Some(expires_ms) = expires_ms {
            let deadline = i128::from(now_ms) - i128::from(self.timestamp_skew_ms);
            if expires_ms <= deadline {
                return Err(Error::Unseal {
                    kind: UnsealKind::Expired,
                    detail: "expired",
                });
            }
        }
        Ok(())
    }

    /// The checks run in iron's order: shape, prefix, expiration, password
    /// lookup, then the MAC, which is verified before anything is decoded
    /// or decrypted.
    pub fn unseal_at(&self, sealed: &str, now_ms: i64) -> Result<Vec<u8>> {
        // iron-session 9 ignores everything from the first '~' (the version
        // marker, which the MAC does not cover).
        let (iron, fields) =
            split_fields(sealed).ok_or_else(|| Error::invalid("wrong number of fields"))?;
        let [prefix, id, encryption_salt, iv_b64, ciphertext_b64, expiration, hmac_salt, digest_b64] =
            fields;
        if prefix != MAC_PREFIX {
            return Err(Error::invalid("wrong prefix"));
        }
        self.check_expiration(parse_expiration(expiration)?, now_ms)?;
        let secret = self.passwords.for_unseal(id).ok_or(Error::Unseal {
            kind: UnsealKind::UnknownPassword,
            detail: "unknown password id",
        })?;

        let mac_base = &iron[..iron.len() - hmac_salt.len() - digest_b64.len() - 2];
        let digest = decode_b64url_array::<DIGEST_LEN>(digest_b64)
            .ok_or_else(|| Error::invalid("bad hmac"))?;
        let hmac_key = key_for(secret, hmac_salt, self.iterations)
            .ok_or_else(|| Error::invalid("bad hmac"))?;
        if !crypto::hmac_sha256_verify(hmac_key.as_ref(), mac_base.as_bytes(), &digest) {
            return Err(Error::invalid("bad hmac"));
        }

        // Authenticated from here on: only a holder of the password can reach
        // these errors, so they are no oracle.
        let iv = decode_b64url_array::<IV_LEN>(iv_b64).ok_or_else(|| Error::invalid("bad iv"))?;
        let ciphertext =
            decode_b64url(ciphertext_b64).ok_or_else(|| Error::invalid("bad ciphertext"))?;
        let key = key_for(secret, encryption_salt, self.iterations)
            .ok_or_else(|| Error::invalid("bad encryption salt"))?;
        crypto::decrypt(&key, &iv, ciphertext).ok_or_else(|| Error::invalid("decryption failed"))
    }
}

impl Sealer {
    fn sealing_password(&self) -> Result<(&str, &Secret)> {
        self.passwords.for_seal().ok_or_else(|| {
            Error::Password(
                "the password map has no integer id to seal with: key the map by \
                 integers, e.g. {1: old_secret, 2: new_secret} (the highest id seals)"
                    .to_owned(),
            )
        })
    }

    fn build_seal(
        &self,
        id: &str,
        secret: &Secret,
        plaintext: &[u8],
        ttl_sec: u64,
        inputs: &SealInputs<'_>,
    ) -> String {
        let iterations = self.iterations;
        // Both keys first: neither depends on the other, and side by side
        // the CPU runs their hash chains at once.
        let encryption_key = key_for_sealing(secret, inputs.encryption_salt, iterations);
        let hmac_key = key_for_sealing(secret, inputs.hmac_salt, iterations);
        let ciphertext = crypto::encrypt(&encryption_key, &inputs.iv, plaintext);

        let mut out = String::with_capacity(
            200 + id.len() + ciphertext.len() * 4 / 3 + inputs.encryption_salt.len() * 2,
        );
        out.push_str(MAC_PREFIX);
        out.push('*');
        out.push_str(id);
        out.push('*');
        out.push_str(inputs.encryption_salt);
        out.push('*');
        URL_SAFE_NO_PAD.encode_append(inputs.iv, &mut out);
        out.push('*');
        URL_SAFE_NO_PAD.encode_append(&ciphertext, &mut out);
        out.push('*');
        if let Some(expiration) = expiration_ms(inputs.now_ms, ttl_sec) {
            match i64::try_from(expiration) {
                Ok(small) => {
                    let mut digits = [0u8; 20];
                    let digits = json::format_i64(&mut digits, small);
                    out.push_str(std::str::from_utf8(digits).expect("digits are ASCII"));
                }
                Err(_) => out.push_str(&expiration.to_string()),
            }
        }
        let digest = crypto::hmac_sha256(hmac_key.as_ref(), out.as_bytes());
        out.push('*');
        out.push_str(inputs.hmac_salt);
        out.push('*');
        URL_SAFE_NO_PAD.encode_append(digest, &mut out);
        out.push_str(VERSION_SUFFIX);
        out
    }
}

/// The expiration field of a token that unsealed (Unix milliseconds, or
/// `None`: never expires); `None` as well for anything malformed.
pub fn expiration_of(sealed: &str) -> Option<i128> {
    let (_, fields) = split_fields(sealed)?;
    parse_expiration(fields[5]).ok().flatten()
}

/// The expiration a seal made at `now_ms` with `ttl_sec` carries (Unix
/// milliseconds), or `None` for a ttl of 0: never expires.
pub fn expiration_ms(now_ms: i64, ttl_sec: u64) -> Option<i128> {
    (ttl_sec > 0).then(|| i128::from(now_ms) + i128::from(ttl_sec) * 1000)
}

/// Refuses to write an expiration at or before 1970 (a clock moved there
/// by `localtime_offset_ms`): the field must be a positive integer
/// (`/^[1-9]\d*$/`), so no reader, this one included, would open the seal,
/// while a cache that kept it as made would.
fn check_writable_expiration(now_ms: i64, ttl_sec: u64) -> Result<()> {
    match expiration_ms(now_ms, ttl_sec) {
        Some(expiration) if expiration <= 0 => Err(Error::Argument(format!(
            "the clock (with localtime_offset_ms) is {now_ms} ms, so a seal with a ttl of \
             {ttl_sec} s would expire at or before 1970, which no reader accepts"
        ))),
        _ => Ok(()),
    }
}

/// iron's generateKey: a text secret is stretched with the salt string; a
/// raw key is used as is, and the salt and iteration count ignored.
fn key_for_sealing(secret: &Secret, salt: &str, iterations: Iterations) -> Key {
    match secret {
        Secret::Text(deriver) => deriver.derive(salt.as_bytes(), iterations),
        Secret::Raw(key) => Key::new(**key),
    }
}

/// As [`key_for_sealing`], but an empty salt with a text secret yields no
/// key: iron would draw a random salt there, so such a seal never opens.
/// Nor does a salt with a raw key: every library writes it empty, and the
/// hmac salt is outside the MAC, so a key that ignored it would let anyone
/// rewrite that field of a genuine seal and still have it open (found by
/// the `unseal` fuzz target; see HARDENING.md).
fn key_for(secret: &Secret, salt: &str, iterations: Iterations) -> Option<Key> {
    match secret {
        Secret::Text(_) if salt.is_empty() => None,
        Secret::Raw(_) if !salt.is_empty() => None,
        _ => Some(key_for_sealing(secret, salt, iterations)),
    }
}

/// The part of a token before its first `~` (iron-session 9 ignores the
/// rest: the version marker, outside the MAC) and that part's eight
/// `*`-separated fields, or `None` for any other number of fields. One pass
/// over the token with `memchr` (vectorised: the separators are 8 bytes in
/// some 300).
pub fn split_fields(sealed: &str) -> Option<(&str, [&str; FIELD_COUNT])> {
    let bytes = sealed.as_bytes();
    let mut fields = [""; FIELD_COUNT];
    let mut count = 0;
    let mut start = 0;
    let mut end = bytes.len();
    for at in memchr::memchr2_iter(b'*', b'~', bytes) {
        if bytes[at] == b'~' {
            end = at;
            break;
        }
        if count == FIELD_COUNT - 1 {
            return None;
        }
        // Both separators are ASCII: every cut is a char boundary.
        fields[count] = &sealed[start..at];
        count += 1;
        start = at + 1;
    }
    if count != FIELD_COUNT - 1 {
        return None;
    }
    fields[count] = &sealed[start..end];
    Some((&sealed[..end], fields))
}

/// `""` means no expiry. Otherwise iron-webcrypto 2's `/^[1-9]\d*$/`; a value
/// too large for i128 is far in the future, so it saturates.
pub fn parse_expiration(field: &str) -> Result<Option<i128>> {
    if field.is_empty() {
        return Ok(None);
    }
    let bytes = field.as_bytes();
    if bytes[0] == b'0' {
        return Err(Error::invalid("invalid expiration"));
    }
    // One pass: each byte checked and summed. Up to 19 digits fit a u64
    // (every real expiry has 13); a longer value is summed as an i128
    // that saturates.
    let digit = |byte: u8| {
        let digit = byte.wrapping_sub(b'0');
        (digit <= 9)
            .then_some(digit)
            .ok_or_else(|| Error::invalid("invalid expiration"))
    };
    if bytes.len() <= 19 {
        let mut value: u64 = 0;
        for &byte in bytes {
            value = value * 10 + u64::from(digit(byte)?);
        }
        return Ok(Some(i128::from(value)));
    }
    let mut value: i128 = 0;
    for &byte in bytes {
        value = value
            .saturating_mul(10)
            .saturating_add(i128::from(digit(byte)?));
    }
    Ok(Some(value))
}

/// Canonical base64url only (no padding, no stray bits: `base64_simd`'s
/// strict decoder), as iron-session 8 and @hapi/iron compare the digest;
/// iron-session 9's lenient spellings of a digest are refused.
pub fn decode_b64url(field: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode_to_vec(field).ok()
}

/// As [`decode_b64url`], for a field that must decode to exactly `N` bytes
/// (decoded on the stack).
pub fn decode_b64url_array<const N: usize>(field: &str) -> Option<[u8; N]> {
    let mut buffer = [0u8; N];
    if URL_SAFE_NO_PAD.decoded_length(field.as_bytes()).ok()? != N {
        return None;
    }
    URL_SAFE_NO_PAD
        .decode(field.as_bytes(), base64_simd::Out::from_slice(&mut buffer))
        .ok()?;
    Some(buffer)
}

fn hex_encode(bytes: &[u8], out: &mut [u8]) {
    // Each byte's two digits at once: one lookup a byte (the bytes are
    // random salt, no secret).
    static PAIRS: [[u8; 2]; 256] = {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut pairs = [[0u8; 2]; 256];
        let mut byte = 0;
        while byte < 256 {
            pairs[byte] = [HEX[byte >> 4], HEX[byte & 0x0f]];
            byte += 1;
        }
        pairs
    };
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair.copy_from_slice(&PAIRS[usize::from(*byte)]);
    }
}

/// Decrypted bytes to text as WHATWG `TextDecoder` does (what iron-webcrypto
/// uses): a leading BOM is dropped and invalid UTF-8 becomes U+FFFD.
pub fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Valid UTF-8 (every seal anyone writes) checks faster than the lossy
    // scan, which is only needed when it is not.
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

// Keep KEY_LEN visibly tied to AES-256: a raw key is the AES key itself.
const _: () = assert!(KEY_LEN == 32);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::password::{PasswordInput, SecretInput};
    use crate::testutil::load_vectors;
    use serde_json::Value;

    const PW: &str = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0";

    #[test]
    fn hex_is_lowercase_hex_of_every_byte() {
        let every: Vec<u8> = (0..=255).collect();
        for len in [0, 1, 3, 4, 5, 32, 256] {
            let bytes = &every[every.len() - len..];
            let mut out = vec![0u8; 2 * len];
            hex_encode(bytes, &mut out);
            let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    #[test]
    fn an_expiration_field_is_a_positive_decimal_integer() {
        // iron-webcrypto 2's /^[1-9]\d*$/, read exactly, saturating past
        // an i128.
        let read = |field: &str| parse_expiration(field).ok();
        assert_eq!(read(""), Some(None));
        assert_eq!(read("1"), Some(Some(1)));
        assert_eq!(read("1700000000123"), Some(Some(1_700_000_000_123)));
        let u64_max = u64::MAX.to_string();
        assert_eq!(read(&u64_max), Some(Some(i128::from(u64::MAX))));
        assert_eq!(
            read("9999999999999999999"),
            Some(Some(9_999_999_999_999_999_999))
        );
        assert_eq!(
            read("99999999999999999999"),
            Some(Some(99_999_999_999_999_999_999))
        );
        let i128_max = i128::MAX.to_string();
        assert_eq!(read(&i128_max), Some(Some(i128::MAX)));
        assert_eq!(read(&format!("{i128_max}0")), Some(Some(i128::MAX)));
        assert_eq!(read(&"9".repeat(60)), Some(Some(i128::MAX)));
        for bad in [
            "0", "01", "-1", "+1", "1 ", " 1", "1e3", "1.0", "12a", "١", "1/", "1:",
        ] {
            assert_eq!(read(bad), None, "{bad:?}");
        }
        assert_eq!(read(&format!("{}x", "9".repeat(30))), None);
    }

    #[test]
    fn an_expiration_is_written_in_decimal() {
        let sealer = Sealer::new(
            Passwords::new(PasswordInput::Single(SecretInput::Text(PW.into()))).unwrap(),
            DEFAULT_TIMESTAMP_SKEW_SEC,
            0,
        );
        // The last two are the largest i64 and one past it (written as i128).
        for now_ms in [1, 1_700_000_000_123, i64::MAX - 1000, i64::MAX] {
            let token = sealer.seal_at(b"{}", 1, now_ms).unwrap();
            let (_, fields) = split_fields(&token).unwrap();
            assert_eq!(fields[5], (i128::from(now_ms) + 1000).to_string());
        }
    }

    fn secret(value: &Value) -> SecretInput {
        match value {
            Value::String(s) => SecretInput::Text(s.clone()),
            Value::Object(o) => {
                let hex = o["bytes_hex"].as_str().unwrap();
                SecretInput::Bytes(
                    (0..hex.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                        .collect(),
                )
            }
            other => panic!("unexpected password {other}"),
        }
    }

    fn passwords(value: &Value) -> Passwords {
        let input = match value {
            Value::Object(o) if !o.contains_key("bytes_hex") => {
                PasswordInput::Map(o.iter().map(|(id, s)| (id.clone(), secret(s))).collect())
            }
            other => PasswordInput::Single(secret(other)),
        };
        Passwords::new(input).unwrap()
    }

    fn hex_bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    fn sealer(password: &str) -> Sealer {
        let input = PasswordInput::Single(SecretInput::Text(password.to_owned()));
        Sealer::new(
            Passwords::new(input).unwrap(),
            DEFAULT_TIMESTAMP_SKEW_SEC,
            0,
        )
    }

    /// The seal of a vector's `inputs` (fixed salts, IV and clock, its
    /// plaintext, ttl and password id).
    fn seal_vector(sealer: &Sealer, inputs: &Value) -> String {
        let iv = hex_bytes(inputs["iv_hex"].as_str().unwrap());
        let seal_inputs = SealInputs {
            encryption_salt: inputs["encryption_salt"].as_str().unwrap(),
            hmac_salt: inputs["hmac_salt"].as_str().unwrap(),
            iv: iv.try_into().unwrap(),
            now_ms: inputs["now_ms"].as_i64().unwrap(),
        };
        let plaintext = inputs["plaintext_json"].as_str().unwrap().as_bytes();
        let ttl = inputs["ttl_s"].as_u64().unwrap();
        let id = inputs["password_id"].as_str().unwrap();
        sealer
            .seal_with(plaintext, ttl, &seal_inputs, Some(id))
            .unwrap()
    }

    #[test]
    fn deterministic_vectors_seal_byte_for_byte() {
        let vectors = load_vectors("deterministic.json");
        let mut checked = 0;
        for case in vectors["cases"].as_array().unwrap() {
            let inputs = &case["inputs"];
            if inputs["algorithm"] != "aes-256-cbc" {
                continue; // iron_aes_128_ctr: not an iron-session algorithm
            }
            let sealer = Sealer::new(passwords(&inputs["password"]), 60, 0);
            let sealed = seal_vector(&sealer, inputs);
            let now_ms = inputs["now_ms"].as_i64().unwrap();
            let plaintext = inputs["plaintext_json"].as_str().unwrap().as_bytes();
            let id = inputs["password_id"].as_str().unwrap();
            let expected = format!("{}~2", case["expected"]["iron_seal"].as_str().unwrap());
            assert_eq!(sealed, expected, "{}", case["name"]);
            if let Some(session_seal) = case["expected"]["iron_session_seal"].as_str() {
                assert_eq!(sealed, session_seal, "{}", case["name"]);
            }
            // iron-session reads a single password as {1: password}, so a
            // seal with an empty id only opens through a "default" entry.
            if !id.is_empty() {
                assert_eq!(
                    sealer.unseal_at(&sealed, now_ms).unwrap(),
                    plaintext,
                    "{}",
                    case["name"]
                );
            }
            checked += 1;
        }
        assert!(checked >= 28, "only {checked} cases checked");
    }

    /// Cases of tests/vectors/iterations.json, made by @hapi/iron and
    /// iron-webcrypto with other iteration counts than 1. The largest
    /// counts are left to the Python tests, which run a release build.
    #[test]
    fn iteration_vectors_seal_byte_for_byte() {
        let vectors = load_vectors("iterations.json");
        let mut checked = 0;
        for case in vectors["cases"].as_array().unwrap() {
            let inputs = &case["inputs"];
            let count = inputs["iterations"].as_i64().unwrap();
            if count > 10_000 {
                continue;
            }
            let iterations = crate::password::iterations(count).unwrap();
            let sealer =
                Sealer::new(passwords(&inputs["password"]), 60, 0).with_iterations(iterations);
            let sealed = seal_vector(&sealer, inputs);
            let expected = case["expected"]["iron_session_seal"].as_str().unwrap();
            assert_eq!(sealed, expected, "{}", case["name"]);
            checked += 1;
        }
        assert!(checked >= 10, "only {checked} cases checked");
    }

    #[test]
    fn a_seal_opens_only_with_its_iteration_count() {
        let at = |count| sealer(PW).with_iterations(crate::password::iterations(count).unwrap());
        let (one, h3) = (at(1), at(8192));
        assert_eq!(h3.iterations().get(), 8192);
        let sealed = h3.seal(b"{\"a\":1}", 0).unwrap();
        assert_eq!(h3.unseal(&sealed).unwrap(), b"{\"a\":1}");
        for other in [&one, &at(8191), &at(8193)] {
            let err = other.unseal(&sealed).unwrap_err();
            assert_eq!(err, Error::invalid("bad hmac"));
        }
        let legacy = one.seal(b"{}", 0).unwrap();
        assert_eq!(h3.unseal(&legacy).unwrap_err(), Error::invalid("bad hmac"));
        // A raw key is used as it is: the count changes nothing.
        let raw =
            || Passwords::new(PasswordInput::Single(SecretInput::Bytes(vec![7; 32]))).unwrap();
        let raw_sealed = Sealer::new(raw(), 60, 0).seal(b"{}", 0).unwrap();
        let raw_h3 = Sealer::new(raw(), 60, 0).with_iterations(h3.iterations());
        assert_eq!(raw_h3.unseal(&raw_sealed).unwrap(), b"{}");
    }

    /// With thousands of iterations a key costs thousands of compressions,
    /// and each seal has its own salts: a user's repeated requests stay
    /// cheap only because a hit in the verified-seal cache derives nothing.
    #[test]
    fn a_cache_hit_derives_no_key() {
        use crate::cache::VerifiedCache;
        use crate::crypto::derivations;
        let sealer = sealer(PW).with_iterations(crate::password::iterations(8192).unwrap());
        let cache = VerifiedCache::new(8);
        let sealed = sealer.seal(b"{\"a\":1}", 60).unwrap();
        let now = sealer.now_ms();
        let before = derivations();
        assert_eq!(
            cache.unseal_at(&sealer, &sealed, now).unwrap(),
            b"{\"a\":1}"
        );
        assert_eq!(derivations() - before, 2, "a miss derives both keys");
        for _ in 0..3 {
            assert_eq!(
                cache.unseal_at(&sealer, &sealed, now).unwrap(),
                b"{\"a\":1}"
            );
        }
        assert_eq!(derivations() - before, 2, "a hit derives none");
        assert_eq!(cache.stats(), (3, 1));
        // A seal the sealer made and remembered is a hit from the start.
        let made = sealer.seal(b"{}", 60).unwrap();
        cache.remember(&made, expiration_ms(now, 60), b"{}");
        let before = derivations();
        assert_eq!(cache.unseal_at(&sealer, &made, now).unwrap(), b"{}");
        assert_eq!(derivations(), before);
    }

    #[test]
    fn fresh_seals_round_trip_and_differ() {
        let sealer = sealer(PW);
        let a = sealer.seal(b"{\"a\":1}", DEFAULT_TTL_SEC).unwrap();
        let b = sealer.seal(b"{\"a\":1}", DEFAULT_TTL_SEC).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("Fe26.2*1*") && a.ends_with("~2"));
        assert_eq!(sealer.unseal(&a).unwrap(), b"{\"a\":1}");
        // 206 fixed characters + id + ciphertext + expiration, plus "~2".
        let c = sealer
            .seal(b"{\"user\":{\"id\":1}}", DEFAULT_TTL_SEC)
            .unwrap();
        assert_eq!(c.len(), 265);
    }

    #[test]
    fn no_seal_expires_at_or_before_1970() {
        let sealer = sealer(PW);
        let at = |now_ms: i64| SealInputs {
            encryption_salt: "a",
            hmac_salt: "b",
            iv: [0; IV_LEN],
            now_ms,
        };
        for (now_ms, ttl_sec) in [(-60_000, 60), (-60_001, 60), (i64::MIN, 1)] {
            let refused = sealer.seal_with(b"1", ttl_sec, &at(now_ms), None);
            assert!(matches!(refused, Err(Error::Argument(_))), "{now_ms}");
            assert!(matches!(
                sealer.seal_at(b"1", ttl_sec, now_ms),
                Err(Error::Argument(_))
            ));
        }
        // One millisecond after 1970 is a seal every reader opens; so is
        // one that never expires, whatever the clock.
        let sealed = sealer.seal_with(b"1", 60, &at(-59_999), None).unwrap();
        assert!(sealed.contains("*1*b*"), "{sealed}");
        assert_eq!(sealer.unseal_at(&sealed, -59_999).unwrap(), b"1");
        assert!(sealer.seal_at(b"1", 0, i64::MIN).is_ok());
    }

    #[test]
    fn expiry_honours_the_skew_exactly() {
        let sealer = sealer(PW);
        let inputs = SealInputs {
            encryption_salt: "a",
            hmac_salt: "b",
            iv: [0; IV_LEN],
            now_ms: 1_000_000,
        };
        let sealed = sealer.seal_with(b"1", 1, &inputs, None).unwrap();
        let expires = 1_001_000;
        assert!(sealer.unseal_at(&sealed, expires + 59_999).is_ok());
        let err = sealer.unseal_at(&sealed, expires + 60_000).unwrap_err();
        assert!(matches!(
            err,
            Error::Unseal {
                kind: UnsealKind::Expired,
                ..
            }
        ));
        let forever = sealer.seal_with(b"1", 0, &inputs, None).unwrap();
        assert!(sealer.unseal_at(&forever, i64::MAX).is_ok());
    }

    #[test]
    fn every_single_character_change_is_rejected() {
        let sealer = sealer(PW);
        let sealed = sealer
            .seal(b"{\"user\":{\"id\":1}}", DEFAULT_TTL_SEC)
            .unwrap();
        let iron_len = sealed.len() - VERSION_SUFFIX.len();
        let alphabet = b"0123456789abcdefABCDEF-_*~.xZ";
        let mut tried = 0;
        for pos in 0..iron_len {
            for &c in alphabet {
                if sealed.as_bytes()[pos] == c {
                    continue;
                }
                let mut bytes = sealed.clone().into_bytes();
                bytes[pos] = c;
                let tampered = String::from_utf8(bytes).unwrap();
                assert!(
                    sealer.unseal(&tampered).is_err(),
                    "accepted a change at {pos}: {tampered}"
                );
                tried += 1;
            }
        }
        assert!(tried > 5000);
    }

    #[test]
    fn only_the_canonical_digest_spelling_opens() {
        // The digest is outside the MAC: a lenient decoder would open the
        // same seal under the spellings that differ in the last character's
        // unused low bits (43 characters carry 258 bits for 256).
        let sealer = sealer(PW);
        let sealed = sealer.seal(b"{}", DEFAULT_TTL_SEC).unwrap();
        let iron = &sealed[..sealed.len() - VERSION_SUFFIX.len()];
        let (body, last) = iron.split_at(iron.len() - 1);
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let opened: Vec<char> = alphabet
            .chars()
            .filter(|c| sealer.unseal(&format!("{body}{c}")).is_ok())
            .collect();
        assert_eq!(opened, vec![last.chars().next().unwrap()]);
        assert!(sealer.unseal(&format!("{iron}=")).is_err());
    }

    #[test]
    fn malformed_input_is_refused_never_panics() {
        let sealer = sealer(PW);
        for bad in [
            "",
            "~2",
            "Fe26.2",
            "Fe26.2*******",
            "Fe26.2********",
            "Fe26.1*1*a*b*c**d*e",
            "Fe26.2*1*a*b*c*0123*d*e",
            "Fe26.2*1*a*b*c*-5*d*e",
            "Fe26.2*1*a*b*c*1e3*d*e",
            "Fe26.2*1*a*b*c**d*é",
            "Fe26.2*1***c***",
        ] {
            assert!(sealer.unseal(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unknown_ids_and_empty_salts() {
        let map = Passwords::new(PasswordInput::Map(vec![(
            "2".into(),
            SecretInput::Text(PW.into()),
        )]))
        .unwrap();
        let by_map = Sealer::new(map, 60, 0);
        let sealed = sealer(PW).seal(b"{}", 0).unwrap(); // id 1
        let err = by_map.unseal(&sealed).unwrap_err();
        assert!(matches!(
            err,
            Error::Unseal {
                kind: UnsealKind::UnknownPassword,
                ..
            }
        ));
        // A text secret never opens a seal with an empty salt.
        let inputs = SealInputs {
            encryption_salt: "",
            hmac_salt: "",
            iv: [0; IV_LEN],
            now_ms: 0,
        };
        let odd = sealer(PW).seal_with(b"{}", 0, &inputs, None).unwrap();
        assert!(sealer(PW).unseal(&odd).is_err());
    }

    #[test]
    fn fields_split_as_iron_session_9_splits_them() {
        // The simple definition: the text before the first '~', split on
        // every '*', exactly eight fields.
        fn simple(sealed: &str) -> Option<(&str, Vec<&str>)> {
            let iron = sealed.split('~').next().unwrap_or("");
            let fields: Vec<&str> = iron.split('*').collect();
            (fields.len() == FIELD_COUNT).then_some((iron, fields))
        }
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..200 {
            for _ in 0..200 {
                let text: String = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly separators, so eight fields come up often.
                        ['*', '*', '~', 'a', 'é', '*'][(seed % 6) as usize]
                    })
                    .collect();
                let fast = split_fields(&text).map(|(iron, f)| (iron, f.to_vec()));
                assert_eq!(fast, simple(&text), "{text:?}");
            }
        }
        let sealed = sealer(PW).seal(b"{}", 0).unwrap();
        let (iron, fields) = split_fields(&sealed).unwrap();
        assert_eq!(format!("{iron}~2"), sealed);
        assert_eq!(fields.to_vec(), simple(&sealed).unwrap().1);
    }

    #[test]
    fn a_raw_key_seal_with_any_salt_is_refused() {
        let raw = Passwords::new(PasswordInput::Single(SecretInput::Bytes(vec![7; 32]))).unwrap();
        let sealer = Sealer::new(raw, 60, 0);
        let sealed = sealer.seal(b"{\"a\":1}", 0).unwrap();
        assert_eq!(sealer.unseal(&sealed).unwrap(), b"{\"a\":1}");
        let fields: Vec<&str> = sealed.split('*').collect();
        assert_eq!((fields[2], fields[6]), ("", ""));
        // The hmac salt is outside the MAC: without the check this opened.
        let mut forged = fields.clone();
        forged[6] = "x";
        assert!(sealer.unseal(&forged.join("*")).is_err());
        let mut forged = fields.clone();
        forged[2] = "x";
        assert!(sealer.unseal(&forged.join("*")).is_err());
    }

    #[test]
    fn text_decoding_is_text_decoder() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{}"), "{}");
        assert_eq!(decode_text(b"\xEF\xBB\xBF\xEF\xBB\xBF1"), "\u{feff}1");
        assert_eq!(decode_text(b"\"\xff\""), "\"\u{fffd}\"");
    }
}
