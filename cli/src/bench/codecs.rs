//! The codecs `bench` compares: cobolp in each mode and the reference codecs, each as
//! a pair of compress / decompress closures over whole buffers.

use std::io::{Read, Write};

use anyhow::{bail, Context};
use cobol_protocol::{CompressionMode, EngineConfig, InlineEngine, Level};

use crate::cli::records::RecordSetup;

/// Default reference codecs, in table order. `zstd-3+sha256` is zstd -3 that also
/// takes the SHA-256 of its input when compressing and of its output when
/// decompressing: the guarantee cobolp gives (every block hashed, and checked against
/// its SHA-256), so the bound its speeds are held to.
pub const DEFAULT_REFERENCES: &str = "zstd-1,zstd-3,zstd-3+sha256,zstd-19,lz4,gzip-6";
/// Default cobolp modes, in table order.
pub const DEFAULT_MODES: &str = "legacy,bridge,maximal";
/// The codec every figure is compared with.
pub const BASELINE: CodecSpec = CodecSpec::Zstd(3);

/// What a codec is, by name: `cobolp-legacy`, `cobolp-bridge-1`, `zstd-19`,
/// `zstd-3+sha256`, `lz4`, `gzip-6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecSpec {
    Cobolp(CompressionMode, Level),
    Zstd(i32),
    /// zstd at this level, with a SHA-256 of the input on compression and of the
    /// output on decompression.
    ZstdSha256(i32),
    Lz4,
    Gzip(u32),
}

/// Which project a codec comes from: its colour in the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Cobolp,
    Zstd,
    Lz4,
    Gzip,
}

impl CodecSpec {
    pub fn name(&self) -> String {
        match self {
            CodecSpec::Cobolp(mode, level) if *level == Level::DEFAULT => format!("cobolp-{}", mode.name()),
            CodecSpec::Cobolp(mode, level) => format!("cobolp-{}-{level}", mode.name()),
            CodecSpec::Zstd(level) => format!("zstd-{level}"),
            CodecSpec::ZstdSha256(level) => format!("zstd-{level}+sha256"),
            CodecSpec::Lz4 => "lz4".to_string(),
            CodecSpec::Gzip(level) => format!("gzip-{level}"),
        }
    }

    pub fn family(&self) -> Family {
        match self {
            CodecSpec::Cobolp(..) => Family::Cobolp,
            CodecSpec::Zstd(_) | CodecSpec::ZstdSha256(_) => Family::Zstd,
            CodecSpec::Lz4 => Family::Lz4,
            CodecSpec::Gzip(_) => Family::Gzip,
        }
    }

    /// The curve the codec's point is on in the chart: its settings joined (zstd's
    /// levels; each cobolp mode's levels).
    pub fn series(&self) -> String {
        match self {
            CodecSpec::Cobolp(mode, _) => format!("cobolp-{}", mode.name()),
            CodecSpec::Zstd(_) => "zstd".into(),
            CodecSpec::ZstdSha256(_) => "zstd+sha256".into(),
            CodecSpec::Lz4 => "lz4".into(),
            CodecSpec::Gzip(_) => "gzip".into(),
        }
    }

