//! The `users` table: staff accounts (coordinators and squad members) with their argon2
//! password hash and the login-throttling counters shared by every instance.

use diesel::prelude::*;

use super::schema::users;
use super::{Conn, DbError, Timestamp, events, on_conn};
use crate::domain::{Role, SquadId, UserId};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    /// The squad of a squad member; `None` for coordinators.
    pub squad_id: Option<SquadId>,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i32,
}

/// Stores a new account; a taken username is a [`DbError::Conflict`].
pub fn insert(conn: &mut Conn<'_>, user: &UserRow, actor: &str) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::insert_into(users::table).values(user).execute(c))?;
    events::append(
        conn,
        &events::NewEvent::now(actor, "user.created", "user", Some(user.id.0)).with_details(
            serde_json::json!({ "username": user.username, "role": user.role, "squad_id": user.squad_id }),
        ),
    )
}

pub fn get(conn: &mut Conn<'_>, id: UserId) -> Result<UserRow, DbError> {
    Ok(on_conn!(conn, c => users::table.find(id).select(UserRow::as_select()).first(c))?)
}

pub fn by_username(conn: &mut Conn<'_>, username: &str) -> Result<Option<UserRow>, DbError> {
    Ok(on_conn!(conn, c => users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(c)
        .optional())?)
}

/// Every account, by username.
pub fn list(conn: &mut Conn<'_>) -> Result<Vec<UserRow>, DbError> {
    Ok(on_conn!(conn, c => users::table
        .order(users::username.asc())
        .select(UserRow::as_select())
        .load(c))?)
}

/// Records a failed sign-in: bumps the counter and sets `locked_until` (computed by the
/// caller from the new count). Returns the new count.
pub fn record_failure(
    conn: &mut Conn<'_>,
    id: UserId,
    locked_until: impl FnOnce(i32) -> Option<Timestamp>,
) -> Result<i32, DbError> {
    let failed = on_conn!(conn, c => {
        diesel::update(users::table.find(id))
            .set(users::failed_logins.eq(users::failed_logins + 1))
            .returning(users::failed_logins)
            .get_result::<i32>(c)
    })?;
    let until = locked_until(failed);
    on_conn!(conn, c => diesel::update(users::table.find(id))
        .set(users::locked_until.eq(until))
        .execute(c))?;
    Ok(failed)
}

/// A successful sign-in clears the throttling counters.
pub fn record_success(conn: &mut Conn<'_>, id: UserId) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::update(users::table.find(id).filter(users::failed_logins.ne(0)))
        .set((users::failed_logins.eq(0), users::locked_until.eq(None::<Timestamp>)))
        .execute(c))?;
    Ok(())
}

/// Enables or disables an account; disabling also ends its sessions and API tokens' use
/// (they are checked against `active` on every request).
pub fn set_active(
    conn: &mut Conn<'_>,
    id: UserId,
    active: bool,
    actor: &str,
) -> Result<(), DbError> {
    let now = Timestamp::now();
    let n = on_conn!(conn, c => diesel::update(users::table.find(id))
        .set((
            users::active.eq(active),
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .execute(c))?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    if !active {
        super::sessions::delete_for_user(conn, id)?;
    }
    let action = if active {
        "user.enabled"
    } else {
        "user.disabled"
    };
    events::append(
        conn,
        &events::NewEvent::now(actor, action, "user", Some(id.0)),
    )
}

/// Replaces the password hash (and clears throttling); ends the account's other sessions.
pub fn set_password(
    conn: &mut Conn<'_>,
    id: UserId,
    password_hash: &str,
    actor: &str,
) -> Result<(), DbError> {
    let now = Timestamp::now();
    let n = on_conn!(conn, c => diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::failed_logins.eq(0),
            users::locked_until.eq(None::<Timestamp>),
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .execute(c))?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    super::sessions::delete_for_user(conn, id)?;
    events::append(
        conn,
        &events::NewEvent::now(actor, "user.password", "user", Some(id.0)),
    )
}
