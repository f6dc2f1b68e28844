//! One request/response cycle: the shared body of every generated method.
//!
//! Only the thin entry points ([`execute`], [`start_session`]) are generic,
//! over the answer type they decode at the end; the cycle itself works on
//! bytes and [`serde_json::Value`]s, so it is compiled once per crate rather
//! than once per interface.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderMap, HeaderValue, SET_COOKIE};
use serde::de::DeserializeOwned;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use tracing::Instrument;
use tracing::field::Empty;

use crate::constraint::check_str;
use crate::error::{Error, RetCode, SERVER_TEXT_CHARS, ValidationError, quote_server_text};
use crate::operation::{Call, Operation};
use crate::protocol::Protocol;
use crate::retry::is_retryable;
use crate::secret::Guid;
use crate::session::{AgentId, SessionState};
use crate::transport::Transport;

/// Characters of a body quoted in [`Error::Status`] and [`Error::Decode`].
const SNIPPET_CHARS: usize = SERVER_TEXT_CHARS;

/// A boxed cycle: the generic entry points hold only this pointer, so their
/// own code stays a few instructions per answer type.
type Cycle<'a, T, C> = Pin<Box<dyn Future<Output = Result<T, Error<C>>> + Send + 'a>>;

/// Sends one request for `op` and decodes the answer member of the gateway's
/// `{ "message", "retcode", "result" }` envelope into `T`.
///
/// With a `session`, its agent ID fills the operation's agent-ID path
/// parameter, its cookies are replayed, a `Set-GUID` or `Set-Cookie` in the
/// response updates it (even when the call then fails), and an ended session
/// fails with [`Error::SessionEnded`] before any I/O. An operation with
/// `sends_guid` needs a session; without one the call fails with
/// [`Error::Config`], since only a generator bug can cause it.
///
/// A success (`retcode` `"0"`) is never turned into an error because the
/// answer's member has an unexpected shape: the action was done, and a caller
/// that retried would do it twice. A member that is missing, `null` or not
/// readable as `T` gives `T::default()` (`None` for an optional call ID, a
/// result with every field unset), so `T` says what could be known.
///
/// Each call runs in a `tracing` span named `agentgateway.request` (fields
/// `operation`, `method`, `agent_id`, `sends`, `status`, `retcode`,
/// `latency_ms`, `outcome`); no token, cookie or body is recorded.
///
/// ```no_run
/// use agentgateway_runtime::{execute, AgentIdParam, Call, Error, Method, Operation, Reserved, RetCode, SessionState, Transport};
///
/// static SAY_BUSY: Operation = Operation {
///     name: "say_busy",
///     method: Method::Post,
///     path: "/onlineagent/{agentid}/saybusy",
///     sends_guid: true,
///     result: "result",
///     agent_id: Some(AgentIdParam { name: "agentid", constraints: &[] }),
/// };
///
/// async fn say_busy<C: RetCode>(transport: &Transport, session: &SessionState) -> Result<(), Error<C>> {
///     let _: Reserved = execute(transport, Some(session), &SAY_BUSY, Call::default()).await?;
///     Ok(())
/// }
/// ```
pub async fn execute<T, C>(
    transport: &Transport,
    session: Option<&SessionState>,
    op: &'static Operation,
    call: Call<'_>,
) -> Result<T, Error<C>>
where
    T: DeserializeOwned + Default,
    C: RetCode,
{
    let agent_id = session.map(|s| s.agent_id().as_str());
    let member = cycle::<C>(transport, session, agent_id, op, &call).await?;
    Ok(answer(member))
}

/// The answer of a successful call. The gateway did what was asked: an odd
/// member costs what it would have told, never the success itself. A number
/// where text is expected (a call ID sent as `12345`) is read as its digits
/// rather than dropped.
fn answer<T: DeserializeOwned + Default>(member: serde_json::Value) -> T {
    match T::deserialize(&member) {
        Ok(value) => value,
        Err(_) => match member {
            serde_json::Value::Number(n) => {
                T::deserialize(serde_json::Value::String(n.to_string())).unwrap_or_default()
            }
            _ => T::default(),
        },
    }
}

