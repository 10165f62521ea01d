//! `cobolp bench`: placeholder while it is written.

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Folders or files to measure on.
    pub paths: Vec<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct BenchOneArgs {
    pub file: std::path::PathBuf,
}

pub fn run(_args: &BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("bench is not written yet")
}

pub fn run_one(_args: &BenchOneArgs) -> anyhow::Result<()> {
    anyhow::bail!("bench is not written yet")
}
