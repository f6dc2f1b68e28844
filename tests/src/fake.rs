//! A fake CC-Gateway ("AgentGateway") for end-to-end tests.
//!
//! [`FakeGateway`] is a small server on `127.0.0.1` (OS-assigned port, HTTPS with a private CA
//! or plain HTTP) that behaves like the gateway for every interface described in its spec tree:
//! requests are judged by the specs ([`crate::judge`]), sign-in hands out a session token in
//! `Set-GUID` and a routing cookie, every other interface checks the `Guid` header, events are
//! collected by long-polling `GET /agentevent/{agentid}`, and a successful operation queues the
//! events its spec lists and answers with the result its spec describes ([`crate::behaviour`]).
//! Only the state is modelled by hand: the calls (who is talking, which call is held or ringing)
//! and the agent's desk (busy, rest, work or idle, mute, DTMF digits; see `desk`).
//! Every answer is HTTP 200 with the gateway's `{"message", "retcode", "result"}` envelope (the
//! event poll carries `event` instead of `result`); an unknown path is HTTP 404.
//!
//! Test hooks: [`FakeGateway::push_event`], [`FakeGateway::inject_call`],
//! [`FakeGateway::rotate_guid`], [`FakeGateway::drop_session`], [`FakeGateway::restart`],
//! [`FakeGateway::fail_next`], [`FakeGateway::fault_next`] (delay, cut body, HTML page, dropped
//! connection) and [`FakeGateway::requests`] (the request log, with refusals and warnings);
//! the same hooks are served as JSON over HTTP under [`CONTROL_PATH`] (see [`control`]), so the
//! `fake-gateway` binary can be scripted while it runs.
//!
//! Conventions of the fake (not of the real gateway):
//! - a transfer (voice or media) to address `"0000"` fails: the failure events its spec lists
//!   (`AgentEvent_Connect_Fail`) are queued instead of the others;
//! - a new sign-in starts with an empty event queue, so events are to be pushed after sign-in;
//! - when a session ends (sign-out, [`FakeGateway::drop_session`], poll timeout, forced sign-in
//!   elsewhere), a poll that is already waiting receives the session's remaining events (among
//!   them `AgentOther_ShutdownService`); any later request gets `100-006`.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Query, Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use serde_json::{Value, json};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

use ccgen::ir::{Api, HeaderRole, Interface, ResultShape, Role, SessionEffect};

use crate::behaviour::{self, Facts, Outcome};

use crate::judge::{Judge, Refusal};

mod calls;
pub mod control;
mod desk;
mod hooks;
use crate::tls::Certificates;
pub use control::CONTROL_PATH;

/// Prefix of every interface path.
pub const BASE_PATH: &str = "/agentgateway/resource";

/// Largest request body the fake reads (the vendor's largest documented field is 16 KB).
const MAX_BODY: usize = 1024 * 1024;

/// Behaviour settings of a [`FakeGateway`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Dynamic authentication (AUTHMODE=2): the Guid is replaced every `rotate_every_polls`
    /// successful polls, the new one travelling in the poll response's `Set-GUID` header.
    pub dynamic_auth: bool,
    /// Polls between two rotations in dynamic mode; 0 disables periodic rotation.
    pub rotate_every_polls: u32,
    /// How long a poll waits for an event before answering with `"event": null`
    /// (the real gateway waits about 10 s).
    pub poll_wait: Duration,
    /// An agent that neither polls nor sends a heartbeat for this long is signed out
    /// (the real gateway: 2 minutes). Keep it above `poll_wait`.
    pub no_poll_timeout: Duration,
    /// How long the previous Guid stays usable after a rotation (GUIDTIMEOUT, 120 s by default).
    pub guid_timeout: Duration,
    /// The spec tree requests are judged by; `None` for the repository's `spec/`.
    pub spec_dir: Option<PathBuf>,
    /// Serve HTTPS with a fresh private CA ([`FakeGateway::ca_pem`]) instead of plain HTTP.
    pub https: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dynamic_auth: false,
            rotate_every_polls: 5,
            poll_wait: Duration::from_millis(200),
            no_poll_timeout: Duration::from_secs(120),
            guid_timeout: Duration::from_secs(120),
            spec_dir: None,
            https: false,
        }
    }
}

