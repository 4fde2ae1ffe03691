// SPDX-License-Identifier: MIT
//! Salts and IVs. Each thread draws from its own ChaCha20 generator, seeded
//! from the OS (getrandom), so that a seal makes no system call, which
//! would be a large share of its time.
//!
//! A process made by `fork()` inherits its parent's generator state, which
//! would make gunicorn or uWSGI workers repeat each other's salts and IVs. A
//! `pthread_atfork` child handler bumps a generation counter, and a
//! generator seeded under an older generation is reseeded before its next
//! draw. Where the handler cannot be registered, every draw asks the OS.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Once;

use chacha20::rand_core::{Rng, SeedableRng};
use chacha20::ChaCha20Rng;
use zeroize::Zeroizing;

/// Incremented in every child process right after `fork()`.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static REGISTER: Once = Once::new();
static FORK_AWARE: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The generator and the fork generation it was seeded under.
    static GENERATOR: RefCell<Option<(u64, ChaCha20Rng)>> = const { RefCell::new(None) };
}

#[cfg(unix)]
extern "C" fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::SeqCst);
}

#[cfg(unix)]
fn register_fork_handler() -> bool {
    // SAFETY: registers a handler that only touches an atomic, which is
    // async-signal-safe as fork's child side requires.
    unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) == 0 }
}

#[cfg(not(unix))]
fn register_fork_handler() -> bool {
    true // no fork(): a process never inherits another's memory
}

/// Fills `buf` with cryptographically secure random bytes.
pub fn fill(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    REGISTER.call_once(|| FORK_AWARE.store(register_fork_handler(), Ordering::SeqCst));
    if !FORK_AWARE.load(Ordering::Relaxed) {
        return getrandom::fill(buf);
    }
    let generation = FORK_GENERATION.load(Ordering::SeqCst);
    GENERATOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        match slot.as_mut() {
            Some((seeded_in, rng)) if *seeded_in == generation => rng.fill_bytes(buf),
            _ => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut())?;
                let mut rng = ChaCha20Rng::from_seed(*seed);
                rng.fill_bytes(buf);
                *slot = Some((generation, rng));
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ_within_and_across_threads() {
        let draw = || {
            let mut a = [0u8; 32];
            fill(&mut a).unwrap();
            a
        };
        let here = [draw(), draw()];
        assert_ne!(here[0], here[1]);
        let there = std::thread::spawn(move || [draw(), draw()]).join().unwrap();
        for a in &here {
            assert!(!there.contains(a));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_forked_child_does_not_repeat_its_parent() {
        let mut before = [0u8; 32];
        fill(&mut before).unwrap(); // the parent's generator now exists
        let mut pipe = [0i32; 2];
        // SAFETY: plain POSIX calls; the child only draws, writes and exits.
        unsafe {
            assert_eq!(libc::pipe(pipe.as_mut_ptr()), 0);
            let pid = libc::fork();
            assert!(pid >= 0);
            if pid == 0 {
                let mut child = [0u8; 32];
                fill(&mut child).unwrap();
                libc::write(pipe[1], child.as_ptr().cast(), 32);
                libc::_exit(0);
            }
            let mut parent = [0u8; 32];
            fill(&mut parent).unwrap();
            let mut child = [0u8; 32];
            assert_eq!(libc::read(pipe[0], child.as_mut_ptr().cast(), 32), 32);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
            // Without the reseed the child's first draw equals the parent's.
            assert_ne!(child, parent);
        }
    }
}
