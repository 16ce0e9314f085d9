//! API tokens for scripts: `GET /account/tokens` lists the signed-in account's tokens;
//! `POST /account/tokens` makes one (shown once); `POST /account/tokens/{id}/revoke`. A
//! token acts as its account, with its role. A squad's link session has no account and so no
//! tokens.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AnyStaff, AppState};
use crate::auth::{AuthError, Principal, accounts};
use crate::db::{Timestamp, api_tokens};
use crate::domain::{ApiTokenId, UserId};
use crate::i18n::Tr;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::view;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/tokens", web::get().to(list))
        .route("/account/tokens", web::post().to(create))
        .route("/account/tokens/{id}/revoke", web::post().to(revoke));
}

struct TokenView {
    id: String,
    name: String,
    created: String,
    expires: String,
    live: bool,
}

#[derive(askama::Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    t: Tr,
    csrf: String,
    tokens: Vec<TokenView>,
    /// The token just made, shown once.
    issued: String,
}

fn account_of(p: &Principal, req: &HttpRequest) -> Result<UserId, PageError> {
    p.user_id.ok_or_else(|| {
        PageError::new(
            AppError::Forbidden("a squad link session has no account".into()),
            lang_of(req),
        )
    })
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    p: &Principal,
    issued: String,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(req);
    let user = account_of(p, req)?;
    let offset = state.config.utc_offset;
    let rows = state
        .db
        .read(move |c| api_tokens::list(c, Some(user)))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let now = Timestamp::now();
    let page = TokensPage {
        t: Tr::new(lang),
        csrf: p.csrf_token().unwrap_or_default().to_owned(),
        tokens: rows
            .iter()
            .map(|r| TokenView {
                id: r.id.to_string(),
                name: r.name.clone(),
                created: view::local_time(r.created_at, offset),
                expires: r
                    .expires_at
                    .map(|t| view::local_time(t, offset))
                    .unwrap_or_default(),
                live: r.is_live(now),
            })
            .collect(),
        issued,
    };
    view::html(req, StatusCode::OK, &page)
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    AnyStaff(me): AnyStaff,
) -> Result<HttpResponse, PageError> {
    render(&req, &state, &me, String::new()).await
}

#[derive(serde::Deserialize)]
struct CreateForm {
    name: String,
    #[serde(default)]
    days: String,
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    AnyStaff(me): AnyStaff,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let user = account_of(&me, &req)?;
    let days = match form.days.trim() {
        "" => None,
        d => Some(d.parse::<i64>().map_err(|_| {
            PageError::new(AppError::BadRequest("days: a whole number".into()), lang)
        })?),
    };
    let name = form.name.clone();
    let actor = me.actor();
    let made = state
        .db
        .write(move |c| {
            Ok(
                match accounts::create_api_token(c, user, &name, days, &actor) {
                    Err(AuthError::Db(e)) => return Err(e),
                    other => other,
                },
            )
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let (secret, _) =
        made.map_err(|e| PageError::new(AppError::BadRequest(e.to_string()), lang))?;
    render(&req, &state, &me, secret).await
}

async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    AnyStaff(me): AnyStaff,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let user = account_of(&me, &req)?;
    let id: ApiTokenId = id
        .parse()
        .map_err(|_| PageError::new(AppError::NotFound, lang))?;
    let actor = me.actor();
    let coordinator = me.is_coordinator();
    state
        .db
        .write(move |c| {
            let mine = api_tokens::list(c, Some(user))?.iter().any(|t| t.id == id);
            if !mine && !coordinator {
                return Err(crate::db::DbError::NotFound);
            }
            api_tokens::revoke(c, id, &actor)
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/account/tokens"))
        .finish())
}