/// A transport-level misbehaviour for [`FakeGateway::fault_next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer as usual, but only after this long.
    Delay(Duration),
    /// Announce a full answer, send only its first bytes, then close.
    CutBody,
    /// An HTML error page with this HTTP status, as a proxy in front of the gateway sends.
    HtmlPage(u16),
    /// Close the connection without answering.
    DropConnection,
}

/// One request as it reached the fake, in arrival order.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordedRequest {
    /// `GET`, `PUT`, `POST`, `DELETE`, ...
    pub method: String,
    /// Full path, e.g. `/agentgateway/resource/voicecall/205/transfer`.
    pub path: String,
    /// Raw query string without `?`, if any.
    pub query: Option<String>,
    /// All headers, names lower-case, in arrival order (values that are not UTF-8 are lossy).
    pub headers: Vec<(String, String)>,
    /// Value of the `Guid` header, if sent.
    pub guid: Option<String>,
    /// Raw body as text (lossy UTF-8); empty when there was none.
    pub body: String,
    /// The rule the request broke, when the specs refused it.
    pub refused: Option<String>,
    /// What the gateway would let through but is worth a look: a request of a signed-in
    /// agent without the sign-in cookie (a load balancer would misroute it).
    pub warnings: Vec<String>,
}

impl RecordedRequest {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path below [`BASE_PATH`], e.g. `/voicecall/205/transfer`.
    pub fn operation_path(&self) -> &str {
        self.path.strip_prefix(BASE_PATH).unwrap_or(&self.path)
    }
}

// ------------------------------------------------------------------ state

#[derive(Debug, Clone)]
struct Event {
    event_type: String,
    gen_time: u64,
    content: Value,
}

#[derive(Debug)]
struct Session {
    epoch: u64,
    guid: String,
    previous_guid: Option<(String, Instant)>,
    login_time: u64,
    polls: u32,
    rotate_pending: bool,
    last_poll: Instant,
    active_call: Option<Call>,
    held_calls: Vec<Call>,
    /// An inbound call ringing for the agent, until answered.
    ringing: Option<Call>,
    desk: desk::Desk,
}

#[derive(Debug, Clone)]
struct Call {
    id: String,
    /// The other party's number.
    other: String,
}

#[derive(Debug, Default)]
struct Agent {
    password: String,
    /// Wakes this agent's waiting polls only: waking every poll on every
    /// change costs O(agents) per request under load.
    notify: Arc<Notify>,
    session: Option<Session>,
    /// Events of the session with epoch `queue_epoch`.
    events: VecDeque<Event>,
    queue_epoch: u64,
}

#[derive(Debug, Default)]
struct State {
    agents: HashMap<String, Agent>,
    requests: Vec<RecordedRequest>,
    /// Requests recorded and then forgotten ([`FakeGateway::clear_requests`]).
    forgotten: usize,
    fail_next: Vec<(String, String)>,
    faults: Vec<(String, Fault)>,
    next_epoch: u64,
}

struct Shared {
    judge: Arc<Judge>,
    state: Mutex<State>,
    config: Config,
    seed: u64,
    counter: AtomicU64,
    calls: AtomicU64,
    start_secs: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the polls waiting for `agent_id`'s events.
    fn wake(&self, agent_id: &str) {
        let notify = self.lock().agents.get(agent_id).map(|a| Arc::clone(&a.notify));
        if let Some(notify) = notify {
            notify.notify_waiters();
        }
    }

    /// Wakes every waiting poll.
    fn wake_all(&self) {
        let all: Vec<Arc<Notify>> = self.lock().agents.values().map(|a| Arc::clone(&a.notify)).collect();
        for notify in all {
            notify.notify_waiters();
        }
    }

