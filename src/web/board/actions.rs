//! The board's actions, as the handlers call them: reads of where a request sits on the day's
//! routes, and the changes a coordinator makes (urgency, location). Each change is one
//! transaction with its event, guarded by the row's version.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::requests::RequestRow;
use crate::db::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{RequestId, RequestStatus, SquadId, Urgency};
use crate::web::AppState;
use crate::web::error::AppError;

/// Where a request is on the day's routes.
pub struct Place {
    pub squad_id: SquadId,
    pub squad_name: String,
    pub seq: i32,
    pub label: String,
    pub planned: Option<Timestamp>,
}

pub fn place_of(
    conn: &mut Conn<'_>,
    id: RequestId,
    date: NaiveDate,
) -> Result<Option<Place>, DbError> {
    use crate::db::schema::{plans, squads, stop_requests, stops};
    let rows: Vec<(SquadId, String, i32, String, Option<Timestamp>, Timestamp)> = on_conn!(conn, c => stop_requests::table
            .inner_join(stops::table.inner_join(plans::table.inner_join(squads::table)))
            .filter(stop_requests::request_id.eq(id))
            .filter(plans::shift_date.eq(date))
            .filter(plans::status.ne("cancelled"))
            .select((squads::id, squads::name, stops::seq, stops::label, stops::planned_arrival, plans::created_at))
            .load(c))?;
    Ok(rows.into_iter().max_by_key(|r| r.5).map(
        |(squad_id, squad_name, seq, label, planned, _)| Place {
            squad_id,
            squad_name,
            seq,
            label,
            planned,
        },
    ))
}

/// A coordinator corrects a request's urgency (the resident's own choice is kept in
/// `requested_urgency`).
pub fn set_urgency(
    conn: &mut Conn<'_>,
    id: RequestId,
    expected_version: i32,
    urgency: Urgency,
    actor: &str,
) -> Result<RequestRow, DbError> {
    use crate::db::schema::requests;
    conn.transaction(|conn| {
        let current = crate::db::requests::get(conn, id)?;
        if current.urgency == urgency {
            return Ok(current);
        }
        let n = on_conn!(conn, c => diesel::update(
                requests::table.find(id).filter(requests::version.eq(expected_version)))
            .set((
                requests::urgency.eq(urgency),
                requests::updated_at.eq(Timestamp::now()),
                requests::version.eq(requests::version + 1),
            ))
            .execute(c))?;
        if n == 0 {
            return Err(DbError::Conflict(format!(
                "request {id} is at version {}, not {expected_version}",
                current.version
            )));
        }
        crate::db::events::append(
            conn,
            &crate::db::events::NewEvent::now(actor, "request.urgency", "request", Some(id.0))
                .with_details(serde_json::json!({ "from": current.urgency, "to": urgency })),
        )?;
        crate::db::requests::get(conn, id)
    })
}

/// A coordinator confirms where a request is: the point is stored as confirmed, and a request
/// waiting for review becomes ready to plan.
pub async fn confirm_location(
    state: &AppState,
    id: RequestId,
    expected_version: i32,
    lon: f64,
    lat: f64,
    actor: &str,
) -> Result<RequestRow, AppError> {
    use crate::db::schema::requests;
    let actor = actor.to_owned();
    Ok(state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                let current = crate::db::requests::get(conn, id)?;
                let status = if current.status == RequestStatus::NeedsReview {
                    RequestStatus::New
                } else {
                    current.status
                };
                let n = on_conn!(conn, c => diesel::update(
                        requests::table.find(id).filter(requests::version.eq(expected_version)))
                    .set((
                        requests::lon.eq(Some(lon)),
                        requests::lat.eq(Some(lat)),
                        requests::location_confirmed.eq(true),
                        requests::status.eq(status),
                        requests::updated_at.eq(Timestamp::now()),
                        requests::version.eq(requests::version + 1),
                    ))
                    .execute(c))?;
                if n == 0 {
                    return Err(DbError::Conflict(format!(
                        "request {id} is at version {}, not {expected_version}",
                        current.version
                    )));
                }
                crate::db::events::append(
                    conn,
                    &crate::db::events::NewEvent::now(
                        &actor,
                        "request.location_confirmed",
                        "request",
                        Some(id.0),
                    )
                    .with_details(serde_json::json!({ "lon": lon, "lat": lat })),
                )?;
                crate::db::requests::get(conn, id)
            })
        })
        .await?)
}
