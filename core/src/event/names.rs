//! Action and tool names, interned. An agent records the same few names over and over (a
//! decorated function's name, a tool's); interning them spares every event an allocation
//! on the caller's thread and a cross-thread free on the uploader's. The table is bounded:
//! names beyond it, or long ones, are simply owned.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashSet;
use std::sync::RwLock;

/// At most this many distinct names are kept (for the life of the process).
const MAX_NAMES: usize = 1024;
/// Longer names are not kept.
const MAX_NAME_LEN: usize = 64;

static NAMES: RwLock<Option<HashSet<&'static str>>> = RwLock::new(None);

thread_local! {
    /// The name this thread took last: a loop recording one name skips the lock and the hash.
    static LAST: Cell<&'static str> = const { Cell::new("") };
}

/// `text` as a name: borrowed from the table when it is (or can be) kept there.
pub fn name(text: &str) -> Cow<'static, str> {
    if text.len() > MAX_NAME_LEN {
        return Cow::Owned(text.to_owned());
    }
    if let Ok(Some(last)) = LAST.try_with(|last| Some(last.get()).filter(|l| *l == text)) {
        return Cow::Borrowed(last);
    }
    let kept = kept(text);
    if let Cow::Borrowed(kept) = kept {
        let _ = LAST.try_with(|last| last.set(kept));
    }
    kept
}

/// `text` from the table, added if there is room.
fn kept(text: &str) -> Cow<'static, str> {
    if let Ok(names) = NAMES.read() {
        if let Some(kept) = names.as_ref().and_then(|n| n.get(text)) {
            return Cow::Borrowed(kept);
        }
    }
    let Ok(mut names) = NAMES.write() else {
        return Cow::Owned(text.to_owned());
    };
    let names = names.get_or_insert_with(HashSet::new);
    if let Some(kept) = names.get(text) {
        return Cow::Borrowed(kept);
    }
    if names.len() >= MAX_NAMES {
        return Cow::Owned(text.to_owned());
    }
    // Kept for the process's life, on purpose: at most MAX_NAMES * MAX_NAME_LEN bytes.
    let kept: &'static str = Box::leak(text.into());
    names.insert(kept);
    Cow::Borrowed(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_are_shared_and_long_ones_owned() {
        let (a, b) = (name("plan"), name("plan"));
        match (&a, &b) {
            (Cow::Borrowed(a), Cow::Borrowed(b)) => assert!(std::ptr::eq(*a, *b)),
            other => panic!("not interned: {other:?}"),
        }
        assert!(matches!(name(&"n".repeat(65)), Cow::Owned(_)));
        assert_eq!(name("tool").as_ref(), "tool");
    }
}