    /// A token shaped like the gateway's: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.AgentGateway1`.
    fn new_guid(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let a = splitmix(self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let b = splitmix(a ^ self.seed.rotate_left(17) ^ n);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}.AgentGateway1",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn push(agent: &mut Agent, event_type: &str, content: Value) {
    agent.events.push_back(Event { event_type: event_type.to_owned(), gen_time: now_ms(), content });
}

/// Ends the agent's session, if any, and queues `AgentOther_ShutdownService`.
fn end_session(api: &Api, agent: &mut Agent) -> bool {
    match agent.session.take() {
        Some(session) => {
            let mut facts = Facts::default();
            facts.set("loginTime", session.login_time.to_string());
            let name = "AgentOther_ShutdownService";
            push(agent, name, behaviour::content(api, name, &facts));
            true
        }
        None => false,
    }
}

// ------------------------------------------------------------ the handle

/// A running fake gateway; the server stops when this is dropped.
pub struct FakeGateway {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// The CA certificate (PEM) when serving HTTPS.
    ca_pem: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    watchdog: JoinHandle<()>,
}

impl std::fmt::Debug for FakeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGateway").field("addr", &self.addr).finish()
    }
}

impl FakeGateway {
    /// Starts a fake with [`Config::default`] on `127.0.0.1` with an OS-assigned port.
    pub async fn start() -> FakeGateway {
        Self::start_with(Config::default()).await
    }

    /// Starts a fake with the given settings on `127.0.0.1` with an OS-assigned port.
    pub async fn start_with(config: Config) -> FakeGateway {
        Self::start_on(0, config).await.expect("bind the fake gateway to 127.0.0.1:0")
    }