/// Like [`execute`] without a session, for an operation that names an agent
/// in its path but sends no session token: `agent_id` fills the path and is
/// first checked against the constraints the operation's page sets on it.
pub async fn execute_as<T, C>(
    transport: &Transport,
    agent_id: &AgentId,
    op: &'static Operation,
    call: Call<'_>,
) -> Result<T, Error<C>>
where
    T: DeserializeOwned + Default,
    C: RetCode,
{
    if let Some(param) = op.agent_id {
        check_str(param.name, agent_id.as_str(), param.constraints)?;
    }
    let member = cycle::<C>(transport, None, Some(agent_id.as_str()), op, &call).await?;
    Ok(T::deserialize(member).unwrap_or_default())
}

/// Sends a sign-in request for `agent_id` and starts a session from the
/// `Set-GUID` (and any `Set-Cookie`) headers of its successful answer.
///
/// The agent ID is checked against the constraints the operation's page sets
/// on it before anything is sent. Fails with [`Error::MissingGuid`] if the
/// gateway accepted the sign-in but sent no usable `Set-GUID`, and with
/// [`Error::Config`] if `op` is marked `sends_guid` (there is no token yet to
/// send).
pub async fn start_session<T, C>(
    transport: &Transport,
    agent_id: AgentId,
    op: &'static Operation,
    call: Call<'_>,
) -> Result<(T, SessionState), Error<C>>
where
    T: DeserializeOwned + Default,
    C: RetCode,
{
    let (member, session) = sign_in::<C>(transport, agent_id, op, &call).await?;
    Ok((T::deserialize(member).unwrap_or_default(), session))
}

fn request_span(op: &'static Operation, agent_id: Option<&str>) -> tracing::Span {
    tracing::info_span!(
        "agentgateway.request",
        operation = op.name,
        method = op.method.as_str(),
        agent_id = agent_id,
        sends = Empty,
        status = Empty,
        retcode = Empty,
        latency_ms = Empty,
        outcome = Empty,
    )
}

/// Records how a call ended on its request span.
fn record_outcome<T, C: RetCode>(span: &tracing::Span, result: &Result<T, Error<C>>, sends: u32, started: Instant) {
    span.record("sends", sends);
    span.record("latency_ms", u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    match result {
        Ok(_) => span.record("outcome", "ok"),
        // Errors carry no token, URL or body beyond a sanitised snippet.
        Err(error) => span.record("outcome", tracing::field::display(error)),
    };
}

fn cycle<'a, C: RetCode>(
    transport: &'a Transport,
    session: Option<&'a SessionState>,
    agent_id: Option<&'a str>,
    op: &'static Operation,
    call: &'a Call<'a>,
) -> Cycle<'a, serde_json::Value, C> {
    let span = request_span(op, agent_id);
    let recorder = span.clone();
    Box::pin(
        async move {
            let started = Instant::now();
            let (mut sends, mut resends) = (0u32, 0usize);
            let result = loop {
                sends += 1;
                let (result, sent) = attempt(transport, session, agent_id, op, call, &recorder).await;
                let Err(error) = &result else { break result };
                // The vendor's codes for a stale token mean nothing was
                // done. When the session's Guid rotated while the request was
                // on its way (the gateway keeps only the previous one valid),
                // the request is sent again with the current Guid rather than
                // failing an action the agent was entitled to; a few times at
                // most, as rotations can follow each other.
                if resends < MAX_ROTATION_RESENDS && rotated_meanwhile(error, session, sent.as_ref()) {
                    resends += 1;
                    tracing::debug!(
                        resend = resends,
                        "the Guid rotated while the request was on its way; sending again"
                    );
                    continue;
                }
                let retry = (op.method.is_idempotent() && is_retryable(error))
                    .then(|| transport.retrier().and_then(|r| r.next_delay(sends - resends as u32)))
                    .flatten();
                let Some(delay) = retry else { break result };
                tracing::debug!(
                    error = %error,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "retrying an idempotent read"
                );
                tokio::time::sleep(delay).await;
            };
            record_outcome(&recorder, &result, sends, started);
            result
        }
        .instrument(span),
    )
}

