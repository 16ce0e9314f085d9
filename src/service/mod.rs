//! The running service assembled: configuration (flags and `DOORSTEP_*` variables), logging,
//! opening and migrating the database, and the commands behind `serve`, `migrate`, `demo` and
//! `import-requests`. `main.rs` only parses arguments and calls these.

pub mod demo;
pub mod import;
pub mod plan;
pub mod users;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::FixedOffset;

use crate::db::{Database, DbConfig, DbError};
use crate::web::{AppState, MapInfo, WebConfig};

/// Errors of the commands, each naming what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("cannot listen on {listen}: {source}")]
    Listen {
        listen: String,
        source: std::io::Error,
    },
    #[error("invalid setting {name}: {message}")]
    Setting { name: &'static str, message: String },
    #[error(transparent)]
    Csv(#[from] crate::intake::csv_import::CsvError),
    #[error(transparent)]
    Sample(#[from] crate::sample::SampleError),
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    #[error(transparent)]
    Dispatch(#[from] crate::dispatch::DispatchError),
}

/// Settings shared by the commands that touch the database.
#[derive(Clone, Debug)]
pub struct DbSettings {
    pub url: String,
    pub pool_size: u32,
    pub write_batch_max: usize,
    pub timeout: Duration,
}

impl DbSettings {
    pub fn config(&self) -> DbConfig {
        DbConfig {
            url: self.url.clone(),
            pool_size: self.pool_size,
            connect_timeout: self.timeout,
            write_batch_max: self.write_batch_max,
        }
    }
}

/// Sets up `tracing`: `filter` like `info` or `doorstep=debug,actix_server=warn`; `json`
/// for one JSON object per line.
pub fn init_logging(filter: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: keep the first.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// `+08:00` → an offset.
pub fn parse_utc_offset(s: &str) -> Result<FixedOffset, ServiceError> {
    let bad = || ServiceError::Setting {
        name: "DOORSTEP_UTC_OFFSET",
        message: format!("`{s}` is not an offset like +08:00"),
    };
    let s = s.trim();
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(bad)
}

/// Opens the database and applies pending migrations, waiting up to `wait` for a database
/// that is not reachable yet (a PostgreSQL still starting).
pub fn open_and_migrate(
    settings: &DbSettings,
    wait: Duration,
) -> Result<Arc<Database>, ServiceError> {
    let db = Database::open(&settings.config())?;
    let started = Instant::now();
    loop {
        match db.migrate() {
            Ok(applied) => {
                for name in &applied {
                    tracing::info!(migration = %name, "applied");
                }
                return Ok(Arc::new(db));
            }
            Err(DbError::Unavailable(why)) if started.elapsed() < wait => {
                tracing::warn!(db = %db.display_url(), %why, "database not reachable yet; retrying");
                std::thread::sleep(Duration::from_secs(2));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Checks that `path` is an OSM PBF file and reads its bounding box. The map engines
/// (geocoder, road network) are built from it by their own modules.
pub fn inspect_osm(path: &Path) -> Result<MapInfo, ServiceError> {
    let file_err = |message: String| ServiceError::File {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = osmpbf::BlobReader::from_path(path).map_err(|e| file_err(e.to_string()))?;
    let first = reader
        .next()
        .ok_or_else(|| file_err("empty file: not an OSM PBF".into()))?
        .map_err(|e| file_err(format!("not an OSM PBF file: {e}")))?;
    let header = first
        .to_headerblock()
        .map_err(|e| file_err(format!("the first block is not an OSM header: {e}")))?;
    let bbox = header.bbox().map(|b| (b.left, b.bottom, b.right, b.top));
    Ok(MapInfo {
        path: path.to_path_buf(),
        bbox,
    })
}

/// What `serve` (and `demo`) run with besides the database.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub listen: String,
    /// The district's extract; without it there is no geocoding, routing or planning.
    pub osm: Option<PathBuf>,
    /// Root of the map caches; `None` chooses one beside the database (see [`cache_dir_for`]).
    pub cache_dir: Option<PathBuf>,
    /// Geocoded requests below this confidence go to review.
    pub review_below: f64,
    /// How often to look for zone changes made through other instances.
    pub zone_poll: Duration,
    pub web: WebConfig,
}

impl ServeOptions {
    pub fn new(listen: &str) -> Self {
        ServeOptions {
            listen: listen.to_owned(),
            osm: None,
            cache_dir: None,
            review_below: crate::engine::REVIEW_BELOW_DEFAULT,
            zone_poll: Duration::from_secs(5),
            web: WebConfig::default(),
        }
    }
}

/// The default cache directory: beside a SQLite file (`doorstep-cache/` in its directory), or
/// `./doorstep-cache` for PostgreSQL.
pub fn cache_dir_for(db_url: &str) -> PathBuf {
    match crate::db::parse_url(db_url) {
        Ok((crate::db::Backend::Sqlite, path)) => Path::new(&path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("doorstep-cache"),
        _ => PathBuf::from("doorstep-cache"),
    }
}

/// Loads the extract (from the caches when current) with the database's zones, and logs what
/// the start cost.
pub fn start_engine(
    db: &Database,
    osm: &Path,
    cache_dir: PathBuf,
    review_below: f64,
) -> Result<Arc<crate::engine::MapEngine>, ServiceError> {
    inspect_osm(osm)?;
    let mut options = crate::engine::EngineOptions::new(osm);
    options.cache_dir = Some(cache_dir);
    options.review_below = review_below;
    let engine = crate::engine::MapEngine::open_with_db(&options, db)?;
    let r = engine.startup();
    tracing::info!(
        extract = %r.extract.display(),
        cache = ?r.cache_dir,
        warm = r.all_from_cache(),
        raw_map_s = r.raw_map.seconds,
        raw_map_cached = r.raw_map.from_cache,
        geocoder_s = r.geocoder.seconds,
        geocoder_cached = r.geocoder.from_cache,
        road_network_s = r.road_network_s,
        road_graphs = ?r.road_graphs,
        zones = r.zones,
        total_s = r.total_s,
        "map engine ready"
    );
    Ok(Arc::new(engine))
}

/// `doorstep serve`.
pub async fn serve(db: Arc<Database>, options: ServeOptions) -> Result<(), ServiceError> {
    let mut state = AppState::new(db.clone());
    state.auth = crate::web::auth::AuthState::new(options.web.auth.clone());
    state.config = options.web.clone();
    let mut _watch = None;
    if let Some(osm) = &options.osm {
        let cache_dir = options
            .cache_dir
            .clone()
            .unwrap_or_else(|| cache_dir_for(&db.display_url()));
        let engine = {
            let db = db.clone();
            let osm = osm.clone();
            let review = options.review_below;
            actix_web::rt::task::spawn_blocking(move || start_engine(&db, &osm, cache_dir, review))
                .await
                .map_err(|e| ServiceError::Setting {
                    name: "map engine",
                    message: e.to_string(),
                })??
        };
        _watch = Some(crate::engine::ZoneWatch::spawn(
            engine.clone(),
            db.clone(),
            options.zone_poll,
        ));
        state = state.with_engine(engine);
    } else {
        tracing::warn!(
            "no --osm extract: requests are stored without a location; no routing or planning"
        );
    }
    let listen = options.listen.clone();
    tracing::info!(%listen, db = %db.display_url(), "doorstep listening");
    crate::web::serve(Arc::new(state), &listen)
        .await
        .map_err(|source| ServiceError::Listen {
            listen: listen.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(
            parse_utc_offset("+08:00").unwrap().local_minus_utc(),
            8 * 3600
        );
        assert_eq!(
            parse_utc_offset("-05:30").unwrap().local_minus_utc(),
            -(5 * 3600 + 1800)
        );
        assert!(parse_utc_offset("8").is_err());
        assert!(parse_utc_offset("+25:00").is_err());
    }

    #[test]
    fn the_sample_pbf_is_recognised_and_junk_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("s.osm.pbf");
        std::fs::write(&good, crate::sample::EMBEDDED_PBF).unwrap();
        let info = inspect_osm(&good).unwrap();
        let (left, bottom, right, top) = info.bbox.unwrap();
        assert!(left < right && bottom < top);
        let bad = dir.path().join("bad.osm.pbf");
        std::fs::write(&bad, b"hello, this is not a pbf").unwrap();
        let err = inspect_osm(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.osm.pbf"), "{err}");
        assert!(inspect_osm(&dir.path().join("missing.pbf")).is_err());
    }
}
