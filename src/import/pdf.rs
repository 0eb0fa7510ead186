//! PDF import (text PDFs, best effort).
//!
//! The file is parsed with `lopdf` (objects, cross-reference repair, decryption with the empty
//! password, stream filters, content-stream tokens). On top of that this module has its own text
//! layer: it runs the text operators of every page (fonts, encodings, `ToUnicode` CMaps, glyph
//! widths, form XObjects), so that it knows where each glyph sits, and then rebuilds the reading
//! order from the geometry:
//!
//! 1. glyphs are turned into the page's dominant writing direction and de-duplicated (fake bold);
//! 2. a region is split at column gutters (vertical white stripes that most rows respect), with
//!    the rows that cross the gutter (titles, full-width figures, page numbers) kept as bands of
//!    their own; regions are split recursively, so nested columns work;
//! 3. inside a column, glyphs are grouped into lines by baseline, spaces come from the gaps
//!    between glyphs, and right-to-left runs are put back into logical order (PDFs store visual
//!    order);
//! 4. lines are grouped into paragraphs by line spacing, indentation and short last lines;
//!    paragraphs that continue in the next column or page are joined, line-end hyphenation is
//!    undone where the hyphen is clearly a hyphenation;
//! 5. running headers, footers and page numbers are dropped, headings are recognised by font
//!    size (and short all-bold lines).
//!
//! Nothing in here may panic on hostile input; as a last resort [`pdf_to_structured`] catches a
//! panic and reports the file as malformed.

use std::collections::{HashMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};
use unicode_normalization::UnicodeNormalization;

use crate::model::structure::{
    Block, BlockKind, InlineStyle, Metadata, Run, SourceFormat, StructuredText,
};

/// Why a PDF could not be imported. The messages are shown to analysts as they are.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "This PDF is password-protected, so Claimlens cannot read it. Open it with the password \
         in a PDF viewer, save or print an unprotected copy, and import that copy."
    )]
    Encrypted,
    #[error("This PDF has no text layer — it looks scanned or image-only; run OCR first")]
    NoText,
    #[error(
        "This PDF draws its text with fonts that do not say which letters they contain, so the \
         text cannot be extracted; run OCR on it first"
    )]
    NoUnicode,
    #[error(
        "This file could not be read as a PDF ({0}). It may be damaged or incomplete; try \
         downloading it again, or print it to a new PDF."
    )]
    Malformed(String),
}

/// Largest size a single stream may decompress to.
const MAX_STREAM_BYTES: usize = 64 << 20;
/// Glyphs kept per page (anything beyond is dropped).
const MAX_GLYPHS_PER_PAGE: usize = 200_000;
/// Content-stream operators executed per page, forms included.
const MAX_OPS_PER_PAGE: usize = 3_000_000;
/// Nesting depth of form XObjects.
const MAX_FORM_DEPTH: usize = 12;

/// Imports a PDF: text in reading order, one block per paragraph, metadata from the document
/// information dictionary or XMP.
pub fn pdf_to_structured(bytes: &[u8]) -> Result<StructuredText, PdfError> {
    match panic::catch_unwind(AssertUnwindSafe(|| convert(bytes))) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".to_string());
            Err(PdfError::Malformed(format!(
                "the PDF reader failed on it: {what}"
            )))
        }
    }
}

fn convert(bytes: &[u8]) -> Result<StructuredText, PdfError> {
    let doc = load(bytes)?;
    let mut meta = metadata(&doc);
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(PdfError::Malformed("it has no pages".to_string()));
    }
    let mut agl = GlyphNames::default();
    let mut laid_out = Vec::with_capacity(pages.len());
    let (mut mapped, mut unmapped) = (0usize, 0usize);
    for (index, (_, page_id)) in pages.iter().enumerate() {
        let extraction = extract_page(&doc, *page_id, &mut agl);
        mapped += extraction.mapped;
        unmapped += extraction.unmapped;
        laid_out.push(layout_page(index, extraction));
    }
    if mapped == 0 {
        return Err(if unmapped > 0 {
            PdfError::NoUnicode
        } else {
            PdfError::NoText
        });
    }
    drop_headers_and_footers(&mut laid_out);
    let paras: Vec<Para> = laid_out
        .into_iter()
        .flat_map(|p| p.paras.into_iter().chain(p.extra))
        .collect();
    let paras = join_continued(paras);
    let blocks = to_blocks(paras);
    if blocks.is_empty() {
        return Err(PdfError::NoText);
    }
    if meta.title.is_none()
        && let Some(first) = blocks.first()
        && first.kind == BlockKind::Headline
    {
        meta.title = Some(block_text(first));
    }
    Ok(StructuredText { meta, blocks })
}

fn block_text(block: &Block) -> String {
    collapse_ws(
        &block
            .runs
            .iter()
            .map(|r| r.text.as_str())
            .collect::<String>(),
    )
}

// ---------------------------------------------------------------------------------------------
// Loading and metadata
// ---------------------------------------------------------------------------------------------

fn load(bytes: &[u8]) -> Result<Document, PdfError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(PdfError::Malformed(
            "it does not start like a PDF file".to_string(),
        ));
    }
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_STREAM_BYTES),
        ..lopdf::LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::InvalidPassword
        | lopdf::Error::Decryption(_)
        | lopdf::Error::UnsupportedSecurityHandler(_) => PdfError::Encrypted,
        other => PdfError::Malformed(other.to_string()),
    })?;
    // lopdf decrypts with the empty user password when it can (owner-password-only files);
    // a document that is still marked encrypted afterwards needs a password we do not have.
    if doc.is_encrypted() && !doc.was_encrypted() {
        return Err(PdfError::Encrypted);
    }
    Ok(doc)
}

fn metadata(doc: &Document) -> Metadata {
    let mut meta = Metadata {
        format: SourceFormat::Pdf,
        ..Metadata::default()
    };
    let info = doc.trailer.get(b"Info").ok().and_then(|o| as_dict(doc, o));
    if let Some(info) = info {
        meta.title = text_entry(doc, info, b"Title").filter(|t| plausible_title(t));
        meta.byline = text_entry(doc, info, b"Author").filter(|a| plausible_author(a));
        meta.excerpt = text_entry(doc, info, b"Subject");
    }
    let catalog = doc.catalog().ok();
    if let Some(xmp) = catalog.and_then(|c| xmp_packet(doc, c)) {
        if meta.title.is_none() {
            meta.title = xmp_field(&xmp, "dc:title", false).filter(|t| plausible_title(t));
        }
        if meta.byline.is_none() {
            meta.byline = xmp_field(&xmp, "dc:creator", true).filter(|a| plausible_author(a));
        }
        if meta.excerpt.is_none() {
            meta.excerpt = xmp_field(&xmp, "dc:description", false);
        }
    }
    meta.lang = catalog
        .and_then(|c| text_entry(doc, c, b"Lang"))
        .filter(|l| l.len() <= 35 && !l.contains(' '));
    meta
}

fn text_entry(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    let obj = deref(doc, dict.get(key).ok()?);
    let text = lopdf::decode_text_string(obj).ok()?;
    let text = collapse_ws(&text.replace(|c: char| c.is_control(), " "));
    (!text.is_empty()).then_some(text)
}

/// Titles that are really file names or placeholders are not titles.
fn plausible_title(title: &str) -> bool {
    let lower = title.to_lowercase();
    let file_like = [
        ".doc", ".docx", ".pdf", ".tex", ".dvi", ".odt", ".rtf", ".txt", ".indd", ".qxd", ".ps",
        ".html", ".htm", ".pages",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext));
    !file_like
        && !lower.starts_with("microsoft word - ")
        && !matches!(
            lower.as_str(),
            "untitled" | "title" | "document" | "no title"
        )
        && title.chars().any(char::is_alphanumeric)
        && title.chars().count() <= 400
}

fn plausible_author(author: &str) -> bool {
    let lower = author.to_lowercase();
    author.chars().any(char::is_alphabetic)
        && !matches!(
            lower.as_str(),
            "user" | "admin" | "administrator" | "author" | "unknown"
        )
        && author.chars().count() <= 300
}

fn xmp_packet(doc: &Document, catalog: &Dictionary) -> Option<String> {
    let Object::Stream(stream) = deref(doc, catalog.get(b"Metadata").ok()?) else {
        return None;
    };
    let data = stream.get_plain_content_with_limit(4 << 20).ok()?;
    Some(String::from_utf8_lossy(&data).into_owned())
}

/// The text of an XMP property: the first `rdf:li` (or, with `all`, every `rdf:li` joined by
/// commas), or the element's own text.
fn xmp_field(xmp: &str, tag: &str, all: bool) -> Option<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let start = xmp.find(&open)?;
    let after_open = start + xmp[start..].find('>')? + 1;
    if xmp[start..after_open].ends_with("/>") {
        return None;
    }
    let end = after_open + xmp[after_open..].find(&close)?;
    let inner = &xmp[after_open..end];
    let mut items = Vec::new();
    let mut rest = inner;
    while let Some(pos) = rest.find("<rdf:li") {
        let Some(gt) = rest[pos..].find('>') else {
            break;
        };
        let body_start = pos + gt + 1;
        let Some(len) = rest[body_start..].find("</rdf:li>") else {
            break;
        };
        let item = collapse_ws(&xml_unescape(&strip_tags(
            &rest[body_start..body_start + len],
        )));
        if !item.is_empty() {
            items.push(item);
        }
        rest = &rest[body_start + len..];
    }
    let text = if items.is_empty() {
        collapse_ws(&xml_unescape(&strip_tags(inner)))
    } else if all {
        items.join(", ")
    } else {
        items.swap_remove(0)
    };
    (!text.is_empty()).then_some(text)
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn xml_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Small object helpers
// ---------------------------------------------------------------------------------------------

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    doc.dereference(obj).map(|(_, o)| o).unwrap_or(obj)
}

fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| deref(doc, o))
}

fn as_dict<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, obj) {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    as_dict(doc, dict.get(key).ok()?)
}

fn num(obj: &Object) -> Option<f64> {
    match obj {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

fn get_num(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    get(doc, dict, key).and_then(num)
}

fn get_name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n.as_slice()),
        _ => None,
    }
}

fn get_array<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a.as_slice()),
        _ => None,
    }
}

fn stream_data(doc: &Document, obj: &Object) -> Option<Vec<u8>> {
    match deref(doc, obj) {
        Object::Stream(s) => s.get_plain_content_with_limit(MAX_STREAM_BYTES).ok(),
        _ => None,
    }
}

/// Looks a key up on a page and, failing that, on its ancestors in the page tree.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..32 {
        if let Some(v) = get(doc, node, key) {
            return Some(v);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Matrices
// ---------------------------------------------------------------------------------------------

/// A PDF transformation matrix `[a b c d e f]`: (x, y) ↦ (ax + cy + e, bx + dy + f).
#[derive(Clone, Copy, Debug)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() < 6 {
            return None;
        }
        let mut m = [0.0; 6];
        for (slot, op) in m.iter_mut().zip(ops) {
            *slot = num(op)?;
        }
        Some(Matrix(m))
    }

    /// `self` followed by `other`.
    fn then(&self, other: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn point(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn vector(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, _, _] = self.0;
        (a * x + c * y, b * x + d * y)
    }
}

// ---------------------------------------------------------------------------------------------
// CMaps (ToUnicode and CID encodings)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Int(i64),
    Name(Vec<u8>),
    Word(Vec<u8>),
    Open,
    Close,
    Other,
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn tokenize(data: &[u8]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b.is_ascii_whitespace() || b == 0 {
            i += 1;
        } else if b == b'%' {
            while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                i += 1;
            }
        } else if b == b'<' {
            if data.get(i + 1) == Some(&b'<') {
                toks.push(Tok::Other);
                i += 2;
                continue;
            }
            i += 1;
            let mut digits = Vec::new();
            while i < data.len() && data[i] != b'>' {
                if let Some(v) = (data[i] as char).to_digit(16) {
                    digits.push(v as u8);
                }
                i += 1;
            }
            i += 1;
            if digits.len() % 2 == 1 {
                digits.push(0);
            }
            toks.push(Tok::Hex(
                digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect(),
            ));
        } else if b == b'>' {
            i += if data.get(i + 1) == Some(&b'>') { 2 } else { 1 };
            toks.push(Tok::Other);
        } else if b == b'[' {
            toks.push(Tok::Open);
            i += 1;
        } else if b == b']' {
            toks.push(Tok::Close);
            i += 1;
        } else if b == b'(' {
            let mut depth = 0usize;
            while i < data.len() {
                match data[i] {
                    b'\\' => i += 1,
                    b'(' => depth += 1,
                    b')' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            toks.push(Tok::Other);
        } else if b == b'/' {
            let start = i + 1;
            i += 1;
            while i < data.len() && !data[i].is_ascii_whitespace() && !is_delim(data[i]) {
                i += 1;
            }
            toks.push(Tok::Name(data[start..i].to_vec()));
        } else if matches!(b, b'{' | b'}' | b')') {
            toks.push(Tok::Other);
            i += 1;
        } else {
            let start = i;
            while i < data.len() && !data[i].is_ascii_whitespace() && !is_delim(data[i]) {
                i += 1;
            }
            let word = &data[start..i];
            match std::str::from_utf8(word)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
            {
                Some(n) => toks.push(Tok::Int(n)),
                None => toks.push(Tok::Word(word.to_vec())),
            }
        }
    }
    toks
}

fn code_of(bytes: &[u8]) -> (u32, usize) {
    let n = bytes.len().clamp(1, 4);
    let code = bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    (code, n)
}

