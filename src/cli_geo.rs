//! The geocoding engineer's subcommands: `import`, `geocode`, `geocode-eval`. Parsing and
//! printing only; the work is in `doorstep::osm` and `doorstep::geocode`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use doorstep::geocode::Geocoder;
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
    /// Also build the geocoder and save its index here (`geocode --osm` reads it directly).
    #[arg(long)]
    pub geocoder_index: Option<PathBuf>,
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
    if let Some(index_path) = &args.geocoder_index {
        let t = Instant::now();
        let g = Geocoder::build(&map);
        g.save(index_path)?;
        let (entities, streets, numbers) = g.stats();
        eprintln!(
            "geocoder index: {entities} places, {streets} streets, {numbers} house numbers (built in {:.2} s) → {}",
            t.elapsed().as_secs_f64(),
            index_path.display()
        );
    }
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

#[derive(Args)]
pub struct GeocodeArgs {
    /// The map: an .osm.pbf, a raw-map cache from `doorstep import`, or a saved geocoder index.
    #[arg(long)]
    pub osm: PathBuf,
    /// Read JSON Lines `{"id": ..., "query": ...}` instead of one query per line.
    #[arg(long)]
    pub jsonl: bool,
}

/// The geocoder for a map file of any of the three kinds `--osm` accepts.
pub fn load_geocoder(path: &std::path::Path) -> anyhow::Result<Geocoder> {
    let mut magic = [0_u8; 8];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
        let _ = f.read(&mut magic);
    }
    if &magic == b"DSGEOIDX" {
        return Ok(Geocoder::load(path)?);
    }
    let map = load_map(path)?;
    Ok(Geocoder::build(&map))
}

/// One output line of `doorstep geocode`.
#[derive(serde::Serialize)]
struct GeocodeLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a serde_json::Value>,
    query: &'a str,
    lon: Option<f64>,
    lat: Option<f64>,
    confidence: f64,
    level: Option<&'static str>,
    name: Option<&'a str>,
    components: &'a doorstep::geocode::Components,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn geocode(args: GeocodeArgs) -> anyhow::Result<()> {
    use std::io::{BufRead, Write};
    let geocoder = load_geocoder(&args.osm)?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let empty = doorstep::geocode::Components::default();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.with_context(|| format!("stdin line {}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let (id, query) = if args.jsonl {
            match parse_jsonl(&line) {
                Ok(x) => x,
                Err(e) => {
                    let msg = format!("stdin line {}: {e}", n + 1);
                    eprintln!("{msg}");
                    let l = GeocodeLine {
                        id: None,
                        query: "",
                        lon: None,
                        lat: None,
                        confidence: 0.0,
                        level: None,
                        name: None,
                        components: &empty,
                        error: Some(msg),
                    };
                    serde_json::to_writer(&mut out, &l)?;
                    out.write_all(b"\n")?;
                    continue;
                }
            }
        } else {
            (None, line.clone())
        };
        let answer = geocoder.geocode(&query);
        let best = answer.best.as_ref();
        let l = GeocodeLine {
            id: id.as_ref(),
            query: &query,
            lon: best.map(|b| b.lon),
            lat: best.map(|b| b.lat),
            confidence: (answer.confidence() * 1000.0).round() / 1000.0,
            level: best.map(|b| b.level.as_str()),
            name: best.map(|b| b.name.as_str()),
            components: &answer.components,
            error: None,
        };
        serde_json::to_writer(&mut out, &l)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn parse_jsonl(line: &str) -> Result<(Option<serde_json::Value>, String), String> {
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let query = v
        .get("query")
        .and_then(|q| q.as_str())
        .ok_or("expected {\"id\": ..., \"query\": \"...\"}: no string \"query\"")?
        .to_string();
    Ok((v.get("id").cloned(), query))
}

#[derive(Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub command: EvalCommand,
}

#[derive(clap::Subcommand)]
pub enum EvalCommand {
    /// Generate query sets with ground truth from the extracts, and geocode them in-process
    /// against the geocoder and the exact-name baseline; print hit rates per kind.
    Run {
        /// The folder with the extracts (nangang, fendoulu_subdistrict, chengdu, baltimore).
        #[arg(long, default_value = "../shared/data/osm")]
        data: PathBuf,
        /// Seeds, comma-separated: each draws other names and forms.
        #[arg(long, default_value = "1,2,3", value_delimiter = ',')]
        seeds: Vec<u64>,
        /// `dev` (tune on it) or `holdout` (score only).
        #[arg(long, default_value = "dev")]
        split: String,
        #[arg(long, default_value_t = 100)]
        per_kind: usize,
        /// Print the failures of kinds containing this text.
        #[arg(long)]
        show: Option<String>,
    },
    /// Write query sets for `doorstep geocode --jsonl` and their ground truth to a folder
    /// (`<set>.queries.jsonl`, `<set>.truth.jsonl`, and the pruned Baltimore map).
    Generate {
        #[arg(long, default_value = "../shared/data/osm")]
        data: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "holdout")]
        split: String,
        #[arg(long, default_value_t = 100)]
        per_kind: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Score `doorstep geocode --jsonl` output against a truth file.
    Score {
        #[arg(long)]
        truth: PathBuf,
        #[arg(long)]
        answers: PathBuf,
    },
}

