//! `interchange::brat::from_brat` on a `.txt`/`.ann` pair: the input is the text, a line
//! `\u{1}ANN\u{1}`, then the annotations (seeds are made that way; without the separator the
//! whole input is the `.ann` against an empty text). An import or an error, never a panic or
//! a hang.
#![no_main]

use claimlens::model::LabelSet;
use libfuzzer_sys::fuzz_target;

const SEPARATOR: &str = "\u{1}ANN\u{1}\n";

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (txt, ann) = input.split_once(SEPARATOR).unwrap_or(("", input));
    let _ = claimlens::interchange::brat::from_brat(txt, ann, &LabelSet::default());
});
