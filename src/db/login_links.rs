//! The `login_links` table: a squad's sign-in links (printed as QR codes on the route sheet).
//! Each expires, and a coordinator can revoke it; revoking ends the sessions it opened.

use diesel::prelude::*;

use super::schema::login_links;
use super::{Conn, DbError, Timestamp, events, on_conn};
use crate::domain::{LoginLinkId, SquadId};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_links)]
pub struct LoginLinkRow {
    pub id: LoginLinkId,
    /// SHA-256 hex of the link's secret.
    pub token_hash: String,
    pub squad_id: SquadId,
    pub created_by: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

impl LoginLinkRow {
    /// Usable at `now`: not revoked, not expired.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

pub fn insert(conn: &mut Conn<'_>, row: &LoginLinkRow) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::insert_into(login_links::table).values(row).execute(c))?;
    events::append(
        conn,
        &events::NewEvent::now(
            &row.created_by,
            "login_link.created",
            "squad",
            Some(row.squad_id.0),
        )
        .with_details(serde_json::json!({ "link_id": row.id, "expires_at": row.expires_at.0 })),
    )
}

pub fn get(conn: &mut Conn<'_>, id: LoginLinkId) -> Result<LoginLinkRow, DbError> {
    Ok(on_conn!(conn, c => login_links::table
        .find(id)
        .select(LoginLinkRow::as_select())
        .first(c))?)
}

pub fn by_token_hash(
    conn: &mut Conn<'_>,
    token_hash: &str,
) -> Result<Option<LoginLinkRow>, DbError> {
    Ok(on_conn!(conn, c => login_links::table
        .filter(login_links::token_hash.eq(token_hash))
        .select(LoginLinkRow::as_select())
        .first(c)
        .optional())?)
}

/// A squad's links (or every squad's), newest first.
pub fn list(conn: &mut Conn<'_>, squad: Option<SquadId>) -> Result<Vec<LoginLinkRow>, DbError> {
    Ok(on_conn!(conn, c => {
        let mut q = login_links::table.into_boxed();
        if let Some(s) = squad {
            q = q.filter(login_links::squad_id.eq(s));
        }
        q.order(login_links::created_at.desc())
            .select(LoginLinkRow::as_select())
            .load(c)
    })?)
}

pub fn touch(conn: &mut Conn<'_>, id: LoginLinkId, now: Timestamp) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::update(login_links::table.find(id))
        .set(login_links::last_used_at.eq(Some(now)))
        .execute(c))?;
    Ok(())
}

/// Revokes a link and ends every session it opened. Revoking twice is harmless.
pub fn revoke(conn: &mut Conn<'_>, id: LoginLinkId, actor: &str) -> Result<usize, DbError> {
    let link = get(conn, id)?;
    if link.revoked_at.is_none() {
        let now = Timestamp::now();
        on_conn!(conn, c => diesel::update(login_links::table.find(id))
            .set(login_links::revoked_at.eq(Some(now)))
            .execute(c))?;
    }
    let ended = super::sessions::delete_for_link(conn, id)?;
    events::append(
        conn,
        &events::NewEvent::now(actor, "login_link.revoked", "squad", Some(link.squad_id.0))
            .with_details(serde_json::json!({ "link_id": id, "sessions_ended": ended })),
    )?;
    Ok(ended)
}
