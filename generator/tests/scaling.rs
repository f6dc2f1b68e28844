//! Generation time grows no faster than the API: twice the interfaces take
//! at most twice the time (a ratio within one run, so a busy machine does
//! not decide it).

use std::time::{Duration, Instant};

/// A synthetic catalogue of `n` endpoints, in the gateway catalogue's format.
fn catalogue(n: usize) -> String {
    (0..n)
        .map(|i| match i % 3 {
            0 => format!("GET /res{}/{{agentid}}/query{i}/{{skillid:[1-9]\\d*}} ?workno&startdate\n", i % 7),
            1 => format!("PUT /res{}/{{agentid}}/set{i} [JSON]\n", i % 7),
            _ => format!("POST /res{}/{{agentid}}/act{i}/{{time:1..86399 regex}}\n", i % 7),
        })
        .collect()
}

/// The fastest of a few runs of load, check and both emitters over `n` interfaces.
fn generation_time(n: usize) -> Duration {
    let spec = tempfile::tempdir().unwrap();
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    assert_eq!(ccgen::fixture::write_tree(&catalogue(n), &base, 1, spec.path()).unwrap(), n);
    (0..5)
        .map(|_| {
            let start = Instant::now();
            let api = ccgen::pipeline::validate(spec.path()).unwrap_or_else(|d| panic!("{}", d.render()));
            ccgen::pipeline::emit_all(&api).expect("emits");
            start.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn twice_the_interfaces_take_at_most_twice_the_time() {
    let (one, two) = (generation_time(30), generation_time(60));
    let ratio = two.as_secs_f64() / one.as_secs_f64();
    // 2.0 is the rule; the 10 % above it absorbs timer noise on a loaded machine.
    assert!(ratio <= 2.2, "{one:?} for 30 interfaces, {two:?} for 60: ratio {ratio:.2}");
}
