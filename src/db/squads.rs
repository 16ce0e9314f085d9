//! The `squads` table: delivery squads, their base, travel mode, capacity, skills and shift.

use chrono::NaiveTime;
use diesel::prelude::*;

use super::schema::squads;
use super::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{SquadId, TravelMode};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = squads)]
pub struct SquadRow {
    pub id: SquadId,
    pub name: String,
    /// JSON array of member names.
    pub members: String,
    pub contact_phone: String,
    pub base_name: String,
    pub base_lon: f64,
    pub base_lat: f64,
    pub travel_mode: TravelMode,
    pub capacity_items: i32,
    pub capacity_kg: Option<f64>,
    /// JSON array of skill codes.
    pub skills: String,
    pub shift_start: NaiveTime,
    pub shift_end: NaiveTime,
    /// JSON array of the communities or areas covered.
    pub areas: String,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i32,
}

pub fn insert(conn: &mut Conn<'_>, squad: &SquadRow) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::insert_into(squads::table).values(squad).execute(c))?;
    Ok(())
}

pub fn get(conn: &mut Conn<'_>, id: SquadId) -> Result<SquadRow, DbError> {
    Ok(on_conn!(conn, c => squads::table.find(id).select(SquadRow::as_select()).first(c))?)
}

/// Squads by name; only active ones unless `include_inactive`.
pub fn list(conn: &mut Conn<'_>, include_inactive: bool) -> Result<Vec<SquadRow>, DbError> {
    Ok(on_conn!(conn, c => {
        let mut q = squads::table.into_boxed();
        if !include_inactive {
            q = q.filter(squads::active.eq(true));
        }
        q.order(squads::name.asc()).select(SquadRow::as_select()).load(c)
    })?)
}

/// Replaces a squad's editable fields if it is still at `expected_version` (optimistic
/// locking), with a `squad.updated` event; a stale version is [`DbError::Conflict`].
pub fn update(
    conn: &mut Conn<'_>,
    squad: &SquadRow,
    expected_version: i32,
    actor: &str,
) -> Result<SquadRow, DbError> {
    conn.transaction(|conn| {
        let now = Timestamp::now();
        let n = on_conn!(conn, c => diesel::update(
                squads::table.find(squad.id).filter(squads::version.eq(expected_version)))
            .set((
                squads::name.eq(&squad.name),
                squads::members.eq(&squad.members),
                squads::contact_phone.eq(&squad.contact_phone),
                squads::base_name.eq(&squad.base_name),
                squads::base_lon.eq(squad.base_lon),
                squads::base_lat.eq(squad.base_lat),
                squads::travel_mode.eq(squad.travel_mode),
                squads::capacity_items.eq(squad.capacity_items),
                squads::capacity_kg.eq(squad.capacity_kg),
                squads::skills.eq(&squad.skills),
                squads::shift_start.eq(squad.shift_start),
                squads::shift_end.eq(squad.shift_end),
                squads::areas.eq(&squad.areas),
                squads::active.eq(squad.active),
                squads::updated_at.eq(now),
                squads::version.eq(squads::version + 1),
            ))
            .execute(c))?;
        if n == 0 {
            let current = get(conn, squad.id)?;
            return Err(DbError::Conflict(format!(
                "squad {} is at version {}, not {expected_version}",
                squad.id, current.version
            )));
        }
        super::events::append(
            conn,
            &super::events::NewEvent::now(actor, "squad.updated", "squad", Some(squad.id.0))
                .with_details(serde_json::json!({ "name": squad.name, "active": squad.active })),
        )?;
        get(conn, squad.id)
    })
}
