//! Errors returned by the runtime and by generated clients.

use std::fmt::{Debug, Display};

/// A value broke one of its documented rules, so no request was sent.
///
/// The message describes the problem ("has 25 characters") but never repeats
/// the value itself: values may be passwords or tokens, and errors end up in
/// logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{parameter}`: {problem} (rule: {rule})")]
#[non_exhaustive]
pub struct ValidationError {
    /// Wire name of the offending parameter, e.g. `address`.
    pub parameter: String,
    /// What is wrong with the value, e.g. `has 25 characters`.
    pub problem: String,
    /// The rule it breaks, in words, e.g. `at most 24 characters`.
    pub rule: String,
}

impl ValidationError {
    /// Builds an error for a rule the caller checks itself, such as a
    /// cross-field rule (`skillId` "is set", "valid only when devicetype is 2").
    pub fn new(parameter: impl Into<String>, problem: impl Into<String>, rule: impl Into<String>) -> Self {
        Self { parameter: parameter.into(), problem: problem.into(), rule: rule.into() }
    }
}

/// The gateway's result codes (`retcode`), as an enum the generated crate
/// defines.
///
/// `Display` should give the code together with its meaning, e.g.
/// `100-006 (the agent is not signed in)`: [`Error`]'s message shows it as is.
pub trait RetCode: Debug + Display + Clone + Send + Sync + 'static {
    /// Maps a wire code to the enum; codes the generator did not know about
    /// must still map to some catch-all variant.
    fn from_code(code: &str) -> Self;
    /// The wire code, e.g. `100-006`.
    fn code(&self) -> &str;
}

/// Everything a generated client call can fail with.
///
/// `C` is the generated crate's [`RetCode`] enum. No variant carries the
/// session's `Guid` or a request URL (query values may be sensitive), and
/// text the gateway sent is quoted without control characters and cut to
/// [`SERVER_TEXT_CHARS`] characters, so errors are safe to log.
///
/// Each message is complete on its own: the cause of a transport or decode
/// failure is part of the message (down to, say, the untrusted certificate),
/// so it is not repeated by [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<C: RetCode> {
    /// A parameter broke its rule; nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// The gateway answered with a `retcode` other than `"0"`.
    #[error("{operation}: the gateway answered with retcode {code}{}{}", status_suffix(*status), message_suffix(message))]
    Api {
        /// Operation name, e.g. `transfer_media_call`.
        operation: &'static str,
        /// The result code.
        code: C,
        /// The gateway's `message` field (empty when it sent none), without
        /// control characters and cut to [`SERVER_TEXT_CHARS`] characters.
        message: String,
        /// The HTTP status the answer came with: 200 normally, 404 or 405
        /// when the gateway refused the path or method with an envelope.
        status: u16,
    },

    /// The request could not be completed: connection, TLS or I/O (a
    /// timeout is [`Error::Timeout`]).
    #[error("{operation}: the request failed: {}", cause_chain(error))]
    Transport {
        /// Operation name.
        operation: &'static str,
        /// The underlying error, without the request URL.
        error: reqwest::Error,
    },

    /// No complete answer within the time allowed (the builder's timeout, a
    /// per-call one, or your own `reqwest::Client`'s). The request may have
    /// reached the gateway: an action that timed out may still have been done.
    #[error("{operation}: no answer in time: {}", cause_chain(error))]
    Timeout {
        /// Operation name.
        operation: &'static str,
        /// The underlying error, without the request URL.
        error: reqwest::Error,
    },

    /// The gateway answered with an HTTP status outside 2xx.
    #[error("{operation}: the gateway answered with HTTP status {status}{}", snippet_suffix(body_snippet))]
    Status {
        /// Operation name.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The first 512 characters of the body, decoded lossily, without
        /// control characters.
        body_snippet: String,
    },

    /// The answer says the request succeeded (`retcode` `"0"`), but it came
    /// with an HTTP status outside 2xx: whether the action was done is not
    /// known, and it may have been. Check (an event, a query) before doing
    /// it again; the retry policy never resends it.
    #[error(
        "{operation}: the gateway answered with HTTP status {status}, but its answer says the request succeeded: \
         the action may have been done{}",
        snippet_suffix(body_snippet)
    )]
    Contradictory {
        /// Operation name.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The first 512 characters of the body, decoded lossily, without
        /// control characters.
        body_snippet: String,
    },

    /// The body was not the expected JSON envelope, or its `result` did not
    /// have the expected shape (an HTML error page, a truncated body, wrong
    /// types). With a 2xx status the gateway took the request, so an action
    /// may have been done (see [`Error::may_have_acted`]).
    #[error(
        "{operation}: could not decode the response (HTTP status {status}, content type {}): {error}{}{}",
        content_type.as_deref().unwrap_or("none"),
        snippet_suffix(body_snippet),
        if (200..300).contains(status) { "; the gateway took the request, and an action may have been done" } else { "" }
    )]
    Decode {
        /// Operation name.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The `Content-Type` header, if present and readable.
        content_type: Option<String>,
        /// The first 512 characters of the body, decoded lossily, without
        /// control characters.
        body_snippet: String,
        /// What the JSON parser objected to.
        error: serde_json::Error,
    },

    /// The response body was larger than the configured limit; reading
    /// stopped there.
    #[error("{operation}: the response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// Operation name.
        operation: &'static str,
        /// The limit in bytes.
        limit: usize,
    },

    /// The client is misconfigured (base URL, certificate, proxy), or the
    /// generated code asked for something impossible.
    #[error("invalid client configuration: {0}")]
    Config(String),

    /// The session was signed out; it cannot send requests any more.
    #[error("{operation}: the session has ended (signed out); sign in again")]
    SessionEnded {
        /// Operation name.
        operation: &'static str,
    },

    /// A sign-in succeeded but the gateway sent no usable `Set-GUID` header,
    /// so there is no session to continue with.
    #[error("{operation}: the gateway accepted the sign-in but sent no usable Set-GUID header")]
    MissingGuid {
        /// Operation name.
        operation: &'static str,
    },
}

