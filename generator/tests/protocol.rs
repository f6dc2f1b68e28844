//! The wire settings `api.yaml` declares reach the emitted client: it emits
//! them as one `PROTOCOL` constant and hands that to the runtime, whose own
//! tests (`runtime/tests/it/options.rs`) show requests and answers follow it.

mod support;
use support::copy_dir;

use std::fs;
use std::path::Path;

#[test]
fn changed_protocol_settings_are_what_the_emitted_client_uses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (spec, out) = (dir.path().join("spec"), dir.path().join("generated"));
    copy_dir(&root.join("../spec"), &spec);
    let api = fs::read_to_string(spec.join("api.yaml")).expect("api.yaml");
    let changed = api
        .replace("  header: Guid\n", "  header: X-Agent-Token\n")
        .replace("    header: Set-GUID\n", "    header: X-Next-Token\n")
        .replace("    prefix: \"JSESSIONID=\"\n", "    prefix: \"TOKEN=\"\n")
        .replace("content_type: \"application/json; charset=UTF-8\"", "content_type: \"application/vnd.cc+json\"");
    assert_eq!(changed.matches("X-Agent-Token").count(), 1, "the test edits api.yaml's auth header");
    assert!(changed.contains("X-Next-Token") && changed.contains("TOKEN=") && changed.contains("vnd.cc+json"));
    fs::write(spec.join("api.yaml"), changed).expect("write api.yaml");

    ccgen::pipeline::generate(&spec, &out, false).unwrap_or_else(|d| panic!("{}", d.render()));
    let lib = fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
    let file = syn::parse_file(&lib).expect("lib.rs parses");
    let protocol = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Static(s) if s.ident == "PROTOCOL" => Some(quote::quote!(#s).to_string()),
            _ => None,
        })
        .expect("lib.rs has a PROTOCOL static");
    for expected in [
        "token_header : \"X-Agent-Token\"",
        "issued_in : \"X-Next-Token\"",
        "token_prefix : \"TOKEN=\"",
        "content_type : \"application/vnd.cc+json\"",
        "retcode : \"retcode\"",
        "success : \"0\"",
    ] {
        assert!(protocol.contains(expected), "{expected} missing from {protocol}");
    }
    // The client hands that constant to the runtime rather than relying on its defaults.
    let client = fs::read_to_string(out.join("src/client.rs")).expect("client.rs");
    assert!(client.contains(".protocol(&crate::PROTOCOL)"), "the builder must pass PROTOCOL");
    assert!(!client.contains("JSESSIONID") && !lib.contains("JSESSIONID"), "no trace of the old prefix");
}
