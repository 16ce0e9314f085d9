//! The `events` table: the append-only audit log (who did what to which entity, when). The
//! databases refuse updates and deletes on it (triggers in the migrations).

use diesel::prelude::*;
use uuid::Uuid;

use super::schema::events;
use super::{Conn, DbError, Timestamp, on_conn};
use crate::db::types::DbUuid;

/// A stored event.
#[derive(Clone, Debug, PartialEq, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<EntityId>,
    pub details: String,
}

/// Any entity's UUID (events point at requests, stops, plans, zones, squads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = DbUuid)]
pub struct EntityId(pub Uuid);
super::types::uuid_sql!(EntityId);

/// An event to append.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<EntityId>,
    pub details: String,
}

impl NewEvent {
    /// `actor` is who did it (`resident`, `csv:FILE`, later a user id); `action` a dotted verb
    /// (`request.filed`); `entity_kind` a table's singular (`request`).
    pub fn now(actor: &str, action: &str, entity_kind: &str, entity_id: Option<Uuid>) -> Self {
        NewEvent {
            at: Timestamp::now(),
            actor: actor.into(),
            action: action.into(),
            entity_kind: entity_kind.into(),
            entity_id: entity_id.map(EntityId),
            details: "{}".into(),
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details.to_string();
        self
    }
}

pub fn append(conn: &mut Conn<'_>, event: &NewEvent) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::insert_into(events::table).values(event).execute(c))?;
    Ok(())
}

/// An entity's events, oldest first.
pub fn for_entity(
    conn: &mut Conn<'_>,
    entity_kind: &str,
    entity_id: Uuid,
) -> Result<Vec<EventRow>, DbError> {
    Ok(on_conn!(conn, c => events::table
        .filter(events::entity_kind.eq(entity_kind))
        .filter(events::entity_id.eq(EntityId(entity_id)))
        .order(events::id.asc())
        .select(EventRow::as_select())
        .load(c))?)
}

/// A request's history, oldest first: its own events and those of the stops that served it
/// (arrived, delivered, failed, reassigned), so one list tells its whole story.
pub fn for_request(
    conn: &mut Conn<'_>,
    id: crate::domain::RequestId,
) -> Result<Vec<EventRow>, DbError> {
    use super::schema::stop_requests;
    let stops: Vec<crate::domain::StopId> = on_conn!(conn, c => stop_requests::table
        .filter(stop_requests::request_id.eq(id))
        .select(stop_requests::stop_id)
        .load(c))?;
    let stops: Vec<EntityId> = stops.iter().map(|s| EntityId(s.0)).collect();
    Ok(on_conn!(conn, c => events::table
        .filter(
            events::entity_kind.eq("request").and(events::entity_id.eq(EntityId(id.0)))
                .or(events::entity_kind.eq("stop").and(events::entity_id.eq_any(&stops))),
        )
        .order(events::id.asc())
        .select(EventRow::as_select())
        .load(c))?)
}
