//! `GET /api/v1/requests/{id}/events`: a request's audit trail for coordinators — who changed
//! what and when, including the stops that served it. The events themselves are written by
//! the `db` functions that make the changes, in the same transaction.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::get::parse_request_id;
use crate::db::events::EventRow;
use crate::web::AppState;
use crate::web::auth::Coordinator;
use crate::web::error::{AppError, ProblemDetails};

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Order of the events (increasing).
    pub id: i64,
    /// When, RFC 3339 in UTC.
    #[schema(value_type = String, format = DateTime)]
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who: `resident`, `user:NAME`, `link:SQUAD`, `token:NAME`, `csv:FILE`, `demo`, ...
    pub actor: String,
    /// What, as a dotted verb: `request.filed`, `request.status`, `stop.marked`, ...
    pub action: String,
    /// `request` or `stop`.
    pub entity_kind: String,
    pub entity_id: Option<uuid::Uuid>,
    /// The change's particulars (old and new values, reasons).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// A request's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub events: Vec<EventView>,
}

impl From<EventRow> for EventView {
    fn from(e: EventRow) -> Self {
        EventView {
            id: e.id,
            at: e.at.0,
            actor: e.actor,
            action: e.action,
            entity_kind: e.entity_kind,
            entity_id: e.entity_id.map(|i| i.0),
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// A request's audit trail.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{id}/events",
    tag = "requests",
    params(("id" = String, Path, description = "The request's UUID")),
    responses(
        (status = 200, description = "Its events, oldest first", body = EventList),
        (status = 400, description = "Not a UUID", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (session cookie or `Authorization: Bearer` API token)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn request_events(
    _coordinator: Coordinator,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_request_id(&id)?;
    let events = state
        .db
        .read(move |c| {
            crate::db::requests::get(c, id)?;
            crate::db::events::for_request(c, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(EventList {
        events: events.into_iter().map(EventView::from).collect(),
    }))
}
