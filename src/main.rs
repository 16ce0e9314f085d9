//! The `doorstep` command line. Thin: parses arguments and calls the library.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "doorstep",
    version,
    about = "Supplies to households in home isolation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the bundled sample district (`.osm.pbf` and seed) into a directory.
    GenSample {
        /// Where to write `sample-district.osm.pbf` and `seed.json`.
        #[arg(long, default_value = "data")]
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::GenSample { out } => {
            let written = doorstep::sample::write_to(&out)
                .with_context(|| format!("writing the sample district to {}", out.display()))?;
            for path in written {
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}
