//! The `doorstep` command line. Thin: parses arguments and calls the library.

mod cli_geo;

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
    /// Import an OpenStreetMap extract (.osm.pbf) into a raw-map cache file.
    Import(cli_geo::ImportArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Import(args) => cli_geo::import(args),
    }
}
