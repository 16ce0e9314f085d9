//! `GET /coord/print`: every active squad's route sheet for the day, one after another, each
//! starting on a new A4 page.

use crate::web::auth::Coordinator;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::i18n::Tr;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::sheet::print::{PrintPage, base_url, printed_at, render_sheet};
use crate::web::sheet::{self, sheet_date};
use crate::web::{AppState, view as page};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/print", web::get().to(print_all));
}

async fn print_all(
    req: HttpRequest,
    Coordinator(_me): Coordinator,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let t = Tr::new(lang);
    let date = sheet_date(&state, None).map_err(|e| PageError::new(e, lang))?;
    let all = state
        .db
        .read(move |c| {
            crate::db::squads::list(c, false)?
                .into_iter()
                .map(|s| sheet::load(c, s.id, date))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let base = base_url(&req);
    let st = state.clone();
    let sheets = web::block(move || {
        all.iter()
            .filter(|d| !d.stops.is_empty())
            .map(|d| render_sheet(&st, t, d, date, &base))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| PageError::new(AppError::from(e), lang))?;
    let page = PrintPage {
        t,
        sheets,
        printed_at: printed_at(&state),
        back: "/coord".into(),
    };
    page::html(&req, StatusCode::OK, &page)
}
