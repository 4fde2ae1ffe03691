// SPDX-License-Identifier: MIT
//! What the fuzz targets share: the JSON check that a parse of a text and
//! a re-parse of its rebuilt text agree (`iron_fast::json_echo::Echo`).

use iron_fast::json;
use iron_fast::json_echo::Echo;

/// Parses `text`; when it is JSON, checks that the rebuilt text parses
/// again to itself (the writer and the reader agree) and that a syntax
/// error's offset lies inside the text.
pub fn check_json(text: &str) {
    match json::parse(text, &mut Echo) {
        Ok(echoed) => {
            let echoed = String::from_utf8(echoed).expect("the writer emits UTF-8");
            let again = json::parse(&echoed, &mut Echo)
                .unwrap_or_else(|e| panic!("re-parse of {echoed:?} failed: {e:?}"));
            assert_eq!(echoed.as_bytes(), &again[..], "not a fixed point");
        }
        Err((_, offset)) => assert!(offset <= text.len(), "offset {offset} past the end"),
    }
}