#[derive(Debug)]
enum RangeTarget {
    Base(Vec<u16>),
    List(Vec<String>),
}

/// The parts of a CMap this importer needs: code space, code → Unicode, code → CID.
#[derive(Debug, Default)]
struct CMap {
    codespace: Vec<(usize, u32, u32)>,
    unicode: HashMap<u32, String>,
    unicode_ranges: Vec<(u32, u32, RangeTarget)>,
    cids: HashMap<u32, u32>,
    cid_ranges: Vec<(u32, u32, u32)>,
}

fn utf16_string(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|p| (u16::from(p[0]) << 8) | u16::from(*p.get(1).unwrap_or(&0)))
        .collect();
    String::from_utf16_lossy(&units)
}

impl CMap {
    fn parse(data: &[u8]) -> CMap {
        let toks = tokenize(data);
        let mut map = CMap::default();
        let mut i = 0;
        while i < toks.len() {
            let Tok::Word(word) = &toks[i] else {
                i += 1;
                continue;
            };
            i += 1;
            match word.as_slice() {
                b"begincodespacerange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let (lo_code, len) = code_of(lo);
                        map.codespace.push((len, lo_code, code_of(hi).0));
                        i += 2;
                    }
                }
                b"beginbfchar" => {
                    while let (Some(Tok::Hex(src)), Some(dst)) = (toks.get(i), toks.get(i + 1)) {
                        if let Tok::Hex(dst) = dst {
                            map.unicode.insert(code_of(src).0, utf16_string(dst));
                        }
                        i += 2;
                    }
                }
                b"beginbfrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let (lo, hi) = (code_of(lo).0, code_of(hi).0);
                        let hi = hi.min(lo.saturating_add(0xFFFF));
                        i += 2;
                        match toks.get(i) {
                            Some(Tok::Hex(dst)) => {
                                let units = dst
                                    .chunks(2)
                                    .map(|p| {
                                        (u16::from(p[0]) << 8) | u16::from(*p.get(1).unwrap_or(&0))
                                    })
                                    .collect();
                                if lo <= hi {
                                    map.unicode_ranges.push((lo, hi, RangeTarget::Base(units)));
                                }
                                i += 1;
                            }
                            Some(Tok::Open) => {
                                i += 1;
                                let mut list = Vec::new();
                                while let Some(Tok::Hex(dst)) = toks.get(i) {
                                    list.push(utf16_string(dst));
                                    i += 1;
                                }
                                if toks.get(i) == Some(&Tok::Close) {
                                    i += 1;
                                }
                                if lo <= hi {
                                    map.unicode_ranges.push((lo, hi, RangeTarget::List(list)));
                                }
                            }
                            _ => break,
                        }
                    }
                }
                b"begincidchar" => {
                    while let (Some(Tok::Hex(src)), Some(Tok::Int(cid))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        map.cids
                            .insert(code_of(src).0, (*cid).clamp(0, i64::from(u32::MAX)) as u32);
                        i += 2;
                    }
                }
                b"begincidrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi)), Some(Tok::Int(cid))) =
                        (toks.get(i), toks.get(i + 1), toks.get(i + 2))
                    {
                        let (lo, hi) = (code_of(lo).0, code_of(hi).0);
                        if lo <= hi {
                            map.cid_ranges.push((
                                lo,
                                hi,
                                (*cid).clamp(0, i64::from(u32::MAX)) as u32,
                            ));
                        }
                        i += 3;
                    }
                }
                _ => {}
            }
        }
        map
    }

    fn unicode(&self, code: u32) -> Option<String> {
        if let Some(s) = self.unicode.get(&code) {
            return Some(s.clone());
        }
        for (lo, hi, target) in &self.unicode_ranges {
            if (*lo..=*hi).contains(&code) {
                let offset = code - lo;
                return match target {
                    RangeTarget::Base(units) => {
                        let mut units = units.clone();
                        if let Some(last) = units.last_mut() {
                            *last = last.wrapping_add(offset as u16);
                        }
                        Some(String::from_utf16_lossy(&units))
                    }
                    RangeTarget::List(list) => list.get(offset as usize).cloned(),
                };
            }
        }
        None
    }

    fn cid(&self, code: u32) -> Option<u32> {
        if let Some(cid) = self.cids.get(&code) {
            return Some(*cid);
        }
        self.cid_ranges
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&code))
            .map(|(lo, _, cid)| cid + (code - lo))
    }
}

// ---------------------------------------------------------------------------------------------
// Fonts
// ---------------------------------------------------------------------------------------------

/// Glyph names (Adobe Glyph List) → Unicode, borrowed from lopdf's tables and cached.
#[derive(Default)]
struct GlyphNames {
    cache: HashMap<Vec<u8>, Option<String>>,
    base: HashMap<Vec<u8>, Vec<Option<char>>>,
}

impl GlyphNames {
    fn lookup(&mut self, doc: &Document, name: &[u8]) -> Option<String> {
        if let Some(hit) = self.cache.get(name) {
            return hit.clone();
        }
        let value = Self::resolve(doc, name);
        self.cache.insert(name.to_vec(), value.clone());
        value
    }

    fn resolve(doc: &Document, name: &[u8]) -> Option<String> {
        let name = name.split(|&b| b == b'.').next()?;
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        if name.contains(&b'_') {
            let mut out = String::new();
            for part in name.split(|&b| b == b'_') {
                out.push_str(&Self::resolve(doc, part)?);
            }
            return Some(out);
        }
        let text = std::str::from_utf8(name).ok()?;
        if let Some(hex) = text.strip_prefix("uni")
            && hex.len() >= 4
            && hex.len() % 4 == 0
            && hex.chars().all(|c| c.is_ascii_hexdigit())
        {
            let units: Vec<u16> = hex
                .as_bytes()
                .chunks(4)
                .filter_map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
                .collect();
            return Some(String::from_utf16_lossy(&units));
        }
        if let Some(hex) = text.strip_prefix('u')
            && (4..=6).contains(&hex.len())
            && hex.chars().all(|c| c.is_ascii_hexdigit())
        {
            return u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from);
        }
        match text {
            "dotlessj" => return Some("\u{237}".to_string()),
            "suppress" | "space.notdef" => return None,
            _ => {}
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        // Synthetic names from subsetting tools (g123, glyph45, cid678, index9) are not in the
        // glyph list; do not ask.
        let digits_from = text
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(text.len());
        if matches!(
            &text[..digits_from],
            "g" | "glyph" | "cid" | "index" | "c" | "G" | "C"
        ) && text[digits_from..].chars().all(|c| c.is_ascii_digit())
            && digits_from < text.len()
        {
            return None;
        }
        // lopdf keeps the Adobe Glyph List private; it resolves names for /Differences, so ask it
        // through a one-entry font dictionary.
        let mut encoding = Dictionary::new();
        encoding.set(
            "Differences",
            Object::Array(vec![Object::Integer(0), Object::Name(name.to_vec())]),
        );
        let mut font = Dictionary::new();
        font.set("Type", Object::Name(b"Font".to_vec()));
        font.set("Encoding", Object::Dictionary(encoding));
        match font.get_font_encoding(doc) {
            Ok(lopdf::Encoding::Differences(diff)) => diff
                .map
                .get(&0)
                .and_then(|g| char::from_u32(u32::from(g.utf16_code_unit())))
                .map(String::from),
            _ => None,
        }
    }

    /// One of the standard single-byte encodings, by name.
    fn base_encoding(&mut self, doc: &Document, name: &[u8]) -> Option<Vec<Option<char>>> {
        if let Some(table) = self.base.get(name) {
            return Some(table.clone());
        }
        let mut font = Dictionary::new();
        font.set("Type", Object::Name(b"Font".to_vec()));
        font.set("Encoding", Object::Name(name.to_vec()));
        let table: Vec<Option<char>> = match font.get_font_encoding(doc) {
            Ok(lopdf::Encoding::OneByteEncoding(table)) => table
                .iter()
                .map(|g| g.and_then(|g| char::from_u32(u32::from(g.utf16_code_unit()))))
                .collect(),
            _ => return None,
        };
        self.base.insert(name.to_vec(), table.clone());
        Some(table)
    }
}

/// Widths (1/1000 em) of the printable ASCII range in the standard 14 fonts, for the files that
/// use them without a /Widths array (Adobe's published metrics).
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 278, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 278, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
const TIMES: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
];
const TIMES_BOLD: [u16; 95] = [
    250, 333, 555, 500, 500, 1000, 833, 333, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667,
    611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722,
    722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556,
    278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
];
const TIMES_ITALIC: [u16; 95] = [
    250, 333, 420, 500, 500, 833, 778, 333, 333, 333, 500, 675, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 333, 333, 675, 675, 675, 500, 920, 611, 611, 667, 722, 611,
    611, 722, 722, 333, 444, 667, 556, 833, 667, 722, 611, 722, 611, 500, 556, 722, 611, 833, 611,
    556, 556, 389, 278, 389, 422, 500, 333, 500, 500, 444, 500, 444, 278, 500, 500, 278, 278, 444,
    278, 722, 500, 500, 500, 500, 389, 389, 278, 500, 444, 667, 444, 444, 389, 400, 275, 400, 541,
];

