//! `POST /api/v1/plans` (produce the day's plans for every active squad and answer them) and
//! `GET /api/v1/plans?date=` (the day's current plans, each squad's stops in order, and the
//! requests left unserved with the reason). Thin handlers over [`crate::dispatch`].

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::{Conn, DbError};
use crate::dispatch::{DayReport, DispatchError, DispatchSettings};
use crate::domain::{
    PlanId, PlanStatus, RequestId, SquadId, StopId, StopStatus, UnservedReason, ZoneId,
};
use crate::i18n::Lang;
use crate::web::AppState;
use crate::web::auth::Coordinator;
use crate::web::error::{AppError, ProblemDetails};

/// The day's plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayPlans {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// One current plan per squad that has one.
    pub plans: Vec<PlanView>,
    /// Requests the day's plan left out, with the reason.
    pub unserved: Vec<UnservedView>,
    /// What the run did (only in the answer of `POST`).
    pub run: Option<RunView>,
}

/// A squad's plan for the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: PlanId,
    pub squad_id: SquadId,
    pub squad_name: String,
    pub status: PlanStatus,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub distance_m: f64,
    /// From leaving to coming back, seconds.
    pub duration_s: f64,
    /// For optimistic locking (`POST /api/v1/plans/{id}/reoptimize`).
    pub version: i32,
    pub stops: Vec<StopView>,
}

/// A delivery point on a plan, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct StopView {
    pub id: StopId,
    pub seq: i32,
    pub label: String,
    pub lon: f64,
    pub lat: f64,
    pub zone_id: Option<ZoneId>,
    pub planned_arrival: Option<DateTime<Utc>>,
    pub service_s: f64,
    pub leg_distance_m: Option<f64>,
    pub leg_duration_s: Option<f64>,
    pub status: StopStatus,
    /// A coordinator's choice: a re-plan keeps it with this squad.
    pub pinned: bool,
    /// For optimistic locking (`POST /api/v1/stops/{id}/reassign`).
    pub version: i32,
    pub request_ids: Vec<RequestId>,
}

/// A request left out of the day's plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnservedView {
    pub request_id: RequestId,
    pub reason: UnservedReason,
    /// The reason in words (English; the board shows it in the reader's language).
    pub message: String,
    /// The delivery point the plan saw.
    pub stop_label: String,
}

/// What a planning run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    pub served_stops: usize,
    pub unserved_stops: usize,
    pub missed_deadlines: usize,
    pub iterations: u64,
    pub seconds: f64,
}

/// Maps the dispatch layer's errors to HTTP, in one place for the API and the board.
pub(crate) fn dispatch_error(e: DispatchError) -> AppError {
    match e {
        DispatchError::NoMap => AppError::NoMap,
        DispatchError::Db(e) => e.into(),
        DispatchError::Conflict {
            message,
            current: Some(current),
        } => AppError::ConflictWith { message, current },
        DispatchError::Conflict { message, .. } => AppError::Conflict(message),
        DispatchError::NotFound(_) => AppError::NotFound,
        DispatchError::Refused { field, message } => AppError::Invalid(vec![(field, message)]),
        DispatchError::Road(e) if e.is_bad_request() => AppError::Unprocessable(e.to_string()),
        other => AppError::Internal(other.to_string()),
    }
}

/// The settings of a run from the server's configuration.
/// Runs a dispatch operation off the async workers, on the current road network: the one
/// scaffold of the plans, reassign and re-optimize handlers (API and board forms).
pub(crate) async fn run_dispatch<T: Send + 'static>(
    state: &AppState,
    settings: DispatchSettings,
    op: impl FnOnce(
        &crate::db::Database,
        &crate::road::RoadNetwork,
        &DispatchSettings,
    ) -> Result<T, DispatchError>
    + Send
    + 'static,
) -> Result<T, AppError> {
    let engine = state.engine.clone().ok_or(AppError::NoMap)?;
    let db = state.db.clone();
    web::block(move || op(&db, &engine.roads(), &settings))
        .await?
        .map_err(dispatch_error)
}

pub(crate) fn settings_of(state: &AppState) -> DispatchSettings {
    DispatchSettings {
        utc_offset: state.config.utc_offset,
        ..state.config.dispatch.clone()
    }
}

