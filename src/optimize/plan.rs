//! The solver's answer as plain data: per squad its visits with times, the stops left unserved
//! with the reason, and a summary of the objective's goals.

use super::problem::{SquadId, StopId};

/// Why a stop is not in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnservedReason {
    /// There is no squad at all.
    NoSquadAvailable,
    /// No squad has the skills it needs (e.g. protective gear for a high-risk zone).
    NoSquadWithSkill,
    /// Squads with the skills exist, but none covers its area (hard area rule) or the squad it
    /// is pinned to cannot serve it.
    OutsideEveryArea,
    /// Its demand exceeds the capacity of every squad that may serve it (or capacity is zero).
    ExceedsCapacity,
    /// No squad that may serve it can travel there and back.
    Unreachable,
    /// Its deadline cannot be met by any squad and late service is not allowed (or the
    /// deadline has already passed).
    DeadlineCannotBeMet,
    /// Its residents' hours do not fit any squad's shift, travel included.
    OutsideHours,
    /// It could be served on its own, but the squads' capacity and shift time are taken by
    /// stops of higher priority.
    NoCapacityLeft,
}

impl UnservedReason {
    /// A short English explanation for coordinators.
    pub fn explain(&self) -> &'static str {
        match self {
            UnservedReason::NoSquadAvailable => "no squad is available",
            UnservedReason::NoSquadWithSkill => "no squad has the required skill",
            UnservedReason::OutsideEveryArea => "outside every squad's area",
            UnservedReason::ExceedsCapacity => "more than any squad can carry",
            UnservedReason::Unreachable => "unreachable for every squad that could serve it",
            UnservedReason::DeadlineCannotBeMet => "the deadline cannot be met",
            UnservedReason::OutsideHours => "residents' hours do not fit any squad's shift",
            UnservedReason::NoCapacityLeft => {
                "squads are full: capacity and time went to more urgent stops"
            }
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            UnservedReason::NoSquadAvailable => "no_squad_available",
            UnservedReason::NoSquadWithSkill => "no_squad_with_skill",
            UnservedReason::OutsideEveryArea => "outside_every_area",
            UnservedReason::ExceedsCapacity => "exceeds_capacity",
            UnservedReason::Unreachable => "unreachable",
            UnservedReason::DeadlineCannotBeMet => "deadline_cannot_be_met",
            UnservedReason::OutsideHours => "outside_hours",
            UnservedReason::NoCapacityLeft => "no_capacity_left",
        }
    }
}

/// One stop on a route, with its schedule (seconds from the start of the day).
#[derive(Clone, Debug, PartialEq)]
pub struct Visit {
    /// Index into the problem's stops.
    pub stop: usize,
    /// The stop's id.
    pub stop_id: StopId,
    /// Arrival at the stop.
    pub arrival_s: f64,
    /// Start of service (after waiting for the residents' hours if early).
    pub start_s: f64,
    /// End of service.
    pub departure_s: f64,
    /// How long after the deadline service starts (0 when on time or no deadline).
    pub late_s: f64,
    /// Done or under way: kept in place.
    pub locked: bool,
}

/// One squad's day.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRoute {
    /// Index into the problem's squads.
    pub squad: usize,
    /// The squad's id.
    pub squad_id: SquadId,
    /// Departure from the start location, seconds.
    pub start_s: f64,
    /// Arrival at the end location, seconds.
    pub end_s: f64,
    /// Stops in order.
    pub visits: Vec<Visit>,
    /// Total travel time, seconds.
    pub travel_s: f64,
    /// Total distance, metres.
    pub distance_m: f64,
    /// Total demand carried.
    pub load: f64,
}

/// A stop left out, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct UnservedStop {
    /// Index into the problem's stops.
    pub stop: usize,
    /// The stop's id.
    pub stop_id: StopId,
    /// Why.
    pub reason: UnservedReason,
}

/// The plan's goals in numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanSummary {
    /// Stops served.
    pub served: usize,
    /// Stops left unserved.
    pub unserved: usize,
    /// Sum of priority weights left unserved.
    pub unserved_weight: f64,
    /// Stops served after their deadline.
    pub missed_deadlines: usize,
    /// Longest squad day (departure to arrival), seconds.
    pub longest_day_s: f64,
    /// Total travel time, seconds.
    pub travel_s: f64,
    /// Total distance, metres.
    pub distance_m: f64,
    /// Squads with at least one stop.
    pub squads_used: usize,
    /// Iterations the search ran (all threads).
    pub iterations: u64,
}

/// The solver's plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// One entry per squad that serves at least one stop, in squad order.
    pub routes: Vec<PlannedRoute>,
    /// Stops left out, each with a reason.
    pub unserved: Vec<UnservedStop>,
    /// Summary numbers.
    pub summary: PlanSummary,
}
