//! Labels: what kind of thing a highlight marks. The default set is Claim, Source, Denial.

/// Stable identifier of a label within a set, e.g. `"claim"`. Never shown to the user.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct LabelId(pub String);

impl LabelId {
    pub fn new(id: &str) -> Self {
        Self(id.to_owned())
    }
}

/// An sRGB colour, written in files as `"#rrggbb"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    pub fn to_hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// Parses `#rrggbb` (case-insensitive).
    pub fn from_hex(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self([channel(0)?, channel(2)?, channel(4)?]))
    }
}

impl serde::Serialize for Rgb {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::from_hex(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a #rrggbb colour: {s:?}")))
    }
}

/// One label: its id, the name shown, its colour and the digit key that applies it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub id: LabelId,
    pub name: String,
    pub colour: Rgb,
    /// `1`–`9`: pressing this digit marks the selection with this label.
    pub key: Option<u8>,
}

/// The labels a set uses, in display order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LabelSet {
    pub labels: Vec<Label>,
}

impl Default for LabelSet {
    /// Claim (1, amber), Source (2, blue), Denial (3, red): hues far apart that stay
    /// distinguishable for the common colour-vision deficiencies and on light and dark themes.
    fn default() -> Self {
        let label = |id: &str, name: &str, colour: [u8; 3], key: u8| Label {
            id: LabelId::new(id),
            name: name.to_owned(),
            colour: Rgb(colour),
            key: Some(key),
        };
        Self {
            labels: vec![
                label("claim", "Claim", [0xe6, 0x9f, 0x00], 1),
                label("source", "Source", [0x35, 0x84, 0xe4], 2),
                label("denial", "Denial", [0xd6, 0x3a, 0x5a], 3),
            ],
        }
    }
}

impl LabelSet {
    pub fn get(&self, id: &LabelId) -> Option<&Label> {
        self.labels.iter().find(|l| &l.id == id)
    }

    pub fn by_key(&self, key: u8) -> Option<&Label> {
        self.labels.iter().find(|l| l.key == Some(key))
    }

    /// Position of the label in display order (unknown labels sort last).
    pub fn order_of(&self, id: &LabelId) -> usize {
        self.labels
            .iter()
            .position(|l| &l.id == id)
            .unwrap_or(self.labels.len())
    }

    /// Display name, or the raw id for a label the set does not define.
    pub fn name_of<'a>(&'a self, id: &'a LabelId) -> &'a str {
        self.get(id).map_or(&id.0, |l| &l.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let c = Rgb([0xe6, 0x9f, 0x00]);
        assert_eq!(c.to_hex(), "#e69f00");
        assert_eq!(Rgb::from_hex("#E69F00"), Some(c));
        for bad in ["e69f00", "#e69f0", "#e69f0g", "#ééé", ""] {
            assert_eq!(Rgb::from_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn defaults_are_claim_source_denial_on_keys_1_2_3() {
        let set = LabelSet::default();
        let names: Vec<_> = set.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Claim", "Source", "Denial"]);
        assert_eq!(set.by_key(2).map(|l| l.id.0.as_str()), Some("source"));
        assert!(set.by_key(4).is_none());
        assert_eq!(set.order_of(&LabelId::new("denial")), 2);
        assert_eq!(set.order_of(&LabelId::new("nope")), 3);
        assert_eq!(set.name_of(&LabelId::new("nope")), "nope");
    }
}