fn rotated_meanwhile<C: RetCode>(error: &Error<C>, session: Option<&SessionState>, sent: Option<&Guid>) -> bool {
    match (error, session, sent) {
        (Error::Api { code, .. }, Some(session), Some(sent)) => {
            STALE_TOKEN.contains(&code.code()) && session.guid() != *sent
        }
        _ => false,
    }
}

/// How often a request refused for a Guid that rotated meanwhile is sent again.
const MAX_ROTATION_RESENDS: usize = 3;

/// The vendor's codes for a request whose `Guid` the gateway did not accept
/// ("authentication failed", "not signed in"): `spec/api.yaml` says a stale
/// token is answered with either.
const STALE_TOKEN: [&str; 2] = ["000-003", "100-006"];

/// One exchange; also gives the Guid the request carried.
async fn attempt<C: RetCode>(
    transport: &Transport,
    session: Option<&SessionState>,
    agent_id: Option<&str>,
    op: &'static Operation,
    call: &Call<'_>,
    span: &tracing::Span,
) -> (Result<serde_json::Value, Error<C>>, Option<Guid>) {
    if session.is_some_and(SessionState::is_ended) {
        return (Err(Error::SessionEnded { operation: op.name }), None);
    }
    let outgoing = session.map(SessionState::outgoing);
    let guid = match (op.sends_guid, &outgoing) {
        (true, Some(outgoing)) => Some(outgoing.guid.clone()),
        (true, None) => {
            let problem = format!("operation `{}` needs a signed-in session but was called without one", op.name);
            return (Err(Error::Config(problem)), None);
        }
        (false, _) => None,
    };
    let cookies = match outgoing.map(|o| o.cookie_header) {
        Some(Err(_)) => {
            let problem = "a stored cookie contains characters not allowed in a header".to_owned();
            return (Err(Error::Config(problem)), guid);
        }
        Some(Ok(header)) => header,
        None => None,
    };
    let result = async {
        let response = send(transport, op, agent_id, call, guid.as_ref(), cookies).await?;
        let update = SessionUpdate::from_headers(response.headers(), transport);
        if let Some(session) = session {
            update.apply(session, guid.as_ref());
        }
        read_body(op, transport.max_body_bytes(), response).await?.decode(op, transport.protocol(), span)
    }
    .await;
    (result, guid)
}

fn sign_in<'a, C: RetCode>(
    transport: &'a Transport,
    agent_id: AgentId,
    op: &'static Operation,
    call: &'a Call<'a>,
) -> Cycle<'a, (serde_json::Value, SessionState), C> {
    let span = request_span(op, Some(agent_id.as_str()));
    let recorder = span.clone();
    Box::pin(
        async move {
            let started = Instant::now();
            let result = sign_in_once(transport, agent_id, op, call, &recorder).await;
            record_outcome(&recorder, &result, 1, started);
            result
        }
        .instrument(span),
    )
}

async fn sign_in_once<C: RetCode>(
    transport: &Transport,
    agent_id: AgentId,
    op: &'static Operation,
    call: &Call<'_>,
    span: &tracing::Span,
) -> Result<(serde_json::Value, SessionState), Error<C>> {
    if op.sends_guid {
        return Err(Error::Config(format!(
            "operation `{}` sends a session token, so it cannot start a session",
            op.name
        )));
    }
    if let Some(param) = op.agent_id {
        check_str(param.name, agent_id.as_str(), param.constraints)?;
    }
    let response = send(transport, op, Some(agent_id.as_str()), call, None, None).await?;
    let update = SessionUpdate::from_headers(response.headers(), transport);
    let body = read_body(op, transport.max_body_bytes(), response).await?;
    let value = body.decode(op, transport.protocol(), span)?;
    let guid = update.guid.clone().ok_or(Error::MissingGuid { operation: op.name })?;
    let session = SessionState::new(agent_id, guid);
    update.apply(&session, None);
    Ok((value, session))
}

