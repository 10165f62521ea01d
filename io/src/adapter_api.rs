//! The constructors, settings and accessors every stream adapter has, written once.
//!
//! Each adapter is a struct with `inner` (its reader or writer) and `state` (an
//! `EncodeState` or a `DecodeState`); the macros below give it the same public surface
//! as the others, so `bufread`, `write` and `sync` cannot drift apart.

/// `new`, `with_config`, `get_ref`, `get_mut`, `into_inner`: for an adapter that holds
/// its reader or writer as it was given.
macro_rules! plain_inner_api {
    ($name:ident, $state:ident, $inner:literal) => {
        plain_inner_api!($name, $state, $inner, |state| state);
    };
    ($name:ident, $state:ident, $inner:literal, |$s:ident| $setup:expr) => {
        impl<T> $name<T> {
            /// Independent frames, default engine settings (1 MiB blocks).
            pub fn new(inner: T) -> Self {
                $name::with_config(inner, EngineConfig::default())
            }

            /// Independent frames with these engine settings. An invalid configuration
            /// is reported by the first use, as `InvalidInput`.
            pub fn with_config(inner: T, config: EngineConfig) -> Self {
                let $s = $state::new(config, false);
                $name { inner, state: $setup }
            }

            #[doc = concat!("The inner ", $inner, ".")]
            pub fn get_ref(&self) -> &T {
                &self.inner
            }

            #[doc = concat!("The inner ", $inner, ". Using it directly breaks the stream.")]
            pub fn get_mut(&mut self) -> &mut T {
                &mut self.inner
            }

            #[doc = concat!("The inner ", $inner, "; whatever is buffered is lost (finish first).")]
            pub fn into_inner(self) -> T {
                self.inner
            }
        }
    };
}

/// `with_session`, `is_session`, `frames`, `buffered`; for decoders also
/// `with_max_frame_length`.
macro_rules! state_api {
    ($name:ident) => {
        impl<T> $name<T> {
            /// Session mode on or off (see [`CpzCodec`](crate::CpzCodec)): frames that
            /// share state and must be decoded in order by one decoder.
            ///
            /// # Panics
            /// When a frame was already made or decoded.
            pub fn with_session(mut self, session: bool) -> Self {
                self.state.set_session(session);
                self
            }

            /// Whether frames share a match window (session mode).
            pub fn is_session(&self) -> bool {
                self.state.is_session()
            }

            /// Data frames made or decoded so far.
            pub fn frames(&self) -> u64 {
                self.state.frames()
            }

            /// Bytes held inside: at most a block of data and a frame.
            pub fn buffered(&self) -> usize {
                self.state.buffered()
            }
        }
    };
    ($name:ident, decoder) => {
        state_api!($name);

        impl<T> $name<T> {
            /// Refuses frames longer than `max` bytes (header included), from their
            /// header, before gathering them. The default admits every valid frame
            /// (64 MiB and its header).
            pub fn with_max_frame_length(mut self, max: usize) -> Self {
                self.state.set_max_frame_len(max);
                self
            }

            /// What an input that ends before its stream's end frame is: by default an
            /// `UnexpectedEof` error, after the data of every complete frame; with
            /// [`Unfinished::Accept`](crate::Unfinished::Accept) the end of the data,
            /// and [`summary`](Self::summary) says that the end was missing. For reading
            /// a stream that is still being written, or one cut short, on purpose.
            pub fn with_unfinished(mut self, unfinished: crate::Unfinished) -> Self {
                self.state.set_unfinished(unfinished);
                self
            }

            /// Once the input has ended: the streams, frames and bytes it held, and
            /// whether the last stream lacked its end (when that was accepted).
            pub fn summary(&self) -> Option<crate::StreamSummary> {
                self.state.summary()
            }
        }
    };
}

pub(crate) use {plain_inner_api, state_api};
