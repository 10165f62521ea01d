//! L1 for text: a line as tokens, each a byte range of the line, so that joining them
//! gives the line back exactly, whatever its bytes.
//!
//! A *word* is a maximal run of ASCII letters and digits and of bytes 0x80 and above
//! (so a UTF-8 word, or any non-ASCII run, stays whole); every other byte (space,
//! tab, punctuation, control bytes, `\r`) is static text. Words are then told
//! apart by what the template layer makes of them:
//!
//! - a run of digits is a **number**: at most 19 digits (every such value fits a
//!   `u64`; deltas between them wrap, and unwrap the same way), remembered with its
//!   count of leading zeros (`007` is 7 after two zeros; `0` alone is 0 after none);
//! - a word with a digit and something else (`a3f9`, `blk7`, `x86`) is a **variable
//!   word**: it is stored as a string, since such words vary from line to line;
//! - a word without digits, and every other byte, is **static** text: it becomes part
//!   of the line's template.
//!
//! A UUID, an IPv6 address and a MAC address are each one variable word, dashes or
//! colons and all (see [`starts_with_uuid`], [`colon_hex_len`]): cut at them, their
//! groups would be numbers, words and static text by chance, a template for each mix.

/// What one token of a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// Template text.
    Static(&'a [u8]),
    /// Digits: the value, and the zeros written before its own digits.
    Number {
        /// The value.
        value: u64,
        /// Zeros written before its digits.
        zeros: u8,
    },
    /// A word holding digits and other characters, kept as its bytes.
    Word(&'a [u8]),
}

/// The most digits a number token has; longer digit runs are variable words.
pub const MAX_NUMBER_DIGITS: usize = 19;

/// What each byte value is, looked up once per byte: the split reads every byte of a
/// block two or three times, and a table beats the chains of comparisons.
const WORD: u8 = 1;
const DELIMITER: u8 = 2;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c >= 0x80 {
            t[b] = WORD;
        }
        if matches!(
            c,
            b' ' | b'\t'
                | b'\r'
                | b'"'
                | b'\''
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b','
                | b';'
                | b'='
                | b'|'
                | b'<'
                | b'>'
        ) {
            t[b] = DELIMITER;
        }
        b += 1;
    }
    t
};

#[inline(always)]
fn is_word_byte(b: u8) -> bool {
    CLASS[usize::from(b)] == WORD
}

/// The bytes that separate the fields of a log line: white space, quotes, brackets
/// and the separators of lists and key-value pairs.
#[inline(always)]
pub fn is_delimiter(b: u8) -> bool {
    CLASS[usize::from(b)] == DELIMITER
}

/// What [`fields`] cuts a line into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// One delimiter byte.
    Delimiter,
    /// A maximal run of other bytes, outside quotes: it holds no white space.
    Field,
    /// A run of bytes between quotes, up to the closing one: delimiters included.
    Quoted,
    /// A value of a structured line (a JSON string or literal, a CSV value, a stanza's
    /// value) without a space, maybe empty: a variable, never template text, even
    /// without a digit.
    Value,
}

/// Calls `emit` with each piece of `line`: a delimiter byte or a field, a maximal run
/// of other bytes (inside quotes, of any bytes but the quote).
pub fn fields<'a>(line: &'a [u8], mut emit: impl FnMut(&'a [u8], Piece)) {
    let mut pos = 0;
    let mut quoted = false;
    while pos < line.len() {
        let b = line[pos];
        if b == b'"' {
            quoted = !quoted;
            emit(&line[pos..pos + 1], Piece::Delimiter);
            pos += 1;
            continue;
        }
        // Inside quotes, only the closing quote ends a field: a quoted user agent or
        // message is one field, not a dozen whose combinations make as many templates.
        let (end, piece) = if quoted {
            (memchr::memchr(b'"', &line[pos..]).map_or(line.len(), |p| pos + p), Piece::Quoted)
        } else if is_delimiter(b) {
            (pos + 1, Piece::Delimiter)
        } else {
            (line[pos..].iter().position(|&c| is_delimiter(c)).map_or(line.len(), |p| pos + p), Piece::Field)
        };
        emit(&line[pos..end], piece);
        pos = end;
    }
}

