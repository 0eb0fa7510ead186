//! Reading and writing annotation sets as RON files.
//!
//! * Versioned: every file carries `format_version`; [`load_set_str`] reads the version first and
//!   refuses files from a newer Claimlens instead of silently dropping what it does not know.
//! * Stable: annotations are written sorted by start offset, then end, then id, as pretty RON
//!   with one field per line, so two versions of a set diff well in git.
//! * Atomic: [`save_set`] writes a temporary file in the same folder, syncs it, renames it over
//!   the target and syncs the folder. A failed save leaves the old file as it was.
//! * Backed up: [`save_set_with_backups`] (what the app uses) keeps the last [`BACKUPS`]
//!   versions in a `.claimlens-backups` folder beside the set; [`newest_good_backup`] finds
//!   the one to offer when a set no longer loads.
//! * Bounded: files over [`MAX_SET_BYTES`] and nesting deeper than [`RECURSION_LIMIT`] are
//!   refused with an error, never a crash.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::model::{AnnotationSet, FORMAT_VERSION, LabelSet, normalize_tags};

/// Largest set file we read (a set with 100,000 annotations is about 60 MB).
pub const MAX_SET_BYTES: u64 = 256 * 1024 * 1024;

/// Deepest RON nesting we parse; a set needs 6 levels.
pub const RECURSION_LIMIT: usize = 32;

/// What went wrong reading or writing a set; each message names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes, more than a set file can be ({MAX_SET_BYTES} bytes)")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{path} is not a Claimlens annotation set: {reason}")]
    NotASet { path: PathBuf, reason: String },
    #[error("{path} is damaged at line {line}, column {column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path} was written by a newer Claimlens (format {found}; this version reads up to {FORMAT_VERSION}); update Claimlens to open it"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("{path} is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error(
        "could not keep a backup of {path} before saving over it, so it was not changed: {source}"
    )]
    Backup {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a Claimlens label preset: {reason}")]
    NotAPreset { path: PathBuf, reason: String },
}

/// The first line of every set file.
const HEADER: &str =
    "// Claimlens annotation set. Positions are Unicode code points, end exclusive.\n";

fn ron_options() -> ron::Options {
    ron::Options::default().with_recursion_limit(RECURSION_LIMIT)
}

/// Serialises a set as canonical pretty RON (annotations in canonical order).
pub fn set_to_string(set: &AnnotationSet) -> Result<String, ron::Error> {
    let mut canonical = set.clone();
    canonical.sort();
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .struct_names(false)
        .separate_tuple_members(true);
    // Written into one buffer of about the file's size, header first: a buffer grown by
    // doubling, then copied behind the header, moved 20 MB for a 6 MB set.
    let mut text = String::with_capacity(size_hint(set));
    text.push_str(HEADER);
    ron_options().to_writer_pretty(&mut text, &canonical, config)?;
    text.push('\n');
    Ok(text)
}

/// About how long `set`'s file is (a little more): each annotation's fields, indented, come to
/// some 700 bytes besides its texts, and about 100 more per attribute, tag and review.
fn size_hint(set: &AnnotationSet) -> usize {
    let annotations: usize = set
        .annotations
        .iter()
        .map(|a| {
            let quote = &a.anchor.quote;
            let texts = quote.exact.len() + quote.prefix.len() + quote.suffix.len() + a.note.len();
            let extras = a.attributes.len() + a.tags.len() + usize::from(a.review.is_some());
            768 + texts + 128 * extras
        })
        .sum();
    16 * 1024 + annotations + 160 * set.relations.len()
}

/// Only the version, read before the whole file so that a newer format is recognised as such.
#[derive(serde::Deserialize)]
struct VersionProbe {
    format_version: u32,
}

/// Parses a set from RON text; `path` is used in error messages only.
pub fn load_set_str(text: &str, path: &Path) -> Result<AnnotationSet, StoreError> {
    // Some editors (older Windows Notepad) start UTF-8 files with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let probe: VersionProbe = ron_options().from_str(text).map_err(|err| {
        let looks_like_ron_struct = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("//"))
            .is_some_and(|l| l.starts_with('(') || l.starts_with("AnnotationSet"));
        if looks_like_ron_struct && !matches!(err.code, ron::Error::MissingStructField { .. }) {
            syntax_error(path, &err)
        } else {
            StoreError::NotASet {
                path: path.to_owned(),
                reason: "it has no format_version (is it a Claimlens .claimlens.ron file?)"
                    .to_owned(),
            }
        }
    })?;
    match probe.format_version {
        0 => {
            return Err(StoreError::NotASet {
                path: path.to_owned(),
                reason: "format_version 0 does not exist".to_owned(),
            });
        }
        v if v > FORMAT_VERSION => {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found: v,
            });
        }
        _ => {}
    }
    let mut set: AnnotationSet = ron_options()
        .from_str(text)
        .map_err(|err| syntax_error(path, &err))?;
    migrate(&mut set);
    validate(&set).map_err(|reason| StoreError::Invalid {
        path: path.to_owned(),
        reason,
    })?;
    // Tags as an edit leaves them (a hand-edited file may repeat one); the set is copied only
    // when one needs it.
    if set
        .annotations
        .iter()
        .any(|a| !a.tags.is_empty() && normalize_tags(&a.tags) != a.tags)
    {
        set.annotations
            .update_all(|a| a.tags = normalize_tags(&a.tags));
    }
    set.sort();
    Ok(set)
}

