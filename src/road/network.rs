//! The road network of all travel modes, kept prepared: building it from the raw map,
//! reading prepared hierarchies from the cache, applying a new set of zones, and locating
//! points on it.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use geo::{LineString, Point, Rect};
use rayon::prelude::*;
use serde::Serialize;

use crate::osm::RawMap;
use crate::zone::ZoneIndex;

use super::RoadError;
use super::cache::{self, ChCache};
use super::ch::ContractionHierarchy;
use super::config::RoadConfig;
use super::dijkstra::Dijkstra;
use super::graph::RoadGraph;
use super::locate::{self, Anchor, Waypoint};
use super::mode::{ModeProfile, TravelMode};
use super::overlay::{Connectivity, Overlay};
use super::query::PathQuery;
use super::snap::{SnapIndex, distance_to_rect_m};

/// How a mode's hierarchy came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PreparedBy {
    /// Full contraction with a fresh node order.
    Contraction,
    /// Contraction reusing the node order of the previous hierarchy (after a zone change).
    ContractionWithOrder,
    /// Read from the on-disk cache.
    Cache,
}

/// How a mode was prepared and what it cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preparation {
    pub how: PreparedBy,
    /// Wall-clock seconds of the preparation step (contraction or cache read).
    pub seconds: f64,
    pub cache_key: String,
    pub arcs: usize,
    pub shortcuts: usize,
}

/// Heap memory of one mode's network, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryReport {
    pub graph_bytes: usize,
    pub snap_index_bytes: usize,
    pub overlay_bytes: usize,
    pub hierarchy_bytes: usize,
}

impl MemoryReport {
    pub fn total_bytes(&self) -> usize {
        self.graph_bytes + self.snap_index_bytes + self.overlay_bytes + self.hierarchy_bytes
    }
}

/// One travel mode, prepared.
pub struct ModeNetwork {
    pub profile: ModeProfile,
    pub(crate) graph: Arc<RoadGraph>,
    pub(crate) snap: Arc<SnapIndex>,
    pub(crate) overlay: Overlay,
    pub(crate) ch: ContractionHierarchy,
    pub preparation: Preparation,
    /// Query states to reuse (each is two arrays the size of the graph).
    pool: Mutex<Vec<PathQuery>>,
    dijkstra_pool: Mutex<Vec<Dijkstra>>,
}

impl ModeNetwork {
    /// Connectivity of this mode's graph under the current zones.
    pub fn connectivity(&self) -> &Connectivity {
        &self.overlay.connectivity
    }

    /// The road graph.
    pub fn graph(&self) -> &RoadGraph {
        &self.graph
    }

    /// Heap memory held by this mode.
    pub fn memory(&self) -> MemoryReport {
        MemoryReport {
            graph_bytes: self.graph.memory_bytes(),
            snap_index_bytes: self.snap.memory_bytes(),
            overlay_bytes: self.overlay.memory_bytes(),
            hierarchy_bytes: self.ch.memory_bytes(),
        }
    }

    /// Runs `f` with a pooled query state.
    pub(crate) fn with_query<R>(&self, f: impl FnOnce(&mut PathQuery) -> R) -> R {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut q = pooled.unwrap_or_else(|| PathQuery::new(&self.ch));
        let r = f(&mut q);
        if let Ok(mut p) = self.pool.lock() {
            p.push(q);
        }
        r
    }

    /// Runs `f` with a pooled Dijkstra state (the baseline).
    pub(crate) fn with_dijkstra<R>(&self, f: impl FnOnce(&mut Dijkstra) -> R) -> R {
        let pooled = self.dijkstra_pool.lock().ok().and_then(|mut p| p.pop());
        let mut d = pooled.unwrap_or_else(|| Dijkstra::new(self.graph.num_nodes()));
        let r = f(&mut d);
        if let Ok(mut p) = self.dijkstra_pool.lock() {
            p.push(d);
        }
        r
    }

