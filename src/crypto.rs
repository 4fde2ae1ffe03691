// SPDX-License-Identifier: MIT
//! The primitives of an iron seal, each one call into RustCrypto: PBKDF2-
//! HMAC-SHA1 key derivation, AES-256-CBC with PKCS#7, HMAC-SHA256, and the
//! OS random source. No PyO3 here.

use aes::cipher::{block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

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
/// so the HMAC is keyed with the password once, here: the SHA-1 states after
/// the ipad and opad blocks are kept, and every derivation starts from them.
/// A derivation is then exactly five SHA-1 compressions (the salt block, and
/// per output block one inner and one outer), driven directly rather than
/// through the `hmac` crate's buffers, whose copies and wipes cost as much
/// again. Checked against the `pbkdf2` crate in the tests, for passwords and
/// salts of every length around the block size.
#[derive(Clone)]
pub struct KeyDeriver {
    inner: Zeroizing<Sha1State>,
    outer: Zeroizing<Sha1State>,
}

type Sha1State = [u32; 5];
const SHA1_H0: Sha1State = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];
const SHA1_LEN: usize = 20;
const BLOCK_LEN: usize = 64;

impl KeyDeriver {
    pub fn new(password: &[u8]) -> Self {
        // RFC 2104: a key longer than the block is hashed first.
        let mut key = Zeroizing::new([0u8; BLOCK_LEN]);
        if password.len() > BLOCK_LEN {
            let digest = Zeroizing::new(<[u8; SHA1_LEN]>::from(Sha1::digest(password)));
            key[..SHA1_LEN].copy_from_slice(digest.as_ref());
        } else {
            key[..password.len()].copy_from_slice(password);
        }
        let keyed = |pad: u8| {
            let mut block = Zeroizing::new([[0u8; BLOCK_LEN]; 1]);
            for (out, byte) in block[0].iter_mut().zip(key.iter()) {
                *out = byte ^ pad;
            }
            let mut state = Zeroizing::new(SHA1_H0);
            sha1::block_api::compress(&mut state, block.as_ref());
            state
        };
        KeyDeriver {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    pub fn derive(&self, salt: &[u8]) -> Key {
        // The inner hash is SHA-1(ipad || salt || INT(i)): the salt's whole
        // blocks are shared by both output blocks, its tail is not.
        let mut salted = Zeroizing::new(*self.inner);
        let whole = salt.len() - salt.len() % BLOCK_LEN;
        for block in salt[..whole].chunks_exact(BLOCK_LEN) {
            let block: [u8; BLOCK_LEN] = block.try_into().expect("a whole block");
            sha1::block_api::compress(&mut salted, &[block]);
        }
        let tail = &salt[whole..];
        let inner_bits = ((BLOCK_LEN + salt.len() + 4) as u64) * 8;
        let tail_blocks = if tail.len() + 4 + 1 + 8 <= BLOCK_LEN {
            1
        } else {
            2
        };
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        // The outer hash is SHA-1(opad || inner digest): one block holding
        // the digest and the padding of an 84-byte message, which never
        // changes. Only the digest is secret; it is wiped once at the end
        // (nothing in between can panic), not the whole block per output
        // block: byte-wise volatile wipes were a fifth of this function.
        let mut outer_block = [[0u8; BLOCK_LEN]; 1];
        outer_block[0][SHA1_LEN] = 0x80;
        let outer_bits = ((BLOCK_LEN + SHA1_LEN) as u64) * 8;
        outer_block[0][BLOCK_LEN - 8..].copy_from_slice(&outer_bits.to_be_bytes());
        let mut state = Zeroizing::new(SHA1_H0);
        // 32 bytes = block 1 (20 bytes) + the first 12 bytes of block 2.
        for (index, chunk) in key.chunks_mut(SHA1_LEN).enumerate() {
            // Public bytes only (salt, counter, padding): no wipe needed.
            let mut blocks = [[0u8; BLOCK_LEN]; 2];
            let flat = blocks.as_flattened_mut();
            flat[..tail.len()].copy_from_slice(tail);
            flat[tail.len()..tail.len() + 4].copy_from_slice(&(index as u32 + 1).to_be_bytes());
            flat[tail.len() + 4] = 0x80;
            let end = tail_blocks * BLOCK_LEN;
            flat[end - 8..end].copy_from_slice(&inner_bits.to_be_bytes());
            *state = *salted;
            sha1::block_api::compress(&mut state, &blocks[..tail_blocks]);

            for (bytes, word) in outer_block[0].chunks_exact_mut(4).zip(state.iter()) {
                bytes.copy_from_slice(&word.to_be_bytes());
            }
            *state = *self.outer;
            sha1::block_api::compress(&mut state, &outer_block);
            for (bytes, word) in chunk.chunks_mut(4).zip(state.iter()) {
                bytes.copy_from_slice(&word.to_be_bytes()[..bytes.len()]);
            }
        }
        outer_block[0][..SHA1_LEN].zeroize();
        key
    }
}

/// AES-256-CBC with PKCS#7 padding; the output is 16·(⌊n/16⌋+1) bytes.
pub fn encrypt(key: &[u8; KEY_LEN], iv: &[u8; IV_LEN], plaintext: &[u8]) -> Vec<u8> {
    Aes256CbcEnc::new(key.into(), iv.into()).encrypt_padded_vec::<Pkcs7>(plaintext)
}

/// The inverse of [`encrypt`], in the ciphertext's own buffer (which
/// becomes the plaintext); `None` when the length is not a positive multiple
/// of the block or the padding is wrong. Only ever called on authenticated
/// input, so the padding check is no oracle.
pub fn decrypt(key: &[u8; KEY_LEN], iv: &[u8; IV_LEN], mut buffer: Vec<u8>) -> Option<Vec<u8>> {
    if buffer.is_empty() {
        return None;
    }
    let len = Aes256CbcDec::new(key.into(), iv.into())
        .decrypt_padded::<Pkcs7>(&mut buffer)
        .ok()?
        .len();
    buffer.truncate(len);
    Some(buffer)
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
            for salt_len in [0usize, 1, 51, 52, 55, 56, 63, 64, 65, 115, 116, 128] {
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
            assert_eq!(decrypt(&key, &iv, ct).as_deref(), Some(&pt[..]));
        }
        assert!(decrypt(&key, &iv, Vec::new()).is_none());
        assert!(decrypt(&key, &iv, vec![0u8; 15]).is_none());
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
