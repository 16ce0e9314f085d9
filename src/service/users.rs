//! `doorstep user …`: staff accounts, squad login links and API tokens from the command line
//! (the first coordinator has no one to create them on a page).

use std::io::BufRead as _;

use super::ServiceError;
use crate::auth::accounts::{self, NewUser};
use crate::auth::{AuthError, Role, password};
use crate::db::{Database, Timestamp};

/// Who the command line acts as in the audit log.
pub const CLI_ACTOR: &str = "cli";

impl From<AuthError> for ServiceError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Db(d) => ServiceError::Db(d),
            AuthError::Invalid { field, message } => ServiceError::Setting {
                name: field,
                message,
            },
            other => ServiceError::Setting {
                name: "account",
                message: other.to_string(),
            },
        }
    }
}

/// What `user add` made, to print.
pub struct Added {
    pub username: String,
    pub role: Role,
    pub squad: Option<String>,
    /// The password, when it was generated (shown once).
    pub generated_password: Option<String>,
}

/// `doorstep user add`. The password comes from the first line of stdin with
/// `password_stdin`, else it is generated and returned to print once.
pub fn add(
    db: &Database,
    username: &str,
    display_name: Option<&str>,
    role: Role,
    squad: Option<&str>,
    password_stdin: bool,
) -> Result<Added, ServiceError> {
    let (pw, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| ServiceError::Setting {
                name: "password",
                message: format!("cannot read stdin: {e}"),
            })?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (password::generate(), true)
    };
    password::check_policy(&pw).map_err(AuthError::from)?;
    let username = accounts::parse_username(username)?;
    let display = display_name.unwrap_or(&username).to_owned();
    let squad = squad.map(str::to_owned);
    let shown = generated.then(|| pw.clone());
    // The closure answers Ok(Err(..)) for a refusal, so that it is not mistaken for a
    // database failure and nothing is written.
    let (row, squad_name) = db.write_blocking(move |c| {
        Ok((|| {
            let squad_row = match &squad {
                Some(s) => Some(accounts::find_squad(c, s)?),
                None => None,
            };
            let new = NewUser {
                username: &username,
                display_name: &display,
                password: &pw,
                role,
                squad_id: squad_row.as_ref().map(|s| s.id),
            };
            let row = accounts::add_user(c, &new, CLI_ACTOR)?;
            Ok::<_, AuthError>((row, squad_row.map(|s| s.name)))
        })())
    })??;
    Ok(Added {
        username: row.username,
        role: row.role,
        squad: squad_name,
        generated_password: shown,
    })
}

/// `doorstep user list`: one line per account.
pub fn list(db: &Database) -> Result<String, ServiceError> {
    let (users, squads) = db.read_blocking(|c| {
        Ok((
            crate::db::users::list(c)?,
            crate::db::squads::list(c, true)?,
        ))
    })?;
    let now = Timestamp::now();
    let mut out = format!(
        "{:<24} {:<14} {:<16} {:<8} {}\n",
        "username", "role", "squad", "active", "name"
    );
    for u in users {
        let squad = u
            .squad_id
            .and_then(|id| squads.iter().find(|s| s.id == id))
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let locked = u.locked_until.is_some_and(|t| t > now);
        out.push_str(&format!(
            "{:<24} {:<14} {:<16} {:<8} {}{}\n",
            u.username,
            u.role.as_str(),
            squad,
            if u.active { "yes" } else { "no" },
            u.display_name,
            if locked {
                "  (locked after failed sign-ins)"
            } else {
                ""
            }
        ));
    }
    Ok(out)
}

/// `doorstep user disable|enable`.
pub fn set_active(db: &Database, username: &str, active: bool) -> Result<(), ServiceError> {
    let username = username.to_owned();
    db.write_blocking(move |c| Ok(accounts::set_active(c, &username, active, CLI_ACTOR)))??;
    Ok(())
}
