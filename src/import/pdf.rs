// TEMPORARY (not committed)
use crate::model::structure::StructuredText;
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("pdf not yet")]
    NotYet,
}
pub fn pdf_to_structured(_b: &[u8]) -> Result<StructuredText, PdfError> {
    Err(PdfError::NotYet)
}
