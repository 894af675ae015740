//! Random ids (UUIDv4) that stay unique across `fork()`.
//!
//! `uuid`'s `fast-rng` draws from rand's thread-local generator (16 ns instead of a
//! 0.5 µs `getrandom` syscall per id), but rand no longer detects forks: a forked child
//! would continue the parent's exact sequence and both would stamp the same event ids.
//! So every id is XOR-ed with a per-process salt, renewed by `Client::after_fork_in_child`.
//! XOR with a constant keeps the bits uniformly random.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use uuid::Uuid;

static SALT_HI: AtomicU64 = AtomicU64::new(0);
static SALT_LO: AtomicU64 = AtomicU64::new(0);

/// A new random (version 4) UUID.
#[inline]
pub fn new_id() -> Uuid {
    let (hi, lo) = Uuid::new_v4().as_u64_pair();
    let salted = Uuid::from_u64_pair(hi ^ SALT_HI.load(Relaxed), lo ^ SALT_LO.load(Relaxed));
    uuid::Builder::from_random_bytes(*salted.as_bytes()).into_uuid()
}

/// Gives this process an id stream of its own; call in a forked child.
pub(crate) fn resalt_after_fork() {
    let pid = std::process::id() as u64;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    SALT_HI.store(splitmix64(pid ^ SALT_HI.load(Relaxed)), Relaxed);
    SALT_LO.store(
        splitmix64(nanos ^ pid.rotate_left(32) ^ SALT_LO.load(Relaxed)),
        Relaxed,
    );
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_4_and_distinct() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
    }
}
