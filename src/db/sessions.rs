//! The `sessions` table: server-side sessions, so that several instances share them. The
//! cookie holds a random token; the table holds only its SHA-256 digest.

use diesel::prelude::*;

use super::schema::sessions;
use super::{Conn, DbError, Timestamp, on_conn};
use crate::domain::{LoginLinkId, UserId};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    /// SHA-256 hex of the cookie's token.
    pub token_hash: String,
    /// A password sign-in's account.
    pub user_id: Option<UserId>,
    /// A squad login link's sign-in.
    pub login_link_id: Option<LoginLinkId>,
    /// The session's CSRF token (not a credential on its own: it is useless without the
    /// cookie, which a page of another site cannot read).
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

pub fn insert(conn: &mut Conn<'_>, row: &SessionRow) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::insert_into(sessions::table).values(row).execute(c))?;
    Ok(())
}

/// The live session with this digest, if any.
pub fn get_live(
    conn: &mut Conn<'_>,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<SessionRow>, DbError> {
    Ok(on_conn!(conn, c => sessions::table
        .find(token_hash)
        .filter(sessions::expires_at.gt(now))
        .select(SessionRow::as_select())
        .first(c)
        .optional())?)
}

pub fn delete(conn: &mut Conn<'_>, token_hash: &str) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::delete(sessions::table.find(token_hash)).execute(c))?;
    Ok(())
}

pub fn delete_for_user(conn: &mut Conn<'_>, user: UserId) -> Result<usize, DbError> {
    Ok(
        on_conn!(conn, c => diesel::delete(sessions::table.filter(sessions::user_id.eq(user)))
        .execute(c))?,
    )
}

pub fn delete_for_link(conn: &mut Conn<'_>, link: LoginLinkId) -> Result<usize, DbError> {
    Ok(on_conn!(conn, c => diesel::delete(
            sessions::table.filter(sessions::login_link_id.eq(link))
        )
        .execute(c))?)
}

/// Removes expired sessions; returns how many.
pub fn purge_expired(conn: &mut Conn<'_>, now: Timestamp) -> Result<usize, DbError> {
    Ok(
        on_conn!(conn, c => diesel::delete(sessions::table.filter(sessions::expires_at.le(now)))
        .execute(c))?,
    )
}
