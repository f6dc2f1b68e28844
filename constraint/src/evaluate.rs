//! Checking a value against its rules.

use std::fmt;

use crate::Constraint;

/// The regex engine the caller brings. Both users of this crate use
/// regex-lite; keeping it out of here keeps the crate dependency-free.
pub trait Patterns {
    /// Whether `value` matches `pattern` (already [`anchored`]), or `None`
    /// when `pattern` is not a valid pattern.
    fn matches(&self, pattern: &str, value: &str) -> Option<bool>;
}

/// A pattern as matched: against the whole value, so `^a|b$` cannot match a
/// value that merely starts with `a`.
pub fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}

/// The first rule a value breaks.
///
/// `problem` says what is wrong ("has 25 characters") and never repeats a
/// text value: values may be passwords or tokens, and errors end up in logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// What is wrong with the value, e.g. `has 25 characters`.
    pub problem: String,
    /// The rule it breaks, in words, e.g. `at most 24 characters`.
    pub rule: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (rule: {})", self.problem, self.rule)
    }
}

impl std::error::Error for Broken {}

/// Checks a string value against every rule, reporting the first one it breaks.
pub fn check_str(value: &str, constraints: &[Constraint<'_>], patterns: &impl Patterns) -> Result<(), Broken> {
    constraints.iter().try_for_each(|constraint| check_one_str(value, constraint, patterns))
}

/// Checks an integer value against every rule, reporting the first one it
/// breaks. Text rules (length, pattern, one-of) apply to its decimal form.
pub fn check_int(value: i64, constraints: &[Constraint<'_>], patterns: &impl Patterns) -> Result<(), Broken> {
    let mut decimal = None;
    constraints.iter().try_for_each(|constraint| match *constraint {
        Constraint::Range { min, max } => check_range(value, min, max, constraint),
        _ => {
            let text = decimal.get_or_insert_with(|| value.to_string());
            check_one_str(text, constraint, patterns)
        }
    })
}

fn check_one_str(value: &str, constraint: &Constraint<'_>, patterns: &impl Patterns) -> Result<(), Broken> {
    let broken = |problem: String| Err(Broken { problem, rule: constraint.describe() });
    match *constraint {
        Constraint::Range { min, max } => match parse_decimal(value) {
            Ok(number) => check_range(number, min, max, constraint),
            Err(not) => broken(not.problem().to_owned()),
        },
        Constraint::Chars { min, max } => {
            let count = value.chars().count() as u64;
            if (min..=max).contains(&count) {
                Ok(())
            } else {
                broken(format!("has {count} {}", plural(count, "character", "characters")))
            }
        }
        Constraint::Bytes { min, max } => {
            let count = value.len() as u64;
            if (min..=max).contains(&count) {
                Ok(())
            } else {
                broken(format!("has {count} {} (UTF-8)", plural(count, "byte", "bytes")))
            }
        }
        Constraint::Pattern { regex, .. } => match patterns.matches(&anchored(regex), value) {
            Some(true) => Ok(()),
            Some(false) => broken("does not match the required format".to_owned()),
            None => broken("cannot be checked because the rule's pattern is not a valid regex".to_owned()),
        },
        Constraint::OneOf { values } => {
            if values.contains(&value) {
                Ok(())
            } else {
                broken("is not one of the accepted values".to_owned())
            }
        }
    }
}

fn check_range(value: i64, min: i64, max: i64, constraint: &Constraint<'_>) -> Result<(), Broken> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Broken { problem: format!("is {value}"), rule: constraint.describe() })
    }
}

fn plural(count: u64, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// Why a text is not an integer in decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDecimal {
    /// Not of the form `-?[0-9]+`.
    Malformed,
    /// Decimal, but outside `i64`.
    Overflow,
}

impl NotDecimal {
    /// What is wrong, in the words of a [`Broken::problem`].
    pub fn problem(self) -> &'static str {
        match self {
            NotDecimal::Malformed => "is not a decimal integer",
            NotDecimal::Overflow => "is a number outside the representable range",
        }
    }
}

