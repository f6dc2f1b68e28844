//! Rules in words, as users of the client and authors of specs read them.

use std::fmt::Display;

use crate::Constraint;

impl Constraint<'_> {
    /// The rule in words, e.g. `101–59999` or `at most 24 characters`.
    pub fn describe(&self) -> String {
        match *self {
            Constraint::Range { min, max } => describe_bounds(min, max, i64::MIN, i64::MAX, ("", "")),
            Constraint::Chars { min, max } => describe_bounds(min, max, 0, u64::MAX, (" character", " characters")),
            Constraint::Bytes { min, max } => {
                describe_bounds(min, max, 0, u64::MAX, (" byte (UTF-8)", " bytes (UTF-8)"))
            }
            Constraint::Pattern { description, .. } => description.to_owned(),
            Constraint::OneOf { values } => format!("one of: {}", values.join(", ")),
        }
    }
}

/// Words for an inclusive range, leaving out a bound that is the type's own
/// limit since "0–24 characters" reads worse than "at most 24 characters".
fn describe_bounds<N: PartialEq + Display>(
    min: N,
    max: N,
    floor: N,
    ceiling: N,
    (unit_one, unit_many): (&str, &str),
) -> String {
    let unit = |n: &N| {
        if n.to_string() == "1" { unit_one } else { unit_many }
    };
    match (min == floor, max == ceiling) {
        _ if min == max => format!("exactly {min}{}", unit(&min)),
        (true, true) if unit_many.is_empty() => "any integer".to_owned(),
        (true, true) => "any length".to_owned(),
        (true, false) => format!("at most {max}{}", unit(&max)),
        (false, true) => format!("at least {min}{}", unit(&min)),
        (false, false) => format!("{min}–{max}{unit_many}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::Constraint;

    #[test]
    fn bounds_at_the_types_limits_are_left_out() {
        assert_eq!(Constraint::Chars { min: 1, max: 1 }.describe(), "exactly 1 character");
        assert_eq!(Constraint::Chars { min: 3, max: u64::MAX }.describe(), "at least 3 characters");
        assert_eq!(Constraint::Chars { min: 0, max: 24 }.describe(), "at most 24 characters");
        assert_eq!(Constraint::Chars { min: 0, max: u64::MAX }.describe(), "any length");
        assert_eq!(Constraint::Range { min: 0, max: i64::MAX }.describe(), "at least 0");
        assert_eq!(Constraint::Range { min: i64::MIN, max: 7 }.describe(), "at most 7");
        assert_eq!(Constraint::Range { min: i64::MIN, max: i64::MAX }.describe(), "any integer");
        assert_eq!(Constraint::Range { min: 101, max: 59999 }.describe(), "101–59999");
        assert_eq!(Constraint::Bytes { min: 1, max: 8 }.describe(), "1–8 bytes (UTF-8)");
        assert_eq!(Constraint::Bytes { min: 1, max: 1 }.describe(), "exactly 1 byte (UTF-8)");
    }

    #[test]
    fn patterns_and_values_in_words() {
        assert_eq!(Constraint::Pattern { regex: "[0-9]+", description: "digits" }.describe(), "digits");
        assert_eq!(Constraint::OneOf { values: &["0", "1"] }.describe(), "one of: 0, 1");
    }
}
