//! The tests' pseudo-random numbers: xorshift64, so that every failure reproduces
//! from its seed and the tests need no generator crate.

/// The numbers after `seed` (made odd: xorshift stays at 0 from 0).
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
