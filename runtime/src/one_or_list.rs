//! A result the vendor documents as a list but shows as one object.
//!
//! Some pages (the agent status) declare their `result` as an array while
//! their example answers with a single object. The generated client reads
//! such a result through [`OneOrList`], which accepts both forms.

use serde::{Deserialize, Deserializer};

/// An object, or a list holding exactly that one object.
///
/// Any other list (empty, or with several elements) fails to decode: picking
/// one element would be a guess. (The client then treats it as any
/// unreadable result of a successful call: the answer's fields stay empty.)
///
/// `Default` is the default object, used as for a plain object result when
/// the answer carries no `result` member.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OneOrList<T>(pub T);

impl<T> OneOrList<T> {
    /// The object, whichever form it arrived in.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for OneOrList<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = serde_json::Value::deserialize(deserializer)?;
        let object = match value {
            serde_json::Value::Array(mut items) if items.len() == 1 => items.remove(0),
            serde_json::Value::Array(items) => {
                return Err(D::Error::custom(format!(
                    "expected one object or a list of exactly one, got a list of {} items",
                    items.len()
                )));
            }
            other => other,
        };
        T::deserialize(object).map(OneOrList).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::OneOrList;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Status {
        #[serde(rename = "agentState")]
        agent_state: i64,
    }

    fn read(json: &str) -> Result<Status, serde_json::Error> {
        serde_json::from_str::<OneOrList<Status>>(json).map(OneOrList::into_inner)
    }

    #[test]
    fn reads_an_object_and_a_list_of_one() {
        assert_eq!(read(r#"{"agentState": 4}"#).ok(), Some(Status { agent_state: 4 }));
        assert_eq!(read(r#"[{"agentState": 3}]"#).ok(), Some(Status { agent_state: 3 }));
    }

    #[test]
    fn refuses_an_empty_list_and_a_list_of_several() {
        let empty = read("[]").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(empty.contains("list of 0 items"), "{empty}");
        let two = read(r#"[{"agentState": 3}, {"agentState": 4}]"#).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(two.contains("list of 2 items"), "{two}");
    }

    #[test]
    fn an_object_of_the_wrong_shape_still_fails() {
        assert!(read(r#"{"agentState": "x"}"#).is_err());
        assert!(read(r#"["x"]"#).is_err());
    }
}
