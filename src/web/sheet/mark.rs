//! `POST /squad/{squad}/stops/{stop}/mark`: a squad member marks a stop arrived, delivered or
//! failed (with a reason and a note). A plain form post answers with a redirect back to the
//! sheet; `static/sheet.js` posts the same form with `Accept: application/json` and gets the
//! stop's new state.
//!
//! The first mark on a route also sets the route's waiting households out for delivery.
//!
//! Marks are idempotent: the phone may resend a tap it never heard back about, so marking a
//! stop with the outcome it already has changes nothing and answers as the first time did.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::parse_squad;
use crate::db::plans::StopRow;
use crate::db::{Conn, DbError, Timestamp};
use crate::domain::{FailureReason, RequestStatus, SquadId, StopId, StopStatus};
use crate::web::AppState;
use crate::web::auth::AnyStaff;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/squad/{squad}/stops/{stop}/mark", web::post().to(mark));
}

#[derive(Deserialize)]
pub struct MarkForm {
    action: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    note: Option<String>,
    /// The tap's id (sheet.js): the same tap resent is answered, not applied twice.
    #[serde(default)]
    #[allow(dead_code)]
    key: Option<String>,
}

/// What a squad member reports at a stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Arrived,
    Delivered,
    Failed(FailureReason),
}

const NOTE_MAX: usize = 500;

fn parse_mark(f: &MarkForm) -> Result<(Mark, String), AppError> {
    let bad = |field: &str, msg: &str| AppError::BadQuery(vec![(field.into(), msg.into())]);
    let note = f.note.clone().unwrap_or_default().trim().to_owned();
    if note.chars().count() > NOTE_MAX {
        return Err(bad("note", "the note is longer than 500 characters"));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(bad("note", "the note contains control characters"));
    }
    let mark = match f.action.as_str() {
        "arrived" => Mark::Arrived,
        "delivered" => Mark::Delivered,
        "failed" => {
            let reason = f
                .reason
                .as_deref()
                .unwrap_or("")
                .parse::<FailureReason>()
                .map_err(|_| {
                    bad(
                        "reason",
                        "choose a reason: not_home, refused, wrong_address, could_not_reach, other",
                    )
                })?;
            Mark::Failed(reason)
        }
        _ => return Err(bad("action", "action must be arrived, delivered or failed")),
    };
    Ok((mark, note))
}

async fn mark(
    req: HttpRequest,
    staff: AnyStaff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<MarkForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = lang_of(&req);
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let fail = |e: AppError| -> actix_web::Error {
        if wants_json {
            e.into()
        } else {
            PageError::new(e, lang).into()
        }
    };
    let squad = parse_squad(&path.0).map_err(fail)?;
    staff.require_squad(squad).map_err(fail)?;
    let actor = staff.0.actor();
    let stop: StopId = path
        .1
        .parse()
        .map_err(|_| fail(AppError::BadRequest("malformed stop id".into())))?;
    let (m, note) = parse_mark(&form).map_err(fail)?;
    let row = state
        .db
        .write(move |c| apply_mark(c, squad, stop, m, &note, &actor))
        .await
        .map_err(|e| fail(e.into()))?;
    if wants_json {
        Ok(HttpResponse::Ok().json(serde_json::json!({
            "id": row.id,
            "status": row.status,
            "failure_reason": row.failure_reason,
            "note": row.proof_note,
            "version": row.version,
            "completed_at": row.completed_at.map(|t| t.0),
        })))
    } else {
        Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/squad/{squad}?done={}#stop-{stop}", row.status.as_str()),
            ))
            .finish())
    }
}

