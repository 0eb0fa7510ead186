//! Bytes → [`Article`]: plain text in any encoding, Markdown, HTML (main-content extraction),
//! PDF and EPUB.
//!
//! The format is decided from the content (magic bytes, then the text itself), the file name's
//! extension only breaking ties between text formats: a `.txt` that is really a PDF opens as a
//! PDF, and a page saved as `.md` that starts with `<!DOCTYPE html>` opens as HTML.
//!
//! Every importer produces a [`StructuredText`]; [`Article::from_structured`] normalises it, so
//! anchors are positions in one normalised text whatever the source, and importing the same
//! bytes twice gives the same text and hash. Plain text keeps its own rules
//! ([`Article::from_plain_text`]) so that sets made against `.txt` files stay valid.
//!
//! This module does no file or thread handling: callers (the app, the CLI) read the bytes, run
//! [`import`] on a worker with a big stack and a deadline, and report [`ImportError`]s.

pub mod epub;
pub mod html;
pub mod markdown;
pub mod pdf;
pub mod text;

use crate::model::Article;
use crate::model::structure::{SourceFormat, StructuredText};

/// What Claimlens opens at most, in bytes. Larger files get a clear message instead.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

/// Why bytes could not be turned into an article. Messages say what the file is and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("this is {what}, not an article Claimlens can open")]
    Unsupported { what: &'static str },
    #[error("the file is {size} bytes; Claimlens opens files of up to {MAX_IMPORT_BYTES} bytes")]
    TooLarge { size: u64 },
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    #[error(transparent)]
    Epub(#[from] epub::EpubError),
}

impl ImportError {
    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Unsupported { .. } => {
                "Claimlens opens plain text (any encoding), Markdown, HTML pages, PDF and EPUB. \
                 Save the document in one of these formats and open it again."
            }
            Self::TooLarge { .. } => "Split it into smaller files.",
            Self::Pdf(_) => "Text PDFs open best; for a scanned PDF, run OCR first.",
            Self::Epub(_) => "DRM-free EPUB 2 and 3 books open.",
        }
    }
}

/// The format of `bytes`, decided from the content; `file_name` only breaks ties between text
/// formats (`notes.md` is Markdown, `notes.txt` is text).
///
/// Example: `detect(b"%PDF-1.7 …", "report.txt")` is `Ok(SourceFormat::Pdf)`.
pub fn detect(bytes: &[u8], file_name: &str) -> Result<SourceFormat, ImportError> {
    let head = &bytes[..bytes.len().min(8192)];
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Ok(SourceFormat::Pdf);
    }
    if head.starts_with(b"PK\x03\x04") {
        return if find(&head[..head.len().min(100)], b"application/epub+zip").is_some()
            || find(bytes, b"META-INF/container.xml").is_some()
        {
            Ok(SourceFormat::Epub)
        } else if find(bytes, b"word/document.xml").is_some() {
            Err(ImportError::Unsupported {
                what: "a Word document (.docx)",
            })
        } else if find(bytes, b"content.xml").is_some() {
            Err(ImportError::Unsupported {
                what: "an OpenDocument file",
            })
        } else {
            Err(ImportError::Unsupported {
                what: "a ZIP archive",
            })
        };
    }
    for (magic, what) in BINARY_MAGIC {
        if head.starts_with(magic) {
            return Err(ImportError::Unsupported { what });
        }
    }
    if head.get(60..68) == Some(b"BOOKMOBI") {
        return Err(ImportError::Unsupported {
            what: "a Kindle (MOBI/AZW) book",
        });
    }
    if encoding_rs::Encoding::for_bom(head).is_none() && head.contains(&0) {
        return Err(ImportError::Unsupported {
            what: "binary data",
        });
    }
    let decoded = text::decode(head, text::declared_charset(head).as_deref());
    Ok(text_format(&decoded.text, file_name))
}

const BINARY_MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a media file"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\x7FELF", "a program"),
    (b"MZ", "a program"),
    (b"\xD0\xCF\x11\xE0", "an old Office document (.doc)"),
    (b"{\\rtf", "an RTF document"),
    (b"7z\xBC\xAF", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
];

