//! Data-driven validation: generated code describes each parameter's rules
//! as a `const` table of [`Constraint`]s, and [`Constrained`] enforces them
//! whenever a value is built or deserialized.

use std::collections::HashMap;
use std::fmt::{self, Debug, Display};
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock, PoisonError};

use regex_lite::Regex;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// One rule a parameter value must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
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
        regex: &'static str,
        /// What it means in words, e.g. `1 to 24 digits, or * or #`.
        description: &'static str,
    },
    /// The value must be one of these strings.
    OneOf {
        /// The accepted values.
        values: &'static [&'static str],
    },
}

impl Constraint {
    /// The rule in words, as shown in [`ValidationError::rule`].
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

/// Checks a string value against every constraint, reporting the first one
/// it breaks.
pub fn check_str(
    parameter: &'static str,
    value: &str,
    constraints: &'static [Constraint],
) -> Result<(), ValidationError> {
    constraints.iter().try_for_each(|constraint| check_one_str(parameter, value, constraint))
}

/// Checks an integer value against every constraint, reporting the first one
/// it breaks. Text constraints (length, pattern, one-of) apply to its
/// decimal form.
pub fn check_int(
    parameter: &'static str,
    value: i64,
    constraints: &'static [Constraint],
) -> Result<(), ValidationError> {
    let mut decimal = None;
    constraints.iter().try_for_each(|constraint| match *constraint {
        Constraint::Range { min, max } => check_range(parameter, value, min, max, constraint),
        _ => {
            let text = decimal.get_or_insert_with(|| value.to_string());
            check_one_str(parameter, text, constraint)
        }
    })
}

fn check_one_str(parameter: &'static str, value: &str, constraint: &Constraint) -> Result<(), ValidationError> {
    let broken = |problem: String| Err(ValidationError::new(parameter, problem, constraint.describe()));
    match *constraint {
        Constraint::Range { min, max } => match parse_decimal(value) {
            Decimal::Value(number) => check_range(parameter, number, min, max, constraint),
            Decimal::Overflow => broken("is a number outside the representable range".to_owned()),
            Decimal::Malformed => broken("is not a decimal integer".to_owned()),
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
        Constraint::Pattern { regex, .. } => match cached_regex(regex) {
            Some(compiled) if compiled.is_match(value) => Ok(()),
            Some(_) => broken("does not match the required format".to_owned()),
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

fn check_range(
    parameter: &'static str,
    value: i64,
    min: i64,
    max: i64,
    constraint: &Constraint,
) -> Result<(), ValidationError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::new(parameter, format!("is {value}"), constraint.describe()))
    }
}

fn plural(count: u64, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

enum Decimal {
    Value(i64),
    Overflow,
    Malformed,
}

/// Accepts only `-?[0-9]+`: `i64::from_str` would also take a leading `+`,
/// which the gateway's digit-string fields do not.
fn parse_decimal(value: &str) -> Decimal {
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Decimal::Malformed;
    }
    value.parse().map_or(Decimal::Overflow, Decimal::Value)
}

/// Compiled patterns, keyed by the pattern's text. Failures are cached too
/// so a bad pattern is not recompiled on every check.
fn cached_regex(pattern: &'static str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A panic elsewhere while holding the lock cannot leave a half-written
    // entry (insert is the only mutation), so a poisoned map is still sound.
    let mut map = cache.lock().unwrap_or_else(PoisonError::into_inner);
    map.entry(pattern).or_insert_with(|| Regex::new(&format!("^(?:{pattern})$")).ok()).clone()
}

mod sealed {
    /// Keeps [`super::RuleValue`] closed: its checks know only these types.
    pub trait Sealed {}
    impl Sealed for String {}
    impl Sealed for i64 {}
}

/// The value types a [`Rule`] can constrain: `String` and `i64`.
pub trait RuleValue:
    Clone + Debug + PartialEq + Eq + Hash + Serialize + DeserializeOwned + Display + Send + Sync + sealed::Sealed + 'static
{
    /// Checks the value against `constraints`.
    fn check(&self, parameter: &'static str, constraints: &'static [Constraint]) -> Result<(), ValidationError>;

    /// Reads the value from text, before its rules are checked: a string is
    /// itself, an integer must be in decimal (`-?[0-9]+`, no `+`, no spaces).
    fn from_text(text: String, parameter: &'static str) -> Result<Self, ValidationError>;
}

impl RuleValue for String {
    fn check(&self, parameter: &'static str, constraints: &'static [Constraint]) -> Result<(), ValidationError> {
        check_str(parameter, self, constraints)
    }

    fn from_text(text: String, _parameter: &'static str) -> Result<Self, ValidationError> {
        Ok(text)
    }
}

impl RuleValue for i64 {
    fn check(&self, parameter: &'static str, constraints: &'static [Constraint]) -> Result<(), ValidationError> {
        check_int(parameter, *self, constraints)
    }

    fn from_text(text: String, parameter: &'static str) -> Result<Self, ValidationError> {
        let problem = match parse_decimal(&text) {
            Decimal::Value(number) => return Ok(number),
            Decimal::Overflow => "is a number outside the representable range",
            Decimal::Malformed => "is not a decimal integer",
        };
        Err(ValidationError::new(parameter, problem, "a decimal integer"))
    }
}

/// The rules of one parameter, as a marker type the generated crate defines.
///
/// ```
/// use agentgateway_runtime::{Constrained, Constraint, Rule};
///
/// pub enum AddressRule {}
/// impl Rule for AddressRule {
///     type Value = String;
///     const PARAMETER: &'static str = "address";
///     const CONSTRAINTS: &'static [Constraint] = &[Constraint::Chars { min: 0, max: 24 }];
/// }
/// pub type Address = Constrained<AddressRule>;
///
/// assert!(Address::new("12345").is_ok());
/// assert!(Address::new("1".repeat(25)).is_err());
/// ```
pub trait Rule: 'static {
    /// The underlying value type.
    type Value: RuleValue;
    /// The parameter's wire name, used in errors.
    const PARAMETER: &'static str;
    /// The rules every value must satisfy.
    const CONSTRAINTS: &'static [Constraint];
}

/// A value that satisfied `R`'s rules when it was built or deserialized.
///
/// Serializes as the bare value; deserializing checks the rules again, so a
/// value that breaks them fails to decode.
pub struct Constrained<R: Rule> {
    value: R::Value,
    // fn() -> R: the marker never holds an R, so R's auto traits and
    // variance must not leak into the wrapper.
    _rule: PhantomData<fn() -> R>,
}

impl<R: Rule> Constrained<R> {
    /// Checks `value` against `R`'s rules.
    pub fn new(value: impl Into<R::Value>) -> Result<Self, ValidationError> {
        let value = value.into();
        value.check(R::PARAMETER, R::CONSTRAINTS)?;
        Ok(Constrained { value, _rule: PhantomData })
    }

    /// The value.
    pub fn get(&self) -> &R::Value {
        &self.value
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> R::Value {
        self.value
    }
}

impl<R: Rule> Debug for Constrained<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(&self.value, f)
    }
}

impl<R: Rule> Display for Constrained<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.value, f)
    }
}