    /// Starts a fake on `127.0.0.1:port` (0 = OS-assigned).
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the specs do not validate.
    pub async fn start_on(port: u16, config: Config) -> std::io::Result<FakeGateway> {
        let judge = match &config.spec_dir {
            Some(dir) => Arc::new(Judge::load(dir).map_err(std::io::Error::other)?),
            None => default_judge()?,
        };
        let listener = listen(port)?;
        let addr = listener.local_addr()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let shared = Arc::new(Shared {
            judge,
            state: Mutex::new(State::default()),
            seed: splitmix(now.as_nanos() as u64 ^ u64::from(addr.port()) << 48),
            counter: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            start_secs: now.as_secs(),
            config,
        });
        let app = Router::new()
            .route(&format!("{BASE_PATH}/{{*rest}}"), any(handle))
            .nest(CONTROL_PATH, control::router())
            .fallback(|| async { StatusCode::NOT_FOUND })
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = rx.await;
        };
        let (server, ca_pem) = if shared.config.https {
            let certificates = Certificates::generate().map_err(std::io::Error::other)?;
            let listener = certificates.listener(listener)?;
            let server = tokio::spawn(async move {
                let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
            });
            (server, Some(certificates.ca_pem))
        } else {
            let server = tokio::spawn(async move {
                let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
            });
            (server, None)
        };
        let watchdog = tokio::spawn(watchdog(shared.clone()));
        Ok(FakeGateway { shared, addr, ca_pem, shutdown: Some(tx), server, watchdog })
    }

    /// `https://127.0.0.1:PORT` (or `http://` for a plain fake), without the base path.
    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The PEM certificate of the CA that signed the fake's certificate, when it serves HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Registers (or re-registers with a new password) an agent that may sign in.
    pub fn add_agent(&self, agent_id: &str, password: &str) {
        self.shared.add_agent(agent_id, password);
    }

    /// Queues any event (also names the fake does not know) for the agent's current session.
    /// Ignored for an agent that was never added.
    pub fn push_event(&self, agent_id: &str, event_type: &str, content: Value) {
        self.shared.push_event(agent_id, event_type, content);
    }

    /// The next successful poll (or heartbeat) of the agent carries a new `Set-GUID`.
    pub fn rotate_guid(&self, agent_id: &str) {
        self.shared.rotate_guid(agent_id);
    }

    /// Signs the agent out on the server side; later requests get `100-006`.
    pub fn drop_session(&self, agent_id: &str) {
        self.shared.drop_session(agent_id);
    }

    /// An inbound call from `caller` rings for the signed-in agent: the ringing events
    /// (`AgentOther_PhoneAlerting`, `AgentEvent_Ringing`, in the catalog's shapes) are queued,
    /// and the agent's next `answer` talks on the call. Returns the call's ID, or `None` when
    /// the agent is not signed in.
    pub fn inject_call(&self, agent_id: &str, caller: &str) -> Option<String> {
        self.shared.inject_call(agent_id, caller)
    }

    /// The next request whose path (without query) ends with `operation_path_suffix` meets
    /// `fault`. Several can be queued.
    pub fn fault_next(&self, operation_path_suffix: &str, fault: Fault) {
        self.shared.lock().faults.push((operation_path_suffix.to_owned(), fault));
    }

    /// Restarts the gateway as far as clients can tell: every session is gone without a
    /// sign-out event, so every Guid is invalid and later requests get `100-006`.
    pub fn restart(&self) {
        self.shared.restart();
    }

    /// The next request whose path (without query) ends with `operation_path_suffix` is answered
    /// with `retcode` (HTTP 200, nothing else happens). Several can be queued.
    pub fn fail_next(&self, operation_path_suffix: &str, retcode: &str) {
        self.shared.lock().fail_next.push((operation_path_suffix.to_owned(), retcode.to_owned()));
    }

    /// Every request received so far, oldest first (also the 404 ones).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// The agent's current Guid (without the `JSESSIONID=` prefix), if signed in.
    pub fn current_guid(&self, agent_id: &str) -> Option<String> {
        self.shared.agent_view(agent_id).and_then(|a| a.guid)
    }

    /// Whether the agent is signed in.
    pub fn is_signed_in(&self, agent_id: &str) -> bool {
        self.shared.agent_view(agent_id).is_some_and(|a| a.signed_in)
    }

    /// ID of the agent's call in progress, if any.
    pub fn active_call(&self, agent_id: &str) -> Option<String> {
        self.shared.agent_view(agent_id).and_then(|a| a.active_call)
    }

    /// Number of events queued for the agent and not yet polled.
    pub fn pending_events(&self, agent_id: &str) -> usize {
        self.shared.agent_view(agent_id).map_or(0, |a| a.pending_events)
    }
}

impl Drop for FakeGateway {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.watchdog.abort();
        // Graceful shutdown lets waiting polls finish (at most `poll_wait`); the accept loop
        // itself is gone at once. Abort as well so nothing outlives the handle for long.
        let server = self.server.abort_handle();
        let wait = self.shared.config.poll_wait;
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                tokio::time::sleep(wait + Duration::from_millis(100)).await;
                server.abort();
            });
        } else {
            server.abort();
        }
    }
}

/// Connections the kernel may hold for the fake before it accepts them.
/// Tokio's default (1024) overflowed when a thousand agents connected at once
/// on a busy machine: handshakes were dropped or reset, and requests failed.
/// The kernel caps it at `net.core.somaxconn`.
const BACKLOG: u32 = 4096;

/// A listener on `127.0.0.1:port` with a [`BACKLOG`] for bursts of connections.
fn listen(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(BACKLOG)
}

/// The repository's specs, loaded once per process.
fn default_judge() -> std::io::Result<Arc<Judge>> {
    static JUDGE: OnceLock<Result<Arc<Judge>, String>> = OnceLock::new();
    JUDGE
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
            Judge::load(&dir).map(Arc::new)
        })
        .clone()
        .map_err(std::io::Error::other)
}

