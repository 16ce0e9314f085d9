//! `GET /api/v1/route?from=lon,lat&to=lon,lat&mode=foot`: a door-to-door route with its
//! GeoJSON line, distance, duration and steps in Chinese and English. A thin handler over
//! [`crate::road::api::route`]; road errors map to problem details with the field named.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::engine_of;
use crate::road::{RoadError, api};
use crate::web::AppState;
use crate::web::error::{AppError, ProblemDetails};

/// A road error as a problem: per-field messages where the road module names the field,
/// 400 for a query string and 422 for a JSON body; unreachable pairs are 422, failures of the
/// server 500.
pub(super) fn road_problem(e: RoadError, in_body: bool) -> AppError {
    let fields = e.field_errors();
    if !e.is_bad_request() {
        return AppError::Internal(e.to_string());
    }
    let fields = if fields.is_empty() {
        let field = match &e {
            RoadError::MatrixTooLarge { .. } | RoadError::EmptyMatrix => "sources",
            RoadError::UnknownMode(_) => "mode",
            _ => "",
        };
        if field.is_empty() {
            return AppError::Unprocessable(e.to_string());
        }
        vec![(field.to_owned(), e.to_string())]
    } else {
        fields
    };
    if in_body {
        AppError::Invalid(fields)
    } else {
        AppError::BadQuery(fields)
    }
}

/// The JSON of a route (documentation of [`api::RouteResponse`]).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Describes the road module's response for the OpenAPI document.
pub struct RouteAnswer {
    /// `foot`, `tricycle` or `van`.
    mode: String,
    /// Door to door, metres.
    distance_m: f64,
    /// Door to door, seconds.
    duration_s: f64,
    /// GeoJSON LineString, `[longitude, latitude]` positions.
    #[schema(value_type = Object)]
    geometry: serde_json::Value,
    /// Turn by turn: `maneuver`, `road_zh`, `road_en`, `distance_m`, `duration_s`,
    /// `instruction_zh`, `instruction_en`, `location`.
    #[schema(value_type = Vec<Object>)]
    steps: Vec<serde_json::Value>,
    /// Where the route starts: `requested`, `served` (a high-risk zone's checkpoint),
    /// `via_checkpoint_of`, `on_road`, `distance_from_road_m`, `door_duration_s`.
    #[schema(value_type = Object)]
    from: serde_json::Value,
    #[schema(value_type = Object)]
    to: serde_json::Value,
    attribution: String,
}

/// A route between two points.
#[utoipa::path(
    get,
    path = "/api/v1/route",
    tag = "routing",
    params(
        ("from" = String, Query, description = "Start as `longitude,latitude`", example = "126.9029,45.7003"),
        ("to" = String, Query, description = "End as `longitude,latitude`"),
        ("mode" = Option<String>, Query, description = "`foot` (default), `tricycle` or `van`"),
    ),
    responses(
        (status = 200, description = "The route", body = RouteAnswer),
        (status = 400, description = "A bad point or mode, or a point off the map or far from any road (per field)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "No route between the points in this mode", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The server runs without a map", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn route(
    state: web::Data<AppState>,
    query: web::Query<api::RouteQuery>,
) -> Result<HttpResponse, AppError> {
    let engine = engine_of(&state)?;
    let network = engine.roads();
    let answer = api::route(&network, &query).map_err(|e| road_problem(e, false))?;
    Ok(HttpResponse::Ok().json(answer))
}