async fn send<C: RetCode>(
    transport: &Transport,
    op: &'static Operation,
    agent_id: Option<&str>,
    call: &Call<'_>,
    guid: Option<&Guid>,
    cookies: Option<HeaderValue>,
) -> Result<reqwest::Response, Error<C>> {
    let url = op.url(transport.base_url(), agent_id, call)?;
    let protocol = transport.headers();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, protocol.content_type.clone());
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(guid) = guid {
        let value = sensitive_header(guid.expose())
            .ok_or_else(|| Error::Config("the session token contains characters not allowed in a header".to_owned()))?;
        headers.insert(protocol.token.clone(), value);
    }
    if let Some(cookies) = cookies {
        headers.insert(COOKIE, cookies);
    }
    for (name, value) in call.headers {
        let Some(value) = value else { continue };
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("operation `{}`: `{name}` is not a header name", op.name)))?;
        // Header parameters may carry tokens (service_token): never shown.
        let value = sensitive_header(value).ok_or_else(|| {
            Error::Validation(ValidationError::new(
                name.as_str().to_owned(),
                "contains characters not allowed in a header",
                "visible ASCII",
            ))
        })?;
        headers.insert(name, value);
    }
    let mut request = transport.client().request(op.method.to_reqwest(), url).headers(headers);
    if let Some(timeout) = transport.call_timeout() {
        request = request.timeout(timeout);
    }
    if let Some(body) = &call.body {
        request = request.body(body.bytes(op)?);
    }
    request.send().await.map_err(|error| transport_error(op, error))
}

/// Query values may be sensitive, and the operation names the request well
/// enough, so the URL is left out. A timeout has a variant of its own: the
/// caller may want to wait longer, where another transport failure calls for
/// a look at the network.
fn transport_error<C: RetCode>(op: &'static Operation, error: reqwest::Error) -> Error<C> {
    if error.is_timeout() {
        Error::Timeout { operation: op.name, error: error.without_url() }
    } else {
        Error::Transport { operation: op.name, error: error.without_url() }
    }
}

/// Marked sensitive so the http crate's own `Debug` hides it too.
fn sensitive_header(value: &str) -> Option<HeaderValue> {
    let mut header = HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

/// What a response asks the session to remember.
struct SessionUpdate {
    guid: Option<Guid>,
    cookies: Vec<CookieChange>,
}

enum CookieChange {
    Set(String, String),
    Remove(String),
}

impl SessionUpdate {
    fn from_headers(headers: &HeaderMap, transport: &Transport) -> Self {
        let prefix = transport.protocol().token_prefix;
        let guid = headers
            .get_all(&transport.headers().issued_in)
            .iter()
            .rev()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| Guid::from_token_header(v, prefix));
        let cookies =
            headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).filter_map(parse_set_cookie).collect();
        SessionUpdate { guid, cookies }
    }

    /// `sent` is the token the request carried: a new one replaces only that,
    /// so a slow answer cannot roll back a newer rotation.
    fn apply(&self, session: &SessionState, sent: Option<&Guid>) {
        if let Some(guid) = &self.guid {
            match sent {
                Some(sent) => {
                    if session.rotate_guid(sent, guid.clone()) && guid != sent {
                        tracing::debug!(
                            agent_id = session.agent_id().as_str(),
                            "the gateway rotated the session's Guid"
                        );
                    }
                }
                None => session.set_guid(guid.clone()),
            }
        }
        for change in &self.cookies {
            match change {
                CookieChange::Set(name, value) => session.set_cookie(name.as_str(), value.as_str()),
                CookieChange::Remove(name) => session.remove_cookie(name),
            }
        }
    }
}

