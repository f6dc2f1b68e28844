//! The load scenario shared by the load test (small N, in `cargo test`) and
//! the load benchmark (N = 1,000): N signed-in agents on one fake gateway,
//! each polling its events through the generated client while it places and
//! releases calls, with the Guid rotating every few polls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agentgateway::voicecall::callinner;
use agentgateway::{AgentId, Client, Event, SecretString, StreamConfig, onlineagent::login};
use agentgateway_e2e::{Config, FakeGateway};

/// What one run measured.
#[derive(Debug, Default)]
pub struct Report {
    pub agents: usize,
    /// Calls placed and released, summed over the agents.
    pub operations: usize,
    /// Requests that failed.
    pub errors: usize,
    /// Call events (talking, released) not received, received twice, or out of order.
    pub lost: usize,
    pub duplicated: usize,
    pub reordered: usize,
    pub elapsed: Duration,
    /// Latencies of the operations, sorted.
    pub latencies: Vec<Duration>,
    /// A few of the errors, as shown.
    pub samples: Vec<String>,
}

impl Report {
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i]
    }

    pub fn throughput(&self) -> f64 {
        self.operations as f64 / self.elapsed.as_secs_f64()
    }
}

/// What one agent saw.
#[derive(Default)]
struct AgentOutcome {
    operations: usize,
    errors: usize,
    lost: usize,
    duplicated: usize,
    reordered: usize,
    latencies: Vec<Duration>,
    samples: Vec<String>,
}

impl AgentOutcome {
    fn failed(&mut self, what: impl std::fmt::Display) {
        self.errors += 1;
        if self.samples.len() < 3 {
            self.samples.push(what.to_string());
        }
    }
}

/// Compares the call IDs the events carried with the calls placed, in order.
fn compare(expected: &[String], seen: &[String], out: &mut AgentOutcome) {
    for id in expected {
        match seen.iter().filter(|s| *s == id).count() {
            0 => out.lost += 1,
            1 => {}
            _ => out.duplicated += 1,
        }
    }
    let in_order: Vec<&String> = seen.iter().filter(|s| expected.contains(s)).collect();
    let mut deduped = in_order.clone();
    deduped.dedup();
    let expected_present: Vec<&String> = expected.iter().filter(|e| seen.contains(e)).collect();
    if deduped != expected_present {
        out.reordered += 1;
    }
}

async fn agent(client: Client, agent_id: String, calls: usize, timeout: Duration) -> AgentOutcome {
    let mut out = AgentOutcome::default();
    let request = login::Request::new(SecretString::new("secret"), login::PhoneNum::new("40038").expect("digits"));
    let id = match AgentId::new(agent_id.as_str()) {
        Ok(id) => id,
        Err(e) => {
            out.failed(e);
            return out;
        }
    };
    let session = match client.login(&id, &request).await {
        Ok((session, _)) => session,
        Err(e) => {
            out.failed(e);
            return out;
        }
    };
    let config = StreamConfig { idle_interval: Duration::from_millis(5), ..StreamConfig::default() };
    let mut events = session.events_with(config);
    let call = callinner::Request::new(callinner::Called::new("100000").expect("digits"));
    let mut placed = Vec::new();
    for _ in 0..calls {
        let started = Instant::now();
        match session.call_inner(&call).await {
            Ok(Some(id)) => placed.push(id),
            Ok(None) => out.failed("a call without an ID"),
            Err(e) => out.failed(e),
        }
        out.latencies.push(started.elapsed());
        let started = Instant::now();
        if let Err(e) = session.release().await {
            out.failed(e);
        }
        out.latencies.push(started.elapsed());
        out.operations += 2;
    }
    // Every call's talking and release events, in the order the calls were placed.
    let (mut talking, mut released) = (Vec::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + timeout;
    while released.len() < placed.len() {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(Ok(received))) => match received.event {
                Event::AgentEventTalking(p) => talking.extend(p.callid),
                Event::AgentEventCallRelease(id) => released.push(id),
                _ => {}
            },
            Ok(Some(Err(e))) => out.failed(e),
            Ok(None) | Err(_) => break,
        }
    }
    compare(&placed, &talking, &mut out);
    compare(&placed, &released, &mut out);
    if let Err(e) = session.logout().await {
        out.failed(e);
    }
    out
}

/// Runs `agents` agents making `calls` calls each against one fake gateway.
pub async fn run(agents: usize, calls: usize, https: bool) -> Report {
    let config = Config {
        dynamic_auth: true,
        rotate_every_polls: 3,
        poll_wait: Duration::from_millis(500),
        https,
        ..Config::default()
    };
    let gw = Arc::new(FakeGateway::start_with(config).await);
    let ids: Vec<String> = (0..agents).map(|i| (1000 + i).to_string()).collect();
    for id in &ids {
        gw.add_agent(id, "secret");
    }
    let mut builder = Client::builder(gw.url()).timeout(Duration::from_secs(60));
    builder = match gw.ca_pem() {
        Some(ca) => builder.add_root_certificate_pem(ca.as_bytes()),
        None => builder.danger_allow_http(),
    };
    let client = builder.build().expect("client");
    let started = Instant::now();
    let tasks: Vec<_> =
        ids.into_iter().map(|id| tokio::spawn(agent(client.clone(), id, calls, Duration::from_secs(60)))).collect();
    let mut report = Report { agents, ..Report::default() };
    for task in tasks {
        let out = task.await.expect("agent task");
        report.operations += out.operations;
        report.errors += out.errors;
        report.lost += out.lost;
        report.duplicated += out.duplicated;
        report.reordered += out.reordered;
        report.latencies.extend(out.latencies);
        if report.samples.len() < 5 {
            report.samples.extend(out.samples);
        }
    }
    report.elapsed = started.elapsed();
    report.latencies.sort();
    report
}
