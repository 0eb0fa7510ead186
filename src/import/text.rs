//! Bytes → Unicode text: byte-order mark first, then "is it valid UTF-8", then a declared
//! charset (HTML `<meta charset>`, XML declaration), then detection with `chardetng`.
//!
//! A declared charset is only believed when the bytes are not valid UTF-8 and decode without
//! errors in it: pages declaring `gb2312` while being UTF-8 are common.

use encoding_rs::{Encoding, UTF_8, X_MAC_CYRILLIC};

/// Decoded text and the encoding it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    /// How the encoding was decided, for messages and `--json`.
    pub how: DecidedBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    ByteOrderMark,
    ValidUtf8,
    Declared,
    Detected,
}

/// Decodes `bytes`; `declared` is a charset label the container states (may be wrong).
///
/// Example: the bytes `[0x63, 0x61, 0x66, 0xE9]` (`café` in windows-1252) are not UTF-8, so
/// they are detected and decoded as windows-1252.
pub fn decode(bytes: &[u8], declared: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding,
            how: DecidedBy::ByteOrderMark,
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: UTF_8,
            how: DecidedBy::ValidUtf8,
        };
    }
    if let Some(encoding) = declared.and_then(|l| Encoding::for_label(l.trim().as_bytes()))
        && encoding != UTF_8
        && let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Decoded {
            text: text.into_owned(),
            encoding,
            how: DecidedBy::Declared,
        };
    }
    let encoding = detect(bytes);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding,
        how: DecidedBy::Detected,
    }
}

/// Guesses the legacy encoding of bytes that are not UTF-8.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    // chardetng does not know Mac Cyrillic: it reads it as windows-1251 (whose capitals sit
    // where Mac Cyrillic has punctuation) or as a Latin encoding. Take Mac Cyrillic when it
    // gives clearly more plausible Cyrillic words than the guess.
    if guess.is_single_byte() && guess != X_MAC_CYRILLIC {
        let (mac, other) = (word_score(X_MAC_CYRILLIC, bytes), word_score(guess, bytes));
        if mac > 0 && mac > other + (other.abs() / 10).max(3) {
            return X_MAC_CYRILLIC;
        }
    }
    guess
}

/// How much `bytes` read in `encoding` look like prose: for each word with a non-ASCII letter,
/// +1 if all its letters are of one script, −5 if it mixes scripts ("cafй"), −2 for a Latin
/// word that is mostly accented letters ("ãèìíàçèè"), and −5 for each capital after a small
/// letter inside a word ("прИвет"), which real text almost never has.
fn word_score(encoding: &'static Encoding, bytes: &[u8]) -> i64 {
    fn script(c: char) -> u8 {
        match u32::from(c) {
            0..=0x24F => 0,
            0x370..=0x3FF => 1,
            0x400..=0x52F => 2,
            0x590..=0x5FF => 3,
            0x600..=0x6FF => 4,
            _ => 5,
        }
    }
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let mut score = 0i64;
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if word.is_ascii() {
            continue;
        }
        let mut scripts = word.chars().map(script);
        let first = scripts.next();
        let mixed = scripts.any(|s| Some(s) != first);
        let odd_capitals = word
            .chars()
            .zip(word.chars().skip(1))
            .filter(|(a, b)| a.is_lowercase() && b.is_uppercase())
            .count() as i64;
        let latin_gibberish = first == Some(0)
            && 2 * word.chars().filter(|c| !c.is_ascii()).count() > word.chars().count();
        score += match (mixed, latin_gibberish) {
            (true, _) => -5,
            (false, true) => -2,
            (false, false) => 1,
        } - 5 * odd_capitals;
    }
    score
}

/// The charset an HTML or XML document declares in its first 1024 bytes, if any:
/// `<meta charset="…">`, `<meta http-equiv="Content-Type" content="…; charset=…">` or
/// `<?xml … encoding="…"?>`.
pub fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    for key in ["charset=", "encoding="] {
        let mut from = 0;
        while let Some(i) = head[from..].find(key) {
            let rest = &head[from + i + key.len()..];
            let value: String = rest
                .trim_start_matches(['"', '\'', ' '])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
                .collect();
            if !value.is_empty() {
                return Some(value);
            }
            from += i + key.len();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::WINDOWS_1251;

    #[test]
    fn bom_wins_over_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("héllo".as_bytes());
        let d = decode(&bytes, Some("windows-1252"));
        assert_eq!(d.text, "héllo");
        assert_eq!(d.how, DecidedBy::ByteOrderMark);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hé".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16, None).text, "hé");
    }

    #[test]
    fn a_lying_declaration_does_not_beat_valid_utf8() {
        let d = decode("新闻 news".as_bytes(), Some("gb2312"));
        assert_eq!(d.text, "新闻 news");
        assert_eq!(d.encoding, UTF_8);
    }

    #[test]
    fn a_declaration_is_used_when_it_decodes() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1253.encode("Καλημέρα κόσμε");
        let d = decode(&bytes, Some("windows-1253"));
        assert_eq!(d.text, "Καλημέρα κόσμε");
        assert_eq!(d.how, DecidedBy::Declared);
    }

    #[test]
    fn legacy_text_is_detected() {
        let text = "Le café était très animé ce matin-là, et personne ne savait pourquoi.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let d = decode(&bytes, None);
        assert_eq!(d.text, text);
        assert_eq!(d.how, DecidedBy::Detected);
    }

    #[test]
    fn mac_cyrillic_is_told_from_windows_1251() {
        let text = "Москва. Президент России Владимир Путин заявил, что Правительство \
                    Российской Федерации рассмотрит вопрос. Эксперты считают иначе.";
        for encoding in [X_MAC_CYRILLIC, WINDOWS_1251] {
            let (bytes, _, _) = encoding.encode(text);
            let d = decode(&bytes, None);
            assert_eq!(d.encoding, encoding);
            assert_eq!(d.text, text);
        }
    }

    #[test]
    fn declared_charsets() {
        assert_eq!(
            declared_charset(b"<html><head><meta charset=\"GB2312\">").as_deref(),
            Some("gb2312")
        );
        assert_eq!(
            declared_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">"
            )
            .as_deref(),
            Some("windows-1251")
        );
        assert_eq!(
            declared_charset(b"<?xml version=\"1.0\" encoding='ISO-8859-1'?>").as_deref(),
            Some("iso-8859-1")
        );
        assert_eq!(declared_charset(b"<p>no charset here</p>"), None);
    }
}
