//! `GET /account`: who is signed in, with the sign-out button.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AnyStaff, AppState};
use crate::auth::Credential;
use crate::i18n::Tr;
use crate::web::error::PageError;
use crate::web::lang::lang_of;
use crate::web::view;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(account));
}

#[derive(askama::Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    display_name: String,
    username: String,
    role: String,
    squad: String,
    via_link: bool,
    csrf: String,
}

async fn account(
    req: HttpRequest,
    state: web::Data<AppState>,
    AnyStaff(p): AnyStaff,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let t = Tr::new(lang);
    let squad = match p.squad_id {
        Some(id) => state
            .db
            .read(move |c| crate::db::squads::get(c, id))
            .await
            .map(|s| s.name)
            .map_err(|e| PageError::new(e, lang))?,
        None => String::new(),
    };
    let page = AccountPage {
        t,
        display_name: p.display_name.clone(),
        username: p.username.clone(),
        role: t.code("role", p.role.as_str()),
        squad,
        via_link: matches!(p.credential, Credential::Session { link: Some(_), .. }),
        csrf: p.csrf_token().unwrap_or_default().to_owned(),
    };
    view::html(&req, StatusCode::OK, &page)
}
