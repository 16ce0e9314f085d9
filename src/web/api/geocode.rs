//! `GET /api/v1/geocode?q=`: an address → candidates with position, match level and
//! confidence, and the parsed components. Public (residents' pages use it); answered in
//! well under a millisecond.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::engine_of;
use super::get::short;
use crate::engine::StoredCandidate;
use crate::web::AppState;
use crate::web::error::{AppError, ProblemDetails};

/// Longest query read, in characters.
pub const QUERY_MAX_CHARS: usize = 160;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GeocodeQuery {
    /// The address as a resident writes it (up to 160 characters).
    #[param(example = "鸿翔名苑3栋2单元501")]
    q: Option<String>,
}

/// The geocoder's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct GeocodeAnswer {
    pub query: String,
    /// The best candidate when confident enough to use; null is "no confident match".
    pub best: Option<StoredCandidate>,
    /// Every candidate, best first (at most 10).
    pub candidates: Vec<StoredCandidate>,
    /// True when intake would send this address to a coordinator's review.
    pub needs_review: bool,
    /// The parts of the address recognised (`compound`, `building`, `unit`, `street`, ...).
    #[schema(value_type = Object)]
    pub components: serde_json::Value,
    /// The high-risk, controlled or precaution zone at the best position, if any.
    pub zone: Option<String>,
    /// The community (社区) at the best position, when the map has community boundaries.
    pub community: Option<String>,
}

/// Read `q`: present, not blank, not too long.
pub(super) fn query_text(q: Option<String>) -> Result<String, AppError> {
    let q = q.unwrap_or_default();
    let trimmed = q.trim();
    if trimmed.is_empty() {
        return Err(AppError::BadQuery(vec![(
            "q".into(),
            "give the address to look up".into(),
        )]));
    }
    if trimmed.chars().count() > QUERY_MAX_CHARS {
        return Err(AppError::BadQuery(vec![(
            "q".into(),
            format!(
                "`{}…` is longer than {QUERY_MAX_CHARS} characters",
                short(trimmed)
            ),
        )]));
    }
    Ok(trimmed.to_owned())
}

/// Geocode an address.
#[utoipa::path(
    get,
    path = "/api/v1/geocode",
    tag = "geocoding",
    params(GeocodeQuery),
    responses(
        (status = 200, description = "Candidates, best first; `best` is null when nothing is confident", body = GeocodeAnswer),
        (status = 400, description = "`q` missing, blank or too long", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The server runs without a map", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn geocode(
    state: web::Data<AppState>,
    query: web::Query<GeocodeQuery>,
) -> Result<HttpResponse, AppError> {
    let engine = engine_of(&state)?.clone();
    let q = query_text(query.into_inner().q)?;
    let answer = engine.geocoder().geocode(&q);
    let located = engine.located_from(&answer);
    let zone = answer
        .best
        .as_ref()
        .and_then(|b| engine.zone_at(geo::Point::new(b.lon, b.lat)))
        .map(|z| z.name);
    Ok(HttpResponse::Ok().json(GeocodeAnswer {
        best: answer.best.as_ref().map(StoredCandidate::from),
        candidates: answer
            .candidates
            .iter()
            .map(StoredCandidate::from)
            .collect(),
        needs_review: located.needs_review,
        components: serde_json::to_value(&answer.components).unwrap_or_default(),
        zone,
        community: located.community,
        query: q,
    }))
}
