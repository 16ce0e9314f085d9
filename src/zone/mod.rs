//! Zones: the high-risk, controlled and precaution areas of a lockdown, and the rules the router
//! and the optimizer apply to them.
//!
//! A [`Zone`] is plain data (id, name, kind, polygon, checkpoint, active period) that the
//! database stores and the web layer edits; a polygon pasted by a coordinator is read with
//! [`parse_geojson_polygon`], which names the exact place where the text is wrong. A
//! [`ZoneIndex`] answers the three questions the rest of doorstep asks:
//!
//! - which zone is this point in ([`ZoneIndex::zone_at`]);
//! - where is a request at this point served ([`ZoneIndex::delivery_point`]: the zone's
//!   checkpoint for a high-risk zone, the door otherwise);
//! - may a road be used on the way elsewhere ([`ZoneIndex::blocking_zone`]: no road whose line
//!   enters a high-risk zone's interior).
//!
//! The rules per kind, as the field reports describe them:
//!
//! | kind | 中文 | roads inside | where requests are served |
//! | --- | --- | --- | --- |
//! | [`ZoneKind::HighRisk`] | 高风险区 (sealed) | closed to everyone on the way elsewhere | at the zone's checkpoint, handed over at the cordon |
//! | [`ZoneKind::Controlled`] | 管控区 | open | at the door (staff deliver; residents stay inside) |
//! | [`ZoneKind::Precaution`] | 防范区 | open | at the door |
//!
//! This module knows nothing of road graphs, storage or HTTP: the road network asks it about
//! lines and points, the database stores [`Zone`]s as they are (they serialise with serde).

mod geojson;
mod index;
mod model;

pub use geojson::{parse_geojson_polygon, parse_geojson_zones};
pub use index::{DeliveryPoint, ZoneIndex};
pub use model::{ActivePeriod, Zone, ZoneId, ZoneKind};

/// What can be wrong with a zone or its polygon.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ZoneError {
    /// The pasted text is not JSON at all.
    #[error("the polygon is not valid JSON (line {line}, column {column}): {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// The JSON is not the GeoJSON this module reads; `path` points at the offending value,
    /// e.g. `features[0].geometry.coordinates[0][3]`.
    #[error("GeoJSON at `{path}`: {reason}")]
    GeoJson { path: String, reason: String },
    /// The rings are well formed but do not make a valid polygon (self-intersection, ...).
    #[error("the polygon is not valid: {0}")]
    InvalidPolygon(String),
    /// A zone needs a name people recognise.
    #[error("the zone needs a name")]
    EmptyName,
    /// High-risk zones are served at their checkpoint, so they must have one.
    #[error("a high-risk zone needs a checkpoint (卡口) where supplies are handed over")]
    MissingCheckpoint,
    /// The checkpoint must be where people outside can reach it.
    #[error(
        "the checkpoint ({lon:.6}, {lat:.6}) lies {depth_m:.0} m inside the zone; put it on the fence line or outside"
    )]
    CheckpointInside { lon: f64, lat: f64, depth_m: f64 },
    /// A coordinate that is not a WGS84 longitude/latitude.
    #[error("the checkpoint ({lon}, {lat}) is not a longitude/latitude pair")]
    BadCheckpoint { lon: f64, lat: f64 },
    /// The active period ends before it starts.
    #[error("the active period ends ({until}) before it starts ({from})")]
    BadPeriod { from: String, until: String },
}