/// Calls `emit` with each token of `line`, in order; static text comes as the
/// longest runs the other tokens leave (`GET /` is one token, not three).
pub fn tokenize<'a>(line: &'a [u8], mut emit: impl FnMut(Token<'a>)) {
    let mut pos = 0;
    let mut static_start = 0;
    while pos < line.len() {
        if !is_word_byte(line[pos]) {
            pos += 1;
            continue;
        }
        let start = pos;
        // One pass over the word: where it ends, how many digits, and their value
        // (which wraps past 19 digits, when the word is not a number anyway).
        let (mut digits, mut value) = (0usize, 0u64);
        while let Some(&b) = line.get(pos) {
            if !is_word_byte(b) {
                break;
            }
            let digit = b.wrapping_sub(b'0');
            if digit < 10 {
                digits += 1;
                value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
            }
            pos += 1;
        }
        // A UUID, an IPv6 or a MAC address is one variable word: cut at its dashes
        // or colons, its groups were numbers, words and (a group without a digit)
        // template text, and a template for each mix of them (`nginx_json.log` with
        // its request ids written as UUIDs: 416 templates in a block where 89 serve,
        // 23% larger). Looked for only where a word of up to 8 bytes ends at a dash
        // or a colon, so that other words pay one test.
        let joined = match line.get(pos) {
            Some(b'-') if pos - start == 8 => {
                let uuid =
                    starts_with_uuid(&line[start..]) && line.get(start + UUID_LEN).is_none_or(|&b| !is_word_byte(b));
                if uuid {
                    UUID_LEN
                } else {
                    0
                }
            }
            // A second colon within the next five bytes, or no address (`12:30`, `ab: x`).
            Some(b':')
                if pos - start <= 4
                    && line[start..pos].iter().all(u8::is_ascii_hexdigit)
                    && line[pos + 1..].iter().take(5).any(|&b| b == b':') =>
            {
                colon_hex_len(&line[start..])
            }
            _ => 0,
        };
        if joined > 0 {
            pos = start + joined;
            if static_start < start {
                emit(Token::Static(&line[static_start..start]));
            }
            emit(Token::Word(&line[start..pos]));
            static_start = pos;
            continue;
        }
        if digits == 0 {
            continue;
        }
        let word = &line[start..pos];
        let token = if digits < word.len() || word.len() > MAX_NUMBER_DIGITS {
            Token::Word(word)
        } else {
            Token::Number { value, zeros: (word.len() - decimal_len(value)) as u8 }
        };
        if static_start < start {
            emit(Token::Static(&line[static_start..start]));
        }
        emit(token);
        static_start = pos;
    }
    if static_start < line.len() {
        emit(Token::Static(&line[static_start..]));
    }
}

/// The length of a UUID as RFC 9562 writes it: 32 hexadecimal digits in groups of
/// 8-4-4-4-12 joined by dashes.
pub const UUID_LEN: usize = 36;