pub fn eval(args: EvalArgs) -> anyhow::Result<()> {
    use doorstep::geocode::eval::{self, Case, Score, Split};
    let split_of = |s: &str| {
        Split::parse(s).ok_or_else(|| anyhow::anyhow!("--split {s:?}: expected dev or holdout"))
    };
    match args.command {
        EvalCommand::Run {
            data,
            seeds,
            split,
            per_kind,
            show,
        } => {
            let sets = eval::standard_sets(&data, &seeds, split_of(&split)?, per_kind)?;
            let mut all_cases: Vec<Case> = Vec::new();
            let mut answers = rustc_hash::FxHashMap::default();
            let mut baseline = rustc_hash::FxHashMap::default();
            let mut lat: Vec<u64> = Vec::new();
            for set in &sets {
                let ev = eval::evaluate(set);
                if let Some(kind) = &show {
                    for c in set.cases.iter().filter(|c| c.kind.contains(kind.as_str())) {
                        let a = ev.answers.get(&c.id).copied().flatten();
                        if !c.is_hit(a) {
                            let d = &ev.details[&c.id];
                            let top = d.candidates.first();
                            let off = match (&c.expect, a) {
                                (eval::Expect::Point { lon, lat, .. }, Some(p)) => {
                                    format!(
                                        " ({:.0} m off)",
                                        geo::Distance::distance(
                                            &geo::Haversine,
                                            geo::Point::new(*lon, *lat),
                                            geo::Point(p)
                                        )
                                    )
                                }
                                _ => String::new(),
                            };
                            println!(
                                "MISS {} [{}] {:?} → {}{off} {:?} conf {:.2} comps {}",
                                c.kind,
                                c.set,
                                c.query,
                                top.map_or("-", |t| t.name.as_str()),
                                top.map(|t| t.level),
                                d.confidence(),
                                serde_json::to_string(&d.components).unwrap_or_default()
                            );
                        }
                    }
                }
                answers.extend(ev.answers);
                baseline.extend(ev.baseline);
                lat.extend(ev.latencies_ns);
                all_cases.extend(set.cases.iter().cloned());
            }
            let g = Score::of(&all_cases, &answers);
            let b = Score::of(&all_cases, &baseline);
            println!("{}", eval::report(&all_cases, &g, &b));
            lat.sort_unstable();
            if !lat.is_empty() {
                println!(
                    "latency per query (this build): median {:.3} ms, p95 {:.3} ms",
                    lat[lat.len() / 2] as f64 / 1e6,
                    lat[lat.len() * 95 / 100] as f64 / 1e6
                );
            }
        }
        EvalCommand::Generate {
            data,
            seed,
            split,
            per_kind,
            out,
        } => {
            std::fs::create_dir_all(&out).with_context(|| format!("{}", out.display()))?;
            let sets = eval::standard_sets(&data, &[seed], split_of(&split)?, per_kind)?;
            for set in sets {
                let stem = set.name.split(' ').next().unwrap_or("set").to_string();
                let mut q = String::new();
                let mut t = String::new();
                for c in &set.cases {
                    q.push_str(&serde_json::to_string(
                        &serde_json::json!({"id": c.id, "query": c.query}),
                    )?);
                    q.push('\n');
                    t.push_str(&serde_json::to_string(c)?);
                    t.push('\n');
                }
                std::fs::write(out.join(format!("{stem}.queries.jsonl")), q)?;
                std::fs::write(out.join(format!("{stem}.truth.jsonl")), t)?;
                if stem == "baltimore" {
                    set.map.save(&out.join("baltimore-pruned.rawmap"))?;
                }
                eprintln!("{stem}: {} cases", set.cases.len());
            }
        }
        EvalCommand::Score { truth, answers } => {
            let mut cases = Vec::new();
            for (n, line) in std::fs::read_to_string(&truth)
                .with_context(|| format!("{}", truth.display()))?
                .lines()
                .enumerate()
            {
                let c: Case = serde_json::from_str(line)
                    .with_context(|| format!("{} line {}", truth.display(), n + 1))?;
                cases.push(c);
            }
            let mut got = rustc_hash::FxHashMap::default();
            for (n, line) in std::fs::read_to_string(&answers)
                .with_context(|| format!("{}", answers.display()))?
                .lines()
                .enumerate()
            {
                let v: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("{} line {}", answers.display(), n + 1))?;
                let id = match v.get("id") {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => anyhow::bail!("{} line {}: no \"id\"", answers.display(), n + 1),
                };
                let pos = match (
                    v.get("lon").and_then(|x| x.as_f64()),
                    v.get("lat").and_then(|x| x.as_f64()),
                ) {
                    (Some(x), Some(y)) => Some(geo::Coord { x, y }),
                    _ => None,
                };
                got.insert(id, pos);
            }
            let score = Score::of(&cases, &got);
            println!("{}", eval::report_with(&cases, &score, None));
        }
    }
    Ok(())
}
