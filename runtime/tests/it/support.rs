//! Helpers shared by the integration tests.

use std::fmt;

use agentgateway_runtime::{AgentId, Error, Guid, RetCode, SessionState, Transport, TransportBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const BASE_PATH: &str = "/agentgateway/resource";
pub const SECRET_GUID: &str = "GUID-SECRET-5d1f2a";

/// A tiny retcode enum like the generated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    NotSignedIn,
    Unknown(String),
}

impl RetCode for Code {
    fn from_code(code: &str) -> Self {
        match code {
            "100-006" => Code::NotSignedIn,
            other => Code::Unknown(other.to_owned()),
        }
    }

    fn code(&self) -> &str {
        match self {
            Code::NotSignedIn => "100-006",
            Code::Unknown(code) => code,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::NotSignedIn => f.write_str("100-006 (the agent is not signed in)"),
            Code::Unknown(code) => write!(f, "{code} (unknown retcode)"),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error<Code>>;

pub fn http_transport(uri: &str) -> Transport {
    http_builder(uri).build::<Code>().expect("valid test configuration")
}

pub fn http_builder(uri: &str) -> TransportBuilder {
    TransportBuilder::new(uri, BASE_PATH).danger_allow_http()
}

pub fn session() -> SessionState {
    SessionState::new(AgentId::from(1001u32), Guid::new(SECRET_GUID))
}

/// Asserts the secret token appears in neither rendering of `error`.
pub fn assert_redacted(error: &Error<Code>) {
    let shown = format!("{error}\n{error:?}\n{error:#?}");
    assert!(!shown.contains(SECRET_GUID), "secret leaked: {shown}");
}

/// Serves one connection on loopback with a canned raw HTTP response and
/// hands back the raw request bytes, for what wiremock cannot express
/// (chunked bodies, header case on the wire).
pub async fn raw_server(response: Vec<u8>) -> (String, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let address = listener.local_addr().expect("bound address");
    let task = tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return Vec::new();
        };
        let request = read_request_head(&mut stream).await;
        let _ = stream.write_all(&response).await;
        let _ = stream.shutdown().await;
        request
    });
    (format!("http://{address}"), task)
}

/// Reads up to the blank line ending the request head.
pub async fn read_request_head<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Vec<u8> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    request
}
