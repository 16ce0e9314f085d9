//! One request on the board: `GET /coord/requests/{id}` (everything about it, its place on a
//! route, the forms to change its urgency or confirm its location, and its audit trail;
//! `?fragment=1` gives the same without the page around it, for the board's side panel),
//! `POST /coord/requests/{id}/urgency` and `POST /coord/requests/{id}/location`.

use crate::web::auth::Coordinator;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::actions;
use super::review::{ReviewItem, review_item};
use crate::db::events::EventRow;
use crate::db::requests::RequestRow;
use crate::domain::{RequestId, Urgency};
use crate::i18n::Tr;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::sheet::Reason;
use crate::web::{AppState, view as page};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/requests/{id}", web::get().to(detail))
        .route("/requests/{id}/urgency", web::post().to(urgency))
        .route("/requests/{id}/location", web::post().to(location));
}

pub(crate) fn parse_request_id(s: &str) -> Result<RequestId, AppError> {
    s.parse()
        .map_err(|_| AppError::BadRequest("malformed request id".into()))
}

/// True when the client asked for JSON (board.js), false for a plain form post.
pub(crate) fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// The error in the form the client can read: problem+json or a page.
pub(crate) fn answer_error(req: &HttpRequest, e: AppError) -> actix_web::Error {
    if wants_json(req) {
        e.into()
    } else {
        PageError::new(e, lang_of(req)).into()
    }
}

/// A plain form that lost to another coordinator's change (a stale version): back to the
/// request as it now is, saying so; nothing of the other change is overwritten.
fn lost_race(id: RequestId) -> HttpResponse {
    back_to(&format!("/coord/requests/{id}"), "conflict", None)
}

/// After a plain form post: back to where the coordinator was, with a message.
pub(crate) fn back_to(to: &str, done: &str, detail: Option<&str>) -> HttpResponse {
    let sep = if to.contains('?') { '&' } else { '?' };
    let mut url = format!("{to}{sep}done={done}");
    if let Some(d) = detail {
        url.push_str("&detail=");
        url.push_str(&percent_encode(d));
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, url))
        .finish()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub details: String,
}

pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(askama::Template)]
#[template(path = "board_request.html")]
struct RequestPage {
    t: Tr,
    fragment: bool,
    /// A message after a plain form post, and whether it is a lost race.
    flash: Option<(String, bool)>,
    csrf: String,
    id: String,
    version: i32,
    title: String,
    status_code: &'static str,
    status: String,
    urgency_code: &'static str,
    facts: Vec<Fact>,
    phone: String,
    tel: String,
    urgencies: Vec<Reason>,
    review: ReviewItem,
    located: bool,
    place: String,
    squad_link: String,
    audit: Vec<AuditLine>,
}

#[derive(Deserialize)]
struct DetailQuery {
    fragment: Option<String>,
    /// After a plain form post: `urgency`, `location`, or `conflict` (another coordinator
    /// changed the request first; the page shows it as it now is).
    done: Option<String>,
}

fn audit_line(t: Tr, e: &EventRow, offset: chrono::FixedOffset) -> AuditLine {
    let key = format!("audit.{}", e.action);
    let action = if crate::i18n::has(&key) {
        t.get(&key).to_owned()
    } else {
        e.action.clone()
    };
    // Details are JSON written by doorstep; show their values briefly.
    let details = serde_json::from_str::<serde_json::Value>(&e.details)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.iter()
                .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => {
                        format!("{k}: {}", s.chars().take(80).collect::<String>())
                    }
                    other => format!(
                        "{k}: {}",
                        other.to_string().chars().take(80).collect::<String>()
                    ),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    AuditLine {
        at: crate::web::view::local_time(e.at, offset),
        actor: e.actor.clone(),
        action,
        details,
    }
}

