//! Transfers a multimedia session to another agent.
//!
//! Hand-written (like everything in `examples/`, it is not generated): it
//! shows the generated API as a user writes against it, and CI builds it.
//!
//! ```text
//! AGENT_GUID=... cargo run -p agentgateway --example transfer -- https://gw.example.com:8043 205 <call id>
//! ```
//! The Guid of a signed-in agent comes from `AGENT_GUID`, so it stays out of
//! the process list and the shell history.

use agentgateway::mediacall::transfer::{Address, DeviceType, Mode, Request};
use agentgateway::{AgentId, Client, Error, ErrorCode, Guid};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(agent), Some(call_id), Ok(guid)) =
        (args.next(), args.next(), args.next(), std::env::var("AGENT_GUID"))
    else {
        eprintln!("usage: AGENT_GUID=... transfer BASE_URL AGENT_ID CALL_ID");
        std::process::exit(2);
    };

    let client = Client::builder(url).timeout(std::time::Duration::from_secs(10)).build()?;
    let session = client.session(AgentId::new(agent)?, Guid::new(guid));

    // Invalid values are refused here, before anything is sent.
    let request =
        Request::new(call_id, DeviceType::Agent, Mode::ReleaseAfterTransfer, Address::new("206")?).with_skill_id(3);

    match session.transfer_media_call(&request).await {
        Ok(()) => println!("transfer accepted; the outcome arrives as an event"),
        Err(Error::Api { code: ErrorCode::NotSignedIn, .. }) => eprintln!("sign in first"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
