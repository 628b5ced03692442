//! The code the fuzz targets run. `decode` is also compiled into `moneykit-api`'s tests (by
//! `#[path]`), which run it over the fixtures and any corpus on stable.
#![forbid(unsafe_code)]

pub mod decode;
