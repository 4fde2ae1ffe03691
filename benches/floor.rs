// SPDX-License-Identifier: MIT
//! The native floor: seal and unseal through the pure Rust core, with no
//! Python and no JSON conversion, and the cost of each primitive. Python's
//! figures are compared with these to show the binding's overhead.
//!
//! Run: `cargo bench --bench floor` (plain timed loops, median of runs);
//! `cargo bench --bench floor -- "seal 100"` runs only the lines whose name
//! starts with the text (for a profiler: `perf record` on the binary).

use std::hint::black_box;
use std::time::Instant;

use iron_fast::cache::{VerifiedCache, DEFAULT_CAPACITY};
use iron_fast::password::{PasswordInput, Passwords, SecretInput};
use iron_fast::seal::{expiration_ms, Sealer, DEFAULT_TTL_SEC};
use iron_fast::{crypto, random};

const PASSWORD: &str = "Gbm49ATjnqnkCCCdhV4uDBhbfnPqsCW0";

/// The names asked for on the command line (none: all). Cargo passes
/// `--bench` itself, so options are skipped.
fn selected(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.starts_with(f.as_str()))
}

/// Median time of one call, in nanoseconds, over `runs` timed batches.
fn measure(name: &str, mut f: impl FnMut()) -> f64 {
    if !selected(name) {
        return f64::NAN;
    }
    let batch = 20_000;
    let runs = 15;
    for _ in 0..batch {
        f(); // warm up caches, branch predictors, CPU frequency
    }
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed().as_nanos() as f64 / batch as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let median = samples[runs / 2];
    println!("{name:<34} {:>9.1} ns", median);
    median
}

fn payload(size: usize) -> Vec<u8> {
    let mut text = String::from("{\"user\":{\"id\":12345,\"name\":\"Ada Lovelace\"},\"pad\":\"");
    while text.len() + 2 < size {
        text.push('x');
    }
    text.push_str("\"}");
    text.into_bytes()
}

fn main() {
    let passwords =
        Passwords::new(PasswordInput::Single(SecretInput::Text(PASSWORD.into()))).unwrap();
    let sealer = Sealer::new(passwords, 60, 0);
    if std::env::args().any(|arg| arg == "--serve") {
        serve(&sealer);
        return;
    }

    println!("primitives");
    let mut random = [0u8; 80];
    measure("getrandom 80 bytes (the OS)", || {
        getrandom::fill(black_box(&mut random)).unwrap()
    });
    measure("random::fill 80 bytes (ChaCha20)", || {
        random::fill(black_box(&mut random)).unwrap()
    });
    let mut sha1_state = [
        0x6745_2301u32,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    let block = [[b'b'; 64]];
    measure("sha1 compression (1 block)", || {
        sha1::block_api::compress(black_box(&mut sha1_state), black_box(&block))
    });
    let mut sha256_state = [
        0x6a09_e667u32,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    measure("sha256 compression (1 block)", || {
        sha2::block_api::compress256(black_box(&mut sha256_state), black_box(&block))
    });
    let salt = [b'a'; 64];
    let deriver = crypto::KeyDeriver::new(PASSWORD.as_bytes());
    measure("pbkdf2-sha1 (1 iteration, 32 B)", || {
        black_box(deriver.derive(black_box(&salt), crypto::Iterations::ONE));
    });
    let key = [7u8; 32];
    let iv = [9u8; 16];
    let base = [b'x'; 230];
    measure("hmac-sha256 of a 230 B MAC string", || {
        black_box(crypto::hmac_sha256(black_box(&key), black_box(&base)));
    });
    let plain = payload(100);
    measure("aes-256-cbc encrypt 100 B", || {
        black_box(crypto::encrypt(
            black_box(&key),
            black_box(&iv),
            black_box(&plain),
        ));
    });

    for size in [100usize, 1024, 3584] {
        println!("seal/unseal, {size} B of JSON text");
        let plain = payload(size);
        let sealed = sealer.seal(&plain, DEFAULT_TTL_SEC).unwrap();
        measure(&format!("seal {size} B"), || {
            black_box(sealer.seal(black_box(&plain), DEFAULT_TTL_SEC).unwrap());
        });
        measure(&format!("unseal {size} B"), || {
            black_box(sealer.unseal(black_box(&sealed)).unwrap());
        });
        // The same work along the path Python's `seal_data`/`unseal_data`
        // take; Python's figures are compared with these lines.
        let mut path = PythonPath::new(&sealer, &plain);
        measure(&format!("seal {size} B, as seal_data"), || path.seal());
        measure(&format!("unseal {size} B, as unseal_data"), || {
            path.unseal()
        });
    }
}

/// Seals per pool for the unseal path: `POOL` in `test_bench_seal.py`.
const POOL: usize = 4096;

/// The core along the path Python's `seal_data`/`unseal_data` take: the
/// Sealer's cache of verified seals (a seal is remembered, an unseal that
/// misses is stored), on the inputs Python's benchmarks use: seals cycled
/// from a pool of 4096, 8x the cache, so that every unseal misses and reads
/// a seal not touched lately.
struct PythonPath<'a> {
    sealer: &'a Sealer,
    plain: &'a [u8],
    cache: VerifiedCache,
    pool: Vec<String>,
    next: usize,
}

impl<'a> PythonPath<'a> {
    fn new(sealer: &'a Sealer, plain: &'a [u8]) -> Self {
        let pool = (0..POOL)
            .map(|_| sealer.seal(plain, DEFAULT_TTL_SEC).unwrap())
            .collect();
        PythonPath {
            sealer,
            plain,
            cache: VerifiedCache::new(DEFAULT_CAPACITY),
            pool,
            next: 0,
        }
    }

    fn seal(&mut self) {
        let sealer = self.sealer;
        let now_ms = sealer.now_ms();
        let sealed = sealer
            .seal_at(black_box(self.plain), DEFAULT_TTL_SEC, now_ms)
            .unwrap();
        self.cache
            .remember(&sealed, expiration_ms(now_ms, DEFAULT_TTL_SEC), self.plain);
        black_box(sealed);
    }

    fn unseal(&mut self) {
        let sealed = &self.pool[self.next];
        self.next = (self.next + 1) % POOL;
        let sealer = self.sealer;
        black_box(
            self.cache
                .unseal_at(sealer, black_box(sealed), sealer.now_ms()),
        )
        .unwrap();
    }
}

/// `--serve`: the 100 B lines "as seal_data"/"as unseal_data", one batch
/// per request, so that a caller can time Python's calls by turns with
/// them at a fine grain (`benches/interleaved.py`). Reads lines
/// `seal N` or `unseal N` on stdin and answers each with the batch's
/// nanoseconds per call; ends at end of input.
fn serve(sealer: &Sealer) {
    use std::io::{BufRead, Write};
    let plain = payload(100);
    let mut path = PythonPath::new(sealer, &plain);
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let (op, calls) = line
            .split_once(' ')
            .expect("a request is `seal N` or `unseal N`");
        let calls: u32 = calls.trim().parse().expect("N is a count of calls");
        let start = Instant::now();
        for _ in 0..calls {
            match op {
                "seal" => path.seal(),
                "unseal" => path.unseal(),
                _ => panic!("unknown operation {op:?}: seal or unseal"),
            }
        }
        let ns = start.elapsed().as_nanos() as f64 / f64::from(calls.max(1));
        writeln!(out, "{ns}")
            .and_then(|()| out.flush())
            .expect("stdout is writable");
    }
}
