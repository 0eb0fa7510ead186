//! Label presets on disk: the presets folder, file names made from a label set's name, and
//! reading and writing preset files (the RON text itself is `store::preset_to_string` /
//! `store::preset_from_str`).
//!
//! The folder is `$XDG_CONFIG_HOME/claimlens/presets`, or `~/.config/claimlens/presets` where
//! that variable is unset; tests give their own (`StartOptions::presets_dir`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::model::LabelSet;
use crate::store;

/// Extension of preset files in the presets folder.
pub const PRESET_EXTENSION: &str = ".preset.ron";

/// A preset file is a few kilobytes; anything over this is not one.
const MAX_PRESET_BYTES: u64 = 4 * 1024 * 1024;

/// Longest file stem made from a name, in characters.
const MAX_STEM_CHARS: usize = 80;

/// The presets folder from the environment (see the module doc); `None` without a home.
pub fn default_presets_dir() -> Option<PathBuf> {
    presets_dir_from(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
}

/// The presets folder given `$XDG_CONFIG_HOME` and `$HOME`. An empty or relative
/// `XDG_CONFIG_HOME` is ignored, as the XDG base directory specification asks.
///
/// `(Some("/x/cfg"), _)` → `/x/cfg/claimlens/presets`; `(None, Some("/home/a"))` →
/// `/home/a/.config/claimlens/presets`.
pub fn presets_dir_from(
    xdg_config_home: Option<OsString>,
    home: Option<OsString>,
) -> Option<PathBuf> {
    let config = xdg_config_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            home.map(PathBuf::from)
                .filter(|p| !p.as_os_str().is_empty())
                .map(|h| h.join(".config"))
        })?;
    Some(config.join("claimlens").join("presets"))
}

/// A file name for a preset named `name`: letters, digits, `-` and `_` are kept, every run of
/// anything else (spaces, punctuation, path separators) becomes one `-`, the result is cut to
/// [`MAX_STEM_CHARS`], and [`PRESET_EXTENSION`] is appended. A name with nothing usable gives
/// `label-set.preset.ron`.
///
/// `"Claims, sources, denials"` → `Claims-sources-denials.preset.ron`;
/// `"../etc/passwd"` → `etc-passwd.preset.ron`.
pub fn preset_file_name(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            stem.push(c);
        } else if !stem.is_empty() && !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem: String = stem
        .trim_matches('-')
        .chars()
        .take(MAX_STEM_CHARS)
        .collect();
    let stem = stem.trim_end_matches('-');
    let stem = if stem.is_empty() { "label-set" } else { stem };
    format!("{stem}{PRESET_EXTENSION}")
}

/// One file of the presets folder: its path and its label set, or why it could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetEntry {
    pub path: PathBuf,
    pub labels: Result<LabelSet, String>,
}

impl PresetEntry {
    /// The preset's name, or its file name when it has none or cannot be read.
    pub fn display_name(&self) -> String {
        match &self.labels {
            Ok(labels) if !labels.name.trim().is_empty() => labels.name.clone(),
            _ => self
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }
}

/// The presets in `dir` (files ending in `.ron`), sorted by name without regard to case. A
/// folder that does not exist yet has none.
pub fn list_presets(dir: &Path) -> anyhow::Result<Vec<PresetEntry>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => {
            return Err(err).with_context(|| format!("could not list {}", dir.display()));
        }
    };
    let mut presets: Vec<PresetEntry> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ron"))
        .map(|path| PresetEntry {
            labels: read_preset(&path).map_err(|err| format!("{err:#}")),
            path,
        })
        .collect();
    presets.sort_by_cached_key(|p| (p.display_name().to_lowercase(), p.path.clone()));
    Ok(presets)
}

/// Reads and checks one preset file.
pub fn read_preset(path: &Path) -> anyhow::Result<LabelSet> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("could not read {}", path.display()))?
        .len();
    if size > MAX_PRESET_BYTES {
        anyhow::bail!(
            "{} is {size} bytes, too large for a label preset",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read {}", path.display()))?;
    Ok(store::preset_from_str(&text, path)?)
}

/// Writes `labels` as a preset file at `path` (atomically).
pub fn write_preset(labels: &LabelSet, path: &Path) -> anyhow::Result<()> {
    labels
        .check()
        .with_context(|| "the label set cannot be saved as a preset".to_owned())?;
    let text = store::preset_to_string(labels).context("could not write the preset")?;
    store::write_atomically(path, text.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))
}

