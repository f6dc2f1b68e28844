//! Secrets overwrite their bytes before their memory goes back to the
//! allocator. An allocator wrapper looks at every freed block for a marker:
//! it may see the marker only in blocks freed by types that do not zeroize.
//! (Its own test binary: a global allocator applies to the whole binary.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use agentgateway_runtime::{Guid, SecretString};

const MARKER: &[u8] = b"zeroize-marker-5f1c9e";

static SEEN: AtomicUsize = AtomicUsize::new(0);
static WATCHING: AtomicBool = AtomicBool::new(false);

struct Spy;

// SAFETY: every call is forwarded to `System` unchanged; `dealloc` only reads
// the block it is handed, which is still allocated at that point.
unsafe impl GlobalAlloc for Spy {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::SeqCst) {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(MARKER.len()).any(|w| w == MARKER) {
                SEEN.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Spy = Spy;

fn marker() -> String {
    String::from_utf8(MARKER.to_vec()).expect("ASCII")
}

/// How many freed blocks held the marker while `f` ran.
fn blocks_with_marker_freed(f: impl FnOnce()) -> usize {
    SEEN.store(0, Ordering::SeqCst);
    WATCHING.store(true, Ordering::SeqCst);
    f();
    WATCHING.store(false, Ordering::SeqCst);
    SEEN.load(Ordering::SeqCst)
}

// One test function: the counters are global, and tests in one binary run in parallel.
#[test]
fn secrets_are_zeroed_before_they_are_freed() {
    let plain = marker();
    assert_eq!(blocks_with_marker_freed(|| drop(plain)), 1, "the spy sees a plain String's bytes");

    let secret = SecretString::new(marker());
    assert_eq!(blocks_with_marker_freed(|| drop(secret)), 0, "SecretString freed with its bytes");

    let guid = Guid::new(marker());
    let copy = guid.clone();
    assert_eq!(blocks_with_marker_freed(|| drop((guid, copy))), 0, "Guid freed with its bytes");

    let parsed = Guid::from_set_guid_header(&format!("JSESSIONID={}", marker())).expect("valid header");
    assert_eq!(blocks_with_marker_freed(|| drop(parsed)), 0, "parsed Guid freed with its bytes");
}
