//! EPUB import (EPUB 2 and 3): the book's chapters in reading order as [`Block`]s, with its
//! title, author(s) and language.
//!
//! The archive is read with `zip`, the container and package documents with `quick-xml`;
//! each chapter's XHTML goes through [`html_fragment_to_blocks`], so chapter headings become
//! [`BlockKind::Heading`] blocks. The book's title comes first as the
//! [`BlockKind::Headline`].
//!
//! - Reading order is the spine's. Items marked `linear="no"` (covers, pop-up notes, answer
//!   keys: things a reader shows only when a link leads there) are left out, unless the book
//!   has nothing else.
//! - Guards: at most [`MAX_ENTRIES`] files in the archive and [`MAX_UNPACKED_BYTES`] unpacked
//!   in all (counted as bytes are inflated, not as the archive claims), so a zip bomb stops
//!   with [`EpubError::TooLarge`]. Books whose text is encrypted (Adobe, Readium LCP, Apple
//!   FairPlay, or any `META-INF/encryption.xml` entry other than font obfuscation) are refused
//!   with [`EpubError::Drm`].

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::html::html_fragment_to_blocks;
use crate::model::structure::{Block, BlockKind, Metadata, SourceFormat, StructuredText};

/// Most files an EPUB may hold.
pub const MAX_ENTRIES: usize = 10_000;
/// Most bytes the files read from an EPUB may unpack to, in all.
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// Why an EPUB could not be opened. Messages say what is wrong with the file.
#[derive(Debug, thiserror::Error)]
pub enum EpubError {
    #[error("this is not an EPUB: it is not a ZIP archive ({0})")]
    NotZip(String),
    #[error("this is not an EPUB: it has no META-INF/container.xml")]
    NoContainer,
    #[error("this EPUB names no package document (OPF) in META-INF/container.xml")]
    NoPackage,
    #[error("this EPUB's package document {0} is missing")]
    MissingPackage(String),
    #[error("this EPUB's {file} is not valid XML: {reason}")]
    BadXml { file: String, reason: String },
    #[error("this EPUB is DRM-protected ({0}): its text is encrypted")]
    Drm(&'static str),
    #[error("this EPUB has {0} files; Claimlens opens books of up to {MAX_ENTRIES} files")]
    TooManyFiles(usize),
    #[error(
        "this EPUB unpacks to more than {} MiB; Claimlens opens books of up to that size",
        MAX_UNPACKED_BYTES / (1024 * 1024)
    )]
    TooLarge,
    #[error("this EPUB's file {file} could not be read: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("this EPUB has no chapters: its spine lists no document that is in the book")]
    NoChapters,
}

/// Imports an EPUB: chapters in spine order, the title as the headline, title, author(s)
/// (byline), language, publisher (site), date and description (excerpt) as metadata.
pub fn epub_to_structured(bytes: &[u8]) -> Result<StructuredText, EpubError> {
    import(bytes, MAX_ENTRIES, MAX_UNPACKED_BYTES)
}

/// [`epub_to_structured`] with given limits (tests use small ones).
fn import(
    bytes: &[u8],
    max_entries: usize,
    max_unpacked: u64,
) -> Result<StructuredText, EpubError> {
    let mut book = Archive::open(bytes, max_entries, max_unpacked)?;
    book.check_drm()?;
    let opf_path = book.package_path()?;
    let opf_text = decode_xml(&book.read(&opf_path)?);
    let package = parse_package(&opf_text).map_err(|reason| EpubError::BadXml {
        file: opf_path.clone(),
        reason,
    })?;
    let base = match opf_path.rfind('/') {
        Some(i) => &opf_path[..=i],
        None => "",
    };

    let mut chapters: Vec<(bool, String)> = Vec::new();
    for itemref in &package.spine {
        let Some(item) = package.manifest.get(&itemref.idref) else {
            continue;
        };
        let is_document = item.media_type.contains("html") || item.media_type.is_empty();
        if !is_document {
            continue;
        }
        let path = resolve_href(base, &item.href);
        if book.find(&path).is_some() {
            chapters.push((itemref.linear, path));
        }
    }
    if chapters.is_empty() {
        return Err(EpubError::NoChapters);
    }

    let mut blocks = Vec::new();
    for (linear, path) in &chapters {
        if *linear {
            blocks.extend(book.chapter(path)?);
        }
    }
    if blocks.is_empty() {
        // Only non-linear documents had text: better them than nothing.
        for (_, path) in &chapters {
            blocks.extend(book.chapter(path)?);
        }
    }

    let meta = package.metadata();
    if let Some(title) = &meta.title {
        // The headline is the title; a title page's first heading that repeats it goes.
        let repeats = blocks.first().is_some_and(|b| {
            let text: String = b.runs.iter().map(|r| r.text.as_str()).collect();
            matches!(b.kind, BlockKind::Heading(_))
                && collapse(&text).to_lowercase() == title.to_lowercase()
        });
        if repeats {
            blocks.remove(0);
        }
        blocks.insert(0, Block::plain(BlockKind::Headline, title.clone()));
    }
    Ok(StructuredText { meta, blocks })
}

