//! HTTPS for the fake gateway: a fresh private CA per run, as the real
//! gateway listens on 8043 with a certificate from a private CA.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::server::TlsStream;

/// A handshake that takes longer is dropped, so one stuck client cannot
/// hold up the others.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A private CA and a server certificate it signed for `localhost` and
/// `127.0.0.1`.
pub struct Certificates {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for Certificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificates").finish_non_exhaustive()
    }
}

impl Certificates {
    /// Generates a fresh CA and server certificate.
    ///
    /// # Errors
    ///
    /// When key generation or signing fails.
    pub fn generate() -> Result<Certificates, String> {
        let error = |e: rcgen::Error| format!("cannot make the test certificates: {e}");
        let ca_key = KeyPair::generate().map_err(error)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(error)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "fake CC-Gateway test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).map_err(error)?;
        let issuer = Issuer::from_params(&ca, &ca_key);

        let server_key = KeyPair::generate().map_err(error)?;
        let mut server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).map_err(error)?;
        server.distinguished_name.push(DnType::CommonName, "localhost");
        let server_cert = server.signed_by(&server_key, &issuer).map_err(error)?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
        // Named explicitly: which providers a build enables depends on feature unification.
        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| format!("cannot use the test certificate: {e}"))?;
        Ok(Certificates { ca_pem: ca_cert.pem(), acceptor: TlsAcceptor::from(Arc::new(config)) })
    }

    /// A listener that completes the TLS handshake of each connection.
    ///
    /// Handshakes run concurrently, each on its own task: one at a time, a
    /// thousand clients connecting at once would wait in the accept queue
    /// long enough to give up and connect again.
    ///
    /// # Errors
    ///
    /// When the TCP listener has no local address.
    pub fn listener(&self, tcp: TcpListener) -> std::io::Result<TlsListener> {
        let addr = tcp.local_addr()?;
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let acceptor = self.acceptor.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = tcp.accept().await else {
                    // Out of file descriptors and the like: wait, as axum's own listener does.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    // A client that refuses the certificate ends its handshake here.
                    if let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        let _ = tx.send((tls, peer)).await;
                    }
                });
            }
        });
        Ok(TlsListener { addr, rx, accept_task: task.abort_handle() })
    }
}

/// Accepts TLS connections for `axum::serve`.
pub struct TlsListener {
    addr: SocketAddr,
    rx: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    accept_task: tokio::task::AbortHandle,
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(connection) => connection,
            // The accepting task only ends when aborted, with the listener.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
