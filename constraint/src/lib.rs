//! The value rules of the AgentGateway interface specs, and their evaluation.
//!
//! The generated client's runtime checks every value against these rules
//! before a request is sent, and the generator's checker checks the specs'
//! examples and defaults against the same rules, with the same code, so a
//! spec cannot hold an example the client would refuse (or the reverse).
//!
//! The crate has no dependencies. Patterns are matched by the caller's regex
//! engine through [`Patterns`]; [`anchored`] is the one place that says how a
//! pattern is wrapped to match whole values.

mod describe;
mod evaluate;

pub use evaluate::{Broken, NotDecimal, Patterns, anchored, check_int, check_str, parse_decimal};

/// One rule a value must satisfy. `'a` is the lifetime of its texts:
/// `'static` in generated tables, borrowed from the spec in the checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint<'a> {
    /// Integer range, inclusive. On a string value: the string must be a
    /// decimal integer in range.
    Range {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// Length in Unicode scalar values (characters), inclusive bounds.
    Chars {
        /// Fewest characters allowed.
        min: u64,
        /// Most characters allowed.
        max: u64,
    },
    /// Size in UTF-8 bytes, inclusive bounds.
    Bytes {
        /// Fewest bytes allowed.
        min: u64,
        /// Most bytes allowed.
        max: u64,
    },
    /// The whole value must match `regex` (regex-lite syntax). The check
    /// anchors it, so an unanchored pattern still matches whole values only.
    Pattern {
        /// The pattern.
        regex: &'a str,
        /// What it means in words, e.g. `1 to 24 digits, or * or #`.
        description: &'a str,
    },
    /// The value must be one of these strings (an integer: its decimal form).
    OneOf {
        /// The accepted values.
        values: &'a [&'a str],
    },
}
