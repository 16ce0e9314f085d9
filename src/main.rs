//! The `doorstep` command line. Thin: parses arguments and calls the library.

mod cli_geo;
mod cli_road;

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
    /// Geocode addresses from stdin (one per line, or JSON Lines with --jsonl) to JSON Lines.
    Geocode(cli_geo::GeocodeArgs),
    /// The geocoder's evaluation: generate query sets from the extracts, run, score.
    GeocodeEval(cli_geo::EvalArgs),
    /// A route between two points with directions in Chinese and English.
    Route(cli_road::RouteArgs),
    /// Build (or read from the cache) every mode's road graph and report on it.
    RoadGraph(cli_road::NetworkArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Import(args) => cli_geo::import(args),
        Command::Geocode(args) => cli_geo::geocode(args),
        Command::GeocodeEval(args) => cli_geo::eval(args),
        Command::Route(args) => cli_road::route(args),
        Command::RoadGraph(args) => cli_road::road_graph(args),
    }
}