enum StdWidths {
    Table(&'static [u16; 95]),
    Fixed(u16),
}

fn standard_widths(base: &str, bold: bool, italic: bool) -> Option<StdWidths> {
    let lower = base.to_lowercase();
    if lower.contains("courier") || lower.contains("mono") {
        Some(StdWidths::Fixed(600))
    } else if lower.contains("helvetica") || lower.contains("arial") {
        Some(StdWidths::Table(if bold {
            &HELVETICA_BOLD
        } else {
            &HELVETICA
        }))
    } else if lower.contains("times") {
        Some(StdWidths::Table(match (bold, italic) {
            (true, _) => &TIMES_BOLD,
            (false, true) => &TIMES_ITALIC,
            _ => &TIMES,
        }))
    } else {
        None
    }
}

struct Font {
    composite: bool,
    /// Simple fonts: text of each code from the encoding (base encoding + differences).
    encoding: Vec<Option<String>>,
    /// Simple fonts without any encoding information: printable ASCII codes stand for themselves.
    ascii_fallback: bool,
    to_unicode: Option<CMap>,
    /// Composite fonts: the code space (empty: two-byte codes).
    codespace: Vec<(usize, u32, u32)>,
    /// Composite fonts: code → CID from an embedded CMap (None: identity).
    cid_map: Option<CMap>,
    /// Composite fonts with a predefined UCS-2/UTF-16 CMap: the code is the character.
    code_is_unicode: bool,
    first_char: u32,
    widths: Vec<f64>,
    missing_width: Option<f64>,
    std_widths: Option<StdWidths>,
    cid_widths: HashMap<u32, f64>,
    cid_width_ranges: Vec<(u32, u32, f64)>,
    default_width: f64,
    /// Text-space units per width unit (0.001, or the FontMatrix of a Type 3 font).
    scale: f64,
    /// Glyph height as a multiple of the font size (differs from 1 only for odd Type 3 fonts).
    height: f64,
    bold: bool,
    italic: bool,
}

impl Font {
    fn load(doc: &Document, dict: &Dictionary, names: &mut GlyphNames) -> Font {
        let subtype = get_name(doc, dict, b"Subtype").unwrap_or(b"Type1");
        let base_name = get_name(doc, dict, b"BaseFont")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let base_name = match base_name.split_once('+') {
            Some((prefix, rest)) if prefix.len() == 6 => rest.to_string(),
            _ => base_name,
        };
        let composite = subtype == b"Type0";
        let descendant = composite
            .then(|| get_array(doc, dict, b"DescendantFonts"))
            .flatten()
            .and_then(|a| a.first())
            .and_then(|o| as_dict(doc, o));
        let descriptor = descendant
            .and_then(|d| get_dict(doc, d, b"FontDescriptor"))
            .or_else(|| get_dict(doc, dict, b"FontDescriptor"));
        let flags = descriptor
            .and_then(|d| get_num(doc, d, b"Flags"))
            .unwrap_or(0.0) as i64;
        let weight = descriptor
            .and_then(|d| get_num(doc, d, b"FontWeight"))
            .unwrap_or(0.0);
        let italic_angle = descriptor
            .and_then(|d| get_num(doc, d, b"ItalicAngle"))
            .unwrap_or(0.0);
        let lower = base_name.to_lowercase();
        let family = lower.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
        let bold = ["bold", "black", "heavy", "semibold", "demi"]
            .iter()
            .any(|w| lower.contains(w))
            || family.starts_with("cmbx")
            || family.starts_with("cmb10")
            || family.starts_with("sfbx")
            || weight >= 600.0
            || flags & (1 << 18) != 0;
        let italic = ["italic", "oblique"].iter().any(|w| lower.contains(w))
            || family.starts_with("cmti")
            || family.starts_with("cmsl")
            || family.starts_with("sfti")
            || flags & (1 << 6) != 0
            || italic_angle.abs() > 1.0;
        let to_unicode = dict
            .get(b"ToUnicode")
            .ok()
            .and_then(|o| stream_data(doc, o))
            .map(|data| CMap::parse(&data));

        let mut font = Font {
            composite,
            encoding: Vec::new(),
            ascii_fallback: false,
            to_unicode,
            codespace: Vec::new(),
            cid_map: None,
            code_is_unicode: false,
            first_char: 0,
            widths: Vec::new(),
            missing_width: None,
            std_widths: None,
            cid_widths: HashMap::new(),
            cid_width_ranges: Vec::new(),
            default_width: 1000.0,
            scale: 0.001,
            height: 1.0,
            bold,
            italic,
        };

        if composite {
            match get(doc, dict, b"Encoding") {
                Some(Object::Name(name)) => {
                    let name = String::from_utf8_lossy(name);
                    if name.starts_with("Identity") {
                        font.codespace = vec![(2, 0, 0xFFFF)];
                    } else if name.starts_with("Uni")
                        && (name.contains("UCS2") || name.contains("UTF16"))
                    {
                        font.codespace = vec![(2, 0, 0xFFFF)];
                        font.code_is_unicode = true;
                    }
                }
                Some(Object::Stream(_)) => {
                    if let Some(data) = dict.get(b"Encoding").ok().and_then(|o| stream_data(doc, o))
                    {
                        let cmap = CMap::parse(&data);
                        font.codespace = cmap.codespace.clone();
                        font.cid_map = Some(cmap);
                    }
                }
                _ => {}
            }
            if font.codespace.is_empty()
                && let Some(tu) = &font.to_unicode
            {
                font.codespace = tu.codespace.clone();
            }
            if let Some(desc) = descendant {
                font.default_width = get_num(doc, desc, b"DW").unwrap_or(1000.0);
                if let Some(w) = get_array(doc, desc, b"W") {
                    font.parse_cid_widths(doc, w);
                }
            }
            return font;
        }

        // Simple fonts.
        if subtype == b"Type3"
            && let Some(m) = get_array(doc, dict, b"FontMatrix").filter(|m| m.len() >= 4)
        {
            let a = num(&m[0]).unwrap_or(0.001);
            let d = num(&m[3]).unwrap_or(0.001);
            if a.abs() > 1e-9 {
                font.scale = a.abs();
            }
            font.height = (d.abs() / 0.001).clamp(0.25, 4.0);
        }
        font.first_char = get_num(doc, dict, b"FirstChar")
            .unwrap_or(0.0)
            .clamp(0.0, 255.0) as u32;
        if let Some(widths) = get_array(doc, dict, b"Widths") {
            font.widths = widths
                .iter()
                .take(256)
                .map(|w| num(deref(doc, w)).unwrap_or(0.0))
                .collect();
        }
        font.missing_width = descriptor
            .and_then(|d| get_num(doc, d, b"MissingWidth"))
            .filter(|w| *w > 0.0);
        if font.widths.is_empty() {
            font.std_widths = standard_widths(&base_name, bold, italic);
        }

        // Encoding: base table, then differences.
        let symbolic = flags & 4 != 0 && flags & 32 == 0;
        let encoding_obj = get(doc, dict, b"Encoding");
        let mut base: Option<Vec<Option<char>>> = None;
        let mut differences: Option<&[Object]> = None;
        match encoding_obj {
            Some(Object::Name(name)) => base = names.base_encoding(doc, name),
            Some(Object::Dictionary(enc)) => {
                if let Some(name) = get_name(doc, enc, b"BaseEncoding") {
                    base = names.base_encoding(doc, name);
                }
                differences = get_array(doc, enc, b"Differences");
            }
            _ => {}
        }
        let mut table: Vec<Option<String>> = vec![None; 256];
        let mut have_encoding = base.is_some() || differences.is_some();
        if let Some(base) = &base {
            for (slot, c) in table.iter_mut().zip(base) {
                *slot = c.map(String::from);
            }
        } else {
            // The font's built-in encoding: read from an embedded Type 1 program, else assume
            // StandardEncoding (Type 1) or WinAnsiEncoding (TrueType) for non-symbolic fonts.
            let builtin = (subtype == b"Type1" || subtype == b"MMType1")
                .then(|| descriptor.and_then(|d| type1_builtin_encoding(doc, d)))
                .flatten();
            match builtin {
                Some(BuiltIn::Names(list)) => {
                    for (code, name) in list {
                        table[code as usize] = names.lookup(doc, &name);
                    }
                    have_encoding = true;
                }
                _ => {
                    let is_symbol_font = lower.contains("symbol")
                        || lower.contains("dingbat")
                        || lower.contains("wingding");
                    if !symbolic && !is_symbol_font {
                        let fallback: &[u8] = if subtype == b"TrueType" {
                            b"WinAnsiEncoding"
                        } else {
                            b"StandardEncoding"
                        };
                        if let Some(base) = names.base_encoding(doc, fallback) {
                            for (slot, c) in table.iter_mut().zip(&base) {
                                *slot = c.map(String::from);
                            }
                            have_encoding = true;
                        }
                    }
                }
            }
        }
        if let Some(diffs) = differences {
            let mut code: usize = 0;
            for item in diffs {
                match deref(doc, item) {
                    Object::Integer(c) => code = (*c).clamp(0, 255) as usize,
                    Object::Name(name) => {
                        if code < 256 {
                            table[code] = names.lookup(doc, name);
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
        font.encoding = table;
        font.ascii_fallback = !have_encoding;
        font
    }

    fn parse_cid_widths(&mut self, doc: &Document, w: &[Object]) {
        let mut i = 0;
        while i < w.len() {
            let Some(first) = num(deref(doc, &w[i])) else {
                i += 1;
                continue;
            };
            let first = first.clamp(0.0, f64::from(u32::MAX)) as u32;
            match w.get(i + 1).map(|o| deref(doc, o)) {
                Some(Object::Array(list)) => {
                    for (k, width) in list.iter().take(65_536).enumerate() {
                        if let Some(width) = num(deref(doc, width)) {
                            self.cid_widths
                                .insert(first.saturating_add(k as u32), width);
                        }
                    }
                    i += 2;
                }
                Some(last) => {
                    let last = num(last).unwrap_or(0.0).clamp(0.0, f64::from(u32::MAX)) as u32;
                    let width = w
                        .get(i + 2)
                        .and_then(|o| num(deref(doc, o)))
                        .unwrap_or(self.default_width);
                    if first <= last {
                        self.cid_width_ranges.push((first, last, width));
                    }
                    i += 3;
                }
                None => break,
            }
        }
    }

    /// Splits off the next character code: (code, number of bytes).
    fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        if !self.composite {
            return (u32::from(bytes[0]), 1);
        }
        for n in 1..=4.min(bytes.len()) {
            let (code, _) = code_of(&bytes[..n]);
            if self
                .codespace
                .iter()
                .any(|(len, lo, hi)| *len == n && (*lo..=*hi).contains(&code))
            {
                return (code, n);
            }
        }
        let n = 2.min(bytes.len());
        (code_of(&bytes[..n]).0, n)
    }

    /// Advance width in text-space units per unit of font size, and whether it is known.
    fn width(&self, code: u32) -> (f64, bool) {
        if self.composite {
            let cid = self
                .cid_map
                .as_ref()
                .and_then(|m| m.cid(code))
                .unwrap_or(code);
            let w = self.cid_widths.get(&cid).copied().or_else(|| {
                self.cid_width_ranges
                    .iter()
                    .find(|(lo, hi, _)| (*lo..=*hi).contains(&cid))
                    .map(|(_, _, w)| *w)
            });
            return (w.unwrap_or(self.default_width) * self.scale, true);
        }
        if !self.widths.is_empty() {
            if let Some(w) = code
                .checked_sub(self.first_char)
                .and_then(|i| self.widths.get(i as usize))
            {
                return (w * self.scale, true);
            }
            return match self.missing_width {
                Some(w) => (w * self.scale, true),
                None => (0.5, false),
            };
        }
        match &self.std_widths {
            Some(StdWidths::Fixed(w)) => (f64::from(*w) * 0.001, true),
            Some(StdWidths::Table(table)) if (32..127).contains(&code) => {
                (f64::from(table[(code - 32) as usize]) * 0.001, true)
            }
            _ => (0.5, false),
        }
    }

    /// The text a code stands for (possibly empty), and whether the font said anything at all.
    fn text(&self, code: u32) -> Option<String> {
        if let Some(tu) = &self.to_unicode
            && let Some(s) = tu.unicode(code)
        {
            return Some(s);
        }
        if self.composite {
            return self
                .code_is_unicode
                .then(|| char::from_u32(code).map(String::from))
                .flatten();
        }
        if let Some(Some(s)) = self.encoding.get(code as usize) {
            return Some(s.clone());
        }
        if self.ascii_fallback && (32..127).contains(&code) {
            return char::from_u32(code).map(String::from);
        }
        None
    }
}

enum BuiltIn {
    Standard,
    Names(Vec<(u8, Vec<u8>)>),
}

/// The encoding built into an embedded Type 1 font program (its clear-text part).
fn type1_builtin_encoding(doc: &Document, descriptor: &Dictionary) -> Option<BuiltIn> {
    let stream_obj = descriptor.get(b"FontFile").ok()?;
    let Object::Stream(stream) = deref(doc, stream_obj) else {
        return None;
    };
    let data = stream.get_plain_content_with_limit(MAX_STREAM_BYTES).ok()?;
    let len1 = get_num(doc, &stream.dict, b"Length1")
        .map(|l| l.max(0.0) as usize)
        .unwrap_or(data.len())
        .min(data.len());
    let clear = &data[..len1];
    let pos = clear.windows(9).position(|w| w == b"/Encoding")?;
    let rest = &clear[pos + 9..];
    let end = rest
        .windows(5)
        .position(|w| w == b"eexec")
        .unwrap_or(rest.len());
    let rest = &rest[..end];
    let toks = tokenize(rest);
    if matches!(toks.first(), Some(Tok::Word(w)) if w == b"StandardEncoding") {
        return Some(BuiltIn::Standard);
    }
    let mut names = Vec::new();
    for win in toks.windows(4) {
        if let [
            Tok::Word(dup),
            Tok::Int(code),
            Tok::Name(name),
            Tok::Word(put),
        ] = win
            && dup == b"dup"
            && put == b"put"
            && (0..256).contains(code)
        {
            names.push((*code as u8, name.clone()));
        }
        if let Tok::Word(w) = &win[0]
            && w == b"readonly"
            && !names.is_empty()
        {
            break;
        }
    }
    (!names.is_empty()).then_some(BuiltIn::Names(names))
}

// ---------------------------------------------------------------------------------------------
// Content streams → positioned glyphs
// ---------------------------------------------------------------------------------------------

/// A glyph in user space, as the content stream drew it.
struct RawGlyph {
    text: String,
    /// Origin on the baseline, and the end of its advance (without character spacing).
    origin: (f64, f64),
    end: (f64, f64),
    /// Text-space x axis in user space (unit length), for the writing direction.
    dir: (f64, f64),
    /// Font size in user space.
    size: f64,
    bold: bool,
    italic: bool,
    known_width: bool,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
}

struct PageExtraction {
    glyphs: Vec<RawGlyph>,
    media: [f64; 4],
    /// Glyphs that had text / that had none (font without Unicode information).
    mapped: usize,
    unmapped: usize,
}

struct Interpreter<'a, 'n> {
    doc: &'a Document,
    names: &'n mut GlyphNames,
    fonts: HashMap<usize, Rc<Font>>,
    glyphs: Vec<RawGlyph>,
    ops_left: usize,
    forms: Vec<ObjectId>,
    mapped: usize,
    unmapped: usize,
}

fn extract_page(doc: &Document, page_id: ObjectId, names: &mut GlyphNames) -> PageExtraction {
    let mut media = [0.0, 0.0, 612.0, 792.0];
    let page = doc.get_object(page_id).ok().and_then(|o| as_dict(doc, o));
    let mut interp = Interpreter {
        doc,
        names,
        fonts: HashMap::new(),
        glyphs: Vec::new(),
        ops_left: MAX_OPS_PER_PAGE,
        forms: Vec::new(),
        mapped: 0,
        unmapped: 0,
    };
    if let Some(page) = page {
        let media_box =
            inherited(doc, page, b"CropBox").or_else(|| inherited(doc, page, b"MediaBox"));
        if let Some(Object::Array(a)) = media_box
            && a.len() == 4
        {
            let v: Vec<f64> = a.iter().filter_map(|o| num(deref(doc, o))).collect();
            if v.len() == 4 {
                media = [
                    v[0].min(v[2]),
                    v[1].min(v[3]),
                    v[0].max(v[2]),
                    v[1].max(v[3]),
                ];
            }
        }
        let resources = inherited(doc, page, b"Resources").and_then(|o| as_dict(doc, o));
        if let Ok(content) = doc.get_page_content_with_limit(page_id, MAX_STREAM_BYTES) {
            let gs = GState {
                ctm: Matrix::IDENTITY,
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                h_scale: 1.0,
                leading: 0.0,
                rise: 0.0,
            };
            interp.run(&content, resources, gs, 0);
        }
    }
    PageExtraction {
        glyphs: interp.glyphs,
        media,
        mapped: interp.mapped,
        unmapped: interp.unmapped,
    }
}

impl<'a> Interpreter<'a, '_> {
    fn font(&mut self, resources: Option<&'a Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let fonts = get_dict(self.doc, resources?, b"Font")?;
        let entry = fonts.get(name).ok()?;
        let dict = as_dict(self.doc, entry)?;
        let key = dict as *const Dictionary as usize;
        if let Some(font) = self.fonts.get(&key) {
            return Some(font.clone());
        }
        let font = Rc::new(Font::load(self.doc, dict, self.names));
        self.fonts.insert(key, font.clone());
        Some(font)
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'a Dictionary>,
        mut gs: GState,
        depth: usize,
    ) {
        let Ok(content) = lopdf::content::Content::decode(content) else {
            return;
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        for op in &content.operations {
            if self.ops_left == 0 || self.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
                return;
            }
            self.ops_left -= 1;
            let args = &op.operands;
            let arg = |i: usize| args.get(i).and_then(num).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(saved) = stack.pop() {
                        gs = saved;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(args) {
                        gs.ctm = m.then(&gs.ctm);
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tc" => gs.char_spacing = arg(0),
                "Tw" => gs.word_spacing = arg(0),
                "Tz" => gs.h_scale = arg(0) / 100.0,
                "TL" => gs.leading = arg(0),
                "Ts" => gs.rise = arg(0),
                "Tf" => {
                    gs.font = match args.first() {
                        Some(Object::Name(name)) => self.font(resources, name),
                        _ => None,
                    };
                    gs.size = arg(1);
                }
                "Td" | "TD" => {
                    if op.operator == "TD" {
                        gs.leading = -arg(1);
                    }
                    tlm = Matrix::translate(arg(0), arg(1)).then(&tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(args) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = args.first() {
                        self.show(s, &gs, &mut tm);
                    }
                }
                "'" | "\"" => {
                    let text_arg = if op.operator == "\"" {
                        gs.word_spacing = arg(0);
                        gs.char_spacing = arg(1);
                        args.get(2)
                    } else {
                        args.first()
                    };
                    tlm = Matrix::translate(0.0, -gs.leading).then(&tlm);
                    tm = tlm;
                    if let Some(Object::String(s, _)) = text_arg {
                        self.show(s, &gs, &mut tm);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = args.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(s, &gs, &mut tm),
                                other => {
                                    if let Some(adjust) = num(other) {
                                        let tx = -adjust / 1000.0 * gs.size * gs.h_scale;
                                        tm = Matrix::translate(tx, 0.0).then(&tm);
                                    }
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(Object::Name(name)) = args.first() {
                        self.form(resources, name, &gs, depth);
                    }
                }
                _ => {}
            }
        }
    }

    fn form(&mut self, resources: Option<&'a Dictionary>, name: &[u8], gs: &GState, depth: usize) {
        if depth >= MAX_FORM_DEPTH {
            return;
        }
        let doc = self.doc;
        let Some(xobjects) = resources.and_then(|r| get_dict(doc, r, b"XObject")) else {
            return;
        };
        let Ok(entry) = xobjects.get(name) else {
            return;
        };
        let Ok((id, Object::Stream(stream))) = doc.dereference(entry) else {
            return;
        };
        if get_name(doc, &stream.dict, b"Subtype") != Some(b"Form") {
            return;
        }
        if let Some(id) = id {
            if self.forms.contains(&id) {
                return;
            }
            self.forms.push(id);
        }
        let matrix = get_array(doc, &stream.dict, b"Matrix")
            .and_then(|m| {
                let v: Vec<Object> = m.iter().map(|o| deref(doc, o).clone()).collect();
                Matrix::from_operands(&v)
            })
            .unwrap_or(Matrix::IDENTITY);
        let form_resources = get_dict(doc, &stream.dict, b"Resources").or(resources);
        if let Ok(content) = stream.get_plain_content_with_limit(MAX_STREAM_BYTES) {
            let mut inner = gs.clone();
            inner.ctm = matrix.then(&gs.ctm);
            self.run(&content, form_resources, inner, depth + 1);
        }
        if id.is_some() {
            self.forms.pop();
        }
    }

    fn show(&mut self, bytes: &[u8], gs: &GState, tm: &mut Matrix) {
        let Some(font) = gs.font.clone() else {
            return;
        };
        let mut i = 0;
        while i < bytes.len() {
            let (code, n) = font.next_code(&bytes[i..]);
            i += n.max(1);
            let (w0, known_width) = font.width(code);
            let trm = tm.then(&gs.ctm);
            let size_text = gs.size;
            let origin = trm.point(0.0, gs.rise);
            let end = trm.point(w0 * size_text * gs.h_scale, gs.rise);
            let (ux, uy) = trm.vector(0.0, size_text * font.height);
            let (dx, dy) = trm.vector(1.0, 0.0);
            let dir_len = dx.hypot(dy);
            let mut tx = (w0 * size_text + gs.char_spacing) * gs.h_scale;
            if n == 1 && code == 32 {
                tx += gs.word_spacing * gs.h_scale;
            }
            *tm = Matrix::translate(tx, 0.0).then(tm);

            let text = font.text(code);
            match &text {
                Some(t) if !t.is_empty() => self.mapped += 1,
                Some(_) => {}
                None => self.unmapped += 1,
            }
            let size = ux.hypot(uy);
            let finite = [origin.0, origin.1, end.0, end.1, size, dir_len]
                .iter()
                .all(|v| v.is_finite());
            if !finite || dir_len < 1e-9 || size < 1e-3 {
                continue;
            }
            if self.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
                return;
            }
            self.glyphs.push(RawGlyph {
                text: normalize_glyph_text(&text.unwrap_or_default()),
                origin,
                end,
                dir: (dx / dir_len, dy / dir_len),
                size,
                bold: font.bold,
                italic: font.italic,
                known_width,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text normalisation
// ---------------------------------------------------------------------------------------------

fn is_rtl_char(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x05FF | 0x0600..=0x06FF | 0x0700..=0x074F | 0x0750..=0x077F | 0x0780..=0x07BF
        | 0x07C0..=0x07FF | 0x0800..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFE
        | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
        && !is_mark(c)
        && c.is_alphabetic()
}

fn is_strong_ltr(c: char) -> bool {
    c.is_alphabetic() && !is_rtl_char(c) && !is_mark(c)
}

/// Combining marks of the scripts whose order this module rearranges (and the generic ones).
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2
        | 0x05C4..=0x05C5 | 0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670
        | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED
        | 0x08D3..=0x08FF | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
        | 0xFE20..=0xFE2F)
}

/// Normalises what one glyph stands for: ligatures and other presentation forms are spelled
/// out (NFKC for those characters only), control characters and private-use code points are
/// dropped (except the usual symbol-font bullets), and a glyph that claims to stand for both
/// left-to-right and right-to-left letters keeps only its last run (a Chrome/Skia quirk that
/// otherwise duplicates words).
fn normalize_glyph_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c as u32 {
            0xFB00..=0xFB06
            | 0xFB13..=0xFB17
            | 0xFB1D..=0xFB4F
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFE => {
                if matches!(c as u32, 0xFD3E | 0xFD3F) {
                    out.push(c);
                } else {
                    out.extend(std::iter::once(c).nfkc());
                }
            }
            0xF0B7 | 0xF0A7 | 0xF06C | 0xF0D8 | 0xF0FC => out.push('•'),
            0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFD | 0xFFFE | 0xFFFF | 0xFEFF => {}
            0x09 | 0x0A | 0x0D => out.push(' '),
            0x00AD => out.push('\u{AD}'),
            _ if c.is_control() => {}
            _ => out.push(c),
        }
    }
    let has_rtl = out.chars().any(is_rtl_char);
    if has_rtl && out.chars().any(is_strong_ltr) {
        // Keep what follows the last letter of the other direction.
        let last_rtl = out
            .chars()
            .rev()
            .find(|c| is_rtl_char(*c) || is_strong_ltr(*c));
        let keep_rtl = last_rtl.is_some_and(is_rtl_char);
        let cut = out
            .char_indices()
            .filter(|(_, c)| {
                if keep_rtl {
                    is_strong_ltr(*c)
                } else {
                    is_rtl_char(*c)
                }
            })
            .map(|(i, c)| i + c.len_utf8())
            .next_back()
            .unwrap_or(0);
        out = out[cut..].trim_start().to_string();
    }
    out
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Page layout
// ---------------------------------------------------------------------------------------------

/// A glyph in the page's reading frame (x to the right along the writing direction, y up).
#[derive(Clone, Debug)]
struct Glyph {
    text: String,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    bold: bool,
    italic: bool,
    known_width: bool,
    space: bool,
}

/// A run of glyphs drawn one after another on one baseline without a gap.
#[derive(Clone, Debug)]
struct Word {
    glyphs: Vec<Glyph>,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    chars: usize,
    space: bool,
}

impl Word {
    fn bottom(&self) -> f64 {
        self.y - 0.25 * self.size
    }

    fn top(&self) -> f64 {
        self.y + 0.75 * self.size
    }

    fn center(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
}

#[derive(Clone, Debug)]
struct Unit {
    text: String,
    bold: bool,
    italic: bool,
}

#[derive(Clone, Debug)]
struct Line {
    units: Vec<Unit>,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    rtl: bool,
    tabular: bool,
    /// Width of the word that starts the line in reading order.
    first_word: f64,
}

impl Line {
    fn text(&self) -> String {
        self.units.iter().map(|u| u.text.as_str()).collect()
    }
}

/// A paragraph on a page, before it becomes a block.
#[derive(Clone, Debug)]
struct Para {
    lines: Vec<Line>,
    page: usize,
    top: f64,
    bottom: f64,
    /// First / last paragraph of its column region.
    region_start: bool,
    region_end: bool,
    /// Its last line runs to the column's end edge; its first line is not indented.
    ends_full: bool,
    starts_flush: bool,
}

impl Para {
    fn size(&self) -> f64 {
        let mut best = (0usize, 0.0);
        let mut by_size: HashMap<i64, (usize, f64)> = HashMap::new();
        for line in &self.lines {
            let chars = line
                .units
                .iter()
                .map(|u| u.text.chars().count())
                .sum::<usize>();
            let e = by_size
                .entry((line.size * 2.0).round() as i64)
                .or_insert((0, line.size));
            e.0 += chars;
        }
        for (chars, size) in by_size.into_values() {
            if chars > best.0 || (chars == best.0 && size > best.1) {
                best = (chars, size);
            }
        }
        best.1
    }

    fn text(&self) -> String {
        collapse_ws(
            &self
                .lines
                .iter()
                .map(Line::text)
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

struct PageLayout {
    paras: Vec<Para>,
    /// Paragraphs in a minority writing direction; they follow the page's text.
    extra: Vec<Para>,
    /// Page extent along the reading frame's vertical axis.
    top: f64,
    bottom: f64,
}

fn quadrant(g: &RawGlyph) -> usize {
    let angle = g.dir.1.atan2(g.dir.0).to_degrees();
    (((angle + 360.0 + 45.0) % 360.0) / 90.0) as usize % 4
}

/// Turns a point so that writing direction `q` (quarter turns) runs left to right.
fn rotate_to(q: usize, (x, y): (f64, f64)) -> (f64, f64) {
    match q {
        1 => (y, -x),
        2 => (-x, -y),
        3 => (-y, x),
        _ => (x, y),
    }
}

fn layout_page(page: usize, extraction: PageExtraction) -> PageLayout {
    let PageExtraction { glyphs, media, .. } = extraction;
    // Dominant writing direction (0°, 90°, 180°, 270°), weighted by characters.
    let mut weight = [0usize; 4];
    let mut by_direction: [Vec<RawGlyph>; 4] = Default::default();
    for g in glyphs {
        let q = quadrant(&g);
        weight[q] += g.text.chars().count().max(1);
        by_direction[q].push(g);
    }
    let main = (0..4).max_by_key(|&q| weight[q]).unwrap_or(0);
    let corners = [
        rotate_to(main, (media[0], media[1])),
        rotate_to(main, (media[2], media[3])),
        rotate_to(main, (media[0], media[3])),
        rotate_to(main, (media[2], media[1])),
    ];
    let top = corners.iter().map(|c| c.1).fold(f64::MIN, f64::max);
    let bottom = corners.iter().map(|c| c.1).fold(f64::MAX, f64::min);
    let paras = layout_direction(page, std::mem::take(&mut by_direction[main]), main);
    // Text in other directions (a rotated table, a sideways caption) follows the page's text
    // when there is a fair amount of it; margin stamps and the like are dropped.
    let mut others: Vec<usize> = (0..4)
        .filter(|&q| q != main && weight[q] >= 12 && weight[q] * 4 >= weight[main])
        .collect();
    others.sort_by_key(|&q| std::cmp::Reverse(weight[q]));
    let extra = others
        .into_iter()
        .flat_map(|q| layout_direction(page, std::mem::take(&mut by_direction[q]), q))
        .collect();
    PageLayout {
        paras,
        extra,
        top,
        bottom,
    }
}

/// Lays out the glyphs of one writing direction: words, column regions, lines, paragraphs.
fn layout_direction(page: usize, glyphs: Vec<RawGlyph>, direction: usize) -> Vec<Para> {
    let rotate = |p: (f64, f64)| rotate_to(direction, p);
    // Glyphs in the main direction, in drawing order; empty glyphs only widen their neighbour.
    let mut frame: Vec<Glyph> = Vec::new();
    let mut seen: HashSet<(String, i64, i64)> = HashSet::new();
    let mut pending_empty: Option<(f64, f64, f64)> = None;
    for g in glyphs {
        let (x0, y) = rotate(g.origin);
        let (x1, _) = rotate(g.end);
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        if g.text.is_empty() {
            pending_empty = match pending_empty {
                Some((a, b, py)) if (py - y).abs() < 0.3 * g.size && x0 <= b + 0.1 * g.size => {
                    Some((a.min(x0), b.max(x1), py))
                }
                _ => Some((x0, x1, y)),
            };
            continue;
        }
        let space = g.text.chars().all(char::is_whitespace);
        let (mut gx0, mut gx1) = (x0, x1);
        if let Some((a, b, py)) = pending_empty.take()
            && !space
            && (py - y).abs() < 0.3 * g.size
            && (b - gx0).abs() < 0.2 * g.size
        {
            gx0 = gx0.min(a);
            gx1 = gx1.max(b);
        }
        if !space {
            // Overprinted duplicates (fake bold, shadows) are drawn once.
            let qx = (x0 * 2.0).round() as i64;
            let qy = (y * 2.0).round() as i64;
            let dup = (-1..=1)
                .any(|dx| (-1..=1).any(|dy| seen.contains(&(g.text.clone(), qx + dx, qy + dy))));
            if dup {
                continue;
            }
            seen.insert((g.text.clone(), qx, qy));
        }
        frame.push(Glyph {
            text: g.text,
            x0: gx0,
            x1: gx1,
            y,
            size: g.size,
            bold: g.bold,
            italic: g.italic,
            known_width: g.known_width,
            space,
        });
    }

    let words = build_words(frame);
    let rtl_page = {
        let (mut r, mut l) = (0usize, 0usize);
        for c in words
            .iter()
            .flat_map(|w| w.glyphs.iter())
            .flat_map(|g| g.text.chars())
        {
            if is_rtl_char(c) {
                r += 1;
            } else if is_strong_ltr(c) {
                l += 1;
            }
        }
        r > l
    };
    let mut leaves: Vec<Vec<Word>> = Vec::new();
    split_region(words, 0, rtl_page, &mut leaves);
    let mut paras = Vec::new();
    for leaf in leaves {
        let lines = build_lines(leaf);
        let mut region = paragraphs(lines, page);
        if let Some(first) = region.first_mut() {
            first.region_start = true;
        }
        if let Some(last) = region.last_mut() {
            last.region_end = true;
        }
        paras.extend(region);
    }
    paras
}

fn gap_threshold(a: &Glyph, b: &Glyph) -> f64 {
    let size = a.size.min(b.size);
    if a.known_width && b.known_width {
        0.15 * size
    } else {
        0.45 * size
    }
}

/// Groups glyphs (in drawing order) into words: a new word starts at a space glyph, a jump
/// backwards, a change of baseline or a gap.
fn build_words(glyphs: Vec<Glyph>) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut current: Vec<Glyph> = Vec::new();
    let flush = |current: &mut Vec<Glyph>, words: &mut Vec<Word>| {
        if current.is_empty() {
            return;
        }
        let glyphs = std::mem::take(current);
        let x0 = glyphs.iter().map(|g| g.x0).fold(f64::MAX, f64::min);
        let x1 = glyphs.iter().map(|g| g.x1).fold(f64::MIN, f64::max);
        let size = glyphs.iter().map(|g| g.size).fold(0.0, f64::max);
        let y = glyphs
            .iter()
            .max_by(|a, b| a.size.total_cmp(&b.size))
            .map_or(0.0, |g| g.y);
        let chars = glyphs.iter().map(|g| g.text.chars().count()).sum();
        let space = glyphs.iter().all(|g| g.space);
        words.push(Word {
            glyphs,
            x0,
            x1,
            y,
            size,
            chars,
            space,
        });
    };
    for g in glyphs {
        let breaks = match current.last() {
            None => false,
            Some(p) => {
                g.space
                    || p.space
                    || (g.y - p.y).abs() > 0.3 * p.size.max(g.size)
                    || g.x0 < p.x0 - 0.05 * p.size
                    || g.x0 - p.x1 > gap_threshold(p, &g)
                    || g.size > 1.6 * p.size
                    || p.size > 1.6 * g.size
            }
        };
        if breaks {
            flush(&mut current, &mut words);
        }
        current.push(g);
    }
    flush(&mut current, &mut words);
    words
}

/// Clusters words into rows (top to bottom) by vertical overlap.
fn rows_of(words: &[Word]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by(|&a, &b| {
        words[b]
            .top()
            .total_cmp(&words[a].top())
            .then(words[a].x0.total_cmp(&words[b].x0))
    });
    // (bottom, top, size) of each row's largest word, and members.
    let mut rows: Vec<((f64, f64, f64), Vec<usize>)> = Vec::new();
    for i in order {
        let w = &words[i];
        let (wb, wt) = (w.bottom(), w.top());
        let mut best: Option<(usize, f64)> = None;
        for (r, ((rb, rt, _), _)) in rows.iter().enumerate().rev().take(12) {
            let overlap = wt.min(*rt) - wb.max(*rb);
            let need = 0.5 * (wt - wb).min(rt - rb);
            if overlap >= need && best.is_none_or(|(_, o)| overlap > o) {
                best = Some((r, overlap));
            }
        }
        match best {
            Some((r, _)) => {
                let row = &mut rows[r];
                if w.size > row.0.2 && !w.space {
                    row.0 = (wb, wt, w.size);
                }
                row.1.push(i);
            }
            None => rows.push(((wb, wt, w.size), vec![i])),
        }
    }
    rows.sort_by(|a, b| b.0.1.total_cmp(&a.0.1));
    rows.into_iter().map(|(_, members)| members).collect()
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

/// Finds a column gutter: a vertical stripe that most rows leave empty, with prose on both
/// sides. Returns its x range.
fn find_gutter(words: &[Word], rows: &[Vec<usize>]) -> Option<(f64, f64)> {
    let text_rows: Vec<&Vec<usize>> = rows
        .iter()
        .filter(|r| r.iter().any(|&i| !words[i].space))
        .collect();
    let nrows = text_rows.len();
    if nrows < 6 {
        return None;
    }
    let solid = || words.iter().filter(|w| !w.space);
    let xmin = solid().map(|w| w.x0).fold(f64::MAX, f64::min);
    let xmax = solid().map(|w| w.x1).fold(f64::MIN, f64::max);
    let width = xmax - xmin;
    if !width.is_finite() || width < 20.0 {
        return None;
    }
    let cells = (width.ceil() as usize).clamp(1, 4000);
    let cell = width / cells as f64;
    let mut coverage = vec![0u32; cells];
    for row in &text_rows {
        let mut spans: Vec<(usize, usize)> = row
            .iter()
            .filter(|&&i| !words[i].space)
            .map(|&i| {
                let a = ((words[i].x0 - xmin) / cell).floor().max(0.0) as usize;
                let b = ((words[i].x1 - xmin) / cell).ceil().max(0.0) as usize;
                (a.min(cells - 1), b.min(cells))
            })
            .collect();
        spans.sort_unstable();
        let mut covered_to = 0;
        for (a, b) in spans {
            for c in coverage.iter_mut().take(b).skip(a.max(covered_to)) {
                *c += 1;
            }
            covered_to = covered_to.max(b);
        }
    }
    let mut sizes: Vec<f64> = solid().map(|w| w.size).collect();
    let size = median(&mut sizes).unwrap_or(10.0);
    let min_width = (0.7 * size).max(3.0);
    let limit = (nrows as f64 * 0.4) as u32;
    let mut best: Option<((f64, f64), f64)> = None;
    let mut c = 1;
    while c + 1 < cells {
        if coverage[c] > limit {
            c += 1;
            continue;
        }
        let start = c;
        while c + 1 < cells && coverage[c] <= limit {
            c += 1;
        }
        let end = c; // exclusive; end < cells - 1 means there is text to the right
        if end >= cells - 1 {
            break;
        }
        // Around the emptiest point, the stretch that few rows cross (titles, page numbers and
        // full-width tables may cross it; they become bands of their own).
        let (lowest_at, least) = coverage[start..end]
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|(_, v)| *v)
            .map_or((start, 0), |(k, v)| (start + k, v));
        let tolerance = least + (nrows as u32 / 4).max(2);
        let mut lo = lowest_at;
        while lo > start && coverage[lo - 1] <= tolerance {
            lo -= 1;
        }
        let mut hi = lowest_at;
        while hi < end && coverage[hi] <= tolerance {
            hi += 1;
        }
        let best_span = (lo, hi);
        let g0 = xmin + best_span.0 as f64 * cell;
        let g1 = xmin + best_span.1 as f64 * cell;
        if g1 - g0 >= min_width
            && let Some(score) = gutter_score(words, &text_rows, g0, g1)
            && best.is_none_or(|(_, s)| score > s)
        {
            best = Some(((g0, g1), score));
        }
    }
    best.map(|(g, _)| g)
}

fn crosses(w: &Word, g0: f64, g1: f64) -> bool {
    !w.space && w.x0 < g1 - 0.01 && w.x1 > g0 + 0.01
}

/// Checks that a candidate gutter separates prose (not table cells), and scores it.
fn gutter_score(words: &[Word], rows: &[&Vec<usize>], g0: f64, g1: f64) -> Option<f64> {
    let (mut spanning, mut left_rows, mut right_rows) = (0usize, 0usize, 0usize);
    let (mut left_chars, mut right_chars) = (0usize, 0usize);
    let mut cells = 0usize;
    for row in rows {
        if row.iter().any(|&i| crosses(&words[i], g0, g1)) {
            spanning += 1;
            continue;
        }
        for left_side in [true, false] {
            let mut side: Vec<&Word> = row
                .iter()
                .map(|&i| &words[i])
                .filter(|w| !w.space)
                .filter(|w| {
                    if left_side {
                        w.x1 <= g0 + 0.01
                    } else {
                        w.x0 >= g1 - 0.01
                    }
                })
                .collect();
            if side.is_empty() {
                continue;
            }
            side.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            // Table cells: wide gaps between the words on one side of the gutter.
            if side
                .windows(2)
                .any(|w| w[1].x0 - w[0].x1 > 1.5 * w[0].size.max(w[1].size))
            {
                cells += 1;
            }
            let chars: usize = side.iter().map(|w| w.chars + 1).sum();
            if left_side {
                left_rows += 1;
                left_chars += chars;
            } else {
                right_rows += 1;
                right_chars += chars;
            }
        }
    }
    let non_spanning = rows.len() - spanning;
    let prose = |chars: usize, rows: usize| rows > 0 && chars as f64 / rows as f64 >= 15.0;
    (left_rows >= 3
        && right_rows >= 3
        && non_spanning >= 4
        && non_spanning >= spanning
        && cells * 4 <= left_rows + right_rows
        && prose(left_chars, left_rows)
        && prose(right_chars, right_rows))
    .then(|| (g1 - g0).min(50.0) * left_rows.min(right_rows) as f64)
}

/// Splits a region at column gutters, recursively; leaves are single-flow regions in reading
/// order.
fn split_region(words: Vec<Word>, depth: usize, rtl: bool, leaves: &mut Vec<Vec<Word>>) {
    if words.is_empty() {
        return;
    }
    let rows = rows_of(&words);
    let gutter = if depth < 8 {
        find_gutter(&words, &rows)
    } else {
        None
    };
    let Some((g0, g1)) = gutter else {
        leaves.push(words);
        return;
    };
    let mid = (g0 + g1) / 2.0;
    let mut slots: Vec<Option<Word>> = words.into_iter().map(Some).collect();
    let mut band: Vec<Word> = Vec::new();
    let mut band_spanning = false;
    let flush = |band: &mut Vec<Word>, spanning: bool, leaves: &mut Vec<Vec<Word>>| {
        if band.is_empty() {
            return;
        }
        let band = std::mem::take(band);
        if spanning {
            split_region(band, depth + 1, rtl, leaves);
        } else {
            let (left, right): (Vec<Word>, Vec<Word>) =
                band.into_iter().partition(|w| w.center() < mid);
            let (first, second) = if rtl { (right, left) } else { (left, right) };
            split_region(first, depth + 1, rtl, leaves);
            split_region(second, depth + 1, rtl, leaves);
        }
    };
    for row in rows {
        let spanning = row
            .iter()
            .any(|&i| slots[i].as_ref().is_some_and(|w| crosses(w, g0, g1)));
        if spanning != band_spanning {
            flush(&mut band, band_spanning, leaves);
            band_spanning = spanning;
        }
        band.extend(row.into_iter().filter_map(|i| slots[i].take()));
    }
    flush(&mut band, band_spanning, leaves);
}

/// Builds the lines of a single-flow region, top to bottom.
fn build_lines(words: Vec<Word>) -> Vec<Line> {
    let rows = rows_of(&words);
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let mut glyphs: Vec<&Glyph> = row.iter().flat_map(|&i| words[i].glyphs.iter()).collect();
        if glyphs.iter().all(|g| g.space) {
            continue;
        }
        glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let size = {
            let mut weights: HashMap<i64, (usize, f64)> = HashMap::new();
            for g in glyphs.iter().filter(|g| !g.space) {
                let e = weights
                    .entry((g.size * 2.0).round() as i64)
                    .or_insert((0, g.size));
                e.0 += g.text.chars().count();
            }
            weights
                .into_values()
                .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
                .map_or(10.0, |(_, s)| s)
        };
        let y = row
            .iter()
            .map(|&i| &words[i])
            .filter(|w| !w.space)
            .max_by(|a, b| a.chars.cmp(&b.chars))
            .map_or(0.0, |w| w.y);
        // Visual order, with spaces where the glyphs leave a gap.
        let mut units: Vec<Unit> = Vec::new();
        let mut prev: Option<&Glyph> = None;
        let mut right_edge = f64::MIN;
        let mut tabular = false;
        let mut word_edges: Vec<(f64, f64)> = Vec::new();
        for g in glyphs {
            let last_is_space = units.last().is_some_and(|u| u.text == " ");
            if g.space {
                if !last_is_space && !units.is_empty() {
                    units.push(Unit {
                        text: " ".to_string(),
                        bold: false,
                        italic: false,
                    });
                }
                continue;
            }
            match prev {
                Some(p) => {
                    let gap = g.x0 - right_edge;
                    if gap > gap_threshold(p, g) {
                        if !last_is_space {
                            units.push(Unit {
                                text: " ".to_string(),
                                bold: false,
                                italic: false,
                            });
                        }
                        if gap > 2.5 * size {
                            tabular = true;
                        }
                        word_edges.push((g.x0, g.x1));
                    } else if last_is_space {
                        word_edges.push((g.x0, g.x1));
                    } else if let Some(last) = word_edges.last_mut() {
                        last.1 = last.1.max(g.x1);
                    }
                }
                None => word_edges.push((g.x0, g.x1)),
            }
            if is_mark_only(&g.text)
                && let Some(last) = units.last_mut().filter(|u| u.text != " ")
            {
                last.text.push_str(&g.text);
            } else {
                units.push(Unit {
                    text: g.text.clone(),
                    bold: g.bold,
                    italic: g.italic,
                });
            }
            right_edge = right_edge.max(g.x1);
            prev = Some(g);
        }
        while units.last().is_some_and(|u| u.text == " ") {
            units.pop();
        }
        let x0 = word_edges.first().map_or(0.0, |w| w.0);
        let x1 = right_edge;
        let rtl = reorder_bidi(&mut units);
        let first_word = if rtl {
            word_edges.last().map_or(0.0, |w| w.1 - w.0)
        } else {
            word_edges.first().map_or(0.0, |w| w.1 - w.0)
        };
        lines.push(Line {
            units,
            x0,
            x1,
            y,
            size,
            rtl,
            tabular,
            first_word,
        });
    }
    lines
}

fn is_mark_only(text: &str) -> bool {
    !text.is_empty() && text.chars().all(is_mark)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dir {
    L,
    R,
    Digit,
    Neutral,
}

fn unit_dir(text: &str) -> Dir {
    let (mut r, mut l, mut d) = (false, false, false);
    for c in text.chars() {
        if is_rtl_char(c) {
            r = true;
        } else if is_strong_ltr(c) {
            l = true;
        } else if c.is_ascii_digit()
            || ('\u{660}'..='\u{669}').contains(&c)
            || ('\u{6F0}'..='\u{6F9}').contains(&c)
        {
            d = true;
        }
    }
    match (r, l, d) {
        (true, false, _) => Dir::R,
        (_, true, _) => Dir::L,
        (false, false, true) => Dir::Digit,
        _ => Dir::Neutral,
    }
}

fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        _ => c,
    }
}

/// Puts a line given in visual order (left to right) into logical order. Each unit (one glyph's
/// text) is kept whole, since a glyph's Unicode is already in logical order. Returns whether the
/// line's base direction is right-to-left.
fn reorder_bidi(units: &mut Vec<Unit>) -> bool {
    let (mut r, mut l) = (0usize, 0usize);
    for c in units.iter().flat_map(|u| u.text.chars()) {
        if is_rtl_char(c) {
            r += 1;
        } else if is_strong_ltr(c) {
            l += 1;
        }
    }
    if r == 0 {
        return false;
    }
    let rtl = r as f64 / (r + l) as f64 >= 0.3;
    let dirs: Vec<Dir> = units.iter().map(|u| unit_dir(&u.text)).collect();
    let mirror_unit = |u: &mut Unit| {
        if u.text.chars().count() == 1 {
            u.text = u.text.chars().map(mirror).collect();
        }
    };
    if rtl {
        // Reverse everything, then restore left-to-right runs (letters and numbers).
        let n = units.len();
        let is_ltr = |d: Dir| matches!(d, Dir::L | Dir::Digit);
        let mut keep = vec![false; n];
        let mut i = 0;
        while i < n {
            if is_ltr(dirs[i]) {
                let start = i;
                let mut end = i;
                let mut j = i + 1;
                while j < n && dirs[j] != Dir::R {
                    if is_ltr(dirs[j]) {
                        end = j;
                    }
                    j += 1;
                }
                // A run of only numbers stays one run; letters with numbers too.
                for k in keep.iter_mut().take(end + 1).skip(start) {
                    *k = true;
                }
                i = end + 1;
            } else {
                i += 1;
            }
        }
        let mut out: Vec<Unit> = Vec::with_capacity(n);
        let mut k = n;
        while k > 0 {
            k -= 1;
            if keep[k] {
                let end = k;
                while k > 0 && keep[k - 1] {
                    k -= 1;
                }
                out.extend(units[k..=end].iter().cloned());
            } else {
                let mut u = units[k].clone();
                if dirs[k] == Dir::Neutral {
                    mirror_unit(&mut u);
                }
                out.push(u);
            }
        }
        *units = out;
    } else {
        // Reverse each right-to-left run (which may hold numbers and neutrals inside).
        let n = units.len();
        let mut i = 0;
        while i < n {
            if dirs[i] != Dir::R {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            let mut j = i + 1;
            while j < n && dirs[j] != Dir::L {
                if dirs[j] == Dir::R {
                    end = j;
                }
                j += 1;
            }
            units[start..=end].reverse();
            for u in units[start..=end].iter_mut() {
                if unit_dir(&u.text) == Dir::Neutral {
                    mirror_unit(u);
                }
            }
            // Numbers inside stay left to right.
            let mut k = start;
            while k <= end {
                if unit_dir(&units[k].text) == Dir::Digit {
                    let s = k;
                    while k < end && matches!(unit_dir(&units[k + 1].text), Dir::Digit) {
                        k += 1;
                    }
                    units[s..=k].reverse();
                }
                k += 1;
            }
            i = end + 1;
        }
    }
    rtl
}

fn is_bullet(text: &str) -> bool {
    text.chars().next().is_some_and(|c| {
        matches!(
            c,
            '•' | '◦'
                | '▪'
                | '‣'
                | '⁃'
                | '●'
                | '○'
                | '■'
                | '□'
                | '◆'
                | '❖'
                | '➢'
                | '►'
        )
    })
}

/// Groups the lines of one region into paragraphs.
fn paragraphs(lines: Vec<Line>, page: usize) -> Vec<Para> {
    if lines.is_empty() {
        return Vec::new();
    }
    let rtl = lines.iter().filter(|l| l.rtl).count() * 2 > lines.len();
    // Column edges: the usual line start and (nearly) the longest line end.
    let start_of = |l: &Line| if rtl { -l.x1 } else { l.x0 };
    let end_of = |l: &Line| if rtl { -l.x0 } else { l.x1 };
    let mut starts: HashMap<i64, usize> = HashMap::new();
    for l in &lines {
        *starts.entry(start_of(l).round() as i64).or_default() += 1;
    }
    let common_start = starts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map_or(0.0, |(s, _)| *s as f64);
    let left = lines
        .iter()
        .map(start_of)
        .filter(|s| (s - common_start).abs() <= 1.0)
        .fold(common_start, f64::min);
    let mut ends: Vec<f64> = lines.iter().map(end_of).collect();
    ends.sort_by(f64::total_cmp);
    let right = if ends.len() >= 5 {
        ends[(ends.len() * 4) / 5]
    } else {
        ends.last().copied().unwrap_or(0.0)
    };
    let mut gaps: Vec<f64> = lines
        .windows(2)
        .filter(|w| (w[0].size - w[1].size).abs() <= 0.12 * w[0].size.max(w[1].size))
        .map(|w| w[0].y - w[1].y)
        .filter(|d| *d > 0.0 && *d < 3.0 * lines[0].size.max(1.0))
        .collect();
    // The usual line spacing: a low percentile, since paragraph gaps are the exceptions.
    gaps.sort_by(f64::total_cmp);
    let leading = (gaps.len() >= 2).then(|| gaps[(gaps.len() * 3) / 10]);

    let indent = |l: &Line| start_of(l) - left;
    let mut paras: Vec<Para> = Vec::new();
    let mut current: Vec<Line> = Vec::new();
    let finish = |current: &mut Vec<Line>, paras: &mut Vec<Para>| {
        if current.is_empty() {
            return;
        }
        let lines = std::mem::take(current);
        let first = &lines[0];
        let last = &lines[lines.len() - 1];
        let ends_full = right - end_of(last) <= 2.0 * last.size
            || last
                .text()
                .trim_end()
                .ends_with(['-', '\u{AD}', '\u{2010}']);
        let starts_flush = indent(first).abs() < 0.8 * first.size;
        paras.push(Para {
            top: first.y + first.size,
            bottom: last.y - 0.25 * last.size,
            lines,
            page,
            region_start: false,
            region_end: false,
            ends_full,
            starts_flush,
        });
    };
    for line in lines {
        if let Some(prev) = current.last() {
            let size = prev.size.max(line.size);
            let expected = leading.unwrap_or(1.25 * size);
            let dy = prev.y - line.y;
            let size_change = (prev.size - line.size).abs() > 0.12 * size;
            let far = dy > expected * 1.3 + 0.5 || dy < -0.5 * size;
            let off = |l: &Line| {
                let i = indent(l);
                i.abs() >= 0.8 * l.size && i.abs() <= 10.0 * l.size
            };
            let indented = off(&line) && !off(prev);
            let prev_text = prev.text();
            let hyphenated = prev_text.trim_end().ends_with(['-', '\u{AD}', '\u{2010}']);
            let short = !hyphenated && right - end_of(prev) > line.first_word + 1.0 * line.size;
            let style_change = prev.units.iter().all(|u| u.bold || u.text == " ")
                != line.units.iter().all(|u| u.bold || u.text == " ")
                && (prev.units.len() < 80 || line.units.len() < 80)
                && short;
            if size_change
                || far
                || indented
                || short
                || style_change
                || prev.tabular
                || line.tabular
                || is_bullet(line.text().trim_start())
            {
                finish(&mut current, &mut paras);
            }
        }
        current.push(line);
    }
    finish(&mut current, &mut paras);
    paras
}

// ---------------------------------------------------------------------------------------------
// Whole document
// ---------------------------------------------------------------------------------------------

/// `Page 3`, `3`, `- 3 -`, `iv`, `3 of 10`, `3/10`.
fn is_page_number(text: &str) -> bool {
    let t = text
        .trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '-' | '–' | '—' | '(' | ')' | '[' | ']' | '|')
        })
        .to_lowercase();
    let t = t
        .strip_prefix("page")
        .or_else(|| t.strip_prefix("p."))
        .or_else(|| t.strip_prefix("seite"))
        .or_else(|| t.strip_prefix("página"))
        .unwrap_or(&t)
        .trim();
    let (first, rest) = match t.find(|c: char| !c.is_alphanumeric()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let is_num = |s: &str| !s.is_empty() && s.len() <= 5 && s.chars().all(|c| c.is_ascii_digit());
    let is_roman = |s: &str| {
        let value = |c: char| match c {
            'i' => 1,
            'v' => 5,
            'x' => 10,
            'l' => 50,
            'c' => 100,
            _ => 0,
        };
        if s.is_empty() || s.len() > 8 || s.chars().any(|c| value(c) == 0) {
            return false;
        }
        let digits: Vec<i32> = s.chars().map(value).collect();
        let mut total = 0;
        for (k, d) in digits.iter().enumerate() {
            if digits.get(k + 1).is_some_and(|next| next > d) {
                total -= d;
            } else {
                total += d;
            }
        }
        // Only canonical numerals (so that words like "civil" or "mix" are not page numbers).
        let mut canonical = String::new();
        let mut rest = total;
        for (v, r) in [
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        ] {
            while rest >= v {
                canonical.push_str(r);
                rest -= v;
            }
        }
        total > 0 && canonical == s
    };
    if !(is_num(first) || is_roman(first)) {
        return false;
    }
    let rest = rest.trim();
    if rest.is_empty() {
        return true;
    }
    let rest = rest
        .strip_prefix("of")
        .or_else(|| rest.strip_prefix('/'))
        .or_else(|| rest.strip_prefix("von"))
        .or_else(|| rest.strip_prefix("de"))
        .map(str::trim);
    rest.is_some_and(is_num)
}

/// A header or footer with its numbers (page, date) blanked out, for comparing across pages.
fn header_key(text: &str) -> String {
    let mut key = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_digit() {
            if !key.ends_with('#') {
                key.push('#');
            }
        } else if !c.is_whitespace() {
            key.push(c);
        }
    }
    key
}

/// Drops page numbers and running headers/footers: one-line paragraphs above (below) all other
/// text of a page by at least a line, in its top (bottom) quarter, that are page numbers or
/// repeat (numbers aside) on at least half the pages.
fn drop_headers_and_footers(pages: &mut [PageLayout]) {
    // (page, paragraph index, is_top, key)
    let mut candidates: Vec<(usize, usize, bool, String, bool)> = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        let height = (page.top - page.bottom).max(1.0);
        for (i, para) in page.paras.iter().enumerate() {
            if para.lines.len() != 1 {
                continue;
            }
            let text = para.text();
            if text.chars().count() > 120 || text.is_empty() {
                continue;
            }
            // Set apart from the rest of the page by at least a line.
            let gap = para.lines[0].size;
            let others = page.paras.iter().enumerate().filter(|(j, _)| *j != i);
            let above_all = others.clone().all(|(_, o)| o.top <= para.bottom - gap);
            let below_all = others.clone().all(|(_, o)| o.bottom >= para.top + gap);
            let in_top = para.bottom >= page.top - 0.25 * height;
            let in_bottom = para.top <= page.bottom + 0.25 * height;
            if (above_all && in_top) || (below_all && in_bottom) {
                let top = above_all && in_top;
                candidates.push((p, i, top, header_key(&text), is_page_number(&text)));
            }
        }
    }
    let mut counts: HashMap<(bool, String), HashSet<usize>> = HashMap::new();
    for (p, _, top, key, _) in &candidates {
        counts.entry((*top, key.clone())).or_default().insert(*p);
    }
    let pages_n = pages.len();
    let mut drop: HashSet<(usize, usize)> = HashSet::new();
    for (p, i, top, key, page_number) in &candidates {
        let repeats = counts.get(&(*top, key.clone())).map_or(0, HashSet::len);
        if *page_number || (repeats >= 2 && repeats * 2 >= pages_n) {
            drop.insert((*p, *i));
        }
    }
    for (p, page) in pages.iter_mut().enumerate() {
        let mut i = 0;
        page.paras.retain(|_| {
            let keep = !drop.contains(&(p, i));
            i += 1;
            keep
        });
        if let Some(first) = page.paras.first_mut() {
            first.region_start = true;
        }
        if let Some(last) = page.paras.last_mut() {
            last.region_end = true;
        }
    }
}

fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '”' | '’' | '\'' | ')' | '»')
    });
    t.ends_with(['.', '!', '?', ':', ';', '。', '！', '？', '؟', '۔'])
}

/// Joins a paragraph that a column or page break interrupted with its continuation.
fn join_continued(paras: Vec<Para>) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::with_capacity(paras.len());
    for para in paras {
        if let Some(prev) = out.last_mut() {
            let (a, b) = (prev.size(), para.size());
            let same_size = (a - b).abs() <= 0.1 * a.max(b);
            let next_text = para.lines.first().map(Line::text).unwrap_or_default();
            let next_text = next_text.trim_start();
            let starts_lower = next_text.chars().next().is_some_and(char::is_lowercase);
            let prev_text = prev.lines.last().map(Line::text).unwrap_or_default();
            let continues = prev.region_end
                && para.region_start
                && same_size
                && prev.ends_full
                && para.starts_flush
                && !is_bullet(next_text)
                && (!ends_sentence(&prev_text) || starts_lower);
            if continues {
                prev.lines.extend(para.lines);
                prev.region_end = para.region_end;
                prev.ends_full = para.ends_full;
                prev.bottom = para.bottom;
                continue;
            }
        }
        out.push(para);
    }
    out
}

/// The words of the document, to tell hyphenation from real hyphens.
struct Lexicon {
    words: HashSet<String>,
}

impl Lexicon {
    fn new(paras: &[Para]) -> Lexicon {
        let mut words = HashSet::new();
        for para in paras {
            for line in &para.lines {
                let text = line.text();
                let tokens: Vec<&str> = text.split_whitespace().collect();
                // The last token of a line may be a hyphenated fragment; do not learn it.
                for token in tokens.iter().take(tokens.len().saturating_sub(1)) {
                    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
                    if t.chars().count() >= 2 {
                        words.insert(t.to_lowercase());
                    }
                }
            }
        }
        Lexicon { words }
    }

