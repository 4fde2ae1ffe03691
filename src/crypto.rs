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

/// The largest PBKDF2 iteration count a configuration may ask for. iron
/// and iron-webcrypto set no bound (iron's default is 1, h3 2.x's 8192);
/// this one exists because every request that brings a seal the sealer has
/// not verified yet (a new session, or a forged cookie) pays for the
/// derivation of its MAC key before anything else is checked, so the count
/// bounds what one request can cost. 2^20 is 128 times h3's count: room
/// for a deployment that raised it a hundredfold, while a slip of a digit
/// or two past it (or 2^31) fails at start-up rather than making every new
/// session cost seconds. A cold unseal at the maximum costs 128 times one
/// at 8192.
pub const MAX_ITERATIONS: u32 = 1 << 20;

/// A PBKDF2 iteration count, 1 to [`MAX_ITERATIONS`]: checked once, when
/// the configuration is built (`password::iterations`), so that a
/// derivation never sees 0 or an unbounded count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iterations(u32);

impl Iterations {
    /// iron's default, and iron-session's (which cannot change it).
    pub const ONE: Iterations = Iterations(1);

    pub const fn new(count: u32) -> Option<Self> {
        if count >= 1 && count <= MAX_ITERATIONS {
            Some(Iterations(count))
        } else {
            None
        }
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

/// iron's `generateKey` for a text secret: PBKDF2-HMAC-SHA1 with a 32-byte
/// output, where the salt is the salt *string's* bytes (the 64 hex
/// characters), not the bytes they spell.
///
/// PBKDF2 (RFC 8018 §5.2) is `T_i = U_1 ^ … ^ U_c` with
/// `U_1 = HMAC(P, S || INT(i))` and `U_j = HMAC(P, U_{j-1})`: every HMAC is
/// keyed with the password, so that is done once, here: the SHA-1 states
/// after the ipad and opad blocks are kept, and every derivation starts
/// from them. `U_1` is then three SHA-1 compressions per output block (one
/// salt block shared by both, one inner, one outer) and each further
/// iteration two, driven directly rather than through the `hmac` crate's
/// buffers, whose copies and wipes cost as much again. Checked against the
/// `pbkdf2` crate in the tests, for passwords and salts of every length
/// around the block size and for several iteration counts.
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

    pub fn derive(&self, salt: &[u8], iterations: Iterations) -> Key {
        #[cfg(test)]
        DERIVATIONS.with(|count| count.set(count.get() + 1));
        // The inner hash of U_1 is SHA-1(ipad || salt || INT(i)): the salt's
        // whole blocks are shared by both output blocks, its tail is not.
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
        // Every other hash is over a key block and a 20-byte digest: the
        // outer hash of each U_j, and the inner hash of U_2 … U_c. One block
        // holds that digest and the padding of an 84-byte message, which
        // never changes. Only the digest is secret; it is wiped once at the
        // end (nothing in between can panic), not the whole block per
        // compression: byte-wise volatile wipes were a fifth of this function.
        let mut digest_block = [[0u8; BLOCK_LEN]; 1];
        digest_block[0][SHA1_LEN] = 0x80;
        let digest_bits = ((BLOCK_LEN + SHA1_LEN) as u64) * 8;
        digest_block[0][BLOCK_LEN - 8..].copy_from_slice(&digest_bits.to_be_bytes());
        // U_j, then T_i = the XOR of them.
        let mut state = Zeroizing::new(SHA1_H0);
        let mut sum = Zeroizing::new(SHA1_H0);
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
            hash_digest(&self.outer, &mut state, &mut digest_block);
            *sum = *state;
            for _ in 1..iterations.get() {
                hash_digest(&self.inner, &mut state, &mut digest_block);
                hash_digest(&self.outer, &mut state, &mut digest_block);
                for (word, next) in sum.iter_mut().zip(state.iter()) {
                    *word ^= next;
                }
            }
            for (bytes, word) in chunk.chunks_mut(4).zip(sum.iter()) {
                bytes.copy_from_slice(&word.to_be_bytes()[..bytes.len()]);
            }
        }
        digest_block[0][..SHA1_LEN].zeroize();
        key
    }
}

