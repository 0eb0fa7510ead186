//! `import::import` on bytes named `fuzz.txt`, so detection picks the text importer when the
//! content allows: an article or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = claimlens::import::import(data, "fuzz.txt");
});
