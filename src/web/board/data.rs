//! `GET /coord/board.json`: everything the dispatch board draws, compact enough for 2,000 open
//! requests (arrays instead of objects, codes as small integers, labels cut to 40 characters),
//! and `?since=` for live updates: only the requests changed since then, and the squads'
//! routes only when a plan or stop changed.
//!
//! The cursor is the server's clock at the time of the read; a poll asks from a few seconds
//! before its last cursor, so that a change committed while the previous read ran is seen
//! (the client keeps the highest version of each row, so seeing one twice is harmless).

use crate::web::auth::Coordinator;
use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::plans::{PlanRow, StopRow};
use crate::db::squads::SquadRow;
use crate::db::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{RequestId, RequestStatus, StopId, Urgency};
use crate::web::AppState;
use crate::web::error::AppError;

/// Status codes in the order of their index in the payload.
pub const STATUSES: [RequestStatus; 7] = [
    RequestStatus::New,
    RequestStatus::NeedsReview,
    RequestStatus::Assigned,
    RequestStatus::OutForDelivery,
    RequestStatus::Delivered,
    RequestStatus::Failed,
    RequestStatus::Cancelled,
];
pub const URGENCIES: [Urgency; 3] = [Urgency::ExtremelyUrgent, Urgency::Urgent, Urgency::Normal];

/// How far back a poll looks before its cursor (covers writes committed during a read).
const OVERLAP_S: i64 = 5;

#[derive(Deserialize)]
pub struct BoardQuery {
    /// The `now` of the previous answer (RFC 3339).
    since: Option<String>,
    date: Option<String>,
}

/// One request: `[id, lon, lat, status, urgency, version, label, stop_id, squad_index]`
/// (`lon`, `lat`, `stop_id` and `squad_index` may be null).
type RequestTuple = (
    RequestId,
    Option<f64>,
    Option<f64>,
    u8,
    u8,
    i32,
    String,
    Option<StopId>,
    Option<usize>,
);

/// One stop: `[id, lon, lat, status, planned "HH:MM", label, households, version, pinned]`.
type StopTuple = (StopId, f64, f64, String, String, String, usize, i32, bool);

#[derive(Serialize)]
pub struct SquadOut {
    id: String,
    name: String,
    mode: String,
    members: Vec<String>,
    contact: String,
    capacity: i32,
    skills: Vec<String>,
    shift: String,
    version: i32,
    base: [f64; 2],
    plan: Option<PlanOut>,
    stops: Vec<StopTuple>,
}

#[derive(Serialize)]
pub struct PlanOut {
    id: String,
    status: String,
    distance_m: f64,
    duration_s: f64,
    version: i32,
}

#[derive(Serialize)]
pub struct Board {
    /// The cursor for the next poll.
    now: DateTime<Utc>,
    date: String,
    /// True when `requests` is every open request (not only changes).
    full: bool,
    requests: Vec<RequestTuple>,
    /// `null` in an update when no plan or stop changed.
    squads: Option<Vec<SquadOut>>,
    /// With `squads`: the requests the day's plan left out, `[request_id, label, reason]`
    /// (the reason a code; its words are `unserved.<code>` in the page's catalogue).
    unserved: Option<Vec<(RequestId, String, String)>>,
}

fn label(r: &super::open::Line) -> String {
    let mut s: String = r.address_text.chars().take(40).collect();
    for part in [&r.building, &r.unit, &r.room].into_iter().flatten() {
        if s.chars().count() < 56 {
            s.push(' ');
            s.push_str(part);
        }
    }
    s
}

fn index_of<T: PartialEq>(all: &[T], v: &T) -> u8 {
    all.iter().position(|x| x == v).unwrap_or(0) as u8
}

/// The day's current plan of each squad, with their stops and request links.
struct Routes {
    squads: Vec<SquadRow>,
    plans: HashMap<crate::domain::SquadId, PlanRow>,
    stops: HashMap<crate::domain::PlanId, Vec<(StopRow, Vec<RequestId>)>>,
}

