//! Hashes the generator's own sources into `CCGEN_SOURCE_HASH`, so that the
//! record a generation leaves (`api.lock.json`) names the generator exactly:
//! an output made by other emitters is never taken as current.

use std::hash::Hasher as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in ["src", "templates"] {
        println!("cargo::rerun-if-changed={dir}");
        files(&root.join(dir), &mut all);
    }
    println!("cargo::rerun-if-changed=Cargo.toml");
    all.push(root.join("Cargo.toml"));
    all.sort();
    let mut h = fnv::FnvHasher::default();
    for path in &all {
        h.write(path.strip_prefix(root).unwrap_or(path).to_string_lossy().as_bytes());
        h.write(&std::fs::read(path).unwrap_or_default());
    }
    println!("cargo::rustc-env=CCGEN_SOURCE_HASH={:016x}", h.finish());
}
