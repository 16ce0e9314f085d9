//! The `plans`, `stops` and `stop_requests` tables: a squad's ordered stops for one shift;
//! each stop is a delivery point (a building entrance or a zone's checkpoint) that serves one
//! or more requests.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::{plans, stop_requests, stops};
use super::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{
    FailureReason, PlanId, PlanStatus, RequestId, SquadId, StopId, StopStatus, ZoneId,
};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub id: PlanId,
    pub squad_id: SquadId,
    pub shift_date: NaiveDate,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub status: PlanStatus,
    pub distance_m: f64,
    pub duration_s: f64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i32,
}

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = stops)]
pub struct StopRow {
    pub id: StopId,
    pub plan_id: PlanId,
    /// Position in the plan, from 0.
    pub seq: i32,
    pub label: String,
    pub lon: f64,
    pub lat: f64,
    pub zone_id: Option<ZoneId>,
    pub planned_arrival: Option<Timestamp>,
    pub service_s: f64,
    pub leg_distance_m: Option<f64>,
    pub leg_duration_s: Option<f64>,
    pub pinned: bool,
    pub status: StopStatus,
    pub failure_reason: Option<FailureReason>,
    pub proof_note: String,
    pub completed_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub version: i32,
}

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = stop_requests)]
pub struct StopRequestRow {
    pub stop_id: StopId,
    pub request_id: RequestId,
}

/// Stores a plan with its stops and the requests each stop serves, all or nothing, without
/// audit events: for callers that write their own (the dispatch service's `PlanChange`).
/// Otherwise use [`insert_plan_as`].
pub fn insert_plan(
    conn: &mut Conn<'_>,
    plan: &PlanRow,
    plan_stops: &[(StopRow, Vec<RequestId>)],
) -> Result<(), DbError> {
    conn.transaction(|conn| {
        on_conn!(conn, c => diesel::insert_into(plans::table).values(plan).execute(c))?;
        insert_stops(conn, plan_stops)
    })
}

/// Stores a plan with its stops and the requests each stop serves, all or nothing, with a
/// `plan.created` event and a `stop.planned` event per stop (so a request's history shows the
/// route it was put on) in the same transaction.
pub fn insert_plan_as(
    conn: &mut Conn<'_>,
    plan: &PlanRow,
    plan_stops: &[(StopRow, Vec<RequestId>)],
    actor: &str,
) -> Result<(), DbError> {
    use super::events::{NewEvent, append};
    conn.transaction(|conn| {
        insert_plan(conn, plan, plan_stops)?;
        append(
            conn,
            &NewEvent::now(actor, "plan.created", "plan", Some(plan.id.0)).with_details(
                serde_json::json!({
                    "squad": plan.squad_id, "date": plan.shift_date, "stops": plan_stops.len()
                }),
            ),
        )?;
        record_planned_stops(conn, plan.squad_id, plan_stops, actor)
    })
}

/// A `stop.planned` event per stop (its plan, squad, place and requests), so that each
/// request's history shows the route it was put on.
pub fn record_planned_stops(
    conn: &mut Conn<'_>,
    squad: SquadId,
    plan_stops: &[(StopRow, Vec<RequestId>)],
    actor: &str,
) -> Result<(), DbError> {
    use super::events::{NewEvent, append};
    for (s, reqs) in plan_stops {
        append(
            conn,
            &NewEvent::now(actor, "stop.planned", "stop", Some(s.id.0)).with_details(
                serde_json::json!({
                    "plan": s.plan_id, "squad": squad, "seq": s.seq,
                    "label": s.label, "requests": reqs
                }),
            ),
        )?;
    }
    Ok(())
}

/// The plan a squad follows among its plans of the day: the latest one not cancelled
/// (dispatch updates a squad's plan in place; a plan left without stops is cancelled).
pub fn current_plan(plans: Vec<PlanRow>) -> Option<PlanRow> {
    plans
        .into_iter()
        .filter(|p| p.status != PlanStatus::Cancelled)
        .max_by_key(|p| p.created_at)
}

