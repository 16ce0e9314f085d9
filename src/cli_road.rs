//! The road engineer's subcommands: `route` and `road-graph`. Parsing and printing only; the
//! work is in `doorstep::road` and `doorstep::zone`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use doorstep::road::{ChCache, RoadConfig, RoadNetwork, TravelMode, api};
use doorstep::zone::{ZoneIndex, parse_geojson_zones};

/// What every road subcommand needs to build the network.
#[derive(Args)]
pub struct NetworkArgs {
    /// The map: a raw-map cache written by `import`, or an .osm.pbf.
    pub map: PathBuf,
    /// Zones in force: a GeoJSON FeatureCollection with name, kind, checkpoint properties.
    #[arg(long)]
    pub zones: Option<PathBuf>,
    /// Directory for prepared graphs, so that the next run reads instead of preparing.
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Road configuration (speeds per mode and road class, limits) as JSON.
    #[arg(long)]
    pub road_config: Option<PathBuf>,
}

#[derive(Args)]
pub struct RouteArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Start, as longitude,latitude.
    #[arg(long, allow_hyphen_values = true)]
    pub from: String,
    /// End, as longitude,latitude.
    #[arg(long, allow_hyphen_values = true)]
    pub to: String,
    /// foot, tricycle or van.
    #[arg(long, default_value = "foot")]
    pub mode: String,
    /// Print the API's JSON instead of the route sheet.
    #[arg(long)]
    pub json: bool,
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn build(args: &NetworkArgs) -> anyhow::Result<RoadNetwork> {
    let map = crate::cli_geo::load_map(&args.map)?;
    let config: RoadConfig = match &args.road_config {
        Some(p) => serde_json::from_str(&read_text(p)?)
            .with_context(|| format!("{}: not a road configuration", p.display()))?,
        None => RoadConfig::default(),
    };
    let zones = match &args.zones {
        Some(p) => ZoneIndex::new(
            parse_geojson_zones(&read_text(p)?).with_context(|| format!("{}", p.display()))?,
        ),
        None => ZoneIndex::default(),
    };
    let cache = match &args.cache_dir {
        Some(d) => Some(ChCache::open(d).with_context(|| format!("cache dir {}", d.display()))?),
        None => None,
    };
    Ok(RoadNetwork::build(
        &map,
        config,
        zones,
        chrono::Utc::now(),
        cache,
    )?)
}

pub fn route(args: RouteArgs) -> anyhow::Result<()> {
    let network = build(&args.network)?;
    let query = api::RouteQuery {
        from: args.from,
        to: args.to,
        mode: Some(args.mode),
    };
    let route = api::route(&network, &query).map_err(|e| {
        let fields = e.field_errors();
        if fields.is_empty() {
            anyhow::anyhow!("{e}")
        } else {
            let lines: Vec<String> = fields.iter().map(|(f, m)| format!("--{f}: {m}")).collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&route)?);
        return Ok(());
    }
    println!(
        "{} · {:.0} m · {:.1} min",
        route.mode,
        route.distance_m,
        route.duration_s / 60.0
    );
    if route.to.via_checkpoint_of.is_some() {
        println!("(the destination lies in a high-risk zone: served at its checkpoint)");
    }
    for (i, s) in route.steps.iter().enumerate() {
        println!("{:>2}. {}", i + 1, s.instruction_zh);
        println!("    {}", s.instruction_en);
    }
    println!("{}", api::ATTRIBUTION);
    Ok(())
}

pub fn road_graph(args: NetworkArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let network = build(&args)?;
    println!(
        "| mode | nodes | edges | largest part (nodes / length) | closed by zones | private (vehicles) | prepared | s | MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for mode in TravelMode::ALL {
        let m = network.mode(mode);
        let c = m.connectivity();
        println!(
            "| {mode} | {} | {} | {:.1} % / {:.1} % | {} | {} | {:?} | {:.2} | {:.1} |",
            c.nodes,
            c.edges,
            c.largest_share_nodes * 100.0,
            c.largest_share_length * 100.0,
            c.blocked_edges,
            c.private_edges,
            m.preparation.how,
            m.preparation.seconds,
            m.memory().total_bytes() as f64 / 1_048_576.0
        );
    }
    eprintln!("built in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}
