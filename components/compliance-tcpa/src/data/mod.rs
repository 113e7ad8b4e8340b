//! Generated tables. `nanp.rs` comes from libphonenumber (Apache-2.0) through
//! `tools/gen_nanp.py`; see its header for the source commit.

mod nanp;

pub use nanp::{AREA_CODES, PREFIX_ZONES, SOURCE_COMMIT};

/// Where an area code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// A US state, the District of Columbia or a US territory.
    Us,
    /// A Canadian province or territory.
    Canada,
    /// Another NANP country (the Caribbean, Bermuda).
    Caribbean,
}
