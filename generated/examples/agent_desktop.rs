//! A minimal agent desktop: sign in, show the agent's state as a status bar
//! would, set her busy and idle again, place an internal call, hang up, sign out.
//!
//! Hand-written (like everything in `examples/`, it is not generated): it shows
//! the generated API as an integrator writes against it, and CI runs it against
//! the fake gateway of the test suite.
//!
//! ```text
//! AGENT_PASSWORD=... cargo run -p agentgateway --example agent_desktop -- https://gw.example.com:8043 205 40038 206
//! ```
//! Arguments: gateway URL, agent ID, the agent's phone number, the agent ID to
//! call; the password comes from `AGENT_PASSWORD`, so it stays out of the
//! process list and the shell history. Gateways usually have a certificate from
//! a private CA: name its PEM file in `GATEWAY_CA`. An `http://` URL is
//! accepted for local test gateways only.

use std::time::Duration;

use agentgateway::onlineagent::{login, saybusy};
use agentgateway::voicecall::callinner;
use agentgateway::{AgentId, AgentState, AgentStateView, Client, Event, SecretString};

/// Waits up to ten seconds for the status bar to show a state that `wanted`
/// accepts, and prints it.
async fn status_bar(view: &mut AgentStateView, wanted: impl FnMut(&AgentState) -> bool) -> Result<(), String> {
    match tokio::time::timeout(Duration::from_secs(10), view.wait_for(wanted)).await {
        Ok(Some(state)) => {
            println!("status: {state}");
            Ok(())
        }
        Ok(None) => Err("the session ended".to_owned()),
        Err(_) => Err(format!("the state did not change in time; it is {}", view.current())),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ([url, agent, phone, called], Ok(password)) = (args.as_slice(), std::env::var("AGENT_PASSWORD")) else {
        eprintln!("usage: AGENT_PASSWORD=... agent_desktop URL AGENT_ID PHONE CALLED_AGENT");
        std::process::exit(2);
    };

    let mut builder = Client::builder(url).timeout(Duration::from_secs(30));
    if let Ok(ca) = std::env::var("GATEWAY_CA") {
        builder = builder.add_root_certificate_pem(&std::fs::read(ca)?);
    }
    if url.starts_with("http://") {
        eprintln!("warning: plain HTTP, for a local test gateway only");
        builder = builder.danger_allow_http();
    }
    let client = builder.build()?;

    // Sign in: the session keeps the agent ID and the Guid (rotated as the gateway says).
    let request = login::Request::new(SecretString::new(password), login::PhoneNum::new(phone.as_str())?);
    let (session, info) = client.login(&AgentId::new(agent.as_str())?, &request).await?;
    println!("signed in as {} on {}", session.agent_id(), info.server_name.as_deref().unwrap_or("?"));

    // Start polling right away: the gateway signs out agents that stop polling.
    // The state view follows the agent-state events the stream polls.
    let mut status = session.agent_state();
    let mut events = session.events();
    status_bar(&mut status, |s| *s != AgentState::Unknown).await?;

    // Busy with a site-defined reason (200-250), then idle again.
    let busy = saybusy::Request::new().with_reason(saybusy::BusyReason::new(200)?);
    session.say_busy(&busy).await?;
    status_bar(&mut status, |s| matches!(s, AgentState::NotReady { .. })).await?;
    session.cancel_busy().await?;
    status_bar(&mut status, |s| *s == AgentState::Idle).await?;
    // The gateway's own view, e.g. after a restart of the desktop.
    let asked = session.agent_status().await?;
    println!("gateway: state code {:?}, in a call: {:?}", asked.agent_state, asked.is_working);

    // Success means the call was placed, even when the gateway sends no call ID.
    let call_id = session.call_inner(&callinner::Request::new(callinner::Called::new(called.as_str())?)).await?;
    println!("calling {called}: call {}", call_id.as_deref().unwrap_or("(no ID sent)"));

    // The call's outcome arrives as an event. A gateway hiccup does not end the
    // wait; the events read past stay available to `next`.
    let talking = events
        .wait_for(|e| matches!(e.event, Event::AgentEventTalking(_) | Event::AgentEventInsideCallFail(_)), Duration::from_secs(20))
        .await?;
    match talking.event {
        Event::AgentEventTalking(p) => println!("talking on call {}", p.callid.as_deref().unwrap_or("?")),
        other => println!("call failed: {}", other.name()),
    }
    // Show what else arrived meanwhile, without waiting for more.
    while let Ok(Some(Ok(received))) = tokio::time::timeout(Duration::from_millis(300), events.next()).await {
        println!("event: {}", received.event.name());
    }

    println!("status: {}", status.current());

    session.release().await?;
    session.logout().await?;
    println!("signed out");
    Ok(())
}
