//! Managing accounts, squad login links and API tokens: what `doorstep user …`, the demo and
//! the coordinator's pages call. Every change is an event in the audit log.

use chrono::Duration;

use super::session::{API_TOKEN_PREFIX, LINK_PREFIX};
use super::{AuthError, Role, password, secret};
use crate::db::api_tokens::ApiTokenRow;
use crate::db::login_links::LoginLinkRow;
use crate::db::users::UserRow;
use crate::db::{Conn, DbError, Timestamp, api_tokens, login_links, squads, users};
use crate::domain::{ApiTokenId, LoginLinkId, SquadId, UserId};

/// Longest a squad link may live (a few shifts).
pub const LINK_MAX_HOURS: i64 = 72;
/// Usernames: 3–32 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub const USERNAME_MAX: usize = 32;

/// Checks and normalises (lower-case) a username.
pub fn parse_username(s: &str) -> Result<String, AuthError> {
    let u = s.trim().to_ascii_lowercase();
    let ok = (3..=USERNAME_MAX).contains(&u.len())
        && u.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(u)
    } else {
        Err(AuthError::Invalid {
            field: "username",
            message: format!(
                "`{}` is not a username: use 3–{USERNAME_MAX} of a-z 0-9 . _ - (starting with a letter or digit)",
                s.chars().take(40).collect::<String>()
            ),
        })
    }
}

/// A new account to create.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    /// Required for squad members, refused for coordinators.
    pub squad_id: Option<SquadId>,
}

/// Creates an account (hashing the password: slow on purpose).
pub fn add_user(conn: &mut Conn<'_>, new: &NewUser<'_>, actor: &str) -> Result<UserRow, AuthError> {
    let username = parse_username(new.username)?;
    password::check_policy(new.password)?;
    let display_name = new.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 40 {
        return Err(AuthError::Invalid {
            field: "display name",
            message: "give a name of 1–40 characters".into(),
        });
    }
    match (new.role, new.squad_id) {
        (Role::SquadMember, None) => {
            return Err(AuthError::Invalid {
                field: "squad",
                message: "a squad member needs a squad".into(),
            });
        }
        (Role::Coordinator, Some(_)) => {
            return Err(AuthError::Invalid {
                field: "squad",
                message: "a coordinator belongs to no squad".into(),
            });
        }
        (_, Some(s)) => {
            squads::get(conn, s).map_err(|e| match e {
                DbError::NotFound => AuthError::Invalid {
                    field: "squad",
                    message: format!("no squad {s}"),
                },
                other => other.into(),
            })?;
        }
        _ => {}
    }
    let now = Timestamp::now();
    let row = UserRow {
        id: UserId::generate(),
        username,
        display_name: display_name.to_owned(),
        password_hash: password::hash(new.password)?,
        role: new.role,
        squad_id: new.squad_id,
        active: true,
        failed_logins: 0,
        locked_until: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    users::insert(conn, &row, actor).map_err(|e| match e {
        DbError::Conflict(_) => AuthError::Invalid {
            field: "username",
            message: format!("`{}` is taken", row.username),
        },
        other => other.into(),
    })?;
    Ok(row)
}

/// The squad named `name` (exactly), or by id.
pub fn find_squad(conn: &mut Conn<'_>, name_or_id: &str) -> Result<squads::SquadRow, AuthError> {
    if let Ok(id) = name_or_id.parse::<SquadId>() {
        return Ok(squads::get(conn, id)?);
    }
    squads::list(conn, true)?
        .into_iter()
        .find(|s| s.name == name_or_id.trim())
        .ok_or_else(|| AuthError::Invalid {
            field: "squad",
            message: format!(
                "no squad named `{}`",
                name_or_id.chars().take(40).collect::<String>()
            ),
        })
}

/// Disables (or re-enables) an account by username; disabling ends its sessions at once.
pub fn set_active(
    conn: &mut Conn<'_>,
    username: &str,
    active: bool,
    actor: &str,
) -> Result<UserRow, AuthError> {
    let user =
        users::by_username(conn, &username.trim().to_ascii_lowercase())?.ok_or_else(|| {
            AuthError::Invalid {
                field: "username",
                message: format!(
                    "no account `{}`",
                    username.chars().take(40).collect::<String>()
                ),
            }
        })?;
    users::set_active(conn, user.id, active, actor)?;
    Ok(users::get(conn, user.id)?)
}

/// Creates a sign-in link for a squad, valid for `hours` (1..=[`LINK_MAX_HOURS`]). Returns
/// the secret (shown once: it goes into the URL and QR code) and the stored row.
pub fn create_link(
    conn: &mut Conn<'_>,
    squad: SquadId,
    hours: i64,
    actor: &str,
) -> Result<(String, LoginLinkRow), AuthError> {
    if !(1..=LINK_MAX_HOURS).contains(&hours) {
        return Err(AuthError::Invalid {
            field: "hours",
            message: format!("a link lives 1–{LINK_MAX_HOURS} hours"),
        });
    }
    let s = squads::get(conn, squad)?;
    if !s.active {
        return Err(AuthError::Invalid {
            field: "squad",
            message: format!("squad `{}` is not active", s.name),
        });
    }
    let secret = secret::generate(LINK_PREFIX);
    let now = Timestamp::now();
    let row = LoginLinkRow {
        id: LoginLinkId::generate(),
        token_hash: secret::digest(&secret),
        squad_id: squad,
        created_by: actor.to_owned(),
        created_at: now,
        expires_at: Timestamp(now.0 + Duration::hours(hours)),
        revoked_at: None,
        last_used_at: None,
    };
    login_links::insert(conn, &row)?;
    Ok((secret, row))
}

/// Creates an API token for `user`, optionally expiring after `days`. Returns the secret
/// (shown once) and the stored row.
pub fn create_api_token(
    conn: &mut Conn<'_>,
    user: UserId,
    name: &str,
    days: Option<i64>,
    actor: &str,
) -> Result<(String, ApiTokenRow), AuthError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AuthError::Invalid {
            field: "name",
            message: "name the token (1–60 characters), e.g. `nightly export`".into(),
        });
    }
    if let Some(d) = days
        && !(1..=3650).contains(&d)
    {
        return Err(AuthError::Invalid {
            field: "days",
            message: "a token lives 1–3650 days".into(),
        });
    }
    let u = users::get(conn, user)?;
    if !u.active {
        return Err(AuthError::Invalid {
            field: "username",
            message: format!("account `{}` is disabled", u.username),
        });
    }
    let secret = secret::generate(API_TOKEN_PREFIX);
    let now = Timestamp::now();
    let row = ApiTokenRow {
        id: ApiTokenId::generate(),
        token_hash: secret::digest(&secret),
        user_id: user,
        name: name.to_owned(),
        created_at: now,
        expires_at: days.map(|d| Timestamp(now.0 + Duration::days(d))),
        revoked_at: None,
        last_used_at: None,
    };
    api_tokens::insert(conn, &row, actor)?;
    Ok((secret, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" Wang.Li ").unwrap(), "wang.li");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("-abc").is_err());
        assert!(parse_username("王力").is_err());
        assert!(parse_username("a b c").is_err());
        assert!(parse_username(&"a".repeat(33)).is_err());
    }
}
