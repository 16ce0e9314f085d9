//! Zones on the board: `GET /coord/zones/new`, `POST /coord/zones` (create), `GET
//! /coord/zones/{id}`, `POST /coord/zones/{id}` (save, or deactivate). The polygon is pasted as
//! GeoJSON or drawn on the map (`static/zone.js` writes the drawing into the same field); the
//! checkpoint is typed or clicked. The zone rules (a high-risk zone needs a checkpoint outside
//! it, a valid polygon) are the zone module's, with their messages beside the fields. The map
//! engine notices the change and re-routes around it.

use crate::web::auth::{Coordinator, Principal};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use geo::Point;

use super::request::{answer_error, back_to};
use crate::db::zones::ZoneRow;
use crate::db::{DbError, Timestamp, events};
use crate::domain::{ZoneId, ZoneKind};
use crate::i18n::{Lang, Tr};
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;
use crate::web::{AppState, view as page};
use crate::zone::{self, ZoneError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/zones/new", web::get().to(new_form))
        .route("/zones", web::post().to(create))
        .route("/zones/{id}", web::get().to(show))
        .route("/zones/{id}", web::post().to(save));
}

#[derive(Clone, Debug, Default)]
pub struct ZoneValues {
    pub name: String,
    pub kind: String,
    pub polygon: String,
    pub checkpoint_lon: String,
    pub checkpoint_lat: String,
    pub notes: String,
    pub active: bool,
    pub version: i32,
}

