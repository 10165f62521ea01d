//! The tailer: reads a file by name as it grows, like `tail -F`, and notices when the
//! name comes to mean another file (rotation by rename) or when the file shrinks under
//! the read position (truncation).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What one call of [`Tailer::poll`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailEvent {
    /// This many new bytes were appended to the buffer.
    Data(usize),
    /// The file was opened for the first time (after waiting for it, with `--retry`).
    Opened,
    /// The old file was read to its end and the path now names another file, which is
    /// now the one read, from its start.
    Rotated,
    /// The file became shorter than the read position: reading starts again from 0.
    Truncated,
    /// Nothing new: the file is at its end and still the one the path names (or the
    /// path names nothing for now).
    Idle,
}

/// Identity of a file: the device and inode it lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    fn of(meta: &std::fs::Metadata) -> FileId {
        FileId { dev: meta.dev(), ino: meta.ino() }
    }
}

struct Current {
    file: File,
    id: FileId,
    /// Bytes read from this file so far: its read position.
    pos: u64,
}

/// Follows one path. Every byte written to the file the path names is returned once,
/// in order, across rotations, as long as the old file is no longer written once the
/// new one exists (what every log writer that rotates by rename does) and a truncated
/// file is not written past the old read position before the tailer looks again.
pub struct Tailer {
    path: PathBuf,
    current: Option<Current>,
    rotations: u64,
    truncations: u64,
}

impl Tailer {
    /// Opens `path` now; fails when it cannot be opened.
    pub fn open(path: &Path) -> io::Result<Tailer> {
        let mut tailer = Tailer::waiting(path);
        tailer.current = Some(open(path)?);
        Ok(tailer)
    }

    /// A tailer that waits for `path` to appear (the first [`poll`](Tailer::poll) that
    /// finds it returns [`TailEvent::Opened`]).
    pub fn waiting(path: &Path) -> Tailer {
        Tailer { path: path.to_path_buf(), current: None, rotations: 0, truncations: 0 }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn rotations(&self) -> u64 {
        self.rotations
    }

    pub fn truncations(&self) -> u64 {
        self.truncations
    }

    /// Reads at most `max` new bytes (at least 1) onto the end of `buf`, or reports a
    /// change of file. Call it until it returns [`TailEvent::Idle`] to read everything
    /// the file holds now.
    pub fn poll(&mut self, buf: &mut Vec<u8>, max: usize) -> io::Result<TailEvent> {
        let Some(current) = self.current.as_mut() else {
            return match try_open(&self.path)? {
                Some(c) => {
                    self.current = Some(c);
                    Ok(TailEvent::Opened)
                }
                None => Ok(TailEvent::Idle),
            };
        };
        let n = read_some(&mut current.file, buf, max.max(1))?;
        if n > 0 {
            current.pos += n as u64;
            return Ok(TailEvent::Data(n));
        }
        // At the end of the open file: has the path moved on to another file?
        match std::fs::metadata(&self.path) {
            Ok(meta) if FileId::of(&meta) != current.id => {
                // The old file is read to its end (the read above returned nothing);
                // what the path names now is read from its start.
                if let Some(next) = try_open(&self.path)? {
                    self.current = Some(next);
                    self.rotations += 1;
                    return Ok(TailEvent::Rotated);
                }
                return Ok(TailEvent::Idle);
            }
            Ok(_) => {}
            // Renamed away and not yet replaced (or deleted): keep the open file.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(TailEvent::Idle),
            Err(e) => return Err(with_path(e, &self.path)),
        }
        // Same file: shorter than what was read means it was truncated.
        let len = current.file.metadata()?.len();
        if len < current.pos {
            current.file.seek(SeekFrom::Start(0))?;
            current.pos = 0;
            self.truncations += 1;
            return Ok(TailEvent::Truncated);
        }
        Ok(TailEvent::Idle)
    }
}

/// One `read` of at most `max` bytes appended to `buf`; returns how many.
fn read_some(file: &mut File, buf: &mut Vec<u8>, max: usize) -> io::Result<usize> {
    let start = buf.len();
    buf.resize(start + max, 0);
    let result = loop {
        match file.read(&mut buf[start..]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    let n = *result.as_ref().unwrap_or(&0);
    buf.truncate(start + n);
    result
}

fn open(path: &Path) -> io::Result<Current> {
    let file = File::open(path).map_err(|e| with_path(e, path))?;
    let meta = file.metadata().map_err(|e| with_path(e, path))?;
    if meta.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is a folder", path.display())));
    }
    Ok(Current { file, id: FileId::of(&meta), pos: 0 })
}

/// Opens `path`, or `None` when it does not exist (yet).
fn try_open(path: &Path) -> io::Result<Option<Current>> {
    match open(path) {
        Ok(c) => Ok(Some(c)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cobolp-tail-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Polls until idle; returns the bytes read and the events other than data.
    fn drain(t: &mut Tailer) -> (Vec<u8>, Vec<TailEvent>) {
        let mut buf = Vec::new();
        let mut events = Vec::new();
        loop {
            match t.poll(&mut buf, 7).unwrap() {
                TailEvent::Idle => return (buf, events),
                TailEvent::Data(_) => {}
                e => events.push(e),
            }
        }
    }

    fn append(path: &Path, data: &[u8]) {
        std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(data).unwrap();
    }

    #[test]
    fn follows_appends_rename_and_truncation() {
        let dir = temp_dir("all");
        let path = dir.join("app.log");
        append(&path, b"one\ntwo\n");
        let mut t = Tailer::open(&path).unwrap();
        assert_eq!(drain(&mut t), (b"one\ntwo\n".to_vec(), vec![]));
        append(&path, b"three\n");
        assert_eq!(drain(&mut t), (b"three\n".to_vec(), vec![]));

        // Rename: the old file gets one more line after the rename, then a new file appears.
        std::fs::rename(&path, dir.join("app.log.1")).unwrap();
        assert_eq!(drain(&mut t), (vec![], vec![]), "no new file yet: keep the old one");
        append(&dir.join("app.log.1"), b"four\n");
        append(&path, b"five\n");
        assert_eq!(drain(&mut t), (b"four\nfive\n".to_vec(), vec![TailEvent::Rotated]));
        assert_eq!(t.rotations(), 1);

        // Truncation, then a shorter content.
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(0).unwrap();
        append(&path, b"six\n");
        assert_eq!(drain(&mut t), (b"six\n".to_vec(), vec![TailEvent::Truncated]));
        assert_eq!(t.truncations(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn waits_for_a_missing_file() {
        let dir = temp_dir("wait");
        let path = dir.join("late.log");
        assert!(Tailer::open(&path).is_err());
        let mut t = Tailer::waiting(&path);
        assert_eq!(drain(&mut t), (vec![], vec![]));
        append(&path, b"hello\n");
        assert_eq!(drain(&mut t), (b"hello\n".to_vec(), vec![TailEvent::Opened]));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
