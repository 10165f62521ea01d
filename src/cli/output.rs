//! Output files that appear only when complete: written under a temporary name in the
//! same folder and renamed over the final name on success. A failed run leaves nothing.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

pub struct AtomicOutput {
    temp: PathBuf,
    target: PathBuf,
    file: Option<File>,
}

impl AtomicOutput {
    /// Refuses an existing `target` unless `force`.
    pub fn create(target: &Path, force: bool) -> anyhow::Result<AtomicOutput> {
        if target.exists() && !force {
            bail!("{} already exists; use -f to overwrite", target.display());
        }
        let name = target.file_name().with_context(|| format!("{} is not a file name", target.display()))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".cobolp-{}.tmp", std::process::id()));
        let temp = target.with_file_name(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(AtomicOutput { temp, target: target.to_path_buf(), file: Some(file) })
    }

    /// The open temporary file; taken once, to be written and closed by the caller.
    pub fn take_file(&mut self) -> File {
        self.file.take().expect("the output file is taken once")
    }

    /// Gives the output its final name.
    pub fn commit(mut self) -> anyhow::Result<()> {
        drop(self.file.take());
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot rename {} to {}", self.temp.display(), self.target.display()))?;
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicOutput {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
