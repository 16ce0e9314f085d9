//! Accounts on the web: the session cookie, the request extractors that every staff handler
//! takes, the CSRF check, the login and logout pages, the signed-in account's page.
//!
//! Extractors (see CONTRIBUTING.md for an example):
//!
//! - [`AnyStaff`] — any signed-in coordinator or squad member;
//! - [`Coordinator`] — coordinators only;
//! - [`SquadMember`] — squad members only, with their `squad_id`;
//! - [`MaybeStaff`] — never refuses: `Some(principal)` when signed in (public pages);
//! - [`CsrfToken`] — the session's CSRF token, to put in a form's hidden `csrf_token` field.
//!
//! A refused page request becomes a redirect to `/login?next=…` (not signed in) or a 403
//! page (wrong role, wrong squad); a refused `/api/…` request becomes a 401 / 403 problem.
//! On POST, PUT, PATCH and DELETE, a session-cookie request must also carry the session's
//! CSRF token — in the `X-CSRF-Token` header (scripts on our pages, the API), or in the
//! form field `csrf_token` (read by the [`csrf_forms`] middleware, which `serve` wraps
//! around the app). Without the middleware such forms fail closed (403), never open.
//! Bearer API tokens need no CSRF token: a browser never sends that header on its own.

mod account;
mod csrf;
pub mod links;
mod login;
mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};

use super::AppState;
use super::error::{AppError, PageError};
use super::lang::lang_of;
use crate::auth::session;
use crate::auth::throttle::{Rate, RateLimiter};
pub use crate::auth::{Credential, Principal, Role};
use crate::domain::SquadId;
pub use csrf::{CSRF_FIELD, CSRF_HEADER, csrf_forms};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "doorstep_session";

/// When cookies get the `Secure` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SecureCookies {
    /// When the request came over HTTPS, directly or per `X-Forwarded-Proto`/`Forwarded`
    /// from a TLS-terminating proxy.
    #[default]
    Auto,
    Always,
    Never,
}

impl std::str::FromStr for SecureCookies {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(SecureCookies::Auto),
            "always" => Ok(SecureCookies::Always),
            "never" => Ok(SecureCookies::Never),
            other => Err(format!("`{other}`: use auto, always or never")),
        }
    }
}

/// Settings of accounts and public-form protections.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub secure_cookies: SecureCookies,
    /// Take the client's address from `X-Forwarded-For`/`Forwarded` (only behind a proxy
    /// that sets them; otherwise a client could pick its own address to dodge limits).
    pub trust_proxy: bool,
    /// Filings per client (form and API).
    pub intake_rate: Rate,
    /// Tracking and confirmation page views per client.
    pub track_rate: Rate,
    /// Sign-in attempts (password and link) per client.
    pub login_rate: Rate,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            secure_cookies: SecureCookies::Auto,
            trust_proxy: false,
            // A building leader behind one NAT files for a whole building: generous.
            intake_rate: Rate::per_minute(60, 30),
            track_rate: Rate::per_minute(120, 60),
            login_rate: Rate::per_minute(10, 10),
        }
    }
}

/// Accounts' share of the application state: settings and the rate limiters.
pub struct AuthState {
    pub settings: AuthSettings,
    pub intake: RateLimiter,
    pub track: RateLimiter,
    pub login: RateLimiter,
}

impl AuthState {
    pub fn new(settings: AuthSettings) -> Self {
        AuthState {
            intake: RateLimiter::new(settings.intake_rate),
            track: RateLimiter::new(settings.track_rate),
            login: RateLimiter::new(settings.login_rate),
            settings,
        }
    }

    /// The client's address as the limits see it.
    pub fn client_key(&self, req: &HttpRequest) -> String {
        if self.settings.trust_proxy
            && let Some(ip) = req.connection_info().realip_remote_addr()
        {
            return strip_port(ip).to_owned();
        }
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    /// Counts one request of `req`'s client against `limiter`; `Err(TooManyRequests)` when over.
    pub fn limit(&self, limiter: &RateLimiter, req: &HttpRequest) -> Result<(), AppError> {
        limiter
            .check(&self.client_key(req), std::time::Instant::now())
            .map_err(AppError::TooManyRequests)
    }

    /// Whether cookies set in answer to `req` get `Secure`.
    pub fn secure(&self, req: &HttpRequest) -> bool {
        match self.settings.secure_cookies {
            SecureCookies::Always => true,
            SecureCookies::Never => false,
            SecureCookies::Auto => req.connection_info().scheme() == "https",
        }
    }
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState::new(AuthSettings::default())
    }
}

fn strip_port(addr: &str) -> &str {
    if addr.starts_with('[') {
        return addr
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or(addr);
    }
    match addr.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => addr,
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    login::routes(cfg);
    account::routes(cfg);
    links::routes(cfg);
    tokens::routes(cfg);
}

/// The session cookie carrying `secret` (HttpOnly, SameSite=Lax, Secure per settings).
/// Lax, not Strict: a squad member opening `/squad/…` from a chat message must arrive signed
/// in; cross-site POSTs are stopped by the CSRF token whatever the browser does.
pub fn session_cookie(req: &HttpRequest, state: &AppState, secret: &str) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, secret.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.auth.secure(req))
        .max_age(CookieDuration::hours(session::SESSION_HOURS))
        .finish()
}

/// A cookie that deletes the session cookie.
pub fn removal_cookie(req: &HttpRequest, state: &AppState) -> Cookie<'static> {
    let mut c = session_cookie(req, state, "");
    c.make_removal();
    c
}