/// Whether `text` starts with a UUID's form (digits of either case).
pub fn starts_with_uuid(text: &[u8]) -> bool {
    text.len() >= UUID_LEN
        && text[..UUID_LEN].iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The length of a colon-joined hexadecimal id at the start of `text` (an IPv6
/// address, a MAC address): digits of either case and colons, at least two colons,
/// groups of at most four digits (an empty one for IPv6's `::`), a digit 0-9 and a
/// letter a-f among them, and no letter or digit right after it; 0 where there is
/// none. A trailing colon is not part of it.
pub fn colon_hex_len(text: &[u8]) -> usize {
    let (mut colons, mut group, mut digit, mut letter) = (0, 0, false, false);
    let mut end = 0;
    for &b in text {
        match b {
            b':' => {
                colons += 1;
                group = 0;
            }
            b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                group += 1;
                if group > 4 {
                    return 0;
                }
                digit |= b.is_ascii_digit();
                letter |= !b.is_ascii_digit();
            }
            _ => break,
        }
        end += 1;
    }
    if text.get(end).is_some_and(|&b| is_word_byte(b)) {
        return 0;
    }
    while end > 0 && text[end - 1] == b':' {
        end -= 1;
        colons -= 1;
    }
    if colons >= 2 && digit && letter {
        end
    } else {
        0
    }
}

/// Writes a number token back: `zeros` zeros, then the value's digits.
pub fn write_number(value: u64, zeros: u8, out: &mut Vec<u8>) {
    let len = decimal_len(value);
    let start = out.len() + usize::from(zeros);
    out.resize(start + len, b'0');
    put_digits(value, &mut out[start..]);
}

/// Room [`put_number`] needs: a number token's digits and zeros, and more.
pub const NUMBER_ROOM: usize = 32;

/// A number `width` bytes wide (its digits, zeros in front) into the start of
/// `room`, without growing a vector: the decoder knows each number's width, and so
/// need not count its digits again. `None` when the digits are wider than `width` or
/// `width` wider than the room.
#[inline]
pub fn put_number(value: u64, width: usize, room: &mut [u8; NUMBER_ROOM]) -> Option<usize> {
    // Below 10^width: a table look-up rather than a count of the digits.
    let fits = crate::decimal::POWERS_OF_TEN.get(width).is_none_or(|&limit| value < limit);
    if width == 0 || width > NUMBER_ROOM || !fits {
        return None;
    }
    // Zeros over the whole room are one fixed-width store; a fill of the zeros alone
    // would be a call. The digits then go over the last of them.
    room.fill(b'0');
    put_digits(value, &mut room[..width]);
    Some(width)
}

/// Writes `value`'s decimal digits at the end of `digits`, which has room for them.
pub(super) fn put_digits(value: u64, digits: &mut [u8]) {
    // Two digits a step, from the last: half the divisions of one at a time.
    let (mut v, mut end) = (value, digits.len());
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        digits[end - 2..end].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        end -= 2;
    }
    if v >= 10 {
        let pair = v as usize * 2;
        digits[end - 2..end].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        digits[end - 1] = b'0' + v as u8;
    }
}