// ---------------------------------------------------------------------------------------------
// The archive

struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Entry names, lower-cased, to their index (for books whose links differ in case).
    lower: HashMap<String, usize>,
    /// Bytes that may still be unpacked.
    budget: u64,
}

impl<'a> Archive<'a> {
    fn open(bytes: &'a [u8], max_entries: usize, max_unpacked: u64) -> Result<Self, EpubError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| EpubError::NotZip(e.to_string()))?;
        if zip.len() > max_entries {
            return Err(EpubError::TooManyFiles(zip.len()));
        }
        let lower = (0..zip.len())
            .filter_map(|i| Some((zip.name_for_index(i)?.ok()?.to_lowercase(), i)))
            .collect();
        Ok(Self {
            zip,
            lower,
            budget: max_unpacked,
        })
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.zip
            .index_for_name(name)
            .or_else(|| self.lower.get(&name.to_lowercase()).copied())
    }

    /// The unpacked bytes of `name`, counted against the budget.
    fn read(&mut self, name: &str) -> Result<Vec<u8>, EpubError> {
        let index = self.find(name).ok_or_else(|| EpubError::Unreadable {
            file: name.to_owned(),
            reason: "it is not in the archive".into(),
        })?;
        let unreadable = |e: &dyn std::fmt::Display| EpubError::Unreadable {
            file: name.to_owned(),
            reason: e.to_string(),
        };
        let file = self.zip.by_index(index).map_err(|e| unreadable(&e))?;
        if file.encrypted() {
            return Err(EpubError::Drm("password-protected ZIP entries"));
        }
        if file.size() > self.budget {
            return Err(EpubError::TooLarge);
        }
        let mut out = Vec::with_capacity(file.size().min(16 << 20) as usize);
        // Never trust the declared size: stop one byte past the budget.
        file.take(self.budget + 1)
            .read_to_end(&mut out)
            .map_err(|e| unreadable(&e))?;
        let read = out.len() as u64;
        if read > self.budget {
            return Err(EpubError::TooLarge);
        }
        self.budget -= read;
        Ok(out)
    }

    fn read_text(&mut self, name: &str) -> Result<Option<String>, EpubError> {
        if self.find(name).is_none() {
            return Ok(None);
        }
        Ok(Some(decode_xml(&self.read(name)?)))
    }

