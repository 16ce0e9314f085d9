//! The map engine of a running doorstep: one extract loaded once and kept ready — the raw map
//! (for the map view), the geocoder index, the road network of every travel mode with the
//! zones applied, and the community boundaries — each read from its on-disk cache when the
//! extract has not changed, and built (then cached) otherwise.
//!
//! Zones live in the database, where coordinators edit them; the engine applies them to the
//! road network and answers point-in-zone questions from the network's current zone index, so
//! routing and intake always agree. [`ZoneWatch`] polls the database so that an edit made
//! through another instance reaches this one within seconds.
//!
//! The engine is also the intake's geocoder ([`crate::intake::Locator`]): a request is located,
//! given its zone and community, and sent to review below a confidence threshold. It uses the
//! compute modules and reads zones from the database; HTTP is left to `web`, planning to
//! `dispatch`.

mod cache;
mod communities;
mod locator;
mod zones;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use geo::Point;
use serde::Serialize;

pub use cache::{MapCache, MapSource};
pub use communities::CommunityIndex;
pub use zones::{ZoneWatch, ZonesVersion, load_zones, zone_from_row};

use crate::db::{Database, DbError};
use crate::geocode::Geocoder;
use crate::osm::{ImportOptions, OsmError, RawMap};
use crate::road::{
    ChCache, PreparedBy, RoadConfig, RoadError, RoadNetwork, SharedRoadNetwork, ZoneUpdate,
};
use crate::zone::{Zone, ZoneIndex};

/// Default confidence below which a geocoded request goes to review.
pub const REVIEW_BELOW_DEFAULT: f64 = 0.6;

/// What can stop the engine from starting.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error(transparent)]
    Osm(#[from] OsmError),
    #[error("road network: {0}")]
    Road(#[from] RoadError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("invalid setting {name}: {message}")]
    Setting { name: &'static str, message: String },
}

/// How to start the engine.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// The district's `.osm.pbf`.
    pub osm: PathBuf,
    /// Root of the on-disk caches; `None` builds everything and caches nothing.
    pub cache_dir: Option<PathBuf>,
    pub road: RoadConfig,
    /// Geocoded requests below this confidence (0–1) go to review.
    pub review_below: f64,
}

impl EngineOptions {
    pub fn new(osm: impl Into<PathBuf>) -> Self {
        EngineOptions {
            osm: osm.into(),
            cache_dir: None,
            road: RoadConfig::default(),
            review_below: REVIEW_BELOW_DEFAULT,
        }
    }
}

/// How one part of the engine came to be, and what it cost.
#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    pub from_cache: bool,
    pub seconds: f64,
}

/// What starting the engine did, for the log and the operator.
#[derive(Clone, Debug, Serialize)]
pub struct StartupReport {
    pub extract: PathBuf,
    pub extract_bytes: u64,
    pub cache_dir: Option<PathBuf>,
    pub hash_s: f64,
    pub raw_map: StageReport,
    pub geocoder: StageReport,
    /// Per travel mode: how its hierarchy was prepared.
    pub road_graphs: Vec<(String, PreparedBy, f64)>,
    pub road_network_s: f64,
    pub zones: usize,
    pub total_s: f64,
}

impl StartupReport {
    /// True when nothing had to be built (a warm start).
    pub fn all_from_cache(&self) -> bool {
        self.raw_map.from_cache
            && self.geocoder.from_cache
            && self
                .road_graphs
                .iter()
                .all(|(_, how, _)| *how == PreparedBy::Cache)
    }
}

/// The loaded extract and everything built from it. Share it behind an `Arc`.
pub struct MapEngine {
    source: MapSource,
    map: Arc<RawMap>,
    geocoder: Geocoder,
    communities: CommunityIndex,
    roads: SharedRoadNetwork,
    /// The zones' version last applied (serialises refreshes, too).
    zones_version: Mutex<ZonesVersion>,
    review_below: f64,
    startup: StartupReport,
}

impl MapEngine {
    /// Loads the extract (from the cache when it is there and current) with these zones.
    pub fn open(
        options: &EngineOptions,
        zones: Vec<Zone>,
        zones_version: ZonesVersion,
    ) -> Result<MapEngine, EngineError> {
        if !(0.0..=1.0).contains(&options.review_below) {
            return Err(EngineError::Setting {
                name: "review_below",
                message: format!("{} is not a confidence in 0–1", options.review_below),
            });
        }
        options.road.validate()?;
        let started = Instant::now();
        let source = MapSource::identify(&options.osm)?;
        let hash_s = started.elapsed().as_secs_f64();
        let cache = options
            .cache_dir
            .as_deref()
            .map(|root| MapCache::open(root, &source))
            .transpose()?;

        let t = Instant::now();
        let (map, map_cached) = load_raw_map(&options.osm, cache.as_ref())?;
        let raw_map = StageReport {
            from_cache: map_cached,
            seconds: t.elapsed().as_secs_f64(),
        };
        let ch_cache = match &cache {
            Some(c) => Some(
                ChCache::open(c.road_graphs()).map_err(|e| EngineError::File {
                    path: c.road_graphs(),
                    message: e.to_string(),
                })?,
            ),
            None => None,
        };
        let n_zones = zones.len();
        let now = Utc::now();
        let ((geocoder, geocoder_report), roads) = rayon::join(
            || {
                let t = Instant::now();
                let (g, cached) = load_geocoder(&map, cache.as_ref());
                (
                    g,
                    StageReport {
                        from_cache: cached,
                        seconds: t.elapsed().as_secs_f64(),
                    },
                )
            },
            || {
                let t = Instant::now();
                RoadNetwork::build(
                    &map,
                    options.road.clone(),
                    ZoneIndex::new(zones),
                    now,
                    ch_cache,
                )
                .map(|n| (n, t.elapsed().as_secs_f64()))
            },
        );
        let (roads, road_network_s) = roads?;
        let road_graphs = crate::road::TravelMode::ALL
            .iter()
            .map(|&m| {
                let p = &roads.mode(m).preparation;
                (m.to_string(), p.how, p.seconds)
            })
            .collect();
        let communities = CommunityIndex::build(&map);
        let startup = StartupReport {
            extract: options.osm.clone(),
            extract_bytes: source.bytes,
            cache_dir: cache.as_ref().map(|c| c.dir().to_path_buf()),
            hash_s,
            raw_map,
            geocoder: geocoder_report,
            road_graphs,
            road_network_s,
            zones: n_zones,
            total_s: started.elapsed().as_secs_f64(),
        };
        Ok(MapEngine {
            source,
            map: Arc::new(map),
            geocoder,
            communities,
            roads: SharedRoadNetwork::new(roads),
            zones_version: Mutex::new(zones_version),
            review_below: options.review_below,
            startup,
        })
    }

