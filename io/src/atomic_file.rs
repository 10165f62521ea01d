//! Output files that appear only when complete: written under a temporary name in the
//! same folder and renamed over the final name on success. A failed run leaves nothing.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// A file being written under a temporary name; dropped without [`commit`], it is removed.
///
/// [`commit`]: AtomicFile::commit
#[derive(Debug)]
pub struct AtomicFile {
    temp: PathBuf,
    target: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    /// Starts writing `target`. An existing `target` is an `AlreadyExists` error unless
    /// `overwrite`; it stays untouched until a successful commit either way.
    pub fn create(target: &Path, overwrite: bool) -> io::Result<AtomicFile> {
        if target.exists() && !overwrite {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists; use -f to overwrite", target.display()),
            ));
        }
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a file name", target.display()))
        })?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".cobolp-{}.tmp", std::process::id()));
        let temp = target.with_file_name(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", temp.display())))?;
        Ok(AtomicFile { temp, target: target.to_path_buf(), file: Some(file) })
    }

    /// Removes the temporary files that runs to `target` left behind and whose process
    /// no longer exists (killed by SIGKILL, or the machine stopped), and returns them.
    /// Only where processes can be looked up (`/proc`); elsewhere none is removed.
    pub fn remove_stale(target: &Path) -> io::Result<Vec<PathBuf>> {
        let (Some(name), Some(folder)) = (target.file_name(), target.parent()) else { return Ok(Vec::new()) };
        let processes = Path::new("/proc/self");
        if !processes.exists() {
            return Ok(Vec::new());
        }
        let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
        let prefix = format!(".{}.cobolp-", name.to_string_lossy());
        let mut removed = Vec::new();
        let entries = match std::fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let file_name = entry.file_name();
            let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)?.strip_suffix(".tmp")) else {
                continue;
            };
            let Ok(pid) = pid.parse::<u32>() else { continue };
            if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
                std::fs::remove_file(entry.path())?;
                removed.push(entry.path());
            }
        }
        Ok(removed)
    }

    /// The open temporary file, handed out once to be written and closed by the caller.
    pub fn take_file(&mut self) -> Option<File> {
        self.file.take()
    }

    /// Gives the output its final name.
    pub fn commit(mut self) -> io::Result<()> {
        drop(self.file.take());
        std::fs::rename(&self.temp, &self.target).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot rename {} to {}: {e}", self.temp.display(), self.target.display()))
        })?;
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cobolp-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn appears_only_on_commit() {
        let d = dir("commit");
        let target = d.join("out.bin");
        let mut out = AtomicFile::create(&target, false).unwrap();
        out.take_file().unwrap().write_all(b"data").unwrap();
        assert!(!target.exists());
        out.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"data");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn dropped_leaves_nothing_and_existing_files_are_kept() {
        let d = dir("drop");
        let target = d.join("out.bin");
        drop(AtomicFile::create(&target, false).unwrap());
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        std::fs::write(&target, b"keep").unwrap();
        assert_eq!(AtomicFile::create(&target, false).err().unwrap().kind(), io::ErrorKind::AlreadyExists);
        drop(AtomicFile::create(&target, true).unwrap());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }
}
