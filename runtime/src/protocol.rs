//! The API-wide wire settings a generated crate declares once (from its
//! `api.yaml`) and the transport follows: header names, token prefix,
//! content type and the envelope's member names and success code.

use reqwest::header::{HeaderName, HeaderValue};

/// How the gateway's protocol is spelt on the wire.
///
/// The generated crate emits one `PROTOCOL` constant from its spec and its
/// `Client` hands it to [`TransportBuilder::protocol`](crate::TransportBuilder::protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Protocol {
    /// Request header carrying the session token, e.g. `Guid`.
    pub token_header: &'static str,
    /// Response header handing out a new token, e.g. `Set-GUID`.
    pub issued_in: &'static str,
    /// Prefix on the issued token that is removed before it is sent back,
    /// e.g. `JSESSIONID=`; empty when there is none.
    pub token_prefix: &'static str,
    /// `Content-Type` of every request.
    pub content_type: &'static str,
    /// Envelope member holding the gateway's message, e.g. `message`.
    pub message: &'static str,
    /// Envelope member holding the result code, e.g. `retcode`.
    pub retcode: &'static str,
    /// The result code of a success, e.g. `0`.
    pub success: &'static str,
}

impl Protocol {
    /// The CC-Gateway's documented settings, used when none are given.
    pub const CC_GATEWAY: Protocol = Protocol {
        token_header: "Guid",
        issued_in: "Set-GUID",
        token_prefix: "JSESSIONID=",
        content_type: "application/json; charset=UTF-8",
        message: "message",
        retcode: "retcode",
        success: "0",
    };

    /// The header values checked once, when the transport is built.
    pub(crate) fn headers(&self) -> Result<ProtocolHeaders, String> {
        let name = |value: &str, what: &str| {
            HeaderName::from_bytes(value.as_bytes()).map_err(|_| format!("the {what} `{value}` is not a header name"))
        };
        Ok(ProtocolHeaders {
            token: name(self.token_header, "token header")?,
            issued_in: name(self.issued_in, "token-issuing header")?,
            content_type: HeaderValue::from_str(self.content_type)
                .map_err(|_| format!("the content type `{}` is not a header value", self.content_type))?,
        })
    }
}

impl Default for Protocol {
    fn default() -> Self {
        Protocol::CC_GATEWAY
    }
}

/// The parsed header names and value of a [`Protocol`].
#[derive(Debug, Clone)]
pub(crate) struct ProtocolHeaders {
    pub(crate) token: HeaderName,
    pub(crate) issued_in: HeaderName,
    pub(crate) content_type: HeaderValue,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_parses_and_bad_names_are_refused() {
        let headers = Protocol::CC_GATEWAY.headers().expect("valid");
        assert_eq!(headers.token.as_str(), "guid");
        assert_eq!(headers.issued_in.as_str(), "set-guid");
        let bad = Protocol { token_header: "Gu id", ..Protocol::CC_GATEWAY };
        assert!(bad.headers().is_err_and(|e| e.contains("`Gu id`")));
        let bad = Protocol { content_type: "a\nb", ..Protocol::CC_GATEWAY };
        assert!(bad.headers().is_err());
    }
}
