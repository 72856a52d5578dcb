//! The one stable hash of the engine: lock files, state fingerprints and saved plans' digests of
//! their plan file (and a face's caches) all use it, so every scc version computes the same.

/// FNV-1a, 64 bits: stable across builds, so every scc version picks the same lock file and reads
/// the same digest of a state (a digest against change, not against an attacker).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The digest a saved plan records of a file's bytes: 16 hex digits of [`fnv1a`].
pub(crate) fn of_file(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a(bytes))
}
