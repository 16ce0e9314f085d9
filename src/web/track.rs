//! `GET /t/{token}`: a resident follows their request. Plain words for the status, the
//! steps so far, what was asked; name and phone masked (the link may be forwarded).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::error::{AppError, PageError};
use super::lang::lang_of;
use super::{AppState, view};
use crate::domain::{RequestStatus, TrackingToken};
use crate::i18n::Tr;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/t/{token}", web::get().to(track));
}

struct Step {
    label: String,
    done: bool,
    current: bool,
}

#[derive(askama::Template)]
#[template(path = "track.html")]
struct TrackPage {
    t: Tr,
    status_code: &'static str,
    status_word: String,
    status_explain: String,
    failure: String,
    steps: Vec<Step>,
    who: String,
    address: String,
    category: String,
    items: Vec<String>,
    urgency: String,
    filed_at: String,
    updated_at: String,
    track_path: String,
}

/// The happy path a request walks; the current status marks how far it got.
const PATH: [RequestStatus; 4] = [
    RequestStatus::New,
    RequestStatus::Assigned,
    RequestStatus::OutForDelivery,
    RequestStatus::Delivered,
];

async fn track(
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
    let r = state
        .db
        .read(move |c| crate::db::requests::get_by_token(c, &t2))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let t = Tr::new(lang);
    let reached = match r.status {
        RequestStatus::New | RequestStatus::NeedsReview => 0,
        RequestStatus::Assigned => 1,
        RequestStatus::OutForDelivery => 2,
        RequestStatus::Delivered => 3,
        // Failed or cancelled: received, then stopped.
        RequestStatus::Failed | RequestStatus::Cancelled => 0,
    };
    let steps = PATH
        .iter()
        .enumerate()
        .map(|(i, s)| Step {
            label: t.code("status", s.as_str()),
            done: i <= reached,
            current: i == reached && r.status.is_open(),
        })
        .collect();
    let mut address = r.address_text.clone();
    for part in [&r.building, &r.unit, &r.room].into_iter().flatten() {
        address.push(' ');
        address.push_str(part);
    }
    let offset = state.config.utc_offset;
    let page = TrackPage {
        t,
        status_code: r.status.as_str(),
        status_word: t.code("status", r.status.as_str()),
        status_explain: t.get(&format!("status.{}.explain", r.status)).to_owned(),
        failure: r
            .failure_reason
            .map(|f| t.code("failure", f.as_str()))
            .unwrap_or_default(),
        steps,
        who: format!(
            "{} · {}",
            view::mask_name(&r.resident_name),
            view::mask_phone(&r.phone)
        ),
        address,
        category: t.code("category", r.category.as_str()),
        items: crate::intake::parse_items_json(&r.items)
            .into_iter()
            .map(|i| format!("{} × {}{}", i.name, i.quantity, i.unit.unwrap_or_default()))
            .collect(),
        urgency: t.code("urgency", r.urgency.as_str()),
        filed_at: view::local_time(r.created_at, offset),
        updated_at: view::local_time(r.updated_at, offset),
        track_path: format!("/t/{token}"),
    };
    view::html(&req, StatusCode::OK, &page)
}