    /// Refuses books whose content is encrypted. Font obfuscation (IDPF, Adobe) is not DRM.
    fn check_drm(&mut self) -> Result<(), EpubError> {
        if self.find("META-INF/sinf.xml").is_some() {
            return Err(EpubError::Drm("Apple FairPlay"));
        }
        let Some(encryption) = self.read_text("META-INF/encryption.xml")? else {
            return Ok(());
        };
        const FONT_OBFUSCATION: [&str; 2] = [
            "http://www.idpf.org/2008/embedding",
            "http://ns.adobe.com/pdf/enc#RC",
        ];
        let mut reader = Reader::from_str(&encryption);
        let mut content_encrypted = false;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e))
                    if e.local_name().as_ref() == b"EncryptionMethod" =>
                {
                    let algorithm = attr(&e, b"Algorithm").unwrap_or_default();
                    if !FONT_OBFUSCATION.contains(&algorithm.trim()) {
                        content_encrypted = true;
                    }
                }
                Ok(Event::Eof) => break,
                // Unreadable encryption.xml: cannot tell; assume the worst only if it names
                // encrypted data at all.
                Err(_) => {
                    content_encrypted |= encryption.contains("EncryptedData");
                    break;
                }
                Ok(_) => {}
            }
        }
        if !content_encrypted {
            return Ok(());
        }
        Err(EpubError::Drm(
            if self.find("META-INF/license.lcpl").is_some() {
                "Readium LCP"
            } else if self.find("META-INF/rights.xml").is_some() {
                "Adobe DRM"
            } else {
                "encrypted content"
            },
        ))
    }

    /// The package document's path, from `META-INF/container.xml`.
    fn package_path(&mut self) -> Result<String, EpubError> {
        let container = self
            .read_text("META-INF/container.xml")?
            .ok_or(EpubError::NoContainer)?;
        let mut reader = Reader::from_str(&container);
        let mut rootfiles = Vec::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"rootfile" => {
                    if let Some(path) = attr(&e, b"full-path") {
                        let is_opf = attr(&e, b"media-type")
                            .is_some_and(|m| m.trim() == "application/oebps-package+xml");
                        rootfiles.push((is_opf, percent_decode(path.trim())));
                    }
                }
                Ok(Event::Eof) => break,
                Err(e) => {
                    return Err(EpubError::BadXml {
                        file: "META-INF/container.xml".into(),
                        reason: e.to_string(),
                    });
                }
                Ok(_) => {}
            }
        }
        // The first OPF that is there; else the first rootfile that is there.
        rootfiles.sort_by_key(|(is_opf, _)| !is_opf);
        if let Some((_, path)) = rootfiles.iter().find(|(_, p)| self.find(p).is_some()) {
            return Ok(path.clone());
        }
        match rootfiles.into_iter().next() {
            Some((_, path)) => Err(EpubError::MissingPackage(path)),
            None => Err(EpubError::NoPackage),
        }
    }

    /// A chapter's blocks.
    fn chapter(&mut self, path: &str) -> Result<Vec<Block>, EpubError> {
        let text = decode_xml(&self.read(path)?);
        Ok(html_fragment_to_blocks(&text))
    }
}

// ---------------------------------------------------------------------------------------------
// The package document (OPF)

struct Item {
    href: String,
    media_type: String,
}

struct ItemRef {
    idref: String,
    linear: bool,
}

/// A metadata element being read: its key (`dc:*` local name, or a refining meta's
/// property), the id it has or refines, its EPUB 2 `opf:role`, and how many elements inside it
/// are open.
struct OpenValue {
    key: String,
    id: Option<String>,
    role: Option<String>,
    nested: usize,
}

/// A `dc:*` metadata element: its `id`, its EPUB 2 `opf:role`, its text.
struct DcValue {
    id: Option<String>,
    role: Option<String>,
    text: String,
}

#[derive(Default)]
struct Package {
    dc: HashMap<String, Vec<DcValue>>,
    /// EPUB 3 refinements: (refined id, property) → value.
    refines: HashMap<(String, String), String>,
    manifest: HashMap<String, Item>,
    spine: Vec<ItemRef>,
}

