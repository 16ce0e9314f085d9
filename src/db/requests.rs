//! The `requests` table: residents' requests, from intake to delivery.

use chrono::NaiveTime;
use diesel::prelude::*;

use super::schema::requests;
use super::{Conn, DbError, Timestamp, events, on_conn};
use crate::domain::{
    Category, FailureReason, FiledBy, RequestId, RequestStatus, Source, TrackingToken, Urgency,
    ZoneId,
};

/// A stored request.
#[derive(Clone, Debug, PartialEq, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub struct RequestRow {
    pub id: RequestId,
    pub tracking_token: TrackingToken,
    pub idempotency_key: Option<String>,
    pub source: Source,
    pub resident_name: String,
    pub phone: String,
    pub address_text: String,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
    pub household_size: i32,
    pub category: Category,
    /// JSON array of items (see `crate::intake::Item`).
    pub items: String,
    pub item_count: i32,
    pub urgency: Urgency,
    pub requested_urgency: Urgency,
    pub available_from: Option<NaiveTime>,
    pub available_until: Option<NaiveTime>,
    pub notes: String,
    pub filed_by: FiledBy,
    pub filer_name: Option<String>,
    pub filer_phone: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub match_level: Option<String>,
    pub confidence: Option<f64>,
    pub matched_name: Option<String>,
    /// JSON array of geocode candidates kept for review.
    pub geocode_candidates: Option<String>,
    pub location_confirmed: bool,
    pub community: Option<String>,
    pub zone_id: Option<ZoneId>,
    pub status: RequestStatus,
    pub failure_reason: Option<FailureReason>,
    pub status_note: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i32,
}

/// A request to store. Built by intake after validation (and, once wired, geocoding).
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = requests)]
pub struct NewRequestRow {
    pub id: RequestId,
    pub tracking_token: TrackingToken,
    pub idempotency_key: Option<String>,
    pub source: Source,
    pub resident_name: String,
    pub phone: String,
    pub address_text: String,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
    pub household_size: i32,
    pub category: Category,
    pub items: String,
    pub item_count: i32,
    pub urgency: Urgency,
    pub requested_urgency: Urgency,
    pub available_from: Option<NaiveTime>,
    pub available_until: Option<NaiveTime>,
    pub notes: String,
    pub filed_by: FiledBy,
    pub filer_name: Option<String>,
    pub filer_phone: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub match_level: Option<String>,
    pub confidence: Option<f64>,
    pub matched_name: Option<String>,
    pub geocode_candidates: Option<String>,
    pub location_confirmed: bool,
    pub community: Option<String>,
    pub zone_id: Option<ZoneId>,
    pub status: RequestStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Stores a request and its "filed" event, unless one with the same idempotency key exists:
/// then that one is returned and nothing is written. Returns (row, created).
pub fn file(
    conn: &mut Conn<'_>,
    new: &NewRequestRow,
    actor: &str,
) -> Result<(RequestRow, bool), DbError> {
    let inserted = on_conn!(conn, c => diesel::insert_into(requests::table)
        .values(new)
        .on_conflict(requests::idempotency_key)
        .do_nothing()
        .execute(c))?;
    if inserted == 0 {
        let key = new.idempotency_key.clone().unwrap_or_default();
        let existing = on_conn!(conn, c => requests::table
            .filter(requests::idempotency_key.eq(&key))
            .select(RequestRow::as_select())
            .first(c))?;
        return Ok((existing, false));
    }
    events::append(
        conn,
        &events::NewEvent::now(actor, "request.filed", "request", Some(new.id.0)).with_details(
            serde_json::json!({ "source": new.source, "category": new.category, "urgency": new.urgency }),
        ),
    )?;
    // What was inserted is what is stored: no need to read it back.
    Ok((RequestRow::from_new(new), true))
}

impl RequestRow {
    /// The row as stored by an insert of `new` (status note empty, version 1).
    fn from_new(new: &NewRequestRow) -> RequestRow {
        let n = new.clone();
        RequestRow {
            id: n.id,
            tracking_token: n.tracking_token,
            idempotency_key: n.idempotency_key,
            source: n.source,
            resident_name: n.resident_name,
            phone: n.phone,
            address_text: n.address_text,
            building: n.building,
            unit: n.unit,
            room: n.room,
            household_size: n.household_size,
            category: n.category,
            items: n.items,
            item_count: n.item_count,
            urgency: n.urgency,
            requested_urgency: n.requested_urgency,
            available_from: n.available_from,
            available_until: n.available_until,
            notes: n.notes,
            filed_by: n.filed_by,
            filer_name: n.filer_name,
            filer_phone: n.filer_phone,
            lon: n.lon,
            lat: n.lat,
            match_level: n.match_level,
            confidence: n.confidence,
            matched_name: n.matched_name,
            geocode_candidates: n.geocode_candidates,
            location_confirmed: n.location_confirmed,
            community: n.community,
            zone_id: n.zone_id,
            status: n.status,
            failure_reason: None,
            status_note: String::new(),
            created_at: n.created_at,
            updated_at: n.updated_at,
            version: 1,
        }
    }
}

pub fn get(conn: &mut Conn<'_>, id: RequestId) -> Result<RequestRow, DbError> {
    Ok(on_conn!(conn, c => requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(c))?)
}

pub fn get_by_token(conn: &mut Conn<'_>, token: &TrackingToken) -> Result<RequestRow, DbError> {
    Ok(on_conn!(conn, c => requests::table
        .filter(requests::tracking_token.eq(token))
        .select(RequestRow::as_select())
        .first(c))?)
}

/// Filters of the request list; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub category: Option<Category>,
    pub urgency: Option<Urgency>,
    pub zone_id: Option<ZoneId>,
    pub created_after: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
}

