//! The one error type of the stages. Every decoder returns it instead of panicking.

use std::io;

use crate::l8_seal::StreamError;

/// What went wrong while encoding or decoding a block or frame.
///
/// Decoders never trust a length they read: each one is checked against a cap
/// before anything is allocated, and a failed check is reported here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended before a complete structure could be read.
    #[error("truncated {what}: needed {needed} more bytes")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes missing, at least.
        needed: usize,
    },
    /// A structure was read but its contents are impossible.
    #[error("corrupt {what}: {detail}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// What is impossible about it.
        detail: String,
    },
    /// A length read from the input exceeds what the format allows.
    #[error("{what} of {value} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// What the length is of.
        what: &'static str,
        /// The length read.
        value: u64,
        /// The most it may be.
        limit: u64,
    },
    /// A checksum did not match: the data was damaged.
    #[error("{what} checksum mismatch")]
    Checksum {
        /// What the checksum covers.
        what: &'static str,
    },
    /// A feature bit or version this decoder does not know.
    #[error("unsupported {what}: {value}")]
    Unsupported {
        /// What was not known.
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// Where a frame should start, none does (no frame magic).
    #[error("no frame starts here: found {}", crate::l8_seal::shown(found))]
    NoFrame {
        /// The first bytes found there (up to 16).
        found: Vec<u8>,
    },
    /// A caller passed an invalid setting.
    #[error("invalid setting: {0}")]
    Invalid(String),
    /// The frames are not in the order, or not the frames, their stream was written with.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// The input ended inside a stream, after whole frames: cut short at a frame
    /// boundary, or written by an encoder that was never finished.
    #[error("the stream ended without its end frame, after {frames} frames ({bytes} bytes): cut short, or its writer never finished")]
    Unfinished {
        /// Data frames of the open stream, all decoded and verified.
        frames: u64,
        /// Their original bytes.
        bytes: u64,
    },
}

impl Error {
    pub(crate) fn corrupt(what: &'static str, detail: impl Into<String>) -> Self {
        Error::Corrupt { what, detail: detail.into() }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        let kind = match e {
            Error::Invalid(_) => io::ErrorKind::InvalidInput,
            Error::Truncated { .. } | Error::Unfinished { .. } => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// A result whose error is an [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