/// Saves `labels` into the presets folder `dir` (created if needed) under a file name made
/// from its name ([`preset_file_name`]). A preset of the same name is replaced; a file of
/// another preset whose name happens to give the same file name is kept, and this one goes to
/// `NAME-2.preset.ron` (or `-3`, …). Returns the path written.
pub fn save_preset(labels: &LabelSet, dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("could not create the presets folder {}", dir.display()))?;
    let name = preset_file_name(&labels.name);
    let stem = name.trim_end_matches(PRESET_EXTENSION);
    let path = (1..)
        .map(|n| match n {
            1 => dir.join(&name),
            n => dir.join(format!("{stem}-{n}{PRESET_EXTENSION}")),
        })
        .find(|p| match read_preset(p) {
            Ok(existing) => existing.name == labels.name,
            Err(_) => !p.exists(),
        })
        .unwrap_or_else(|| dir.join(&name));
    write_preset(labels, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_letters_and_digits_and_nothing_that_escapes_the_folder() {
        assert_eq!(
            preset_file_name("Claims, sources, denials"),
            "Claims-sources-denials.preset.ron"
        );
        assert_eq!(preset_file_name("../etc/passwd"), "etc-passwd.preset.ron");
        assert_eq!(preset_file_name("  "), "label-set.preset.ron");
        assert_eq!(preset_file_name("..."), "label-set.preset.ron");
        assert_eq!(
            preset_file_name("Überprüfung 2026"),
            "Überprüfung-2026.preset.ron"
        );
        assert_eq!(preset_file_name("事实核查"), "事实核查.preset.ron");
        assert_eq!(preset_file_name("a\\b:c*d?e"), "a-b-c-d-e.preset.ron");
        let long = preset_file_name(&"x".repeat(300));
        assert_eq!(
            long.chars().count(),
            MAX_STEM_CHARS + PRESET_EXTENSION.len()
        );
    }

    #[test]
    fn the_folder_follows_xdg_config_home_then_home() {
        let dir = |x: Option<&str>, h: Option<&str>| {
            presets_dir_from(x.map(OsString::from), h.map(OsString::from))
        };
        assert_eq!(
            dir(Some("/x/cfg"), Some("/home/a")),
            Some(PathBuf::from("/x/cfg/claimlens/presets"))
        );
        assert_eq!(
            dir(None, Some("/home/a")),
            Some(PathBuf::from("/home/a/.config/claimlens/presets"))
        );
        // Relative or empty XDG_CONFIG_HOME is invalid and ignored.
        assert_eq!(
            dir(Some("cfg"), Some("/home/a")),
            Some(PathBuf::from("/home/a/.config/claimlens/presets"))
        );
        assert_eq!(
            dir(Some(""), Some("/home/a")),
            Some(PathBuf::from("/home/a/.config/claimlens/presets"))
        );
        assert_eq!(dir(None, None), None);
    }

    #[test]
    fn saving_replaces_the_same_preset_and_keeps_another_with_the_same_file_name() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("presets");
        let mut labels = LabelSet::default();
        let first = save_preset(&labels, &dir).unwrap();
        assert_eq!(first, dir.join("Claims-sources-denials.preset.ron"));
        labels.labels[0].name = "Assertion".into();
        assert_eq!(
            save_preset(&labels, &dir).unwrap(),
            first,
            "same name: replaced"
        );
        assert_eq!(read_preset(&first).unwrap(), labels);

        let other = LabelSet {
            name: "Claims/sources/denials".into(),
            ..LabelSet::default()
        };
        let second = save_preset(&other, &dir).unwrap();
        assert_eq!(second, dir.join("Claims-sources-denials-2.preset.ron"));
        assert_eq!(read_preset(&first).unwrap(), labels, "the first is kept");

        std::fs::write(dir.join("broken.ron"), "not a preset").unwrap();
        let listed = list_presets(&dir).unwrap();
        let names: Vec<String> = listed.iter().map(PresetEntry::display_name).collect();
        assert_eq!(
            names,
            [
                "broken.ron",
                "Claims, sources, denials",
                "Claims/sources/denials"
            ]
        );
        assert!(listed[0].labels.is_err());
        assert!(
            list_presets(&tmp.path().join("missing"))
                .unwrap()
                .is_empty()
        );
    }
}
