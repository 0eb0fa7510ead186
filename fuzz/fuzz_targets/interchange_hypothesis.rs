//! `interchange::hypothesis::from_hypothesis` on any text, against a fixed article (the page
//! of the sample export): a set and report or an error, never a panic or a hang.
#![no_main]

use std::sync::LazyLock;

use claimlens::model::{Article, LabelSet};
use libfuzzer_sys::fuzz_target;

static ARTICLE: LazyLock<Article> = LazyLock::new(|| {
    Article::from_plain_text(
        include_str!("../../tests/data/interchange/hypothesis-page.txt"),
        "page.txt",
    )
});

fuzz_target!(|data: &[u8]| {
    if let Ok(json) = std::str::from_utf8(data) {
        let _ = claimlens::interchange::hypothesis::from_hypothesis(
            json,
            &ARTICLE,
            &LabelSet::default(),
        );
    }
});
