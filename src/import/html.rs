// TEMPORARY (not committed): replaced by the HTML helper's module.
use crate::model::structure::{Block, BlockKind, Metadata, SourceFormat, StructuredText};
pub fn html_to_structured(html: &str, _url: Option<&str>) -> StructuredText {
    StructuredText {
        meta: Metadata {
            format: SourceFormat::Html,
            ..Default::default()
        },
        blocks: vec![Block::plain(BlockKind::Body, html)],
    }
}
