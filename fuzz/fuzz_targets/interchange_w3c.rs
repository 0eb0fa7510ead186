//! `interchange::w3c::from_w3c` on any text, against a fixed article: a set and report or an
//! error, never a panic or a hang.
#![no_main]

use std::sync::LazyLock;

use claimlens::model::{Article, LabelSet};
use libfuzzer_sys::fuzz_target;

static ARTICLE: LazyLock<Article> = LazyLock::new(|| {
    Article::from_plain_text(
        include_str!("../../tests/data/golden-article.txt"),
        "golden.txt",
    )
});

fuzz_target!(|data: &[u8]| {
    if let Ok(json) = std::str::from_utf8(data) {
        let _ = claimlens::interchange::w3c::from_w3c(json, &ARTICLE, &LabelSet::default());
    }
});
