//! `GET /filed/{token}`: the confirmation after filing, with the tracking link to keep.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::{AppError, PageError};
use super::lang::lang_of;
use super::{AppState, view};
use crate::domain::TrackingToken;
use crate::i18n::Tr;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/filed/{token}", web::get().to(confirmation));
}

#[derive(askama::Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    t: Tr,
    track_path: String,
}

async fn confirmation(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    // Guessing tokens is slowed by the per-client limit; a malformed and an unknown token get
    // the same 404 page, so an answer says nothing about which tokens exist.
    state
        .auth
        .limit(&state.auth.track, &req)
        .map_err(|e| PageError::new(e, lang))?;
    let token = TrackingToken::parse(&token).ok_or(PageError::new(AppError::NotFound, lang))?;
    let t2 = token.clone();
    state
        .db
        .read(move |c| crate::db::requests::get_by_token(c, &t2))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let page = ConfirmPage {
        t: Tr::new(lang),
        track_path: format!("/t/{token}"),
    };
    view::html(&req, StatusCode::OK, &page)
}
