//! Making staged files durable with as few syncs as the platform allows.
//!
//! An fsync per file made the write stage most of a generation's time on a
//! busy disk. On Linux one `syncfs` of the filesystem holding the staging
//! folder flushes them all at once; elsewhere each file is synced.

use std::cell::Cell;
use std::io;
use std::path::Path;

thread_local! {
    /// Test hook: how many syncs this thread has asked for.
    static SYNCS: Cell<usize> = const { Cell::new(0) };
}

/// Syncs asked for on this thread so far (for tests counting them).
#[cfg(test)]
pub(super) fn syncs() -> usize {
    SYNCS.get()
}

/// `sync_all` of one open file or folder, counted.
pub(super) fn sync(file: &std::fs::File) -> io::Result<()> {
    SYNCS.set(SYNCS.get() + 1);
    file.sync_all()
}

/// Makes the contents of `files` (files and folders), all inside `staging`, durable.
#[cfg(target_os = "linux")]
pub(super) fn sync_files(staging: &Path, files: &[&Path]) -> io::Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    SYNCS.set(SYNCS.get() + 1);
    let dir = std::fs::File::open(staging)?;
    rustix::fs::syncfs(&dir).map_err(io::Error::from)
}

/// Makes the contents of `files` durable, one at a time. A folder among
/// them is synced too where the platform can open one (its entries are
/// what a crash could otherwise lose).
#[cfg(not(target_os = "linux"))]
pub(super) fn sync_files(_staging: &Path, files: &[&Path]) -> io::Result<()> {
    for file in files {
        if file.is_dir() && !cfg!(unix) {
            continue;
        }
        sync(&std::fs::File::open(file)?)?;
    }
    Ok(())
}
