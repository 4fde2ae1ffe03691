// SPDX-License-Identifier: MIT
//! The unseal path, `iron_fast::seal::Sealer::unseal_at`, in two modes
//! chosen by the first byte:
//!
//! * raw: the rest is a cookie value, opened by one of several sealers
//!   (text password, rotation map with a raw key and a "default" id, raw
//!   key, extreme clock options) at one of several clocks. It must return
//!   (never panic, never hang), and what it opens must decode as text and
//!   parse or fail cleanly as JSON. Seeds from tests/vectors are genuine
//!   seals under the vectors' password, so the fuzzer starts past the MAC.
//! * tamper: the rest is a plaintext, sealed with fixed salts, IV and
//!   clock, which must open to itself; then one edit (substitute, delete,
//!   insert, truncate, or a field swapped with another seal's) is applied,
//!   and any edit that changes the part the MAC covers must be refused.
//!   This is the oracle random input alone could never reach: a forgery
//!   is a seal that opens after a change.
#![no_main]

use std::sync::LazyLock;

use iron_fast::password::{PasswordInput, Passwords, SecretInput};
use iron_fast::seal::{decode_text, SealInputs, Sealer, DEFAULT_TIMESTAMP_SKEW_SEC};
use libfuzzer_sys::fuzz_target;

/// The password of tests/vectors (iron-session's own test password).
const VECTOR_PASSWORD: &str = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0";
const OTHER_PASSWORD: &str = "another-fuzzing-password-0123456789";
const RAW_KEY: [u8; 32] = [0x5a; 32];
const SALT_A: &str = "9234c2126c086a7d73f42a94af461eb2f8dd82c08d59c7bb31d18c9e41c922ff";
const SALT_B: &str = "c4d0b58016a48d9e052b6b3bc2593d4267cb55752ff670da79bf2e48be9688ef";
/// Before every expiration in tests/vectors, so their seals open.
const NOW_MS: i64 = 1_600_000_000_000;
const CLOCKS: [i64; 5] = [NOW_MS, 0, 1_800_000_000_000, i64::MAX, i64::MIN];

fn text(secret: &str) -> SecretInput {
    SecretInput::Text(secret.to_owned())
}

static SEALERS: LazyLock<Vec<Sealer>> = LazyLock::new(|| {
    let single = |secret| Passwords::new(PasswordInput::Single(secret)).unwrap();
    let map = Passwords::new(PasswordInput::Map(vec![
        ("1".into(), text(VECTOR_PASSWORD)),
        ("2".into(), text(OTHER_PASSWORD)),
        ("default".into(), text(VECTOR_PASSWORD)),
        ("raw".into(), SecretInput::Bytes(RAW_KEY.to_vec())),
    ]))
    .unwrap();
    vec![
        Sealer::new(single(text(VECTOR_PASSWORD)), DEFAULT_TIMESTAMP_SKEW_SEC, 0),
        Sealer::new(map, DEFAULT_TIMESTAMP_SKEW_SEC, 0),
        Sealer::new(single(SecretInput::Bytes(RAW_KEY.to_vec())), 0, 0),
        Sealer::new(single(text(VECTOR_PASSWORD)), i64::MAX, i64::MIN),
    ]
});

/// Whatever opened must go through the same decoding the binding does.
fn decode(plaintext: &[u8]) {
    iron_fast_fuzz::check_json(&decode_text(plaintext));
}

fn raw(selector: u8, rest: &[u8]) {
    let sealer = &SEALERS[usize::from(selector >> 1) % SEALERS.len()];
    let now = CLOCKS[usize::from(selector >> 3) % CLOCKS.len()];
    // The binding only ever passes text; a lossy decode keeps every input
    // useful instead of discarding the non-UTF-8 ones.
    let cookie = String::from_utf8_lossy(rest);
    if let Ok(plaintext) = sealer.unseal_at(&cookie, now) {
        decode(&plaintext);
    }
}

/// The part of a seal the MAC covers, or that iron reads at all: iron-
/// session 9 ignores everything from the first `~`.
fn iron_part(seal: &str) -> &str {
    seal.split('~').next().unwrap_or("")
}

fn tamper(selector: u8, rest: &[u8]) {
    if rest.len() < 5 {
        return;
    }
    let (edit, plaintext) = rest.split_at(5);
    let sealer = &SEALERS[usize::from(selector >> 1) % 3];
    let raw_key = std::ptr::eq(sealer, &SEALERS[2]);
    let (salt_a, salt_b) = if raw_key { ("", "") } else { (SALT_A, SALT_B) };
    let ttl = [0u64, 1, 3600, 1_209_600][usize::from(edit[4] & 3)];
    let seal_with = |plaintext: &[u8], enc, mac, iv| {
        let inputs = SealInputs {
            encryption_salt: enc,
            hmac_salt: mac,
            iv,
            now_ms: NOW_MS,
        };
        sealer.seal_with(plaintext, ttl, &inputs, None).unwrap()
    };
    let sealed = seal_with(plaintext, salt_a, salt_b, [7; 16]);
    let opened = sealer
        .unseal_at(&sealed, NOW_MS)
        .expect("a fresh seal opens");
    assert_eq!(opened, plaintext, "round trip");

    let position = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % (sealed.len() + 1);
    let ch = char::from(edit[3]);
    let mut forged = sealed.clone();
    match edit[2] % 5 {
        0 if position < sealed.len() => {
            forged.replace_range(position..=position, ch.encode_utf8(&mut [0; 4]))
        }
        1 if position < sealed.len() => {
            forged.remove(position);
        }
        2 => forged.insert(position, ch),
        3 => forged.truncate(position),
        _ => {
            // Field `n` taken from another seal of other data, salts, IV.
            let other = seal_with(b"{\"user\":{\"id\":2}}", salt_b, salt_a, [9; 16]);
            let n = usize::from(edit[3]) % 8;
            let mut fields: Vec<&str> = iron_part(&sealed).split('*').collect();
            fields[n] = iron_part(&other).split('*').nth(n).unwrap();
            forged = format!("{}~2", fields.join("*"));
        }
    }
    match sealer.unseal_at(&forged, NOW_MS) {
        Ok(plaintext) => {
            assert_eq!(
                iron_part(&forged),
                iron_part(&sealed),
                "a changed seal was accepted: {forged:?}"
            );
            decode(&plaintext);
        }
        Err(_) => assert_ne!(
            iron_part(&forged),
            iron_part(&sealed),
            "an unchanged seal was refused: {forged:?}"
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector & 1 == 0 {
        raw(selector, rest);
    } else {
        tamper(selector, rest);
    }
});
