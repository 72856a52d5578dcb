//! Deterministic identifiers: every id, token and claim code comes from a seeded generator whose
//! position is part of the state, so the same seed gives the same fixtures on every start, and a
//! restored state file goes on where it stopped.

use serde::{Deserialize, Serialize};

/// SplitMix64: small, fast, good enough for ids (this is not a cryptographic generator; the
/// emulator's credentials are not secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IdGen {
    seed: u64,
    counter: u64,
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CLAIM_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Digits, then capitals, then small letters: the order strings sort in.
const SORTED_ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Where the growing part of UUIDs starts: 2025-01-15 in milliseconds, as a v7 UUID of then reads.
const ORDER_BASE: u64 = 0x0194_6742_8400;

impl IdGen {
    pub(crate) fn new(seed: u64) -> Self {
        Self { seed, counter: 0 }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        let mut z = self.seed.wrapping_add(self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A version-7-shaped UUID: its first 48 bits grow with every id, as v7's milliseconds do, the
    /// rest is random. Ids made one after the other sort in that order, so a table's new rows go to
    /// the end of its tree: the path a change copies stays the same few nodes, warm in the cache,
    /// instead of a random one through a state of hundreds of megabytes.
    pub(crate) fn uuid(&mut self) -> String {
        let high = self.next_u64();
        let low = self.next_u64();
        let order = (ORDER_BASE + self.counter) & 0xffff_ffff_ffff;
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            order >> 16,
            order & 0xffff,
            high & 0x0fff,
            ((low >> 48) & 0x3fff) | 0x8000,
            low & 0xffff_ffff_ffff
        )
    }

    fn pick(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    /// An Okta-style user id: `00u` and 17 letters or digits, the first 6 growing with every id (in
    /// the order strings sort) for the reason [`uuid`](Self::uuid) gives.
    pub(crate) fn user_id(&mut self) -> String {
        let mut order = self.counter;
        let mut prefix = [b'0'; 6];
        for digit in prefix.iter_mut().rev() {
            *digit = SORTED_ALPHANUMERIC[(order % 62) as usize];
            order /= 62;
        }
        format!("00u{}{}", String::from_utf8_lossy(&prefix), self.pick(ALPHANUMERIC, 11))
    }

    /// An MFA factor id like `uft2odnt5ez9xSslf0h8`.
    pub(crate) fn factor_id(&mut self) -> String {
        format!("uft{}", self.pick(ALPHANUMERIC, 17))
    }

    /// A claim code `XXXX-XXXX-XXXX-XXXX`.
    pub(crate) fn claim_code(&mut self) -> String {
        (0..4)
            .map(|_| self.pick(CLAIM_ALPHABET, 4))
            .collect::<Vec<_>>()
            .join("-")
    }

    /// An opaque secret-looking string.
    pub(crate) fn opaque(&mut self, len: usize) -> String {
        self.pick(ALPHANUMERIC, len)
    }

    /// A number in `0..bound`.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids() {
        let mut a = IdGen::new(7);
        let mut b = IdGen::new(7);
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.user_id(), b.user_id());
        assert_ne!(IdGen::new(8).uuid(), IdGen::new(7).uuid());
    }

    #[test]
    fn shapes() {
        let mut ids = IdGen::new(1);
        let uuid = ids.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "7");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(ids.user_id().len(), 20);
        let code = ids.claim_code();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        let unit = ids.unit();
        assert!((0.0..1.0).contains(&unit));
    }

    #[test]
    fn ids_made_later_sort_later() {
        let mut ids = IdGen::new(3);
        let uuids: Vec<String> = (0..500).map(|_| ids.uuid()).collect();
        assert!(uuids.windows(2).all(|pair| pair[0] < pair[1]));
        let users: Vec<String> = (0..500).map(|_| ids.user_id()).collect();
        assert!(users.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(users.iter().all(|id| id.starts_with("00u") && id.len() == 20));
    }
}