impl ZoneValues {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut v = ZoneValues::default();
        for (k, val) in pairs {
            let val = val.clone();
            match k.as_str() {
                "name" => v.name = val,
                "kind" => v.kind = val,
                "polygon" => v.polygon = val,
                "checkpoint_lon" => v.checkpoint_lon = val,
                "checkpoint_lat" => v.checkpoint_lat = val,
                "notes" => v.notes = val,
                "active" => v.active = true,
                "version" => v.version = val.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        v
    }

    fn of_row(z: &ZoneRow) -> Self {
        let fmt = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
        ZoneValues {
            name: z.name.clone(),
            kind: z.kind.as_str().to_owned(),
            polygon: z.polygon.clone(),
            checkpoint_lon: fmt(z.checkpoint_lon),
            checkpoint_lat: fmt(z.checkpoint_lat),
            notes: z.notes.clone(),
            active: z.active,
            version: z.version,
        }
    }
}

fn zone_kind(kind: ZoneKind) -> zone::ZoneKind {
    match kind {
        ZoneKind::HighRisk => zone::ZoneKind::HighRisk,
        ZoneKind::Controlled => zone::ZoneKind::Controlled,
        ZoneKind::Precaution => zone::ZoneKind::Precaution,
    }
}

/// The zone rule a refusal broke, as (field, message in the reader's language).
fn zone_error(lang: Lang, e: &ZoneError) -> (String, String) {
    let zh = lang == Lang::Zh;
    let (field, zh_text) = match e {
        ZoneError::Json { .. } => ("polygon", "不是有效的 JSON"),
        ZoneError::GeoJson { .. } => ("polygon", "不是可读取的 GeoJSON 多边形"),
        ZoneError::InvalidPolygon(_) => ("polygon", "多边形无效（边线自相交或重叠）"),
        ZoneError::EmptyName => ("name", "请填写区域名称"),
        ZoneError::MissingCheckpoint => ("checkpoint", "高风险区必须设置卡口（物资交接点）"),
        ZoneError::CheckpointInside { .. } => {
            ("checkpoint", "卡口在区域内部，请设在围挡线上或区域外")
        }
        ZoneError::BadCheckpoint { .. } => ("checkpoint", "卡口坐标无效"),
        ZoneError::BadPeriod { .. } => ("polygon", "生效时间结束早于开始"),
    };
    let message = if zh {
        format!("{zh_text}：{e}")
    } else {
        e.to_string()
    };
    (field.to_owned(), message)
}

/// The GeoJSON geometry doorstep stores for a polygon (Polygon when there is one part).
fn geometry_json(poly: &geo::MultiPolygon<f64>) -> String {
    let ring =
        |l: &geo::LineString<f64>| -> Vec<[f64; 2]> { l.0.iter().map(|c| [c.x, c.y]).collect() };
    let rings = |p: &geo::Polygon<f64>| -> Vec<Vec<[f64; 2]>> {
        std::iter::once(ring(p.exterior()))
            .chain(p.interiors().iter().map(ring))
            .collect()
    };
    let v = if poly.0.len() == 1 {
        serde_json::json!({ "type": "Polygon", "coordinates": rings(&poly.0[0]) })
    } else {
        serde_json::json!({ "type": "MultiPolygon", "coordinates": poly.0.iter().map(rings).collect::<Vec<_>>() })
    };
    v.to_string()
}

fn validate(v: &ZoneValues, lang: Lang, id: ZoneId) -> Result<ZoneRow, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let msg = |zh: &str, en: &str| {
        if lang == Lang::Zh {
            zh.to_owned()
        } else {
            en.to_owned()
        }
    };
    let kind: Option<ZoneKind> = v.kind.parse().ok();
    if kind.is_none() {
        errors.push((
            "kind".into(),
            msg("请选择区域类型。", "Choose the kind of zone."),
        ));
    }
    if v.name.trim().chars().count() > 80 {
        errors.push((
            "name".into(),
            msg("名称最多 80 个字。", "At most 80 characters."),
        ));
    }
    if v.notes.chars().count() > 1000 {
        errors.push((
            "notes".into(),
            msg("说明最多 1000 个字。", "At most 1000 characters."),
        ));
    }
    let polygon = match zone::parse_geojson_polygon(&v.polygon) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(zone_error(lang, &e));
            None
        }
    };
    let checkpoint = match (v.checkpoint_lon.trim(), v.checkpoint_lat.trim()) {
        ("", "") => None,
        (x, y) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) if x.is_finite() && y.is_finite() => Some(Point::new(x, y)),
            _ => {
                errors.push((
                    "checkpoint".into(),
                    msg(
                        "卡口经纬度应为数字，如 126.6535 和 45.7490。",
                        "The checkpoint is a longitude and a latitude, e.g. 126.6535 and 45.7490.",
                    ),
                ));
                None
            }
        },
    };
    let (Some(kind), Some(polygon)) = (kind, polygon) else {
        return Err(errors);
    };
    if let Err(e) = zone::Zone::try_new(
        zone::ZoneId(id.0),
        &v.name,
        zone_kind(kind),
        polygon.clone(),
        checkpoint,
        zone::ActivePeriod::ALWAYS,
    ) {
        errors.push(zone_error(lang, &e));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let now = Timestamp::now();
    Ok(ZoneRow {
        id,
        name: v.name.trim().to_owned(),
        kind,
        polygon: geometry_json(&polygon),
        checkpoint_lon: checkpoint.map(|p| p.x()),
        checkpoint_lat: checkpoint.map(|p| p.y()),
        notes: v.notes.trim().to_owned(),
        active_from: Some(now),
        active_until: None,
        active: v.active,
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

pub struct KindOpt {
    pub code: &'static str,
    pub label: String,
    pub on: bool,
}

#[derive(askama::Template)]
#[template(path = "board_zone.html")]
struct ZonePage {
    t: Tr,
    csrf: String,
    id: Option<String>,
    v: ZoneValues,
    errors: Vec<(String, String)>,
    kinds: Vec<KindOpt>,
    flash: Option<String>,
    js_i18n: String,
    lang: &'static str,
    /// `[min_lon, min_lat, max_lon, max_lat]` of the extract, JSON (`null` without one).
    bounds: String,
}

impl ZonePage {
    fn error(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }
}

const JS_KEYS: &[&str] = &[
    "map.attribution",
    "map.no_map",
    "board.draw_hint",
    "board.drawn",
    "board.checkpoint",
    "board.checkpoint_hint",
];

fn page_for(
    state: &AppState,
    me: &Principal,
    t: Tr,
    id: Option<ZoneId>,
    v: ZoneValues,
    errors: Vec<(String, String)>,
) -> ZonePage {
    ZonePage {
        bounds: crate::web::map_layers::bounds_json(state),
        t,
        csrf: me.csrf_token().unwrap_or_default().to_owned(),
        id: id.map(|i| i.to_string()),
        kinds: ZoneKind::ALL
            .iter()
            .map(|k| KindOpt {
                code: k.as_str(),
                label: t.code("zone_kind", k.as_str()),
                on: v.kind == k.as_str(),
            })
            .collect(),
        v,
        errors,
        flash: None,
        js_i18n: crate::web::sheet::js_i18n(t, JS_KEYS),
        lang: t.lang.code(),
    }
}

async fn new_form(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let t = Tr::new(lang_of(&req));
    let v = ZoneValues {
        kind: "high_risk".into(),
        active: true,
        ..ZoneValues::default()
    };
    page::html(
        &req,
        StatusCode::OK,
        &page_for(&state, &me, t, None, v, vec![]),
    )
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
    let mut v = ZoneValues::from_pairs(&form);
    v.active = true;
    let id = ZoneId::generate();
    let row = match validate(&v, lang, id) {
        Ok(r) => r,
        Err(errors) => {
            return page::html(
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page_for(&state, &me, t, None, v, errors),
            );
        }
    };
    state
        .db
        .write(move |c| {
            c.transaction(|c| {
                crate::db::zones::insert(c, &row)?;
                events::append(
                    c,
                    &events::NewEvent::now(&actor, "zone.created", "zone", Some(row.id.0))
                        .with_details(serde_json::json!({ "name": row.name, "kind": row.kind })),
                )
            })
        })
        .await
        .map_err(|e| PageError::new(e, lang))?;
    Ok(back_to(&format!("/coord/zones/{id}"), "zone_saved", None))
}

fn parse_zone(s: &str) -> Result<ZoneId, AppError> {
    s.parse()
        .map_err(|_| AppError::BadRequest("malformed zone id".into()))
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
    let id = parse_zone(&id).map_err(|e| PageError::new(e, lang))?;
    let row = state
        .db
        .read(move |c| crate::db::zones::get(c, id))
        .await
        .map_err(|e| PageError::new(e, lang))?;
    let mut p = page_for(&state, &me, t, Some(id), ZoneValues::of_row(&row), vec![]);
    p.flash = q.done.as_deref().map(|d| {
        let key = format!("board.flash.{d}");
        t.get(if crate::i18n::has(&key) {
            &key
        } else {
            "board.saved"
        })
        .to_owned()
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
    let id = parse_zone(&id).map_err(|e| answer_error(&req, e))?;
    let v = ZoneValues::from_pairs(&form);
    let row = match validate(&v, lang, id) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(page::html(
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page_for(&state, &me, t, Some(id), v, errors),
            )?);
        }
    };
    let version = v.version;
    let result = state
        .db
        .write(move |c| crate::db::zones::update(c, &row, version, &actor))
        .await;
    match result {
        Ok(_) => Ok(back_to(&format!("/coord/zones/{id}"), "zone_saved", None)),
        Err(DbError::Conflict(_)) => {
            let current = state
                .db
                .read(move |c| crate::db::zones::get(c, id))
                .await
                .map_err(|e| answer_error(&req, e.into()))?;
            let mut p = page_for(
                &state,
                &me,
                t,
                Some(id),
                ZoneValues::of_row(&current),
                vec![],
            );
            p.flash = Some(t.get("board.flash.stale").to_owned());
            Ok(page::html(&req, StatusCode::CONFLICT, &p)?)
        }
        Err(e) => Err(answer_error(&req, AppError::from(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[126.65,45.74],[126.66,45.74],[126.66,45.75],[126.65,45.75],[126.65,45.74]]]}"#;

    fn values(kind: &str, cp: (&str, &str)) -> ZoneValues {
        ZoneValues {
            name: "巴山街32号".into(),
            kind: kind.into(),
            polygon: SQUARE.into(),
            checkpoint_lon: cp.0.into(),
            checkpoint_lat: cp.1.into(),
            notes: String::new(),
            active: true,
            version: 1,
        }
    }

    #[test]
    fn zone_rules_come_back_beside_their_fields() {
        let id = ZoneId::generate();
        assert!(validate(&values("controlled", ("", "")), Lang::Zh, id).is_ok());
        let e = validate(&values("high_risk", ("", "")), Lang::Zh, id).unwrap_err();
        assert_eq!(e[0].0, "checkpoint");
        assert!(e[0].1.contains("卡口"));
        let e = validate(&values("high_risk", ("126.655", "45.745")), Lang::En, id).unwrap_err();
        assert_eq!(e[0].0, "checkpoint", "{e:?}");
        let row = validate(&values("high_risk", ("126.66", "45.7450")), Lang::En, id).unwrap();
        assert_eq!(row.kind, ZoneKind::HighRisk);
        let mut bad = values("controlled", ("", ""));
        bad.polygon = "{\"type\":\"Polygon\"".into();
        let e = validate(&bad, Lang::En, id).unwrap_err();
        assert_eq!(e[0].0, "polygon");
    }
}