    fn prepare(
        profile: ModeProfile,
        graph: Arc<RoadGraph>,
        snap: Arc<SnapIndex>,
        blocked: Vec<bool>,
        snap_to_largest: bool,
        cache: Option<&ChCache>,
        order_from: Option<&ContractionHierarchy>,
    ) -> Result<ModeNetwork, RoadError> {
        let mode = profile.mode;
        let overlay = Overlay::build(&graph, blocked, snap_to_largest);
        let n = graph.num_nodes();
        let key = cache::key(n, &overlay.arcs);
        let started = Instant::now();
        let cached = cache.and_then(|c| c.load(mode, key));
        let (ch, how) = match cached {
            Some(ch) => (ch, PreparedBy::Cache),
            None => {
                let ch = match order_from {
                    Some(previous) => {
                        ContractionHierarchy::prepare_with_order(n, &overlay.arcs, previous)?
                    }
                    None => ContractionHierarchy::prepare(n, &overlay.arcs)?,
                };
                if let Some(c) = cache {
                    c.store(mode, key, &ch);
                }
                let how = if order_from.is_some() {
                    PreparedBy::ContractionWithOrder
                } else {
                    PreparedBy::Contraction
                };
                (ch, how)
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(%mode, ?how, seconds, nodes = n, "road graph prepared");
        Ok(ModeNetwork {
            profile,
            preparation: Preparation {
                how,
                seconds,
                cache_key: format!("{key:016x}"),
                arcs: ch.num_arcs(),
                shortcuts: ch.num_shortcuts(),
            },
            graph,
            snap,
            overlay,
            ch,
            pool: Mutex::new(Vec::new()),
            dijkstra_pool: Mutex::new(Vec::new()),
        })
    }
}

fn next_network_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl RoadNetwork {
    /// Checks that points were located on this network, for one mode; returns that mode's
    /// network.
    pub(crate) fn check_located<'a>(
        &'a self,
        points: &[&Located],
    ) -> Result<&'a ModeNetwork, RoadError> {
        let Some(first) = points.first() else {
            return Err(RoadError::EmptyMatrix);
        };
        for p in points {
            if p.network != self.id {
                return Err(RoadError::StaleLocation);
            }
            if p.mode != first.mode {
                return Err(RoadError::ModeMismatch {
                    first: first.mode,
                    second: p.mode,
                });
            }
        }
        Ok(self.mode(first.mode))
    }
}

/// The edges of a graph closed by the zones at `now`.
fn blocked_edges(graph: &RoadGraph, zones: &ZoneIndex, now: DateTime<Utc>) -> Vec<bool> {
    if !zones.has_blocking_zones(now) {
        return vec![false; graph.num_edges()];
    }
    (0..graph.num_edges() as u32)
        .map(|e| {
            let line = LineString(graph.edge_geometry(e).to_vec());
            zones.blocking_zone(&line, now).is_some()
        })
        .collect()
}

/// What a zone change did to each mode.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ZoneUpdate {
    pub modes: Vec<ModeZoneUpdate>,
    /// Wall-clock seconds for the whole update.
    pub seconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModeZoneUpdate {
    pub mode: TravelMode,
    pub blocked_edges: usize,
    /// `None` when the zones closed the same edges as before (nothing to do).
    pub prepared: Option<Preparation>,
}

/// Every travel mode's network, prepared, with the zones applied.
///
/// Cheap to share between threads (`Arc<RoadNetwork>`); queries take `&self`. A zone change
/// builds a new network with [`RoadNetwork::rezone`] while the old one keeps answering.
pub struct RoadNetwork {
    /// Distinguishes networks, so that a point located on one is not used on another.
    pub(crate) id: u64,
    pub(crate) config: RoadConfig,
    bounds: Rect<f64>,
    zones: Arc<ZoneIndex>,
    zones_at: DateTime<Utc>,
    modes: Vec<Arc<ModeNetwork>>,
    cache: Option<ChCache>,
}