/// Reads an integer in decimal. Accepts only `-?[0-9]+`: `i64::from_str`
/// would also take a leading `+`, which the gateway's digit-string fields do not.
pub fn parse_decimal(value: &str) -> Result<i64, NotDecimal> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NotDecimal::Malformed);
    }
    value.parse().map_err(|_| NotDecimal::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// regex-lite, as both users of the crate match patterns.
    struct Regex;
    impl Patterns for Regex {
        fn matches(&self, pattern: &str, value: &str) -> Option<bool> {
            regex_lite::Regex::new(pattern).ok().map(|r| r.is_match(value))
        }
    }

    const AGENT_RANGE: &[Constraint] = &[Constraint::Range { min: 101, max: 59999 }];
    const ADDRESS: &[Constraint] = &[Constraint::Chars { min: 0, max: 24 }];
    const NAME: &[Constraint] = &[Constraint::Chars { min: 1, max: 24 }];
    const DATA: &[Constraint] = &[Constraint::Bytes { min: 0, max: 2048 }];
    const CALLED: &[Constraint] =
        &[Constraint::Pattern { regex: r"^(?:[0-9]{1,24}|\*|#)$", description: "1 to 24 digits, or * or #" }];
    const MODE: &[Constraint] = &[Constraint::OneOf { values: &["0", "1"] }];

    fn str_broken(value: &str, rules: &[Constraint]) -> Broken {
        check_str(value, rules, &Regex).expect_err("value should have been rejected")
    }

    #[test]
    fn range_on_a_digit_string_at_both_boundaries() {
        assert_eq!(str_broken("100", AGENT_RANGE).to_string(), "is 100 (rule: 101–59999)");
        assert!(check_str("101", AGENT_RANGE, &Regex).is_ok());
        assert!(check_str("59999", AGENT_RANGE, &Regex).is_ok());
        assert_eq!(str_broken("60000", AGENT_RANGE).problem, "is 60000");
        assert!(check_str("00101", AGENT_RANGE, &Regex).is_ok());
    }

    #[test]
    fn range_on_an_integer_at_both_boundaries() {
        assert!(check_int(100, AGENT_RANGE, &Regex).is_err());
        assert!(check_int(101, AGENT_RANGE, &Regex).is_ok());
        assert!(check_int(59999, AGENT_RANGE, &Regex).is_ok());
        let broken = check_int(60000, AGENT_RANGE, &Regex).expect_err("above");
        assert_eq!((broken.problem.as_str(), broken.rule.as_str()), ("is 60000", "101–59999"));
    }

    #[test]
    fn range_on_strings_that_are_not_decimal_integers() {
        for bad in ["", "12a", "+200", " 200", "200 ", "-", "1e3", "٣٠٠"] {
            assert_eq!(str_broken(bad, AGENT_RANGE).problem, "is not a decimal integer", "input {bad:?}");
        }
        assert_eq!(
            str_broken("99999999999999999999999", AGENT_RANGE).problem,
            "is a number outside the representable range"
        );
    }

    #[test]
    fn decimal_text_is_digits_with_an_optional_minus() {
        assert_eq!(parse_decimal("-0042"), Ok(-42));
        assert_eq!(parse_decimal("+42"), Err(NotDecimal::Malformed));
        assert_eq!(parse_decimal("9223372036854775808"), Err(NotDecimal::Overflow));
        assert_eq!(parse_decimal("-9223372036854775808"), Ok(i64::MIN));
    }

    #[test]
    fn range_on_a_negative_decimal_string() {
        assert!(check_str("-5", &[Constraint::Range { min: -10, max: 0 }], &Regex).is_ok());
        assert_eq!(str_broken("-11", &[Constraint::Range { min: -10, max: 0 }]).problem, "is -11");
    }

    #[test]
    fn chars_counts_characters_not_bytes() {
        assert!(check_str(&"é".repeat(24), ADDRESS, &Regex).is_ok());
        assert_eq!(str_broken(&"é".repeat(25), ADDRESS).to_string(), "has 25 characters (rule: at most 24 characters)");
        assert!(check_str("", ADDRESS, &Regex).is_ok());
        let broken = str_broken("", NAME);
        assert_eq!((broken.problem.as_str(), broken.rule.as_str()), ("has 0 characters", "1–24 characters"));
        assert_eq!(str_broken(&"x".repeat(25), NAME).problem, "has 25 characters");
        assert_eq!(str_broken("x", &[Constraint::Chars { min: 2, max: 3 }]).problem, "has 1 character");
    }

    #[test]
    fn bytes_counts_utf8_bytes() {
        let at_limit = "é".repeat(1024);
        assert_eq!(at_limit.len(), 2048);
        assert!(check_str(&at_limit, DATA, &Regex).is_ok());
        let broken = str_broken(&format!("{at_limit}a"), DATA);
        assert_eq!(
            (broken.problem.as_str(), broken.rule.as_str()),
            ("has 2049 bytes (UTF-8)", "at most 2048 bytes (UTF-8)")
        );
    }

    #[test]
    fn patterns_match_whole_values() {
        for ok in ["*", "#", "1", &"7".repeat(24)] {
            assert!(check_str(ok, CALLED, &Regex).is_ok(), "{ok:?} should match");
        }
        for bad in [&"7".repeat(25) as &str, "12a", "", "**", "*1", "1\n"] {
            let broken = str_broken(bad, CALLED);
            assert_eq!(broken.problem, "does not match the required format");
            assert_eq!(broken.rule, "1 to 24 digits, or * or #");
        }
    }

    #[test]
    fn an_unanchored_pattern_is_anchored() {
        let digits = &[Constraint::Pattern { regex: "[0-9]+", description: "digits" }];
        assert!(check_str("123", digits, &Regex).is_ok());
        assert!(check_str("a123", digits, &Regex).is_err());
        assert!(check_str("123a", digits, &Regex).is_err());
        // An alternation cannot escape the anchors.
        let either = &[Constraint::Pattern { regex: "^a|b$", description: "a or b" }];
        assert!(check_str("a", either, &Regex).is_ok());
        assert!(check_str("ax", either, &Regex).is_err());
        assert_eq!(anchored("^a|b$"), "^(?:^a|b$)$");
    }

    #[test]
    fn an_invalid_pattern_is_a_broken_rule_not_a_panic() {
        let broken = str_broken("1", &[Constraint::Pattern { regex: "([0-9]", description: "digits" }]);
        assert!(broken.problem.contains("not a valid regex"), "{broken}");
    }

    #[test]
    fn allowed_values() {
        assert!(check_str("0", MODE, &Regex).is_ok());
        assert!(check_str("1", MODE, &Regex).is_ok());
        let broken = str_broken("2", MODE);
        assert_eq!(
            (broken.problem.as_str(), broken.rule.as_str()),
            ("is not one of the accepted values", "one of: 0, 1")
        );
        assert!(check_int(1, MODE, &Regex).is_ok());
        assert!(check_int(2, MODE, &Regex).is_err());
    }

    #[test]
    fn text_rules_apply_to_an_integers_decimal_form() {
        let five_digits = &[Constraint::Chars { min: 1, max: 5 }];
        assert!(check_int(99999, five_digits, &Regex).is_ok());
        assert_eq!(check_int(100000, five_digits, &Regex).expect_err("six digits").problem, "has 6 characters");
        let even = &[Constraint::Pattern { regex: "[0-9]*[02468]", description: "even" }];
        assert!(check_int(-12, even, &Regex).is_err(), "the minus sign is part of the text");
        assert!(check_int(12, even, &Regex).is_ok());
    }

    #[test]
    fn the_first_broken_rule_is_reported() {
        let both = &[Constraint::Chars { min: 1, max: 3 }, Constraint::Range { min: 0, max: 100 }];
        assert_eq!(str_broken("1234", both).problem, "has 4 characters");
        assert_eq!(str_broken("200", both).problem, "is 200");
    }

    #[test]
    fn problems_never_repeat_a_text_value() {
        let secret = "Pa55-word-XYZ";
        let rules: &[Constraint] = &[
            Constraint::Chars { min: 0, max: 3 },
            Constraint::Bytes { min: 0, max: 3 },
            Constraint::Pattern { regex: "[0-9]+", description: "digits" },
            Constraint::OneOf { values: &["a"] },
            Constraint::Range { min: 0, max: 1 },
        ];
        for rule in rules {
            let broken = str_broken(secret, std::slice::from_ref(rule));
            assert!(!broken.to_string().contains(secret), "{rule:?}");
            assert!(!format!("{broken:?}").contains(secret), "{rule:?}");
        }
    }
}
