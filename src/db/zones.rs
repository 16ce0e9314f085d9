//! The `zones` table: high-risk, controlled and precaution areas, each a GeoJSON polygon with
//! an optional checkpoint where goods are handed over.

use diesel::prelude::*;

use super::schema::zones;
use super::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{ZoneId, ZoneKind};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = zones)]
pub struct ZoneRow {
    pub id: ZoneId,
    pub name: String,
    pub kind: ZoneKind,
    /// GeoJSON geometry (Polygon or MultiPolygon), WGS84.
    pub polygon: String,
    pub checkpoint_lon: Option<f64>,
    pub checkpoint_lat: Option<f64>,
    pub notes: String,
    pub active_from: Option<Timestamp>,
    pub active_until: Option<Timestamp>,
    pub active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i32,
}

pub fn insert(conn: &mut Conn<'_>, zone: &ZoneRow) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::insert_into(zones::table).values(zone).execute(c))?;
    Ok(())
}

pub fn get(conn: &mut Conn<'_>, id: ZoneId) -> Result<ZoneRow, DbError> {
    Ok(on_conn!(conn, c => zones::table.find(id).select(ZoneRow::as_select()).first(c))?)
}

/// Zones by name; only active ones unless `include_inactive`.
pub fn list(conn: &mut Conn<'_>, include_inactive: bool) -> Result<Vec<ZoneRow>, DbError> {
    Ok(on_conn!(conn, c => {
        let mut q = zones::table.into_boxed();
        if !include_inactive {
            q = q.filter(zones::active.eq(true));
        }
        q.order(zones::name.asc()).select(ZoneRow::as_select()).load(c)
    })?)
}

/// Replaces a zone's editable fields if it is still at `expected_version` (optimistic
/// locking), with a `zone.updated` event; a stale version is [`DbError::Conflict`].
pub fn update(
    conn: &mut Conn<'_>,
    zone: &ZoneRow,
    expected_version: i32,
    actor: &str,
) -> Result<ZoneRow, DbError> {
    conn.transaction(|conn| {
        let n = on_conn!(conn, c => diesel::update(
                zones::table.find(zone.id).filter(zones::version.eq(expected_version)))
            .set((
                zones::name.eq(&zone.name),
                zones::kind.eq(zone.kind),
                zones::polygon.eq(&zone.polygon),
                zones::checkpoint_lon.eq(zone.checkpoint_lon),
                zones::checkpoint_lat.eq(zone.checkpoint_lat),
                zones::notes.eq(&zone.notes),
                zones::active_from.eq(zone.active_from),
                zones::active_until.eq(zone.active_until),
                zones::active.eq(zone.active),
                zones::updated_at.eq(Timestamp::now()),
                zones::version.eq(zones::version + 1),
            ))
            .execute(c))?;
        if n == 0 {
            let current = get(conn, zone.id)?;
            return Err(DbError::Conflict(format!(
                "zone {} is at version {}, not {expected_version}",
                zone.id, current.version
            )));
        }
        super::events::append(
            conn,
            &super::events::NewEvent::now(actor, "zone.updated", "zone", Some(zone.id.0))
                .with_details(serde_json::json!({
                    "name": zone.name, "kind": zone.kind, "active": zone.active
                })),
        )?;
        get(conn, zone.id)
    })
}

/// Every zone's (id, version), active or not: a change anywhere changes this list. Cheap
/// enough to poll (zones are few), so that instances sharing one database notice each other's
/// edits.
pub fn versions(conn: &mut Conn<'_>) -> Result<Vec<(ZoneId, i32)>, DbError> {
    Ok(on_conn!(conn, c => zones::table
        .order(zones::id.asc())
        .select((zones::id, zones::version))
        .load(c))?)
}
