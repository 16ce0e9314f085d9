//! Storing the optimizer's answer: per squad, its plan (new, updated in place, or cancelled
//! when left empty), its stops placed in order with planned arrivals and legs (stored stops
//! kept and re-placed under their own id when the same households are still served together,
//! so that a tap queued on a phone still finds its stop), the requests moved to `assigned` or
//! back to `new`, the day's unserved requests with their reason, and an event for each.
//!
//! Everything is computed before the write; the write checks the versions read (stops and
//! plans) and fails whole with a conflict when someone changed them meanwhile.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::plans::{PlanRow, PlanTotals, StopPlacement, StopRow};
use crate::db::unserved::UnservedRow;
use crate::db::{Conn, DbError, Timestamp, events};
use crate::domain::{
    PlanId, PlanStatus, RequestId, RequestStatus, SquadId, StopId, StopStatus, UnservedReason,
};
use crate::optimize::{self, Plan, PlannedRoute, TravelCost};

use super::build::PlanInput;
use super::gather::{CurrentPlan, DayState};

/// One squad's plan after a run, for the command line and the API.
#[derive(Clone, Debug, Serialize)]
pub struct SquadReport {
    pub squad_id: SquadId,
    pub name: String,
    /// `None` when the squad has no plan (nothing to do).
    pub plan_id: Option<PlanId>,
    /// Stops on the plan, done ones included.
    pub stops: usize,
    pub requests: usize,
    pub distance_m: f64,
    /// From leaving to coming back, seconds.
    pub duration_s: f64,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A stop left out of the day's plans, and why.
#[derive(Clone, Debug, Serialize)]
pub struct UnservedReport {
    pub label: String,
    pub requests: Vec<RequestId>,
    pub reason: UnservedReason,
}

/// What a district plan did.
#[derive(Clone, Debug, Serialize)]
pub struct DayReport {
    pub date: NaiveDate,
    pub squads: Vec<SquadReport>,
    pub unserved: Vec<UnservedReport>,
    pub served_stops: usize,
    pub missed_deadlines: usize,
    pub iterations: u64,
}

pub(crate) fn reason_of(r: optimize::UnservedReason) -> UnservedReason {
    use optimize::UnservedReason as O;
    match r {
        O::NoSquadAvailable => UnservedReason::NoSquadAvailable,
        O::NoSquadWithSkill => UnservedReason::NoSquadWithSkill,
        O::OutsideEveryArea => UnservedReason::OutsideEveryArea,
        O::ExceedsCapacity => UnservedReason::ExceedsCapacity,
        O::Unreachable => UnservedReason::Unreachable,
        O::DeadlineCannotBeMet => UnservedReason::DeadlineCannotBeMet,
        O::OutsideHours => UnservedReason::OutsideHours,
        O::NoCapacityLeft => UnservedReason::NoCapacityLeft,
    }
}

/// What happens to one plan.
#[derive(Clone, Debug)]
pub(crate) struct PlanChange {
    pub squad: SquadId,
    /// A plan to create first, or the stored plan and the version read.
    pub create: Option<PlanRow>,
    pub update: Option<(PlanId, i32, PlanTotals)>,
    pub delete: Vec<(StopId, i32)>,
    pub place: Vec<(StopId, i32, StopPlacement)>,
    pub insert: Vec<(StopRow, Vec<RequestId>)>,
    pub action: &'static str,
    pub details: serde_json::Value,
}

impl PlanChange {
    /// Writes the change; `None` when the squad has no plan and gets none (nothing to do).
    pub fn apply(&self, c: &mut Conn<'_>, actor: &str) -> Result<Option<PlanId>, DbError> {
        if self.create.is_none() && self.update.is_none() {
            return Ok(None);
        }
        for (id, v) in &self.delete {
            // The stop's requests, read before it goes, so their histories say so.
            let served = crate::db::plans::requests_of_stop(c, *id)?;
            crate::db::plans::delete_pending_stop(c, *id, *v)?;
            for r in served {
                events::append(
                    c,
                    &events::NewEvent::now(actor, "request.unplanned", "request", Some(r.0))
                        .with_details(serde_json::json!({ "stop": id })),
                )?;
            }
        }
        if let Some(p) = &self.create {
            // Two changes racing to give a squad its first plan of the day: one wins.
            let existing = crate::db::plans::for_squad(c, p.squad_id, p.shift_date)?;
            if crate::db::plans::current_plan(existing).is_some() {
                return Err(DbError::Conflict(format!(
                    "squad {} got a plan for {} meanwhile",
                    p.squad_id, p.shift_date
                )));
            }
            // Without events: this change writes its own.
            crate::db::plans::insert_plan(c, p, &[])?;
        }
        for (id, v, to) in &self.place {
            crate::db::plans::place_stop(c, *id, *v, to)?;
        }
        crate::db::plans::insert_stops(c, &self.insert)?;
        let (plan_id, squad) = match (&self.create, &self.update) {
            (Some(p), _) => (p.id, p.squad_id),
            (None, Some((id, v, totals))) => {
                crate::db::plans::update_plan(c, *id, *v, totals)?;
                (*id, self.squad)
            }
            (None, None) => return Ok(None),
        };
        crate::db::plans::record_planned_stops(c, squad, &self.insert, actor)?;
        events::append(
            c,
            &events::NewEvent::now(actor, self.action, "plan", Some(plan_id.0))
                .with_details(self.details.clone()),
        )?;
        Ok(Some(plan_id))
    }
}

/// Computes one squad's plan change from its new route. `q` is the squad's index in `input`;
/// `pin` names stops to store as pinned (a coordinator's move).
pub(crate) fn plan_change(
    input: &PlanInput,
    q: usize,
    route: Option<&PlannedRoute>,
    current: Option<&CurrentPlan>,
    pin: &HashSet<StopId>,
    moved_out: &HashSet<StopId>,
) -> PlanChange {
    let sq = &input.squads[q];
    let squad = &input.problem.squads[q];
    let now = Timestamp::now();
    let done: Vec<&(StopRow, Vec<RequestId>)> =
        current.map(|p| p.done().collect()).unwrap_or_default();
    let plan_id = current.map_or_else(PlanId::generate, |p| p.plan.id);
    let mut place = Vec::new();
    let mut insert = Vec::new();
    let mut kept: HashSet<StopId> = HashSet::new();
    for (k, (s, _)) in done.iter().enumerate() {
        kept.insert(s.id);
        if s.seq != k as i32 {
            place.push((
                s.id,
                s.version,
                StopPlacement {
                    plan_id,
                    seq: k as i32,
                    planned_arrival: s.planned_arrival,
                    leg_distance_m: s.leg_distance_m,
                    leg_duration_s: s.leg_duration_s,
                    pinned: s.pinned,
                },
            ));
        }
    }
    // Stored pending stops of this plan, by the households they serve, for reuse.
    let mut reusable: HashMap<Vec<RequestId>, &StopRow> = HashMap::new();
    if let Some(p) = current {
        for (s, reqs) in p.pending() {
            let mut key = reqs.clone();
            key.sort();
            reusable.insert(key, s);
        }
    }
    let mut prev = squad.start_location;
    let visits = route.map(|r| r.visits.as_slice()).unwrap_or_default();
    let mut requests = done.iter().map(|(_, r)| r.len()).sum::<usize>();
    for (k, v) in visits.iter().enumerate() {
        let spec = &input.stops[v.stop];
        let loc = input.problem.stops[v.stop].location;
        let leg_s = input.travel.duration_s(squad.profile, prev, loc);
        let leg_m = input.travel.distance_m(squad.profile, prev, loc);
        prev = loc;
        requests += spec.requests.len();
        let mut placement = StopPlacement {
            plan_id,
            seq: (done.len() + k) as i32,
            planned_arrival: Some(input.at(v.arrival_s)),
            leg_distance_m: leg_m.is_finite().then_some(leg_m),
            leg_duration_s: leg_s.is_finite().then_some(leg_s),
            pinned: pin.contains(&spec.id),
        };
        let stored = spec.existing.as_ref().or_else(|| {
            let mut key = spec.requests.clone();
            key.sort();
            reusable.get(&key).copied()
        });
        match stored {
            Some(s) => {
                placement.pinned |= s.pinned;
                kept.insert(s.id);
                place.push((s.id, s.version, placement));
            }
            None => insert.push((
                StopRow {
                    id: spec.id,
                    plan_id,
                    seq: placement.seq,
                    label: spec.label.clone(),
                    lon: spec.point.x(),
                    lat: spec.point.y(),
                    zone_id: spec.zone_id,
                    planned_arrival: placement.planned_arrival,
                    service_s: spec.service_s,
                    leg_distance_m: placement.leg_distance_m,
                    leg_duration_s: placement.leg_duration_s,
                    pinned: placement.pinned,
                    status: StopStatus::Pending,
                    failure_reason: None,
                    proof_note: String::new(),
                    completed_at: None,
                    updated_at: now,
                    version: 1,
                },
                spec.requests.clone(),
            )),
        }
    }
    let delete: Vec<(StopId, i32)> = current
        .map(|p| {
            p.stops
                .iter()
                .filter(|(s, _)| {
                    s.status == StopStatus::Pending
                        && !kept.contains(&s.id)
                        && !moved_out.contains(&s.id)
                })
                .map(|(s, _)| (s.id, s.version))
                .collect()
        })
        .unwrap_or_default();
    let (start_s, end_s, distance_m) = match route {
        Some(r) => (r.start_s, r.end_s, r.distance_m),
        None => (squad.shift.start_s, squad.shift.start_s, 0.0),
    };
    let empty = visits.is_empty() && done.is_empty();
    let totals = PlanTotals {
        starts_at: input.at(start_s),
        ends_at: input.at(end_s),
        status: if empty {
            PlanStatus::Cancelled
        } else {
            PlanStatus::Active
        },
        distance_m,
        duration_s: end_s - start_s,
    };
    let details = serde_json::json!({
        "squad": sq.name, "date": input.date, "stops": done.len() + visits.len(),
        "requests": requests, "distance_m": distance_m.round(), "duration_s": (end_s - start_s).round(),
    });
    match current {
        Some(p) => PlanChange {
            squad: sq.id,
            create: None,
            update: Some((p.plan.id, p.plan.version, totals)),
            delete,
            place,
            insert,
            action: if empty {
                "plan.cancelled"
            } else {
                "plan.updated"
            },
            details,
        },
        None => PlanChange {
            squad: sq.id,
            create: (!empty).then_some(PlanRow {
                id: plan_id,
                squad_id: sq.id,
                shift_date: input.date,
                starts_at: totals.starts_at,
                ends_at: totals.ends_at,
                status: PlanStatus::Active,
                distance_m,
                duration_s: totals.duration_s,
                created_at: now,
                updated_at: now,
                version: 1,
            }),
            update: None,
            delete,
            place,
            insert,
            action: "plan.created",
            details,
        },
    }
}

/// Everything a district plan writes.
pub(crate) struct DayChanges {
    date: NaiveDate,
    plans: Vec<PlanChange>,
    /// Requests now on a stop to do: `new` ones become `assigned`.
    assign: Vec<RequestId>,
    /// Requests on no plan any more: `assigned` ones go back to `new`.
    release: Vec<(RequestId, UnservedReason)>,
    unserved: Vec<UnservedRow>,
    report: DayReport,
}

impl DayChanges {
    pub fn new(day: &DayState, input: &PlanInput, plan: &Plan) -> DayChanges {
        let none = HashSet::new();
        let mut plans = Vec::new();
        let mut squads = Vec::new();
        let mut assign = Vec::new();
        for (q, sq) in input.squads.iter().enumerate() {
            let route = plan.routes.iter().find(|r| r.squad == q);
            let current = day.plans.get(&sq.id);
            let change = plan_change(input, q, route, current, &none, &none);
            if let Some(r) = route {
                for v in &r.visits {
                    assign.extend(input.stops[v.stop].requests.iter().copied());
                }
            }
            let stops =
                current.map_or(0, |p| p.done().count()) + route.map_or(0, |r| r.visits.len());
            let plan_id = match (&change.create, &change.update) {
                (Some(p), _) => Some(p.id),
                (None, Some((id, _, t))) if t.status != PlanStatus::Cancelled => Some(*id),
                _ => None,
            };
            squads.push(SquadReport {
                squad_id: sq.id,
                name: sq.name.clone(),
                plan_id,
                stops,
                requests: change.details["requests"].as_u64().unwrap_or(0) as usize,
                distance_m: route.map_or(0.0, |r| r.distance_m),
                duration_s: route.map_or(0.0, |r| r.end_s - r.start_s),
                starts_at: route.map(|r| input.at(r.start_s).0),
                ends_at: route.map(|r| input.at(r.end_s).0),
            });
            plans.push(change);
        }
        // Plans of squads no longer active: their stops to do went to the others.
        let active: HashSet<SquadId> = input.squads.iter().map(|s| s.id).collect();
        for (id, p) in &day.plans {
            if active.contains(id) {
                continue;
            }
            let delete: Vec<(StopId, i32)> = p.pending().map(|(s, _)| (s.id, s.version)).collect();
            let keep = p.stops.len() > delete.len();
            if delete.is_empty() && keep {
                continue;
            }
            plans.push(PlanChange {
                squad: *id,
                create: None,
                update: Some((
                    p.plan.id,
                    p.plan.version,
                    PlanTotals {
                        starts_at: p.plan.starts_at,
                        ends_at: p.plan.ends_at,
                        status: if keep {
                            p.plan.status
                        } else {
                            PlanStatus::Cancelled
                        },
                        distance_m: p.plan.distance_m,
                        duration_s: p.plan.duration_s,
                    },
                )),
                delete,
                place: Vec::new(),
                insert: Vec::new(),
                action: "plan.squad_inactive",
                details: serde_json::json!({ "date": input.date }),
            });
        }
        let now = Timestamp::now();
        let mut unserved = Vec::new();
        let mut unserved_reports = Vec::new();
        let mut release = Vec::new();
        for u in &plan.unserved {
            let spec = &input.stops[u.stop];
            let loc = input.problem.stops[u.stop].location;
            let reason = if input.travel.located_anywhere(loc) {
                reason_of(u.reason)
            } else {
                UnservedReason::NoRoadNearby
            };
            for r in &spec.requests {
                unserved.push(UnservedRow {
                    request_id: *r,
                    shift_date: input.date,
                    reason,
                    stop_label: spec.label.clone(),
                    recorded_at: now,
                });
                release.push((*r, reason));
            }
            unserved_reports.push(UnservedReport {
                label: spec.label.clone(),
                requests: spec.requests.clone(),
                reason,
            });
        }
        DayChanges {
            date: input.date,
            plans,
            assign,
            release,
            unserved,
            report: DayReport {
                date: input.date,
                squads,
                unserved: unserved_reports,
                served_stops: plan.summary.served,
                missed_deadlines: plan.summary.missed_deadlines,
                iterations: plan.summary.iterations,
            },
        }
    }