    /// Parses a codec name; `zstd` and `gzip` alone mean their usual default levels,
    /// `cobolp-MODE` level 3.
    pub fn parse(name: &str) -> anyhow::Result<CodecSpec> {
        let name = name.trim().to_ascii_lowercase();
        if let Some(level) = name.strip_prefix("zstd-").and_then(|l| l.strip_suffix("+sha256")) {
            return match level.parse::<i32>() {
                Ok(n) if (1..=22).contains(&n) => Ok(CodecSpec::ZstdSha256(n)),
                _ => bail!("codec {name:?}: level must be 1 to 22"),
            };
        }
        if let Some(rest) = name.strip_prefix("cobolp-") {
            let (mode, level) = match rest.split_once('-') {
                Some((mode, level)) => (mode, level.parse::<Level>()?),
                None => (rest, Level::DEFAULT),
            };
            return Ok(CodecSpec::Cobolp(CompressionMode::parse(mode)?, level));
        }
        let (base, level) = match name.split_once('-') {
            Some((base, level)) => (base, Some(level)),
            None => (name.as_str(), None),
        };
        let level_in = |lo: i64, hi: i64, default: i64| -> anyhow::Result<i64> {
            let Some(level) = level else { return Ok(default) };
            match level.parse::<i64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => bail!("codec {name:?}: level must be {lo} to {hi}"),
            }
        };
        Ok(match base {
            "cobolp" => CodecSpec::Cobolp(CompressionMode::Legacy, Level::DEFAULT),
            "zstd" => CodecSpec::Zstd(level_in(1, 22, 3)? as i32),
            "gzip" => CodecSpec::Gzip(level_in(1, 9, 6)? as u32),
            "lz4" if level.is_none() => CodecSpec::Lz4,
            _ => bail!("unknown codec {name:?}: expected cobolp-MODE, zstd-N (1-22), lz4 or gzip-N (1-9)"),
        })
    }

    /// Builds the codec, or says why it cannot run in this build ("n/a"). cobolp's
    /// modes set up the records of each input as `cobolp compress` does with the
    /// same flags (`records`), as part of the compression timed.
    pub fn build(&self, records: &RecordSetup) -> Result<Codec, String> {
        match *self {
            CodecSpec::Cobolp(mode, level) => {
                let config = EngineConfig::default()
                    .with_mode(mode)
                    .with_level(level)
                    .with_block_size(mode.default_block_size(level))
                    .with_threads(1);
                let decoder = InlineEngine::new(&config).map_err(|e| e.to_string())?;
                let records = records.clone();
                Ok(Codec {
                    compress: Box::new(move |data| {
                        let start = |len: usize| Some(data[..len.min(data.len())].to_vec());
                        let config = records.configure(config.clone(), &start, &mut |_| {});
                        Ok(InlineEngine::new(&config)?.compress_to_vec(data)?)
                    }),
                    decompress: Box::new(move |packed| Ok(decoder.decompress_to_vec(packed)?)),
                })
            }
            CodecSpec::Zstd(level) => Ok(Codec {
                compress: Box::new(move |data| Ok(zstd::bulk::compress(data, level)?)),
                decompress: Box::new(zstd_decompress),
            }),
            CodecSpec::ZstdSha256(level) => Ok(Codec {
                compress: Box::new(move |data| {
                    std::hint::black_box(<sha2::Sha256 as sha2::Digest>::digest(data));
                    Ok(zstd::bulk::compress(data, level)?)
                }),
                decompress: Box::new(|packed| {
                    let data = zstd_decompress(packed)?;
                    std::hint::black_box(<sha2::Sha256 as sha2::Digest>::digest(&data));
                    Ok(data)
                }),
            }),
            CodecSpec::Lz4 => Ok(Codec { compress: Box::new(lz4_compress), decompress: Box::new(lz4_decompress) }),
            CodecSpec::Gzip(level) => Ok(Codec {
                compress: Box::new(move |data| gzip_compress(data, level)),
                decompress: Box::new(gzip_decompress),
            }),
        }
    }
}

impl std::fmt::Display for CodecSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

type BufferFn = Box<dyn Fn(&[u8]) -> anyhow::Result<Vec<u8>>>;

/// A codec ready to run: whole buffer in, whole buffer out, on the calling thread.
pub struct Codec {
    compress: BufferFn,
    decompress: BufferFn,
}

impl Codec {
    pub fn compress(&self, data: &[u8]) -> anyhow::Result<Vec<u8>> {
        (self.compress)(data)
    }

    /// Decompresses with no hint but what the codec's own format records.
    pub fn decompress(&self, packed: &[u8]) -> anyhow::Result<Vec<u8>> {
        (self.decompress)(packed)
    }
}

/// The codec list of a run: the modes first, then the references, without duplicates;
/// the baseline (zstd -3) is always in it, since every figure is compared with it.
pub fn codec_list(modes: &[String], references: &[String]) -> anyhow::Result<Vec<CodecSpec>> {
    let mut list = Vec::new();
    let push = |spec: CodecSpec, list: &mut Vec<CodecSpec>| {
        if !list.contains(&spec) {
            list.push(spec);
        }
    };
    for mode in modes.iter().map(|m| m.trim()).filter(|m| !m.is_empty() && *m != "none") {
        push(CodecSpec::parse(&format!("cobolp-{mode}"))?, &mut list);
    }
    for name in references.iter().map(|c| c.trim()).filter(|c| !c.is_empty() && *c != "none") {
        push(CodecSpec::parse(name)?, &mut list);
    }
    push(BASELINE, &mut list);
    Ok(list)
}

