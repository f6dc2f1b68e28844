//! HTTPS against a real TLS server whose certificate comes from a private CA.
//!
//! Fixtures (EC P-256, valid until 2126) were made with:
//! ```text
//! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
//!   -days 36500 -subj "/CN=agentgateway-runtime test CA" \
//!   -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
//! openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr \
//!   -subj "/CN=localhost"
//! openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -out server.pem -days 36500 -extfile ext.cnf
//! # ext.cnf: basicConstraints=critical,CA:FALSE / keyUsage=critical,digitalSignature /
//! #          extendedKeyUsage=serverAuth / subjectAltName=DNS:localhost,IP:127.0.0.1
//! ```
//! The CA key was thrown away.

use std::sync::Arc;

use agentgateway_runtime::{Call, Error, Method, Operation, TransportBuilder, execute};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::support::{BASE_PATH, Code, Result, read_request_head};

const CA: &[u8] = include_bytes!("fixtures/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("fixtures/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("fixtures/server.key");

static PING: Operation =
    Operation { name: "ping", method: Method::Get, path: "/ping", sends_guid: false, result: "result", agent_id: None };

/// Serves one TLS connection with a fixed success envelope; returns the base
/// URL.
async fn tls_server() -> String {
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT)
        .collect::<std::result::Result<Vec<_>, _>>()
        .expect("fixture certificate");
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).expect("fixture key");
    let config = ServerConfig::builder().with_no_client_auth().with_single_cert(certs, key).expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let address = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        // A client that rejects the certificate ends the handshake here.
        let Ok(mut tls) = acceptor.accept(tcp).await else {
            return;
        };
        read_request_head(&mut tls).await;
        let body = r#"{"message":"","retcode":"0","result":"tls-ok"}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = tls.write_all(response.as_bytes()).await;
        let _ = tls.shutdown().await;
    });
    format!("https://{address}")
}

async fn ping(builder: TransportBuilder) -> Result<String> {
    let transport = builder.build::<Code>()?;
    execute(&transport, None, &PING, Call::default()).await
}

#[tokio::test]
async fn private_ca_is_trusted_once_added() {
    let uri = tls_server().await;
    let result = ping(TransportBuilder::new(&uri, BASE_PATH).add_root_certificate_pem(CA)).await;
    assert_eq!(result.ok().as_deref(), Some("tls-ok"));
}

#[tokio::test]
async fn unknown_ca_is_a_transport_error() {
    let uri = tls_server().await;
    let result = ping(TransportBuilder::new(&uri, BASE_PATH)).await;
    match result {
        Err(error @ Error::Transport { operation: "ping", .. }) => {
            let Error::Transport { error: cause, .. } = &error else { unreachable!() };
            assert!(format!("{cause:?}").contains("InvalidCertificate"), "{cause:?}");
            // The message names the cause, not just "error sending request".
            let shown = error.to_string();
            assert!(shown.contains("invalid peer certificate"), "{shown}");
            // ...and says it once: the cause is not also a `source()`.
            assert!(std::error::Error::source(&error).is_none());
            assert!(!shown.contains("https://"), "no URL in the message: {shown}");
        }
        other => panic!("expected Transport, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_pem_is_a_config_error() {
    let result =
        ping(TransportBuilder::new("https://127.0.0.1:1", BASE_PATH).add_root_certificate_pem(b"garbage")).await;
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
}
