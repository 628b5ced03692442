//! The documented freshness check: did a product's `refreshed_at` advance past a value seen
//! before? MoneyKit's endpoints return cached data, so this is how to know whether it changed.

use moneykit_api::Timestamp;
use moneykit_api::types::{LinkCommon, LinkProducts, Product};

/// Reads `products.<product>.refreshed_at` and compares it with an earlier value.
///
/// Implemented for [`LinkCommon`] (what [`Link::get`](crate::Link::get) returns, and the `link`
/// of the account responses) and for [`LinkProducts`].
///
/// ```
/// use moneykit::LinkFreshness;
/// use moneykit::types::{LinkCommon, Product};
///
/// # fn demo(link: &LinkCommon, seen: Option<moneykit::Timestamp>) {
/// if link.has_new_data(&Product::AccountNumbers, seen.as_ref()) {
///     // fetch the numbers again and remember link.refreshed_at(&Product::AccountNumbers)
/// }
/// # }
/// ```
pub trait LinkFreshness {
    /// When `product` was last refreshed; `None` if it is not granted, never refreshed, or not a
    /// product `openapi.yaml` knows ([`Product::Other`]).
    fn refreshed_at(&self, product: &Product) -> Option<Timestamp>;

    /// Whether `product` has data newer than `previously_seen`: its `refreshed_at` is strictly
    /// later (compared as instants, whatever form each was sent in). With no earlier value, any
    /// `refreshed_at` counts as new; with no `refreshed_at`, nothing does.
    fn has_new_data(&self, product: &Product, previously_seen: Option<&Timestamp>) -> bool {
        match (self.refreshed_at(product), previously_seen) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(now), Some(seen)) => now > *seen,
        }
    }
}

impl LinkFreshness for LinkProducts {
    fn refreshed_at(&self, product: &Product) -> Option<Timestamp> {
        // The lookup is generated from the spec, so a product MoneyKit adds needs no edit here.
        self.get(product)?.refreshed_at().copied()
    }
}

impl LinkFreshness for LinkCommon {
    fn refreshed_at(&self, product: &Product) -> Option<Timestamp> {
        self.products.refreshed_at(product)
    }
}
