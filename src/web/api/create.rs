//! `POST /api/v1/requests`: file a request. 201 with the stored request; 200 with the first
//! one when the idempotency key (header `Idempotency-Key` or body field) was seen before.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::views::RequestView;
use crate::domain::Source;
use crate::intake::{self, RequestInput};
use crate::web::error::{AppError, ProblemDetails};
use crate::web::intake_submit::file;
use crate::web::{AppState, api_lang_of};

/// File a request for supplies.
#[utoipa::path(
    post,
    path = "/api/v1/requests",
    tag = "requests",
    request_body(content = RequestInput, content_type = "application/json"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key, same request: a repeat returns the first (up to 64 of A-Z a-z 0-9 - _ : .)")),
    responses(
        (status = 201, description = "Stored", body = RequestView, headers(("Location" = String, description = "The request's URL"))),
        (status = 200, description = "Already stored under this idempotency key", body = RequestView),
        (status = 400, description = "Malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than 64 KiB", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, listed in `errors`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Too many filings from this client; `Retry-After` says when to try again", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable; nothing stored", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn create_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RequestInput>,
) -> Result<HttpResponse, AppError> {
    state.auth.limit(&state.auth.intake, &req)?;
    let mut input = body.into_inner();
    if let Some(key) = req.headers().get("Idempotency-Key") {
        let key = key
            .to_str()
            .map_err(|_| AppError::BadRequest("the Idempotency-Key header is not ASCII".into()))?;
        input.idempotency_key = Some(key.to_owned());
    }
    // Field messages in the client's language (`?lang=`, `Accept-Language`; Chinese by default).
    let valid = intake::validate(&input).map_err(|e| AppError::Validation(e, api_lang_of(&req)))?;
    let (row, created) = file(&state, valid, Source::Api).await?;
    let location = format!("/api/v1/requests/{}", row.id);
    let view = RequestView::from(row);
    Ok(if created {
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .json(view)
    } else {
        HttpResponse::Ok()
            .insert_header(("Idempotent-Replayed", "true"))
            .json(view)
    })
}