fn facts(t: Tr, r: &RequestRow) -> Vec<Fact> {
    let mut f = Vec::new();
    let mut push = |k: &str, v: String| {
        if !v.trim().is_empty() {
            f.push(Fact {
                label: t.get(k).to_owned(),
                value: v,
            });
        }
    };
    push(
        "field.resident_name",
        format!(
            "{} ({} {})",
            r.resident_name,
            r.household_size,
            t.get("sheet.people")
        ),
    );
    push("sheet.written", r.address_text.clone());
    let door: Vec<&str> = [&r.building, &r.unit, &r.room]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    push("board.door", door.join(" "));
    if let Some(m) = &r.matched_name {
        let level = super::review::level_word(t, r.match_level.as_deref().unwrap_or(""));
        let conf = r
            .confidence
            .map(|c| format!(", {:.0}%", c * 100.0))
            .unwrap_or_default();
        push("sheet.matched", format!("{m} ({level}{conf})"));
    }
    if let Some(c) = &r.community {
        push("board.community", c.clone());
    }
    push("field.category", t.code("category", r.category.as_str()));
    push(
        "track.what",
        crate::intake::parse_items_json(&r.items)
            .into_iter()
            .map(|i| format!("{} × {}{}", i.name, i.quantity, i.unit.unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("、"),
    );
    if r.requested_urgency != r.urgency {
        push(
            "board.requested_urgency",
            t.code("urgency", r.requested_urgency.as_str()),
        );
    }
    if let (Some(a), Some(b)) = (r.available_from, r.available_until) {
        push(
            "sheet.hours",
            format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")),
        );
    }
    push("sheet.notes", r.notes.clone());
    if r.filed_by.is_on_behalf() {
        push(
            "sheet.filed_by",
            format!(
                "{} {} {}",
                t.code("filed_by", r.filed_by.as_str()),
                r.filer_name.as_deref().unwrap_or(""),
                r.filer_phone.as_deref().unwrap_or("")
            ),
        );
    }
    if let Some(reason) = r.failure_reason {
        push("track.reason", t.code("failure", reason.as_str()));
    }
    push("board.status_note", r.status_note.clone());
    f
}

async fn detail(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<DetailQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let t = Tr::new(lang);
    let id = parse_request_id(&id).map_err(|e| PageError::new(e, lang))?;
    let date = crate::web::sheet::sheet_date(&state, None).map_err(|e| PageError::new(e, lang))?;
    let (r, events, place) = state
        .db
        .read(move |c| {
            let r = crate::db::requests::get(c, id)?;
            let events = crate::db::events::for_request(c, id)?;
            let place = actions::place_of(c, id, date)?;
            Ok((r, events, place))
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let offset = state.config.utc_offset;
    let (place_text, squad_link) = match &place {
        Some(p) => (
            format!(
                "{} · {} {} · {}{}",
                p.squad_name,
                t.get("sheet.stop"),
                p.seq + 1,
                p.label,
                p.planned
                    .map(|a| format!(
                        " · {} {}",
                        t.get("sheet.planned"),
                        a.0.with_timezone(&offset).format("%H:%M")
                    ))
                    .unwrap_or_default()
            ),
            format!("/coord/squads/{}", p.squad_id),
        ),
        None => (t.get("board.unplanned").to_owned(), String::new()),
    };
    let flash = q.done.as_deref().map(|d| match d {
        "conflict" => (t.get("board.conflict").to_owned(), true),
        _ => (t.get("board.saved").to_owned(), false),
    });
    let page = RequestPage {
        t,
        fragment: q.fragment.is_some(),
        flash,
        csrf: me.csrf_token().unwrap_or_default().to_owned(),
        id: r.id.to_string(),
        version: r.version,
        title: r.address_text.clone(),
        status_code: r.status.as_str(),
        status: t.code("status", r.status.as_str()),
        urgency_code: r.urgency.as_str(),
        facts: facts(t, &r),
        phone: r.phone.clone(),
        tel: r
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| Reason {
                code: u.as_str(),
                label: t.code("urgency", u.as_str()),
            })
            .collect(),
        review: review_item(t, &r, offset),
        located: r.lon.is_some(),
        place: place_text,
        squad_link,
        audit: events.iter().map(|e| audit_line(t, e, offset)).collect(),
    };
    page::html(&req, StatusCode::OK, &page)
}

#[derive(Deserialize)]
struct UrgencyForm {
    urgency: String,
    version: i32,
}

async fn urgency(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<UrgencyForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let actor = me.actor();
    let id = parse_request_id(&id).map_err(|e| answer_error(&req, e))?;
    let urgency: Urgency = form.urgency.parse().map_err(|_| {
        answer_error(
            &req,
            AppError::BadQuery(vec![(
                "urgency".into(),
                "extremely_urgent, urgent or normal".into(),
            )]),
        )
    })?;
    let version = form.version;
    let row = match state
        .db
        .write(move |c| actions::set_urgency(c, id, version, urgency, &actor))
        .await
    {
        Ok(row) => row,
        Err(crate::db::DbError::Conflict(_)) if !wants_json(&req) => return Ok(lost_race(id)),
        Err(e) => return Err(answer_error(&req, e.into())),
    };
    if wants_json(&req) {
        Ok(HttpResponse::Ok().json(serde_json::json!({
            "id": row.id, "urgency": row.urgency, "version": row.version
        })))
    } else {
        Ok(back_to(&format!("/coord/requests/{id}"), "urgency", None))
    }
}

#[derive(Deserialize)]
struct LocationForm {
    #[serde(default)]
    candidate: Option<String>,
    #[serde(default)]
    lon: Option<String>,
    #[serde(default)]
    lat: Option<String>,
    version: i32,
}

/// The point a location form names: the chosen candidate, or the typed coordinates.
fn point_of(f: &LocationForm) -> Result<(f64, f64), AppError> {
    let bad = |field: &str, msg: &str| AppError::BadQuery(vec![(field.into(), msg.into())]);
    let (lon, lat) = match f.candidate.as_deref() {
        Some(c) if c != "manual" && !c.is_empty() => {
            let (a, b) = c
                .split_once(',')
                .ok_or_else(|| bad("candidate", "not a candidate of this request"))?;
            (a.to_owned(), b.to_owned())
        }
        _ => (
            f.lon.clone().unwrap_or_default(),
            f.lat.clone().unwrap_or_default(),
        ),
    };
    let lon: f64 = lon
        .trim()
        .parse()
        .map_err(|_| bad("lon", "longitude in degrees, e.g. 126.6535"))?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| bad("lat", "latitude in degrees, e.g. 45.7490"))?;
    if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
        return Err(bad("lon", "longitude must be between −180 and 180"));
    }
    if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
        return Err(bad("lat", "latitude must be between −90 and 90"));
    }
    Ok((lon, lat))
}