impl<R: Rule> Clone for Constrained<R> {
    fn clone(&self) -> Self {
        Constrained { value: self.value.clone(), _rule: PhantomData }
    }
}

impl<R: Rule> PartialEq for Constrained<R> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<R: Rule> Eq for Constrained<R> {}

impl<R: Rule> Hash for Constrained<R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl<R: Rule> Serialize for Constrained<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, R: Rule> Deserialize<'de> for Constrained<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = R::Value::deserialize(deserializer)?;
        Constrained::new(value).map_err(serde::de::Error::custom)
    }
}

/// Parses the text form (an integer in decimal) and checks the rules.
impl<R: Rule> FromStr for Constrained<R> {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Constrained::try_from(s.to_owned())
    }
}

/// Same as [`FromStr`]: the text form, then the rules.
impl<R: Rule> TryFrom<String> for Constrained<R> {
    type Error = ValidationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Constrained::new(R::Value::from_text(text, R::PARAMETER)?)
    }
}

/// Same as [`FromStr`]: the text form, then the rules.
impl<R: Rule> TryFrom<&str> for Constrained<R> {
    type Error = ValidationError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// Checks the rules of an integer parameter.
impl<R: Rule<Value = i64>> TryFrom<i64> for Constrained<R> {
    type Error = ValidationError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Constrained::new(value)
    }
}

