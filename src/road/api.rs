//! Request and response types of the road API (`GET /api/v1/route`, `POST /api/v1/matrix`),
//! serde-ready, with the whole request handling here so that web handlers only extract, call
//! [`route`] or [`matrix`], and serialise (or map the [`RoadError`] to a problem response:
//! [`RoadError::field_errors`] gives the per-field messages, [`RoadError::is_bad_request`]
//! tells 4xx from 5xx).

use geo::Point;
use serde::{Deserialize, Serialize};

use crate::zone::ZoneId;

use super::directions::Step;
use super::locate::Waypoint;
use super::mode::TravelMode;
use super::network::RoadNetwork;
use super::{RoadError, TravelMatrix};

/// Attribution every map-derived response carries (ODbL).
pub const ATTRIBUTION: &str = "© OpenStreetMap contributors (ODbL)";

/// Query string of `GET /api/v1/route?from=lon,lat&to=lon,lat&mode=foot`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RouteQuery {
    pub from: String,
    pub to: String,
    /// `foot` (default), `tricycle` or `van` (aliases: walk, e-bike, car, ...).
    #[serde(default)]
    pub mode: Option<String>,
}

/// Body of `POST /api/v1/matrix`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixRequest {
    #[serde(default)]
    pub mode: Option<String>,
    /// `[longitude, latitude]` pairs.
    pub sources: Vec<[f64; 2]>,
    /// `[longitude, latitude]` pairs; the sources when absent.
    #[serde(default)]
    pub destinations: Option<Vec<[f64; 2]>>,
}

/// A GeoJSON `LineString` geometry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoJsonLineString {
    #[serde(rename = "type")]
    pub kind: String,
    /// `[longitude, latitude]` positions.
    pub coordinates: Vec<[f64; 2]>,
}

/// A waypoint as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaypointView {
    /// `[longitude, latitude]` as requested.
    pub requested: [f64; 2],
    /// Where the request is served: the requested point, or a high-risk zone's checkpoint.
    pub served: [f64; 2],
    pub via_checkpoint_of: Option<ZoneId>,
    /// Where `served` meets the road.
    pub on_road: [f64; 2],
    pub distance_from_road_m: f64,
    /// Walking time between road and door, included in every duration.
    pub door_duration_s: f64,
}

impl From<&Waypoint> for WaypointView {
    fn from(w: &Waypoint) -> Self {
        WaypointView {
            requested: [w.requested.x(), w.requested.y()],
            served: [w.served.x(), w.served.y()],
            via_checkpoint_of: w.via_checkpoint_of,
            on_road: [w.snap.point.x(), w.snap.point.y()],
            distance_from_road_m: round2(w.door_distance_m),
            door_duration_s: round2(w.door_duration_s),
        }
    }
}

/// Response of `GET /api/v1/route`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteResponse {
    pub mode: TravelMode,
    /// Door to door, metres.
    pub distance_m: f64,
    /// Door to door, seconds.
    pub duration_s: f64,
    pub geometry: GeoJsonLineString,
    pub steps: Vec<Step>,
    pub from: WaypointView,
    pub to: WaypointView,
    pub attribution: &'static str,
}

/// Response of `POST /api/v1/matrix`. `null` marks an unreachable pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatrixResponse {
    pub mode: TravelMode,
    /// `durations_s[i][j]`: from source `i` to destination `j`, seconds, door to door.
    pub durations_s: Vec<Vec<Option<f64>>>,
    /// `distances_m[i][j]`: metres, door to door.
    pub distances_m: Vec<Vec<Option<f64>>>,
    pub sources: Vec<WaypointView>,
    pub destinations: Vec<WaypointView>,
    pub unreachable_pairs: usize,
    pub attribution: &'static str,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Reads `lon,lat` (spaces allowed around the comma).
pub fn parse_lon_lat(text: &str) -> Result<Point<f64>, RoadError> {
    let bad = || RoadError::BadLonLat {
        text: text.to_string(),
    };
    let (lon, lat) = text.split_once(',').ok_or_else(bad)?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    Ok(Point::new(lon, lat))
}

fn parse_mode(mode: Option<&str>) -> Result<TravelMode, RoadError> {
    mode.map_or(Ok(TravelMode::Foot), str::parse)
        .map_err(|e| e.at("mode"))
}

/// Handles a route request.
pub fn route(network: &RoadNetwork, query: &RouteQuery) -> Result<RouteResponse, RoadError> {
    let mode = parse_mode(query.mode.as_deref());
    let from = parse_lon_lat(&query.from).map_err(|e| e.at("from"));
    let to = parse_lon_lat(&query.to).map_err(|e| e.at("to"));
    let (mode, from, to) = match (mode, from, to) {
        (Ok(m), Ok(f), Ok(t)) => (m, f, t),
        (m, f, t) => {
            let errors: Vec<RoadError> =
                [m.err(), f.err(), t.err()].into_iter().flatten().collect();
            return Err(RoadError::InvalidRequest(errors));
        }
    };
    let a = network.locate(mode, from).map_err(|e| e.at("from"));
    let b = network.locate(mode, to).map_err(|e| e.at("to"));
    let (a, b) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            return Err(RoadError::InvalidRequest(
                [a.err(), b.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let r = network.route_located(&a, &b)?;
    Ok(RouteResponse {
        mode: r.mode,
        distance_m: round2(r.distance_m),
        duration_s: round2(r.duration_s),
        geometry: GeoJsonLineString {
            kind: "LineString".into(),
            coordinates: r.geometry.0.iter().map(|c| [c.x, c.y]).collect(),
        },
        steps: r.steps,
        from: (&r.from).into(),
        to: (&r.to).into(),
        attribution: ATTRIBUTION,
    })
}

/// Handles a matrix request. The size is checked before any point is looked at.
pub fn matrix(network: &RoadNetwork, request: &MatrixRequest) -> Result<MatrixResponse, RoadError> {
    let mode = parse_mode(request.mode.as_deref())?;
    let sources: Vec<Point<f64>> = request
        .sources
        .iter()
        .map(|&[x, y]| Point::new(x, y))
        .collect();
    let destinations: Vec<Point<f64>> = match &request.destinations {
        Some(d) => d.iter().map(|&[x, y]| Point::new(x, y)).collect(),
        None => sources.clone(),
    };
    let m = network.matrix(mode, &sources, &destinations)?;
    Ok(matrix_response(&m))
}

fn matrix_response(m: &TravelMatrix) -> MatrixResponse {
    let (rows, cols) = (m.sources.len(), m.destinations.len());
    let table = |f: &dyn Fn(usize, usize) -> Option<f64>| -> Vec<Vec<Option<f64>>> {
        (0..rows)
            .map(|i| (0..cols).map(|j| f(i, j).map(round2)).collect())
            .collect()
    };
    MatrixResponse {
        mode: m.mode,
        durations_s: table(&|i, j| m.duration_s(i, j)),
        distances_m: table(&|i, j| m.distance_m(i, j)),
        sources: m.sources.iter().map(WaypointView::from).collect(),
        destinations: m.destinations.iter().map(WaypointView::from).collect(),
        unreachable_pairs: m.unreachable_count(),
        attribution: ATTRIBUTION,
    }
}