fn parse_package(opf: &str) -> Result<Package, String> {
    let mut package = Package::default();
    let mut reader = Reader::from_str(opf);
    reader.config_mut().check_end_names = false;
    let mut open: Option<OpenValue> = None;
    let mut text = String::new();
    let mut in_metadata = false;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(_) if open.is_some() => {
                if let Some(open) = &mut open {
                    open.nested += 1;
                }
            }
            Event::Start(e) | Event::Empty(e) if open.is_none() => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let prefix_dc = e.name().prefix().is_some_and(|p| p.as_ref() == b"dc")
                    || e.name().as_ref().starts_with(b"dc:");
                match name.as_str() {
                    "metadata" if !is_empty => in_metadata = true,
                    "item" => {
                        if let (Some(id), Some(href)) = (attr(&e, b"id"), attr(&e, b"href")) {
                            let media_type = attr(&e, b"media-type").unwrap_or_default();
                            package.manifest.insert(id, Item { href, media_type });
                        }
                    }
                    "itemref" => {
                        if let Some(idref) = attr(&e, b"idref") {
                            let linear = attr(&e, b"linear").is_none_or(|l| l.trim() != "no");
                            package.spine.push(ItemRef { idref, linear });
                        }
                    }
                    _ if in_metadata && !is_empty && (prefix_dc || name == "meta") => {
                        let refines = (name == "meta")
                            .then(|| attr(&e, b"refines"))
                            .flatten()
                            .map(|r| r.trim().trim_start_matches('#').to_owned());
                        let property = attr(&e, b"property");
                        // Not EPUB 2's `<meta name content>`, nor an unrefined EPUB 3 meta.
                        let wanted = name != "meta" || (refines.is_some() && property.is_some());
                        if wanted {
                            let key = if name == "meta" {
                                property.unwrap_or_default()
                            } else {
                                name.clone()
                            };
                            let id_or_refines = if name == "meta" {
                                refines
                            } else {
                                attr(&e, b"id")
                            };
                            open = Some(OpenValue {
                                key,
                                id: id_or_refines,
                                role: attr(&e, b"role"),
                                nested: 0,
                            });
                            text.clear();
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if open.is_some() => {
                text.push_str(&t.xml10_content().map_err(|e| e.to_string())?);
            }
            Event::CData(t) if open.is_some() => {
                text.push_str(&String::from_utf8_lossy(&t.into_inner()));
            }
            Event::GeneralRef(r) if open.is_some() => {
                let name = r.decode().map_err(|e| e.to_string())?;
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    _ => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => text.push_str(s),
                        None if name == "nbsp" => text.push('\u{a0}'),
                        None => {
                            text.push('&');
                            text.push_str(&name);
                            text.push(';');
                        }
                    },
                }
            }
            Event::End(_) if open.as_ref().is_some_and(|o| o.nested > 0) => {
                if let Some(open) = &mut open {
                    open.nested -= 1;
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                if let Some(OpenValue { key, id, role, .. }) = open.take() {
                    let value = text.trim().to_owned();
                    if key.contains(':') || !is_dc_key(&key) {
                        // A refinement (`title-type`, `role`, `file-as`, …).
                        if let Some(id) = id {
                            package.refines.insert((id, key), value);
                        }
                    } else {
                        package.dc.entry(key).or_default().push(DcValue {
                            id,
                            role,
                            text: value,
                        });
                    }
                } else if name.as_ref() == b"metadata" {
                    in_metadata = false;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(package)
}

/// The Dublin Core elements read (an EPUB 3 refinement property has other names).
fn is_dc_key(key: &str) -> bool {
    matches!(
        key,
        "title" | "creator" | "language" | "date" | "publisher" | "description"
    )
}

impl Package {
    fn values(&self, key: &str) -> &[DcValue] {
        self.dc.get(key).map_or(&[], Vec::as_slice)
    }

    fn refined(&self, id: &Option<String>, property: &str) -> Option<&str> {
        let id = id.as_ref()?;
        self.refines
            .get(&(id.clone(), property.to_owned()))
            .map(String::as_str)
    }

    fn first(&self, key: &str) -> Option<String> {
        self.values(key)
            .iter()
            .map(|v| collapse(&v.text))
            .find(|t| !t.is_empty())
    }

    fn metadata(&self) -> Metadata {
        // The title whose EPUB 3 title-type is "main", else the first.
        let titles = self.values("title");
        let title = titles
            .iter()
            .find(|t| self.refined(&t.id, "title-type") == Some("main"))
            .or_else(|| titles.iter().find(|t| !t.text.trim().is_empty()))
            .map(|t| collapse(&t.text))
            .filter(|t| !t.is_empty());
        // Authors: creators whose role is "aut" or not given; else every creator.
        let creators = self.values("creator");
        let role = |c: &DcValue| {
            self.refined(&c.id, "role")
                .map(str::to_owned)
                .or_else(|| c.role.clone())
        };
        let mut authors: Vec<String> = creators
            .iter()
            .filter(|c| role(c).is_none_or(|r| r.trim() == "aut"))
            .map(|c| collapse(&c.text))
            .filter(|t| !t.is_empty())
            .collect();
        if authors.is_empty() {
            authors = creators
                .iter()
                .map(|c| collapse(&c.text))
                .filter(|t| !t.is_empty())
                .collect();
        }
        let byline = match authors.len() {
            0 => None,
            1 | 2 => Some(authors.join(" and ")),
            _ => Some(authors.join(", ")),
        };
        // Descriptions are often HTML (escaped or not): keep their text.
        let excerpt = self.first("description").map(|d| {
            let blocks = html_fragment_to_blocks(&d);
            let text: Vec<String> = blocks
                .iter()
                .map(|b| b.runs.iter().map(|r| r.text.as_str()).collect())
                .collect();
            collapse(&text.join(" "))
        });
        Metadata {
            title,
            byline,
            site: self.first("publisher"),
            published: self.first("date"),
            excerpt: excerpt.filter(|e| !e.is_empty()),
            lang: self.first("language"),
            url: None,
            format: SourceFormat::Epub,
            encoding: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An attribute's value by local name (`opf:role` is `role`), entities resolved.
fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name).then(|| {
            let raw = String::from_utf8_lossy(&a.value).into_owned();
            match quick_xml::escape::unescape(&raw) {
                Ok(s) => s.into_owned(),
                Err(_) => raw,
            }
        })
    })
}

/// Text of an XML document: UTF-8 unless a byte order mark or the XML declaration says
/// otherwise.
fn decode_xml(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    let head = &bytes[..bytes.len().min(200)];
    let declared = head
        .starts_with(b"<?xml")
        .then(|| {
            let decl = String::from_utf8_lossy(&head[..head.iter().position(|b| *b == b'>')?]);
            let rest = &decl[decl.find("encoding")? + "encoding".len()..];
            let rest = rest.trim_start().strip_prefix('=')?.trim_start();
            let quote = rest.chars().next()?;
            let label = rest[1..].split(quote).next()?;
            encoding_rs::Encoding::for_label(label.trim().as_bytes())
        })
        .flatten();
    match declared {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            encoding.decode_without_bom_handling(bytes).0.into_owned()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The archive path of `href` (relative to the package document in `base`, which ends in
/// `/` or is empty): fragment and query dropped, percent-escapes decoded, `.`/`..` resolved.
fn resolve_href(base: &str, href: &str) -> String {
    let href = href.split(['#', '?']).next().unwrap_or("");
    let href = percent_decode(href.trim());
    let joined = if let Some(rooted) = href.strip_prefix('/') {
        rooted.to_owned()
    } else {
        format!("{base}{href}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn corpus(name: &str) -> StructuredText {
        let path = format!("{}/tests/data/epub/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        epub_to_structured(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn texts(st: &StructuredText) -> Vec<String> {
        st.blocks
            .iter()
            .map(|b| b.runs.iter().map(|r| r.text.as_str()).collect())
            .collect()
    }

    /// Index of the first block that contains `needle`.
    fn position(texts: &[String], needle: &str) -> usize {
        texts
            .iter()
            .position(|t| t.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not found"))
    }

    fn heading(st: &StructuredText, text: &str) -> usize {
        st.blocks
            .iter()
            .position(|b| {
                matches!(b.kind, BlockKind::Heading(_))
                    && b.runs
                        .iter()
                        .map(|r| r.text.as_str())
                        .collect::<String>()
                        .trim()
                        == text
            })
            .unwrap_or_else(|| panic!("no heading {text:?}"))
    }

    #[test]
    fn metamorphosis() {
        let st = corpus("Metamorphosis-jackson.epub");
        assert_eq!(st.meta.format, SourceFormat::Epub);
        assert_eq!(st.meta.title.as_deref(), Some("Metamorphosis"));
        assert_eq!(st.meta.byline.as_deref(), Some("Franz Kafka"));
        assert_eq!(st.meta.lang.as_deref(), Some("en"));
        assert_eq!(st.meta.site.as_deref(), Some("PressBooks.com"));
        assert!(
            st.meta
                .excerpt
                .as_deref()
                .unwrap()
                .starts_with("The Metamorphosis is a novella")
        );
        assert_eq!(
            st.blocks[0],
            Block::plain(BlockKind::Headline, "Metamorphosis")
        );
        let t = texts(&st);
        let opening = position(
            &t,
            "One morning, when Gregor Samsa woke from troubled dreams",
        );
        let (one, two, three) = (
            heading(&st, "CHAPTER I"),
            heading(&st, "CHAPTER II"),
            heading(&st, "CHAPTER III"),
        );
        assert!(one < opening && opening < two && two < three, "spine order");
        assert_eq!(st.blocks[opening].kind, BlockKind::Body);
        // The cover is not linear; the copyright page is.
        assert!(position(&t, "public domain") < one);
    }

    #[test]
    fn childrens_literature() {
        let st = corpus("idpf-childrens-literature.epub");
        assert_eq!(st.meta.title.as_deref(), Some("Children's Literature"));
        assert_eq!(
            st.meta.byline.as_deref(),
            Some("Charles Madison Curry and Erle Elsworth Clippinger")
        );
        assert_eq!(st.meta.lang.as_deref(), Some("en"));
        assert_eq!(st.meta.published.as_deref(), Some("2008-05-20"));
        let t = texts(&st);
        // The navigation document comes first in the spine, then the section.
        let contents = heading(&st, "THE CONTENTS");
        let section = position(
            &t,
            "Once upon a time there stood far away in the west country",
        );
        assert!(contents < section);
        assert!(contents < heading(&st, "THE REAL PRINCESS"));
        assert!(st.blocks.len() > 500);
    }

    #[test]
    fn arabic_book_reads_in_logical_order() {
        let st = corpus("idpf-regime-anticancer-arabic.epub");
        assert_eq!(st.meta.lang.as_deref(), Some("ar"));
        assert_eq!(st.meta.title.as_deref(), Some("Le Vrai Régime anti-cancer"));
        // The translator (role "trl") is not an author.
        assert_eq!(
            st.meta.byline.as_deref(),
            Some("Pr David Khayat and Nathalie Hutter-Lardeau")
        );
        let t = texts(&st);
        let first = position(&t, "حسنًا! إن أردنا أن نفهم");
        // Logical order: the paragraph starts with its first word, as stored.
        assert!(t[first].starts_with("حسنًا!"));
        assert!(heading(&st, "الفصل الثاني") < heading(&st, "ما هو السرطان؟"));
        assert!(heading(&st, "ما هو السرطان؟") < first);
        assert!(t.iter().any(|x| x.contains("أهمّية جيناتنا")));
    }

    #[test]
    fn rbook_example_edge_cases() {
        let st = corpus("rbook-example.epub");
        let m = &st.meta;
        // EPUB 3: the title refined as "main", not the first dc:title.
        assert_eq!(m.title.as_deref(), Some("Example EPUB"));
        assert_eq!(m.byline.as_deref(), Some("John Doe"));
        assert_eq!(m.lang.as_deref(), Some("en"));
        assert_eq!(m.published.as_deref(), Some("2023-01-25"));
        assert_eq!(
            m.excerpt.as_deref(),
            Some("Hello! 1 > 2 & 3 < 4 → 'ABC' != 'XYZ' ←")
        );
        // Spine: cover (non-linear), toc (`../toc.xhtml`, outside the OPF's folder), c1,
        // c1a (non-linear), c2. The hidden page list is left out.
        let t = texts(&st);
        let toc = heading(&st, "Contents");
        let c1 = heading(&st, "rbook c1");
        let c2 = heading(&st, "rbook c2");
        assert!(toc < c1 && c1 < c2);
        assert!(
            !t.iter()
                .any(|x| x.contains("rbook cover") || x.contains("rbook c1.2"))
        );
        assert!(!t.iter().any(|x| x.contains("Page List")));
        assert_eq!(
            st.blocks[toc + 2].kind,
            BlockKind::ListItem {
                depth: 1,
                number: Some(2)
            }
        );
    }

    // -----------------------------------------------------------------------------------------
    // Made-up books

    const CONTAINER: &str = r#"<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"#;

    fn opf(spine: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>Made Up</dc:title><dc:creator opf:role="aut">A. Writer</dc:creator>
    <dc:creator opf:role="ill">An Illustrator</dc:creator><dc:language>de</dc:language>
  </metadata>
  <manifest>
    <item id="one" href="Text/one.xhtml" media-type="application/xhtml+xml"/>
    <item id="two" href="Text/two%20words.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine>{spine}</spine>
</package>"#
        )
    }

    fn chapter(text: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>{text}</body></html>"#
        )
    }

    /// A zip with `files` (name, content), `mimetype` first.
    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/epub+zip").unwrap();
        for (name, content) in files {
            zip.start_file(*name, deflated).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn book(spine: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
        let opf = opf(spine);
        let one = chapter("<h1>One</h1><p>First <em>chapter</em>.</p>");
        let two = chapter("<h1>Two</h1><p>Second chapter.</p>");
        let mut files: Vec<(&str, &[u8])> = vec![
            ("META-INF/container.xml", CONTAINER.as_bytes()),
            ("OEBPS/content.opf", opf.as_bytes()),
            ("OEBPS/Text/one.xhtml", one.as_bytes()),
            ("OEBPS/Text/two words.xhtml", two.as_bytes()),
        ];
        files.extend_from_slice(extra);
        zip_of(&files)
    }

    const BOTH: &str = r#"<itemref idref="two"/><itemref idref="one"/>"#;

    #[test]
    fn made_up_book_opens() {
        let st = epub_to_structured(&book(BOTH, &[])).unwrap();
        assert_eq!(st.meta.title.as_deref(), Some("Made Up"));
        assert_eq!(
            st.meta.byline.as_deref(),
            Some("A. Writer"),
            "the illustrator is no author"
        );
        assert_eq!(st.meta.lang.as_deref(), Some("de"));
        let kinds: Vec<(BlockKind, String)> = st
            .blocks
            .iter()
            .map(|b| (b.kind, b.runs.iter().map(|r| r.text.as_str()).collect()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (BlockKind::Headline, "Made Up".into()),
                (BlockKind::Heading(2), "Two".into()),
                (BlockKind::Body, "Second chapter.".into()),
                (BlockKind::Heading(2), "One".into()),
                (BlockKind::Body, "First chapter.".into()),
            ]
        );
        // Non-linear items are left out, unless nothing else is there.
        let st = epub_to_structured(&book(
            r#"<itemref idref="one" linear="no"/><itemref idref="two"/>"#,
            &[],
        ))
        .unwrap();
        assert!(!texts(&st).iter().any(|t| t.contains("First")));
        let st = epub_to_structured(&book(r#"<itemref idref="one" linear="no"/>"#, &[])).unwrap();
        assert!(texts(&st).iter().any(|t| t.contains("First")));
    }

    #[test]
    fn broken_books_say_what_is_wrong() {
        let err = |bytes: &[u8]| epub_to_structured(bytes).unwrap_err();
        assert!(matches!(err(b"not a zip at all"), EpubError::NotZip(_)));
        assert!(
            err(b"PK\x03\x04 truncated")
                .to_string()
                .starts_with("this is not an EPUB")
        );
        assert!(matches!(
            err(&zip_of(&[("a.txt", b"hi")])),
            EpubError::NoContainer
        ));
        let container_only = zip_of(&[("META-INF/container.xml", CONTAINER.as_bytes())]);
        let e = err(&container_only);
        assert!(
            matches!(&e, EpubError::MissingPackage(p) if p == "OEBPS/content.opf"),
            "{e}"
        );
        let no_rootfile = zip_of(&[(
            "META-INF/container.xml",
            b"<container><rootfiles/></container>",
        )]);
        assert!(matches!(err(&no_rootfile), EpubError::NoPackage));
        let bad_opf = zip_of(&[
            ("META-INF/container.xml", CONTAINER.as_bytes()),
            (
                "OEBPS/content.opf",
                b"<package><metadata><dc:title>x</metadata>\x3c!-- unclosed",
            ),
        ]);
        let e = err(&bad_opf);
        assert!(matches!(e, EpubError::BadXml { .. }), "{e}");
        assert!(matches!(err(&book("", &[])), EpubError::NoChapters));
        assert!(matches!(
            err(&book(r#"<itemref idref="css"/>"#, &[])),
            EpubError::NoChapters
        ));
    }

    const ENCRYPTION_AES: &str = r#"<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
  <enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
  <enc:CipherData><enc:CipherReference URI="OEBPS/Text/one.xhtml"/></enc:CipherData>
</enc:EncryptedData></encryption>"#;

    const ENCRYPTION_FONT: &str = r#"<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
  <enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
  <enc:CipherData><enc:CipherReference URI="OEBPS/font.otf"/></enc:CipherData>
</enc:EncryptedData></encryption>"#;

    #[test]
    fn drm_is_refused_but_font_obfuscation_is_not() {
        let aes = [("META-INF/encryption.xml", ENCRYPTION_AES.as_bytes())];
        let e = epub_to_structured(&book(BOTH, &aes)).unwrap_err();
        assert!(matches!(e, EpubError::Drm("encrypted content")));
        assert_eq!(
            e.to_string(),
            "this EPUB is DRM-protected (encrypted content): its text is encrypted"
        );
        let adobe = [
            ("META-INF/encryption.xml", ENCRYPTION_AES.as_bytes()),
            ("META-INF/rights.xml", b"<adept:rights/>".as_slice()),
        ];
        assert!(matches!(
            epub_to_structured(&book(BOTH, &adobe)),
            Err(EpubError::Drm("Adobe DRM"))
        ));
        let lcp = [
            ("META-INF/encryption.xml", ENCRYPTION_AES.as_bytes()),
            ("META-INF/license.lcpl", b"{}".as_slice()),
        ];
        assert!(matches!(
            epub_to_structured(&book(BOTH, &lcp)),
            Err(EpubError::Drm("Readium LCP"))
        ));
        let fairplay = [("META-INF/sinf.xml", b"<fairplay/>".as_slice())];
        assert!(matches!(
            epub_to_structured(&book(BOTH, &fairplay)),
            Err(EpubError::Drm("Apple FairPlay"))
        ));
        let fonts = [("META-INF/encryption.xml", ENCRYPTION_FONT.as_bytes())];
        assert!(epub_to_structured(&book(BOTH, &fonts)).is_ok());
    }

    #[test]
    fn zip_bombs_and_crowds_are_refused() {
        // 4 MiB of zeros deflate to a few KiB; with a 1 MiB budget the book is refused.
        let zeros = vec![b' '; 4 << 20];
        let mut big = chapter("<p>Start</p>").into_bytes();
        big.splice(big.len() - 14..big.len() - 14, zeros);
        let bytes = zip_of(&[
            ("META-INF/container.xml", CONTAINER.as_bytes()),
            ("OEBPS/content.opf", opf(BOTH).as_bytes()),
            ("OEBPS/Text/one.xhtml", &big),
            ("OEBPS/Text/two words.xhtml", chapter("<p>x</p>").as_bytes()),
        ]);
        assert!(bytes.len() < 64 << 10);
        assert!(matches!(
            import(&bytes, MAX_ENTRIES, 1 << 20),
            Err(EpubError::TooLarge)
        ));
        assert!(import(&bytes, MAX_ENTRIES, 8 << 20).is_ok());
        assert!(matches!(
            import(&bytes, 3, 8 << 20),
            Err(EpubError::TooManyFiles(5))
        ));
    }
}