fn syntax_error(path: &Path, err: &ron::error::SpannedError) -> StoreError {
    let message = match err.code {
        ron::Error::ExceededRecursionLimit => {
            format!("it is nested more than {RECURSION_LIMIT} levels deep")
        }
        ref other => other.to_string(),
    };
    StoreError::Syntax {
        path: path.to_owned(),
        line: err.span.start.line,
        column: err.span.start.col,
        message,
    }
}

/// Brings a parsed set up to [`FORMAT_VERSION`], one version at a time.
///
/// * 1 → 2: annotations gained the optional `review` field; a version 1 file has none, which
///   parses as `None`, so only the version number changes.
/// * 2 → 3: see [`migrate_2_to_3`].
fn migrate(set: &mut AnnotationSet) {
    if set.format_version == 1 {
        set.format_version = 2;
    }
    if set.format_version == 2 {
        migrate_2_to_3(set);
        set.format_version = 3;
    }
    debug_assert_eq!(set.format_version, FORMAT_VERSION);
}

/// Version 3 added relation types, attribute definitions and values, tags and a label-set
/// name. Everything new parses as empty from a version 2 file (`#[serde(default)]`); then:
///
/// * the label set gets the default relation types
///   ([`default_relation_types`](crate::model::relations::default_relation_types)), since a
///   version 2 set could not define any;
/// * the labels `claim` and `source` (the default ids) get the default attribute definitions;
/// * a relation's free-text `kind` (version 2 wrote none, but a hand-edited file may have
///   some) becomes a type id: a default type when it names one, without regard to case, spaces,
///   `-` and `_` (`"Attributed to"` → `attributed-to`), otherwise a new any → any type named as
///   written, with an id made from the name, so no relation is lost;
/// * the label set's name stays empty, annotations get no attributes or tags.
fn migrate_2_to_3(set: &mut AnnotationSet) {
    use crate::model::relations::default_relation_types;
    let labels = &mut set.labels;
    if labels.relation_types.is_empty() {
        labels.relation_types = default_relation_types();
    }
    for label in &mut labels.labels {
        if label.attributes.is_empty() {
            label.attributes = crate::model::default_attributes(&label.id);
        }
    }
    for i in 0..set.relations.len() {
        let kind = set.relations[i].kind.0.clone();
        set.relations[i].kind = set.labels.relation_type_named(&kind);
    }
}

/// Rules the types cannot express. What older versions accepted stays accepted (a hand-edited
/// version 1 file with two labels on one key still opens); label sets are checked strictly
/// ([`LabelSet::check`]) when they are edited and in presets. Attribute values are not
/// checked here either: a value a later edit of the definitions left behind keeps the file
/// openable, and the edit constructors refuse new ones
/// ([`check_attributes`](crate::model::check_attributes)).
fn validate(set: &AnnotationSet) -> Result<(), String> {
    if let Some(id) = set.duplicate_ids().first() {
        return Err(format!("annotation id {id} occurs more than once"));
    }
    if let Some(id) = set.duplicate_relation_ids().first() {
        return Err(format!("relation id {id} occurs more than once"));
    }
    for a in &set.annotations {
        let p = a.anchor.position;
        if p.start > p.end {
            return Err(format!(
                "annotation {} has start {} after end {}",
                a.id, p.start, p.end
            ));
        }
        if p.len() != a.anchor.quote.exact.chars().count() {
            return Err(format!(
                "annotation {} spans {} code points but its quote has {}",
                a.id,
                p.len(),
                a.anchor.quote.exact.chars().count()
            ));
        }
    }
    Ok(())
}

/// The first line of every label preset file.
const PRESET_HEADER: &str =
    "// Claimlens label preset: labels, their attributes and relation types.\n";

/// A label set saved on its own, to be offered for new sets.
#[derive(serde::Serialize, serde::Deserialize)]
struct Preset {
    format_version: u32,
    labels: LabelSet,
}

