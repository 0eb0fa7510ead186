//! `import::import` on bytes named `fuzz.html`, so detection picks the html importer when the
//! content allows: an article or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = claimlens::import::import(data, "fuzz.html");
});
