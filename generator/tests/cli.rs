//! The `ccgen` binary as a user and a CI script see it: exit codes that tell
//! a stale output from invalid specs, `--quiet`/`--verbose`, no colour when
//! the output is not a terminal, and the repository found from a subfolder.

mod support;
use support::copy_dir;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ccgen::cli::{EXIT_INVALID_SPECS, EXIT_NOT_WRITTEN, EXIT_STALE, EXIT_USAGE};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("generator/ has a parent").to_path_buf()
}

fn ccgen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccgen"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("ccgen runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// The repository's specs with `callinner.yaml` broken at a known place.
fn broken_specs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("spec"), dir.path());
    let file = dir.path().join("voicecall/callinner.yaml");
    let spec = std::fs::read_to_string(&file).expect("read spec");
    std::fs::write(&file, format!("{spec}\nno_such_key: 1\n")).expect("write spec");
    dir
}

#[test]
fn check_tells_stale_from_invalid_specs() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = out_dir.path().to_str().expect("UTF-8 path");
    let spec = root().join("spec");
    let spec = spec.to_str().expect("UTF-8 path");

    let stale = ccgen(&["generate", "--check", "--spec", spec, "--out", out], out_dir.path());
    assert_eq!(code(&stale), i32::from(EXIT_STALE), "{}", text(&stale.stderr));
    assert!(text(&stale.stdout).contains("stale: "), "{}", text(&stale.stdout));

    let broken = broken_specs();
    let broken_spec = broken.path().to_str().expect("UTF-8 path");
    let invalid = ccgen(&["generate", "--check", "--spec", broken_spec, "--out", out], out_dir.path());
    assert_eq!(code(&invalid), i32::from(EXIT_INVALID_SPECS));
    let stderr = text(&invalid.stderr);
    assert!(stderr.contains("callinner.yaml:"), "names the file and place: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "no colour codes when stderr is not a terminal: {stderr:?}");
    assert!(text(&invalid.stdout).is_empty());

    let validate = ccgen(&["validate", "--spec", broken_spec], out_dir.path());
    assert_eq!(code(&validate), i32::from(EXIT_INVALID_SPECS));
    assert!(std::fs::read_dir(out_dir.path()).expect("read out").next().is_none(), "nothing written");
}

#[test]
fn an_output_that_cannot_be_written_has_its_own_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").expect("write");
    let spec = root().join("spec");
    let out = ccgen(
        &["generate", "--spec", spec.to_str().expect("UTF-8"), "--out", blocker.to_str().expect("UTF-8")],
        dir.path(),
    );
    assert_eq!(code(&out), i32::from(EXIT_NOT_WRITTEN), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).is_empty());
}

#[test]
fn quiet_prints_only_failures_and_verbose_names_every_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("generated");
    let out = out.to_str().expect("UTF-8");
    let spec = root().join("spec");
    let spec = spec.to_str().expect("UTF-8");

    let verbose = ccgen(&["generate", "--verbose", "--spec", spec, "--out", out], dir.path());
    assert_eq!(code(&verbose), 0, "{}", text(&verbose.stderr));
    let stdout = text(&verbose.stdout);
    assert!(stdout.lines().any(|l| l == "wrote src/lib.rs"), "{stdout}");
    assert!(stdout.lines().any(|l| l == "wrote src/voicecall/callinner.rs"), "{stdout}");
    assert!(text(&verbose.stderr).contains(&format!("out: {out}")));

    let quiet = ccgen(&["generate", "--check", "--quiet", "--spec", spec, "--out", out], dir.path());
    assert_eq!(code(&quiet), 0);
    assert_eq!((text(&quiet.stdout), text(&quiet.stderr)), (String::new(), String::new()));

    std::fs::remove_file(Path::new(out).join("src/lib.rs")).expect("remove");
    let quiet = ccgen(&["generate", "--check", "-q", "--spec", spec, "--out", out], dir.path());
    assert_eq!(code(&quiet), i32::from(EXIT_STALE));
    assert!(text(&quiet.stdout).is_empty(), "no diff when quiet");
    assert!(text(&quiet.stderr).starts_with("stale: 1 to write"), "{}", text(&quiet.stderr));

    let normal = ccgen(&["validate", "--spec", spec], dir.path());
    assert!(text(&normal.stdout).starts_with("ok: "));
    let quiet = ccgen(&["validate", "--quiet", "--spec", spec], dir.path());
    assert_eq!((code(&quiet), text(&quiet.stdout)), (0, String::new()));

    let both = ccgen(&["validate", "--quiet", "--verbose"], dir.path());
    assert_eq!(code(&both), i32::from(EXIT_USAGE));
}

/// Without `--verbose`, a generation still names every file it removed: an
/// interface's spec deleted takes its page, its module and the guide that
/// walks through it, and only a count said so.
#[test]
fn a_generation_names_each_file_it_removes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("spec");
    copy_dir(&root().join("spec"), &spec);
    let out = dir.path().join("generated");
    let (spec, out) = (spec.to_str().expect("UTF-8"), out.to_str().expect("UTF-8"));
    let first = ccgen(&["generate", "--spec", spec, "--out", out], dir.path());
    assert_eq!(code(&first), 0, "{}", text(&first.stderr));
    assert!(!text(&first.stdout).contains("removed "), "{}", text(&first.stdout));
    std::fs::remove_file(Path::new(spec).join("voicecall/callinner.yaml")).expect("remove spec");
    let second = ccgen(&["generate", "--spec", spec, "--out", out], dir.path());
    assert_eq!(code(&second), 0, "{}", text(&second.stderr));
    let stdout = text(&second.stdout);
    for removed in ["src/voicecall/callinner.rs", "docs/voicecall/callinner.md", "docs/getting-started.md"] {
        assert!(stdout.lines().any(|l| l == format!("removed {removed}")), "{removed}: {stdout}");
        assert!(!Path::new(out).join(removed).exists(), "{removed}");
    }
    assert!(stdout.contains(", 3 removed, "), "{stdout}");
}

#[test]
fn defaults_resolve_against_the_repository_root_from_a_subfolder() {
    let subfolder = root().join("generator/src/emit");
    let validate = ccgen(&["validate"], &subfolder);
    assert_eq!(code(&validate), 0, "{}", text(&validate.stderr));
    assert!(text(&validate.stdout).starts_with("ok: "));

    let check = ccgen(&["generate", "--check", "--verbose"], &subfolder);
    assert_eq!(code(&check), 0, "{}{}", text(&check.stdout), text(&check.stderr));
    assert!(text(&check.stdout).contains("up to date"));
    let stderr = text(&check.stderr);
    assert!(stderr.contains(&format!("out: {}", root().join("generated").display())), "{stderr}");
}
