//! The coordinator's dispatch board: `GET /coord` (the map of every open request coloured by
//! status and urgency, the squads' routes and the zones; the needs-review queue; squads and
//! their stops; zones), its data `GET /coord/board.json` (see [`data`]), and the pages and
//! forms behind it: a request ([`request`]), squads ([`squads`]), zones ([`zones`]), printing
//! every squad's sheet ([`print_all`]).
//!
//! Every action is a plain form that works without JavaScript; `static/board.js` adds the
//! map, drag and drop between squads' lists, a draggable pin for uncertain locations and live
//! updates by polling, and posts the same forms with `Accept: application/json`.

mod actions;
mod data;
mod dispatch;
mod open;
mod print_all;
mod request;
mod review;
mod squads;
mod zones;

use crate::web::auth::Coordinator;
use actix_web::http::StatusCode;
use actix_web::middleware::Compress;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::error::PageError;
use super::lang::lang_of;
use super::sheet::{js_i18n, sheet_date};
use super::{AppState, view as page};
use crate::i18n::Tr;

pub use review::{ReviewItem, review_items};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/coord")
            .wrap(Compress::default())
            .route("", web::get().to(board))
            .route("/board.json", web::get().to(data::board_json))
            .configure(request::routes)
            .configure(squads::routes)
            .configure(zones::routes)
            .configure(print_all::routes)
            .configure(dispatch::routes),
    );
}

/// The words `static/board.js` shows, in the page's language.
const JS_KEYS: &[&str] = &[
    "map.attribution",
    "map.no_map",
    "board.checkpoint",
    "board.moved",
    "board.conflict",
    "board.refused",
    "board.offline",
    "board.no_stops",
    "board.stops",
    "board.move_to",
    "board.move",
    "board.replan",
    "board.sheet",
    "board.print",
    "board.edit",
    "board.confirm_pin",
    "board.pin_hint",
    "board.pin_keys",
    "board.map",
    "board.close",
    "board.list_count",
    "board.list_more",
    "board.draw_hint",
    "board.drawn",
    "board.details",
    "board.unlocated",
    "board.loading",
    "board.updated",
    "board.perf",
    "board.cluster",
    "board.households",
    "board.min",
    "board.delta",
    "board.confirmed",
    "board.saved",
    "board.pinned",
    "board.flash.replanned",
    "plans.unserved_title",
    "plans.unserved_none",
    "unserved.no_squad_available",
    "unserved.no_squad_with_skill",
    "unserved.outside_every_area",
    "unserved.exceeds_capacity",
    "unserved.unreachable",
    "unserved.deadline_cannot_be_met",
    "unserved.outside_hours",
    "unserved.no_capacity_left",
    "unserved.no_road_nearby",
    "status.new",
    "status.needs_review",
    "status.assigned",
    "status.out_for_delivery",
    "status.delivered",
    "status.failed",
    "status.cancelled",
    "urgency.extremely_urgent",
    "urgency.urgent",
    "urgency.normal",
    "stop_status.pending",
    "stop_status.arrived",
    "stop_status.delivered",
    "stop_status.failed",
    "mode.foot",
    "mode.tricycle",
    "mode.van",
];

#[derive(Deserialize)]
pub(crate) struct BoardQuery {
    /// A message after a form posted without JavaScript: a catalogue key under `board.flash.`.
    done: Option<String>,
    /// Free detail of that message (deltas of a move), already in words.
    detail: Option<String>,
    /// The day shown, `YYYY-MM-DD` (default today).
    pub(crate) date: Option<String>,
}

pub(crate) struct SquadLine {
    pub id: String,
    pub name: String,
    pub summary: String,
}

/// A request the day's plan left out, and why.
pub(crate) struct UnservedLine {
    pub id: String,
    pub label: String,
    pub reason: String,
}

pub(crate) struct ZoneLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_code: &'static str,
}

#[derive(askama::Template)]
#[template(path = "board.html")]
struct BoardPage {
    t: Tr,
    csrf: String,
    js_i18n: String,
    date: String,
    open_count: usize,
    review: Vec<ReviewItem>,
    review_total: usize,
    squads: Vec<SquadLine>,
    zones: Vec<ZoneLine>,
    unserved: Vec<UnservedLine>,
    flash: Option<String>,
    lang: &'static str,
    /// The extract's bounds, where the map starts when no request has a position yet.
    bounds: String,
}

/// The review queue shows the oldest 50; the page says when there are more (each confirmed
/// location leaves the queue, and the next page load brings the following ones).
const REVIEW_SHOWN: usize = 50;

async fn board(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<BoardQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let t = Tr::new(lang);
    let date = sheet_date(&state, q.date.as_deref()).map_err(|e| PageError::new(e, lang))?;
    let (counts, needs, squads, zones, unserved) = state
        .db
        .read(move |c| {
            let counts = open::counts(c)?;
            let needs = open::review_page(c, REVIEW_SHOWN as i64)?;
            let squads = crate::db::squads::list(c, true)?;
            let zones = crate::db::zones::list(c, true)?;
            let unserved = crate::db::unserved::for_date(c, date)?;
            Ok((counts, needs, squads, zones, unserved))
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let (open_count, review_total) = (counts.0 as usize, counts.1 as usize);
    let review = review_items(t, needs.iter(), state.config.utc_offset);
    let flash = q.done.as_deref().map(|d| {
        let key = format!("board.flash.{d}");
        let mut m = if crate::i18n::has(&key) {
            t.get(&key).to_owned()
        } else {
            t.get("board.saved").to_owned()
        };
        if let Some(detail) = q.detail.as_deref() {
            m.push(' ');
            m.extend(detail.chars().take(200));
        }
        m
    });
    let page = BoardPage {
        t,
        csrf: me.csrf_token().unwrap_or_default().to_owned(),
        js_i18n: js_i18n(t, JS_KEYS),
        date: date.format("%Y-%m-%d").to_string(),
        open_count,
        review,
        review_total,
        squads: squads
            .iter()
            .map(|s| SquadLine {
                id: s.id.to_string(),
                name: s.name.clone(),
                summary: format!(
                    "{} · {} · {}{}",
                    t.code("mode", s.travel_mode.as_str()),
                    format_args!(
                        "{}–{}",
                        s.shift_start.format("%H:%M"),
                        s.shift_end.format("%H:%M")
                    ),
                    s.capacity_items,
                    if s.active {
                        String::new()
                    } else {
                        format!(" · {}", t.get("board.inactive"))
                    }
                ),
            })
            .collect(),
        zones: zones
            .iter()
            .map(|z| ZoneLine {
                id: z.id.to_string(),
                name: z.name.clone(),
                kind: t.code("zone_kind", z.kind.as_str()),
                kind_code: z.kind.as_str(),
            })
            .collect(),
        unserved: unserved
            .iter()
            .map(|u| UnservedLine {
                id: u.request_id.to_string(),
                label: u.stop_label.clone(),
                reason: crate::i18n::unserved_reason(lang, u.reason),
            })
            .collect(),
        flash,
        lang: lang.code(),
        bounds: crate::web::map_layers::bounds_json(&state),
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