fn load_routes(conn: &mut Conn<'_>, date: NaiveDate) -> Result<Routes, DbError> {
    let squads = crate::db::squads::list(conn, false)?;
    let mut by_squad: HashMap<_, Vec<PlanRow>> = HashMap::new();
    for p in crate::db::plans::for_date(conn, date)? {
        by_squad.entry(p.squad_id).or_default().push(p);
    }
    let plans: HashMap<_, PlanRow> = by_squad
        .into_iter()
        .filter_map(|(s, ps)| crate::web::sheet::current_plan(ps).map(|p| (s, p)))
        .collect();
    let ids: Vec<_> = plans.values().map(|p| p.id).collect();
    let mut stops: HashMap<_, Vec<(StopRow, Vec<RequestId>)>> = HashMap::new();
    for (s, reqs) in crate::db::plans::stops_of_many(conn, &ids)? {
        stops.entry(s.plan_id).or_default().push((s, reqs));
    }
    Ok(Routes {
        squads,
        plans,
        stops,
    })
}

/// True when a plan or stop of `date` changed at or after `since`.
fn routes_changed(conn: &mut Conn<'_>, date: NaiveDate, since: Timestamp) -> Result<bool, DbError> {
    use crate::db::schema::{plans, squads, stops};
    let n: i64 = on_conn!(conn, c => {
        let p: i64 = plans::table
            .filter(plans::shift_date.eq(date))
            .filter(plans::updated_at.ge(since))
            .count()
            .get_result(c)?;
        let s: i64 = stops::table
            .inner_join(plans::table)
            .filter(plans::shift_date.eq(date))
            .filter(stops::updated_at.ge(since))
            .count()
            .get_result(c)?;
        let q: i64 = squads::table
            .filter(squads::updated_at.ge(since))
            .count()
            .get_result(c)?;
        Ok::<_, diesel::result::Error>(p + s + q)
    })?;
    Ok(n > 0)
}

