//! The generated markdown book as doctests: every page is the documentation
//! of one empty module (listed by `build.rs`), so `cargo test --doc` compiles
//! every Rust snippet in it (`no_run`: they need a gateway).

include!(concat!(env!("OUT_DIR"), "/book_pages.rs"));