/// Only `name=value` matters for replay; an empty value or `Max-Age=0` is
/// how servers delete a cookie.
fn parse_set_cookie(header: &str) -> Option<CookieChange> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let (name, value) = (name.trim(), value.trim());
    if name.is_empty() {
        return None;
    }
    let expired = parts.any(|attribute| {
        attribute
            .split_once('=')
            .is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case("max-age") && v.trim().starts_with(['0', '-']))
    });
    Some(if value.is_empty() || expired {
        CookieChange::Remove(name.to_owned())
    } else {
        CookieChange::Set(name.to_owned(), value.to_owned())
    })
}

/// A fully read response.
struct Body {
    status: u16,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

async fn read_body<C: RetCode>(
    op: &'static Operation,
    limit: usize,
    mut response: reqwest::Response,
) -> Result<Body, Error<C>> {
    let too_large = || Error::BodyTooLarge { operation: op.name, limit };
    let status = response.status().as_u16();
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if response.content_length().is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // A missing or lying Content-Length must not let the body grow past the
    // limit, so the limit is enforced chunk by chunk as well.
    while let Some(chunk) = response.chunk().await.map_err(|error| transport_error(op, error))? {
        if chunk.len() > limit - bytes.len() {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body { status, content_type, bytes })
}

/// The gateway's `{ "message", "retcode", "result" }` envelope, keeping only
/// the member the operation answers in.
struct Envelope {
    message: Option<String>,
    retcode: String,
    /// `result`, or whichever member the operation reads its answer from;
    /// `Null` when absent.
    member: serde_json::Value,
}

impl Envelope {
    /// Reads the envelope of `body`, skipping members nobody reads without
    /// building values for them.
    ///
    /// A leading byte-order mark is skipped. Text that is not Unicode (bytes
    /// of another encoding, an unpaired surrogate escape) must not turn the
    /// gateway's verdict into a decoding failure: a placed call would be
    /// reported as not placed, a polled event lost. Such a body is read
    /// again with that text replaced by U+FFFD, and a warning is logged.
    fn read(body: &[u8], member: &'static str, protocol: &Protocol) -> Result<Envelope, serde_json::Error> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let strict = Self::read_exactly(body, member, protocol);
        let Err(error) = strict else { return strict };
        match unicode_replaced(body) {
            Some(replaced) => {
                let envelope = Self::read_exactly(replaced.as_bytes(), member, protocol).map_err(|_| error)?;
                tracing::warn!("the answer held text that is not Unicode; it was replaced by U+FFFD");
                Ok(envelope)
            }
            None => Err(error),
        }
    }

    fn read_exactly(body: &[u8], member: &'static str, protocol: &Protocol) -> Result<Envelope, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let seed = EnvelopeSeed { member, message: protocol.message, retcode: protocol.retcode };
        let envelope = seed.deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(envelope)
    }
}

/// `body` as UTF-8 with invalid bytes and unpaired `\uD800`..`\uDFFF`
/// escapes replaced by U+FFFD; `None` when there is nothing to replace.
/// Escapes are found by their backslash, which in JSON only strings hold.
fn unicode_replaced(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let bytes = text.as_bytes();
    // The UTF-16 unit of a `\uXXXX` escape at `at` that is a surrogate.
    let surrogate = |at: usize| -> Option<u16> {
        let escape = bytes.get(at..at + 6)?;
        let hex = std::str::from_utf8(&escape[2..]).ok()?;
        let unit = u16::from_str_radix(hex, 16).ok()?;
        (escape[..2] == *b"\\u" && (0xD800..=0xDFFF).contains(&unit)).then_some(unit)
    };
    let mut out = String::with_capacity(text.len());
    let mut changed = matches!(text, std::borrow::Cow::Owned(_));
    // `kept` is where the text not yet copied starts; both it and every
    // backslash are character boundaries.
    let (mut kept, mut at) = (0, 0);
    while let Some(found) = bytes.get(at..).and_then(|rest| rest.iter().position(|&b| b == b'\\')) {
        let slash = at + found;
        match surrogate(slash) {
            Some(0xD800..=0xDBFF) if surrogate(slash + 6).is_some_and(|low| low >= 0xDC00) => at = slash + 12,
            Some(_) => {
                out.push_str(&text[kept..slash]);
                out.push_str("\\uFFFD");
                changed = true;
                at = slash + 6;
                kept = at;
            }
            // Any other escape is two bytes or more; skipping two keeps `\\u`
            // (an escaped backslash, then `u`) from reading as an escape.
            None => at = slash + 2,
        }
    }
    out.push_str(&text[kept..]);
    changed.then_some(out)
}

struct EnvelopeSeed {
    member: &'static str,
    message: &'static str,
    retcode: &'static str,
}

/// Which envelope member a key names.
enum Key {
    Message,
    Retcode,
    Member,
    Other,
}

impl<'de> DeserializeSeed<'de> for &EnvelopeSeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for &EnvelopeSeed {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(if key == self.message {
            Key::Message
        } else if key == self.retcode {
            Key::Retcode
        } else if key == self.member {
            Key::Member
        } else {
            Key::Other
        })
    }
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed {
    type Value = Envelope;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Envelope, D::Error> {
        struct Members(EnvelopeSeed);

        impl<'de> Visitor<'de> for Members {
            type Value = Envelope;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the gateway's envelope, a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
                let (mut message, mut retcode, mut member) = (None, None, serde_json::Value::Null);
                while let Some(key) = map.next_key_seed(&self.0)? {
                    match key {
                        Key::Message => message = map.next_value::<Lenient>()?.0,
                        Key::Retcode => retcode = Some(string_or_integer(map.next_value::<serde_json::Value>()?)?),
                        Key::Member => member = map.next_value()?,
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let retcode = retcode.ok_or_else(|| serde::de::Error::missing_field(self.0.retcode))?;
                Ok(Envelope { message, retcode, member })
            }
        }

        deserializer.deserialize_map(Members(self))
    }
}

/// A `message` in any form, read as text where it has one.
struct Lenient(Option<String>);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lenient::opt_string(deserializer).map(Lenient)
    }
}

impl Envelope {
    fn api_error<C: RetCode>(self, op: &'static Operation, status: u16) -> Error<C> {
        Error::Api {
            operation: op.name,
            code: C::from_code(&self.retcode),
            message: quote_server_text(self.message.as_deref().unwrap_or_default(), SERVER_TEXT_CHARS),
            status,
        }
    }
}

/// The documented type is a string, but a number is unambiguous enough to
/// accept rather than fail the whole call over.
fn string_or_integer<E: serde::de::Error>(value: serde_json::Value) -> Result<String, E> {
    match value {
        // Spaces around the code are no part of it: `" 0"` is a success.
        serde_json::Value::String(s) if s.trim().len() < s.len() => Ok(s.trim().to_owned()),
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(E::custom(format!("expected a string or an integer, found {other}"))),
    }
}

impl Body {
    /// The answer member of a successful envelope, as JSON.
    fn decode<C: RetCode>(
        self,
        op: &'static Operation,
        protocol: &Protocol,
        span: &tracing::Span,
    ) -> Result<serde_json::Value, Error<C>> {
        span.record("status", self.status);
        let envelope = Envelope::read(&self.bytes, op.result, protocol);
        if let Ok(envelope) = &envelope {
            span.record("retcode", envelope.retcode.as_str());
        }
        if !(200..300).contains(&self.status) {
            // A gateway error code is worth more than the status it came with.
            let (operation, status, body_snippet) = (op.name, self.status, snippet(&self.bytes));
            return Err(match envelope {
                Ok(envelope) if envelope.retcode != protocol.success => envelope.api_error(op, self.status),
                // Neither verdict is told as the truth: see `Error::Contradictory`.
                Ok(_) => Error::Contradictory { operation, status, body_snippet },
                Err(_) => Error::Status { operation, status, body_snippet },
            });
        }
        let envelope = envelope.map_err(|source| self.decode_error(op, source))?;
        if envelope.retcode != protocol.success {
            return Err(envelope.api_error(op, self.status));
        }
        Ok(envelope.member)
    }

