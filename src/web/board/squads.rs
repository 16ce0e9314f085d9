//! Squads on the board: `GET /coord/squads/new` and `POST /coord/squads` (create),
//! `GET /coord/squads/{id}` (its day: stops with a form to move each to another squad, and the
//! squad's details to edit or deactivate), `POST /coord/squads/{id}` (save). A refused form
//! comes back with the message beside each field.

use crate::web::auth::{Coordinator, Principal};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveTime;

use super::request::{answer_error, back_to};
use crate::db::DbError;
use crate::db::squads::SquadRow;
use crate::db::{Timestamp, events};
use crate::domain::{Skill, SquadId, TravelMode};
use crate::i18n::{Lang, Tr};
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::sheet::{self, parse_squad, sheet_date};
use crate::web::{AppState, view as page};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/squads/new", web::get().to(new_form))
        .route("/squads", web::post().to(create))
        .route("/squads/{id}", web::get().to(show))
        .route("/squads/{id}", web::post().to(save));
}

/// The squad form's fields as typed.
#[derive(Clone, Debug, Default)]
pub struct SquadValues {
    pub name: String,
    pub members: String,
    pub contact_phone: String,
    pub base_name: String,
    pub base_lon: String,
    pub base_lat: String,
    pub travel_mode: String,
    pub capacity_items: String,
    pub skills: Vec<String>,
    pub shift_start: String,
    pub shift_end: String,
    pub areas: String,
    pub active: bool,
    pub version: i32,
}

impl SquadValues {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut v = SquadValues::default();
        for (k, val) in pairs {
            let val = val.clone();
            match k.as_str() {
                "name" => v.name = val,
                "members" => v.members = val,
                "contact_phone" => v.contact_phone = val,
                "base_name" => v.base_name = val,
                "base_lon" => v.base_lon = val,
                "base_lat" => v.base_lat = val,
                "travel_mode" => v.travel_mode = val,
                "capacity_items" => v.capacity_items = val,
                "skills" => v.skills.push(val),
                "shift_start" => v.shift_start = val,
                "shift_end" => v.shift_end = val,
                "areas" => v.areas = val,
                "active" => v.active = true,
                "version" => v.version = val.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        v
    }

    fn of_row(s: &SquadRow) -> Self {
        let list = |json: &str| -> String {
            serde_json::from_str::<Vec<String>>(json)
                .unwrap_or_default()
                .join("\n")
        };
        SquadValues {
            name: s.name.clone(),
            members: list(&s.members),
            contact_phone: s.contact_phone.clone(),
            base_name: s.base_name.clone(),
            base_lon: format!("{:.6}", s.base_lon),
            base_lat: format!("{:.6}", s.base_lat),
            travel_mode: s.travel_mode.as_str().to_owned(),
            capacity_items: s.capacity_items.to_string(),
            skills: serde_json::from_str(&s.skills).unwrap_or_default(),
            shift_start: s.shift_start.format("%H:%M").to_string(),
            shift_end: s.shift_end.format("%H:%M").to_string(),
            areas: list(&s.areas),
            active: s.active,
            version: s.version,
        }
    }
}

/// Splits a list typed one per line or separated by commas (Chinese or Western).
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['\n', ',', '，', '、', ';', '；'])
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// A (field, message) per refused field, in the reader's language.
pub type FieldErrors = Vec<(String, String)>;

fn msg(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn parse_coordinate(s: &str, lo: f64, hi: f64) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    (v.is_finite() && (lo..=hi).contains(&v)).then_some(v)
}