/// HTML, Markdown or plain text, from the start of the decoded text and the file name.
fn text_format(text: &str, file_name: &str) -> SourceFormat {
    let start: String = text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    let ext = std::path::Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let html_start = ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|p| start.starts_with(p));
    let html_inside = start.starts_with('<')
        && ["<html", "<body", "<head>", "<p>", "<article", "<div"]
            .iter()
            .any(|t| start.contains(t));
    if html_start
        || html_inside
        || (start.starts_with('<') && matches!(ext.as_str(), "html" | "htm" | "xhtml" | "xht"))
    {
        return SourceFormat::Html;
    }
    if matches!(ext.as_str(), "md" | "markdown" | "mdown" | "mkd" | "mkdn")
        || start.starts_with("+++\n")
        || (start.starts_with("---\n") && start[4..].contains("\n---"))
    {
        return SourceFormat::Markdown;
    }
    SourceFormat::Text
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Imports an article from the bytes of a file named `file_name`.
///
/// The file name is the fallback title and breaks ties between text formats.
pub fn import(bytes: &[u8], file_name: &str) -> Result<Article, ImportError> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    let format = detect(bytes, file_name)?;
    let structured: StructuredText = match format {
        SourceFormat::Pdf => pdf::pdf_to_structured(bytes)?,
        SourceFormat::Epub => epub::epub_to_structured(bytes)?,
        SourceFormat::Html | SourceFormat::Markdown | SourceFormat::Text => {
            let declared = (format == SourceFormat::Html)
                .then(|| text::declared_charset(bytes))
                .flatten();
            let decoded = text::decode(bytes, declared.as_deref());
            let encoding = (decoded.encoding != encoding_rs::UTF_8)
                .then(|| decoded.encoding.name().to_owned());
            let mut structured = match format {
                SourceFormat::Html => html::html_to_structured(&decoded.text, None),
                SourceFormat::Markdown => markdown::markdown_to_structured(&decoded.text),
                _ => {
                    let mut article = Article::from_plain_text(&decoded.text, file_name);
                    article.meta.encoding = encoding;
                    return Ok(article);
                }
            };
            structured.meta.encoding = encoding;
            structured
        }
    };
    Ok(Article::from_structured(structured, file_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_comes_from_content_not_name() {
        assert_eq!(
            detect(b"%PDF-1.4\n...", "a.txt").unwrap(),
            SourceFormat::Pdf
        );
        assert_eq!(
            detect(b"<!DOCTYPE html><html><p>x</p>", "a.md").unwrap(),
            SourceFormat::Html
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF  <html lang=en>", "page").unwrap(),
            SourceFormat::Html
        );
        assert_eq!(
            detect(b"# Title\n\ntext", "a.md").unwrap(),
            SourceFormat::Markdown
        );
        assert_eq!(
            detect(b"+++\ntitle = \"x\"\n+++\n", "noext").unwrap(),
            SourceFormat::Markdown
        );
        assert_eq!(
            detect(b"# not markdown here", "a.txt").unwrap(),
            SourceFormat::Text
        );
        assert_eq!(detect(b"plain words", "").unwrap(), SourceFormat::Text);
        assert_eq!(
            detect(b"<p>a fragment</p>", "clip.txt").unwrap(),
            SourceFormat::Html
        );
    }

    #[test]
    fn binaries_are_named() {
        let err = detect(b"\x89PNG\r\n\x1a\n\0\0", "photo.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "this is a PNG image, not an article Claimlens can open"
        );
        let err = detect(b"PK\x03\x04....word/document.xml", "x.docx").unwrap_err();
        assert!(err.to_string().contains("Word document"));
        assert!(matches!(
            detect(b"abc\0\0\0def", "x").unwrap_err(),
            ImportError::Unsupported {
                what: "binary data"
            }
        ));
        // UTF-16 has NULs but a BOM says what it is.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hi".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(detect(&utf16, "x.txt").unwrap(), SourceFormat::Text);
    }

    #[test]
    fn legacy_text_imports_with_its_encoding_named() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1252.encode("Résumé\n\nLe café était très animé ce matin.");
        let a = import(&bytes, "note.txt").unwrap();
        assert_eq!(a.text, "Résumé\n\nLe café était très animé ce matin.");
        assert_eq!(a.meta.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(a.meta.format, SourceFormat::Text);
    }

    #[test]
    fn plain_text_import_matches_the_plain_text_rules() {
        let raw = "Headline\n\nBody one.\nBody two.\n";
        let a = import(raw.as_bytes(), "x.txt").unwrap();
        let b = Article::from_plain_text(raw, "x.txt");
        assert_eq!(a.text, b.text);
        assert_eq!(a.hash, b.hash);
    }
}