async fn watchdog(shared: Arc<Shared>) {
    let timeout = shared.config.no_poll_timeout;
    let tick = (timeout / 10).clamp(Duration::from_millis(10), Duration::from_secs(1));
    loop {
        tokio::time::sleep(tick).await;
        let mut changed = false;
        {
            let mut state = shared.lock();
            let now = Instant::now();
            for agent in state.agents.values_mut() {
                if agent.session.as_ref().is_some_and(|s| s.last_poll.elapsed() > timeout) {
                    changed |= end_session(shared.judge.api(), agent);
                }
                let due = agent.session.as_mut().map(|s| s.desk.due(now)).unwrap_or_default();
                changed |= !due.is_empty();
                for (event, content) in due {
                    push(agent, &event, content);
                }
            }
        }
        if changed {
            shared.wake_all();
        }
    }
}

// ------------------------------------------------------------- responses

fn message_for(retcode: &str) -> &'static str {
    match retcode {
        "0" => "success",
        "000-002" => "invalid parameter",
        "000-003" => "invalid or expired guid",
        "100-002" => "the agent is already signed in",
        "100-004" => "wrong agent ID or password",
        "100-006" => "the agent is not signed in",
        "200-012" => "no call to transfer",
        "200-013" => "no call to hold",
        "200-015" => "no held call",
        "200-017" => "no call to release",
        _ => "operation failed",
    }
}

fn envelope(retcode: &str, message: &str, result: Value) -> Response {
    json_response(json!({ "message": message, "retcode": retcode, "result": result }))
}

fn err(retcode: &str) -> Response {
    envelope(retcode, message_for(retcode), Value::Null)
}

fn err_msg(retcode: &str, message: &str) -> Response {
    envelope(retcode, message, Value::Null)
}

fn json_response(body: Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json;charset=UTF-8"));
    response
}

fn html_page(status: u16) -> Response {
    let mut response = Response::new(Body::from("<html><body><h1>Bad Gateway</h1></body></html>"));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response.headers_mut().insert("content-type", HeaderValue::from_static("text/html"));
    response
}

/// Claims a 200-byte envelope, sends 20 bytes of it, then fails the body: the
/// server closes the connection with the headers sent and the body short. (A body of 20 known bytes
/// under a header claiming 200 is no cut: hyper refuses it before sending.)
fn cut_body() -> Response {
    use futures_util::StreamExt;
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(&br#"{"message":"","retco"#[..])]);
    // A pause first, so that the headers and the first bytes are on their way before the cut.
    let cut = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::other("the fake cuts this answer on purpose"))
    });
    let body = Body::from_stream(first.chain(cut));
    let mut response = Response::new(body);
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response.headers_mut().insert("content-length", HeaderValue::from_static("200"));
    response
}

fn with_guid(mut response: Response, guid: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("JSESSIONID={guid}")) {
        response.headers_mut().insert("set-guid", value);
    }
    response
}

// ---------------------------------------------------------------- routing