/// `00`, `01`, ... `99`, each pair at twice its value.
static DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Digits of `value` in decimal.
pub fn decimal_len(value: u64) -> usize {
    // From the bit length: `bits * 1233 >> 12` is log10(2^bits) rounded down, the
    // count of digits or one more, which one comparison settles (`ilog10` branched
    // its way down; the decoder asks this of every number: 1.5% of its time).
    let v = value | 1;
    let bits = 64 - v.leading_zeros() as usize;
    let guess = (bits * 1233) >> 12;
    guess + 1 - usize::from(v < crate::decimal::POWERS_OF_TEN[guess])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn join(line: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        tokenize(line, |t| match t {
            Token::Static(s) | Token::Word(s) => out.extend_from_slice(s),
            Token::Number { value, zeros } => write_number(value, zeros, &mut out),
        });
        out
    }

    #[test]
    fn tokens_of_a_log_line() {
        let mut tokens = Vec::new();
        tokenize(b"2026-11-05 07:08 GET /a3f9 took=0.050s", |t| tokens.push(t));
        use Token::*;
        assert_eq!(
            tokens,
            [
                Number { value: 2026, zeros: 0 },
                Static(b"-"),
                Number { value: 11, zeros: 0 },
                Static(b"-"),
                Number { value: 5, zeros: 1 },
                Static(b" "),
                Number { value: 7, zeros: 1 },
                Static(b":"),
                Number { value: 8, zeros: 1 },
                Static(b" GET /"),
                Word(b"a3f9"),
                Static(b" took="),
                Number { value: 0, zeros: 0 },
                Static(b"."),
                Word(b"050s"),
            ]
        );
    }

    #[test]
    fn a_uuid_is_one_word() {
        let mut tokens = Vec::new();
        tokenize(b"id=23e99101-f4d6-794d-53ba-528e6919a93d/x 7", |t| tokens.push(t));
        use Token::*;
        assert_eq!(
            tokens,
            [
                Static(b"id="),
                Word(b"23e99101-f4d6-794d-53ba-528e6919a93d"),
                Static(b"/x "),
                Number { value: 7, zeros: 0 }
            ]
        );
        // Not a UUID: a group too long or short, a letter past f, a word byte after it.
        for not in [
            &b"23e99101-f4d6-794d-53ba-528e6919a93"[..],
            b"23e99101-f4d6-794d-53ba-528e6919a93dx",
            b"23e99101-f4d67-94d-53ba-528e6919a93d",
            b"23e9910g-f4d6-794d-53ba-528e6919a93d",
        ] {
            tokens.clear();
            tokenize(not, |t| tokens.push(t));
            assert!(tokens.len() > 1, "{}", String::from_utf8_lossy(not));
            assert_eq!(join(not), not);
        }
    }

    #[test]
    fn ipv6_and_mac_addresses_are_one_word() {
        for (line, word) in [
            (&b"client=2001:db8:85a3::8a2e:370:7334 ok"[..], &b"2001:db8:85a3::8a2e:370:7334"[..]),
            (b"from fe80::1ff:fe23:4567:890a]", b"fe80::1ff:fe23:4567:890a"),
            (b"mac=c4:aa:03:61:BA:19", b"c4:aa:03:61:BA:19"),
            (b"mac 00:1b:44:11:3a:b7: up", b"00:1b:44:11:3a:b7"),
        ] {
            let mut tokens = Vec::new();
            tokenize(line, |t| tokens.push(t));
            assert!(tokens.contains(&Token::Word(word)), "{}: {tokens:?}", String::from_utf8_lossy(line));
            assert_eq!(join(line), line);
        }
        // Times, one colon, a group of five, no letter or no digit, a letter after it.
        for (text, expected) in [
            (&b"10:05:03"[..], 0),
            (b"ab12:cd34", 0),
            (b"12345:ab:cd", 0),
            (b"cafe:face:bead", 0),
            (b"1a:2b:3c", 8),
            (b"1a:2b:3cx", 0),
            (b"1a:2b:3c::", 8),
        ] {
            assert_eq!(colon_hex_len(text), expected, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn long_digit_runs_are_words() {
        let mut tokens = Vec::new();
        tokenize(b"12345678901234567890", |t| tokens.push(t));
        assert_eq!(tokens, [Token::Word(b"12345678901234567890")]);
        tokens.clear();
        tokenize(b"9999999999999999999", |t| tokens.push(t));
        assert_eq!(tokens, [Token::Number { value: 9_999_999_999_999_999_999, zeros: 0 }]);
        assert_eq!(join(b"0000000000000000000"), b"0000000000000000000");
        assert_eq!(decimal_len(0), 1);
        assert_eq!(decimal_len(99), 2);
        assert_eq!(decimal_len(u64::MAX), 20);
    }

    #[test]
    fn decimal_len_counts_the_digits_at_every_power_of_two_and_ten() {
        let edges = (0..64).flat_map(|b| [1u64 << b, (1u64 << b) - 1, (1u64 << b) + 1]);
        let tens = crate::decimal::POWERS_OF_TEN.iter().flat_map(|&p| [p - 1, p, p + 1]);
        for v in edges.chain(tens).chain([0, u64::MAX, u64::MAX - 1]) {
            assert_eq!(decimal_len(v), v.to_string().len(), "{v}");
        }
    }

    proptest! {
        #[test]
        fn decimal_len_is_the_length_of_the_digits(bits in 0u32..64, v in any::<u64>()) {
            let v = v >> bits;
            prop_assert_eq!(decimal_len(v), v.to_string().len());
        }

        #[test]
        fn tokens_join_to_the_line(line in prop::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(join(&line), line);
        }

        #[test]
        fn digit_heavy_lines_join_too(line in "[0-9a.:x -]{0,80}") {
            prop_assert_eq!(join(line.as_bytes()), line.as_bytes());
        }

        #[test]
        fn lines_with_colon_ids_join_too(line in "([0-9a-fA-Fx]{0,5}[ :]{0,2}){0,12}") {
            prop_assert_eq!(join(line.as_bytes()), line.as_bytes());
        }

        #[test]
        fn lines_with_uuids_join_too(line in "([0-9a-fA-F]{0,9}[ -]?){0,12}") {
            prop_assert_eq!(join(line.as_bytes()), line.as_bytes());
        }
    }
}
