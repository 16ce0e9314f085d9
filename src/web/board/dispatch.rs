//! The board's dispatch actions, as plain forms that work without JavaScript (and that
//! `static/board.js` posts with `Accept: application/json`):
//!
//! - `POST /coord/stops/{id}/reassign` (`to_squad`, `version`): move a stop to another squad;
//!   both squads are re-sequenced and the answer gives each squad's change in time and
//!   distance. Two coordinators moving the same stop: one wins, the other is told (409, or
//!   back to the squad's page with the current state).
//! - `POST /coord/squads/{id}/replan`: re-optimize one squad's order for the day.
//! - `POST /coord/replan`: re-plan the district (the day's plans for every active squad).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::request::{answer_error, back_to, wants_json};
use crate::dispatch::{DispatchSettings, SquadChange};
use crate::domain::{SquadId, StopId};
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::api::plans::{dispatch_error, settings_of};
use crate::web::api::reassign::{reassign_stop, reoptimize_plan};
use crate::web::auth::Coordinator;
use crate::web::error::AppError;
use crate::web::lang::lang_of;
use crate::web::sheet::{parse_squad, sheet_date};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stops/{id}/reassign", web::post().to(reassign))
        .route("/squads/{id}/replan", web::post().to(replan_squad))
        .route("/replan", web::post().to(replan_district));
}

#[derive(Deserialize)]
pub struct ReassignForm {
    to_squad: String,
    version: i32,
}

#[derive(Deserialize)]
pub struct DayForm {
    #[serde(default)]
    date: Option<String>,
}

/// `第二小分队：+12 分钟，+850 米` — one squad's change, in the reader's language.
fn describe(t: Tr, c: &SquadChange) -> String {
    let signed = |v: f64| {
        let r = v.round();
        if r > 0.0 {
            format!("+{r:.0}")
        } else if r < 0.0 {
            format!("−{:.0}", -r)
        } else {
            "±0".into()
        }
    };
    t.get("board.delta")
        .replace("{squad}", &c.name)
        .replace(
            "{dt}",
            &format!(
                "{} {}",
                signed(c.delta_duration_s / 60.0),
                t.get("board.min")
            ),
        )
        .replace("{dd}", &format!("{} m", signed(c.delta_distance_m)))
}

async fn reassign(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ReassignForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let t = Tr::new(lang_of(&req));
    let stop: StopId = path
        .parse()
        .map_err(|_| answer_error(&req, AppError::BadRequest("malformed stop id".into())))?;
    let to: SquadId = parse_squad(&form.to_squad).map_err(|e| answer_error(&req, e))?;
    let result = reassign_stop(&state, stop, to, form.version, me.actor()).await;
    if wants_json(&req) {
        let out = result.map_err(|e| answer_error(&req, e))?;
        return Ok(HttpResponse::Ok().json(serde_json::json!({
            "stop_id": out.stop_id,
            "stop_version": out.stop_version,
            "from": out.from,
            "to": out.to,
            "resequence_ms": out.resequence_ms,
            "message": format!("{} {}; {}", t.get("board.moved"), describe(t, &out.from), describe(t, &out.to)),
        })));
    }
    match result {
        Ok(out) => Ok(back_to(
            &format!("/coord/squads/{}", out.from.squad_id),
            "moved",
            Some(&format!(
                "{}; {}",
                describe(t, &out.from),
                describe(t, &out.to)
            )),
        )),
        // Without JavaScript: back to the squad that holds the stop now, saying why.
        Err(e) => {
            let holder = state
                .db
                .read(move |c| crate::db::plans::stop_with_squad(c, stop))
                .await
                .map(|(_, q)| q)
                .unwrap_or(to);
            match e {
                AppError::Conflict(_) | AppError::ConflictWith { .. } => {
                    Ok(back_to(&format!("/coord/squads/{holder}"), "stale", None))
                }
                AppError::Invalid(fields) => Ok(back_to(
                    &format!("/coord/squads/{holder}"),
                    "refused",
                    fields.first().map(|(_, m)| m.as_str()),
                )),
                other => Err(answer_error(&req, other)),
            }
        }
    }
}

