//! Helpers shared by the fake gateway's test files; each file uses some.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Copies the spec tree at `from` into `to`, folders and all.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read spec dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Starts the `fake-gateway` binary with `args` and reads the first `lines`
/// lines it prints (listening URL, CA file, control URL), without their
/// line endings. The caller kills the child.
pub fn start_binary<S: AsRef<OsStr>>(args: &[S], lines: usize) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-gateway"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start fake-gateway");
    let printed = std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .take(lines)
        .map(|l| l.expect("a line"))
        .collect();
    (child, printed)
}
