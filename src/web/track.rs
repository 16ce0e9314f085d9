//! `GET /t/{token}`: a resident follows their request. Plain words for the status, the
//! steps so far, what was asked; name and phone masked (the link may be forwarded). Once the
//! request is out for delivery, the expected time: the stop's planned arrival, shifted by how
//! far the squad is ahead of or behind its plan at its latest marked stop. Nothing of other
//! households (not their stops, not the route) is read or shown.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::error::{AppError, PageError};
use super::lang::lang_of;
use super::{AppState, view};
use crate::db::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{PlanId, RequestId, RequestStatus, StopStatus, TrackingToken};
use crate::i18n::Tr;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{token}", web::get().to(track));
}

struct Step {
    label: String,
    done: bool,
    current: bool,
}

#[derive(askama::Template)]
#[template(path = "track.html")]
struct TrackPage {
    t: Tr,
    status_code: &'static str,
    status_word: String,
    status_explain: String,
    failure: String,
    steps: Vec<Step>,
    who: String,
    address: String,
    category: String,
    items: Vec<String>,
    urgency: String,
    filed_at: String,
    updated_at: String,
    track_path: String,
    /// "about 14:25" once out for delivery, with how it was estimated.
    eta: Option<(String, String)>,
    /// When the stop was marked delivered.
    delivered_at: String,
}

/// The happy path a request walks; the current status marks how far it got.
const PATH: [RequestStatus; 4] = [
    RequestStatus::New,
    RequestStatus::Assigned,
    RequestStatus::OutForDelivery,
    RequestStatus::Delivered,
];

