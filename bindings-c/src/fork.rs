//! Fork: a `pthread_atfork` child handler gives every live client a fresh uploader in the
//! child, so a forked child keeps recording into its open sessions (the parent's queued
//! events stay the parent's). Live clients sit in a fixed table of atomic slots: the child
//! handler must not take a lock that a thread of the parent, absent in the child, may hold.

use std::ffi::c_int;
use std::ptr::null_mut;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, Ordering::AcqRel, Ordering::Acquire};

use crate::client::agentops_client;

/// Clients beyond this many are not carried into forked children (logged once each).
const SLOTS: usize = 64;

static LIVE: [AtomicPtr<agentops_client>; SLOTS] = [const { AtomicPtr::new(null_mut()) }; SLOTS];

unsafe extern "C" {
    fn pthread_atfork(
        prepare: Option<extern "C" fn()>,
        parent: Option<extern "C" fn()>,
        child: Option<extern "C" fn()>,
    ) -> c_int;
}

extern "C" fn in_child() {
    for slot in &LIVE {
        let client = slot.load(Acquire);
        // SAFETY: a client leaves its slot before it is freed, and the child has no other
        // thread that could free it now.
        if let Some(client) = unsafe { client.as_ref() } {
            if let Err(err) = client.inner.after_fork_in_child() {
                log::warn!("after fork: {}", err.message());
            }
        }
    }
}

/// Registers a new client for fork handling.
pub fn register(client: *mut agentops_client) {
    static INSTALL: Once = Once::new();
    // SAFETY: a plain POSIX call with a handler that only reads atomics and the clients.
    INSTALL.call_once(|| unsafe {
        pthread_atfork(None, None, Some(in_child));
    });
    let free = LIVE.iter().find(|slot| {
        slot.compare_exchange(null_mut(), client, AcqRel, Acquire)
            .is_ok()
    });
    if free.is_none() {
        log::warn!("more than {SLOTS} clients: this one is not carried into forked children");
    }
}

/// Forgets a client about to be freed.
pub fn unregister(client: *mut agentops_client) {
    for slot in &LIVE {
        let _ = slot.compare_exchange(client, null_mut(), AcqRel, Acquire);
    }
}
