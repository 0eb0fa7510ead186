// TEMPORARY (not committed)
use crate::model::structure::StructuredText;
#[derive(Debug, thiserror::Error)]
pub enum EpubError {
    #[error("epub not yet")]
    NotYet,
}
pub fn epub_to_structured(_b: &[u8]) -> Result<StructuredText, EpubError> {
    Err(EpubError::NotYet)
}