async fn location(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<LocationForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let id = parse_request_id(&id).map_err(|e| answer_error(&req, e))?;
    let (lon, lat) = point_of(&form).map_err(|e| answer_error(&req, e))?;
    let version = form.version;
    let st = state.clone().into_inner();
    let row = match actions::confirm_location(&st, id, version, lon, lat, &me.actor()).await {
        Ok(row) => row,
        Err(AppError::Conflict(_)) if !wants_json(&req) => return Ok(lost_race(id)),
        Err(e) => return Err(answer_error(&req, e)),
    };
    if wants_json(&req) {
        Ok(HttpResponse::Ok().json(serde_json::json!({
            "id": row.id, "status": row.status, "lon": row.lon, "lat": row.lat, "version": row.version
        })))
    } else {
        Ok(back_to("/coord", "location", None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(candidate: Option<&str>, lon: &str, lat: &str) -> LocationForm {
        LocationForm {
            candidate: candidate.map(Into::into),
            lon: Some(lon.into()),
            lat: Some(lat.into()),
            version: 1,
        }
    }

    #[test]
    fn a_location_comes_from_the_candidate_or_the_fields() {
        assert_eq!(
            point_of(&form(Some("126.1,45.2"), "1", "2")).unwrap(),
            (126.1, 45.2)
        );
        assert_eq!(
            point_of(&form(Some("manual"), "126.3", "45.4")).unwrap(),
            (126.3, 45.4)
        );
        assert_eq!(
            point_of(&form(None, " 126.3 ", "45.4")).unwrap(),
            (126.3, 45.4)
        );
        assert!(point_of(&form(Some("manual"), "east", "45")).is_err());
        assert!(point_of(&form(Some("manual"), "200", "45")).is_err());
        assert!(point_of(&form(Some("manual"), "NaN", "45")).is_err());
        assert!(point_of(&form(Some("x"), "1", "2")).is_err());
    }

    #[test]
    fn redirects_encode_their_detail() {
        let r = back_to("/coord", "moved", Some("甲 +3 min & more"));
        let loc = r.headers().get(header::LOCATION).unwrap().to_str().unwrap();
        assert!(
            loc.starts_with("/coord?done=moved&detail=%E7%94%B2"),
            "{loc}"
        );
        assert!(!loc.contains(' ') && !loc.contains("&more"));
    }
}
