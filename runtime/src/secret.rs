//! Secrets that must never end up in logs: the session token and passwords.
//!
//! Neither type implements `Display`, so a secret cannot be formatted into a
//! message by accident; the value is reachable only through `expose`. Both
//! overwrite their bytes with zeros when dropped, so a freed password or
//! token does not linger in memory that is reused later. (Copies made to
//! send a request, inside serde_json and reqwest buffers, are outside their
//! reach.)

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

/// Longest `Set-GUID` value accepted; real tokens are a few dozen bytes, and
/// the cap keeps a hostile server from parking megabytes in every request.
const MAX_GUID_BYTES: usize = 1024;

/// The session token the gateway hands out at sign-in (`Set-GUID`) and
/// expects back on every later request (`Guid` header).
#[derive(Clone, PartialEq, Eq)]
pub struct Guid(String);

impl Guid {
    /// Wraps a token.
    pub fn new(value: impl Into<String>) -> Self {
        Guid(value.into())
    }

    /// The token itself, for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Parses a `Set-GUID` response header value.
    ///
    /// The gateway sends `JSESSIONID=<guid>`; the prefix is stripped when
    /// present. Returns `None` for an empty token, one containing control
    /// characters, or one longer than 1024 bytes.
    pub fn from_set_guid_header(value: &str) -> Option<Guid> {
        Guid::from_token_header(value, crate::Protocol::CC_GATEWAY.token_prefix)
    }

    /// Like [`Guid::from_set_guid_header`], for a gateway whose token
    /// carries `prefix` instead (none when empty).
    pub fn from_token_header(value: &str, prefix: &str) -> Option<Guid> {
        let value = value.trim();
        let token = if prefix.is_empty() { value } else { value.strip_prefix(prefix).unwrap_or(value) }.trim();
        let acceptable = !token.is_empty() && token.len() <= MAX_GUID_BYTES && !token.chars().any(char::is_control);
        acceptable.then(|| Guid(token.to_owned()))
    }
}

impl Drop for Guid {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Guid(<redacted>)")
    }
}

/// A password or service token that has to go on the wire in a JSON body
/// but must stay out of logs.
///
/// Serializes as the plain string.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Takes the secret over from the [`secrecy`] crate (feature `secrecy`),
/// for applications that already keep their passwords in a
/// `secrecy::SecretString`. The value is copied; both copies zeroize on drop.
#[cfg(feature = "secrecy")]
impl From<secrecy::SecretString> for SecretString {
    fn from(secret: secrecy::SecretString) -> Self {
        use secrecy::ExposeSecret;
        SecretString(secret.expose_secret().to_owned())
    }
}

#[cfg(feature = "secrecy")]
impl From<&secrecy::SecretString> for SecretString {
    fn from(secret: &secrecy::SecretString) -> Self {
        use secrecy::ExposeSecret;
        SecretString(secret.expose_secret().to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretString)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_debug_is_redacted() {
        let guid = Guid::new("abc123SECRET");
        assert_eq!(format!("{guid:?}"), "Guid(<redacted>)");
        assert_eq!(format!("{:?}", Some(guid.clone())), "Some(Guid(<redacted>))");
        assert_eq!(guid.expose(), "abc123SECRET");
    }

    #[test]
    fn secret_string_debug_is_redacted_but_serializes_plain() {
        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret:?}"), "SecretString(<redacted>)");
        assert_eq!(format!("{secret:#?}"), "SecretString(<redacted>)");
        assert_eq!(serde_json::to_string(&secret).ok().as_deref(), Some("\"hunter2\""));
        let back: SecretString = serde_json::from_str("\"hunter2\"").expect("valid JSON string");
        assert_eq!(back, secret);
        assert!(serde_json::from_str::<SecretString>("12").is_err());
    }

    #[test]
    fn set_guid_strips_prefix() {
        let g = Guid::from_set_guid_header("JSESSIONID=6A1B2C3D").expect("valid");
        assert_eq!(g.expose(), "6A1B2C3D");
        let g = Guid::from_set_guid_header(" JSESSIONID=6A1B2C3D ").expect("valid");
        assert_eq!(g.expose(), "6A1B2C3D");
        let g = Guid::from_set_guid_header("bare-token").expect("valid");
        assert_eq!(g.expose(), "bare-token");
    }

    #[test]
    fn set_guid_rejects_bad_values() {
        assert!(Guid::from_set_guid_header("").is_none());
        assert!(Guid::from_set_guid_header("JSESSIONID=").is_none());
        assert!(Guid::from_set_guid_header("JSESSIONID=   ").is_none());
        assert!(Guid::from_set_guid_header("JSESSIONID=ab\u{7f}cd").is_none());
        assert!(Guid::from_set_guid_header("JSESSIONID=ab\ncd").is_none());
        assert!(Guid::from_set_guid_header("JSESSIONID=ab\u{0}cd").is_none());
        let at_limit = "a".repeat(1024);
        assert!(Guid::from_set_guid_header(&format!("JSESSIONID={at_limit}")).is_some());
        let over = "a".repeat(1025);
        assert!(Guid::from_set_guid_header(&format!("JSESSIONID={over}")).is_none());
    }
}