/// Serialises a label set as a preset (pretty RON with a `format_version`, like a set file).
/// The app writes it where the analyst chooses (e.g. with [`write_atomically`]).
pub fn preset_to_string(labels: &LabelSet) -> Result<String, ron::Error> {
    let preset = Preset {
        format_version: FORMAT_VERSION,
        labels: labels.clone(),
    };
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .struct_names(false)
        .separate_tuple_members(true);
    let body = ron_options().to_string_pretty(&preset, config)?;
    Ok(format!("{PRESET_HEADER}{body}\n"))
}

/// Parses a preset written by [`preset_to_string`]; `path` is for error messages. A preset
/// from a newer Claimlens is [`StoreError::TooNew`]; one that fails [`LabelSet::check`] is
/// [`StoreError::Invalid`]. (Presets exist from format 3 on.)
pub fn preset_from_str(text: &str, path: &Path) -> Result<LabelSet, StoreError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let probe: VersionProbe = ron_options().from_str(text).map_err(|err| {
        if text.contains("format_version")
            && !matches!(err.code, ron::Error::MissingStructField { .. })
        {
            syntax_error(path, &err)
        } else {
            StoreError::NotAPreset {
                path: path.to_owned(),
                reason: "it has no format_version".to_owned(),
            }
        }
    })?;
    if probe.format_version > FORMAT_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: probe.format_version,
        });
    }
    if probe.format_version < 3 {
        return Err(StoreError::NotAPreset {
            path: path.to_owned(),
            reason: format!(
                "format_version {} has no label presets",
                probe.format_version
            ),
        });
    }
    let preset: Preset = ron_options()
        .from_str(text)
        .map_err(|err| syntax_error(path, &err))?;
    preset.labels.check().map_err(|err| StoreError::Invalid {
        path: path.to_owned(),
        reason: err.to_string(),
    })?;
    Ok(preset.labels)
}

