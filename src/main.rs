//! The `doorstep` command line. Thin: parses arguments and calls the library.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "doorstep",
    version,
    about = "Deliveries to households in home isolation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve VRP benchmark instances (Solomon .txt, CVRPLIB .vrp) and compare with the best known.
    BenchVrp {
        /// Seconds per instance (default 10; 1 with --fast).
        #[arg(long)]
        time_limit: Option<f64>,
        /// Distance only, at most one second per instance.
        #[arg(long)]
        fast: bool,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads per instance.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Write each solution as a CVRPLIB .sol file into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Instance files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::BenchVrp {
            time_limit,
            fast,
            seed,
            threads,
            out,
            files,
        } => {
            // Search statistics with RUST_LOG=doorstep=debug (stderr; stdout stays JSON lines).
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_writer(std::io::stderr)
                .try_init();
            let opts = doorstep::optimize::bench::BenchOptions {
                time_limit_s: time_limit,
                fast,
                seed,
                threads,
                out,
            };
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            doorstep::optimize::bench::run(&files, &opts, &mut lock).context("bench-vrp")?;
        }
    }
    Ok(())
}
