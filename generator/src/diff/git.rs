//! Reading a spec tree as it was at a git revision, without checking it out.
//!
//! Runs only read-only git commands: `git ls-tree` to list the files and `git show REV:PATH`
//! to read each one.

use std::path::Path;
use std::process::Command;

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::RawFile;

/// The repository's `spec/` at `rev`, as [`crate::load::read_dir`] would read it from a checkout.
pub fn read_git(repo_dir: &Path, rev: &str) -> Result<Vec<RawFile>, Diagnostics> {
    read_git_dir(repo_dir, rev, "spec")
}

/// The folder `spec_dir` (relative to the repository root) at `rev`: every `.yaml` file at its
/// top level and one folder deep, paths relative to `spec_dir`.
pub fn read_git_dir(repo_dir: &Path, rev: &str, spec_dir: &str) -> Result<Vec<RawFile>, Diagnostics> {
    let fail = |message: String| Diagnostics::one(Diagnostic::new(message));
    if rev.starts_with('-') || rev.contains(':') {
        return Err(fail(format!("`{rev}` is not a git revision this command accepts")));
    }
    let dir = spec_dir.trim_matches('/');
    let listing = git(repo_dir, &["ls-tree", "-r", "--name-only", "--full-tree", rev, "--", &format!("{dir}/")])
        .map_err(|e| fail(format!("cannot list {dir}/ at {rev}: {e}")))?;
    let listing = String::from_utf8_lossy(&listing).into_owned();
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in listing.lines() {
        let Some(rel) = path.strip_prefix(dir).and_then(|p| p.strip_prefix('/')) else { continue };
        let depth = rel.matches('/').count();
        if rel.ends_with(".yml") {
            problems.push(Diagnostic::new(format!("{rev}:{path}: spec files end in .yaml")).help("rename it to .yaml"));
            continue;
        }
        if !rel.ends_with(".yaml") {
            continue;
        }
        if depth > 1 {
            problems.push(
                Diagnostic::new(format!("{rev}:{path}: folders nest one level only"))
                    .help("put each interface in spec/<resource>/<name>.yaml"),
            );
            continue;
        }
        match git(repo_dir, &["show", &format!("{rev}:{path}")]) {
            Ok(bytes) => files.push(RawFile { rel_path: rel.to_owned(), bytes }),
            Err(e) => problems.push(Diagnostic::new(format!("cannot read {rev}:{path}: {e}"))),
        }
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    if files.is_empty() {
        return Err(fail(format!("no spec files under {dir}/ at {rev}")));
    }
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(files)
}

/// Runs a read-only git command in `repo_dir` and returns its standard output.
fn git(repo_dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output =
        Command::new("git").arg("-C").arg(repo_dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr.trim().to_owned())
    }
}
