//! A coordinator's changes to the day's routes: moving one stop to another squad (both squads
//! re-sequenced by [`optimize::resequence`], well within 0.2 s for squads of a few dozen
//! stops) and re-optimizing one squad's order.
//!
//! Both read, compute, and then write in one transaction that checks every version read: of
//! two coordinators moving the same stop, the first to commit wins and the other gets a
//! conflict with the stop as it now is. A move that would leave a stop unserved (the squad
//! lacks the skill, is full, cannot make the hours) is refused with the reason, and changes
//! nothing.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::plans::{PlanRow, StopRow};
use crate::db::requests::RequestRow;
use crate::db::squads::SquadRow;
use crate::db::{Conn, Database, DbError, events};
use crate::domain::{PlanId, PlanStatus, RequestId, SquadId, StopId, StopStatus, ZoneId};
use crate::optimize::{self, Plan};
use crate::road::RoadNetwork;

use super::build::PlanInput;
use super::gather::CurrentPlan;
use super::store::{plan_change, reason_of};
use super::{DispatchError, DispatchSettings};

/// One squad before and after a change.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SquadChange {
    pub squad_id: SquadId,
    pub name: String,
    pub plan_id: PlanId,
    /// Stops on the plan after the change (done ones included).
    pub stops: usize,
    /// The squad's day (leaving to coming back), seconds.
    pub duration_before_s: f64,
    pub duration_after_s: f64,
    pub delta_duration_s: f64,
    pub distance_before_m: f64,
    pub distance_after_m: f64,
    pub delta_distance_m: f64,
}

/// What a move did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReassignOutcome {
    pub stop_id: StopId,
    /// The stop's version after the move.
    pub stop_version: i32,
    pub from: SquadChange,
    pub to: SquadChange,
    /// Time spent re-sequencing both squads, milliseconds.
    pub resequence_ms: f64,
}

/// The squads' plans and everything their stops need, read together.
struct Loaded {
    squads: Vec<(SquadRow, Option<CurrentPlan>)>,
    requests: HashMap<RequestId, RequestRow>,
    zones: HashMap<ZoneId, crate::db::zones::ZoneRow>,
}

fn current_of(c: &mut Conn<'_>, plan: PlanRow) -> Result<CurrentPlan, DbError> {
    let stops = crate::db::plans::stops_of(c, plan.id)?;
    Ok(CurrentPlan { plan, stops })
}

fn load(c: &mut Conn<'_>, squads: Vec<(SquadRow, Option<PlanRow>)>) -> Result<Loaded, DbError> {
    let mut out = Vec::new();
    for (sq, plan) in squads {
        let cur = plan.map(|p| current_of(c, p)).transpose()?;
        out.push((sq, cur));
    }
    let ids: Vec<RequestId> = out
        .iter()
        .filter_map(|(_, p)| p.as_ref())
        .flat_map(|p| p.stops.iter().flat_map(|(_, r)| r.iter().copied()))
        .collect();
    let requests = crate::db::requests::get_many(c, &ids)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let zones = crate::db::zones::list(c, true)?
        .into_iter()
        .map(|z| (z.id, z))
        .collect();
    Ok(Loaded {
        squads: out,
        requests,
        zones,
    })
}

fn stop_json(s: &StopRow, squad: SquadId) -> serde_json::Value {
    serde_json::json!({
        "id": s.id, "plan_id": s.plan_id, "squad_id": squad, "seq": s.seq,
        "status": s.status, "pinned": s.pinned, "version": s.version,
    })
}

fn change_of(
    sq: &SquadRow,
    before: Option<&PlanRow>,
    plan_id: PlanId,
    route: Option<&optimize::PlannedRoute>,
    stops: usize,
) -> SquadChange {
    let (db, mb) = before.map_or((0.0, 0.0), |p| (p.duration_s, p.distance_m));
    let (da, ma) = route.map_or((0.0, 0.0), |r| (r.end_s - r.start_s, r.distance_m));
    SquadChange {
        squad_id: sq.id,
        name: sq.name.clone(),
        plan_id,
        stops,
        duration_before_s: db,
        duration_after_s: da,
        delta_duration_s: da - db,
        distance_before_m: mb,
        distance_after_m: ma,
        delta_distance_m: ma - mb,
    }
}

/// Refuses a result that leaves a stop out, naming the first reason.
fn all_served(input: &PlanInput, plan: &Plan, moved: Option<usize>) -> Result<(), DispatchError> {
    let Some(u) = plan.unserved.first() else {
        return Ok(());
    };
    let reason = reason_of(u.reason);
    let label = &input.stops[u.stop].label;
    Err(if Some(u.stop) == moved {
        DispatchError::refused(
            "squad_id",
            format!("this squad cannot take the stop `{label}`: {reason}"),
        )
    } else {
        DispatchError::refused(
            "squad_id",
            format!(
                "the change would leave {} stop(s) unserved, first `{label}`: {reason}",
                plan.unserved.len()
            ),
        )
    })
}

