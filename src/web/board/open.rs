//! Reads of the open requests sized for a busy district: the board page needs only how many
//! are open and the first page of the review queue; the board's data needs nine short fields
//! per request, not the whole row (items, notes, candidates). With 2,000 open requests this
//! keeps the page's cost flat and the data read to the columns it sends.

use diesel::prelude::*;

use crate::db::requests::RequestRow;
use crate::db::{Conn, DbError, on_conn};
use crate::domain::{RequestId, RequestStatus, Urgency};

/// The statuses of a request still waiting for goods.
pub const OPEN: [RequestStatus; 4] = [
    RequestStatus::New,
    RequestStatus::NeedsReview,
    RequestStatus::Assigned,
    RequestStatus::OutForDelivery,
];

/// What the board draws of one request.
pub struct Line {
    pub id: RequestId,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub status: RequestStatus,
    pub urgency: Urgency,
    pub version: i32,
    pub address_text: String,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
}

impl From<&RequestRow> for Line {
    fn from(r: &RequestRow) -> Line {
        Line {
            id: r.id,
            lon: r.lon,
            lat: r.lat,
            status: r.status,
            urgency: r.urgency,
            version: r.version,
            address_text: r.address_text.clone(),
            building: r.building.clone(),
            unit: r.unit.clone(),
            room: r.room.clone(),
        }
    }
}

type LineTuple = (
    RequestId,
    Option<f64>,
    Option<f64>,
    RequestStatus,
    Urgency,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Every open request, oldest first, as board lines.
pub fn open_lines(conn: &mut Conn<'_>) -> Result<Vec<Line>, DbError> {
    use crate::db::schema::requests as r;
    let rows: Vec<LineTuple> = on_conn!(conn, c => r::table
        .filter(r::status.eq_any(OPEN))
        .order((r::created_at.asc(), r::id.asc()))
        .select((r::id, r::lon, r::lat, r::status, r::urgency, r::version,
            r::address_text, r::building, r::unit, r::room))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(
            |(id, lon, lat, status, urgency, version, address_text, building, unit, room)| Line {
                id,
                lon,
                lat,
                status,
                urgency,
                version,
                address_text,
                building,
                unit,
                room,
            },
        )
        .collect())
}

/// How many requests are open, and how many of them need review.
pub fn counts(conn: &mut Conn<'_>) -> Result<(i64, i64), DbError> {
    use crate::db::schema::requests as r;
    let open: i64 = on_conn!(conn, c => r::table
        .filter(r::status.eq_any(OPEN))
        .count()
        .get_result(c))?;
    let review: i64 = on_conn!(conn, c => r::table
        .filter(r::status.eq(RequestStatus::NeedsReview))
        .count()
        .get_result(c))?;
    Ok((open, review))
}

/// The oldest `limit` requests waiting for review, whole (their candidates are shown).
pub fn review_page(conn: &mut Conn<'_>, limit: i64) -> Result<Vec<RequestRow>, DbError> {
    use crate::db::schema::requests as r;
    Ok(on_conn!(conn, c => r::table
        .filter(r::status.eq(RequestStatus::NeedsReview))
        .order((r::created_at.asc(), r::id.asc()))
        .limit(limit)
        .select(RequestRow::as_select())
        .load(c))?)
}
