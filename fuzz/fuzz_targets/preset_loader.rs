//! `store::preset_from_str` on any text: an error or a label set, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = claimlens::store::preset_from_str(text, std::path::Path::new("fuzz.preset.ron"));
    }
});
