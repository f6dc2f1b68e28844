//! The constraint crate, the runtime and the generated crate can leave this repository: `cargo
//! package` accepts them (every path dependency has a version) and each
//! package carries the license files and README its manifest names.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("generator/ has a parent").to_path_buf()
}

/// Runs cargo on the workspace with a throw-away target directory, so the
/// packaging never waits on the lock of the build running this test.
fn cargo(args: &[&str], target: &Path) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args(args)
        .arg("--target-dir")
        .arg(target)
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn runtime_and_generated_crate_package() {
    let target = tempfile::tempdir().expect("temp dir");
    let args = [
        "package",
        "--no-verify",
        "--offline",
        "--allow-dirty",
        "-p",
        "agentgateway-constraint",
        "-p",
        "agentgateway-runtime",
        "-p",
        "agentgateway",
    ];
    let out = cargo(&args, target.path());
    assert!(out.status.success(), "cargo package failed:\n{}", stderr(&out));
    for name in ["agentgateway-constraint", "agentgateway-runtime", "agentgateway"] {
        let file = target.path().join("package").join(format!("{name}-0.1.0.crate"));
        assert!(file.is_file(), "{} missing", file.display());
    }
}

#[test]
fn packages_carry_licenses_and_readme() {
    let target = tempfile::tempdir().expect("temp dir");
    for name in ["agentgateway-constraint", "agentgateway-runtime", "agentgateway", "ccgen"] {
        let out = cargo(&["package", "--list", "--offline", "--allow-dirty", "-p", name], target.path());
        assert!(out.status.success(), "cargo package --list -p {name} failed:\n{}", stderr(&out));
        let listed = String::from_utf8_lossy(&out.stdout);
        for file in ["LICENSE-MIT", "LICENSE-APACHE", "README.md", "Cargo.toml"] {
            assert!(listed.lines().any(|l| l == file), "{name} lacks {file}; lists:\n{listed}");
        }
    }
}

#[test]
fn generated_manifest_inherits_publishing_metadata() {
    let manifest = std::fs::read_to_string(workspace_root().join("generated/Cargo.toml")).expect("generated manifest");
    for key in ["rust-version", "repository", "readme", "keywords", "categories", "license", "version"] {
        let line = format!("{key}.workspace = true");
        assert!(manifest.lines().any(|l| l == line), "generated/Cargo.toml lacks `{line}`");
    }
}