/// Every level of every codec, for the chart's curves: cobolp's 1-9 in each of
/// `modes`, zstd 1-19, gzip 1-9, lz4, and zstd-3+sha256.
pub fn curves(modes: &[String]) -> anyhow::Result<Vec<CodecSpec>> {
    let mut list = Vec::new();
    for mode in modes.iter().map(|m| m.trim()).filter(|m| !m.is_empty() && *m != "none") {
        let mode = CompressionMode::parse(mode)?;
        list.extend((1..=9).map(|n| CodecSpec::Cobolp(mode, Level::new(n).expect("1 to 9"))));
    }
    list.extend((1..=19).map(CodecSpec::Zstd));
    list.extend((1..=9).map(CodecSpec::Gzip));
    list.push(CodecSpec::Lz4);
    list.push(CodecSpec::ZstdSha256(3));
    Ok(list)
}

/// One line per codec family: which implementation and which settings.
pub fn legend() -> Vec<String> {
    vec![
        "cobolp-MODE: this engine, inline (one thread), blocks as `cobolp compress` takes them at the level (2 MiB for legacy, 4 MiB from 4, 8 MiB at 9; 2 MiB for bridge, 4 MiB from 7; 4 MiB for maximal, 8 MiB from 6), frames with SHA-256 per block; records set up as `cobolp compress` does with the same flags (--copybook, --record-length, else detected), inside the time measured"
            .into(),
        format!(
            "zstd-N: libzstd {} (C) via the zstd crate, one-shot API, level N, one thread; zstd-N+sha256: the same, with a SHA-256 (sha2, with the CPU's SHA extensions) of the input before compressing and of the output after decompressing: the hashing and the check every cobolp frame gets",
            zstd::zstd_safe::version_string()
        ),
        "lz4: lz4_flex (pure Rust, safe) frame format as the lz4 CLI writes it: independent blocks up to 4 MiB, content checksum".into(),
        "gzip-N: flate2 with the C zlib backend (system libz), gzip container, level N".into(),
    ]
}

fn zstd_decompress(packed: &[u8]) -> anyhow::Result<Vec<u8>> {
    // The frame records its content size (the one-shot compressor writes it).
    match zstd::zstd_safe::get_frame_content_size(packed) {
        Ok(Some(size)) => Ok(zstd::bulk::decompress(packed, usize::try_from(size)?)?),
        _ => Ok(zstd::stream::decode_all(packed)?),
    }
}

fn lz4_compress(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
    // Auto: the smallest of 64 KiB, 256 KiB and 4 MiB blocks that holds the input, as
    // LZ4F_compressFrame picks; a 150 KB file gets no 4 MiB decoder buffer.
    let info = FrameInfo::new().block_size(BlockSize::Auto).block_mode(BlockMode::Independent).content_checksum(true);
    let mut encoder = FrameEncoder::with_frame_info(info, Vec::with_capacity(data.len() / 2 + 64));
    encoder.write_all(data)?;
    Ok(encoder.finish()?)
}

fn lz4_decompress(packed: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    lz4_flex::frame::FrameDecoder::new(packed).read_to_end(&mut out)?;
    Ok(out)
}

fn gzip_compress(data: &[u8], level: u32) -> anyhow::Result<Vec<u8>> {
    let out = Vec::with_capacity(data.len() / 3 + 64);
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::new(level));
    encoder.write_all(data)?;
    Ok(encoder.finish()?)
}

