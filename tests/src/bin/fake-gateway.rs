//! Runs a fake CC-Gateway on loopback for manual or scripted end-to-end runs.
//!
//! Agents 205 and 206 (password "secret") may sign in; dynamic authentication rotates the Guid
//! every 5 polls. Serves HTTPS with a fresh private CA, as the real gateway does, and prints
//! `listening on https://127.0.0.1:PORT` then `ca file: PATH` (the CA certificate to trust);
//! with `--plain`, serves HTTP and prints only the first line. Serves until killed.
//!
//! Options: `--port N` (default: OS-assigned), `--plain`, `--ca-file PATH` (default: a file
//! in the system's temporary directory).
//!
//! Scriptable while it runs: the test hooks (add agents, inject events and inbound calls, force
//! an error code, delay, cut or drop an answer, drop a session, rotate a Guid, restart, read the
//! request log with its verdicts) are JSON over HTTP under `/__fake` on the same port; the last
//! line printed is `control: URL/__fake`. See `agentgateway_e2e::fake::control`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use agentgateway_e2e::fake::CONTROL_PATH;
use agentgateway_e2e::{Config, FakeGateway};

const USAGE: &str = "usage: fake-gateway [--port N] [--plain] [--ca-file PATH]";

struct Args {
    port: u16,
    plain: bool,
    ca_file: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args { port: 0, plain: false, ca_file: None };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value; {USAGE}"));
        match name.as_str() {
            "--port" => {
                let v = value()?;
                parsed.port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
            }
            "--ca-file" => parsed.ca_file = Some(PathBuf::from(value()?)),
            "--plain" => parsed.plain = true,
            other => return Err(format!("unknown argument {other:?}; {USAGE}")),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("fake-gateway: {message}");
            return ExitCode::from(2);
        }
    };
    let config = Config {
        dynamic_auth: true,
        rotate_every_polls: 5,
        poll_wait: Duration::from_secs(1),
        https: !args.plain,
        ..Config::default()
    };
    let gateway = match FakeGateway::start_on(args.port, config).await {
        Ok(gateway) => gateway,
        Err(e) => {
            eprintln!("fake-gateway: cannot start on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    gateway.add_agent("205", "secret");
    gateway.add_agent("206", "secret");
    let mut lines = vec![format!("listening on {}", gateway.url())];
    if let Some(pem) = gateway.ca_pem() {
        let path = args
            .ca_file
            .unwrap_or_else(|| std::env::temp_dir().join(format!("fake-gateway-ca-{}.pem", gateway.addr().port())));
        if let Err(e) = std::fs::write(&path, pem) {
            eprintln!("fake-gateway: cannot write the CA certificate to {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        lines.push(format!("ca file: {}", path.display()));
    }
    lines.push(format!("control: {}{CONTROL_PATH}", gateway.url()));
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(stdout, "{line}");
    }
    let _ = stdout.flush();
    drop(stdout);
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
