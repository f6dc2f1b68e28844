//! Data-driven validation: generated code describes each parameter's rules
//! as a `const` table of [`Constraint`]s, and [`Constrained`] enforces them
//! whenever a value is built or deserialized. The rules and their evaluation
//! are `agentgateway-constraint`'s, which the generator's checker uses too.

use std::collections::HashMap;
use std::fmt::{self, Debug, Display};
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock, PoisonError};

use agentgateway_constraint::{Broken, Patterns};
use regex_lite::Regex;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// One rule a parameter value must satisfy, in a generated `'static` table.
pub type Constraint = agentgateway_constraint::Constraint<'static>;

/// Checks a string value against every constraint, reporting the first one
/// it breaks.
pub fn check_str(
    parameter: &'static str,
    value: &str,
    constraints: &'static [Constraint],
) -> Result<(), ValidationError> {
    agentgateway_constraint::check_str(value, constraints, &CachedRegex).map_err(|b| invalid(parameter, b))
}

/// Checks an integer value against every constraint, reporting the first one
/// it breaks. Text constraints (length, pattern, one-of) apply to its
/// decimal form.
pub fn check_int(
    parameter: &'static str,
    value: i64,
    constraints: &'static [Constraint],
) -> Result<(), ValidationError> {
    agentgateway_constraint::check_int(value, constraints, &CachedRegex).map_err(|b| invalid(parameter, b))
}

fn invalid(parameter: &'static str, broken: Broken) -> ValidationError {
    ValidationError::new(parameter, broken.problem, broken.rule)
}

/// regex-lite, with every compiled pattern kept.
struct CachedRegex;

impl Patterns for CachedRegex {
    fn matches(&self, pattern: &str, value: &str) -> Option<bool> {
        cached_regex(pattern).map(|compiled| compiled.is_match(value))
    }
}

/// Compiled patterns, keyed by the (anchored) pattern's text. Failures are
/// cached too so a bad pattern is not recompiled on every check.
fn cached_regex(pattern: &str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A panic elsewhere while holding the lock cannot leave a half-written
    // entry (insert is the only mutation), so a poisoned map is still sound.
    let mut map = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = map.get(pattern) {
        return known.clone();
    }
    let compiled = Regex::new(pattern).ok();
    map.insert(pattern.to_owned(), compiled.clone());
    compiled
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
        agentgateway_constraint::parse_decimal(&text)
            .map_err(|not| ValidationError::new(parameter, not.problem(), "a decimal integer"))
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
    const CALLED: &[Constraint] =
        &[Constraint::Pattern { regex: r"^(?:[0-9]{1,24}|\*|#)$", description: "1 to 24 digits, or * or #" }];
    const UNANCHORED: &[Constraint] = &[Constraint::Pattern { regex: "[0-9]+", description: "digits" }];
    const BROKEN: &[Constraint] = &[Constraint::Pattern { regex: "([0-9]", description: "digits" }];

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