/// `state` becomes SHA-1(key block || `state` as a 20-byte digest), the key
/// block's compression being `keyed`: one half of an HMAC-SHA1 whose
/// message is a digest. `block` holds that message's padding already.
#[inline(always)]
fn hash_digest(keyed: &Sha1State, state: &mut Sha1State, block: &mut [[u8; BLOCK_LEN]; 1]) {
    for (bytes, word) in block[0].chunks_exact_mut(4).zip(state.iter()) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    *state = *keyed;
    sha1::block_api::compress(state, block);
}

#[cfg(test)]
thread_local! {
    /// How many keys this thread derived: lets the tests show that a path
    /// (a hit in the verified-seal cache) derives none.
    static DERIVATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The number of keys the calling thread has derived so far.
#[cfg(test)]
pub(crate) fn derivations() -> u64 {
    DERIVATIONS.with(std::cell::Cell::get)
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

    fn iterations(count: u32) -> Iterations {
        Iterations::new(count).unwrap()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn pbkdf2_sha1_rfc6070_vectors() {
        // RFC 6070: P="password", S="salt", dkLen=20, c = 1, 2 and 4096.
        let deriver = KeyDeriver::new(b"password");
        for (count, expected) in [
            (1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
            (2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
            (4096, "4b007901b765489abead49d926f721d065a429c1"),
        ] {
            let key = deriver.derive(b"salt", iterations(count));
            assert_eq!(hex(&key[..20]), expected, "c={count}");
        }
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
                for count in [1u32, 2, 3] {
                    let mut expected = [0u8; KEY_LEN];
                    pbkdf2::pbkdf2::<Hmac<Sha1>>(password, salt, count, &mut expected).unwrap();
                    let key = deriver.derive(salt, iterations(count));
                    assert_eq!(*key, expected, "{password_len}/{salt_len}/{count}");
                }
            }
        }
    }

    #[test]
    fn iterated_keys_equal_the_pbkdf2_crate() {
        // The counts of iron (1) and h3 2.x (8192), and others around them,
        // with iron's salts (64 hex characters) and a password of each kind
        // (one block or less, and hashed first). The maximum is checked
        // against the npm packages' seal (tests/vectors/iterations.json,
        // `count_max`), in a release build: the pbkdf2 crate takes seconds
        // for it in a test build.
        let salt = b"8f79955265d8b2e00385fcbeb4d33945337a670f1ea854a56f0a8e40b1ab1306";
        for password in [&b"Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0"[..], &[0x5a; 100]] {
            let deriver = KeyDeriver::new(password);
            for count in [1u32, 2, 10, 1000, 8191, 8192, 8193] {
                let mut expected = [0u8; KEY_LEN];
                pbkdf2::pbkdf2::<Hmac<Sha1>>(password, salt, count, &mut expected).unwrap();
                assert_eq!(
                    *deriver.derive(salt, iterations(count)),
                    expected,
                    "c={count}"
                );
            }
        }
    }

    #[test]
    fn iteration_counts_are_bounded() {
        assert_eq!(Iterations::new(0), None);
        assert_eq!(Iterations::new(1), Some(Iterations::ONE));
        assert_eq!(
            Iterations::new(MAX_ITERATIONS).map(Iterations::get),
            Some(MAX_ITERATIONS)
        );
        assert_eq!(Iterations::new(MAX_ITERATIONS + 1), None);
        assert_eq!(Iterations::new(u32::MAX), None);
    }

    #[test]
    fn derivations_are_counted_per_thread() {
        let before = derivations();
        KeyDeriver::new(b"k").derive(b"s", Iterations::ONE);
        assert_eq!(derivations(), before + 1);
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
