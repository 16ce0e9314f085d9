//! `GET /login`, `POST /login`: sign in with username and password. `POST /logout`: sign out.
//! `GET /l/{secret}`: a squad's login link (QR code) opens a squad session.
//!
//! The login form carries its own CSRF token (double-submit: a random value in a cookie and
//! in the form must agree), so another site cannot sign a browser into an account of its
//! choosing. Wrong credentials re-render the form (401) with one message that does not say
//! whether the username exists; too many failures lock the account for a while (shared by
//! every instance), and each client may try only so often (429 with the wait in seconds).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AnyStaff, AppState, home_path, removal_cookie, session_cookie};
use crate::auth::{AuthError, session};
use crate::i18n::Tr;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::view;

const LOGIN_CSRF_COOKIE: &str = "doorstep_login";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login_submit))
        .route("/logout", web::post().to(logout))
        .route("/l/{secret}", web::get().to(open_link));
}

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    username: String,
    next: String,
    csrf: String,
    /// The message above the form ("" when none).
    error: String,
}

/// `next` if it is a path on this site (not `//host`, not a URL), else "".
fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 512
        && !next.chars().any(|c| c.is_control());
    if ok { next.to_owned() } else { String::new() }
}

/// Percent-encodes `next` for the login URL's query.
pub(super) fn encode_next(next: &str) -> String {
    serde_urlencoded::to_string([("", next)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

fn query_next(req: &HttpRequest) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()
        .and_then(|q| q.into_iter().find(|(k, _)| k == "next").map(|(_, v)| v))
        .map(|n| safe_next(&n))
        .unwrap_or_default()
}

fn render(
    req: &HttpRequest,
    status: StatusCode,
    username: &str,
    next: &str,
    error: String,
) -> Result<HttpResponse, PageError> {
    let csrf = crate::auth::secret::generate("");
    let page = LoginPage {
        t: Tr::new(lang_of(req)),
        username: username.chars().take(40).collect(),
        next: next.to_owned(),
        csrf: csrf.clone(),
        error,
    };
    let mut resp = view::html(req, status, &page)?;
    let cookie = Cookie::build(LOGIN_CSRF_COOKIE, csrf)
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    resp.add_cookie(&cookie)
        .map_err(|e| PageError::new(AppError::Internal(e.to_string()), lang_of(req)))?;
    Ok(resp)
}

async fn login_form(req: HttpRequest) -> Result<HttpResponse, PageError> {
    let next = query_next(&req);
    render(&req, StatusCode::OK, "", &next, String::new())
}

#[derive(serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf_token: String,
}

async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let t = Tr::new(lang);
    let form = form.into_inner();
    let next = safe_next(&form.next);
    state
        .auth
        .limit(&state.auth.login, &req)
        .map_err(|e| PageError::new(e, lang))?;
    let cookie_csrf = req.cookie(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned());
    if !cookie_csrf.is_some_and(|c| crate::auth::secret::equal(&c, &form.csrf_token)) {
        // An expired form, or a form posted from another site: show a fresh one.
        return render(
            &req,
            StatusCode::FORBIDDEN,
            &form.username,
            &next,
            t.get("login.expired").to_owned(),
        );
    }
    if form.username.trim().is_empty() || form.password.is_empty() {
        return render(
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.username,
            &next,
            t.get("login.missing").to_owned(),
        );
    }
    let username = form.username.clone();
    let password = form.password;
    let db = state.db.clone();
    // argon2 is slow on purpose: on a blocking thread, with the database reads it needs.
    let checked = web::block(move || {
        db.read_blocking(|c| Ok(session::check_password(c, &username, &password)))
    })
    .await
    .map_err(|e| PageError::new(AppError::from(e), lang))?
    .map_err(|e| PageError::new(e, lang))?;
    match checked {
        Ok(user) => {
            let opened = state
                .db
                .write(move |c| session::open_for_user(c, &user).map(|s| (s, user)))
                .await
                .map_err(|e| PageError::new(e, lang))?;
            let (s, user) = opened;
            let principal = crate::auth::Principal {
                user_id: Some(user.id),
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                role: user.role,
                squad_id: user.squad_id,
                credential: crate::auth::Credential::Session {
                    csrf_token: s.row.csrf_token.clone(),
                    link: None,
                },
            };
            tracing::info!(user = %user.username, "signed in");
            let to = if next.is_empty() {
                home_path(&principal)
            } else {
                next
            };
            signed_in(&req, &state, &s.secret, &to)
        }
        Err(AuthError::Locked(secs)) => Err(PageError::new(AppError::TooManyRequests(secs), lang)),
        Err(AuthError::BadCredentials) => {
            let name = form.username.clone();
            let locked = state
                .db
                .write(move |c| session::record_failure(c, &name))
                .await
                .map_err(|e| PageError::new(e, lang))?;
            tracing::warn!(locked_s = ?locked, "failed sign-in");
            render(
                &req,
                StatusCode::UNAUTHORIZED,
                &form.username,
                &next,
                t.get("login.wrong").to_owned(),
            )
        }
        Err(AuthError::Db(e)) => Err(PageError::new(e, lang)),
        Err(other) => Err(PageError::new(AppError::Internal(other.to_string()), lang)),
    }
}