async fn handle(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            record(&shared, &parts.method, &parts.uri, &parts.headers, b"");
            return err_msg("000-002", "request body too large or unreadable");
        }
    };
    let recorded = record(&shared, &parts.method, &parts.uri, &parts.headers, &bytes);

    let path = parts.uri.path();
    let rest = path.strip_prefix(BASE_PATH).unwrap_or(path);

    // Every request is judged by the specs before the fake acts on it.
    let judge = Arc::clone(&shared.judge);
    let query: Vec<(String, String)> = Query::try_from_uri(&parts.uri).map(|Query(q)| q).unwrap_or_default();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let judged = judge.route(parts.method.as_str(), rest).and_then(|route| {
        let values = judge.judge(&route, &query, header, &bytes)?;
        let agent_id = route.path.into_iter().find(|(i, _)| route.interface.params[*i].role == Some(Role::AgentId));
        Ok((route.interface, agent_id.map(|(_, id)| id), values))
    });
    let (it, agent_id, values) = match judged {
        Ok(judged) => judged,
        Err(refusal) => return refuse(&shared, recorded, refusal),
    };
    if it.sends_guid && !has_route_cookie(&parts.headers) {
        warn(&shared, recorded, NO_COOKIE_WARNING);
    }

    // A transport fault, if one is queued for this path.
    let fault = {
        let mut state = shared.lock();
        let found = state.faults.iter().position(|(suffix, _)| path.ends_with(suffix.as_str()));
        found.map(|i| state.faults.remove(i).1)
    };
    match fault {
        Some(Fault::Delay(pause)) => tokio::time::sleep(pause).await,
        Some(Fault::HtmlPage(status)) => return html_page(status),
        Some(Fault::CutBody) => return cut_body(),
        Some(Fault::DropConnection) => drop_connection(),
        None => {}
    }

    // Forced failure, if one is queued for this path.
    {
        let mut state = shared.lock();
        if let Some(i) = state.fail_next.iter().position(|(suffix, _)| path.ends_with(suffix.as_str())) {
            let (_, retcode) = state.fail_next.remove(i);
            return err_msg(&retcode, "forced failure (fail_next)");
        }
    }

    let guid = parts.headers.get("guid").and_then(|v| v.to_str().ok());
    match (it.session, &it.result, agent_id.as_deref()) {
        (SessionEffect::Starts, _, Some(agent_id)) => login(&shared, it, agent_id, &values),
        (_, ResultShape::Event { .. }, Some(agent_id)) => poll(&shared, agent_id, guid).await,
        _ => act(&shared, it, agent_id.as_deref(), guid, &values),
    }
}

/// The cookie the sign-in answer sets, as a load balancer in front of
/// several gateways uses it to send an agent's requests to its own gateway.
const ROUTE_COOKIE: &str = "route";

const NO_COOKIE_WARNING: &str =
    "no sign-in cookie `route`: a load balancer in front of several gateways would send this request to any of them";

fn has_route_cookie(headers: &HeaderMap) -> bool {
    headers.get_all("cookie").iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(';').any(|pair| pair.trim().split_once('=').is_some_and(|(name, _)| name.trim() == ROUTE_COOKIE))
    })
}

/// Closes the connection without an answer: unwinding out of the handler
/// ends the task serving this connection, which drops the socket.
/// `resume_unwind` runs no panic hook, so nothing is printed.
fn drop_connection() -> ! {
    std::panic::resume_unwind(Box::new("fake gateway: connection dropped on purpose"))
}

/// Call IDs look like the gateway's: `<seconds at start>-<sequence>`.
fn next_call(shared: &Shared) -> String {
    let n = shared.calls.fetch_add(1, Ordering::Relaxed);
    format!("{}-{}", shared.start_secs, n + 1)
}

/// Records a request; returns its number for [`refuse`] and [`warn`].
fn record(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> usize {
    let recorded = RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        guid: headers.get("guid").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        body: String::from_utf8_lossy(body).into_owned(),
        refused: None,
        warnings: Vec::new(),
    };
    let mut state = shared.lock();
    state.requests.push(recorded);
    state.forgotten + state.requests.len() - 1
}

/// The recorded request with that number, unless it was forgotten since.
fn recorded_mut(state: &mut State, number: usize) -> Option<&mut RecordedRequest> {
    let index = number.checked_sub(state.forgotten)?;
    state.requests.get_mut(index)
}

fn warn(shared: &Shared, recorded: usize, warning: &str) {
    if let Some(request) = recorded_mut(&mut shared.lock(), recorded) {
        request.warnings.push(warning.to_owned());
    }
}

/// Marks the recorded request as refused for `rule`.
fn refuse(shared: &Shared, recorded: usize, refusal: Refusal) -> Response {
    if let Some(request) = recorded_mut(&mut shared.lock(), recorded) {
        request.refused = Some(refusal.rule.clone());
    }
    let mut response = err_msg(refusal.retcode, &format!("invalid parameter: {}", refusal.rule));
    *response.status_mut() = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::OK);
    response
}