/// Moves `stop` to squad `to` if the stop is still at `expected_version`, re-sequencing both
/// squads. The stop is then pinned to its new squad (a district re-plan keeps it there).
#[allow(clippy::too_many_arguments)]
pub fn reassign(
    db: &Database,
    roads: Option<&RoadNetwork>,
    stop: StopId,
    to: SquadId,
    expected_version: i32,
    now: DateTime<Utc>,
    settings: &DispatchSettings,
    actor: &str,
) -> Result<ReassignOutcome, DispatchError> {
    let roads = roads.ok_or(DispatchError::NoMap)?;
    let (row, from, loaded) = db
        .read_blocking(|c| {
            let (row, from) = match crate::db::plans::stop_with_squad(c, stop) {
                Ok(x) => x,
                Err(DbError::NotFound) => return Ok(Err(format!("stop {stop}"))),
                Err(e) => return Err(e),
            };
            let plan_a = crate::db::plans::get(c, row.plan_id)?;
            let squad_a = crate::db::squads::get(c, from)?;
            let squad_b = match crate::db::squads::get(c, to) {
                Ok(s) => s,
                Err(DbError::NotFound) => return Ok(Err(format!("squad {to}"))),
                Err(e) => return Err(e),
            };
            let plan_b = crate::db::plans::current_plan(crate::db::plans::for_squad(
                c,
                to,
                plan_a.shift_date,
            )?);
            let loaded = load(c, vec![(squad_a, Some(plan_a)), (squad_b, plan_b)])?;
            Ok(Ok((row, from, loaded)))
        })
        .map_err(DispatchError::from_db)?
        .map_err(DispatchError::NotFound)?;
    if row.version != expected_version {
        return Err(DispatchError::Conflict {
            message: format!(
                "stop {stop} is at version {}, not {expected_version}: someone changed it first",
                row.version
            ),
            current: Some(stop_json(&row, from)),
        });
    }
    // The reads above are separate statements: another move may have committed between the
    // stop's row and the plans. The plans as loaded are what the write's version checks guard,
    // so they must hold the stop, with its squad, at the version the caller saw.
    let loaded_version = loaded.squads[0].1.as_ref().and_then(|p| {
        p.pending()
            .find(|(s, _)| s.id == stop)
            .map(|(s, _)| s.version)
    });
    if row.status == StopStatus::Pending && loaded_version != Some(expected_version) {
        return Err(DispatchError::Conflict {
            message: format!(
                "stop {stop} changed while the move was computed: someone changed it first"
            ),
            current: db
                .read_blocking(|c| crate::db::plans::stop_with_squad(c, stop))
                .ok()
                .map(|(s, q)| stop_json(&s, q)),
        });
    }
    if row.status != StopStatus::Pending {
        return Err(DispatchError::refused(
            "stop",
            format!(
                "the stop is {}: a stop under way or done stays with its squad",
                row.status
            ),
        ));
    }
    if from == to {
        return Err(DispatchError::refused(
            "squad_id",
            "the stop is already with this squad",
        ));
    }
    let (sq_b, _) = &loaded.squads[1];
    if !sq_b.active {
        return Err(DispatchError::refused(
            "squad_id",
            format!("squad `{}` is inactive", sq_b.name),
        ));
    }
    let plan_a = loaded.squads[0].1.as_ref().map(|p| p.plan.clone());
    if plan_a
        .as_ref()
        .is_none_or(|p| p.status == PlanStatus::Cancelled)
    {
        return Err(DispatchError::Conflict {
            message: "the stop's plan was replaced meanwhile".into(),
            current: Some(stop_json(&row, from)),
        });
    }
    let date = plan_a.as_ref().map_or(now.date_naive(), |p| p.shift_date);
    let input = PlanInput::for_plans(
        date,
        &loaded.squads,
        &loaded.requests,
        &loaded.zones,
        roads,
        now,
        settings,
    )?;
    let moved = input
        .index_of(stop)
        .ok_or_else(|| DispatchError::NotFound(format!("stop {stop}")))?;
    let pending_of = |q: usize| -> Vec<usize> {
        loaded.squads[q]
            .1
            .as_ref()
            .map(|p| {
                p.pending()
                    .filter_map(|(s, _)| input.index_of(s.id))
                    .filter(|&k| k != moved)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut to_b = pending_of(1);
    to_b.push(moved);
    let started = Instant::now();
    let plan = optimize::resequence(
        &input.problem,
        &input.travel,
        &[(0, pending_of(0)), (1, to_b)],
        &settings.resequence_options(settings.resequence_limit_s),
    )?;
    let resequence_ms = started.elapsed().as_secs_f64() * 1000.0;
    all_served(&input, &plan, Some(moved))?;
    let pin: HashSet<StopId> = [stop].into();
    let route = |q: usize| plan.routes.iter().find(|r| r.squad == q);
    let ch_a = plan_change(
        &input,
        0,
        route(0),
        loaded.squads[0].1.as_ref(),
        &HashSet::new(),
        &pin,
    );
    let ch_b = plan_change(
        &input,
        1,
        route(1),
        loaded.squads[1].1.as_ref(),
        &pin,
        &HashSet::new(),
    );
    let count = |q: usize| {
        loaded.squads[q].1.as_ref().map_or(0, |p| p.done().count())
            + route(q).map_or(0, |r| r.visits.len())
    };
    let from_change = change_of(
        &loaded.squads[0].0,
        plan_a.as_ref(),
        loaded.squads[0]
            .1
            .as_ref()
            .map_or_else(PlanId::generate, |p| p.plan.id),
        route(0),
        count(0),
    );
    let to_plan_id = ch_b
        .create
        .as_ref()
        .map(|p| p.id)
        .or(ch_b.update.as_ref().map(|u| u.0))
        .unwrap_or_else(PlanId::generate);
    let to_change = change_of(
        &loaded.squads[1].0,
        loaded.squads[1].1.as_ref().map(|p| &p.plan),
        to_plan_id,
        route(1),
        count(1),
    );
    let outcome = ReassignOutcome {
        stop_id: stop,
        stop_version: expected_version + 1,
        from: from_change,
        to: to_change,
        resequence_ms,
    };
    let actor = actor.to_owned();
    let details = serde_json::to_value(&outcome).unwrap_or_default();
    db.write_blocking(move |c| {
        c.transaction(|c| {
            ch_a.apply(c, &actor)?;
            ch_b.apply(c, &actor)?;
            crate::db::unserved::forget(c, date, &input.stops[moved].requests)?;
            events::append(
                c,
                &events::NewEvent::now(&actor, "stop.reassigned", "stop", Some(stop.0))
                    .with_details(details),
            )
        })
    })
    .map_err(|e| match e {
        DbError::Conflict(message) => DispatchError::Conflict {
            message,
            current: db
                .read_blocking(|c| crate::db::plans::stop_with_squad(c, stop))
                .ok()
                .map(|(s, q)| stop_json(&s, q)),
        },
        other => DispatchError::Db(other),
    })?;
    Ok(outcome)
}

/// Re-sequences one squad's plan (its own stops, locked ones first), if the plan is still at
/// `expected_version` when given.
pub fn reoptimize_plan(
    db: &Database,
    roads: Option<&RoadNetwork>,
    plan_id: PlanId,
    expected_version: Option<i32>,
    now: DateTime<Utc>,
    settings: &DispatchSettings,
    actor: &str,
) -> Result<SquadChange, DispatchError> {
    let roads = roads.ok_or(DispatchError::NoMap)?;
    let loaded = db
        .read_blocking(|c| {
            let plan = match crate::db::plans::get(c, plan_id) {
                Ok(p) => p,
                Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            let squad = crate::db::squads::get(c, plan.squad_id)?;
            load(c, vec![(squad, Some(plan))]).map(Some)
        })
        .map_err(DispatchError::from_db)?
        .ok_or_else(|| DispatchError::NotFound(format!("plan {plan_id}")))?;
    let (sq, cur) = &loaded.squads[0];
    let Some(cur) = cur else {
        return Err(DispatchError::NotFound(format!("plan {plan_id}")));
    };
    if let Some(v) = expected_version
        && v != cur.plan.version
    {
        return Err(DispatchError::Conflict {
            message: format!(
                "plan {plan_id} is at version {}, not {v}: someone changed it first",
                cur.plan.version
            ),
            current: Some(serde_json::json!({
                "id": cur.plan.id, "version": cur.plan.version, "status": cur.plan.status,
            })),
        });
    }
    if cur.plan.status == PlanStatus::Cancelled {
        return Err(DispatchError::refused(
            "plan",
            "the plan was cancelled: re-plan the district instead",
        ));
    }
    let input = PlanInput::for_plans(
        cur.plan.shift_date,
        &loaded.squads,
        &loaded.requests,
        &loaded.zones,
        roads,
        now,
        settings,
    )?;
    let pending: Vec<usize> = cur
        .pending()
        .filter_map(|(s, _)| input.index_of(s.id))
        .collect();
    let plan = optimize::resequence(
        &input.problem,
        &input.travel,
        &[(0, pending)],
        &settings.resequence_options(settings.reoptimize_limit_s),
    )?;
    all_served(&input, &plan, None)?;
    let route = plan.routes.iter().find(|r| r.squad == 0);
    let none = HashSet::new();
    let change = plan_change(&input, 0, route, Some(cur), &none, &none);
    let outcome = change_of(
        sq,
        Some(&cur.plan),
        plan_id,
        route,
        cur.done().count() + route.map_or(0, |r| r.visits.len()),
    );
    let actor = actor.to_owned();
    db.write_blocking(move |c| c.transaction(|c| change.apply(c, &actor).map(drop)))
        .map_err(DispatchError::from_db)?;
    Ok(outcome)
}
