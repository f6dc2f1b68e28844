//! Import: the input is a vendor page. Drafting a spec from it may warn but
//! must not panic or hang, and the draft must serialise.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let page = String::from_utf8_lossy(data);
    let imported = ccgen::import::import_page(&page, &ccgen::import::Options::default());
    let _ = imported.to_yaml();
});
