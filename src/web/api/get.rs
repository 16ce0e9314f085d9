//! `GET /api/v1/requests/{id}`.

use actix_web::{HttpResponse, web};

use super::views::RequestView;
use crate::domain::RequestId;
use crate::web::AppState;
use crate::web::auth::Coordinator;
use crate::web::error::{AppError, ProblemDetails};

/// One request by id.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{id}",
    tag = "requests",
    params(("id" = String, Path, description = "The request's UUID")),
    responses(
        (status = 200, description = "The request", body = RequestView),
        (status = 400, description = "Not a UUID", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (session cookie or `Authorization: Bearer` API token)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn get_request(
    _coordinator: Coordinator,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_request_id(&id)?;
    let row = state
        .db
        .read(move |c| crate::db::requests::get(c, id))
        .await?;
    Ok(HttpResponse::Ok().json(RequestView::from(row)))
}

/// The request id of a path, or a 400 naming (at most 40 characters of) what was sent.
pub(super) fn parse_request_id(s: &str) -> Result<RequestId, AppError> {
    s.parse()
        .map_err(|_| AppError::BadRequest(format!("`{}` is not a request id (a UUID)", short(s))))
}

/// Echo at most 40 characters of what the client sent.
pub(super) fn short(s: &str) -> String {
    s.chars().take(40).collect()
}
