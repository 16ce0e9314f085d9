//! Signing in (password or squad link), resolving a session cookie or a bearer token to a
//! [`Principal`], signing out. Runs on a database connection; the web layer calls it from
//! blocking threads.

use chrono::Duration;

use super::{AuthError, Credential, Principal, Role, password, secret, throttle};
use crate::db::sessions::SessionRow;
use crate::db::{Conn, DbError, Timestamp, api_tokens, login_links, sessions, squads, users};

/// A session ends this many hours after sign-in (a long shift), whatever happens.
pub const SESSION_HOURS: i64 = 14;
/// Prefix of session cookies' secrets.
pub const SESSION_PREFIX: &str = "dss_";
/// Prefix of squad login links' secrets.
pub const LINK_PREFIX: &str = "dsl_";
/// Prefix of API tokens.
pub const API_TOKEN_PREFIX: &str = "dst_";

/// A new session: the cookie's secret (give it to the browser, never store it) and the
/// stored row.
pub struct NewSession {
    pub secret: String,
    pub row: SessionRow,
}

fn new_session(
    user: Option<crate::domain::UserId>,
    link: Option<crate::domain::LoginLinkId>,
    expires_at: Timestamp,
) -> NewSession {
    let secret = secret::generate(SESSION_PREFIX);
    let row = SessionRow {
        token_hash: secret::digest(&secret),
        user_id: user,
        login_link_id: link,
        csrf_token: secret::generate(""),
        created_at: Timestamp::now(),
        expires_at,
    };
    NewSession { secret, row }
}

/// The account `username` if `password` is right. Slow on purpose (argon2): call it on a
/// blocking thread. Unknown and disabled accounts cost the same time as a wrong password;
/// a locked account is refused without checking the password.
pub fn check_password(
    conn: &mut Conn<'_>,
    username: &str,
    password_text: &str,
) -> Result<users::UserRow, AuthError> {
    let now = Timestamp::now();
    let user = users::by_username(conn, username.trim())?;
    let Some(user) = user.filter(|u| u.active) else {
        password::verify(password_text, password::dummy_hash());
        return Err(AuthError::BadCredentials);
    };
    if let Some(until) = user.locked_until
        && until > now
    {
        let wait = (until.0 - now.0).num_seconds().max(1) as u64;
        return Err(AuthError::Locked(wait));
    }
    if password::verify(password_text, &user.password_hash) {
        Ok(user)
    } else {
        Err(AuthError::BadCredentials)
    }
}

/// Counts a wrong password against the account (if it exists) and locks it after too many.
pub fn record_failure(conn: &mut Conn<'_>, username: &str) -> Result<Option<u64>, DbError> {
    let Some(user) = users::by_username(conn, username.trim())? else {
        return Ok(None);
    };
    let now = Timestamp::now();
    let mut locked = None;
    users::record_failure(conn, user.id, |failed| {
        throttle::lockout(failed).map(|d| {
            locked = Some(d.as_secs());
            Timestamp(now.0 + Duration::from_std(d).unwrap_or(Duration::minutes(15)))
        })
    })?;
    Ok(locked)
}

/// Opens a session for an account that proved its password (a fresh secret each time, so a
/// session id planted before sign-in is worthless).
pub fn open_for_user(conn: &mut Conn<'_>, user: &users::UserRow) -> Result<NewSession, DbError> {
    users::record_success(conn, user.id)?;
    let s = new_session(
        Some(user.id),
        None,
        Timestamp(Timestamp::now().0 + Duration::hours(SESSION_HOURS)),
    );
    sessions::insert(conn, &s.row)?;
    Ok(s)
}

/// Opens a squad session from a login link's secret: the link must be known, live, and its
/// squad active. The session ends with the link (or after [`SESSION_HOURS`]).
pub fn open_with_link(conn: &mut Conn<'_>, link_secret: &str) -> Result<NewSession, AuthError> {
    let secret = secret::parse(link_secret, LINK_PREFIX).ok_or(AuthError::LinkInvalid)?;
    let now = Timestamp::now();
    let link = login_links::by_token_hash(conn, &secret::digest(secret))?
        .filter(|l| l.is_live(now))
        .ok_or(AuthError::LinkInvalid)?;
    let squad = squads::get(conn, link.squad_id)?;
    if !squad.active {
        return Err(AuthError::LinkInvalid);
    }
    login_links::touch(conn, link.id, now)?;
    let ends = Timestamp(now.0 + Duration::hours(SESSION_HOURS)).min(link.expires_at);
    let s = new_session(None, Some(link.id), ends);
    sessions::insert(conn, &s.row)?;
    Ok(s)
}

/// The principal of a session cookie's secret, if the session is live and its account
/// active (or its link live and squad active).
pub fn resolve_session(conn: &mut Conn<'_>, cookie: &str) -> Result<Option<Principal>, DbError> {
    let Some(secret) = secret::parse(cookie, SESSION_PREFIX) else {
        return Ok(None);
    };
    let now = Timestamp::now();
    let Some(row) = sessions::get_live(conn, &secret::digest(secret), now)? else {
        return Ok(None);
    };
    match (row.user_id, row.login_link_id) {
        (Some(user_id), _) => {
            let user = match users::get(conn, user_id) {
                Ok(u) if u.active => u,
                Ok(_) | Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            Ok(Some(Principal {
                user_id: Some(user.id),
                username: user.username,
                display_name: user.display_name,
                role: user.role,
                squad_id: user.squad_id,
                credential: Credential::Session {
                    csrf_token: row.csrf_token,
                    link: None,
                },
            }))
        }
        (None, Some(link_id)) => {
            let link = match login_links::get(conn, link_id) {
                Ok(l) if l.is_live(now) => l,
                Ok(_) | Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            let squad = squads::get(conn, link.squad_id)?;
            if !squad.active {
                return Ok(None);
            }
            Ok(Some(Principal {
                user_id: None,
                username: "squad-link".into(),
                display_name: squad.name,
                role: Role::SquadMember,
                squad_id: Some(squad.id),
                credential: Credential::Session {
                    csrf_token: row.csrf_token,
                    link: Some(link.id),
                },
            }))
        }
        (None, None) => Ok(None),
    }
}

/// The principal of a bearer API token, if live and its account active.
pub fn resolve_api_token(conn: &mut Conn<'_>, bearer: &str) -> Result<Option<Principal>, DbError> {
    let Some(secret) = secret::parse(bearer, API_TOKEN_PREFIX) else {
        return Ok(None);
    };
    let now = Timestamp::now();
    let Some(token) =
        api_tokens::by_token_hash(conn, &secret::digest(secret))?.filter(|t| t.is_live(now))
    else {
        return Ok(None);
    };
    let user = match users::get(conn, token.user_id) {
        Ok(u) if u.active => u,
        Ok(_) | Err(DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(Principal {
        user_id: Some(user.id),
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        squad_id: user.squad_id,
        credential: Credential::ApiToken(token.id),
    }))
}

/// Ends the session of a cookie's secret (unknown or malformed: nothing to do).
pub fn close(conn: &mut Conn<'_>, cookie: &str) -> Result<(), DbError> {
    match secret::parse(cookie, SESSION_PREFIX) {
        Some(s) => sessions::delete(conn, &secret::digest(s)),
        None => Ok(()),
    }
}
