//! The JSON API under `/api/v1`: requests (create, get, list) and the OpenAPI 3 document of
//! the whole API at `/api/v1/openapi.json`, generated from the handlers and types (utoipa),
//! so that it cannot drift from the code; a test checks it against the live routes.
//!
//! Errors are RFC 9457 problem details ([`super::error`]). Other areas add their operations
//! here (`paths(...)`) and their routes in [`routes`].

mod create;
mod get;
mod list;
pub mod views;

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "doorstep API",
        description = "Requests for supplies from households in home isolation. Errors are RFC 9457 problem details (application/problem+json).",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(create::create_request, get::get_request, list::list_requests, openapi_json),
    components(schemas(
        crate::intake::RequestInput,
        crate::intake::ItemInput,
        crate::intake::Item,
        views::RequestView,
        views::LocationView,
        views::RequestList,
        super::error::ProblemDetails,
        super::error::FieldProblem,
        crate::domain::Category,
        crate::domain::Urgency,
        crate::domain::RequestStatus,
        crate::domain::FailureReason,
        crate::domain::FiledBy,
        crate::domain::Source,
    )),
    tags((name = "requests", description = "Residents' requests"))
)]
pub struct ApiDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/requests", web::post().to(create::create_request))
        .route("/requests", web::get().to(list::list_requests))
        .route("/requests/{id}", web::get().to(get::get_request))
        .route("/openapi.json", web::get().to(openapi_json));
}

/// The OpenAPI 3 document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "requests",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
