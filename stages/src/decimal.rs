//! Decimal arithmetic shared by the record codecs and the template split.

/// 10^0 ... 10^19, the powers of ten a `u64` holds: a value has at most `n` digits
/// when it is below the `n`-th.
pub const POWERS_OF_TEN: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_power_is_the_first_value_with_one_more_digit() {
        for (n, &p) in POWERS_OF_TEN.iter().enumerate() {
            assert_eq!(p.to_string().len(), n + 1);
            assert_eq!((p - 1).to_string().len(), n.max(1));
        }
    }
}
