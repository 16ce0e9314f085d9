//! The squad's route sheet: `GET /squad/{id}` (today's stops in order, households, what to
//! hand over, phones, zone warnings, the map and directions, and one-thumb buttons to mark
//! each stop), `GET /squad/{id}/print` (one A4 page per squad, see [`print`]), and the stop
//! marks posted from it (see [`mark`]).
//!
//! The page works without JavaScript (each button is a form); with it, `static/sheet.js`
//! keeps taps in the phone's storage until the server has them, so a tap is never lost on a
//! patchy connection.

mod data;
mod legs;
mod mark;
pub mod print;
mod qr;
mod view;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::{AppError, PageError};
use super::lang::lang_of;
use super::{AppState, view as page};
use crate::domain::{FailureReason, SquadId};
use crate::i18n::Tr;
use crate::web::auth::AnyStaff;

pub use data::{current_plan, load};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/squad", web::get().to(my_sheet))
        .route("/squad/{squad}", web::get().to(sheet))
        .route("/squad/{squad}/print", web::get().to(print::print))
        .configure(mark::routes);
}

#[derive(Deserialize)]
pub(crate) struct DateQuery {
    date: Option<String>,
    /// A message to show after a mark posted without JavaScript.
    done: Option<String>,
}

pub(crate) fn parse_squad(s: &str) -> Result<SquadId, AppError> {
    s.parse()
        .map_err(|_| AppError::BadRequest("malformed squad id".into()))
}

/// The day a sheet shows: `?date=YYYY-MM-DD`, or today in the configured offset.
pub(crate) fn sheet_date(state: &AppState, q: Option<&str>) -> Result<NaiveDate, AppError> {
    match q.filter(|d| !d.is_empty()) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            AppError::BadQuery(vec![(
                "date".into(),
                "write the date as YYYY-MM-DD, e.g. 2022-11-29".into(),
            )])
        }),
        None => Ok(chrono::Utc::now()
            .with_timezone(&state.config.utc_offset)
            .date_naive()),
    }
}

/// The words `static/sheet.js` needs, in the page's language.
const JS_KEYS: &[&str] = &[
    "js.outbox.pending",
    "js.outbox.sending",
    "js.outbox.offline",
    "js.mark.queued",
    "js.mark.refused",
    "js.mark.saved",
    "stop_status.pending",
    "stop_status.arrived",
    "stop_status.delivered",
    "stop_status.failed",
    "map.attribution",
    "map.no_map",
];

pub(crate) fn js_i18n(t: Tr, keys: &[&str]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), serde_json::Value::from(t.get(k))))
        .collect();
    serde_json::Value::Object(map).to_string()
}

pub(crate) struct Reason {
    pub code: &'static str,
    pub label: String,
}

#[derive(askama::Template)]
#[template(path = "squad_sheet.html")]
struct SheetPage {
    t: Tr,
    v: view::SheetView,
    map_json: String,
    js_i18n: String,
    csrf: String,
    print_path: String,
    sheet_path: String,
    mark_base: String,
    reasons: Vec<Reason>,
    flash: Option<String>,
}

/// `/squad`: a squad member's own sheet; a coordinator's is the board.
async fn my_sheet(staff: AnyStaff) -> HttpResponse {
    let to = match staff.0.squad_id {
        Some(s) if !staff.0.is_coordinator() => format!("/squad/{s}"),
        _ => "/coord".to_owned(),
    };
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, to))
        .finish()
}

async fn sheet(
    req: HttpRequest,
    staff: AnyStaff,
    state: web::Data<AppState>,
    squad: web::Path<String>,
    q: web::Query<DateQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let t = Tr::new(lang);
    let squad = parse_squad(&squad).map_err(|e| PageError::new(e, lang))?;
    staff
        .require_squad(squad)
        .map_err(|e| PageError::new(e, lang))?;
    let date = sheet_date(&state, q.date.as_deref()).map_err(|e| PageError::new(e, lang))?;
    let data = state
        .db
        .read(move |c| load(c, squad, date))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let network = state.engine.as_ref().map(|e| e.roads());
    let offset = state.config.utc_offset;
    let v = web::block(move || view::build(t, &data, network.as_deref(), offset, date))
        .await
        .map_err(|e| PageError::new(AppError::from(e), lang))?;
    let flash = q.done.as_deref().and_then(|d| match d {
        "arrived" | "delivered" | "failed" => Some(t.get("js.mark.saved").to_owned()),
        _ => None,
    });
    let page = SheetPage {
        t,
        map_json: view::map_json(&v).to_string(),
        js_i18n: js_i18n(t, JS_KEYS),
        csrf: staff.0.csrf_token().unwrap_or_default().to_owned(),
        print_path: format!("/squad/{squad}/print"),
        sheet_path: format!("/squad/{squad}"),
        mark_base: format!("/squad/{squad}/stops"),
        reasons: FailureReason::ALL
            .iter()
            .map(|r| Reason {
                code: r.as_str(),
                label: t.code("failure", r.as_str()),
            })
            .collect(),
        flash,
        v,
    };
    page::html(&req, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_word_is_in_the_catalogue() {
        for k in JS_KEYS {
            assert!(crate::i18n::has(k), "{k}");
        }
    }
}
