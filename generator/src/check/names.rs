//! Names that sanitise into identifiers the generated crate's lints reject.
//!
//! `ident` always yields a valid identifier, but a valid one can still fail
//! `-D warnings`: `_unnamed` for a name with no letter or digit, `Self_` or
//! `_3Way` for a type (not UpperCamelCase), a method called `new` that does
//! not return `Self`. The checker refuses such names at their node.

/// Why `rust` (as [`crate::ident::camel`] made it) cannot name a type or an
/// enum variant without a lint warning, if it cannot.
pub(super) fn camel_defect(wire: &str, rust: &str) -> Option<String> {
    if let Some(why) = snake_defect(wire, rust) {
        return Some(why);
    }
    rust.contains('_')
        .then(|| format!("`{wire}` would become the Rust type or variant `{rust}`, which is not UpperCamelCase"))
}

/// Why `rust` (as [`crate::ident::snake`] or [`crate::ident::camel`] made
/// it) is no name at all, if it is not.
pub(super) fn snake_defect(wire: &str, rust: &str) -> Option<String> {
    (rust.trim_start_matches('_').eq_ignore_ascii_case("unnamed") && !wire.to_ascii_lowercase().contains("unnamed"))
        .then(|| format!("`{wire}` has no letter or digit to make a Rust name from"))
}

/// Why an operation name makes a method clippy warns about, if it does.
pub(super) fn method_defect(operation: &str) -> Option<String> {
    if operation == "new" {
        return Some("a method called `new` is taken to be a constructor, which this one is not".to_owned());
    }
    ["into_", "from_"]
        .iter()
        .find(|p| operation.starts_with(*p))
        .map(|p| format!("a method whose name starts with `{p}` is taken to be a conversion, which this one is not"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::{camel, snake};

    #[test]
    fn flags_names_that_sanitise_badly() {
        assert!(snake_defect("--", &snake("--")).is_some());
        assert!(snake_defect("unnamed", &snake("unnamed")).is_none());
        assert!(camel_defect("self", &camel("self")).is_some());
        assert!(camel_defect("3way", &camel("3way")).is_some());
        assert!(camel_defect("skill_queue", &camel("skill_queue")).is_none());
        assert!(method_defect("new").is_some());
        assert!(method_defect("into_queue").is_some());
        assert!(method_defect("newcall").is_none());
    }
}