    /// Writes everything (call inside a transaction).
    pub fn apply(&self, c: &mut Conn<'_>, actor: &str) -> Result<DayReport, DbError> {
        for p in &self.plans {
            // A squad that had no plan and got no stops: nothing to store.
            if p.create.is_none() && p.update.is_none() {
                continue;
            }
            p.apply(c, actor)?;
        }
        set_statuses(
            c,
            &self.assign,
            RequestStatus::New,
            RequestStatus::Assigned,
            "",
            actor,
        )?;
        for (id, reason) in &self.release {
            set_statuses(
                c,
                &[*id],
                RequestStatus::Assigned,
                RequestStatus::New,
                &format!("unserved: {reason}"),
                actor,
            )?;
        }
        crate::db::unserved::replace_for_date(c, self.date, &self.unserved)?;
        events::append(
            c,
            &events::NewEvent::now(actor, "dispatch.planned", "plan", None).with_details(
                serde_json::json!({
                    "date": self.date,
                    "plans": self.report.squads.iter().filter(|s| s.plan_id.is_some()).count(),
                    "served_stops": self.report.served_stops,
                    "unserved_stops": self.report.unserved.len(),
                }),
            ),
        )?;
        Ok(self.report.clone())
    }
}

/// Moves the listed requests that are at `from` to `to`, each with its event.
pub(crate) fn set_statuses(
    c: &mut Conn<'_>,
    ids: &[RequestId],
    from: RequestStatus,
    to: RequestStatus,
    note: &str,
    actor: &str,
) -> Result<(), DbError> {
    for r in crate::db::requests::get_many(c, ids)? {
        if r.status == from {
            crate::db::requests::set_status(c, r.id, r.version, to, None, note, actor)?;
        }
    }
    Ok(())
}
