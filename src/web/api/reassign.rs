//! `POST /api/v1/stops/{id}/reassign` (move a stop to another squad; both squads are
//! re-sequenced; the answer says how each squad's time and distance changed) and
//! `POST /api/v1/plans/{id}/reoptimize` (re-sequence one squad). Both are guarded by the
//! version the client read: a stale one is a 409 with the current state.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use super::plans::{run_dispatch, settings_of};
use crate::dispatch::{ReassignOutcome, SquadChange};
use crate::domain::{PlanId, SquadId, StopId};
use crate::web::AppState;
use crate::web::auth::Coordinator;
use crate::web::error::{AppError, ProblemDetails};

/// Where to move a stop.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignBody {
    /// The squad that takes the stop.
    pub squad_id: SquadId,
    /// The stop's version as read (`version` of the stop in `GET /api/v1/plans`).
    pub version: i32,
}

/// Optional version check of a re-optimization.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReoptimizeBody {
    /// The plan's version as read; when given, a plan changed since is a 409.
    pub version: Option<i32>,
}

fn parse_id<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, AppError> {
    s.parse()
        .map_err(|_| AppError::BadRequest(format!("malformed {what} id")))
}

/// Move a stop to another squad.
#[utoipa::path(
    post,
    path = "/api/v1/stops/{id}/reassign",
    tag = "plans",
    params(("id" = String, Path, description = "The stop's UUID")),
    request_body(content = ReassignBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Moved; both squads re-sequenced, with the change in time and distance of each", body = ReassignOutcome),
        (status = 400, description = "Malformed id or JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (or no CSRF token with a session)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such stop or squad", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Someone changed the stop first; `current` is the stop as it is now", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The move cannot be made (a stop under way, a squad without the skill, full, inactive), with the reason", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "No map loaded, or the database is unavailable", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn reassign(
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ReassignBody>,
) -> Result<HttpResponse, AppError> {
    let stop: StopId = parse_id(&path, "stop")?;
    let body = body.into_inner();
    let outcome = reassign_stop(&state, stop, body.squad_id, body.version, me.actor()).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// The move, for the API and the board's form.
pub(crate) async fn reassign_stop(
    state: &AppState,
    stop: StopId,
    to: SquadId,
    version: i32,
    actor: String,
) -> Result<ReassignOutcome, AppError> {
    run_dispatch(state, settings_of(state), move |db, roads, settings| {
        crate::dispatch::reassign(
            db,
            Some(roads),
            stop,
            to,
            version,
            Utc::now(),
            settings,
            &actor,
        )
    })
    .await
}

/// The re-optimization, for the API and the board's form.
pub(crate) async fn reoptimize_plan(
    state: &AppState,
    plan: PlanId,
    version: Option<i32>,
    actor: String,
) -> Result<SquadChange, AppError> {
    run_dispatch(state, settings_of(state), move |db, roads, settings| {
        crate::dispatch::reoptimize_plan(
            db,
            Some(roads),
            plan,
            version,
            Utc::now(),
            settings,
            &actor,
        )
    })
    .await
}

/// Re-sequence one squad's plan (its stops to do; those done or under way stay first).
#[utoipa::path(
    post,
    path = "/api/v1/plans/{id}/reoptimize",
    tag = "plans",
    params(("id" = String, Path, description = "The plan's UUID")),
    request_body(content = ReoptimizeBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Re-sequenced, with the change in time and distance", body = SquadChange),
        (status = 400, description = "Malformed id or JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (or no CSRF token with a session)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The plan changed since `version`", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The plan was cancelled", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "No map loaded, or the database is unavailable", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn reoptimize(
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ReoptimizeBody>,
) -> Result<HttpResponse, AppError> {
    let plan: PlanId = parse_id(&path, "plan")?;
    let change = reoptimize_plan(&state, plan, body.version, me.actor()).await?;
    Ok(HttpResponse::Ok().json(change))
}
