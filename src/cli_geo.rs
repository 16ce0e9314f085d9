//! The geocoding engineer's subcommands: `import`, `geocode`, `geocode-eval`. Parsing and
//! printing only; the work is in `doorstep::osm` and `doorstep::geocode`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use doorstep::osm::{self, Clip, ImportOptions, ImportProgress, RawMap};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Args)]
pub struct ImportArgs {
    /// The OpenStreetMap extract to read (.osm.pbf).
    pub input: PathBuf,
    /// Where to write the raw-map cache (read back by `geocode --osm` and the server).
    #[arg(short, long)]
    pub out: PathBuf,
    /// Keep only this box: min_lon,min_lat,max_lon,max_lat (ways touching it are kept whole).
    #[arg(long, conflicts_with = "polygon", allow_hyphen_values = true)]
    pub bbox: Option<String>,
    /// Keep only this polygon (GeoJSON Polygon/MultiPolygon/Feature, or Osmosis .poly).
    #[arg(long)]
    pub polygon: Option<PathBuf>,
}

pub fn import(args: ImportArgs) -> anyhow::Result<()> {
    let clip = match (&args.bbox, &args.polygon) {
        (Some(b), _) => Some(Clip::parse_bbox(b)?),
        (None, Some(p)) => Some(Clip::from_polygon_file(p)?),
        (None, None) => None,
    };
    let started = Instant::now();
    let map = import_with_bar(&args.input, &ImportOptions { clip })?;
    let read_s = started.elapsed().as_secs_f64();
    map.save(&args.out)?;
    eprintln!(
        "{}: {} roads, {} barriers, {} named areas, {} buildings, {} POIs, {} addresses, \
         {} interpolation ways, {} boundaries (read in {:.2} s) → {}",
        args.input.display(),
        map.roads.len(),
        map.barriers.len(),
        map.areas.len(),
        map.buildings.len(),
        map.pois.len(),
        map.addresses.len(),
        map.interpolations.len(),
        map.boundaries.len(),
        read_s,
        args.out.display()
    );
    Ok(())
}

/// Imports with a progress bar on stderr (hidden when stderr is not a terminal).
pub fn import_with_bar(path: &std::path::Path, options: &ImportOptions) -> anyhow::Result<RawMap> {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>20} [{bar:40}] {binary_bytes}/{binary_total_bytes} {elapsed}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    let progress = |p: ImportProgress| {
        if bar.length() != Some(p.total_bytes) {
            bar.set_length(p.total_bytes);
            bar.set_message(p.pass);
        }
        bar.set_position(p.done_bytes);
    };
    let map = osm::import_with_progress(path, options, &progress);
    bar.finish_and_clear();
    Ok(map?)
}

/// Loads a map from a raw-map cache or, for a `.pbf`, imports it.
#[allow(dead_code)] // used by `geocode` (next commit)
pub fn load_map(path: &std::path::Path) -> anyhow::Result<RawMap> {
    let is_pbf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pbf"));
    if is_pbf {
        import_with_bar(path, &ImportOptions::default())
    } else {
        RawMap::load(path).with_context(|| format!("loading {}", path.display()))
    }
}