    /// Reads the zones from `db` and opens the engine with them.
    pub fn open_with_db(options: &EngineOptions, db: &Database) -> Result<MapEngine, EngineError> {
        let (zones, version) = load_zones(db)?;
        MapEngine::open(options, zones, version)
    }

    pub fn startup(&self) -> &StartupReport {
        &self.startup
    }

    pub fn source(&self) -> &MapSource {
        &self.source
    }

    /// The raw map (roads, buildings, compounds, POIs) for drawing.
    pub fn map(&self) -> &Arc<RawMap> {
        &self.map
    }

    pub fn geocoder(&self) -> &Geocoder {
        &self.geocoder
    }

    pub fn communities(&self) -> &CommunityIndex {
        &self.communities
    }

    /// The current road network (with the current zones). Hold the `Arc` for the length of
    /// one job so that every answer in it comes from the same network.
    pub fn roads(&self) -> Arc<RoadNetwork> {
        self.roads.current()
    }

    /// The review threshold.
    pub fn review_below(&self) -> f64 {
        self.review_below
    }

    /// The zone a point lies in now (the strictest one), and where a request there is served.
    pub fn zone_at(&self, point: Point<f64>) -> Option<Zone> {
        let net = self.roads();
        net.zones().0.zone_at(point, Utc::now()).cloned()
    }

    /// The community a point lies in, if the extract has community boundaries.
    pub fn community_at(&self, point: Point<f64>) -> Option<String> {
        self.communities.community_at(point).map(str::to_owned)
    }

    /// When the applied zones next change by themselves (a period starts or ends).
    pub fn zones_due_at(&self) -> Option<DateTime<Utc>> {
        let net = self.roads();
        let (zones, at) = net.zones();
        zones.next_change_after(at)
    }

    /// Re-reads the zones when their version changed (or `force`), and applies them to the
    /// road network. Returns what the update did, or `None` when nothing changed.
    pub fn refresh_zones(
        &self,
        db: &Database,
        force: bool,
    ) -> Result<Option<ZoneUpdate>, EngineError> {
        let mut applied = self.zones_version.lock().unwrap_or_else(|p| p.into_inner());
        let current = db.read_blocking(crate::db::zones::versions)?;
        if !force && current == *applied {
            return Ok(None);
        }
        let (zones, version) = load_zones(db)?;
        let update = self.roads.set_zones(ZoneIndex::new(zones), Utc::now())?;
        *applied = version;
        Ok(Some(update))
    }

    /// Whether a point lies inside the extract.
    pub fn contains(&self, point: Point<f64>) -> bool {
        let b = self.roads().bounds();
        let (min, max) = (b.min(), b.max());
        (min.x..=max.x).contains(&point.x()) && (min.y..=max.y).contains(&point.y())
    }
}

fn load_raw_map(path: &Path, cache: Option<&MapCache>) -> Result<(RawMap, bool), EngineError> {
    if let Some(c) = cache {
        let file = c.raw_map();
        if file.exists() {
            match RawMap::load(&file) {
                Ok(map) => return Ok((map, true)),
                Err(e) => tracing::warn!(error = %e, "raw-map cache unusable; importing again"),
            }
        }
    }
    let map = crate::osm::import(path, &ImportOptions::default())?;
    if let Some(c) = cache
        && let Err(e) = map.save(&c.raw_map())
    {
        tracing::warn!(error = %e, "could not write the raw-map cache");
    }
    Ok((map, false))
}

fn load_geocoder(map: &RawMap, cache: Option<&MapCache>) -> (Geocoder, bool) {
    if let Some(c) = cache {
        let file = c.geocoder();
        if file.exists() {
            match Geocoder::load(&file) {
                Ok(g) => return (g, true),
                Err(e) => tracing::warn!(error = %e, "geocoder cache unusable; building again"),
            }
        }
    }
    let g = Geocoder::build(map);
    if let Some(c) = cache
        && let Err(e) = g.save(&c.geocoder())
    {
        tracing::warn!(error = %e, "could not write the geocoder cache");
    }
    (g, false)
}