    /// Whether the hyphen that ends `left` (at a line end) is a real one, to be kept when the
    /// line is joined with `right`; otherwise it is a hyphenation and goes.
    fn keep_hyphen(&self, left: &str, right: &str) -> bool {
        let left = left.trim_end();
        let Some(hyphen) = left.chars().last() else {
            return true;
        };
        if hyphen == '\u{AD}' {
            return false;
        }
        let before = &left[..left.len() - hyphen.len_utf8()];
        let head: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let tail: String = right
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        let Some(first) = tail.chars().next() else {
            return true;
        };
        if !head.chars().last().is_some_and(char::is_alphabetic)
            || first.is_uppercase()
            || first.is_ascii_digit()
        {
            return true;
        }
        if self.words.contains(&format!("{head}{tail}").to_lowercase()) {
            return false;
        }
        self.words
            .contains(&format!("{head}-{tail}").to_lowercase())
            || head.contains('-')
    }

    /// `left` (ending with a hyphen at a line end) joined with `right`.
    #[cfg(test)]
    fn join(&self, left: &str, right: &str) -> String {
        let left = left.trim_end();
        let right = right.trim_start();
        if self.keep_hyphen(left, right) {
            format!("{left}{right}")
        } else {
            let mut chars = left.chars();
            chars.next_back();
            format!("{}{right}", chars.as_str())
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Joins the lines of a paragraph into styled runs.
fn para_runs(para: &Para, lexicon: &Lexicon, styled: bool) -> Vec<Run> {
    // Pieces of (text, style) in order, with line joins resolved.
    let mut pieces: Vec<(String, InlineStyle)> = Vec::new();
    let style_of = |u: &Unit| {
        let mut s = InlineStyle::PLAIN;
        if styled && u.bold {
            s = s.with(InlineStyle::STRONG);
        }
        if styled && u.italic {
            s = s.with(InlineStyle::EMPHASIS);
        }
        s
    };
    for (n, line) in para.lines.iter().enumerate() {
        let mut units: Vec<(String, InlineStyle)> = line
            .units
            .iter()
            .map(|u| {
                let style = if u.text == " " {
                    InlineStyle::PLAIN
                } else {
                    style_of(u)
                };
                (u.text.clone(), style)
            })
            .collect();
        if n > 0 && !units.is_empty() {
            // Join with the previous line: undo hyphenation, or add a space.
            let prev_text = para.lines[n - 1].text();
            let prev_trim = prev_text.trim_end();
            let next_text: String = units.iter().map(|u| u.0.as_str()).collect();
            let hyphenated = prev_trim.ends_with(['-', '\u{AD}', '\u{2010}'])
                && !prev_trim.ends_with(" -")
                && !prev_trim.ends_with("--");
            if hyphenated {
                let keep_hyphen = lexicon.keep_hyphen(prev_trim, &next_text);
                // Remove trailing whitespace and, unless kept, the hyphen from the pieces.
                while pieces.last().is_some_and(|p| p.0.trim().is_empty()) {
                    pieces.pop();
                }
                if !keep_hyphen && let Some(last) = pieces.last_mut() {
                    let t = last.0.trim_end().to_string();
                    let mut chars = t.chars();
                    chars.next_back();
                    last.0 = chars.as_str().to_string();
                }
                while units.first().is_some_and(|u| u.0.trim().is_empty()) {
                    units.remove(0);
                }
            } else {
                let a = prev_trim.chars().last();
                let b = next_text.trim_start().chars().next();
                if !(a.is_some_and(is_cjk) && b.is_some_and(is_cjk)) {
                    pieces.push((" ".to_string(), InlineStyle::PLAIN));
                }
            }
        }
        pieces.extend(units);
    }
    // Merge pieces into runs; spaces join whichever run they sit in.
    let mut runs: Vec<Run> = Vec::new();
    for (text, style) in pieces {
        let text = text.replace('\u{AD}', "");
        if text.is_empty() {
            continue;
        }
        let is_space = text.trim().is_empty();
        match runs.last_mut() {
            Some(last) if last.style == style || is_space => last.text.push_str(&text),
            _ => runs.push(Run::styled(text, style)),
        }
    }
    // A space that ends a styled run belongs between runs; keep it, but trim the ends.
    if let Some(first) = runs.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = runs.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    runs.retain(|r| !r.text.is_empty());
    runs
}

/// Paragraphs → blocks, with headings by font size (and short all-bold lines).
fn to_blocks(paras: Vec<Para>) -> Vec<Block> {
    let lexicon = Lexicon::new(&paras);
    // Body size: the size most characters are set in.
    let mut by_size: HashMap<i64, usize> = HashMap::new();
    for para in &paras {
        let chars = para.text().chars().count();
        *by_size
            .entry((para.size() * 2.0).round() as i64)
            .or_default() += chars;
    }
    let body = by_size
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map_or(10.0, |(s, _)| *s as f64 / 2.0);

    let sized: Vec<(f64, String)> = paras.iter().map(|p| (p.size(), p.text())).collect();
    let is_big = |size: f64, text: &str, lines: usize| {
        size >= 1.15 * body && text.chars().count() <= 200 && lines <= 4
    };
    let all_bold = |p: &Para| {
        p.lines
            .iter()
            .flat_map(|l| l.units.iter())
            .filter(|u| !u.text.trim().is_empty())
            .all(|u| u.bold)
    };
    let mut heading_sizes: Vec<i64> = paras
        .iter()
        .zip(&sized)
        .filter(|(p, (s, t))| is_big(*s, t, p.lines.len()))
        .map(|(_, (s, _))| (s * 2.0).round() as i64)
        .collect();
    heading_sizes.sort_unstable_by(|a, b| b.cmp(a));
    heading_sizes.dedup();
    let max_heading = heading_sizes.first().copied();
    let headline = paras.first().zip(sized.first()).is_some_and(|(p, (s, t))| {
        is_big(*s, t, p.lines.len())
            && Some((s * 2.0).round() as i64) == max_heading
            && *s >= 1.25 * body
            && p.page == 0
    });
    let headline_size = headline.then(|| (sized[0].0 * 2.0).round() as i64);
    // If the headline's size is used only by it, the next size is level 2.
    let shared = headline_size.is_some_and(|hs| {
        paras
            .iter()
            .zip(&sized)
            .skip(1)
            .any(|(p, (s, t))| is_big(*s, t, p.lines.len()) && (s * 2.0).round() as i64 == hs)
    });
    let levels: Vec<i64> = heading_sizes
        .iter()
        .copied()
        .filter(|s| Some(*s) != headline_size || shared)
        .collect();

    let mut blocks = Vec::with_capacity(paras.len());
    for (i, (para, (size, text))) in paras.iter().zip(&sized).enumerate() {
        if text.is_empty() {
            continue;
        }
        let kind = if i == 0 && headline {
            BlockKind::Headline
        } else if is_big(*size, text, para.lines.len()) {
            let rank = levels
                .iter()
                .position(|s| *s == (size * 2.0).round() as i64)
                .unwrap_or(0);
            BlockKind::Heading((2 + rank).min(6) as u8)
        } else if para.lines.len() == 1
            && !para.lines[0].tabular
            && all_bold(para)
            && text.chars().count() <= 80
            && *size >= 0.9 * body
            && !text.ends_with(['.', ',', ';', ':'])
            && paras.get(i + 1).is_some_and(|n| !all_bold(n))
            && text.chars().any(char::is_alphabetic)
        {
            BlockKind::Heading((2 + levels.len()).min(6) as u8)
        } else if is_bullet(text) {
            BlockKind::ListItem {
                depth: 1,
                number: None,
            }
        } else {
            BlockKind::Body
        };
        let styled = matches!(kind, BlockKind::Body | BlockKind::ListItem { .. });
        let mut runs = para_runs(para, &lexicon, styled);
        if matches!(kind, BlockKind::ListItem { .. })
            && let Some(first) = runs.first_mut()
        {
            let mut chars = first.text.chars();
            chars.next();
            first.text = chars.as_str().trim_start().to_string();
        }
        if !styled {
            let text: String = runs.iter().map(|r| r.text.as_str()).collect();
            runs = vec![Run::plain(text)];
        }
        runs.retain(|r| !r.text.is_empty());
        if runs.is_empty() {
            continue;
        }
        blocks.push(Block::new(kind, runs));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};
    use std::path::{Path, PathBuf};

    fn data(name: &str) -> Vec<u8> {
        let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/pdf")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn import(name: &str) -> StructuredText {
        pdf_to_structured(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn plain(doc: &StructuredText) -> String {
        doc.blocks
            .iter()
            .map(block_text)
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// A one-page PDF with the given content stream, fonts and XObjects (named Im0, Im1, …).
    fn pdf_with(content: &str, fonts: Vec<(&str, Dictionary)>, extra: Vec<Object>) -> Vec<u8> {
        pdf_with_info(content, fonts, extra, None)
    }

    fn pdf_with_info(
        content: &str,
        fonts: Vec<(&str, Dictionary)>,
        extra: Vec<Object>,
        info: Option<Dictionary>,
    ) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut font_dict = Dictionary::new();
        for (name, mut font) in fonts {
            // Streams must be indirect objects.
            if let Ok(Object::Stream(cmap)) = font.get(b"ToUnicode").cloned() {
                let cmap_id = doc.add_object(cmap);
                font.set("ToUnicode", cmap_id);
            }
            let id = doc.add_object(font);
            font_dict.set(name, id);
        }
        let mut xobjects = Dictionary::new();
        for (i, obj) in extra.into_iter().enumerate() {
            let id = doc.add_object(obj);
            xobjects.set(format!("Im{i}"), id);
        }
        let resources = doc.add_object(dictionary! {
            "Font" => font_dict,
            "XObject" => xobjects,
        });
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page_id.into()],
                "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        if let Some(info) = info {
            let info_id = doc.add_object(info);
            doc.trailer.set("Info", info_id);
        }
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("save test PDF");
        out
    }

    fn helvetica() -> Dictionary {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        }
    }

    /// Helvetica whose codes A..E stand for the Hebrew letters alef..he.
    fn hebrew_font() -> Dictionary {
        let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <00> <FF> endcodespacerange\n\
            1 beginbfrange <41> <45> <05D0> endbfrange\n\
            1 beginbfchar <20> <0020> endbfchar\n\
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let mut font = helvetica();
        font.set(
            "ToUnicode",
            Object::Stream(Stream::new(dictionary! {}, cmap.as_bytes().to_vec())),
        );
        font
    }

    #[test]
    fn every_sample_opens() {
        let samples = [
            "002-trivial-libre-office-writer__002-trivial-libre-office-writer.pdf",
            "004-pdflatex-4-pages__pdflatex-4-pages.pdf",
            "011-google-doc-document__google-doc-document.pdf",
            "015-arabic__habibi.pdf",
            "021-pdfa__crazyones-pdfa.pdf",
            "022-pdfkit__pdfkit.pdf",
            "026-latex-multicolumn__multicolumn.pdf",
        ];
        for name in samples {
            let doc = import(name);
            assert_eq!(doc.meta.format, SourceFormat::Pdf, "{name}");
            assert!(!doc.blocks.is_empty(), "{name}: no blocks");
            for block in &doc.blocks {
                assert!(!block.runs.is_empty(), "{name}: empty block");
            }
        }
    }

    #[test]
    fn password_protected_file_says_so() {
        let err = pdf_to_structured(&data(
            "005-libreoffice-writer-password__libreoffice-writer-password.pdf",
        ))
        .unwrap_err();
        assert!(matches!(err, PdfError::Encrypted), "{err:?}");
        assert!(err.to_string().contains("password-protected"));
    }

    #[test]
    fn owner_password_only_file_opens() {
        let doc = import("owner-password-only.pdf");
        assert!(plain(&doc).contains("Lorem ipsum dolor sit amet"));
    }

    #[test]
    fn latex_text_matches_source() {
        // blindtext's paragraph, set by pdflatex; the page numbers are gone.
        let doc = import("004-pdflatex-4-pages__pdflatex-4-pages.pdf");
        let text = plain(&doc);
        assert!(text.contains(
            "Hello, here is some text without a meaning. This text should show what a printed \
             text will look like at this place."
        ));
        assert!(text.contains("Is there a difference between this text and some nonsense like “Huardest gefburn”? Kjift – not at all!"));
        assert!(
            !text.lines().any(|l| l.trim() == "1" || l.trim() == "2"),
            "page numbers kept"
        );
    }

    #[test]
    fn two_columns_read_in_order() {
        let doc = import("026-latex-multicolumn__multicolumn.pdf");
        let text = plain(&doc);
        let order = [
            "Two-Column Document with Lorem Ipsum",
            "This is a sample document with two columns filled with Lorem Ipsum text.",
            "Lorem ipsum dolor sit amet, consectetuer adipiscing elit.",
            "Vivamus viverra fermentum felis. Donec nonummy pellentesque ante.",
            "Nam feugiat lacus vel est. Curabitur consectetuer.",
            "Suspendisse vel felis.",
        ];
        let mut at = 0;
        for needle in order {
            let pos = text[at..]
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} missing or out of order in:\n{text}"));
            at += pos + needle.len();
        }
        assert_eq!(doc.blocks[0].kind, BlockKind::Headline);
        assert_eq!(
            doc.meta.title.as_deref(),
            Some("Two-Column Document with Lorem Ipsum")
        );
        // Hyphenated line ends are re-joined ("adip-" / "iscing").
        assert!(!text.contains("adip- iscing") && !text.contains("adip-iscing"));
    }

    #[test]
    fn paragraphs_are_blocks_not_lines() {
        let doc = import("026-latex-multicolumn__multicolumn.pdf");
        let first = doc
            .blocks
            .iter()
            .map(block_text)
            .find(|t| t.starts_with("Lorem ipsum dolor sit amet"))
            .expect("first lipsum paragraph");
        assert!(
            first.ends_with("Duis eget orci sit amet orci dignissim rutrum."),
            "{first}"
        );
    }

    #[test]
    fn arabic_is_in_logical_order() {
        // Ground truth: habibi.html has `<div>حَبيبي habibi</div>`.
        let html = String::from_utf8(data("015-arabic__habibi.html")).unwrap();
        let truth = html
            .split("<div>")
            .nth(1)
            .and_then(|s| s.split("</div>").next())
            .unwrap();
        let doc = import("015-arabic__habibi.pdf");
        assert_eq!(plain(&doc), truth);
    }

    #[test]
    fn visual_order_hebrew_is_reversed_to_logical() {
        // The page shows (left to right) "ED ab 12 CBA" in a right-to-left line and "we saw
        // EDCBA in the text" in a left-to-right one; A..E stand for alef..he.
        let content = "BT /F1 12 Tf 100 700 Td (ED ab 12 CBA) Tj ET \
            BT /F1 12 Tf 100 640 Td (we saw EDCBA in the text) Tj ET";
        let bytes = pdf_with(content, vec![("F1", hebrew_font())], vec![]);
        let doc = pdf_to_structured(&bytes).unwrap();
        let texts: Vec<String> = doc.blocks.iter().map(block_text).collect();
        assert_eq!(texts, ["אבג ab 12 דה", "we saw אבגדה in the text"]);
    }

    #[test]
    fn ligatures_are_spelled_out() {
        let doc = import("021-pdfa__crazyones-pdfa.pdf");
        let text = plain(&doc);
        assert!(text.contains("The misfits."), "{text}");
        assert!(text.contains("see things differently"), "{text}");
        assert!(!text.contains(['\u{FB00}', '\u{FB01}', '\u{FB02}', '\u{FB03}', '\u{FB04}']));
        assert_eq!(
            normalize_glyph_text("\u{FB03}\u{FB04}\u{FB00}\u{FB01}\u{FB02}"),
            "ffifflfffifl"
        );
        // Only presentation forms are normalised, not the rest of the text.
        assert_eq!(normalize_glyph_text("x²"), "x²");
    }

    #[test]
    fn words_are_neither_split_nor_glued() {
        let doc = import("011-google-doc-document__google-doc-document.pdf");
        let text = plain(&doc);
        assert!(text.contains("Beautiful is better than ugly."), "{text}");
        assert!(text.contains("Special cases aren't special enough to break the rules."));
        let doc = import("002-trivial-libre-office-writer__002-trivial-libre-office-writer.pdf");
        assert!(plain(&doc).starts_with("Lorem ipsum dolor sit amet, consetetur sadipscing elitr"));
    }

    #[test]
    fn real_hyphens_are_kept_and_hyphenation_undone() {
        let lexicon = Lexicon {
            words: ["well-known", "adipiscing"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        assert_eq!(lexicon.join("a well-", "known fact"), "a well-known fact");
        assert_eq!(
            lexicon.join("consectetuer adip-", "iscing elit"),
            "consectetuer adipiscing elit"
        );
        assert_eq!(
            lexicon.join("the state-of-the-", "art"),
            "the state-of-the-art"
        );
        assert_eq!(lexicon.join("non-", "European"), "non-European");
        assert_eq!(lexicon.join("infor-", "mation"), "information");
    }

    #[test]
    fn image_only_pdf_has_no_text() {
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            vec![0, 255, 255, 0],
        );
        let bytes = pdf_with(
            "q 400 0 0 600 100 100 cm /Im0 Do Q",
            vec![],
            vec![Object::Stream(image)],
        );
        let err = pdf_to_structured(&bytes).unwrap_err();
        assert!(matches!(err, PdfError::NoText), "{err:?}");
        assert!(err.to_string().contains("run OCR first"));
    }

    #[test]
    fn truncated_and_garbage_input_is_an_error_not_a_panic() {
        let full = data("026-latex-multicolumn__multicolumn.pdf");
        for cut in [10, 100, 1000, 5000] {
            let result = pdf_to_structured(&full[..cut]);
            assert!(result.is_err(), "cut at {cut} gave text");
        }
        for cut in [full.len() / 3, full.len() / 2, full.len() - 100] {
            // Whatever lopdf can recover is fine; it must not panic.
            let _ = pdf_to_structured(&full[..cut]);
        }
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut garbage = b"%PDF-1.7\n".to_vec();
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            garbage.push(state as u8);
        }
        assert!(matches!(
            pdf_to_structured(&garbage),
            Err(PdfError::Malformed(_))
        ));
        assert!(matches!(
            pdf_to_structured(b"hello"),
            Err(PdfError::Malformed(_))
        ));
        assert!(matches!(
            pdf_to_structured(b""),
            Err(PdfError::Malformed(_))
        ));
    }

    #[test]
    fn text_in_forms_and_rotated_pages_is_found() {
        let form = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 500.into(), 500.into()] },
            b"BT /F1 10 Tf 0 0 Td (Inside a form.) Tj ET".to_vec(),
        );
        let content = "q 1 0 0 1 72 600 cm /Im0 Do Q \
            BT /F1 10 Tf 0 1 -1 0 300 100 Tm (Sideways text reads fine.) Tj ET \
            BT /F1 10 Tf 0 1 -1 0 315 100 Tm (A second sideways line.) Tj ET";
        let bytes = pdf_with(
            content,
            vec![("F1", helvetica())],
            vec![Object::Stream(form)],
        );
        let text = plain(&pdf_to_structured(&bytes).unwrap());
        // The page is mostly rotated text, so that is read first; the form's horizontal line
        // follows.
        assert_eq!(
            text,
            "Sideways text reads fine. A second sideways line.\n\nInside a form."
        );
        let bytes = pdf_with(
            "/Im0 Do",
            vec![("F1", helvetica())],
            vec![Object::Stream(Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Form", "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 72.into(), 600.into()] },
                b"BT /F1 10 Tf 0 0 Td (Inside a form.) Tj ET".to_vec(),
            ))],
        );
        assert_eq!(plain(&pdf_to_structured(&bytes).unwrap()), "Inside a form.");
    }

    /// Token F1 and word-bigram F1 (order) of `got` against `want`.
    fn scores(got: &str, want: &str) -> (f64, f64) {
        fn f1<T: std::hash::Hash + Eq + Clone>(got: &[T], want: &[T]) -> f64 {
            let mut counts: HashMap<T, i64> = HashMap::new();
            for t in want {
                *counts.entry(t.clone()).or_default() += 1;
            }
            let hit = got
                .iter()
                .filter(|t| {
                    counts.get_mut(*t).is_some_and(|c| {
                        *c -= 1;
                        *c >= 0
                    })
                })
                .count() as f64;
            2.0 * hit / (got.len() + want.len()).max(1) as f64
        }
        let tokens = |s: &str| -> Vec<String> {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|t| !t.is_empty())
                .map(str::to_lowercase)
                .collect()
        };
        let (g, w) = (tokens(got), tokens(want));
        let pairs = |t: &[String]| -> Vec<(String, String)> {
            t.windows(2).map(|p| (p[0].clone(), p[1].clone())).collect()
        };
        (f1(&g, &w), f1(&pairs(&g), &pairs(&w)))
    }

    #[test]
    fn latex_samples_match_their_ground_truth() {
        // The .expected.txt files are the .tex sources with \blindtext / \lipsum expanded.
        for (pdf, min_bigram) in [
            ("004-pdflatex-4-pages__pdflatex-4-pages", 0.995),
            ("026-latex-multicolumn__multicolumn", 0.99),
        ] {
            let got = plain(&import(&format!("{pdf}.pdf")));
            let want = String::from_utf8(data(&format!("{pdf}.expected.txt"))).unwrap();
            let (tokens, bigrams) = scores(&got, &want);
            assert!(
                tokens >= 0.99 && bigrams >= min_bigram,
                "{pdf}: token F1 {tokens:.3}, bigram F1 {bigrams:.3}"
            );
        }
    }

    #[test]
    fn page_numbers_and_running_headers_are_recognised() {
        assert!(is_page_number("12"));
        assert!(is_page_number("- 3 -"));
        assert!(is_page_number("Page 4 of 10"));
        assert!(is_page_number("xiv"));
        assert!(!is_page_number("2024 was a year"));
        assert!(!is_page_number("Civil"));
        assert!(!is_page_number("mix"));
        assert!(is_page_number("XII"));
        assert_eq!(
            header_key("GNU Bash 5.2 2022 September 19 1"),
            header_key("GNU Bash 5.2 2022 September 19 10")
        );
    }

    #[test]
    fn headings_come_from_font_size() {
        let content = "BT /F1 24 Tf 72 760 Td (A Big Title) Tj ET \
            BT /F1 16 Tf 72 720 Td (Section one) Tj ET \
            BT /F1 10 Tf 72 700 Td (Body text that is long enough to be a paragraph of its own.) Tj ET \
            BT /F1 16 Tf 72 670 Td (Section two) Tj ET \
            BT /F1 10 Tf 72 650 Td (More body text follows here, set in the body size.) Tj ET";
        let doc = pdf_to_structured(&pdf_with(content, vec![("F1", helvetica())], vec![])).unwrap();
        let kinds: Vec<BlockKind> = doc.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Headline,
                BlockKind::Heading(2),
                BlockKind::Body,
                BlockKind::Heading(2),
                BlockKind::Body
            ]
        );
        assert_eq!(doc.meta.title.as_deref(), Some("A Big Title"));
    }

    #[test]
    fn metadata_comes_from_the_info_dictionary() {
        let info = dictionary! {
            "Title" => Object::String(
                [&[0xFE, 0xFF][..], &"Grüße".encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()].concat(),
                lopdf::StringFormat::Hexadecimal,
            ),
            "Author" => Object::string_literal("Jane Doe and John Roe"),
        };
        let content = "BT /F1 10 Tf 72 700 Td (Some body text.) Tj ET";
        let bytes = pdf_with_info(content, vec![("F1", helvetica())], vec![], Some(info));
        let doc = pdf_to_structured(&bytes).unwrap();
        assert_eq!(doc.meta.title.as_deref(), Some("Grüße"));
        assert_eq!(doc.meta.byline.as_deref(), Some("Jane Doe and John Roe"));
        assert_eq!(doc.meta.format, SourceFormat::Pdf);
        assert!(xmp_field(
            "<x><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">A &amp; B</rdf:li></rdf:Alt></dc:title></x>",
            "dc:title",
            false
        )
        .is_some_and(|t| t == "A & B"));
        assert!(!plausible_title("Microsoft Word - draft3.docx"));
    }
}