impl<C: RetCode> Error<C> {
    /// The gateway's result code, when the error is [`Error::Api`].
    pub fn api_code(&self) -> Option<&C> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the gateway may have done what was asked although the call
    /// failed: the answer was lost or unreadable after the request reached
    /// it, or it contradicted itself. Such an action is not to be repeated
    /// blindly: check its effect first (an event, a query). False only
    /// where the request cannot have been acted on: it was never sent or
    /// never reached the gateway, or the gateway refused it.
    pub fn may_have_acted(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Contradictory { .. } | Error::BodyTooLarge { .. } => true,
            // A sign-in the gateway accepted, without a token to go on with.
            Error::MissingGuid { .. } => true,
            Error::Transport { error, .. } => !error.is_connect() && !error.is_builder(),
            // A refusal of the request (4xx) comes before any work; a server
            // error may come after it, from the gateway or from a proxy that
            // passed the request on (502 and 503 included).
            Error::Status { status, .. } => *status >= 500,
            Error::Decode { status, .. } => (200..300).contains(status) || *status >= 500,
            Error::Api { .. } | Error::Validation(_) | Error::Config(_) | Error::SessionEnded { .. } => false,
        }
    }

    /// The operation that failed, when known.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Status { operation, .. }
            | Error::Contradictory { operation, .. }
            | Error::Decode { operation, .. }
            | Error::BodyTooLarge { operation, .. }
            | Error::SessionEnded { operation }
            | Error::MissingGuid { operation } => Some(operation),
            Error::Validation(_) | Error::Config(_) => None,
        }
    }
}

/// Longest text from the gateway quoted in an error, in characters.
pub const SERVER_TEXT_CHARS: usize = 512;

/// `text` as it may be quoted in an error: line breaks and tabs become spaces
/// (a quoted message stays on one log line), other control characters (which
/// could drive a terminal) and bidirectional overrides become U+FFFD, and
/// anything past `max_chars` characters is cut, marked with `…`.
pub(crate) fn quote_server_text(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            out.push('…');
            break;
        }
        out.push(match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') => '\u{FFFD}',
            c => c,
        });
    }
    out
}

/// The error and every cause below it, joined by `: `. reqwest's own message
/// ("error sending request") hides what went wrong, such as an untrusted
/// certificate, in its sources.
pub(crate) fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let shown = cause.to_string();
        // Wrappers often repeat their inner error's text.
        if !text.ends_with(&shown) {
            text.push_str(": ");
            text.push_str(&shown);
        }
        next = cause.source();
    }
    text
}

fn status_suffix(status: u16) -> String {
    if status == 200 { String::new() } else { format!(" (HTTP status {status})") }
}