/// Checks the form; on success the row to store (id and timestamps from `base`).
fn validate(v: &SquadValues, lang: Lang, id: SquadId) -> Result<SquadRow, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut err = |f: &str, zh: &str, en: &str| errors.push((f.to_owned(), msg(lang, zh, en)));
    let name = v.name.trim();
    if name.is_empty() {
        err("name", "请填写小队名称。", "Give the squad a name.");
    } else if name.chars().count() > 40 {
        err("name", "名称最多 40 个字。", "At most 40 characters.");
    }
    let members = split_list(&v.members);
    if members.len() > 20 || members.iter().any(|m| m.chars().count() > 20) {
        err(
            "members",
            "最多 20 名队员，每人姓名最多 20 个字。",
            "At most 20 members, 20 characters each.",
        );
    }
    let phone = match crate::intake::parse_phone(&v.contact_phone) {
        Ok(p) => p,
        Err(p) => {
            errors.push(("contact_phone".into(), crate::i18n::problem(lang, &p)));
            String::new()
        }
    };
    let mut err = |f: &str, zh: &str, en: &str| errors.push((f.to_owned(), msg(lang, zh, en)));
    if v.base_name.chars().count() > 80 {
        err("base_name", "最多 80 个字。", "At most 80 characters.");
    }
    let lon = parse_coordinate(&v.base_lon, -180.0, 180.0);
    if lon.is_none() {
        err(
            "base_lon",
            "经度应为 −180 到 180 之间的数字，如 126.6535。",
            "Longitude: a number from −180 to 180, e.g. 126.6535.",
        );
    }
    let lat = parse_coordinate(&v.base_lat, -90.0, 90.0);
    if lat.is_none() {
        err(
            "base_lat",
            "纬度应为 −90 到 90 之间的数字，如 45.7490。",
            "Latitude: a number from −90 to 90, e.g. 45.7490.",
        );
    }
    let mode: Option<TravelMode> = v.travel_mode.parse().ok();
    if mode.is_none() {
        err(
            "travel_mode",
            "请选择出行方式。",
            "Choose how the squad travels.",
        );
    }
    let capacity = crate::intake::to_half_width(v.capacity_items.trim())
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=10_000).contains(c));
    if capacity.is_none() {
        err(
            "capacity_items",
            "请填写 1 到 10000 之间的整数。",
            "Enter a whole number from 1 to 10000.",
        );
    }
    let mut skills = Vec::new();
    for s in &v.skills {
        match s.parse::<Skill>() {
            Ok(k) => skills.push(k.as_str().to_owned()),
            Err(_) => err("skills", "未知的技能。", "Unknown skill."),
        }
    }
    let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    let start = time(&v.shift_start);
    let end = time(&v.shift_end);
    if start.is_none() {
        err(
            "shift_start",
            "时间格式应为 时:分，如 08:00。",
            "Write the time as HH:MM, e.g. 08:00.",
        );
    }
    if end.is_none() {
        err(
            "shift_end",
            "时间格式应为 时:分，如 20:00。",
            "Write the time as HH:MM, e.g. 20:00.",
        );
    }
    if let (Some(a), Some(b)) = (start, end)
        && b <= a
    {
        err(
            "shift_end",
            "结束时间应晚于开始时间。",
            "The end must be after the start.",
        );
    }
    let areas = split_list(&v.areas);
    if areas.len() > 50 || areas.iter().any(|a| a.chars().count() > 40) {
        err(
            "areas",
            "最多 50 个片区，每个最多 40 个字。",
            "At most 50 areas, 40 characters each.",
        );
    }
    let (Some(lon), Some(lat), Some(mode), Some(capacity), Some(start), Some(end), true) =
        (lon, lat, mode, capacity, start, end, errors.is_empty())
    else {
        return Err(errors);
    };
    let now = Timestamp::now();
    let json = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    Ok(SquadRow {
        id,
        name: name.to_owned(),
        members: json(&members),
        contact_phone: phone,
        base_name: v.base_name.trim().to_owned(),
        base_lon: lon,
        base_lat: lat,
        travel_mode: mode,
        capacity_items: capacity,
        capacity_kg: None,
        skills: json(&skills),
        shift_start: start,
        shift_end: end,
        areas: json(&areas),
        active: v.active,
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

pub struct Opt {
    pub code: &'static str,
    pub label: String,
    pub on: bool,
}

pub struct StopLine {
    pub id: String,
    pub number: usize,
    pub label: String,
    pub arrival: String,
    pub status: String,
    pub households: usize,
    pub version: i32,
}

pub struct OtherSquad {
    pub id: String,
    pub name: String,
}

#[derive(askama::Template)]
#[template(path = "board_squad.html")]
struct SquadPage {
    t: Tr,
    csrf: String,
    /// `None` for a new squad.
    id: Option<String>,
    v: SquadValues,
    errors: FieldErrors,
    modes: Vec<Opt>,
    skills: Vec<Opt>,
    stops: Vec<StopLine>,
    others: Vec<OtherSquad>,
    summary: String,
    /// The day shown when it is not today (`YYYY-MM-DD`), else empty.
    date: String,
    flash: Option<String>,
}

impl SquadPage {
    fn error(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }
}

fn page_for(
    me: &Principal,
    t: Tr,
    id: Option<SquadId>,
    v: SquadValues,
    errors: FieldErrors,
) -> SquadPage {
    SquadPage {
        t,
        csrf: me.csrf_token().unwrap_or_default().to_owned(),
        id: id.map(|i| i.to_string()),
        modes: TravelMode::ALL
            .iter()
            .map(|m| Opt {
                code: m.as_str(),
                label: t.code("mode", m.as_str()),
                on: v.travel_mode == m.as_str(),
            })
            .collect(),
        skills: Skill::ALL
            .iter()
            .map(|s| Opt {
                code: s.as_str(),
                label: t.code("skill", s.as_str()),
                on: v.skills.iter().any(|x| x == s.as_str()),
            })
            .collect(),
        v,
        errors,
        stops: Vec::new(),
        others: Vec::new(),
        summary: String::new(),
        date: String::new(),
        flash: None,
    }
}

async fn new_form(
    req: HttpRequest,
    Coordinator(me): Coordinator,
) -> Result<HttpResponse, PageError> {
    let t = Tr::new(lang_of(&req));
    let v = SquadValues {
        travel_mode: "foot".into(),
        capacity_items: "40".into(),
        shift_start: "08:00".into(),
        shift_end: "20:00".into(),
        active: true,
        ..SquadValues::default()
    };
    page::html(&req, StatusCode::OK, &page_for(&me, t, None, v, vec![]))
}

fn name_taken(lang: Lang) -> FieldErrors {
    vec![(
        "name".into(),
        msg(lang, "已有同名的小队。", "A squad of that name exists."),
    )]
}

async fn create(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let actor = me.actor();
    let t = Tr::new(lang);
    let mut v = SquadValues::from_pairs(&form);
    v.active = true;
    let id = SquadId::generate();
    let row = match validate(&v, lang, id) {
        Ok(r) => r,
        Err(errors) => {
            return page::html(
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page_for(&me, t, None, v, errors),
            );
        }
    };
    let result = state
        .db
        .write(move |c| {
            c.transaction(|c| {
                crate::db::squads::insert(c, &row)?;
                events::append(
                    c,
                    &events::NewEvent::now(&actor, "squad.created", "squad", Some(row.id.0))
                        .with_details(serde_json::json!({ "name": row.name })),
                )
            })
        })
        .await;
    match result {
        Ok(()) => Ok(back_to(&format!("/coord/squads/{id}"), "squad_saved", None)),
        Err(DbError::Conflict(_)) => page::html(
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_for(&me, t, None, v, name_taken(lang)),
        ),
        Err(e) => Err(PageError::new(e, lang)),
    }
}

async fn show(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<super::BoardQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of(&req);
    let t = Tr::new(lang);
    let id = parse_squad(&id).map_err(|e| PageError::new(e, lang))?;
    let date = sheet_date(&state, q.date.as_deref()).map_err(|e| PageError::new(e, lang))?;
    let (data, all) = state
        .db
        .read(move |c| {
            Ok((
                sheet::load(c, id, date)?,
                crate::db::squads::list(c, false)?,
            ))
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let offset = state.config.utc_offset;
    let mut p = page_for(&me, t, Some(id), SquadValues::of_row(&data.squad), vec![]);
    p.stops = data
        .stops
        .iter()
        .enumerate()
        .map(|(i, s)| StopLine {
            id: s.stop.id.to_string(),
            number: i + 1,
            label: s.stop.label.clone(),
            arrival: s
                .stop
                .planned_arrival
                .map(|a| a.0.with_timezone(&offset).format("%H:%M").to_string())
                .unwrap_or_default(),
            status: t.code("stop_status", s.stop.status.as_str()),
            households: s.requests.len(),
            version: s.stop.version,
        })
        .collect();
    p.others = all
        .iter()
        .filter(|s| s.id != id)
        .map(|s| OtherSquad {
            id: s.id.to_string(),
            name: s.name.clone(),
        })
        .collect();
    if q.date.as_deref().is_some_and(|d| !d.is_empty()) {
        p.date = date.format("%Y-%m-%d").to_string();
    }
    p.summary = data
        .plan
        .as_ref()
        .map(|pl| {
            format!(
                "{} · {:.1} km · {:.0} min",
                date.format("%Y-%m-%d"),
                pl.distance_m / 1000.0,
                pl.duration_s / 60.0
            )
        })
        .unwrap_or_default();
    p.flash = q.done.as_deref().map(|d| {
        let key = format!("board.flash.{d}");
        let mut m = t
            .get(if crate::i18n::has(&key) {
                &key
            } else {
                "board.saved"
            })
            .to_owned();
        if let Some(detail) = q.detail.as_deref() {
            m.push(' ');
            m.extend(detail.chars().take(200));
        }
        m
    });
    page::html(&req, StatusCode::OK, &p)
}

async fn save(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, actix_web::Error> {
    let lang = lang_of(&req);
    let actor = me.actor();
    let t = Tr::new(lang);
    let id = parse_squad(&id).map_err(|e| answer_error(&req, e))?;
    let v = SquadValues::from_pairs(&form);
    let row = match validate(&v, lang, id) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(page::html(
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page_for(&me, t, Some(id), v, errors),
            )?);
        }
    };
    let version = v.version;
    let result = state
        .db
        .write(move |c| crate::db::squads::update(c, &row, version, &actor))
        .await;
    match result {
        Ok(_) => Ok(back_to(&format!("/coord/squads/{id}"), "squad_saved", None)),
        Err(DbError::Conflict(m)) if m.contains("version") => {
            // Someone saved first: show their version, say so.
            let current = state
                .db
                .read(move |c| crate::db::squads::get(c, id))
                .await
                .map_err(|e| answer_error(&req, e.into()))?;
            let mut p = page_for(&me, t, Some(id), SquadValues::of_row(&current), vec![]);
            p.flash = Some(t.get("board.flash.stale").to_owned());
            Ok(page::html(&req, StatusCode::CONFLICT, &p)?)
        }
        Err(DbError::Conflict(_)) => Ok(page::html(
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_for(&me, t, Some(id), v, name_taken(lang)),
        )?),
        Err(e) => Err(answer_error(&req, AppError::from(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> SquadValues {
        SquadValues {
            name: "南岗一队".into(),
            members: "张三\n李四，王五".into(),
            contact_phone: "13945678901".into(),
            base_name: "社区办".into(),
            base_lon: "126.65".into(),
            base_lat: "45.75".into(),
            travel_mode: "tricycle".into(),
            capacity_items: "６0".into(),
            skills: vec!["protective_gear".into()],
            shift_start: "08:00".into(),
            shift_end: "20:00".into(),
            areas: "鸿翔社区".into(),
            active: true,
            version: 1,
        }
    }

    #[test]
    fn a_good_squad_validates_and_lists_split() {
        let row = validate(&good(), Lang::Zh, SquadId::generate()).unwrap();
        assert_eq!(row.members, r#"["张三","李四","王五"]"#);
        assert_eq!(row.capacity_items, 60);
        assert_eq!(row.travel_mode, TravelMode::Tricycle);
    }

    #[test]
    fn every_bad_field_is_named() {
        let v = SquadValues {
            name: " ".into(),
            contact_phone: "abc".into(),
            base_lon: "999".into(),
            base_lat: "x".into(),
            travel_mode: "jet".into(),
            capacity_items: "0".into(),
            skills: vec!["flying".into()],
            shift_start: "8am".into(),
            shift_end: "07:00".into(),
            ..good()
        };
        let errors = validate(&v, Lang::En, SquadId::generate()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        for f in [
            "name",
            "contact_phone",
            "base_lon",
            "base_lat",
            "travel_mode",
            "capacity_items",
            "skills",
            "shift_start",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
