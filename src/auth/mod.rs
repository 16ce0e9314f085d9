//! Who is asking, and what they may do: staff accounts (coordinators and squad members),
//! argon2 passwords, server-side sessions, squad login links, API tokens, login throttling
//! and rate limits.
//!
//! - [`Principal`] is a signed-in person (or script) with a [`Role`]; the web layer's
//!   extractors (`crate::web::auth`) produce it from a session cookie or a bearer token and
//!   refuse what the role does not allow.
//! - Residents have no account: the tracking token shows one request, nothing else.
//! - Secrets are random 256-bit strings; only their SHA-256 digests are stored ([`secret`]).
//! - Sessions live in the database so that every instance behind a load balancer accepts
//!   them; they end at a fixed time ([`session::SESSION_HOURS`]), at sign-out, or when the
//!   account is disabled or the squad link revoked.
//!
//! This module knows nothing of HTTP (cookies, redirects and status codes are
//! `crate::web::auth`'s business) and nothing of what a squad's sheet contains.

pub mod accounts;
pub mod password;
pub mod secret;
pub mod session;
pub mod throttle;

use crate::db::DbError;
use crate::domain::{ApiTokenId, LoginLinkId, SquadId, UserId};

pub use crate::domain::Role;

/// How a principal proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A browser session (cookie). State-changing requests must also carry `csrf_token`.
    Session {
        csrf_token: String,
        /// Set when the session was opened by a squad login link.
        link: Option<LoginLinkId>,
    },
    /// `Authorization: Bearer dst_…` — a script; no CSRF token needed (a browser never adds
    /// this header by itself).
    ApiToken(ApiTokenId),
}

/// A signed-in person or script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The account; `None` for a squad login link's session (the squad signed in, not a
    /// named person).
    pub user_id: Option<UserId>,
    /// The account's username, or `squad-link` for a link's session.
    pub username: String,
    /// A name to show: the person's, or the squad's for a link's session.
    pub display_name: String,
    pub role: Role,
    /// The squad of a squad member.
    pub squad_id: Option<SquadId>,
    pub credential: Credential,
}

impl Principal {
    pub fn is_coordinator(&self) -> bool {
        self.role == Role::Coordinator
    }

    /// Coordinators see every squad; a squad member only their own.
    pub fn may_see_squad(&self, squad: SquadId) -> bool {
        match self.role {
            Role::Coordinator => true,
            Role::SquadMember => self.squad_id == Some(squad),
        }
    }

    /// The CSRF token of a browser session (`None` for API tokens).
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token),
            Credential::ApiToken(_) => None,
        }
    }

    /// Who did it, for the audit log: `user:wang`, `link:<link id>` (a squad's QR code), with
    /// `token:<id>` appended for a script.
    pub fn actor(&self) -> String {
        let who = match (&self.user_id, &self.credential) {
            (Some(_), _) => format!("user:{}", self.username),
            (None, Credential::Session { link: Some(l), .. }) => format!("link:{l}"),
            (None, _) => "unknown".to_owned(),
        };
        match &self.credential {
            Credential::ApiToken(id) => format!("{who} token:{id}"),
            Credential::Session { .. } => who,
        }
    }
}

/// What can go wrong signing in or managing accounts.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    /// Wrong username or password (deliberately not saying which).
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many wrong passwords in a row: try again after this many seconds.
    #[error("too many failed sign-ins; try again in {0} s")]
    Locked(u64),
    /// A login link that is unknown, expired or revoked (deliberately not saying which).
    #[error("this sign-in link is not valid (expired or revoked)")]
    LinkInvalid,
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}
