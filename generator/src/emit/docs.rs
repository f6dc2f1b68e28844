//! Markdown reference docs.

use crate::diag::Diagnostics;
use crate::emit::OutputFile;
use crate::ir::Api;

/// Emits the docs for `api`.
pub fn emit(_api: &Api) -> Result<Vec<OutputFile>, Diagnostics> {
    Ok(Vec::new())
}
