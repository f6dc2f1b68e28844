//! Lists every page of the generated book for the doctests in `src/book.rs`:
//! each page becomes the documentation of an empty module, so `cargo test
//! --doc` compiles every Rust snippet in the book, new pages included.

use std::path::{Path, PathBuf};

fn main() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/docs");
    println!("cargo::rerun-if-changed={}", docs.display());
    let mut pages = Vec::new();
    collect(&docs, &mut pages);
    pages.sort();
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut out = String::new();
    for page in &pages {
        let rel = page.strip_prefix(&docs).unwrap_or(page).to_string_lossy();
        let module: String = rel
            .trim_end_matches(".md")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect();
        // Signature blocks (`rust,ignore`: declarations without bodies) are
        // not tests; as `text` they do not show up as ignored ones.
        let text = std::fs::read_to_string(page).expect("read a book page").replace("```rust,ignore", "```text");
        let copy = out_dir.join(format!("page_{module}.md"));
        std::fs::write(&copy, text).expect("write a book page for the doctests");
        out.push_str(&format!("#[doc = include_str!({:?})]\npub mod page_{module} {{}}\n", copy.display().to_string()));
    }
    let target = out_dir.join("book_pages.rs");
    std::fs::write(&target, out).expect("write the list of book pages");
}

/// Every `.md` file below `dir`; directories are watched too, so an added page reruns this script.
fn collect(dir: &Path, pages: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo::rerun-if-changed={}", path.display());
            collect(&path, pages);
        } else if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
}