/// A squad's plans for a day.
pub fn for_squad(
    conn: &mut Conn<'_>,
    squad: SquadId,
    date: NaiveDate,
) -> Result<Vec<PlanRow>, DbError> {
    Ok(on_conn!(conn, c => plans::table
        .filter(plans::squad_id.eq(squad))
        .filter(plans::shift_date.eq(date))
        .order(plans::created_at.asc())
        .select(PlanRow::as_select())
        .load(c))?)
}

/// A plan's stops in order, each with the requests it serves.
pub fn stops_of(
    conn: &mut Conn<'_>,
    plan: PlanId,
) -> Result<Vec<(StopRow, Vec<RequestId>)>, DbError> {
    let (rows, links) = on_conn!(conn, c => {
        let rows: Vec<StopRow> = stops::table
            .filter(stops::plan_id.eq(plan))
            .order(stops::seq.asc())
            .select(StopRow::as_select())
            .load(c)?;
        let links: Vec<StopRequestRow> = stop_requests::table
            .inner_join(stops::table)
            .filter(stops::plan_id.eq(plan))
            .select(StopRequestRow::as_select())
            .load(c)?;
        Ok::<_, diesel::result::Error>((rows, links))
    })?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let reqs = links
                .iter()
                .filter(|l| l.stop_id == s.id)
                .map(|l| l.request_id)
                .collect();
            (s, reqs)
        })
        .collect())
}

/// Every squad's plans for a day.
pub fn for_date(conn: &mut Conn<'_>, date: NaiveDate) -> Result<Vec<PlanRow>, DbError> {
    Ok(on_conn!(conn, c => plans::table
        .filter(plans::shift_date.eq(date))
        .order(plans::created_at.asc())
        .select(PlanRow::as_select())
        .load(c))?)
}

/// The stops of several plans in order, each with the requests it serves.
pub fn stops_of_many(
    conn: &mut Conn<'_>,
    plan_ids: &[PlanId],
) -> Result<Vec<(StopRow, Vec<RequestId>)>, DbError> {
    let mut out = Vec::new();
    for chunk in plan_ids.chunks(200) {
        let (rows, links) = on_conn!(conn, c => {
            let rows: Vec<StopRow> = stops::table
                .filter(stops::plan_id.eq_any(chunk))
                .order((stops::plan_id.asc(), stops::seq.asc()))
                .select(StopRow::as_select())
                .load(c)?;
            let links: Vec<StopRequestRow> = stop_requests::table
                .inner_join(stops::table)
                .filter(stops::plan_id.eq_any(chunk))
                .select(StopRequestRow::as_select())
                .load(c)?;
            Ok::<_, diesel::result::Error>((rows, links))
        })?;
        let mut by_stop: std::collections::HashMap<StopId, Vec<RequestId>> =
            std::collections::HashMap::new();
        for l in links {
            by_stop.entry(l.stop_id).or_default().push(l.request_id);
        }
        out.extend(rows.into_iter().map(|s| {
            let reqs = by_stop.remove(&s.id).unwrap_or_default();
            (s, reqs)
        }));
    }
    Ok(out)
}

/// A stop with the squad whose plan holds it.
pub fn stop_with_squad(conn: &mut Conn<'_>, stop: StopId) -> Result<(StopRow, SquadId), DbError> {
    Ok(on_conn!(conn, c => stops::table
        .inner_join(plans::table)
        .filter(stops::id.eq(stop))
        .select((StopRow::as_select(), plans::squad_id))
        .first(c))?)
}

pub fn get(conn: &mut Conn<'_>, id: PlanId) -> Result<PlanRow, DbError> {
    Ok(on_conn!(conn, c => plans::table.find(id).select(PlanRow::as_select()).first(c))?)
}

