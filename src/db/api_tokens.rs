//! The `api_tokens` table: bearer tokens for scripts. A token acts as its user (with the
//! user's role) until it expires or is revoked; only its SHA-256 digest is stored.

use diesel::prelude::*;

use super::schema::api_tokens;
use super::{Conn, DbError, Timestamp, events, on_conn};
use crate::domain::{ApiTokenId, UserId};

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: ApiTokenId,
    pub token_hash: String,
    pub user_id: UserId,
    /// What the token is for, e.g. `nightly export`.
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

impl ApiTokenRow {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

pub fn insert(conn: &mut Conn<'_>, row: &ApiTokenRow, actor: &str) -> Result<(), DbError> {
    on_conn!(conn, c => diesel::insert_into(api_tokens::table).values(row).execute(c))?;
    events::append(
        conn,
        &events::NewEvent::now(actor, "api_token.created", "user", Some(row.user_id.0))
            .with_details(serde_json::json!({ "token_id": row.id, "name": row.name })),
    )
}

pub fn by_token_hash(
    conn: &mut Conn<'_>,
    token_hash: &str,
) -> Result<Option<ApiTokenRow>, DbError> {
    Ok(on_conn!(conn, c => api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .select(ApiTokenRow::as_select())
        .first(c)
        .optional())?)
}

/// A user's tokens (or everyone's), newest first.
pub fn list(conn: &mut Conn<'_>, user: Option<UserId>) -> Result<Vec<ApiTokenRow>, DbError> {
    Ok(on_conn!(conn, c => {
        let mut q = api_tokens::table.into_boxed();
        if let Some(u) = user {
            q = q.filter(api_tokens::user_id.eq(u));
        }
        q.order(api_tokens::created_at.desc())
            .select(ApiTokenRow::as_select())
            .load(c)
    })?)
}

/// Notes the last use at most once a minute per token (to keep reads from writing).
pub fn touch(conn: &mut Conn<'_>, id: ApiTokenId, now: Timestamp) -> Result<(), DbError> {
    let a_minute_ago = Timestamp(now.0 - chrono::Duration::minutes(1));
    on_conn!(conn, c => diesel::update(
            api_tokens::table.find(id).filter(
                api_tokens::last_used_at.is_null().or(api_tokens::last_used_at.lt(a_minute_ago)),
            ),
        )
        .set(api_tokens::last_used_at.eq(Some(now)))
        .execute(c))?;
    Ok(())
}

pub fn revoke(conn: &mut Conn<'_>, id: ApiTokenId, actor: &str) -> Result<(), DbError> {
    let now = Timestamp::now();
    let row = on_conn!(conn, c => api_tokens::table
        .find(id)
        .select(ApiTokenRow::as_select())
        .first(c))?;
    on_conn!(conn, c => diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(Some(now)))
        .execute(c))?;
    events::append(
        conn,
        &events::NewEvent::now(actor, "api_token.revoked", "user", Some(row.user_id.0))
            .with_details(serde_json::json!({ "token_id": id })),
    )
}