fn gzip_decompress(packed: &[u8]) -> anyhow::Result<Vec<u8>> {
    // The trailer's ISIZE (size mod 2^32) sizes the buffer, as gunzip would know it.
    let hint = match packed.len() {
        n if n >= 18 => u32::from_le_bytes(packed[n - 4..].try_into().context("gzip trailer")?) as usize,
        _ => 0,
    };
    let mut out = Vec::with_capacity(hint);
    flate2::read::GzDecoder::new(packed).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::records::RecordArgs;

    fn sample() -> Vec<u8> {
        let mut data = Vec::new();
        for i in 0..2000u32 {
            data.extend_from_slice(
                format!("10.0.{}.{} - - GET /item/{} HTTP/1.1 200 {}\n", i % 7, i % 251, i * 31, i % 997).as_bytes(),
            );
        }
        data.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        data
    }

    #[test]
    fn every_available_codec_round_trips() {
        let data = sample();
        let split = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
        let list = codec_list(&split(DEFAULT_MODES), &split(DEFAULT_REFERENCES)).unwrap();
        assert_eq!(list.len(), 9);
        let mut ran = 0;
        let records = RecordSetup::new(&Default::default(), true).unwrap();
        for spec in list {
            let codec = match spec.build(&records) {
                Ok(c) => c,
                Err(reason) => {
                    assert!(matches!(spec, CodecSpec::Cobolp(..)), "{spec} unavailable: {reason}");
                    continue;
                }
            };
            let packed = codec.compress(&data).unwrap();
            assert!(packed.len() < data.len(), "{spec} did not compress");
            assert_eq!(codec.decompress(&packed).unwrap(), data, "{spec}");
            assert_eq!(codec.decompress(&codec.compress(b"").unwrap()).unwrap(), b"", "{spec} empty");
            ran += 1;
        }
        assert!(ran >= 5);
    }

    #[test]
    fn cobolp_sets_up_records_as_compress_does() {
        // 40-byte records: an account number in zoned digits, then a description.
        let data: Vec<u8> = (0..20_000u32)
            .flat_map(|i| {
                format!("{:010}{:>30}", 1_000_000 + i * 3, ["DEPOSIT", "WITHDRAWAL"][i as usize % 2]).into_bytes()
            })
            .collect();
        let size = |records: RecordArgs| {
            let codec = CodecSpec::Cobolp(CompressionMode::Bridge, Level::DEFAULT)
                .build(&RecordSetup::new(&records, true).unwrap())
                .unwrap();
            let packed = codec.compress(&data).unwrap();
            assert_eq!(codec.decompress(&packed).unwrap(), data);
            packed.len()
        };
        let plain = size(RecordArgs { no_record_detection: true, ..Default::default() });
        let detected = size(RecordArgs::default());
        let given = size(RecordArgs { record_length: Some(40), ..Default::default() });
        assert_eq!(detected, given, "the length found is the one given");
        assert!(detected * 2 < plain, "as records {detected}, as bytes {plain}");
    }

    #[test]
    fn parses_names() {
        assert_eq!(CodecSpec::parse("zstd-19").unwrap(), CodecSpec::Zstd(19));
        assert_eq!(CodecSpec::parse("ZSTD").unwrap(), CodecSpec::Zstd(3));
        assert_eq!(CodecSpec::parse("gzip-6").unwrap(), CodecSpec::Gzip(6));
        assert_eq!(CodecSpec::parse("lz4").unwrap(), CodecSpec::Lz4);
        let bridge = |n| CodecSpec::Cobolp(CompressionMode::Bridge, Level::new(n).unwrap());
        assert_eq!(CodecSpec::parse("cobolp-bridge").unwrap(), bridge(3));
        assert_eq!(CodecSpec::parse("cobolp-bridge-7").unwrap(), bridge(7));
        assert_eq!(CodecSpec::parse("zstd-3+sha256").unwrap(), CodecSpec::ZstdSha256(3));
        for bad in ["zstd-0", "zstd-23", "gzip-10", "lz4-3", "brotli", "zstd-x", "cobolp-bridge-0", "zstd-0+sha256"] {
            assert!(CodecSpec::parse(bad).is_err(), "{bad}");
        }
        for spec in [
            CodecSpec::Zstd(1),
            CodecSpec::Lz4,
            CodecSpec::Gzip(9),
            CodecSpec::Cobolp(CompressionMode::Maximal, Level::DEFAULT),
            bridge(1),
            CodecSpec::ZstdSha256(19),
        ] {
            assert_eq!(CodecSpec::parse(&spec.name()).unwrap(), spec);
        }
    }

    #[test]
    fn list_keeps_order_and_always_has_the_baseline() {
        let list = codec_list(&["legacy".into()], &["lz4".into(), "zstd-1".into(), "lz4".into()]).unwrap();
        assert_eq!(
            list,
            vec![
                CodecSpec::Cobolp(CompressionMode::Legacy, Level::DEFAULT),
                CodecSpec::Lz4,
                CodecSpec::Zstd(1),
                BASELINE
            ]
        );
        assert_eq!(codec_list(&["none".into()], &["none".into()]).unwrap(), vec![BASELINE]);
        assert!(codec_list(&["fast".into()], &[]).is_err());
    }
}