/// Records a mark on a stop of `squad`'s plan and moves its requests along, in one
/// transaction with an event for each change. Marking a stop with the outcome it already has
/// changes nothing.
pub fn apply_mark(
    conn: &mut Conn<'_>,
    squad: SquadId,
    stop: StopId,
    mark: Mark,
    note: &str,
    actor: &str,
) -> Result<StopRow, DbError> {
    use crate::db::on_conn;
    use crate::db::schema::{plans, stop_requests, stops};
    use diesel::prelude::*;

    conn.transaction(|conn| {
        let (row, owner): (StopRow, SquadId) = on_conn!(conn, c => stops::table
            .inner_join(plans::table)
            .filter(stops::id.eq(stop))
            .select((StopRow::as_select(), plans::squad_id))
            .first(c))?;
        if owner != squad {
            return Err(DbError::NotFound);
        }
        let (status, reason) = match mark {
            Mark::Arrived => (StopStatus::Arrived, None),
            Mark::Delivered => (StopStatus::Delivered, None),
            Mark::Failed(r) => (StopStatus::Failed, Some(r)),
        };
        if row.status == status && row.failure_reason == reason {
            return Ok(row);
        }
        if mark == Mark::Arrived && row.status != StopStatus::Pending {
            // Arriving after an outcome was recorded (a late resend) changes nothing.
            return Ok(row);
        }
        let now = Timestamp::now();
        let completed = (status != StopStatus::Arrived).then_some(now);
        on_conn!(conn, c => diesel::update(stops::table.find(stop))
            .set((
                stops::status.eq(status),
                stops::failure_reason.eq(reason),
                stops::proof_note.eq(note),
                stops::completed_at.eq(completed),
                stops::updated_at.eq(now),
                stops::version.eq(stops::version + 1),
            ))
            .execute(c))?;
        crate::db::events::append(
            conn,
            &crate::db::events::NewEvent::now(actor, "stop.marked", "stop", Some(stop.0))
                .with_details(serde_json::json!({
                    "status": status, "failure_reason": reason, "note": note
                })),
        )?;
        let request_status = match status {
            StopStatus::Arrived => RequestStatus::OutForDelivery,
            StopStatus::Delivered => RequestStatus::Delivered,
            StopStatus::Failed => RequestStatus::Failed,
            StopStatus::Pending => RequestStatus::Assigned,
        };
        let ids: Vec<crate::domain::RequestId> = on_conn!(conn, c => stop_requests::table
            .filter(stop_requests::stop_id.eq(stop))
            .select(stop_requests::request_id)
            .load(c))?;
        for r in crate::db::requests::get_many(conn, &ids)? {
            if r.status == request_status || r.status == RequestStatus::Cancelled {
                continue;
            }
            crate::db::requests::set_status(
                conn,
                r.id,
                r.version,
                request_status,
                reason,
                note,
                actor,
            )?;
        }
        // The squad has set out: every household still waiting on this route is now out for
        // delivery (their tracking pages show the expected time).
        let waiting: Vec<crate::domain::RequestId> = on_conn!(conn, c => stop_requests::table
            .inner_join(stops::table)
            .filter(stops::plan_id.eq(row.plan_id))
            .filter(stops::status.eq(StopStatus::Pending.as_str()))
            .select(stop_requests::request_id)
            .load(c))?;
        for r in crate::db::requests::get_many(conn, &waiting)? {
            if r.status == RequestStatus::Assigned {
                crate::db::requests::set_status(
                    conn,
                    r.id,
                    r.version,
                    RequestStatus::OutForDelivery,
                    None,
                    "",
                    actor,
                )?;
            }
        }
        Ok(on_conn!(conn, c => stops::table
            .find(stop)
            .select(StopRow::as_select())
            .first(c))?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(action: &str, reason: Option<&str>, note: &str) -> MarkForm {
        MarkForm {
            action: action.into(),
            reason: reason.map(Into::into),
            note: Some(note.into()),
            key: None,
        }
    }

    #[test]
    fn marks_parse_and_refuse_with_reasons() {
        assert_eq!(
            parse_mark(&form("arrived", None, "")).unwrap().0,
            Mark::Arrived
        );
        assert_eq!(
            parse_mark(&form("failed", Some("not_home"), " 敲门无人 ")).unwrap(),
            (Mark::Failed(FailureReason::NotHome), "敲门无人".into())
        );
        assert!(parse_mark(&form("failed", None, "")).is_err());
        assert!(parse_mark(&form("eaten", None, "")).is_err());
        assert!(parse_mark(&form("delivered", None, &"长".repeat(501))).is_err());
        assert!(parse_mark(&form("delivered", None, "a\u{0}b")).is_err());
    }
}