/// Reads a set file written by a newer Claimlens (its `format_version` is above
/// [`FORMAT_VERSION`]) as far as this version understands it, for showing it read-only: fields
/// this version does not know are skipped, and the set keeps the newer `format_version` so it is
/// never saved back (which would drop them). Files of this version or older load as with
/// [`load_set`]. If the newer file cannot be read this way, the error is
/// [`StoreError::TooNew`].
pub fn load_newer_set(path: &Path) -> Result<AnnotationSet, StoreError> {
    let err = match load_set(path) {
        Err(err @ StoreError::TooNew { .. }) => err,
        other => return other,
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return Err(err);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Ok(set) = ron_options().from_str::<AnnotationSet>(text) else {
        return Err(err);
    };
    if validate(&set).is_err() {
        return Err(err);
    }
    Ok(set)
}

/// Reads and parses a set file.
pub fn load_set(path: &Path) -> Result<AnnotationSet, StoreError> {
    let read_err = |source| StoreError::Read {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_SET_BYTES {
        return Err(StoreError::TooLarge {
            path: path.to_owned(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    let text = String::from_utf8(bytes).map_err(|err| StoreError::NotASet {
        path: path.to_owned(),
        reason: format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        ),
    })?;
    load_set_str(&text, path)
}

/// Writes `set` to `path` atomically (temp file, fsync, rename, fsync folder).
pub fn save_set(set: &AnnotationSet, path: &Path) -> Result<(), StoreError> {
    let text = set_to_string(set).map_err(|err| StoreError::Write {
        path: path.to_owned(),
        source: std::io::Error::other(err),
    })?;
    write_atomically(path, text.as_bytes()).map_err(|source| StoreError::Write {
        path: path.to_owned(),
        source,
    })
}

/// How many earlier versions of a set a save keeps.
pub const BACKUPS: usize = 5;

/// The folder beside a set that holds its backups.
pub const BACKUP_DIR: &str = ".claimlens-backups";

/// Where backup `n` (1 = newest, up to [`BACKUPS`]) of the set at `path` goes:
/// `/a/story.txt.claimlens.ron` → `/a/.claimlens-backups/story.txt.claimlens.ron.1`.
pub fn backup_path(path: &Path, n: usize) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{n}"));
    path.with_file_name(BACKUP_DIR).join(name)
}

/// The backups of the set at `path` that exist, newest first.
pub fn backups_of(path: &Path) -> Vec<PathBuf> {
    (1..=BACKUPS)
        .map(|n| backup_path(path, n))
        .filter(|p| p.is_file())
        .collect()
}

/// The newest backup of the set at `path` that loads, with the set, and the errors of the newer
/// ones that did not (for telling the analyst what was skipped).
pub fn newest_good_backup(path: &Path) -> (Option<(PathBuf, AnnotationSet)>, Vec<StoreError>) {
    let mut skipped = Vec::new();
    for backup in backups_of(path) {
        match load_set(&backup) {
            Ok(set) => return (Some((backup, set)), skipped),
            Err(err) => skipped.push(err),
        }
    }
    (None, skipped)
}

/// Saves `set` to `path` like [`save_set`], first keeping the file it replaces as backup 1 and
/// moving the older backups down (backup [`BACKUPS`] is dropped). Nothing is rotated when the
/// file already holds exactly this set. Each step is atomic, so a crash leaves the set file
/// old or new and every backup whole. If the backup cannot be written, the set file is not
/// touched and the error says so.
pub fn save_set_with_backups(set: &AnnotationSet, path: &Path) -> Result<(), StoreError> {
    let text = set_to_string(set).map_err(|err| StoreError::Write {
        path: path.to_owned(),
        source: std::io::Error::other(err),
    })?;
    match std::fs::read(path) {
        Ok(old) if old != text.as_bytes() => {
            keep_backup(path, &old).map_err(|source| StoreError::Backup {
                path: path.to_owned(),
                source,
            })?;
        }
        _ => {}
    }
    write_atomically(path, text.as_bytes()).map_err(|source| StoreError::Write {
        path: path.to_owned(),
        source,
    })
}

fn keep_backup(path: &Path, old: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = backup_path(path, 1).parent() {
        std::fs::create_dir_all(dir)?;
    }
    for n in (1..BACKUPS).rev() {
        match std::fs::rename(backup_path(path, n), backup_path(path, n + 1)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    write_atomically(&backup_path(path, 1), old)
}

/// Replaces the file at `path` with `bytes` so that a crash at any moment leaves either the
/// old file or the new one, never a mix.
///
/// A symbolic link is followed (its target is replaced, the link stays), and the old file's
/// permissions are kept.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, bytes, |file, bytes| file.write_all(bytes))
}

/// [`write_atomically`] with the writing of the bytes into the temporary file done by `write`
/// (tests pass one that fails like a full disk).
pub fn write_atomically_with(
    path: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut std::fs::File, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            resolved = std::fs::canonicalize(path)?;
            resolved.as_path()
        }
        _ => path,
    };
    let old_permissions = std::fs::metadata(path).ok().map(|m| m.permissions());
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".claimlens-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    write(tmp.as_file_mut(), bytes)?;
    if let Some(permissions) = old_permissions {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|err| err.error)?;
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a directory as a file; the rename is already durable there.
    Ok(())
}

/// The default place for the set of `article_path`: the article's file name with
/// `.claimlens.ron` appended, in the same folder (`story.txt` → `story.txt.claimlens.ron`, so
/// `story.txt` and `story.html` get different sets).
pub fn default_set_path(article_path: &Path) -> PathBuf {
    let mut name = article_path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".claimlens.ron");
    article_path.with_file_name(name)
}

/// `target` relative to folder `base`, with `/` separators, for storing in a set file.
/// Both should be absolute; if they share no root, `target` is returned whole.
///
/// Example: base `/a/sets`, target `/a/articles/x.txt` → `../articles/x.txt`.
pub fn relative_path(base: &Path, target: &Path) -> String {
    let base: Vec<Component<'_>> = base.components().collect();
    let target_parts: Vec<Component<'_>> = target.components().collect();
    let common = base
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return target.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_owned(); base.len() - common];
    parts.extend(
        target_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_set_path_appends_to_the_file_name() {
        assert_eq!(
            default_set_path(Path::new("/x/story.txt")),
            Path::new("/x/story.txt.claimlens.ron")
        );
    }

    /// The buffer a set is written into holds the whole file (it never grows), without being
    /// much larger: for the golden set and for 2,000 annotations made from it.
    #[test]
    fn a_set_is_written_into_one_buffer_of_about_its_size() {
        let golden = include_str!("../../tests/data/golden-v3.claimlens.ron");
        let mut set = load_set_str(golden, Path::new("golden")).unwrap();
        let check = |set: &AnnotationSet| {
            let text = set_to_string(set).unwrap();
            let hint = size_hint(set);
            assert!(
                text.len() <= hint && hint <= 2 * text.len() + 16 * 1024,
                "{} annotations: {} bytes, hint {hint}",
                set.annotations.len(),
                text.len()
            );
            assert_eq!(text.capacity(), hint, "the buffer did not grow");
        };
        check(&set);
        let models: Vec<_> = set.annotations.iter().cloned().collect();
        for i in 0..2000u128 {
            let mut a = models[i as usize % models.len()].clone();
            a.id = crate::model::AnnotationId::from_u128(1_000_000 + i);
            set.insert(a);
        }
        check(&set);
    }

    #[test]
    fn relative_paths() {
        let rel = |b: &str, t: &str| relative_path(Path::new(b), Path::new(t));
        assert_eq!(rel("/a/b", "/a/b/x.txt"), "x.txt");
        assert_eq!(rel("/a/sets", "/a/articles/x.txt"), "../articles/x.txt");
        assert_eq!(rel("/a/b/c", "/a/x.txt"), "../../x.txt");
    }
}
