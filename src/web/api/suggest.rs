//! `GET /api/v1/geocode/suggest?q=`: completions of what a resident has typed — compounds,
//! streets and POIs — for the form's address field, on every keystroke. Public.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::engine_of;
use super::geocode::query_text;
use crate::web::AppState;
use crate::web::error::{AppError, ProblemDetails};

/// Most suggestions per answer.
pub const SUGGEST_MAX: usize = 10;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// What has been typed so far.
    #[param(example = "鸿翔")]
    q: Option<String>,
    /// 1–10, default 10.
    limit: Option<String>,
}

/// One completion.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    /// The name to show and to put in the field.
    pub name: String,
    /// `compound`, `poi`, `street` or `area`.
    pub level: String,
    /// WGS84 degrees.
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionList {
    pub items: Vec<SuggestionView>,
}

/// Suggest completions of an address.
#[utoipa::path(
    get,
    path = "/api/v1/geocode/suggest",
    tag = "geocoding",
    params(SuggestQuery),
    responses(
        (status = 200, description = "Up to `limit` completions, compounds and POIs before streets", body = SuggestionList),
        (status = 400, description = "`q` missing or too long, or a bad `limit`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The server runs without a map", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn suggest(
    state: web::Data<AppState>,
    query: web::Query<SuggestQuery>,
) -> Result<HttpResponse, AppError> {
    let engine = engine_of(&state)?;
    let query = query.into_inner();
    let limit = match query.limit.as_deref() {
        None => SUGGEST_MAX,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=SUGGEST_MAX).contains(&n) => n,
            _ => {
                return Err(AppError::BadQuery(vec![(
                    "limit".into(),
                    format!(
                        "`{}` is not a whole number from 1 to {SUGGEST_MAX}",
                        super::get::short(s)
                    ),
                )]));
            }
        },
    };
    let q = query_text(query.q)?;
    // A binary search and a bounded scan: microseconds, fine on the async worker.
    let items = engine
        .geocoder()
        .suggest(&q, limit)
        .into_iter()
        .map(|s| SuggestionView {
            name: s.name,
            level: s.level.as_str().to_owned(),
            lon: s.lon,
            lat: s.lat,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(SuggestionList { items }))
}
