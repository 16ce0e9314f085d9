//! The printed route sheet: one A4 page per squad (more when the list is long), legible in
//! black and white — a map drawn as SVG on the server (no script, no tiles), the ordered list
//! with boxes to tick, and a QR code to the live sheet. `GET /squad/{id}/print` prints one
//! squad; the dispatch board prints every squad's with [`render_sheets`].

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;

use super::data::SheetData;
use super::view::{self, SheetView};
use super::{DateQuery, parse_squad, qr, sheet_date};
use crate::domain::ZoneKind;
use crate::i18n::{Lang, Tr};
use crate::mapview::svg::{self, Overlay};
use crate::web::auth::AnyStaff;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::{AppState, view as page};

/// Map size on paper, in SVG units (the page scales it to the printable width).
const MAP_W: f64 = 760.0;
const MAP_H: f64 = 420.0;

pub struct PrintedSheet {
    pub v: SheetView,
    pub map_svg: String,
    pub qr_svg: String,
    pub live_url: String,
}

#[derive(askama::Template)]
#[template(path = "squad_print.html")]
pub struct PrintPage {
    pub t: Tr,
    pub sheets: Vec<PrintedSheet>,
    pub printed_at: String,
    pub back: String,
}

fn overlay(v: &SheetView, data: &SheetData) -> Overlay {
    let mut zones = Vec::new();
    let mut checkpoints = Vec::new();
    let used: std::collections::HashSet<_> =
        data.stops.iter().filter_map(|s| s.stop.zone_id).collect();
    for z in data
        .zones
        .values()
        .filter(|z| z.active || used.contains(&z.id))
    {
        let Ok(poly) = crate::zone::parse_geojson_polygon(&z.polygon) else {
            continue;
        };
        let rings: Vec<Vec<[f64; 2]>> = poly
            .0
            .iter()
            .map(|p| p.exterior().0.iter().map(|c| [c.x, c.y]).collect())
            .collect();
        zones.push((rings, z.kind == ZoneKind::HighRisk));
        if let (Some(x), Some(y)) = (z.checkpoint_lon, z.checkpoint_lat) {
            checkpoints.push([x, y]);
        }
    }
    Overlay {
        route: v.legs.iter().map(|l| l.line.clone()).collect(),
        stops: v
            .stops
            .iter()
            .map(|s| (s.number, [s.lon, s.lat], s.done))
            .collect(),
        base: Some(v.base),
        zones,
        checkpoints,
    }
}

/// One squad's printed sheet. `base_url` is how phones reach this server (for the QR code).
pub fn render_sheet(
    state: &AppState,
    t: Tr,
    data: &SheetData,
    date: NaiveDate,
    base_url: &str,
) -> PrintedSheet {
    let network = state.engine.as_ref().map(|e| e.roads());
    let v = view::build(t, data, network.as_deref(), state.config.utc_offset, date);
    let ov = overlay(&v, data);
    let map_svg = match svg::frame_of(&ov, MAP_W, MAP_H) {
        Some(frame) => svg::render(
            state.map_layers.as_deref(),
            &frame,
            MAP_W,
            MAP_H,
            &ov,
            t.lang == Lang::En,
            t.get("map.attribution"),
        ),
        None => String::new(),
    };
    let live_url = format!("{base_url}/squad/{}", v.squad_id);
    PrintedSheet {
        qr_svg: qr::svg(&live_url).unwrap_or_default(),
        live_url,
        map_svg,
        v,
    }
}

/// `scheme://host` as the client reached this server.
pub fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

pub fn printed_at(state: &AppState) -> String {
    chrono::Utc::now()
        .with_timezone(&state.config.utc_offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(super) async fn print(
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
        .read(move |c| super::load(c, squad, date))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let base = base_url(&req);
    let st = state.clone();
    let sheet = web::block(move || render_sheet(&st, t, &data, date, &base))
        .await
        .map_err(|e| PageError::new(AppError::from(e), lang))?;
    let page = PrintPage {
        t,
        sheets: vec![sheet],
        printed_at: printed_at(&state),
        back: format!("/squad/{squad}"),
    };
    page::html(&req, StatusCode::OK, &page)
}
