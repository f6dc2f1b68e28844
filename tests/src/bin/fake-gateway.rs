//! Runs a fake CC-Gateway on loopback for manual or scripted end-to-end runs.
//!
//! Agents 205 and 206 (password "secret") may sign in; dynamic authentication rotates the Guid
//! every 5 polls. Prints exactly one line, `listening on http://127.0.0.1:PORT`, then serves
//! until killed. `--port N` picks the port (default: OS-assigned).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use agentgateway_e2e::{Config, FakeGateway};

fn parse_port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--port" => args.next().ok_or("--port needs a value")?,
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None => {
                    return Err(format!("unknown argument {other:?}; usage: fake-gateway [--port N]"));
                }
            },
        };
        port = value.parse().map_err(|_| format!("invalid port {value:?}"))?;
    }
    Ok(port)
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_port() {
        Ok(port) => port,
        Err(message) => {
            eprintln!("fake-gateway: {message}");
            return ExitCode::from(2);
        }
    };
    let config =
        Config { dynamic_auth: true, rotate_every_polls: 5, poll_wait: Duration::from_secs(1), ..Config::default() };
    let gateway = match FakeGateway::start_on(port, config).await {
        Ok(gateway) => gateway,
        Err(e) => {
            eprintln!("fake-gateway: cannot bind 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    gateway.add_agent("205", "secret");
    gateway.add_agent("206", "secret");
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on {}", gateway.url());
    let _ = stdout.flush();
    drop(stdout);
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
