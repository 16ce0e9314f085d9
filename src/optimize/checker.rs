//! An independent check of a plan against its problem: coverage (every stop served once or
//! explained), capacity, residents' hours, shifts, skills, hard areas, pins, locks, and
//! (optionally) deadlines.
//!
//! It shares nothing with the solver but the public problem, plan and cost trait: it replays
//! each route from scratch with its own schedule (leave at the reported start, wait for
//! windows), so a bug in the solver's segment arithmetic cannot hide here. Tests and the
//! benchmark run it on every plan.

use super::TravelCost;
use super::plan::Plan;
use super::problem::{AreaRule, Problem};

/// Tolerance for time and load comparisons.
const TOL: f64 = 1e-6;

/// What the check found, and the totals it recomputed.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Human-readable violations; empty when the plan is valid.
    pub violations: Vec<String>,
    /// Total travel time recomputed, seconds.
    pub travel_s: f64,
    /// Total distance recomputed, metres.
    pub distance_m: f64,
    /// Stops served.
    pub served: usize,
    /// Routes with at least one stop.
    pub routes: usize,
}

impl CheckReport {
    /// Whether no rule is broken.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Checks `plan` against `problem` with travel from `cost`.
pub fn check<C: TravelCost + ?Sized>(problem: &Problem, cost: &C, plan: &Plan) -> CheckReport {
    let mut rep = CheckReport::default();
    let n = problem.stops.len();
    let mut seen = vec![0u32; n];
    let mut squad_seen = vec![false; problem.squads.len()];
    for route in &plan.routes {
        let q = route.squad;
        let Some(squad) = problem.squads.get(q) else {
            rep.violations.push(format!("route for unknown squad {q}"));
            continue;
        };
        if std::mem::replace(&mut squad_seen[q], true) {
            rep.violations.push(format!("squad {q} has two routes"));
        }
        if route.visits.is_empty() {
            continue;
        }
        rep.routes += 1;
        let prof = squad.profile;
        if route.start_s < squad.shift.start_s - TOL {
            rep.violations.push(format!(
                "squad {q} leaves at {} before its shift starts at {}",
                route.start_s, squad.shift.start_s
            ));
        }
        // Locks: the locked stops open the route in order.
        for (k, &l) in squad.locked_stops.iter().enumerate() {
            if route.visits.get(k).map(|v| v.stop) != Some(l) {
                rep.violations
                    .push(format!("squad {q}: locked stop {l} is not visit {k}"));
            }
        }
        let mut t = route.start_s.max(squad.shift.start_s);
        let mut at = squad.start_location;
        let mut load = 0.0;
        for visit in &route.visits {
            let j = visit.stop;
            let Some(stop) = problem.stops.get(j) else {
                rep.violations
                    .push(format!("squad {q} visits unknown stop {j}"));
                continue;
            };
            seen[j] += 1;
            rep.served += 1;
            let travel = cost.duration_s(prof, at, stop.location);
            if !travel.is_finite() {
                rep.violations
                    .push(format!("squad {q} cannot travel to stop {j}"));
            }
            rep.travel_s += travel;
            rep.distance_m += cost.distance_m(prof, at, stop.location);
            t += travel;
            let locked = squad.locked_stops.contains(&j);
            // Earliest start within one of the residents' windows.
            let start = if stop.time_windows.is_empty() || locked {
                Some(t)
            } else {
                stop.time_windows
                    .iter()
                    .filter_map(|w| {
                        let s = t.max(w.start_s);
                        (s <= w.end_s + TOL).then_some(s)
                    })
                    .reduce(f64::min)
            };
            let start = match start {
                Some(s) => s,
                None => {
                    rep.violations.push(format!(
                        "squad {q} reaches stop {j} at {t:.3}, after all its windows"
                    ));
                    t
                }
            };
            if !problem.settings.late_service
                && !locked
                && let Some(d) = stop.deadline_s
                && start > d + TOL
            {
                rep.violations.push(format!("stop {j} served at {start:.3} after its deadline {d} (late service not allowed)"));
            }
            if (visit.start_s - start).abs() > 1e-3 * start.abs().max(1.0)
                && visit.start_s < start - TOL
            {
                rep.violations.push(format!(
                    "stop {j}: reported start {} is before it can start ({start})",
                    visit.start_s
                ));
            }
            if !squad.skills.covers(stop.required_skills) {
                rep.violations
                    .push(format!("squad {q} lacks a skill stop {j} needs"));
            }
            if matches!(problem.settings.area_rule, AreaRule::Hard)
                && !squad.areas.is_empty()
                && !stop.area.is_some_and(|a| squad.areas.contains(&a))
            {
                rep.violations
                    .push(format!("stop {j} lies outside squad {q}'s areas"));
            }
            if let Some(p) = stop.pinned_squad
                && p != q
            {
                rep.violations
                    .push(format!("stop {j} is pinned to squad {p} but served by {q}"));
            }
            load += stop.demand;
            t = start + stop.service_s();
            at = stop.location;
        }
        let back = cost.duration_s(prof, at, squad.end_location);
        rep.travel_s += back;
        rep.distance_m += cost.distance_m(prof, at, squad.end_location);
        t += back;
        if !back.is_finite() || t > squad.shift.end_s + TOL {
            rep.violations.push(format!(
                "squad {q} returns at {t:.3}, after its shift ends at {}",
                squad.shift.end_s
            ));
        }
        if load > squad.capacity + TOL {
            rep.violations.push(format!(
                "squad {q} carries {load}, over its capacity {}",
                squad.capacity
            ));
        }
    }
    for u in &plan.unserved {
        match seen.get_mut(u.stop) {
            Some(c) => *c += 1,
            None => rep
                .violations
                .push(format!("unknown unserved stop {}", u.stop)),
        }
    }
    for (j, &c) in seen.iter().enumerate() {
        match c {
            0 => rep
                .violations
                .push(format!("stop {j} is neither served nor explained")),
            1 => {}
            _ => rep.violations.push(format!("stop {j} appears {c} times")),
        }
    }
    rep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::{
        DenseMatrices, Need, PlannedRoute, ServiceTime, SkillSet, Squad, SquadId, Stop, StopId,
        TimeWindow, Urgency, Visit,
    };
    use uuid::Uuid;

    fn problem() -> (Problem, DenseMatrices<f64>) {
        let m = DenseMatrices::single(3, vec![0.0, 10.0, 20.0, 10.0, 0.0, 10.0, 20.0, 10.0, 0.0])
            .unwrap();
        let stop = |k: usize| Stop {
            id: StopId(Uuid::from_u128(k as u128)),
            location: k,
            households: 1,
            service: ServiceTime {
                base_s: 5.0,
                per_household_s: 0.0,
            },
            demand: 3.0,
            time_windows: vec![TimeWindow {
                start_s: 0.0,
                end_s: 100.0,
            }],
            deadline_s: None,
            need: Need::Food,
            urgency: Urgency::Normal,
            required_skills: SkillSet::NONE,
            area: None,
            pinned_squad: None,
        };
        let p = Problem {
            stops: vec![stop(1), stop(2)],
            squads: vec![Squad {
                id: SquadId(Uuid::from_u128(9)),
                start_location: 0,
                end_location: 0,
                shift: TimeWindow {
                    start_s: 0.0,
                    end_s: 200.0,
                },
                capacity: 10.0,
                profile: 0,
                skills: SkillSet::NONE,
                areas: vec![],
                locked_stops: vec![],
            }],
            ..Default::default()
        };
        (p, m)
    }

    fn visit(p: &Problem, j: usize, start: f64) -> Visit {
        Visit {
            stop: j,
            stop_id: p.stops[j].id,
            arrival_s: start,
            start_s: start,
            departure_s: start + 5.0,
            late_s: 0.0,
            locked: false,
        }
    }

    #[test]
    fn valid_plan_passes_and_totals_are_recomputed() {
        let (p, m) = problem();
        let plan = Plan {
            routes: vec![PlannedRoute {
                squad: 0,
                squad_id: p.squads[0].id,
                start_s: 0.0,
                end_s: 50.0,
                visits: vec![visit(&p, 0, 10.0), visit(&p, 1, 25.0)],
                travel_s: 40.0,
                distance_m: 40.0,
                load: 6.0,
            }],
            ..Default::default()
        };
        let r = check(&p, &m, &plan);
        assert!(r.is_valid(), "{:?}", r.violations);
        assert_eq!(r.distance_m, 40.0);
    }

    #[test]
    fn broken_rules_are_reported() {
        let (mut p, m) = problem();
        p.squads[0].capacity = 4.0;
        p.stops[1].time_windows = vec![TimeWindow {
            start_s: 0.0,
            end_s: 12.0,
        }];
        let plan = Plan {
            routes: vec![PlannedRoute {
                squad: 0,
                squad_id: p.squads[0].id,
                start_s: 0.0,
                end_s: 50.0,
                visits: vec![visit(&p, 0, 10.0), visit(&p, 0, 25.0)],
                travel_s: 0.0,
                distance_m: 0.0,
                load: 6.0,
            }],
            ..Default::default()
        };
        let r = check(&p, &m, &plan);
        let all = r.violations.join("\n");
        assert!(all.contains("over its capacity"), "{all}");
        assert!(all.contains("stop 0 appears 2 times"), "{all}");
        assert!(
            all.contains("stop 1 is neither served nor explained"),
            "{all}"
        );
    }
}