/// Reads the day's current plans and unserved requests.
pub(crate) fn read_day(conn: &mut Conn<'_>, date: NaiveDate) -> Result<DayPlans, DbError> {
    let squads: HashMap<SquadId, String> = crate::db::squads::list(conn, true)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut by_squad: HashMap<SquadId, Vec<_>> = HashMap::new();
    for p in crate::db::plans::for_date(conn, date)? {
        by_squad.entry(p.squad_id).or_default().push(p);
    }
    let mut plans: Vec<_> = by_squad
        .into_values()
        .filter_map(crate::db::plans::current_plan)
        .collect();
    plans.sort_by(|a, b| squads.get(&a.squad_id).cmp(&squads.get(&b.squad_id)));
    let ids: Vec<PlanId> = plans.iter().map(|p| p.id).collect();
    let mut stops: HashMap<PlanId, Vec<StopView>> = HashMap::new();
    for (s, reqs) in crate::db::plans::stops_of_many(conn, &ids)? {
        stops.entry(s.plan_id).or_default().push(StopView {
            id: s.id,
            seq: s.seq,
            label: s.label,
            lon: s.lon,
            lat: s.lat,
            zone_id: s.zone_id,
            planned_arrival: s.planned_arrival.map(|t| t.0),
            service_s: s.service_s,
            leg_distance_m: s.leg_distance_m,
            leg_duration_s: s.leg_duration_s,
            status: s.status,
            pinned: s.pinned,
            version: s.version,
            request_ids: reqs,
        });
    }
    let unserved = crate::db::unserved::for_date(conn, date)?
        .into_iter()
        .map(|u| UnservedView {
            request_id: u.request_id,
            reason: u.reason,
            message: crate::i18n::unserved_reason(Lang::En, u.reason),
            stop_label: u.stop_label,
        })
        .collect();
    Ok(DayPlans {
        date: date.format("%Y-%m-%d").to_string(),
        plans: plans
            .into_iter()
            .map(|p| PlanView {
                id: p.id,
                squad_id: p.squad_id,
                squad_name: squads.get(&p.squad_id).cloned().unwrap_or_default(),
                status: p.status,
                starts_at: p.starts_at.0,
                ends_at: p.ends_at.0,
                distance_m: p.distance_m,
                duration_s: p.duration_s,
                version: p.version,
                stops: stops.remove(&p.id).unwrap_or_default(),
            })
            .collect(),
        unserved,
        run: None,
    })
}

fn parse_date(state: &AppState, date: Option<&str>) -> Result<NaiveDate, AppError> {
    crate::web::sheet::sheet_date(state, date)
}

/// Which day.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    /// `YYYY-MM-DD`; today (in the server's offset) when absent.
    date: Option<String>,
}

/// What to plan.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// `YYYY-MM-DD`; today (in the server's offset) when absent.
    pub date: Option<String>,
    /// Seconds the optimizer may search, 0.1–60 (default 10).
    pub time_limit_s: Option<f64>,
}

/// The day's plans.
#[utoipa::path(
    get,
    path = "/api/v1/plans",
    tag = "plans",
    params(DateQuery),
    responses(
        (status = 200, description = "The day's current plans and unserved requests", body = DayPlans),
        (status = 400, description = "A malformed date", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in (session cookie or `Authorization: Bearer` API token)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn list_plans(
    _me: Coordinator,
    state: web::Data<AppState>,
    q: web::Query<DateQuery>,
) -> Result<HttpResponse, AppError> {
    let date = parse_date(&state, q.date.as_deref())?;
    let day = state.db.read(move |c| read_day(c, date)).await?;
    Ok(HttpResponse::Ok().json(day))
}

/// Produce the day's plans for every active squad from the open requests (replacing the
/// stops still to do of the day's plans; stops done or under way and pinned stops stay).
#[utoipa::path(
    post,
    path = "/api/v1/plans",
    tag = "plans",
    request_body(content = PlanBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The plans made, with the unserved requests and why", body = DayPlans),
        (status = 400, description = "Malformed JSON", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator (or no CSRF token with a session)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Stops changed while planning; nothing was stored, plan again", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A bad date or time limit (per field)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "No map loaded, or the database is unavailable", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
pub async fn create_plans(
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    body: web::Json<PlanBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let mut bad = Vec::new();
    let date = match parse_date(&state, body.date.as_deref()) {
        Ok(d) => Some(d),
        Err(_) => {
            bad.push((
                "date".to_owned(),
                "write the date as YYYY-MM-DD, e.g. 2022-11-29".to_owned(),
            ));
            None
        }
    };
    let limit = body.time_limit_s.unwrap_or(10.0);
    if !(limit.is_finite() && (0.1..=60.0).contains(&limit)) {
        bad.push((
            "time_limit_s".to_owned(),
            "a number of seconds from 0.1 to 60".to_owned(),
        ));
    }
    let Some(date) = date.filter(|_| bad.is_empty()) else {
        return Err(AppError::Invalid(bad));
    };
    let settings = DispatchSettings {
        time_limit_s: limit,
        ..settings_of(&state)
    };
    let actor = me.actor();
    let started = std::time::Instant::now();
    let report: DayReport = run_dispatch(&state, settings, move |db, roads, settings| {
        crate::dispatch::plan_day(db, Some(roads), date, Utc::now(), settings, &actor)
    })
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    let mut day = state.db.read(move |c| read_day(c, date)).await?;
    day.run = Some(RunView {
        served_stops: report.served_stops,
        unserved_stops: report.unserved.len(),
        missed_deadlines: report.missed_deadlines,
        iterations: report.iterations,
        seconds,
    });
    Ok(HttpResponse::Ok().json(day))
}
