// SPDX-License-Identifier: MIT
//! A bounded cache of recently verified seals, so that the same cookie on
//! every request of a user is opened once: a hit skips the MAC, both key
//! derivations and the decryption, and returns the plaintext again.
//!
//! What a hit still does, and why it is safe:
//! * the token must be byte-for-byte the one that was verified (compared in
//!   constant time), so nothing unverified is ever returned;
//! * its expiration is checked on every hit, with the sealer's clock and
//!   skew, exactly as [`Sealer::unseal_at`] checks it;
//! * a cache belongs to one [`Sealer`], whose password set is immutable: a
//!   seal verified under one set is never accepted under another;
//! * it holds at most `capacity` entries (direct-mapped: a new entry takes
//!   its slot from whatever was there), each a token of at most
//!   [`MAX_CACHED_TOKEN`] bytes and its plaintext, wiped when dropped;
//! * it holds bytes, not Python objects: the caller parses the plaintext
//!   again, so every hit yields a fresh object.
//!
//! Slots are picked by a keyed SipHash of the token's tail (random keys per
//! cache), so which seals share a slot cannot be predicted; and only a seal
//! that opened is ever stored, so a forged token cannot evict anything.
//! No PyO3 here.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard};

use ctutils::CtEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::Result;
use crate::seal::{self, Sealer};

/// Tokens longer than one cookie (chunked sessions) are not cached: they
/// would make the worst case of the cache's memory four times larger.
pub const MAX_CACHED_TOKEN: usize = 4096;
/// The default number of entries: a few hundred users active at once per
/// process, at most about 3.5 MB (a 4 KB token and its plaintext each),
/// typically well under 1 MB.
pub const DEFAULT_CAPACITY: usize = 512;

struct Entry {
    hash: u64,
    token: String,
    /// Known for a seal this sealer made; for one it verified, read from
    /// the token at its first hit (not at every miss, most never hit).
    expires_ms: Option<Option<i128>>,
    plaintext: Zeroizing<Vec<u8>>,
}

impl Entry {
    /// Whether this entry is `sealed` itself: the token compared in time
    /// that depends on the lengths only (the length of a cookie is no
    /// secret), with RustCrypto's `ctutils`, as `hmac` compares tags.
    fn holds(&self, hash: u64, sealed: &str) -> bool {
        self.hash == hash && self.token.as_bytes().ct_eq(sealed.as_bytes()).to_bool()
    }
}

/// A token up to its first `~`: what unsealing reads (the rest is ignored,
/// as iron-session 9 does), so that a seal made with iron-session's `~2`
/// and sent back without it, as iron and h3 write seals, is one entry.
fn token_of(sealed: &str) -> &str {
    memchr::memchr(b'~', sealed.as_bytes()).map_or(sealed, |at| &sealed[..at])
}

/// What the lock guards: the entries and the counts of `stats`, which are
/// kept under the lock each lookup takes anyway rather than in atomics of
/// their own (an atomic add is a second locked instruction per call).
struct Slots {
    /// Empty until the first entry: a sealer that never unseals costs
    /// nothing.
    entries: Vec<Option<Entry>>,
    hits: u64,
    misses: u64,
}

pub struct VerifiedCache {
    capacity: usize,
    slots: Mutex<Slots>,
    keys: RandomState,
}