fn message_suffix(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(": {message}") }
}

fn snippet_suffix(snippet: &str) -> String {
    if snippet.is_empty() { String::new() } else { format!("; the body starts with: {snippet}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Code(String);

    impl fmt::Display for Code {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} (test meaning)", self.0)
        }
    }

    impl RetCode for Code {
        fn from_code(code: &str) -> Self {
            Code(code.to_owned())
        }
        fn code(&self) -> &str {
            &self.0
        }
    }

    #[test]
    fn only_a_request_that_cannot_have_been_acted_on_says_so() {
        let status = |status| Error::<Code>::Status { operation: "x", status, body_snippet: String::new() };
        for (code, acted) in [(400, false), (404, false), (500, true), (502, true), (503, true), (504, true)] {
            assert_eq!(status(code).may_have_acted(), acted, "HTTP {code}");
        }
        let contradictory = Error::<Code>::Contradictory { operation: "x", status: 500, body_snippet: String::new() };
        assert!(contradictory.may_have_acted());
        assert!(contradictory.to_string().contains("the action may have been done"), "{contradictory}");
        let refused = Error::<Code>::Api {
            operation: "x",
            code: Code::from_code("100-006"),
            message: String::new(),
            status: 200,
        };
        assert!(!refused.may_have_acted());
        assert!(Error::<Code>::MissingGuid { operation: "sign_in" }.may_have_acted(), "the sign-in was accepted");
        assert!(!Error::<Code>::SessionEnded { operation: "x" }.may_have_acted());
        assert!(!Error::<Code>::Config("x".into()).may_have_acted());
    }

    #[test]
    fn validation_error_display() {
        let e = ValidationError::new("address", "has 25 characters", "at most 24 characters");
        assert_eq!(e.to_string(), "invalid `address`: has 25 characters (rule: at most 24 characters)");
    }

    #[test]
    fn validation_converts_and_displays_transparently() {
        let e: Error<Code> = ValidationError::new("skillId", "is set", "valid only when devicetype is 2").into();
        assert_eq!(e.to_string(), "invalid `skillId`: is set (rule: valid only when devicetype is 2)");
        assert!(e.api_code().is_none());
        assert!(e.operation().is_none());
    }

    #[test]
    fn api_display_includes_operation_code_meaning_and_message() {
        let e: Error<Code> = Error::Api {
            operation: "sign_in",
            code: Code::from_code("100-002"),
            message: "already signed in".into(),
            status: 200,
        };
        assert_eq!(
            e.to_string(),
            "sign_in: the gateway answered with retcode 100-002 (test meaning): already signed in"
        );
        assert_eq!(e.api_code().map(RetCode::code), Some("100-002"));
        assert_eq!(e.operation(), Some("sign_in"));

        let quiet: Error<Code> =
            Error::Api { operation: "sign_in", code: Code::from_code("1"), message: String::new(), status: 200 };
        assert!(quiet.to_string().ends_with("retcode 1 (test meaning)"));

        let refused: Error<Code> =
            Error::Api { operation: "sign_in", code: Code::from_code("000-002"), message: "bad".into(), status: 404 };
        assert_eq!(
            refused.to_string(),
            "sign_in: the gateway answered with retcode 000-002 (test meaning) (HTTP status 404): bad"
        );
    }

    #[test]
    fn server_text_loses_control_characters_and_is_capped() {
        assert_eq!(quote_server_text("plain text", 512), "plain text");
        assert_eq!(quote_server_text("a\u{1b}[31mred\r\nforged", 512), "a\u{fffd}[31mred  forged");
        assert_eq!(quote_server_text("x\u{202E}y\u{2066}z\u{85}", 512), "x\u{fffd}y\u{fffd}z\u{fffd}");
        assert_eq!(quote_server_text(&"é".repeat(600), 512).chars().count(), 513);
        assert!(quote_server_text(&"é".repeat(600), 512).ends_with('…'));
        assert_eq!(quote_server_text(&"é".repeat(512), 512).chars().count(), 512);
    }

    #[test]
    fn status_display() {
        let e: Error<Code> =
            Error::Status { operation: "sign_out", status: 503, body_snippet: "<html>busy</html>".into() };
        assert_eq!(
            e.to_string(),
            "sign_out: the gateway answered with HTTP status 503; the body starts with: <html>busy</html>"
        );
    }
}