impl RoadNetwork {
    /// Builds and prepares the graphs of every mode from the raw map, with the zones active
    /// at `now`. Hierarchies found in `cache` are read instead of prepared; new ones are
    /// written to it. Modes are prepared in parallel.
    pub fn build(
        map: &RawMap,
        config: RoadConfig,
        zones: ZoneIndex,
        now: DateTime<Utc>,
        cache: Option<ChCache>,
    ) -> Result<RoadNetwork, RoadError> {
        let profiles = TravelMode::ALL
            .iter()
            .map(|&m| config.profile(m))
            .collect::<Result<Vec<_>, _>>()?;
        let modes = profiles
            .into_par_iter()
            .map(|profile| {
                let graph = Arc::new(RoadGraph::build(map, &profile));
                let snap = Arc::new(SnapIndex::build(&graph, map.bounds));
                let blocked = blocked_edges(&graph, &zones, now);
                let any_blocked = blocked.iter().any(|b| *b);
                // With zones, a hierarchy of the open map (cached from an earlier run) lends
                // its node order, which is far cheaper than ordering from scratch.
                let base = match (&cache, any_blocked) {
                    (Some(c), true) => {
                        let open = Overlay::build(
                            &graph,
                            vec![false; graph.num_edges()],
                            config.snap_to_largest_component,
                        );
                        c.load(profile.mode, cache::key(graph.num_nodes(), &open.arcs))
                    }
                    _ => None,
                };
                ModeNetwork::prepare(
                    profile,
                    graph,
                    snap,
                    blocked,
                    config.snap_to_largest_component,
                    cache.as_ref(),
                    base.as_ref(),
                )
                .map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RoadNetwork {
            id: next_network_id(),
            config,
            bounds: map.bounds,
            zones: Arc::new(zones),
            zones_at: now,
            modes,
            cache,
        })
    }

    /// A network with new zones (or the same zones at a new time): modes whose closed edges
    /// did not change are shared as they are; the others are re-prepared with the node order
    /// of their current hierarchy (or read from the cache). The map is not read again.
    pub fn rezone(
        &self,
        zones: ZoneIndex,
        now: DateTime<Utc>,
    ) -> Result<(RoadNetwork, ZoneUpdate), RoadError> {
        let started = Instant::now();
        let results = self
            .modes
            .par_iter()
            .map(|m| {
                let blocked = blocked_edges(&m.graph, &zones, now);
                let count = blocked.iter().filter(|b| **b).count();
                if blocked == m.overlay.blocked {
                    return Ok((Arc::clone(m), m.profile.mode, count, None));
                }
                let prepared = ModeNetwork::prepare(
                    m.profile.clone(),
                    Arc::clone(&m.graph),
                    Arc::clone(&m.snap),
                    blocked,
                    self.config.snap_to_largest_component,
                    self.cache.as_ref(),
                    Some(&m.ch),
                )?;
                let report = prepared.preparation.clone();
                Ok((Arc::new(prepared), m.profile.mode, count, Some(report)))
            })
            .collect::<Result<Vec<_>, RoadError>>()?;
        let mut modes = Vec::new();
        let mut reports = Vec::new();
        for (network, mode, blocked_edges, prepared) in results {
            modes.push(network);
            reports.push(ModeZoneUpdate {
                mode,
                blocked_edges,
                prepared,
            });
        }
        let network = RoadNetwork {
            id: next_network_id(),
            config: self.config.clone(),
            bounds: self.bounds,
            zones: Arc::new(zones),
            zones_at: now,
            modes,
            cache: self.cache.clone(),
        };
        let update = ZoneUpdate {
            modes: reports,
            seconds: started.elapsed().as_secs_f64(),
        };
        Ok((network, update))
    }

    /// One mode's network.
    pub fn mode(&self, mode: TravelMode) -> &ModeNetwork {
        let i = TravelMode::ALL.iter().position(|&m| m == mode).unwrap_or(0);
        &self.modes[i]
    }

    /// The zones applied, and the instant they were evaluated at.
    pub fn zones(&self) -> (&ZoneIndex, DateTime<Utc>) {
        (&self.zones, self.zones_at)
    }

    /// The map extract's bounds.
    pub fn bounds(&self) -> Rect<f64> {
        self.bounds
    }

    /// The configuration.
    pub fn config(&self) -> &RoadConfig {
        &self.config
    }

    /// Where a point is served and where it meets the road, or why it cannot be used.
    pub fn locate(&self, mode: TravelMode, point: Point<f64>) -> Result<Located, RoadError> {
        locate::check_coordinate(point)?;
        let off_m = distance_to_rect_m(point, self.bounds);
        if off_m > 0.0 {
            let (min, max) = (self.bounds.min(), self.bounds.max());
            return Err(RoadError::OutsideExtract {
                lon: point.x(),
                lat: point.y(),
                distance_m: off_m,
                bounds: [min.x, min.y, max.x, max.y],
            });
        }
        let m = self.mode(mode);
        let delivery = self.zones.delivery_point(point, self.zones_at);
        let overlay = &m.overlay;
        let snap = m
            .snap
            .snap(
                &m.graph,
                delivery.point,
                self.config.max_snap_distance_m,
                |e| overlay.snappable[e as usize],
            )
            .map_err(|nearest_m| RoadError::NoRoadNearby {
                mode,
                lon: delivery.point.x(),
                lat: delivery.point.y(),
                nearest_m,
                limit_m: self.config.max_snap_distance_m,
            })?;
        let door_speed_mps = self.config.door_walk_speed_kmh / 3.6;
        let waypoint = Waypoint {
            requested: point,
            served: delivery.point,
            via_checkpoint_of: delivery.via_checkpoint_of,
            snap,
            door_distance_m: snap.distance_m,
            door_duration_s: snap.distance_m / door_speed_mps,
        };
        Ok(Located {
            network: self.id,
            mode,
            anchor: locate::anchor(&m.graph, overlay, waypoint, door_speed_mps),
        })
    }
}

/// A point located on one mode's network, ready for queries.
#[derive(Clone, Debug)]
pub struct Located {
    pub(crate) network: u64,
    pub(crate) mode: TravelMode,
    pub(crate) anchor: Anchor,
}

impl Located {
    /// Where the point is served and where it meets the road.
    pub fn waypoint(&self) -> &Waypoint {
        &self.anchor.waypoint
    }

    /// The mode it was located for.
    pub fn mode(&self) -> TravelMode {
        self.mode
    }
}