/// 303 to `to` with the new session cookie; the login form's cookie is dropped.
fn signed_in(
    req: &HttpRequest,
    state: &AppState,
    secret: &str,
    to: &str,
) -> Result<HttpResponse, PageError> {
    let mut gone = Cookie::build(LOGIN_CSRF_COOKIE, "").path("/login").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .cookie(session_cookie(req, state, secret))
        .cookie(gone)
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// Signs out (CSRF-checked by the extractor): the session row is deleted, so the cookie is
/// worthless on every instance even if a copy survives.
async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    _staff: AnyStaff,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    if let Some(c) = req.cookie(super::SESSION_COOKIE) {
        let secret = c.value().to_owned();
        state
            .db
            .write(move |conn| session::close(conn, &secret))
            .await
            .map_err(|e| PageError::new(e, lang))?;
    }
    Ok(HttpResponse::SeeOther()
        .cookie(removal_cookie(&req, &state))
        .insert_header((header::LOCATION, "/login"))
        .finish())
}

/// A squad's login link: opens a squad session and goes to the squad's sheet. An unknown,
/// expired or revoked link shows the same page (nothing to learn by trying).
async fn open_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    secret: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    state
        .auth
        .limit(&state.auth.login, &req)
        .map_err(|e| PageError::new(e, lang))?;
    let secret = secret.into_inner();
    let opened = state
        .db
        .write(move |c| {
            Ok(match session::open_with_link(c, &secret) {
                Ok(s) => Ok(s),
                Err(AuthError::Db(e)) => return Err(e),
                Err(other) => Err(other),
            })
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    match opened {
        Ok(s) => {
            let resolved = state
                .db
                .read({
                    let secret = s.secret.clone();
                    move |c| session::resolve_session(c, &secret)
                })
                .await
                .map_err(|e| PageError::new(e, lang))?;
            let to = resolved
                .as_ref()
                .map(home_path)
                .unwrap_or_else(|| "/".into());
            signed_in(&req, &state, &s.secret, &to)
        }
        Err(_) => {
            let t = Tr::new(lang);
            render(
                &req,
                StatusCode::NOT_FOUND,
                "",
                "",
                t.get("login.link_invalid").to_owned(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/coord?x=1"), "/coord?x=1");
        assert_eq!(safe_next("//evil.example/"), "");
        assert_eq!(safe_next("/\\evil.example"), "");
        assert_eq!(safe_next("https://evil.example/"), "");
        assert_eq!(safe_next("/a\nb"), "");
        assert_eq!(encode_next("/squad/1?a=b&c"), "%2Fsquad%2F1%3Fa%3Db%26c");
    }
}