    fn decode_error<C: RetCode>(&self, op: &'static Operation, error: serde_json::Error) -> Error<C> {
        Error::Decode {
            operation: op.name,
            status: self.status,
            content_type: self.content_type.as_deref().map(|t| quote_server_text(t, SERVER_TEXT_CHARS)),
            body_snippet: snippet(&self.bytes),
            error,
        }
    }
}

/// The first [`SNIPPET_CHARS`] characters of `body`, decoded lossily, safe
/// to print.
fn snippet(body: &[u8]) -> String {
    // Four bytes per character at most, so this prefix always holds enough
    // characters, and decoding it stays cheap for a 16 MiB body.
    let prefix = &body[..body.len().min(SNIPPET_CHARS * 4)];
    let text: String = String::from_utf8_lossy(prefix).chars().take(SNIPPET_CHARS).collect();
    quote_server_text(&text, SNIPPET_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_unicode_is_replaced_and_the_rest_kept() {
        let replaced = unicode_replaced;
        assert_eq!(replaced(br#"{"a":"\ud83d\ude00 ok"}"#), None, "a pair is Unicode");
        assert_eq!(replaced(br#"{"a":"x\\ud83d"}"#), None, "an escaped backslash, then text");
        assert_eq!(replaced(br#"{"a":"\ud83dx"}"#).as_deref(), Some(r#"{"a":"\uFFFDx"}"#));
        assert_eq!(replaced(br#"{"a":"\udc00\ud83d"}"#).as_deref(), Some(r#"{"a":"\uFFFD\uFFFD"}"#));
        assert_eq!(replaced(b"{\"a\":\"\xb3\xc9\"}").as_deref(), Some("{\"a\":\"\u{fffd}\u{fffd}\"}"));
        assert_eq!(replaced("{\"é\":\"\\é\"}".as_bytes()), None, "a backslash before a wide character");
        assert_eq!(replaced(b"\\"), None);
        assert_eq!(replaced(b"\\u12"), None);
    }

    fn cookie(header: &str) -> Option<(String, Option<String>)> {
        parse_set_cookie(header).map(|change| match change {
            CookieChange::Set(n, v) => (n, Some(v)),
            CookieChange::Remove(n) => (n, None),
        })
    }

    #[test]
    fn set_cookie_parsing() {
        assert_eq!(cookie("JSESSIONID=abc; Path=/; Secure; HttpOnly"), Some(("JSESSIONID".into(), Some("abc".into()))));
        assert_eq!(cookie(" route = r1 "), Some(("route".into(), Some("r1".into()))));
        assert_eq!(cookie("a=b=c"), Some(("a".into(), Some("b=c".into()))));
        assert_eq!(cookie("gone=; Path=/"), Some(("gone".into(), None)));
        assert_eq!(cookie("gone=x; Max-Age=0"), Some(("gone".into(), None)));
        assert_eq!(cookie("gone=x; max-age=-1"), Some(("gone".into(), None)));
        assert_eq!(cookie("kept=x; Max-Age=60"), Some(("kept".into(), Some("x".into()))));
        assert_eq!(cookie("=x"), None);
        assert_eq!(cookie("novalue"), None);
    }

    #[test]
    fn snippet_is_512_characters() {
        assert_eq!(snippet(b"short"), "short");
        let long = "é".repeat(600);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 512);
        let invalid = [0xffu8; 3000];
        assert_eq!(snippet(&invalid).chars().count(), 512);
        assert_eq!(snippet(&[0xe2, 0x82]), "\u{fffd}");
    }
}
