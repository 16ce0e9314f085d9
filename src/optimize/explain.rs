//! Why a stop is left unserved: the first rule it fails, tested squad by squad in the order a
//! coordinator would check (skills, areas and pins, capacity, reachability, deadline, hours), or
//! "no capacity left" when it could be served alone but lost out to more urgent stops.

use super::TravelCost;
use super::model::{Model, UNREACHABLE_S};
use super::plan::UnservedReason;
use super::problem::Problem;

/// The reason stop `j` is unserved.
pub(crate) fn reason<C: TravelCost>(
    problem: &Problem,
    m: &Model<'_, C>,
    j: usize,
) -> UnservedReason {
    let stop = &problem.stops[j];
    let squads = &problem.squads;
    if m.active[j] {
        return UnservedReason::NoCapacityLeft;
    }
    if squads.is_empty() {
        return UnservedReason::NoSquadAvailable;
    }
    let skilled: Vec<usize> = (0..squads.len())
        .filter(|&q| squads[q].skills.covers(stop.required_skills))
        .collect();
    if skilled.is_empty() {
        return UnservedReason::NoSquadWithSkill;
    }
    let allowed: Vec<usize> = skilled
        .into_iter()
        .filter(|&q| m.allowed(j as u32, q))
        .collect();
    if allowed.is_empty() {
        // Skills are fine, so areas or a pin exclude every squad.
        return UnservedReason::OutsideEveryArea;
    }
    let roomy: Vec<usize> = allowed
        .into_iter()
        .filter(|&q| {
            let locked: f64 = squads[q]
                .locked_stops
                .iter()
                .map(|&s| problem.stops[s].demand)
                .sum();
            stop.demand + locked <= squads[q].capacity + 1e-9
        })
        .collect();
    if roomy.is_empty() {
        return UnservedReason::ExceedsCapacity;
    }
    let reachable: Vec<usize> = roomy
        .into_iter()
        .filter(|&q| {
            let veh = &m.vehicles[q];
            m.tt(veh.profile, veh.start_node, j as u32) < UNREACHABLE_S
                && m.tt(veh.profile, j as u32, veh.end_node) < UNREACHABLE_S
        })
        .collect();
    if reachable.is_empty() {
        return UnservedReason::Unreachable;
    }
    // Would its hours fit some squad's shift if there were no deadline?
    let service = stop.service_s();
    let hours_fit = reachable.iter().any(|&q| {
        let veh = &m.vehicles[q];
        let out = m.tt(veh.profile, veh.start_node, j as u32);
        let back = m.tt(veh.profile, j as u32, veh.end_node);
        let shift = squads[q].shift;
        let windows: Vec<(f64, f64)> = if stop.time_windows.is_empty() {
            vec![(0.0, f64::INFINITY)]
        } else {
            stop.time_windows
                .iter()
                .map(|w| (w.start_s, w.end_s))
                .collect()
        };
        windows.iter().any(|&(e, l)| {
            let start = (shift.start_s + out).max(e);
            start <= l + 1e-9 && start + service + back <= shift.end_s + 1e-9
        })
    });
    if hours_fit && stop.deadline_s.is_some() {
        UnservedReason::DeadlineCannotBeMet
    } else {
        UnservedReason::OutsideHours
    }
}
