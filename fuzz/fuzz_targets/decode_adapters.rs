//! Any bytes through the io decoders (the `Framed` codec in both modes and the std
//! reader), cut into pieces whose sizes come from the input itself: an error or data,
//! never a panic, and the reader and the codec agree on the data of the frames they
//! both accepted.
#![no_main]

use std::io::Read;

use bytes::BytesMut;
use cobol_protocol::{sync, CpzCodec};
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Decoder;

fuzz_target!(|input: &[u8]| {
    let Some((&cut, data)) = input.split_first() else { return };
    let piece = usize::from(cut).max(1);
    for session in [false, true] {
        let mut codec = CpzCodec::new().with_session(session);
        let mut buf = BytesMut::new();
        let mut from_codec = Vec::new();
        let mut failed = false;
        'feed: for chunk in data.chunks(piece) {
            buf.extend_from_slice(chunk);
            loop {
                match codec.decode(&mut buf) {
                    Ok(Some(message)) => from_codec.extend_from_slice(&message),
                    Ok(None) => break,
                    Err(_) => {
                        failed = true;
                        break 'feed;
                    }
                }
            }
        }
        if !failed {
            failed = codec.decode_eof(&mut buf).is_err();
        }
        let mut reader = sync::Decoder::new(data).with_session(session);
        let mut from_reader = Vec::new();
        let read = reader.read_to_end(&mut from_reader);
        assert!(from_reader.starts_with(&from_codec) || from_codec.starts_with(&from_reader));
        if !failed && read.is_ok() {
            assert_eq!(from_codec, from_reader);
        }
    }
});