async fn replan_squad(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<DayForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let t = Tr::new(lang_of(&req));
    let squad = parse_squad(&path).map_err(|e| answer_error(&req, e))?;
    let date = sheet_date(&state, form.date.as_deref()).map_err(|e| answer_error(&req, e))?;
    let plan = state
        .db
        .read(move |c| {
            crate::db::squads::get(c, squad)?;
            Ok(crate::db::plans::current_plan(crate::db::plans::for_squad(
                c, squad, date,
            )?))
        })
        .await
        .map_err(|e| answer_error(&req, e.into()))?;
    let result = match plan {
        Some(p) => reoptimize_plan(&state, p.id, None, me.actor()).await,
        None => Err(AppError::Invalid(vec![(
            "squad".into(),
            "this squad has no plan for the day: re-plan the district".into(),
        )])),
    };
    let back = format!("/coord/squads/{squad}");
    match result {
        Ok(change) => {
            let message = format!("{} {}", t.get("plans.reoptimized"), describe(t, &change));
            if wants_json(&req) {
                Ok(HttpResponse::Ok()
                    .json(serde_json::json!({ "message": message, "change": change })))
            } else {
                Ok(back_to(&back, "reoptimized", Some(&describe(t, &change))))
            }
        }
        Err(e) if !wants_json(&req) => match e {
            AppError::Conflict(_) | AppError::ConflictWith { .. } => {
                Ok(back_to(&back, "stale", None))
            }
            AppError::Invalid(f) => Ok(back_to(
                &back,
                "refused",
                f.first().map(|(_, m)| m.as_str()),
            )),
            other => Err(answer_error(&req, other)),
        },
        Err(e) => Err(answer_error(&req, e)),
    }
}

async fn replan_district(
    req: HttpRequest,
    Coordinator(me): Coordinator,
    state: web::Data<AppState>,
    form: web::Form<DayForm>,
) -> Result<HttpResponse, actix_web::Error> {
    let t = Tr::new(lang_of(&req));
    let explicit = form.date.as_deref().filter(|d| !d.is_empty());
    let date = sheet_date(&state, explicit).map_err(|e| answer_error(&req, e))?;
    let engine = state
        .engine
        .clone()
        .ok_or_else(|| answer_error(&req, AppError::NoMap))?;
    let settings = DispatchSettings {
        time_limit_s: 5.0,
        ..settings_of(&state)
    };
    let db = state.db.clone();
    let actor = me.actor();
    let report = web::block(move || {
        let roads = engine.roads();
        crate::dispatch::plan_day(&db, Some(&roads), date, Utc::now(), &settings, &actor)
    })
    .await
    .map_err(|e| answer_error(&req, e.into()))?
    .map_err(|e| answer_error(&req, dispatch_error(e)));
    let report = match report {
        Ok(r) => r,
        Err(e) if !wants_json(&req) && e.as_response_error().status_code().as_u16() == 409 => {
            return Ok(back_to("/coord", "stale", None));
        }
        Err(e) => return Err(e),
    };
    let message = t
        .get("plans.planned")
        .replace(
            "{plans}",
            &report
                .squads
                .iter()
                .filter(|s| s.plan_id.is_some())
                .count()
                .to_string(),
        )
        .replace("{served}", &report.served_stops.to_string())
        .replace("{unserved}", &report.unserved.len().to_string());
    if wants_json(&req) {
        Ok(HttpResponse::Ok().json(serde_json::json!({
            "message": message,
            "served_stops": report.served_stops,
            "unserved_stops": report.unserved.len(),
        })))
    } else {
        let to = match explicit {
            Some(_) => format!("/coord?date={}", date.format("%Y-%m-%d")),
            None => "/coord".to_owned(),
        };
        Ok(back_to(&to, "replanned", Some(&message)))
    }
}