async fn track(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    // Guessing tokens is slowed by the per-client limit; a malformed and an unknown token get
    // the same 404 page, so an answer says nothing about which tokens exist.
    state
        .auth
        .limit(&state.auth.track, &req)
        .map_err(|e| PageError::new(e, lang))?;
    let token = TrackingToken::parse(&token).ok_or(PageError::new(AppError::NotFound, lang))?;
    let t2 = token.clone();
    let (r, progress) = state
        .db
        .read(move |c| {
            let r = crate::db::requests::get_by_token(c, &t2)?;
            let p = match r.status {
                RequestStatus::OutForDelivery | RequestStatus::Delivered => progress_of(c, r.id)?,
                _ => None,
            };
            Ok((r, p))
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let t = Tr::new(lang);
    let offset = state.config.utc_offset;
    let local = |at: DateTime<Utc>| at.with_timezone(&offset).format("%H:%M").to_string();
    let eta = match (&progress, r.status) {
        (Some(p), RequestStatus::OutForDelivery) => p.planned.map(|planned| {
            let e = estimate(planned, p.last_marked, Utc::now());
            let when = if e.soon {
                t.get("track.eta_soon").to_owned()
            } else {
                format!("{} {}", t.get("track.eta_about"), local(e.at))
            };
            let basis = match e.shift_min {
                Some(n) if n > 0 => t.get("track.eta_progress").replace("{n}", &n.to_string()),
                Some(n) if n < 0 => t.get("track.eta_ahead").replace("{n}", &(-n).to_string()),
                _ => t.get("track.eta_planned").to_owned(),
            };
            (when, basis)
        }),
        _ => None,
    };
    let delivered_at = match (&progress, r.status) {
        (Some(p), RequestStatus::Delivered) => p.completed_at.map(local).unwrap_or_default(),
        _ => String::new(),
    };
    let reached = match r.status {
        RequestStatus::New | RequestStatus::NeedsReview => 0,
        RequestStatus::Assigned => 1,
        RequestStatus::OutForDelivery => 2,
        RequestStatus::Delivered => 3,
        // Failed or cancelled: received, then stopped.
        RequestStatus::Failed | RequestStatus::Cancelled => 0,
    };
    let steps = PATH
        .iter()
        .enumerate()
        .map(|(i, s)| Step {
            label: t.code("status", s.as_str()),
            done: i <= reached,
            current: i == reached && r.status.is_open(),
        })
        .collect();
    let mut address = r.address_text.clone();
    for part in [&r.building, &r.unit, &r.room].into_iter().flatten() {
        address.push(' ');
        address.push_str(part);
    }
    let page = TrackPage {
        t,
        status_code: r.status.as_str(),
        status_word: t.code("status", r.status.as_str()),
        status_explain: t.get(&format!("status.{}.explain", r.status)).to_owned(),
        failure: r
            .failure_reason
            .map(|f| t.code("failure", f.as_str()))
            .unwrap_or_default(),
        steps,
        who: format!(
            "{} · {}",
            view::mask_name(&r.resident_name),
            view::mask_phone(&r.phone)
        ),
        address,
        category: t.code("category", r.category.as_str()),
        items: crate::intake::parse_items_json(&r.items)
            .into_iter()
            .map(|i| format!("{} × {}{}", i.name, i.quantity, i.unit.unwrap_or_default()))
            .collect(),
        urgency: t.code("urgency", r.urgency.as_str()),
        filed_at: view::local_time(r.created_at, offset),
        updated_at: view::local_time(r.updated_at, offset),
        track_path: format!("/t/{token}"),
        eta,
        delivered_at,
    };
    view::html(&req, StatusCode::OK, &page)
}

/// Where the request's stop stands: its plan, and the squad's latest marked stop on it.
struct Progress {
    planned: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    /// (planned, actual) of the squad's latest marked stop other than this one.
    last_marked: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

fn progress_of(conn: &mut Conn<'_>, id: RequestId) -> Result<Option<Progress>, DbError> {
    use crate::db::schema::{plans, stop_requests, stops};
    type Row = (PlanId, i32, Option<Timestamp>, Option<Timestamp>, Timestamp);
    let mine: Vec<Row> = on_conn!(conn, c => stop_requests::table
        .inner_join(stops::table.inner_join(plans::table))
        .filter(stop_requests::request_id.eq(id))
        .filter(plans::status.ne("cancelled"))
        .select((plans::id, stops::seq, stops::planned_arrival, stops::completed_at, plans::created_at))
        .load(c))?;
    let Some((plan, seq, planned, completed, _)) = mine.into_iter().max_by_key(|r| r.4) else {
        return Ok(None);
    };
    // Arrived stops have no completion time yet: their last change is the arrival.
    let marked: Vec<(i32, Option<Timestamp>, Option<Timestamp>, Timestamp)> = on_conn!(conn, c => stops::table
        .filter(stops::plan_id.eq(plan))
        .filter(stops::status.ne(StopStatus::Pending.as_str()))
        .filter(stops::seq.ne(seq))
        .select((stops::seq, stops::planned_arrival, stops::completed_at, stops::updated_at))
        .load(c))?;
    let last_marked = marked
        .into_iter()
        .filter_map(|(s, p, done, changed)| p.map(|p| (s, p.0, done.unwrap_or(changed).0)))
        .max_by_key(|r| r.0)
        .map(|(_, p, actual)| (p, actual));
    Ok(Some(Progress {
        planned: planned.map(|t| t.0),
        completed_at: completed.map(|t| t.0),
        last_marked,
    }))
}

/// An expected arrival.
#[derive(Debug, PartialEq)]
pub(crate) struct Estimate {
    /// Rounded to 5 minutes.
    pub at: DateTime<Utc>,
    /// Minutes the squad is behind (+) or ahead (−) of its plan, when a marked stop tells.
    pub shift_min: Option<i64>,
    /// The time has passed on the plan: "any minute now".
    pub soon: bool,
}

/// The planned arrival shifted by the squad's delay at its latest marked stop (planned,
/// actual), never in the past.
pub(crate) fn estimate(
    planned: DateTime<Utc>,
    last_marked: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Estimate {
    let shift = last_marked.map(|(p, actual)| actual - p);
    let at = planned + shift.unwrap_or_default();
    let soon = at <= now + chrono::Duration::minutes(5);
    let at = at.max(now);
    let five = 5 * 60;
    let secs = at.timestamp();
    let rounded = (secs + five / 2).div_euclid(five) * five;
    Estimate {
        at: DateTime::from_timestamp(rounded, 0).unwrap_or(at),
        shift_min: shift
            .map(|d| (d.num_seconds() as f64 / 60.0).round() as i64)
            .filter(|&m| m != 0),
        soon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2022, 11, 29)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .map(|t| t.and_utc())
            .unwrap()
    }

    #[test]
    fn the_plan_alone_gives_the_planned_time() {
        let e = estimate(at(6, 40), None, at(6, 0));
        assert_eq!(e.at, at(6, 40));
        assert_eq!(e.shift_min, None);
        assert!(!e.soon);
    }

    #[test]
    fn a_squad_behind_plan_pushes_the_time_back_and_ahead_brings_it_forward() {
        // The previous stop was planned 06:10 and done 06:22: twelve minutes late.
        let e = estimate(at(6, 40), Some((at(6, 10), at(6, 22))), at(6, 23));
        assert_eq!(e.at, at(6, 50));
        assert_eq!(e.shift_min, Some(12));
        let e = estimate(at(6, 40), Some((at(6, 10), at(6, 2))), at(6, 3));
        assert_eq!(e.at, at(6, 30));
        assert_eq!(e.shift_min, Some(-8));
    }

    #[test]
    fn a_time_already_passed_is_any_minute_now() {
        let e = estimate(at(6, 40), None, at(7, 0));
        assert!(e.soon);
        assert_eq!(e.at, at(7, 0));
    }
}