fn squads_out(routes: &Routes, offset: chrono::FixedOffset) -> Vec<SquadOut> {
    routes
        .squads
        .iter()
        .map(|sq| {
            let plan = routes.plans.get(&sq.id);
            let stops = plan
                .and_then(|p| routes.stops.get(&p.id))
                .map(|v| {
                    v.iter()
                        .map(|(s, reqs)| {
                            (
                                s.id,
                                s.lon,
                                s.lat,
                                s.status.as_str().to_owned(),
                                s.planned_arrival
                                    .map(|t| t.0.with_timezone(&offset).format("%H:%M").to_string())
                                    .unwrap_or_default(),
                                s.label.chars().take(40).collect(),
                                reqs.len(),
                                s.version,
                                s.pinned,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            SquadOut {
                id: sq.id.to_string(),
                name: sq.name.clone(),
                mode: sq.travel_mode.as_str().to_owned(),
                members: serde_json::from_str(&sq.members).unwrap_or_default(),
                contact: sq.contact_phone.clone(),
                capacity: sq.capacity_items,
                skills: serde_json::from_str(&sq.skills).unwrap_or_default(),
                shift: format!(
                    "{}–{}",
                    sq.shift_start.format("%H:%M"),
                    sq.shift_end.format("%H:%M")
                ),
                version: sq.version,
                base: [sq.base_lon, sq.base_lat],
                plan: plan.map(|p| PlanOut {
                    id: p.id.to_string(),
                    status: p.status.as_str().to_owned(),
                    distance_m: p.distance_m,
                    duration_s: p.duration_s,
                    version: p.version,
                }),
                stops,
            }
        })
        .collect()
}

/// Reads the board (everything, or what changed since `since`).
pub fn read_board(
    conn: &mut Conn<'_>,
    date: NaiveDate,
    since: Option<Timestamp>,
    offset: chrono::FixedOffset,
) -> Result<Board, DbError> {
    let now = Utc::now();
    let (requests, with_routes) = match since {
        None => (super::open::open_lines(conn)?, true),
        Some(t) => (
            crate::db::requests::changed_since(conn, t)?
                .iter()
                .map(super::open::Line::from)
                .collect(),
            routes_changed(conn, date, t)?,
        ),
    };
    // Which stop and squad each request is on: from the routes when they are read anyway,
    // otherwise from the links of the changed requests only.
    let routes = if with_routes {
        Some(load_routes(conn, date)?)
    } else {
        None
    };
    let mut on_stop: HashMap<RequestId, (StopId, usize)> = HashMap::new();
    if let Some(r) = &routes {
        for (i, sq) in r.squads.iter().enumerate() {
            if let Some(stops) = r.plans.get(&sq.id).and_then(|p| r.stops.get(&p.id)) {
                for (s, reqs) in stops {
                    for id in reqs {
                        on_stop.insert(*id, (s.id, i));
                    }
                }
            }
        }
    } else if !requests.is_empty() {
        // The squad index is only meaningful with the squad list; the client keeps its own.
        let ids: Vec<RequestId> = requests.iter().map(|r| r.id).collect();
        for (rid, sid) in stops_of_requests(conn, date, &ids)? {
            on_stop.insert(rid, (sid, usize::MAX));
        }
    }
    let requests = requests
        .iter()
        .map(|r| {
            let at = on_stop.get(&r.id);
            (
                r.id,
                r.lon,
                r.lat,
                index_of(&STATUSES, &r.status),
                index_of(&URGENCIES, &r.urgency),
                r.version,
                label(r),
                at.map(|a| a.0),
                at.map(|a| a.1).filter(|&i| i != usize::MAX),
            )
        })
        .collect();
    let unserved = match &routes {
        Some(_) => Some(
            crate::db::unserved::for_date(conn, date)?
                .into_iter()
                .map(|u| {
                    (
                        u.request_id,
                        u.stop_label.chars().take(40).collect(),
                        u.reason.as_str().to_owned(),
                    )
                })
                .collect(),
        ),
        None => None,
    };
    Ok(Board {
        now,
        date: date.format("%Y-%m-%d").to_string(),
        full: since.is_none(),
        requests,
        squads: routes.as_ref().map(|r| squads_out(r, offset)),
        unserved,
    })
}

/// (request, stop) for the requests on a current plan of `date`.
fn stops_of_requests(
    conn: &mut Conn<'_>,
    date: NaiveDate,
    ids: &[RequestId],
) -> Result<Vec<(RequestId, StopId)>, DbError> {
    use crate::db::schema::{plans, stop_requests, stops};
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(RequestId, StopId, String)> = on_conn!(conn, c => stop_requests::table
            .inner_join(stops::table.inner_join(plans::table))
            .filter(stop_requests::request_id.eq_any(chunk))
            .filter(plans::shift_date.eq(date))
            .filter(plans::status.ne("cancelled"))
            .select((stop_requests::request_id, stops::id, plans::status))
            .load(c))?;
        out.extend(rows.into_iter().map(|(r, s, _)| (r, s)));
    }
    Ok(out)
}

pub async fn board_json(
    Coordinator(_me): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<BoardQuery>,
) -> Result<HttpResponse, AppError> {
    let date = crate::web::sheet::sheet_date(&state, q.date.as_deref())?;
    let since = match q.since.as_deref() {
        Some(s) => Some(
            DateTime::parse_from_rfc3339(s)
                .map(|t| Timestamp(t.with_timezone(&Utc) - chrono::Duration::seconds(OVERLAP_S)))
                .map_err(|_| {
                    AppError::BadQuery(vec![(
                        "since".into(),
                        "an RFC 3339 time, as in the `now` of the previous answer".into(),
                    )])
                })?,
        ),
        None => None,
    };
    let offset = state.config.utc_offset;
    let board = state
        .db
        .read(move |c| read_board(c, date, since, offset))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(board))
}
