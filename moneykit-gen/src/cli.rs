//! Placeholder: replaced below.

use crate::GenError;
use crate::surface::Surface;

pub(crate) fn generate(_surfaces: &[Surface<'_>]) -> Result<syn::File, GenError> {
    Ok(syn::parse_quote!())
}
