//! Transfers a multimedia session to another agent.
//!
//! Hand-written (the only part of `generated/` that is): it shows the
//! generated API as a user writes against it, and CI builds it.
//!
//! ```text
//! cargo run -p agentgateway --example transfer -- https://gw.example.com:8043 205 <guid> <call id>
//! ```

use agentgateway::mediacall::transfer::{Address, DeviceType, Mode, Request};
use agentgateway::{AgentId, Client, Error, ErrorCode, Guid};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(agent), Some(guid), Some(call_id)) = (args.next(), args.next(), args.next(), args.next()) else {
        eprintln!("usage: transfer BASE_URL AGENT_ID GUID CALL_ID");
        std::process::exit(2);
    };

    let client = Client::builder(url).timeout(std::time::Duration::from_secs(10)).build()?;
    let session = client.session(AgentId::new(agent)?, Guid::new(guid));

    // Invalid values are refused here, before anything is sent.
    let mut request = Request::new(call_id, DeviceType::Agent, Mode::ReleaseAfterTransfer, Address::new("206")?);
    request.skill_id = Some(3);

    match session.transfer_media_call(&request).await {
        Ok(()) => println!("transfer accepted; the outcome arrives as an event"),
        Err(Error::Api { code: ErrorCode::NotSignedIn, .. }) => eprintln!("sign in first"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
