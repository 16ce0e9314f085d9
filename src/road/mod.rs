//! The road network: raw roads → one graph per travel mode; snapping points to roads;
//! fastest paths, routes with directions, and many-to-many travel matrices, all aware of
//! high-risk zones.
//!
//! Pipeline: [`RoadGraph::build`] cuts the imported ways into edges per [`TravelMode`] (what
//! each mode may use is documented in [`mode`]); an overlay applies the zones (closed edges,
//! private clusters, strongly connected components); `fast_paths` prepares a contraction
//! hierarchy, which is re-laid out for the point-to-point query and the bucket many-to-many
//! matrix, and cached on disk keyed by a hash of its input. [`RoadNetwork`] holds every mode
//! prepared and answers [`RoadNetwork::route`], [`RoadNetwork::matrix`] and
//! [`RoadNetwork::locate`]; [`RoadNetwork::rezone`] applies new zones without touching the map.
//!
//! Zones change without re-reading the map: the graphs and snap indexes are shared, the
//! overlay is rebuilt (milliseconds), and only modes whose closed edges changed get a new
//! hierarchy — read from the cache when that zone configuration was seen before, otherwise
//! contracted again in the node order of the current one (on Harbin about a third of a full
//! preparation; see `benches/road.rs`). A server holds the network in a [`SharedRoadNetwork`]
//! and swaps in the new one when it is ready; `ZoneIndex::next_change_after` says when a
//! zone's active period next requires that.
//!
//! Units: distances in metres (`_m`) or centimetres (`_cm`), durations in seconds (`_s`) or
//! milliseconds (`_ms`), coordinates WGS84 degrees with `x` = longitude. Every duration
//! includes the walk between the road and the door at both ends.
//!
//! Left to others: reading the PBF (`osm`), where a request's point comes from (`geocode`),
//! what to do with the matrix (`optimize`), HTTP (`web`; the request and response types in
//! [`api`] keep the handlers thin).

pub mod api;
mod baseline;
mod cache;
mod ch;
pub mod config;
mod dijkstra;
mod directions;
mod graph;
mod locate;
mod matrix;
pub mod mode;
mod network;
mod overlay;
mod query;
mod routing;
mod shared;
mod snap;
#[cfg(test)]
mod tests;

pub use baseline::FastPathsBaseline;
pub use cache::ChCache;
pub use ch::ContractionHierarchy;
pub use config::{ModeOverrides, RoadConfig};
pub use directions::{Maneuver, Step};
pub use graph::{BuildStats, Edge, EdgeIdx, NodeIdx, RoadGraph, WayInfo};
pub use locate::Waypoint;
pub use mode::{ModeProfile, PrivateRoads, RoadClass, TravelMode};
pub use network::{
    Located, MemoryReport, ModeNetwork, ModeZoneUpdate, Preparation, PreparedBy, RoadNetwork,
    ZoneUpdate,
};
pub use overlay::Connectivity;
pub use routing::{Route, TravelCost, TravelMatrix};
pub use shared::SharedRoadNetwork;
pub use snap::Snap;

/// What can go wrong in the road network, with messages fit for the person who asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoadError {
    #[error("unknown travel mode `{0}`: use foot, tricycle or van")]
    UnknownMode(String),
    #[error(
        "({lon}, {lat}) is not a longitude/latitude pair (longitude −180…180, latitude −90…90, in that order)"
    )]
    InvalidCoordinate { lon: f64, lat: f64 },
    #[error(
        "({lon:.6}, {lat:.6}) is {} outside the map extract (longitude {:.3}–{:.3}, latitude {:.3}–{:.3})",
        fmt_distance(*.distance_m), .bounds[0], .bounds[2], .bounds[1], .bounds[3]
    )]
    OutsideExtract {
        lon: f64,
        lat: f64,
        distance_m: f64,
        /// `[min lon, min lat, max lon, max lat]`.
        bounds: [f64; 4],
    },
    #[error(
        "no road usable {} within {limit_m:.0} m of ({lon:.6}, {lat:.6}){}",
        by_mode(*.mode),
        .nearest_m.map(|d| format!(": the nearest is {} away", fmt_distance(d))).unwrap_or_default()
    )]
    NoRoadNearby {
        mode: TravelMode,
        lon: f64,
        lat: f64,
        nearest_m: Option<f64>,
        limit_m: f64,
    },
    #[error("`{text}` is not `longitude,latitude` (for example `126.6535,45.7490`)")]
    BadLonLat { text: String },
    #[error("there is no {mode} route between these points")]
    Unreachable { mode: TravelMode },
    #[error(
        "this point was located before the zones changed; locate it again on the current network"
    )]
    StaleLocation,
    #[error("points located for {first} and {second} cannot be combined")]
    ModeMismatch {
        first: TravelMode,
        second: TravelMode,
    },
    #[error("a matrix needs at least one source and one destination")]
    EmptyMatrix,
    #[error(
        "a matrix of {sources} × {destinations} locations is too large: the limit is {max_locations} sources and {max_locations} destinations, {max_cells} cells in all"
    )]
    MatrixTooLarge {
        sources: usize,
        destinations: usize,
        max_locations: usize,
        max_cells: usize,
    },
    #[error("{} problem(s) in the request; first: {}", .0.len(), .0.first().map(|e| e.to_string()).unwrap_or_default())]
    InvalidRequest(Vec<RoadError>),
    #[error("{field}: {error}")]
    At {
        field: String,
        error: Box<RoadError>,
    },
    #[error("configuration `{field}`: {reason}")]
    Config { field: String, reason: String },
    #[error("graph preparation failed: {0}")]
    Preparation(String),
}

impl RoadError {
    /// The same error, attributed to a field of the request (`from`, `sources[3]`, ...).
    pub fn at(self, field: &str) -> RoadError {
        RoadError::At {
            field: field.to_string(),
            error: Box::new(self),
        }
    }

    /// Every (field, message) pair, for a problem-details response with field errors.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        match self {
            RoadError::At { field, error } => vec![(field.clone(), error.to_string())],
            RoadError::InvalidRequest(all) => all.iter().flat_map(|e| e.field_errors()).collect(),
            _ => vec![],
        }
    }

    /// True when the error is about the request (the caller can fix it), not the server.
    pub fn is_bad_request(&self) -> bool {
        !matches!(self, RoadError::Preparation(_) | RoadError::Config { .. })
    }
}

fn fmt_distance(m: f64) -> String {
    if m >= 1000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{m:.0} m")
    }
}

fn by_mode(mode: TravelMode) -> &'static str {
    match mode {
        TravelMode::Foot => "on foot",
        TravelMode::Tricycle => "by tricycle",
        TravelMode::Van => "by van",
    }
}