/// Newest first, `limit` rows from `offset`; also the total matching the filter.
pub fn list(
    conn: &mut Conn<'_>,
    filter: &RequestFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RequestRow>, i64), DbError> {
    macro_rules! filtered {
        ($q:expr) => {{
            let mut q = $q.into_boxed();
            if let Some(s) = filter.status {
                q = q.filter(requests::status.eq(s));
            }
            if let Some(c) = filter.category {
                q = q.filter(requests::category.eq(c));
            }
            if let Some(u) = filter.urgency {
                q = q.filter(requests::urgency.eq(u));
            }
            if let Some(z) = filter.zone_id {
                q = q.filter(requests::zone_id.eq(z));
            }
            if let Some(t) = filter.created_after {
                q = q.filter(requests::created_at.ge(t));
            }
            if let Some(t) = filter.created_before {
                q = q.filter(requests::created_at.lt(t));
            }
            q
        }};
    }
    on_conn!(conn, c => {
        let total: i64 = filtered!(requests::table).count().get_result(c)?;
        let rows = filtered!(requests::table)
            .order((requests::created_at.desc(), requests::id.desc()))
            .limit(limit)
            .offset(offset)
            .select(RequestRow::as_select())
            .load(c)?;
        Ok((rows, total))
    })
}

/// Moves a request to `status` if it is still at `expected_version` (optimistic locking):
/// a stale version is a [`DbError::Conflict`], a missing request [`DbError::NotFound`].
pub fn set_status(
    conn: &mut Conn<'_>,
    id: RequestId,
    expected_version: i32,
    status: RequestStatus,
    failure_reason: Option<FailureReason>,
    note: &str,
    actor: &str,
) -> Result<RequestRow, DbError> {
    let now = Timestamp::now();
    let updated = on_conn!(conn, c => diesel::update(
            requests::table
                .find(id)
                .filter(requests::version.eq(expected_version)),
        )
        .set((
            requests::status.eq(status),
            requests::failure_reason.eq(failure_reason),
            requests::status_note.eq(note),
            requests::updated_at.eq(now),
            requests::version.eq(requests::version + 1),
        ))
        .execute(c))?;
    if updated == 0 {
        let current = get(conn, id)?;
        return Err(DbError::Conflict(format!(
            "request {id} is at version {}, not {expected_version}",
            current.version
        )));
    }
    events::append(
        conn,
        &events::NewEvent::now(actor, "request.status", "request", Some(id.0)).with_details(
            serde_json::json!({ "status": status, "failure_reason": failure_reason, "note": note }),
        ),
    )?;
    get(conn, id)
}

/// Counts requests (all, or with one status).
pub fn count(conn: &mut Conn<'_>, status: Option<RequestStatus>) -> Result<i64, DbError> {
    Ok(on_conn!(conn, c => {
        let mut q = requests::table.into_boxed();
        if let Some(s) = status {
            q = q.filter(requests::status.eq(s));
        }
        q.count().get_result(c)
    })?)
}

/// The requests with these ids (any order; unknown ids are left out).
pub fn get_many(conn: &mut Conn<'_>, ids: &[RequestId]) -> Result<Vec<RequestRow>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    // Bounded IN lists: SQLite allows at most 32,766 bound parameters.
    for chunk in ids.chunks(500) {
        out.extend(on_conn!(conn, c => requests::table
            .filter(requests::id.eq_any(chunk))
            .select(RequestRow::as_select())
            .load(c))?);
    }
    Ok(out)
}

/// Requests still waiting for goods (new, needs review, assigned, out for delivery), oldest
/// first: what a dispatch board shows.
pub fn open(conn: &mut Conn<'_>) -> Result<Vec<RequestRow>, DbError> {
    let open = [
        RequestStatus::New,
        RequestStatus::NeedsReview,
        RequestStatus::Assigned,
        RequestStatus::OutForDelivery,
    ];
    Ok(on_conn!(conn, c => requests::table
        .filter(requests::status.eq_any(open))
        .order((requests::created_at.asc(), requests::id.asc()))
        .select(RequestRow::as_select())
        .load(c))?)
}

/// Requests changed at or after `since` (any status), for live updates.
pub fn changed_since(conn: &mut Conn<'_>, since: Timestamp) -> Result<Vec<RequestRow>, DbError> {
    Ok(on_conn!(conn, c => requests::table
        .filter(requests::updated_at.ge(since))
        .order(requests::updated_at.asc())
        .select(RequestRow::as_select())
        .load(c))?)
}
