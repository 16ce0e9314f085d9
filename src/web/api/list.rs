//! `GET /api/v1/requests`: a page of requests, newest first, with filters.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::get::short;
use super::views::{RequestList, RequestView};
use crate::db::Timestamp;
use crate::db::requests::RequestFilter;
use crate::domain::{Category, RequestStatus, Urgency, ZoneId};
use crate::web::AppState;
use crate::web::auth::Coordinator;
use crate::web::error::{AppError, ProblemDetails};

pub const LIMIT_DEFAULT: i64 = 50;
pub const LIMIT_MAX: i64 = 200;

/// Filters and paging. Unknown parameters are refused, so a typo does not silently return
/// everything.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A status code (`new`, `needs_review`, ...).
    status: Option<String>,
    /// A category code.
    category: Option<String>,
    /// An urgency code.
    urgency: Option<String>,
    /// A zone's UUID.
    zone_id: Option<String>,
    /// RFC 3339; filed at or after.
    created_after: Option<String>,
    /// RFC 3339; filed before.
    created_before: Option<String>,
    /// 1–200, default 50.
    limit: Option<String>,
    /// From 0, default 0.
    offset: Option<String>,
}

/// List requests.
#[utoipa::path(
    get,
    path = "/api/v1/requests",
    tag = "requests",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of requests", body = RequestList),
        (status = 400, description = "Invalid parameters, listed in `errors`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (session cookie or `Authorization: Bearer` API token)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn list_requests(
    _coordinator: Coordinator,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let mut bad: Vec<(String, String)> = Vec::new();
    fn code<T: std::str::FromStr>(
        bad: &mut Vec<(String, String)>,
        name: &str,
        v: &Option<String>,
        allowed: &[&str],
    ) -> Option<T> {
        let s = v.as_deref()?;
        match s.parse() {
            Ok(x) => Some(x),
            Err(_) => {
                bad.push((
                    name.into(),
                    format!("`{}` is not one of: {}", short(s), allowed.join(", ")),
                ));
                None
            }
        }
    }
    let codes = |all: &[&'static str]| all.to_vec();
    let status = code::<RequestStatus>(
        &mut bad,
        "status",
        &q.status,
        &codes(
            &RequestStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        ),
    );
    let category = code::<Category>(
        &mut bad,
        "category",
        &q.category,
        &Category::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    );
    let urgency = code::<Urgency>(
        &mut bad,
        "urgency",
        &q.urgency,
        &Urgency::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    );
    let zone_id = match q.zone_id.as_deref() {
        None => None,
        Some(s) => match s.parse::<ZoneId>() {
            Ok(z) => Some(z),
            Err(_) => {
                bad.push(("zone_id".into(), format!("`{}` is not a UUID", short(s))));
                None
            }
        },
    };
    let mut time = |name: &str, v: &Option<String>| -> Option<Timestamp> {
        let s = v.as_deref()?;
        match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(Timestamp(t.with_timezone(&Utc))),
            Err(_) => {
                bad.push((
                    name.into(),
                    format!(
                        "`{}` is not an RFC 3339 time (2022-11-29T08:00:00+08:00)",
                        short(s)
                    ),
                ));
                None
            }
        }
    };
    let created_after = time("created_after", &q.created_after);
    let created_before = time("created_before", &q.created_before);
    let mut int = |name: &str, v: &Option<String>, default: i64, min: i64, max: i64| -> i64 {
        match v.as_deref().map(|s| (s, s.parse::<i64>())) {
            None => default,
            Some((_, Ok(n))) if (min..=max).contains(&n) => n,
            Some((s, _)) => {
                bad.push((
                    name.into(),
                    format!("`{}` is not a whole number from {min} to {max}", short(s)),
                ));
                default
            }
        }
    };
    let limit = int("limit", &q.limit, LIMIT_DEFAULT, 1, LIMIT_MAX);
    let offset = int("offset", &q.offset, 0, 0, 1_000_000);
    if !bad.is_empty() {
        return Err(AppError::BadQuery(bad));
    }
    let filter = RequestFilter {
        status,
        category,
        urgency,
        zone_id,
        created_after,
        created_before,
    };
    let (rows, total) = state
        .db
        .read(move |c| crate::db::requests::list(c, &filter, limit, offset))
        .await?;
    Ok(HttpResponse::Ok().json(RequestList {
        items: rows.into_iter().map(RequestView::from).collect(),
        total,
        limit,
        offset,
    }))
}
