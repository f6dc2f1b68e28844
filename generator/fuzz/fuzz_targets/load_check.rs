//! Load and check: the input is one interface file, put beside the real
//! catalogs and sign-in interfaces of `spec/` (which `api.yaml` names).
//! Nothing may panic or hang; a spec the checker accepts must emit (Rust
//! and docs) without an internal error.
#![no_main]

use libfuzzer_sys::fuzz_target;

use ccgen::load::RawFile;

/// The rest of the tree, compiled in so that each run reads no file.
const TREE: &[(&str, &[u8])] = &[
    ("api.yaml", include_bytes!("../../../spec/api.yaml")),
    ("errors.yaml", include_bytes!("../../../spec/errors.yaml")),
    ("events.yaml", include_bytes!("../../../spec/events.yaml")),
    ("onlineagent/forcelogin.yaml", include_bytes!("../../../spec/onlineagent/forcelogin.yaml")),
    ("onlineagent/login.yaml", include_bytes!("../../../spec/onlineagent/login.yaml")),
];

fuzz_target!(|data: &[u8]| {
    let mut files: Vec<RawFile> =
        TREE.iter().map(|(rel, bytes)| RawFile { rel_path: (*rel).to_owned(), bytes: bytes.to_vec() }).collect();
    files.push(RawFile { rel_path: "fuzzed/interface.yaml".to_owned(), bytes: data.to_vec() });
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    let Ok(loaded) = ccgen::load::load("spec", &files) else { return };
    let Ok(api) = ccgen::check::check(&loaded) else { return };
    if let Err(d) = ccgen::pipeline::emit_all(&api) {
        panic!("an accepted spec failed to emit:\n{}", d.render());
    }
});