impl<R: Rule<Value = String>> AsRef<str> for Constrained<R> {
    fn as_ref(&self) -> &str {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT_RANGE: &[Constraint] = &[Constraint::Range { min: 101, max: 59999 }];
    const ADDRESS: &[Constraint] = &[Constraint::Chars { min: 0, max: 24 }];
    const NAME: &[Constraint] = &[Constraint::Chars { min: 1, max: 24 }];
    const DATA: &[Constraint] = &[Constraint::Bytes { min: 0, max: 2048 }];
    const CALLED: &[Constraint] =
        &[Constraint::Pattern { regex: r"^(?:[0-9]{1,24}|\*|#)$", description: "1 to 24 digits, or * or #" }];
    const UNANCHORED: &[Constraint] = &[Constraint::Pattern { regex: "[0-9]+", description: "digits" }];
    const BROKEN: &[Constraint] = &[Constraint::Pattern { regex: "([0-9]", description: "digits" }];
    const MODE: &[Constraint] = &[Constraint::OneOf { values: &["0", "1"] }];

    fn problem(r: Result<(), ValidationError>) -> ValidationError {
        r.expect_err("value should have been rejected")
    }

    #[test]
    fn range_on_digit_string_both_boundaries() {
        let e = problem(check_str("agentid", "100", AGENT_RANGE));
        assert_eq!(e.to_string(), "invalid `agentid`: is 100 (rule: 101–59999)");
        assert!(check_str("agentid", "101", AGENT_RANGE).is_ok());
        assert!(check_str("agentid", "59999", AGENT_RANGE).is_ok());
        let e = problem(check_str("agentid", "60000", AGENT_RANGE));
        assert_eq!(e.problem, "is 60000");
    }

    #[test]
    fn range_on_integer_both_boundaries() {
        assert!(check_int("agentid", 100, AGENT_RANGE).is_err());
        assert!(check_int("agentid", 101, AGENT_RANGE).is_ok());
        assert!(check_int("agentid", 59999, AGENT_RANGE).is_ok());
        let e = problem(check_int("agentid", 60000, AGENT_RANGE));
        assert_eq!(e.parameter, "agentid");
        assert_eq!(e.problem, "is 60000");
        assert_eq!(e.rule, "101–59999");
    }

    #[test]
    fn range_on_non_decimal_strings() {
        for bad in ["", "12a", "+200", " 200", "200 ", "-", "1e3", "٣٠٠"] {
            let e = problem(check_str("agentid", bad, AGENT_RANGE));
            assert_eq!(e.problem, "is not a decimal integer", "input {bad:?}");
        }
        let e = problem(check_str("agentid", "99999999999999999999999", AGENT_RANGE));
        assert_eq!(e.problem, "is a number outside the representable range");
        assert!(check_str("n", "-5", &[Constraint::Range { min: -10, max: 0 }]).is_ok());
        assert!(check_str("n", "00101", AGENT_RANGE).is_ok());
    }

    #[test]
    fn chars_counts_characters_not_bytes() {
        let ok = "é".repeat(24);
        assert!(check_str("address", &ok, ADDRESS).is_ok());
        let e = problem(check_str("address", &"é".repeat(25), ADDRESS));
        assert_eq!(e.to_string(), "invalid `address`: has 25 characters (rule: at most 24 characters)");
        assert!(check_str("address", "", ADDRESS).is_ok());
        let e = problem(check_str("name", "", NAME));
        assert_eq!(e.problem, "has 0 characters");
        assert_eq!(e.rule, "1–24 characters");
        assert!(check_str("name", "x", NAME).is_ok());
    }

    #[test]
    fn bytes_counts_utf8_bytes() {
        let at_limit = "é".repeat(1024);
        assert_eq!(at_limit.len(), 2048);
        assert!(check_str("data", &at_limit, DATA).is_ok());
        let over = format!("{at_limit}a");
        let e = problem(check_str("data", &over, DATA));
        assert_eq!(e.problem, "has 2049 bytes (UTF-8)");
        assert_eq!(e.rule, "at most 2048 bytes (UTF-8)");
    }

    #[test]
    fn pattern_whole_value() {
        for ok in ["*", "#", "1", &"7".repeat(24)] {
            assert!(check_str("called", ok, CALLED).is_ok(), "{ok:?} should match");
        }
        for bad in [&"7".repeat(25) as &str, "12a", "", "**", "*1", "1\n"] {
            let e = problem(check_str("called", bad, CALLED));
            assert_eq!(e.problem, "does not match the required format");
            assert_eq!(e.rule, "1 to 24 digits, or * or #");
        }
    }

    #[test]
    fn unanchored_pattern_is_anchored() {
        assert!(check_str("n", "123", UNANCHORED).is_ok());
        assert!(check_str("n", "a123", UNANCHORED).is_err());
        assert!(check_str("n", "123a", UNANCHORED).is_err());
    }

    #[test]
    fn invalid_regex_is_an_error_not_a_panic() {
        let e = problem(check_str("n", "1", BROKEN));
        assert!(e.problem.contains("not a valid regex"));
        // Second call goes through the cached failure.
        assert!(check_str("n", "1", BROKEN).is_err());
    }

    #[test]
    fn one_of() {
        assert!(check_str("mode", "0", MODE).is_ok());
        assert!(check_str("mode", "1", MODE).is_ok());
        let e = problem(check_str("mode", "2", MODE));
        assert_eq!(e.rule, "one of: 0, 1");
        assert!(check_int("mode", 1, MODE).is_ok());
        assert!(check_int("mode", 2, MODE).is_err());
    }

    #[test]
    fn int_text_rules_apply_to_decimal_form() {
        const FIVE_DIGITS: &[Constraint] = &[Constraint::Chars { min: 1, max: 5 }];
        assert!(check_int("n", 99999, FIVE_DIGITS).is_ok());
        assert!(check_int("n", 100000, FIVE_DIGITS).is_err());
    }

    #[test]
    fn first_broken_rule_is_reported() {
        const BOTH: &[Constraint] = &[Constraint::Chars { min: 1, max: 3 }, Constraint::Range { min: 0, max: 100 }];
        assert_eq!(problem(check_str("n", "1234", BOTH)).problem, "has 4 characters");
        assert_eq!(problem(check_str("n", "200", BOTH)).problem, "is 200");
    }

    #[test]
    fn rule_wording() {
        assert_eq!(Constraint::Chars { min: 1, max: 1 }.describe(), "exactly 1 character");
        assert_eq!(Constraint::Chars { min: 3, max: u64::MAX }.describe(), "at least 3 characters");
        assert_eq!(Constraint::Range { min: 0, max: i64::MAX }.describe(), "at least 0");
        assert_eq!(Constraint::Range { min: i64::MIN, max: 7 }.describe(), "at most 7");
        assert_eq!(Constraint::Bytes { min: 1, max: 8 }.describe(), "1–8 bytes (UTF-8)");
    }

    enum SkillRule {}
    impl Rule for SkillRule {
        type Value = i64;
        const PARAMETER: &'static str = "skillid";
        const CONSTRAINTS: &'static [Constraint] = &[Constraint::Range { min: 1, max: 9999 }];
    }
    type Skill = Constrained<SkillRule>;

    enum CalledRule {}
    impl Rule for CalledRule {
        type Value = String;
        const PARAMETER: &'static str = "called";
        const CONSTRAINTS: &'static [Constraint] = CALLED;
    }
    type Called = Constrained<CalledRule>;

    #[test]
    fn integer_values_parse_from_decimal_text_then_check_rules() {
        let skill: Skill = "42".parse().expect("in range");
        assert_eq!(*skill.get(), 42);
        assert_eq!(skill.to_string(), "42");
        assert_eq!(Skill::try_from(42_i64).expect("in range"), skill);
        assert_eq!(Skill::try_from("42").expect("in range"), skill);
        assert_eq!(Skill::try_from(String::from("42")).expect("in range"), skill);
        for text in ["+42", " 42", "4 2", "", "x"] {
            let e = Skill::from_str(text).expect_err(text);
            assert_eq!((e.parameter.as_str(), e.problem.as_str()), ("skillid", "is not a decimal integer"), "{text:?}");
        }
        let e = Skill::from_str("99999999999999999999").expect_err("overflow");
        assert_eq!(e.problem, "is a number outside the representable range");
        assert_eq!(Skill::try_from(0_i64).expect_err("below range").problem, "is 0");
        assert_eq!(Skill::from_str("10000").expect_err("above range").problem, "is 10000");
        assert!(serde_json::from_str::<Skill>("0").is_err(), "deserializing checks the rules");
        assert_eq!(serde_json::to_string(&skill).ok().as_deref(), Some("42"));
    }

    #[test]
    fn string_values_convert_from_every_text_form() {
        let called = Called::try_from("206").expect("digits");
        assert_eq!(Called::try_from(String::from("206")).expect("digits"), called);
        assert_eq!(Called::from_str("206").expect("digits"), called);
        assert_eq!(called.as_ref(), "206");
        assert_eq!(called.to_string(), "206");
        // No trimming or other repair: the text is the value.
        assert!(Called::try_from(" 206").is_err());
        assert_eq!(Called::try_from("2a").expect_err("letter").parameter, "called");
    }

    #[test]
    fn errors_never_contain_the_value() {
        let secret = "Pa55-word-XYZ";
        let constraints: &'static [Constraint] = &[
            Constraint::Chars { min: 0, max: 3 },
            Constraint::Bytes { min: 0, max: 3 },
            Constraint::Pattern { regex: "[0-9]+", description: "digits" },
            Constraint::OneOf { values: &["a"] },
            Constraint::Range { min: 0, max: 1 },
        ];
        for c in constraints {
            let one: &'static [Constraint] = std::slice::from_ref(c);
            let e = problem(check_str("password", secret, one));
            assert!(!e.to_string().contains(secret), "{c:?}");
            assert!(!format!("{e:?}").contains(secret), "{c:?}");
        }
    }
}
