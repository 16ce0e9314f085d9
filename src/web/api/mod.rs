//! The JSON API under `/api/v1`: requests (create, get, list) and the OpenAPI 3 document of
//! the whole API at `/api/v1/openapi.json`, generated from the handlers and types (utoipa),
//! so that it cannot drift from the code; a test checks it against the live routes.
//!
//! Errors are RFC 9457 problem details ([`super::error`]). Other areas add their operations
//! here (`paths(...)`) and their routes in [`routes`].

mod create;
mod events;
mod geocode;
mod get;
mod list;
mod matrix;
pub(crate) mod plans;
pub(crate) mod reassign;
mod route;
mod suggest;
pub mod views;

use actix_web::{HttpResponse, web};

use super::AppState;
use super::error::AppError;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "doorstep API",
        description = "Requests for supplies from households in home isolation. Errors are RFC 9457 problem details (application/problem+json).",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        create::create_request,
        get::get_request,
        events::request_events,
        list::list_requests,
        openapi_json,
        geocode::geocode,
        suggest::suggest,
        route::route,
        matrix::matrix,
        plans::list_plans,
        plans::create_plans,
        reassign::reassign,
        reassign::reoptimize,
    ),
    components(schemas(
        crate::intake::RequestInput,
        crate::intake::ItemInput,
        crate::intake::Item,
        views::RequestView,
        views::LocationView,
        views::RequestList,
        events::EventView,
        events::EventList,
        super::error::ProblemDetails,
        super::error::FieldProblem,
        crate::domain::Category,
        crate::domain::Urgency,
        crate::domain::RequestStatus,
        crate::domain::FailureReason,
        crate::domain::FiledBy,
        crate::domain::Source,
        crate::engine::StoredCandidate,
        geocode::GeocodeAnswer,
        suggest::SuggestionView,
        suggest::SuggestionList,
        route::RouteAnswer,
        matrix::MatrixBody,
        matrix::MatrixAnswer,
        plans::DayPlans,
        plans::PlanView,
        plans::StopView,
        plans::UnservedView,
        plans::RunView,
        plans::PlanBody,
        reassign::ReassignBody,
        reassign::ReoptimizeBody,
        crate::dispatch::ReassignOutcome,
        crate::dispatch::SquadChange,
        crate::domain::PlanStatus,
        crate::domain::StopStatus,
        crate::domain::UnservedReason,
    )),
    tags(
        (name = "requests", description = "Residents' requests"),
        (name = "geocoding", description = "Addresses to places, and completions as residents type"),
        (name = "routing", description = "Routes and travel matrices on the district's roads"),
        (name = "plans", description = "Squads' plans: produce the day's, move a stop, re-optimize a squad"),
    )
)]
pub struct ApiDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/requests", web::post().to(create::create_request))
        .route("/requests", web::get().to(list::list_requests))
        .route("/requests/{id}", web::get().to(get::get_request))
        .route(
            "/requests/{id}/events",
            web::get().to(events::request_events),
        )
        .route("/openapi.json", web::get().to(openapi_json))
        .route("/plans", web::post().to(plans::create_plans))
        .route("/plans", web::get().to(plans::list_plans))
        .route(
            "/plans/{id}/reoptimize",
            web::post().to(reassign::reoptimize),
        )
        .route("/stops/{id}/reassign", web::post().to(reassign::reassign))
        .configure(map_routes);
}

/// Geocoding and routing, answered from the loaded map.
fn map_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/geocode", web::get().to(geocode::geocode))
        .route("/geocode/suggest", web::get().to(suggest::suggest))
        .route("/route", web::get().to(route::route))
        .service(
            web::resource("/matrix")
                .app_data(super::json_config(matrix::MATRIX_BODY_LIMIT_BYTES))
                .route(web::post().to(matrix::matrix)),
        );
}

/// The loaded map engine, or 503 when the server runs without a map.
fn engine_of(state: &AppState) -> Result<&std::sync::Arc<crate::engine::MapEngine>, AppError> {
    state.engine.as_ref().ok_or(AppError::NoMap)
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