/// Where a principal lands after signing in when no page was asked for: coordinators on the
/// dispatch board, squads on their route sheet.
pub fn home_path(p: &Principal) -> String {
    match (p.role, p.squad_id) {
        (Role::Coordinator, _) => "/coord".into(),
        (Role::SquadMember, Some(s)) => format!("/squad/{s}"),
        (Role::SquadMember, None) => "/account".into(),
    }
}

/// The principal resolved for this request, cached in its extensions.
#[derive(Clone)]
struct Resolved(Option<Principal>);

/// Who is signed in on `req` (a bearer token wins over a cookie; a bad bearer token is not
/// rescued by a cookie). Looked up once per request.
pub async fn principal_of(req: &HttpRequest) -> Result<Option<Principal>, AppError> {
    if let Some(r) = req.extensions().get::<Resolved>() {
        return Ok(r.0.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("application state missing".into()))?
        .clone();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|v| v.trim().to_owned());
    let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let principal = match (bearer, cookie) {
        (Some(b), _) => {
            state
                .db
                .read(move |c| session::resolve_api_token(c, &b))
                .await?
        }
        (None, Some(ck)) => {
            state
                .db
                .read(move |c| session::resolve_session(c, &ck))
                .await?
        }
        (None, None) => None,
    };
    req.extensions_mut().insert(Resolved(principal.clone()));
    Ok(principal)
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

/// A page request without a session: to the login page, then back.
#[derive(Debug)]
struct LoginRedirect(String);

impl std::fmt::Display for LoginRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sign-in required; redirecting to {}", self.0)
    }
}

impl ResponseError for LoginRedirect {
    fn status_code(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, self.0.clone()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()
    }
}

/// The refusal as the client should see it: a problem for the API; for pages, the login
/// page (not signed in) or an error page.
fn refuse(req: &HttpRequest, e: AppError) -> actix_web::Error {
    if is_api(req) {
        return e.into();
    }
    match e {
        AppError::Unauthorized => {
            let here = match req.query_string() {
                "" => req.path().to_owned(),
                q => format!("{}?{q}", req.path()),
            };
            let next = if changes_state(req.method()) {
                "/".to_owned()
            } else {
                here
            };
            LoginRedirect(format!("/login?next={}", login::encode_next(&next))).into()
        }
        other => PageError::new(other, lang_of(req)).into(),
    }
}

/// Signed in, and — for a state-changing request from a browser session — carrying the
/// session's CSRF token.
async fn authorize(req: &HttpRequest) -> Result<Principal, AppError> {
    let p = principal_of(req).await?.ok_or(AppError::Unauthorized)?;
    if changes_state(req.method())
        && let Some(expected) = p.csrf_token()
        && !csrf::presented_matches(req, expected)
    {
        return Err(AppError::Forbidden(
            "missing or wrong CSRF token: reload the page and try again".into(),
        ));
    }
    Ok(p)
}

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, actix_web::Error>>>>;

/// Any signed-in coordinator or squad member.
#[derive(Clone, Debug)]
pub struct AnyStaff(pub Principal);

impl FromRequest for AnyStaff {
    type Error = actix_web::Error;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authorize(&req)
                .await
                .map(AnyStaff)
                .map_err(|e| refuse(&req, e))
        })
    }
}

/// A signed-in coordinator.
#[derive(Clone, Debug)]
pub struct Coordinator(pub Principal);

impl FromRequest for Coordinator {
    type Error = actix_web::Error;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let p = authorize(&req).await.map_err(|e| refuse(&req, e))?;
            if p.is_coordinator() {
                Ok(Coordinator(p))
            } else {
                Err(refuse(
                    &req,
                    AppError::Forbidden("for coordinators only".into()),
                ))
            }
        })
    }
}

/// A signed-in squad member (by account or by the squad's login link), with their squad.
#[derive(Clone, Debug)]
pub struct SquadMember {
    pub squad_id: SquadId,
    pub principal: Principal,
}

impl FromRequest for SquadMember {
    type Error = actix_web::Error;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let p = authorize(&req).await.map_err(|e| refuse(&req, e))?;
            match (p.role, p.squad_id) {
                (Role::SquadMember, Some(squad_id)) => Ok(SquadMember {
                    squad_id,
                    principal: p,
                }),
                _ => Err(refuse(
                    &req,
                    AppError::Forbidden("for squad members only".into()),
                )),
            }
        })
    }
}

impl AnyStaff {
    /// Refuses (403) unless this principal may see `squad`: coordinators may see every squad,
    /// a squad member only their own.
    pub fn require_squad(&self, squad: SquadId) -> Result<(), AppError> {
        if self.0.may_see_squad(squad) {
            Ok(())
        } else {
            Err(AppError::Forbidden("this is another squad's".into()))
        }
    }
}

/// Who is signed in, if anyone; never refuses (for pages that anyone may see).
#[derive(Clone, Debug)]
pub struct MaybeStaff(pub Option<Principal>);

impl FromRequest for MaybeStaff {
    type Error = actix_web::Error;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match principal_of(&req).await {
                Ok(p) => Ok(MaybeStaff(p)),
                Err(AppError::Unavailable(m)) => Err(refuse(&req, AppError::Unavailable(m))),
                // A session that cannot be read is no session.
                Err(_) => Ok(MaybeStaff(None)),
            }
        })
    }
}

/// The session's CSRF token for a form's hidden `csrf_token` field (empty for API tokens).
/// Refuses like [`AnyStaff`] when nobody is signed in.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl FromRequest for CsrfToken {
    type Error = actix_web::Error;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let p = principal_of(&req)
                .await
                .and_then(|p| p.ok_or(AppError::Unauthorized))
                .map_err(|e| refuse(&req, e))?;
            Ok(CsrfToken(p.csrf_token().unwrap_or_default().to_owned()))
        })
    }
}

impl std::fmt::Display for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
