//! Proof at scale: every vendor page the project was given (`../shared/vendor-docs/*.txt`
//! and `new/*.txt`, next to the repository) imported in one batch run into a fresh tree. The
//! run must refuse nothing, the tree must validate, and the crate generated from it must
//! compile.
//!
//! A fresh tree is `api.yaml` without `auth.not_sent_by` (it names operations the tree does
//! not have yet) and empty catalogs: every event and code the pages name comes from them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("generator/ has a parent").to_path_buf()
}

/// The vendor's pages: `../shared/vendor-docs` from the repository root, and its `new/`.
fn vendor_dirs() -> Vec<PathBuf> {
    let docs = repo().join("../shared/vendor-docs");
    assert!(
        docs.is_dir(),
        "the vendor pages are missing: expected them in {} (the shared folder next to the repository root)",
        docs.display()
    );
    vec![docs.clone(), docs.join("new")]
}

fn pages(dirs: &[PathBuf]) -> usize {
    dirs.iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .count()
}

/// The target directory this test was built in (`target/debug/deps/<test>` → `target`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test path");
    exe.ancestors().nth(3).expect("target dir").to_path_buf()
}

/// A workspace around `generated/` with the repository's root manifest (package fields,
/// dependencies with their paths made absolute, profiles), so the generated crate builds as it
/// would in the repository.
fn workspace_manifest() -> String {
    let root = std::fs::read_to_string(repo().join("Cargo.toml")).expect("Cargo.toml");
    let path = regex_lite::Regex::new(r#"path = "([^"]+)""#).expect("static regex");
    let mut out = String::new();
    for line in root.lines() {
        let key = line.split('=').next().unwrap_or("").trim();
        match key {
            "members" => out.push_str("members = [\"generated\"]\n"),
            "default-members" | "exclude" => {}
            _ => {
                let line = path.replace_all(line, |c: &regex_lite::Captures<'_>| {
                    format!("path = {:?}", repo().join(&c[1]).to_string_lossy())
                });
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn every_vendor_page_imports_in_one_run_into_a_fresh_tree_and_the_crate_compiles() {
    let dirs = vendor_dirs();
    let expected = pages(&dirs);
    assert!(expected >= 13, "only {expected} vendor pages found in {dirs:?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec");
    std::fs::create_dir_all(&spec).expect("mkdir");
    std::fs::write(
        spec.join("api.yaml"),
        ccgen::fixture::api_without_sign_in(&std::fs::read_to_string(repo().join("spec/api.yaml")).expect("api.yaml")),
    )
    .expect("api.yaml");
    std::fs::write(spec.join("errors.yaml"), "# Result codes the gateway answers with.\ncodes: []\n").expect("errors");
    std::fs::write(spec.join("events.yaml"), "# Events the gateway delivers.\nevents: []\n").expect("events");

    let out = Command::new(env!("CARGO_BIN_EXE_ccgen"))
        .arg("import")
        .args(&dirs)
        .args(["--format", "json", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&spec)
        .output()
        .expect("ccgen runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}):\n{}", String::from_utf8_lossy(&out.stderr)));
    assert!(out.status.success(), "the batch failed:\n{report:#}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report["written"], true);
    let pages = report["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), expected, "{report:#}");
    for p in pages {
        assert_ne!(p["status"], "refused", "{p:#}");
        // Never a bare resource name: the operation differs from its folder.
        let (spec_file, op) = (p["spec"].as_str().unwrap_or(""), p["operation"].as_str().unwrap_or(""));
        let resource = spec_file.split('/').next().unwrap_or("");
        assert!(!op.is_empty() && op != resource, "{p:#}");
    }
    // The catalogs started empty: every entry came from the pages, each named at a line.
    let additions = report["catalog_additions"].as_array().expect("additions");
    assert!(!additions.is_empty());
    for a in additions {
        assert!(
            a["uses"].as_array().is_some_and(|u| !u.is_empty() && u.iter().all(|u| u["line"].as_u64() > Some(0))),
            "{a:#}"
        );
    }

    let api =
        ccgen::pipeline::validate(&spec).unwrap_or_else(|d| panic!("the imported tree is invalid:\n{}", d.render()));
    assert_eq!(api.interfaces.len(), expected);
    assert_eq!(api.events.len() + api.errors.len(), additions.len());

    // The generated crate compiles, in a workspace like the repository's.
    let ws = dir.path().join("ws");
    ccgen::pipeline::generate(&spec, &ws.join("generated"), false).unwrap_or_else(|d| panic!("{}", d.render()));
    // An event the pages name without describing keeps its content whole.
    let events = std::fs::read_to_string(ws.join("generated/src/events.rs")).expect("events.rs");
    assert!(events.contains("AgentStateBusy(serde_json::Value)"), "{events}");
    assert!(events.contains("\"AgentState_Busy\" => (Self::AgentStateBusy(content), None)"), "{events}");
    std::fs::write(ws.join("Cargo.toml"), workspace_manifest()).expect("manifest");
    std::fs::copy(repo().join("Cargo.lock"), ws.join("Cargo.lock")).expect("lock file");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // A folder of its own in the shared target directory: its dependencies are built once and
    // reused by later runs, and the build running this test is never waited on.
    let check = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--target-dir"])
        .arg(target_dir().join("import-vendor-pages"))
        .current_dir(&ws)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        check.status.success(),
        "the generated crate does not compile:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
