//! Every colour and size the UI uses, in one place.

use egui::Color32;

use crate::model::{BlockKind, LabelId, LabelSet, Rgb};

/// Colour of an annotation whose label the set does not define.
const UNKNOWN_LABEL: Rgb = Rgb([0x88, 0x88, 0x88]);

pub fn label_colour(labels: &LabelSet, id: &LabelId) -> Color32 {
    let Rgb([r, g, b]) = labels.get(id).map_or(UNKNOWN_LABEL, |l| l.colour);
    Color32::from_rgb(r, g, b)
}

/// Fill behind highlighted text. Translucent, so overlapping highlights blend into a visibly
/// deeper mix while the text stays readable on light and dark backgrounds.
pub fn highlight_fill(colour: Color32, dark: bool) -> Color32 {
    let alpha = if dark { 0.30 } else { 0.26 };
    colour.gamma_multiply(alpha)
}

/// A stronger fill for the annotation being flashed after a jump.
pub fn flash_fill(colour: Color32, strength: f32) -> Color32 {
    colour.gamma_multiply(0.25 + 0.5 * strength.clamp(0.0, 1.0))
}

/// Thickness of the underline each highlight draws under its text; overlapping highlights
/// stack their underlines downwards, one per layer, so every label stays visible.
/// A highlight the filter leaves out: a faint tint.
pub fn dimmed_fill(colour: Color32, dark: bool) -> Color32 {
    highlight_fill(colour, dark).gamma_multiply(0.3)
}

/// Matches of the find bar: an amber tint, stronger on the current one.
pub fn find_fill(dark: bool, current: bool) -> Color32 {
    let alpha = match (dark, current) {
        (false, false) => 70,
        (false, true) => 130,
        (true, false) => 60,
        (true, true) => 120,
    };
    Color32::from_rgba_unmultiplied(0xff, 0xc4, 0x00, alpha)
}

/// The outline of the current find match.
pub fn find_outline(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xff, 0xd5, 0x4f)
    } else {
        Color32::from_rgb(0xb2, 0x6a, 0x00)
    }
}

pub const UNDERLINE_THICKNESS: f32 = 2.0;
pub const UNDERLINE_GAP: f32 = 1.0;
/// Underline slots below a line of text; more overlapping highlights share the last one.
pub const MAX_UNDERLINE_LAYERS: usize = 4;

/// Thickness of the outlines other analysts' annotations are drawn with.
pub const OTHER_OUTLINE_WIDTH: f32 = 1.25;

/// Reading column width in multiples of the font size (about 70 characters a line).
pub const COLUMN_EMS: f32 = 34.0;
/// Line height as a multiple of the font size.
pub const LINE_HEIGHT: f32 = 1.55;
/// Space after a paragraph, in multiples of the font size.
pub const PARAGRAPH_GAP: f32 = 0.9;
/// Headline size relative to body text.
pub const HEADLINE_SCALE: f32 = 1.45;
/// Indent of a quote per level, and of a list item per level, in multiples of the font size.
pub const QUOTE_INDENT_EMS: f32 = 1.4;
pub const LIST_INDENT_EMS: f32 = 1.6;

/// Text size of a block relative to body text.
pub fn block_scale(kind: BlockKind) -> f32 {
    match kind {
        BlockKind::Headline => HEADLINE_SCALE,
        BlockKind::Heading(level) if level <= 2 => 1.25,
        BlockKind::Heading(3) => 1.12,
        BlockKind::Heading(_) => 1.04,
        BlockKind::Preformatted => 0.88,
        BlockKind::Body | BlockKind::Quote(_) | BlockKind::ListItem { .. } => 1.0,
    }
}

/// Left indent of a block, in multiples of the font size.
pub fn block_indent(kind: BlockKind) -> f32 {
    match kind {
        BlockKind::Quote(depth) => QUOTE_INDENT_EMS * f32::from(depth),
        BlockKind::ListItem { depth, .. } => LIST_INDENT_EMS * f32::from(depth),
        BlockKind::Preformatted => 0.4,
        BlockKind::Headline | BlockKind::Heading(_) | BlockKind::Body => 0.0,
    }
}

/// Extra space above a block, in multiples of the font size (headings stand off the text
/// before them).
pub fn space_before(kind: BlockKind) -> f32 {
    match kind {
        BlockKind::Heading(_) => 0.6,
        BlockKind::Preformatted => 0.25,
        _ => 0.0,
    }
}

pub fn strong_text_colour(dark: bool) -> Color32 {
    if dark { Color32::WHITE } else { Color32::BLACK }
}

pub fn quote_text_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(200)
    } else {
        Color32::from_gray(55)
    }
}

pub fn link_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0x8a, 0xb4, 0xf8)
    } else {
        Color32::from_rgb(0x1a, 0x55, 0xb0)
    }
}

pub fn code_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(0xe6, 0xc0, 0x7b)
    } else {
        Color32::from_rgb(0x7a, 0x2e, 0x0e)
    }
}

pub fn code_background(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(34)
    } else {
        Color32::from_rgb(0xf0, 0xee, 0xe8)
    }
}

/// Quote bars, rules, the metadata header's separators.
pub fn decoration_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(80)
    } else {
        Color32::from_gray(190)
    }
}

/// Muted text (the metadata header).
pub fn muted_text_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(150)
    } else {
        Color32::from_gray(100)
    }
}

pub fn text_colour(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(225)
    } else {
        Color32::from_gray(25)
    }
}

pub fn reader_background(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(24)
    } else {
        Color32::from_rgb(0xfb, 0xfa, 0xf7)
    }
}

/// Outline of the selected annotation.
pub fn selected_outline(dark: bool) -> egui::Stroke {
    egui::Stroke::new(
        1.5,
        if dark {
            Color32::from_gray(235)
        } else {
            Color32::from_gray(30)
        },
    )
}
