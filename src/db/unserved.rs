//! The `unserved_requests` table: the requests a day's plan left out, each with the reason,
//! so the dispatch board can say why. A district plan rewrites the day's rows whole.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::unserved_requests;
use super::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{RequestId, UnservedReason};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = unserved_requests)]
pub struct UnservedRow {
    pub request_id: RequestId,
    pub shift_date: NaiveDate,
    pub reason: UnservedReason,
    pub stop_label: String,
    pub recorded_at: Timestamp,
}

/// Replaces the day's unserved requests with `rows`.
pub fn replace_for_date(
    conn: &mut Conn<'_>,
    date: NaiveDate,
    rows: &[UnservedRow],
) -> Result<(), DbError> {
    on_conn!(conn, c => {
        diesel::delete(unserved_requests::table.filter(unserved_requests::shift_date.eq(date)))
            .execute(c)?;
        for chunk in rows.chunks(500) {
            diesel::insert_into(unserved_requests::table).values(chunk).execute(c)?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

/// Drops the rows of requests that a later change (a move, a squad's re-plan) has served.
pub fn forget(conn: &mut Conn<'_>, date: NaiveDate, ids: &[RequestId]) -> Result<(), DbError> {
    for chunk in ids.chunks(500) {
        on_conn!(conn, c => diesel::delete(unserved_requests::table
                .filter(unserved_requests::shift_date.eq(date))
                .filter(unserved_requests::request_id.eq_any(chunk)))
            .execute(c))?;
    }
    Ok(())
}

/// The day's unserved requests.
pub fn for_date(conn: &mut Conn<'_>, date: NaiveDate) -> Result<Vec<UnservedRow>, DbError> {
    Ok(on_conn!(conn, c => unserved_requests::table
        .filter(unserved_requests::shift_date.eq(date))
        .select(UnservedRow::as_select())
        .load(c))?)
}
