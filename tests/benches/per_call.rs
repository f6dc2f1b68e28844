//! CPU time per call of the generated client against the same request made by
//! hand through reqwest, with the same client settings, on a loopback server.
//!
//! Run: `cargo bench -p agentgateway-e2e --bench per_call` (release build).
//! Prints the client thread's CPU time per call for both, and their ratio
//! (generated / hand-written), as the median of interleaved rounds.

use std::net::SocketAddr;
use std::time::Duration;

use agentgateway::voicecall::callinner;
use agentgateway::{AgentId, Client, Guid};
use serde::{Deserialize, Serialize};

const AGENT: &str = "205";
const GUID: &str = "GUID-0123456789abcdef";
const ROUNDS: usize = 9;
const CALLS: usize = 2_000;
const ANSWER: &str = r#"{"message":"success","retcode":"0","result":"1456401416-3"}"#;

/// A loopback gateway on its own thread and runtime, so its CPU time is not
/// counted against the client.
fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let app = axum::Router::new().route(
                "/agentgateway/resource/voicecall/{agentid}/callinner",
                axum::routing::put(|| async { ([("content-type", "application/json;charset=UTF-8")], ANSWER) }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
            tx.send(listener.local_addr().expect("address")).expect("send address");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("server address")
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The request body a hand-written client would send.
#[derive(Serialize)]
struct CallInner<'a> {
    called: &'a str,
}

/// The envelope a hand-written client would read.
#[derive(Deserialize)]
struct Answer {
    retcode: String,
    #[allow(dead_code)]
    message: Option<String>,
    result: Option<String>,
}

/// The same settings as the generated client's transport.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .https_only(false)
        .http1_title_case_headers()
        .user_agent("bench")
        .build()
        .expect("client")
}

async fn raw_call(client: &reqwest::Client, url: &str) -> Option<String> {
    let body = serde_json::to_vec(&CallInner { called: "206" }).expect("body");
    let response = client
        .put(url)
        .header("Content-Type", "application/json; charset=UTF-8")
        .header("Accept", "application/json")
        .header("Guid", GUID)
        .body(body)
        .send()
        .await
        .expect("sent");
    let bytes = response.bytes().await.expect("body");
    let answer: Answer = serde_json::from_slice(&bytes).expect("envelope");
    assert_eq!(answer.retcode, "0");
    answer.result
}

fn main() {
    let addr = start_server();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let base = format!("http://{addr}");
    let client = Client::builder(&base).danger_allow_http().build().expect("client");
    let session = client.session(AgentId::new(AGENT).expect("id"), Guid::new(GUID));
    let request = callinner::Request::new(callinner::Called::new("206").expect("digits"));
    let raw = raw_client();
    let url = format!("{base}/agentgateway/resource/voicecall/{AGENT}/callinner");

    let generated_batch = || {
        runtime.block_on(async {
            for _ in 0..CALLS {
                let id = session.call_inner(&request).await.expect("call placed");
                std::hint::black_box(id);
            }
        })
    };
    let raw_batch = || {
        runtime.block_on(async {
            for _ in 0..CALLS {
                std::hint::black_box(raw_call(&raw, &url).await);
            }
        })
    };
    // Warm both connections and code paths.
    generated_batch();
    raw_batch();

    let mut ratios = Vec::new();
    let (mut gen_best, mut raw_best) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let t = thread_cpu();
        generated_batch();
        let generated = thread_cpu() - t;
        let t = thread_cpu();
        raw_batch();
        let hand = thread_cpu() - t;
        gen_best = gen_best.min(generated);
        raw_best = raw_best.min(hand);
        ratios.push(generated.as_secs_f64() / hand.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let per_call = |d: Duration| d.as_secs_f64() * 1e6 / CALLS as f64;
    println!("per-call CPU time, {CALLS} calls x {ROUNDS} interleaved rounds, loopback HTTP/1.1");
    println!("  generated client: {:.2} µs/call (best round)", per_call(gen_best));
    println!("  hand-written reqwest: {:.2} µs/call (best round)", per_call(raw_best));
    println!("  ratio generated / hand-written: {:.3} (median of rounds)", ratios[ROUNDS / 2]);
}
