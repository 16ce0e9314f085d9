//! Turns the search's best solution into a [`Plan`]: schedules with arrival, start and
//! departure times, distances through the cost trait, and reasons for every unserved stop.

use super::TravelCost;
use super::explain;
use super::model::Model;
use super::plan::{Plan, PlannedRoute, UnservedStop, Visit};
use super::problem::Problem;
use super::solution::Snapshot;

/// Builds the plan of `best` (route node lists and modes of the flat model).
pub(crate) fn build_plan<C: TravelCost>(
    problem: &Problem,
    m: &Model<'_, C>,
    best: &Snapshot,
    iterations: u64,
) -> Plan {
    let mut plan = Plan::default();
    let mut served = vec![false; m.n_jobs];
    for (v, nodes) in best.routes.iter().enumerate() {
        if nodes.len() <= 2 {
            continue;
        }
        let veh = &m.vehicles[v];
        let squad = &problem.squads[v];
        let p = veh.profile;
        // Whole-route segment: departing at its earliest start gives the minimal duration with
        // every stop served as early as possible.
        let seg_of = |n: u32| {
            if m.is_job(n) {
                let mode = best.modes.get(n as usize).copied().unwrap_or(0) as usize;
                m.mode_seg(n, mode.min(m.modes_of(n).len().saturating_sub(1)))
            } else {
                m.base_seg[n as usize]
            }
        };
        let mut whole = seg_of(nodes[0]);
        for w in nodes.windows(2) {
            whole = whole.then(&seg_of(w[1]), m.tt(p, w[0], w[1]));
        }
        let depart = whole.earliest.max(squad.shift.start_s);
        let mut t = depart;
        let mut route = PlannedRoute {
            squad: v,
            squad_id: squad.id,
            start_s: depart,
            end_s: depart,
            visits: Vec::with_capacity(nodes.len() - 2),
            travel_s: 0.0,
            distance_m: 0.0,
            load: 0.0,
        };
        for w in nodes.windows(2) {
            let (a, b) = (w[0], w[1]);
            let travel =
                m.cost
                    .duration_s(p, m.loc[a as usize] as usize, m.loc[b as usize] as usize);
            route.travel_s += travel;
            route.distance_m +=
                m.cost
                    .distance_m(p, m.loc[a as usize] as usize, m.loc[b as usize] as usize);
            t += travel;
            if m.is_job(b) {
                let stop = &problem.stops[b as usize];
                let seg = seg_of(b);
                let arrival = t;
                let start = arrival.max(seg.earliest);
                let departure = start + stop.service_s();
                let late = stop.deadline_s.map_or(0.0, |d| (start - d).max(0.0));
                route.visits.push(Visit {
                    stop: b as usize,
                    stop_id: stop.id,
                    arrival_s: arrival,
                    start_s: start,
                    departure_s: departure,
                    late_s: late,
                    locked: squad.locked_stops.contains(&(b as usize)),
                });
                route.load += stop.demand;
                served[b as usize] = true;
                t = departure;
            }
        }
        route.end_s = t;
        plan.summary.travel_s += route.travel_s;
        plan.summary.distance_m += route.distance_m;
        plan.summary.longest_day_s = plan.summary.longest_day_s.max(route.end_s - route.start_s);
        plan.summary.missed_deadlines += route.visits.iter().filter(|v| v.late_s > 1e-9).count();
        plan.summary.served += route.visits.len();
        plan.routes.push(route);
    }
    for (j, stop) in problem.stops.iter().enumerate() {
        if !served[j] {
            let reason = explain::reason(problem, m, j);
            plan.summary.unserved_weight += m.weight[j];
            plan.unserved.push(UnservedStop {
                stop: j,
                stop_id: stop.id,
                reason,
            });
        }
    }
    plan.summary.unserved = plan.unserved.len();
    plan.summary.squads_used = plan.routes.len();
    plan.summary.iterations = iterations;
    plan
}

/// The plan's objective value under the problem's weights (for comparisons and tests).
pub fn objective(problem: &Problem, plan: &Plan) -> f64 {
    let w = problem.settings.weights;
    let pr = &problem.settings.priorities;
    let mut late_weight = 0.0;
    for r in &plan.routes {
        for v in &r.visits {
            if v.late_s > 1e-9 {
                let s = &problem.stops[v.stop];
                late_weight += pr.weight(s.need, s.urgency);
            }
        }
    }
    w.unserved_s * plan.summary.unserved_weight
        + w.missed_deadline_s * late_weight
        + w.balance * plan.summary.longest_day_s
        + w.travel * plan.summary.travel_s
        + w.vehicle_s * plan.summary.squads_used as f64
}
