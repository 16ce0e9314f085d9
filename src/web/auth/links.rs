//! Squad sign-in links for coordinators: `GET /account/links` lists every squad with its live
//! links; `POST /account/links` makes one (shown once, with its QR code, to print or send);
//! `POST /account/links/{id}/revoke` revokes one and ends the sessions it opened.
//!
//! [`issue_link`] is the same for other pages (the printed route sheet's QR code).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AppState, Coordinator};
use crate::auth::{AuthError, accounts, qr};
use crate::db::{DbError, Timestamp, login_links, squads};
use crate::domain::{LoginLinkId, SquadId};
use crate::i18n::Tr;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::view;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/links", web::get().to(list))
        .route("/account/links", web::post().to(create))
        .route("/account/links/{id}/revoke", web::post().to(revoke));
}

/// A fresh sign-in link for `squad`.
pub struct IssuedLink {
    pub id: LoginLinkId,
    /// The full URL (`https://host/l/dsl_…`), as seen from `req`.
    pub url: String,
    /// The URL as an inline `<svg>` QR code.
    pub qr_svg: String,
    pub expires_at: Timestamp,
}

/// The site's own origin as the client reached it (`https://host`), for links to print.
pub fn origin_of(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// Makes a link for `squad` valid `hours`, on behalf of `actor` (a coordinator's
/// `principal.actor()`). Refusals (inactive squad, hours out of range) are 422-ish
/// `AppError::BadRequest`s.
pub async fn issue_link(
    req: &HttpRequest,
    state: &AppState,
    squad: SquadId,
    hours: i64,
    actor: String,
) -> Result<IssuedLink, AppError> {
    let made = state
        .db
        .write(move |c| {
            Ok(match accounts::create_link(c, squad, hours, &actor) {
                Err(AuthError::Db(e)) => return Err(e),
                other => other,
            })
        })
        .await?;
    let (secret, row) = made.map_err(|e| match e {
        AuthError::Db(DbError::NotFound) => AppError::NotFound,
        other => AppError::BadRequest(other.to_string()),
    })?;
    let url = format!("{}/l/{secret}", origin_of(req));
    let qr_svg = qr::svg(&url, 240).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(IssuedLink {
        id: row.id,
        url,
        qr_svg,
        expires_at: row.expires_at,
    })
}

struct LinkView {
    id: String,
    created: String,
    expires: String,
    last_used: String,
    created_by: String,
}

struct SquadLinks {
    id: String,
    name: String,
    links: Vec<LinkView>,
}

#[derive(askama::Template)]
#[template(path = "links.html")]
struct LinksPage {
    t: Tr,
    csrf: String,
    squads: Vec<SquadLinks>,
    /// The link just made: (squad name, URL, QR svg, expires).
    issued: Option<(String, String, String, String)>,
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    csrf: String,
    issued: Option<(String, String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(req);
    let offset = state.config.utc_offset;
    let (all, links) = state
        .db
        .read(|c| Ok((squads::list(c, false)?, login_links::list(c, None)?)))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let now = Timestamp::now();
    let squads = all
        .into_iter()
        .map(|s| SquadLinks {
            id: s.id.to_string(),
            links: links
                .iter()
                .filter(|l| l.squad_id == s.id && l.is_live(now))
                .map(|l| LinkView {
                    id: l.id.to_string(),
                    created: view::local_time(l.created_at, offset),
                    expires: view::local_time(l.expires_at, offset),
                    last_used: l
                        .last_used_at
                        .map(|t| view::local_time(t, offset))
                        .unwrap_or_default(),
                    created_by: l.created_by.clone(),
                })
                .collect(),
            name: s.name,
        })
        .collect();
    let page = LinksPage {
        t: Tr::new(lang),
        csrf,
        squads,
        issued,
    };
    view::html(req, StatusCode::OK, &page)
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(me): Coordinator,
) -> Result<HttpResponse, PageError> {
    render(
        &req,
        &state,
        me.csrf_token().unwrap_or_default().to_owned(),
        None,
    )
    .await
}

#[derive(serde::Deserialize)]
struct CreateForm {
    squad_id: String,
    hours: String,
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(me): Coordinator,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let squad: SquadId = form
        .squad_id
        .parse()
        .map_err(|_| PageError::new(AppError::BadRequest("not a squad id".into()), lang))?;
    let hours: i64 =
        form.hours.trim().parse().map_err(|_| {
            PageError::new(AppError::BadRequest("hours: a whole number".into()), lang)
        })?;
    let issued = issue_link(&req, &state, squad, hours, me.actor())
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let name = state
        .db
        .read(move |c| squads::get(c, squad))
        .await
        .map_err(|e| PageError::new(e, lang))?
        .name;
    let expires = view::local_time(issued.expires_at, state.config.utc_offset);
    render(
        &req,
        &state,
        me.csrf_token().unwrap_or_default().to_owned(),
        Some((name, issued.url, issued.qr_svg, expires)),
    )
    .await
}

async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    Coordinator(me): Coordinator,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let id: LoginLinkId = id
        .parse()
        .map_err(|_| PageError::new(AppError::NotFound, lang))?;
    let actor = me.actor();
    state
        .db
        .write(move |c| login_links::revoke(c, id, &actor))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/account/links"))
        .finish())
}
