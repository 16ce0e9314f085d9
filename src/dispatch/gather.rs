//! What a plan starts from, read in one go: the active squads, each squad's current plan of
//! the day with its stops, the open requests, and the zones (for checkpoint labels).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::plans::{PlanRow, StopRow};
use crate::db::requests::RequestRow;
use crate::db::squads::SquadRow;
use crate::db::zones::ZoneRow;
use crate::db::{Conn, DbError};
use crate::domain::{RequestId, RequestStatus, SquadId, StopStatus, ZoneId};

/// A squad's current plan of the day with its stops in order.
#[derive(Clone, Debug)]
pub(crate) struct CurrentPlan {
    pub plan: PlanRow,
    pub stops: Vec<(StopRow, Vec<RequestId>)>,
}

impl CurrentPlan {
    /// Stops delivered or failed: they keep their status and their place at the head.
    pub fn done(&self) -> impl Iterator<Item = &(StopRow, Vec<RequestId>)> {
        self.stops.iter().filter(|(s, _)| is_done(s.status))
    }

    /// Stops under way (arrived): kept first, in order, on this squad.
    pub fn under_way(&self) -> impl Iterator<Item = &(StopRow, Vec<RequestId>)> {
        self.stops
            .iter()
            .filter(|(s, _)| s.status == StopStatus::Arrived)
    }

    /// Stops still to do.
    pub fn pending(&self) -> impl Iterator<Item = &(StopRow, Vec<RequestId>)> {
        self.stops
            .iter()
            .filter(|(s, _)| s.status == StopStatus::Pending)
    }
}

pub(crate) fn is_done(s: StopStatus) -> bool {
    matches!(s, StopStatus::Delivered | StopStatus::Failed)
}

/// Everything a day's plan is made from.
#[derive(Clone, Debug)]
pub(crate) struct DayState {
    pub date: NaiveDate,
    /// Squads that plan: active ones, by name.
    pub squads: Vec<SquadRow>,
    /// Current plans of every squad (active or not) for the day.
    pub plans: HashMap<SquadId, CurrentPlan>,
    /// Every request the day involves: open ones and those on the current plans' stops.
    pub requests: HashMap<RequestId, RequestRow>,
    pub zones: HashMap<ZoneId, ZoneRow>,
}

impl DayState {
    /// Open requests that may be planned: located, not waiting for review, not on a stop that
    /// is done, under way or pinned (those keep their stop).
    pub fn free_requests(&self) -> Vec<&RequestRow> {
        let mut kept: std::collections::HashSet<RequestId> = Default::default();
        for p in self.plans.values() {
            for (s, reqs) in &p.stops {
                let active_squad = self.squads.iter().any(|q| q.id == p.plan.squad_id);
                if s.status != StopStatus::Pending || (s.pinned && active_squad) {
                    kept.extend(reqs.iter().copied());
                }
            }
        }
        let mut out: Vec<&RequestRow> = self
            .requests
            .values()
            .filter(|r| plannable(r) && !kept.contains(&r.id))
            .collect();
        out.sort_by_key(|r| (r.created_at, r.id));
        out
    }
}

/// Open, located, and not waiting for a coordinator's review.
pub(crate) fn plannable(r: &RequestRow) -> bool {
    matches!(
        r.status,
        RequestStatus::New | RequestStatus::Assigned | RequestStatus::OutForDelivery
    ) && r.lon.is_some()
        && r.lat.is_some()
}

/// Reads the day.
pub(crate) fn load_day(conn: &mut Conn<'_>, date: NaiveDate) -> Result<DayState, DbError> {
    let squads = crate::db::squads::list(conn, false)?;
    let mut by_squad: HashMap<SquadId, Vec<PlanRow>> = HashMap::new();
    for p in crate::db::plans::for_date(conn, date)? {
        by_squad.entry(p.squad_id).or_default().push(p);
    }
    let current: Vec<PlanRow> = by_squad
        .into_values()
        .filter_map(crate::db::plans::current_plan)
        .collect();
    let ids: Vec<_> = current.iter().map(|p| p.id).collect();
    let mut stops: HashMap<_, Vec<(StopRow, Vec<RequestId>)>> = HashMap::new();
    for (s, reqs) in crate::db::plans::stops_of_many(conn, &ids)? {
        stops.entry(s.plan_id).or_default().push((s, reqs));
    }
    let mut requests: HashMap<RequestId, RequestRow> = crate::db::requests::open(conn)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let on_stops: Vec<RequestId> = stops
        .values()
        .flatten()
        .flat_map(|(_, r)| r.iter().copied())
        .filter(|id| !requests.contains_key(id))
        .collect();
    for r in crate::db::requests::get_many(conn, &on_stops)? {
        requests.insert(r.id, r);
    }
    let plans = current
        .into_iter()
        .map(|plan| {
            let mut st = stops.remove(&plan.id).unwrap_or_default();
            st.sort_by_key(|(s, _)| s.seq);
            (plan.squad_id, CurrentPlan { plan, stops: st })
        })
        .collect();
    let zones = crate::db::zones::list(conn, true)?
        .into_iter()
        .map(|z| (z.id, z))
        .collect();
    Ok(DayState {
        date,
        squads,
        plans,
        requests,
        zones,
    })
}