impl VerifiedCache {
    /// A cache of `capacity` entries; 0 makes one that never holds any.
    pub fn new(capacity: usize) -> Self {
        VerifiedCache {
            capacity,
            slots: Mutex::new(Slots {
                entries: Vec::new(),
                hits: 0,
                misses: 0,
            }),
            keys: RandomState::new(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many entries are held now.
    pub fn len(&self) -> usize {
        self.lock()
            .entries
            .iter()
            .filter(|slot| slot.is_some())
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// (hits, misses) since the cache was made.
    pub fn stats(&self) -> (u64, u64) {
        let slots = self.lock();
        (slots.hits, slots.misses)
    }

    /// [`Sealer::unseal_at`], through the cache: the same result, the same
    /// errors (expiry included), for every token.
    pub fn unseal_at(&self, sealer: &Sealer, sealed: &str, now_ms: i64) -> Result<Vec<u8>> {
        let sealed = token_of(sealed);
        if self.capacity == 0 || sealed.len() > MAX_CACHED_TOKEN {
            return sealer.unseal_at(sealed, now_ms);
        }
        let hash = self.slot_hash(sealed);
        if let Some(found) = self.get(hash, sealed, sealer, now_ms) {
            return found;
        }
        let plaintext = sealer.unseal_at(sealed, now_ms)?;
        self.insert(hash, sealed, None, &plaintext, true);
        Ok(plaintext)
    }

    /// Keeps a seal this sealer just made (`plaintext` is what it sealed,
    /// `expires_ms` its expiration), as if it had been verified: the next
    /// request of the same user, which sends it back, is then a hit.
    pub fn remember(&self, sealed: &str, expires_ms: Option<i128>, plaintext: &[u8]) {
        let sealed = token_of(sealed);
        if self.capacity == 0 || sealed.len() > MAX_CACHED_TOKEN {
            return;
        }
        self.insert(
            self.slot_hash(sealed),
            sealed,
            Some(expires_ms),
            plaintext,
            false,
        );
    }

    /// The slot's hash: keyed SipHash of the token's last 32 bytes, which
    /// are its MAC (random to anyone without the password, different for
    /// every seal); hashing all of it would cost ten times more. A token
    /// that shares them with a cached one only meets it in the full
    /// comparison, and fails there.
    fn slot_hash(&self, sealed: &str) -> u64 {
        let bytes = sealed.as_bytes();
        self.keys.hash_one(&bytes[bytes.len().saturating_sub(32)..])
    }

    fn lock(&self) -> MutexGuard<'_, Slots> {
        // A panic while holding the lock cannot leave an entry half
        // written (each is replaced whole), so a poisoned lock is usable.
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The slot of `hash`: the high half of `hash × len`, which spreads a
    /// uniform hash over the slots as `hash % len` does, with a multiply
    /// instead of a division.
    fn slot(entries: &[Option<Entry>], hash: u64) -> Option<usize> {
        let len = entries.len() as u64;
        (len > 0).then(|| ((u128::from(hash) * u128::from(len)) >> 64) as usize)
    }

    /// The cached answer for `sealed`, if it is held: its plaintext, or the
    /// expiry error, as [`Sealer::unseal_at`] would give it (an expired
    /// entry is dropped).
    fn get(
        &self,
        hash: u64,
        sealed: &str,
        sealer: &Sealer,
        now_ms: i64,
    ) -> Option<Result<Vec<u8>>> {
        let mut slots = self.lock();
        let index = Self::slot(&slots.entries, hash)?;
        let entry = slots.entries[index]
            .as_mut()
            .filter(|entry| entry.holds(hash, sealed))?;
        // Read from the token at the first hit, then kept.
        let expires_ms = *entry
            .expires_ms
            .get_or_insert_with(|| seal::expiration_of(&entry.token));
        if let Err(expired) = sealer.check_expiration(expires_ms, now_ms) {
            let evicted = slots.entries[index].take();
            drop(slots);
            drop(evicted);
            return Some(Err(expired));
        }
        let plaintext = entry.plaintext.to_vec();
        slots.hits += 1;
        Some(Ok(plaintext))
    }

    /// Stores an entry; `missed` counts it as a miss of `unseal_at`.
    fn insert(
        &self,
        hash: u64,
        sealed: &str,
        expires_ms: Option<Option<i128>>,
        plaintext: &[u8],
        missed: bool,
    ) {
        let mut slots = self.lock();
        slots.misses += u64::from(missed);
        if slots.entries.is_empty() {
            slots.entries.resize_with(self.capacity, || None);
        }
        let Some(index) = Self::slot(&slots.entries, hash) else {
            return;
        };
        match &mut slots.entries[index] {
            // Reuse the evicted entry's buffers: no allocation when the
            // new entry fits, and the old plaintext is wiped first.
            Some(entry) => {
                entry.hash = hash;
                entry.token.clear();
                entry.token.push_str(sealed);
                entry.expires_ms = expires_ms;
                overwrite(&mut entry.plaintext, plaintext);
            }
            empty => {
                *empty = Some(Entry {
                    hash,
                    token: sealed.to_owned(),
                    expires_ms,
                    plaintext: Zeroizing::new(plaintext.to_vec()),
                });
            }
        }
    }
}

/// Replaces the bytes of `buffer` with `new` in place: the old ones are
/// overwritten, and any beyond the new length wiped before it shrinks.
fn overwrite(buffer: &mut Vec<u8>, new: &[u8]) {
    let old_len = buffer.len();
    if new.len() > old_len {
        buffer.resize(new.len(), 0);
    }
    buffer[..new.len()].copy_from_slice(new);
    if old_len > new.len() {
        buffer[new.len()..].zeroize();
        buffer.truncate(new.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, UnsealKind};
    use crate::password::{PasswordInput, Passwords, SecretInput};
    use crate::seal::DEFAULT_TIMESTAMP_SKEW_SEC;

    const PW: &str = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0";
    const OTHER: &str = "another password of 32+ characters!!";
    const NOW: i64 = 1_700_000_000_000;

    fn sealer(password: &str) -> Sealer {
        let passwords =
            Passwords::new(PasswordInput::Single(SecretInput::Text(password.into()))).unwrap();
        Sealer::new(passwords, DEFAULT_TIMESTAMP_SKEW_SEC, 0)
    }

    fn sealed_at(sealer: &Sealer, plaintext: &[u8], ttl_sec: u64, now_ms: i64) -> String {
        let inputs = crate::seal::SealInputs {
            encryption_salt: &"a".repeat(64),
            hmac_salt: &"b".repeat(64),
            iv: [7; 16],
            now_ms,
        };
        sealer.seal_with(plaintext, ttl_sec, &inputs, None).unwrap()
    }

    fn expired(result: Result<Vec<u8>>) -> bool {
        matches!(
            result,
            Err(Error::Unseal {
                kind: UnsealKind::Expired,
                ..
            })
        )
    }

    #[test]
    fn a_hit_returns_what_the_full_unseal_returns() {
        let sealer = sealer(PW);
        let cache = VerifiedCache::new(8);
        let token = sealer.seal(b"{\"a\":1}", 60).unwrap();
        for _ in 0..3 {
            let opened = cache.unseal_at(&sealer, &token, sealer.now_ms()).unwrap();
            assert_eq!(opened, b"{\"a\":1}");
        }
        assert_eq!(cache.stats(), (2, 1));
    }

    #[test]
    fn expiry_is_checked_on_every_hit() {
        let sealer = sealer(PW);
        let cache = VerifiedCache::new(8);
        let token = sealed_at(&sealer, b"{}", 10, NOW);
        assert!(cache.unseal_at(&sealer, &token, NOW).is_ok());
        // Still inside ttl + skew: a hit.
        assert!(cache.unseal_at(&sealer, &token, NOW + 69_999).is_ok());
        assert_eq!(cache.stats(), (1, 1));
        // Past it: refused from the cache, as the full path refuses it.
        assert!(expired(cache.unseal_at(&sealer, &token, NOW + 70_000)));
        assert!(expired(sealer.unseal_at(&token, NOW + 70_000)));
        assert_eq!(cache.len(), 0, "an expired entry is dropped");
        // A never-expiring seal stays a hit.
        let forever = sealed_at(&sealer, b"{}", 0, NOW);
        assert!(cache.unseal_at(&sealer, &forever, NOW).is_ok());
        assert!(cache.unseal_at(&sealer, &forever, i64::MAX).is_ok());
    }

    #[test]
    fn only_the_exact_verified_token_hits() {
        let sealer = sealer(PW);
        let cache = VerifiedCache::new(1);
        let token = sealed_at(&sealer, b"{}", 0, NOW);
        assert!(cache.unseal_at(&sealer, &token, NOW).is_ok());
        // Same slot (there is one), different bytes: the full path runs
        // and refuses it.
        let mut tampered = token.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(cache.unseal_at(&sealer, &tampered, NOW).is_err());
        assert_eq!(cache.stats().0, 0);
        // After '~' is ignored, as iron-session 9 does: the same token.
        assert!(cache.unseal_at(&sealer, &format!("{token}x"), NOW).is_ok());
        assert_eq!(cache.stats().0, 1);
    }

    #[test]
    fn a_seal_sent_back_without_its_marker_is_a_hit() {
        // iron and h3 write no "~2": the seal made here comes back bare.
        let sealer = sealer(PW);
        let cache = VerifiedCache::new(8);
        let token = sealed_at(&sealer, b"{}", 0, NOW);
        assert!(token.ends_with("~2"));
        cache.remember(&token, None, b"{}");
        let bare = token.trim_end_matches("~2");
        assert_eq!(cache.unseal_at(&sealer, bare, NOW).unwrap(), b"{}");
        assert_eq!(cache.stats(), (1, 0));
    }

    #[test]
    fn a_cache_is_bound_to_its_sealers_passwords() {
        let ours = sealer(PW);
        let theirs = sealer(OTHER);
        let cache = VerifiedCache::new(8);
        let token = sealed_at(&ours, b"{}", 0, NOW);
        assert!(cache.unseal_at(&ours, &token, NOW).is_ok());
        // The cache never answers for a sealer it was not filled by: it
        // lives in one Sealer (src/python), so this is the full path.
        assert!(VerifiedCache::new(8)
            .unseal_at(&theirs, &token, NOW)
            .is_err());
    }

    #[test]
    fn the_cache_is_bounded() {
        let sealer = sealer(PW);
        let cache = VerifiedCache::new(4);
        for i in 0..100 {
            let token = sealer
                .seal(format!("{{\"i\":{i}}}").as_bytes(), 60)
                .unwrap();
            assert!(cache.unseal_at(&sealer, &token, sealer.now_ms()).is_ok());
            assert!(cache.len() <= 4);
        }
        assert_eq!(cache.capacity(), 4);
        let big = sealer.seal(&vec![b'1'; MAX_CACHED_TOKEN], 60).unwrap();
        assert!(cache.unseal_at(&sealer, &big, sealer.now_ms()).is_ok());
        assert!(cache.unseal_at(&sealer, &big, sealer.now_ms()).is_ok());
        assert_eq!(
            cache.stats(),
            (0, 100),
            "a token over one cookie is not cached"
        );
        let none = VerifiedCache::new(0);
        let token = sealer.seal(b"{}", 60).unwrap();
        assert!(none.unseal_at(&sealer, &token, sealer.now_ms()).is_ok());
        assert!(none.unseal_at(&sealer, &token, sealer.now_ms()).is_ok());
        assert_eq!((none.len(), none.stats().0), (0, 0));
    }

    #[test]
    fn an_entry_is_overwritten_in_place() {
        let mut buffer = b"a longer old plaintext".to_vec();
        overwrite(&mut buffer, b"short");
        assert_eq!(buffer, b"short");
        // The old bytes past the new length were wiped before the cut.
        let spare = buffer.spare_capacity_mut();
        assert!(spare.len() >= 17);
        // SAFETY: those bytes were initialized (zeroed) before truncate().
        let wiped = unsafe { std::slice::from_raw_parts(spare.as_ptr().cast::<u8>(), 17) };
        assert!(wiped.iter().all(|&b| b == 0), "{wiped:?}");
        overwrite(&mut buffer, b"a longer new plaintext, longer still");
        assert_eq!(buffer, b"a longer new plaintext, longer still");
    }

    #[test]
    fn an_entry_holds_exactly_its_token() {
        let entry = |token: &str| Entry {
            hash: 7,
            token: token.to_owned(),
            expires_ms: None,
            plaintext: Zeroizing::new(Vec::new()),
        };
        assert!(entry("").holds(7, ""));
        assert!(entry("abc").holds(7, "abc"));
        assert!(!entry("abc").holds(7, "abd"));
        assert!(!entry("abc").holds(7, "ab"));
        assert!(!entry("ab").holds(7, "abc"));
        assert!(!entry("abc").holds(8, "abc"));
    }
}
