//! `POST /api/v1/matrix`: door-to-door durations and distances from every source to every
//! destination. A thin handler over [`crate::road::api::matrix`]; the body may be large (a
//! few megabytes), so that an oversized request is answered with the road module's limit
//! rather than a bare 413.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::engine_of;
use super::route::road_problem;
use crate::road::api;
use crate::web::AppState;
use crate::web::error::{AppError, ProblemDetails};

/// Body limit of this route: 100,000 points and more, so the answer names the matrix limit.
pub const MATRIX_BODY_LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// Body of a matrix request (documentation of [`api::MatrixRequest`]).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Describes the road module's request for the OpenAPI document.
pub struct MatrixBody {
    /// `foot` (default), `tricycle` or `van`.
    mode: Option<String>,
    /// `[longitude, latitude]` pairs.
    #[schema(value_type = Vec<Vec<f64>>)]
    sources: Vec<[f64; 2]>,
    /// `[longitude, latitude]` pairs; the sources when absent.
    #[schema(value_type = Option<Vec<Vec<f64>>>)]
    destinations: Option<Vec<[f64; 2]>>,
}

/// The JSON of a matrix (documentation of [`api::MatrixResponse`]). `null` marks an
/// unreachable pair.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // Describes the road module's response for the OpenAPI document.
pub struct MatrixAnswer {
    mode: String,
    /// `durations_s[i][j]`: seconds from source `i` to destination `j`, door to door.
    #[schema(value_type = Vec<Vec<Option<f64>>>)]
    durations_s: Vec<Vec<Option<f64>>>,
    /// Metres, door to door.
    #[schema(value_type = Vec<Vec<Option<f64>>>)]
    distances_m: Vec<Vec<Option<f64>>>,
    #[schema(value_type = Vec<Object>)]
    sources: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    destinations: Vec<serde_json::Value>,
    unreachable_pairs: usize,
    attribution: String,
}

/// A many-to-many travel matrix.
#[utoipa::path(
    post,
    path = "/api/v1/matrix",
    tag = "routing",
    request_body(content = MatrixBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The matrix", body = MatrixAnswer),
        (status = 400, description = "Malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than 8 MiB", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Bad points (per field), an empty or too large matrix (the limit named)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The server runs without a map", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn matrix(
    state: web::Data<AppState>,
    body: web::Json<api::MatrixRequest>,
) -> Result<HttpResponse, AppError> {
    let engine = engine_of(&state)?.clone();
    let request = body.into_inner();
    // Size first (cheap); the matrix itself runs on a blocking thread (both cores).
    let network = engine.roads();
    let answer = web::block(move || api::matrix(&network, &request))
        .await?
        .map_err(|e| road_problem(e, true))?;
    Ok(HttpResponse::Ok().json(answer))
}