/// Stores more stops (with their requests) on existing plans.
pub fn insert_stops(
    conn: &mut Conn<'_>,
    plan_stops: &[(StopRow, Vec<RequestId>)],
) -> Result<(), DbError> {
    for (s, reqs) in plan_stops {
        let links: Vec<StopRequestRow> = reqs
            .iter()
            .map(|&r| StopRequestRow {
                stop_id: s.id,
                request_id: r,
            })
            .collect();
        on_conn!(conn, c => {
            diesel::insert_into(stops::table).values(s).execute(c)?;
            for l in &links {
                diesel::insert_into(stop_requests::table).values(l).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
    }
    Ok(())
}

/// Where a stop now sits and when it is reached (a plan, a re-plan or a move).
#[derive(Clone, Debug, PartialEq)]
pub struct StopPlacement {
    pub plan_id: PlanId,
    pub seq: i32,
    pub planned_arrival: Option<Timestamp>,
    pub leg_distance_m: Option<f64>,
    pub leg_duration_s: Option<f64>,
    pub pinned: bool,
}

/// Places a stop if it is still at `expected_version` (optimistic locking); bumps the version.
/// A stale version is [`DbError::Conflict`].
pub fn place_stop(
    conn: &mut Conn<'_>,
    stop: StopId,
    expected_version: i32,
    to: &StopPlacement,
) -> Result<(), DbError> {
    let n = on_conn!(conn, c => diesel::update(
            stops::table.find(stop).filter(stops::version.eq(expected_version)))
        .set((
            stops::plan_id.eq(to.plan_id),
            stops::seq.eq(to.seq),
            stops::planned_arrival.eq(to.planned_arrival),
            stops::leg_distance_m.eq(to.leg_distance_m),
            stops::leg_duration_s.eq(to.leg_duration_s),
            stops::pinned.eq(to.pinned),
            stops::updated_at.eq(Timestamp::now()),
            stops::version.eq(stops::version + 1),
        ))
        .execute(c))?;
    if n == 0 {
        return Err(stale_stop(conn, stop, expected_version));
    }
    Ok(())
}

/// Deletes a stop still pending at `expected_version` (its request links go with it).
pub fn delete_pending_stop(
    conn: &mut Conn<'_>,
    stop: StopId,
    expected_version: i32,
) -> Result<(), DbError> {
    let n = on_conn!(conn, c => diesel::delete(
            stops::table
                .find(stop)
                .filter(stops::version.eq(expected_version))
                .filter(stops::status.eq(StopStatus::Pending)))
        .execute(c))?;
    if n == 0 {
        return Err(stale_stop(conn, stop, expected_version));
    }
    Ok(())
}

fn stale_stop(conn: &mut Conn<'_>, stop: StopId, expected_version: i32) -> DbError {
    match on_conn!(conn, c => stops::table
        .find(stop)
        .select(StopRow::as_select())
        .first(c))
    {
        Ok(s) => DbError::Conflict(format!(
            "stop {stop} is at version {} ({}), not {expected_version}",
            s.version, s.status
        )),
        Err(diesel::result::Error::NotFound) => {
            DbError::Conflict(format!("stop {stop} no longer exists"))
        }
        Err(e) => e.into(),
    }
}

/// The totals and status of a plan, if it is still at `expected_version`; bumps the version.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanTotals {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub status: PlanStatus,
    pub distance_m: f64,
    pub duration_s: f64,
}

pub fn update_plan(
    conn: &mut Conn<'_>,
    plan: PlanId,
    expected_version: i32,
    totals: &PlanTotals,
) -> Result<(), DbError> {
    let n = on_conn!(conn, c => diesel::update(
            plans::table.find(plan).filter(plans::version.eq(expected_version)))
        .set((
            plans::starts_at.eq(totals.starts_at),
            plans::ends_at.eq(totals.ends_at),
            plans::status.eq(totals.status),
            plans::distance_m.eq(totals.distance_m),
            plans::duration_s.eq(totals.duration_s),
            plans::updated_at.eq(Timestamp::now()),
            plans::version.eq(plans::version + 1),
        ))
        .execute(c))?;
    if n == 0 {
        let current = get(conn, plan)?;
        return Err(DbError::Conflict(format!(
            "plan {plan} is at version {}, not {expected_version}",
            current.version
        )));
    }
    Ok(())
}

/// The requests a stop serves.
pub fn requests_of_stop(conn: &mut Conn<'_>, stop: StopId) -> Result<Vec<RequestId>, DbError> {
    Ok(on_conn!(conn, c => stop_requests::table
        .filter(stop_requests::stop_id.eq(stop))
        .select(stop_requests::request_id)
        .load(c))?)
}
