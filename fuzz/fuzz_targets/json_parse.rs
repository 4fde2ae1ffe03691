// SPDX-License-Identifier: MIT
//! `iron_fast::json::parse` on arbitrary text: never panics, never
//! overflows the stack, and whatever it accepts it writes back as text it
//! accepts again, unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The reader only ever sees text (the seal's plaintext goes through a
    // lossy UTF-8 decode first), so invalid UTF-8 is decoded the same way.
    let text = String::from_utf8_lossy(data);
    iron_fast_fuzz::check_json(&text);
});