/// Checks the Guid header against the agent's session (current Guid, or the previous one
/// within `guid_timeout`).
#[allow(clippy::result_large_err)] // the error is the ready-made answer
fn authenticate<'s>(
    config: &Config,
    state: &'s mut State,
    agent_id: &str,
    guid: Option<&str>,
) -> Result<&'s mut Agent, Response> {
    let Some(agent) = state.agents.get_mut(agent_id) else {
        return Err(err("100-006"));
    };
    let Some(session) = agent.session.as_mut() else {
        return Err(err("100-006"));
    };
    let Some(guid) = guid else {
        return Err(err("000-003"));
    };
    let previous_valid = matches!(
        &session.previous_guid,
        Some((previous, since)) if guid == previous && since.elapsed() <= config.guid_timeout
    );
    if guid == session.guid || previous_valid { Ok(agent) } else { Err(err("000-003")) }
}

fn rotate(shared: &Shared, session: &mut Session) -> String {
    let new = shared.new_guid();
    let old = std::mem::replace(&mut session.guid, new.clone());
    session.previous_guid = Some((old, Instant::now()));
    session.rotate_pending = false;
    new
}

/// The answer to a successful request: the result its spec describes.
fn success(it: &Interface, facts: &Facts) -> Response {
    let mut body = json!({ "message": "success", "retcode": "0" });
    if let Some(result) = behaviour::result(it, facts) {
        body[it.result_member.as_str()] = result;
    }
    json_response(body)
}

// ------------------------------------------------------------- sign-in

fn login(shared: &Shared, it: &Interface, agent_id: &str, values: &[Option<Value>]) -> Response {
    let mut facts = Facts::from_request(it, values);
    let password = facts.text("password").unwrap_or_default();
    let force = it.operation.wire == "force_login";
    // The state the agent signs in to (3 busy, 4 idle, 5 work; the judge checked the range).
    let status = facts.get("status").and_then(Value::as_i64).unwrap_or(4);
    let api = shared.judge.api();
    let mut state = shared.lock();
    let epoch = {
        state.next_epoch += 1;
        state.next_epoch
    };
    let Some(agent) = state.agents.get_mut(agent_id) else {
        return err("100-004");
    };
    if agent.password != password {
        return err("100-004");
    }
    if agent.session.is_some() {
        if !force {
            return err("100-002");
        }
        end_session(api, agent);
    }
    let guid = shared.new_guid();
    let login_time = now_ms();
    agent.session = Some(Session {
        epoch,
        guid: guid.clone(),
        previous_guid: None,
        login_time,
        polls: 0,
        rotate_pending: false,
        last_poll: Instant::now(),
        active_call: None,
        held_calls: Vec::new(),
        ringing: None,
        desk: desk::Desk::after_login(status),
    });
    // The new session starts with an empty queue; a poll still waiting for a replaced
    // session ends with 100-006.
    agent.events.clear();
    agent.queue_epoch = epoch;
    facts.set("workno", agent_id).set("loginTime", login_time.to_string());
    for (event, content) in behaviour::events(api, it, values, Outcome::Succeeded, &facts) {
        push(agent, &event, content);
    }
    drop(state);
    shared.wake(agent_id);

    let mut response = success(it, &facts);
    let cookie = format!("{ROUTE_COOKIE}=r1; Path=/");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert("set-cookie", value);
    }
    with_guid(response, &guid)
}

// ------------------------------------------------------------- polling

async fn poll(shared: &Shared, agent_id: &str, guid: Option<&str>) -> Response {
    let (epoch, notify) = {
        let mut state = shared.lock();
        match authenticate(&shared.config, &mut state, agent_id, guid) {
            Ok(agent) => match agent.session.as_mut() {
                Some(session) => {
                    session.last_poll = Instant::now();
                    (session.epoch, Arc::clone(&agent.notify))
                }
                None => return err("100-006"),
            },
            Err(response) => return response,
        }
    };
    let deadline = tokio::time::Instant::now() + shared.config.poll_wait;
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(response) = try_answer(shared, agent_id, epoch, false) {
            return response;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            break;
        }
    }
    try_answer(shared, agent_id, epoch, true).unwrap_or_else(|| err("100-006"))
}

