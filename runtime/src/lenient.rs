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
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

/// Accepts an integer or a string holding one; anything else is `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Accepts a boolean or the strings `"true"` / `"false"`; anything else is `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::String(s)) if s == "true" => Some(true),
        Some(serde_json::Value::String(s)) if s == "false" => Some(false),
        _ => None,
    })
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

    #[test]
    fn nonsense_reads_as_absent() {
        assert_eq!(p(r#"{"n":"abc","s":[1],"b":"yes"}"#).unwrap(), P { n: None, s: None, b: None });
        assert_eq!(p(r#"{"n":1.5}"#).unwrap().n, None);
    }
}
