// SPDX-License-Identifier: MIT
//! The primitives of an iron seal, each one call into RustCrypto: PBKDF2-
//! HMAC-SHA1 key derivation, AES-256-CBC with PKCS#7, HMAC-SHA256, and the
//! OS random source. No PyO3 here.

use aes::cipher::{block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

/// AES-256 and HMAC-SHA256 keys are both 32 bytes (iron's `keyBits: 256`).
pub const KEY_LEN: usize = 32;
/// AES block size: the IV length.
pub const IV_LEN: usize = 16;
/// iron's `saltBits: 256`: 32 random bytes, written as 64 hex characters.
pub const SALT_BYTES: usize = 32;
/// HMAC-SHA256 output length.
pub const DIGEST_LEN: usize = 32;

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type HmacSha256 = Hmac<Sha256>;

pub type Key = Zeroizing<[u8; KEY_LEN]>;

/// iron's `generateKey` for a text secret: PBKDF2-HMAC-SHA1 with one
/// iteration and a 32-byte output, where the salt is the salt *string's*
/// bytes (the 64 hex characters), not the bytes they spell.
///
/// PBKDF2 (RFC 8018 §5.2) with one iteration is `T_i = HMAC(P, S || INT(i))`,
/// so the HMAC is keyed with the password once, here, and every derivation
/// starts from that state: the key setup (two SHA-1 blocks) is paid per
/// password, not per seal. Checked against the `pbkdf2` crate in the tests.
#[derive(Clone)]
pub struct KeyDeriver {
    prf: Hmac<Sha1>,
}

impl KeyDeriver {
    pub fn new(password: &[u8]) -> Self {
        KeyDeriver {
            prf: Hmac::<Sha1>::new_from_slice(password).expect("HMAC takes any key length"),
        }
    }

    pub fn derive(&self, salt: &[u8]) -> Key {
        let mut salted = self.prf.clone();
        salted.update(salt);
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        // 32 bytes = block 1 (20 bytes) + the first 12 bytes of block 2.
        for (index, chunk) in key.chunks_mut(20).enumerate() {
            let mut block = salted.clone();
            block.update(&(index as u32 + 1).to_be_bytes());
            let digest = block.finalize().into_bytes();
            chunk.copy_from_slice(&digest[..chunk.len()]);
        }
        key
    }
}

/// AES-256-CBC with PKCS#7 padding; the output is 16·(⌊n/16⌋+1) bytes.
pub fn encrypt(key: &[u8; KEY_LEN], iv: &[u8; IV_LEN], plaintext: &[u8]) -> Vec<u8> {
    Aes256CbcEnc::new(key.into(), iv.into()).encrypt_padded_vec::<Pkcs7>(plaintext)
}

/// The inverse of [`encrypt`]; `None` when the length is not a positive
/// multiple of the block or the padding is wrong. Only ever called on
/// authenticated input, so the padding check is no oracle.
pub fn decrypt(key: &[u8; KEY_LEN], iv: &[u8; IV_LEN], ciphertext: &[u8]) -> Option<Vec<u8>> {
    if ciphertext.is_empty() {
        return None;
    }
    Aes256CbcDec::new(key.into(), iv.into())
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .ok()
}

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; DIGEST_LEN] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of `HMAC-SHA256(key, message)` with `tag`
/// (`Mac::verify_slice` compares without early exit).
pub fn hmac_sha256_verify(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.verify_slice(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_sha1_rfc6070_first_vector() {
        // RFC 6070: P="password", S="salt", c=1, dkLen=20.
        let key = KeyDeriver::new(b"password").derive(b"salt");
        let hex: String = key[..20].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "0c60c80f961f0e71f3a9b524af6012062fe037a6");
    }

    #[test]
    fn key_deriver_equals_the_pbkdf2_crate() {
        let mut seed = [0u8; 256];
        crate::random::fill(&mut seed).unwrap();
        // Passwords shorter and longer than SHA-1's 64-byte block (a longer
        // key is hashed first), salts of every length around one block.
        for password_len in [1usize, 32, 63, 64, 65, 100, 200] {
            let password = &seed[..password_len];
            let deriver = KeyDeriver::new(password);
            for salt_len in [0usize, 1, 55, 56, 63, 64, 65, 128] {
                let salt = &seed[56..56 + salt_len];
                let mut expected = [0u8; KEY_LEN];
                pbkdf2::pbkdf2::<Hmac<Sha1>>(password, salt, 1, &mut expected).unwrap();
                assert_eq!(*deriver.derive(salt), expected, "{password_len}/{salt_len}");
            }
        }
    }

    #[test]
    fn cbc_round_trip_and_sizes() {
        let key = [7u8; KEY_LEN];
        let iv = [9u8; IV_LEN];
        for n in [0usize, 1, 15, 16, 17, 100] {
            let pt = vec![b'x'; n];
            let ct = encrypt(&key, &iv, &pt);
            assert_eq!(ct.len(), 16 * (n / 16 + 1));
            assert_eq!(decrypt(&key, &iv, &ct).as_deref(), Some(&pt[..]));
        }
        assert!(decrypt(&key, &iv, &[]).is_none());
        assert!(decrypt(&key, &iv, &[0u8; 15]).is_none());
    }

    #[test]
    fn hmac_verify_rejects_any_other_tag() {
        let tag = hmac_sha256(b"k", b"m");
        assert!(hmac_sha256_verify(b"k", b"m", &tag));
        let mut bad = tag;
        bad[31] ^= 1;
        assert!(!hmac_sha256_verify(b"k", b"m", &bad));
        assert!(!hmac_sha256_verify(b"k", b"m", &tag[..31]));
    }
}
