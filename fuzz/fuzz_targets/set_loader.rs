//! `store::load_set_str` on any text: an error or a set, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `load_set` refuses files that are not UTF-8 before parsing; the parser sees only text.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = claimlens::store::load_set_str(text, std::path::Path::new("fuzz.claimlens.ron"));
    }
});
