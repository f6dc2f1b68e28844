//! Deserializers for what the gateway actually sends: the vendor documents
//! numeric event fields that sometimes arrive as strings and the reverse.
//! Generated payload types name these with `deserialize_with`.

use serde::{Deserialize, Deserializer};

/// Accepts a string, number or boolean as text; `null`, absent, or a list or
/// object (which no documented text field holds) is `None`.
///
/// These readers never fail: a member in an unexpected form reads as absent,
/// so one odd field never costs a whole event or a sign-in result.
pub fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(deserializer)?.and_then(as_string))
}

/// Accepts an integer or a string holding one; anything else is `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(deserializer)?.and_then(as_i64))
}

/// Accepts a boolean or the strings `"true"` / `"false"`; anything else is `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(deserializer)?.and_then(as_bool))
}

fn as_string(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_i64(value: serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_bool(value: serde_json::Value) -> Option<bool> {
    match value {
        serde_json::Value::Bool(b) => Some(b),
        serde_json::Value::String(s) if s == "true" => Some(true),
        serde_json::Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// The members of an event payload (a JSON object), taken out one by one
/// with the readers above.
///
/// The generated payload types deserialize through this instead of a
/// derived `Deserialize`: the reading code is compiled once, here, instead
/// of once per payload type, which is most of what the event catalog used to
/// cost to build. Members the type does not name are ignored, as before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(serde_json::Map<String, serde_json::Value>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Map::deserialize(deserializer).map(Fields)
    }
}

impl Fields {
    /// A text member, as [`opt_string`] reads it.
    pub fn string(&mut self, name: &str) -> Option<String> {
        self.0.remove(name).and_then(as_string)
    }

    /// An integer member, as [`opt_i64`] reads it.
    pub fn i64(&mut self, name: &str) -> Option<i64> {
        self.0.remove(name).and_then(as_i64)
    }

    /// A boolean member, as [`opt_bool`] reads it.
    pub fn bool(&mut self, name: &str) -> Option<bool> {
        self.0.remove(name).and_then(as_bool)
    }

    /// A member of any other shape, as sent; `null` is absent.
    pub fn value(&mut self, name: &str) -> Option<serde_json::Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }
}

/// Decodes an event payload, handing `content` back untouched if it does not fit.
pub fn payload<P: serde::de::DeserializeOwned>(content: serde_json::Value) -> Result<P, serde_json::Value> {
    // Every payload field is optional, so `null` content is an event with nothing filled in.
    if content.is_null() {
        return P::deserialize(&serde_json::Value::Object(serde_json::Map::new())).map_err(|_| content);
    }
    P::deserialize(&content).map_err(|_| content)
}

/// A payload that is a plain string (usually a call ID); a number is taken as its text.
pub fn text(content: serde_json::Value) -> Result<String, serde_json::Value> {
    match content {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(other),
    }
}

/// A known event from what [`payload`] or [`text`] read: the payload, or,
/// when the content did not fit, an empty payload and the content handed
/// back, so the event keeps its kind either way.
pub fn known<P: Default, E>(
    make: impl FnOnce(P) -> E,
    read: Result<P, serde_json::Value>,
) -> (E, Option<serde_json::Value>) {
    match read {
        Ok(payload) => (make(payload), None),
        Err(content) => (make(P::default()), Some(content)),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct P {
        #[serde(default, deserialize_with = "super::opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "super::opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "super::opt_bool")]
        b: Option<bool>,
    }

    fn p(json: &str) -> Result<P, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_and_strings_are_interchangeable() {
        assert_eq!(p(r#"{"n":"5","s":7,"b":"true"}"#).unwrap(), P { n: Some(5), s: Some("7".into()), b: Some(true) });
        assert_eq!(p(r#"{"n":5,"s":"x","b":false}"#).unwrap(), P { n: Some(5), s: Some("x".into()), b: Some(false) });
    }

    #[test]
    fn absent_null_and_empty_are_none() {
        assert_eq!(p(r#"{}"#).unwrap(), P { n: None, s: None, b: None });
        assert_eq!(p(r#"{"n":null,"s":null}"#).unwrap(), P { n: None, s: None, b: None });
        assert_eq!(p(r#"{"n":""}"#).unwrap().n, None);
    }

    #[test]
    fn payload_and_text_hand_back_what_does_not_fit() {
        let bad = serde_json::json!("not an object");
        assert_eq!(super::payload::<P>(bad.clone()), Err(bad));
        assert_eq!(super::payload::<P>(serde_json::json!({"n": "3"})).map(|p| p.n), Ok(Some(3)));
        assert_eq!(super::text(serde_json::json!("1456-3")), Ok("1456-3".to_owned()));
        assert_eq!(super::text(serde_json::json!(12)), Ok("12".to_owned()));
        assert!(super::text(serde_json::json!({})).is_err());
        assert_eq!(super::payload::<P>(serde_json::Value::Null).map(|p| p.n), Ok(None));
    }

    /// The same struct read through [`super::Fields`], as generated payload types are.
    #[derive(Debug, PartialEq)]
    struct F {
        n: Option<i64>,
        s: Option<String>,
        b: Option<bool>,
        v: Option<serde_json::Value>,
    }

    impl<'de> Deserialize<'de> for F {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let mut fields = super::Fields::deserialize(deserializer)?;
            Ok(F { n: fields.i64("n"), s: fields.string("s"), b: fields.bool("b"), v: fields.value("v") })
        }
    }

    #[test]
    fn fields_read_members_as_the_derived_readers_do() {
        for json in [
            r#"{"n":"5","s":7,"b":"true"}"#,
            r#"{"n":5,"s":"x","b":false,"extra":[1]}"#,
            r#"{}"#,
            r#"{"n":null,"s":null,"b":null}"#,
            r#"{"n":"abc","s":[1],"b":"yes"}"#,
            r#"{"n":1.5,"s":{"a":1},"b":1}"#,
            r#"{"n":" 12 ","s":true,"b":"false"}"#,
        ] {
            let derived = p(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            let read: F = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!((read.n, read.s, read.b), (derived.n, derived.s, derived.b), "{json}");
        }
        let read: F = serde_json::from_str(r#"{"v":{"a":[1]}}"#).expect("object");
        assert_eq!(read.v, Some(serde_json::json!({"a": [1]})));
        assert_eq!(serde_json::from_str::<F>(r#"{"v":null}"#).expect("null").v, None);
        assert!(serde_json::from_str::<F>(r#""text""#).is_err(), "not an object");
        assert_eq!(super::payload::<F>(serde_json::Value::Null).map(|f| f.n), Ok(None));
    }

    #[test]
    fn nonsense_reads_as_absent() {
        assert_eq!(p(r#"{"n":"abc","s":[1],"b":"yes"}"#).unwrap(), P { n: None, s: None, b: None });
        assert_eq!(p(r#"{"n":1.5}"#).unwrap().n, None);
    }
}