/// The next event of session `epoch`, if there is one; with `last`, the empty answer
/// (`"event": null`) when there is none. `None` while the poll should keep waiting.
fn try_answer(shared: &Shared, agent_id: &str, epoch: u64, last: bool) -> Option<Response> {
    let mut state = shared.lock();
    let agent = state.agents.get_mut(agent_id)?;
    let alive = agent.session.as_ref().is_some_and(|s| s.epoch == epoch);
    let event = if agent.queue_epoch == epoch { agent.events.pop_front() } else { None };
    let event_json = match &event {
        Some(e) => json!({
            "eventType": e.event_type,
            "workNo": agent_id,
            "eventGenTime": e.gen_time,
            "content": e.content,
        }),
        None if !alive => return Some(err("100-006")),
        None if !last => return None,
        None => Value::Null,
    };
    let mut rotated = None;
    if let Some(session) = agent.session.as_mut().filter(|_| alive) {
        session.last_poll = Instant::now();
        session.polls = session.polls.wrapping_add(1);
        let every = shared.config.rotate_every_polls;
        let periodic = shared.config.dynamic_auth && every > 0 && session.polls % every == 0;
        if periodic || session.rotate_pending {
            rotated = Some(rotate(shared, session));
        }
    }
    drop(state);
    let response = json_response(json!({ "message": "", "retcode": "0", "event": event_json }));
    Some(match rotated {
        Some(guid) => with_guid(response, &guid),
        None => response,
    })
}

// ------------------------------------------------------------ operations

/// Answers every interface other than sign-in and polling: checks the session
/// when the interface needs one, lets the state model judge the operation,
/// queues the events the spec lists for the outcome and answers with the
/// result the spec describes.
fn act(
    shared: &Shared,
    it: &Interface,
    agent_id: Option<&str>,
    guid: Option<&str>,
    values: &[Option<Value>],
) -> Response {
    let api = shared.judge.api();
    let mut facts = Facts::default();
    facts.set("type", "main");
    for (p, value) in it.params.iter().zip(values) {
        if let Some(value) = value {
            facts.set(&p.name.wire, value.clone());
        }
    }
    let Some(agent_id) = agent_id.filter(|_| it.sends_guid) else {
        facts.set("callid", next_call(shared));
        return success(it, &facts);
    };
    let mut state = shared.lock();
    let agent = match authenticate(&shared.config, &mut state, agent_id, guid) {
        Ok(agent) => agent,
        Err(response) => return response,
    };
    let effect = match calls::model(shared, it, agent_id, agent, &mut facts) {
        Ok(effect) => effect,
        Err(response) => return response,
    };
    let mut queued = behaviour::events(api, it, values, effect.outcome, &facts);
    queued.extend(effect.also.iter().map(|name| (name.to_string(), behaviour::content(api, name, &facts))));
    if let Some(session) = agent.session.as_mut() {
        queued = session.desk.hold_back(&effect, queued);
    }
    for (event, content) in queued {
        push(agent, &event, content);
    }
    // An interface that hands out a renewed Guid (the heartbeat) keeps the session alive
    // and carries a pending rotation.
    let renews = it.response_headers.iter().any(|h| h.role == Some(HeaderRole::Guid));
    let rotated = match agent.session.as_mut().filter(|_| renews) {
        Some(session) => {
            session.last_poll = Instant::now();
            session.rotate_pending.then(|| rotate(shared, session))
        }
        None => None,
    };
    drop(state);
    shared.wake(agent_id);
    let response = success(it, &facts);
    match rotated {
        Some(guid) => with_guid(response, &guid),
        None => response,
    }
}
