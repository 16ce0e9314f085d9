//! The doorstep routing problem as plain data: stops, squads, settings, and the previous plan.
//!
//! Everything is indices and numbers: locations index the travel matrices of a
//! [`TravelCost`](super::TravelCost); squads and stops refer to each other by index into
//! [`Problem::squads`] and [`Problem::stops`]. Times are seconds from the start of the planning
//! day; durations are seconds; demand and capacity share one unit chosen by the caller (items or
//! kg). [`Problem::validate`] rejects malformed input with an error naming the field; infeasible
//! input (an unreachable stop, a deadline already past, zero capacity) is not an error.

use uuid::Uuid;

/// A stop's identity as the caller knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StopId(pub Uuid);

/// A squad's identity as the caller knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SquadId(pub Uuid);

/// An area (community) id; squads cover areas and stops lie in one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaId(pub u32);

/// A set of up to 64 skills (bit `k` is skill `k`, e.g. 0 = protective gear).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SkillSet(pub u64);

impl SkillSet {
    /// No skills.
    pub const NONE: SkillSet = SkillSet(0);

    /// The set with `skill` (0..64) added.
    pub fn with(self, skill: u8) -> SkillSet {
        SkillSet(self.0 | (1u64 << (skill & 63)))
    }

    /// Whether every skill of `required` is in `self`.
    pub fn covers(self, required: SkillSet) -> bool {
        required.0 & !self.0 == 0
    }
}

/// A closed interval of clock time, seconds from the start of the planning day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWindow {
    /// Earliest moment, seconds.
    pub start_s: f64,
    /// Latest moment, seconds.
    pub end_s: f64,
}

/// What a stop brings; decides who is served first when not everything fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Need {
    /// Closed-loop transport or supplies for dialysis, childbirth, chemotherapy and the like.
    MedicalEmergency,
    /// Prescription and everyday medicine.
    Medicine,
    /// Infant formula, diapers.
    InfantSupplies,
    /// Food and daily necessities.
    Food,
    /// Anything else.
    Other,
}

/// How urgent the request was filed (and corrected by operators) as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Urgency {
    /// 极紧急.
    ExtremelyUrgent,
    /// 紧急.
    Urgent,
    /// Normal.
    Normal,
}

/// Service time at a stop: a base (walking in, checkpoint hand-over) plus a part per household.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServiceTime {
    /// Seconds spent once per visit.
    pub base_s: f64,
    /// Seconds per household served at the stop.
    pub per_household_s: f64,
}

/// A delivery point grouping several households' requests.
#[derive(Clone, Debug)]
pub struct Stop {
    /// Caller's id.
    pub id: StopId,
    /// Index into the travel matrices.
    pub location: usize,
    /// Households served at this stop.
    pub households: u32,
    /// Service time, see [`Stop::service_s`].
    pub service: ServiceTime,
    /// Items or kg to carry (same unit as the squads' capacity).
    pub demand: f64,
    /// Residents' available hours; service must start inside one of them. Empty means any time.
    pub time_windows: Vec<TimeWindow>,
    /// Service should start by this moment (seconds); missing it is the objective's second
    /// goal. `None` for no deadline.
    pub deadline_s: Option<f64>,
    /// What the stop brings.
    pub need: Need,
    /// How urgent it is.
    pub urgency: Urgency,
    /// Skills a squad needs to serve it (e.g. protective gear in a high-risk zone).
    pub required_skills: SkillSet,
    /// The community it lies in, if known.
    pub area: Option<AreaId>,
    /// A coordinator's choice of squad (index into [`Problem::squads`]), kept by the solver.
    pub pinned_squad: Option<usize>,
}

impl Stop {
    /// Service duration in seconds: base plus the per-household part.
    pub fn service_s(&self) -> f64 {
        self.service.base_s + self.service.per_household_s * f64::from(self.households)
    }
}

/// A squad of cadres with its vehicle (or on foot).
#[derive(Clone, Debug)]
pub struct Squad {
    /// Caller's id.
    pub id: SquadId,
    /// Where the day starts (index into the matrices); for a re-plan, where the squad is now.
    pub start_location: usize,
    /// Where the day ends.
    pub end_location: usize,
    /// Leave the start no earlier than `start_s`, arrive at the end no later than `end_s`.
    pub shift: TimeWindow,
    /// Items or kg carried at once. Zero is allowed (the squad serves nothing).
    pub capacity: f64,
    /// Travel profile index (its own matrices: foot, tricycle, van).
    pub profile: usize,
    /// Skills the squad has.
    pub skills: SkillSet,
    /// Areas it covers; empty means every area.
    pub areas: Vec<AreaId>,
    /// Stops done or under way that must stay first in this order (indices into
    /// [`Problem::stops`]).
    pub locked_stops: Vec<usize>,
}

/// The goals of the objective, ranked by [`Settings::order`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Goal {
    /// Serve as many stops as possible, weighted by need and urgency.
    Serve,
    /// Start service by each stop's deadline.
    Deadlines,
    /// Keep the longest squad day short.
    Balance,
    /// Keep total travel time low.
    Travel,
}

/// Whether a squad may serve stops outside its areas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AreaRule {
    /// Never.
    Hard,
    /// Yes, at this cost (seconds of travel-equivalent) per stop served outside.
    Soft {
        /// Cost per stop outside the squad's areas, seconds.
        penalty_s: f64,
    },
}

/// Weights per need and per urgency; a stop's weight is their product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriorityWeights {
    /// Weight of a medical emergency.
    pub medical_emergency: f64,
    /// Weight of medicine.
    pub medicine: f64,
    /// Weight of infant supplies.
    pub infant_supplies: f64,
    /// Weight of food.
    pub food: f64,
    /// Weight of anything else.
    pub other: f64,
    /// Factor for an extremely urgent request.
    pub extremely_urgent: f64,
    /// Factor for an urgent request.
    pub urgent: f64,
    /// Factor for a normal request.
    pub normal: f64,
}

impl Default for PriorityWeights {
    fn default() -> Self {
        PriorityWeights {
            medical_emergency: 100.0,
            medicine: 30.0,
            infant_supplies: 10.0,
            food: 3.0,
            other: 1.0,
            extremely_urgent: 4.0,
            urgent: 2.0,
            normal: 1.0,
        }
    }
}

impl PriorityWeights {
    /// The weight of a stop with this need and urgency.
    pub fn weight(&self, need: Need, urgency: Urgency) -> f64 {
        let n = match need {
            Need::MedicalEmergency => self.medical_emergency,
            Need::Medicine => self.medicine,
            Need::InfantSupplies => self.infant_supplies,
            Need::Food => self.food,
            Need::Other => self.other,
        };
        let u = match urgency {
            Urgency::ExtremelyUrgent => self.extremely_urgent,
            Urgency::Urgent => self.urgent,
            Urgency::Normal => self.normal,
        };
        n * u
    }
}

/// Deadline offsets per urgency, seconds after filing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeadlinePolicy {
    /// Extremely urgent: e.g. 2 h.
    pub extremely_urgent_s: f64,
    /// Urgent: e.g. 12 h.
    pub urgent_s: f64,
    /// Normal: e.g. 36 h.
    pub normal_s: f64,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            extremely_urgent_s: 2.0 * 3600.0,
            urgent_s: 12.0 * 3600.0,
            normal_s: 36.0 * 3600.0,
        }
    }
}

impl DeadlinePolicy {
    /// The deadline of a request filed at `filed_at_s` with this urgency, seconds.
    pub fn deadline_s(&self, urgency: Urgency, filed_at_s: f64) -> f64 {
        filed_at_s
            + match urgency {
                Urgency::ExtremelyUrgent => self.extremely_urgent_s,
                Urgency::Urgent => self.urgent_s,
                Urgency::Normal => self.normal_s,
            }
    }
}

/// How the objective's goals are traded against each other.
///
/// The four goals are combined into one cost in seconds of travel-equivalent:
/// `unserved_s × Σ weight(unserved) + missed_deadline_s × Σ weight(late) + balance × longest
/// day + travel × total travel + vehicle_s × squads used`. [`ObjectiveWeights::from_order`]
/// picks weights that make each goal dominate the ones after it in realistic ranges.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ObjectiveWeights {
    /// Cost of leaving one unit of priority weight unserved.
    pub unserved_s: f64,
    /// Cost of one unit of priority weight served after its deadline.
    pub missed_deadline_s: f64,
    /// Factor on the longest squad day (seconds).
    pub balance: f64,
    /// Factor on total travel time (seconds).
    pub travel: f64,
    /// Cost of using a squad at all.
    pub vehicle_s: f64,
}

impl ObjectiveWeights {
    /// Weights for goals ranked in `order` (first is most important): the ranks get the scales
    /// 10⁷, 10⁵, 10 and 1.
    pub fn from_order(order: [Goal; 4]) -> Self {
        const SCALE: [f64; 4] = [1e7, 1e5, 10.0, 1.0];
        let mut w = ObjectiveWeights {
            unserved_s: 0.0,
            missed_deadline_s: 0.0,
            balance: 0.0,
            travel: 0.0,
            vehicle_s: 0.0,
        };
        for (rank, goal) in order.iter().enumerate() {
            let s = SCALE[rank];
            match goal {
                Goal::Serve => w.unserved_s = s,
                Goal::Deadlines => w.missed_deadline_s = s,
                Goal::Balance => w.balance = s,
                Goal::Travel => w.travel = s,
            }
        }
        w
    }
}

/// Problem-wide settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The objective's weights.
    pub weights: ObjectiveWeights,
    /// Priority weights of stops.
    pub priorities: PriorityWeights,
    /// Whether squads may serve stops outside their areas.
    pub area_rule: AreaRule,
    /// Whether a stop may be served after its deadline (counted as missed) rather than left
    /// unserved.
    pub late_service: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            weights: ObjectiveWeights::from_order([
                Goal::Serve,
                Goal::Deadlines,
                Goal::Balance,
                Goal::Travel,
            ]),
            priorities: PriorityWeights::default(),
            area_rule: AreaRule::Hard,
            late_service: true,
        }
    }
}

/// The day's (or the moment's) routing problem.
#[derive(Clone, Debug, Default)]
pub struct Problem {
    /// Stops to serve.
    pub stops: Vec<Stop>,
    /// Squads available.
    pub squads: Vec<Squad>,
    /// Objective and rules.
    pub settings: Settings,
    /// A previous plan to start from: per squad, its stops in order (indices into `stops`).
    /// Stops may be missing or moved; the solver repairs and improves it.
    pub initial_routes: Option<Vec<Vec<usize>>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::DenseMatrices;

    fn tiny() -> (Problem, DenseMatrices<f64>) {
        let m = DenseMatrices::single(2, vec![0.0, 60.0, 60.0, 0.0]).unwrap();
        let p = Problem {
            stops: vec![Stop {
                id: StopId(Uuid::from_u128(1)),
                location: 1,
                households: 3,
                service: ServiceTime {
                    base_s: 60.0,
                    per_household_s: 30.0,
                },
                demand: 2.0,
                time_windows: vec![],
                deadline_s: None,
                need: Need::Food,
                urgency: Urgency::Normal,
                required_skills: SkillSet::NONE,
                area: None,
                pinned_squad: None,
            }],
            squads: vec![Squad {
                id: SquadId(Uuid::from_u128(2)),
                start_location: 0,
                end_location: 0,
                shift: TimeWindow {
                    start_s: 0.0,
                    end_s: 3600.0,
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

    #[test]
    fn service_time_is_base_plus_households() {
        let (p, _) = tiny();
        assert_eq!(p.stops[0].service_s(), 150.0);
    }

    #[test]
    fn malformed_fields_are_named() {
        let (mut p, m) = tiny();
        assert!(p.validate(&m).is_ok());
        p.stops[0].time_windows.push(TimeWindow {
            start_s: -5.0,
            end_s: 10.0,
        });
        let e = p.validate(&m).unwrap_err().to_string();
        assert!(e.contains("stops[0].time_windows[0].start_s"), "{e}");
        p.stops[0].time_windows.clear();
        p.stops[0].demand = f64::NAN;
        let e = p.validate(&m).unwrap_err().to_string();
        assert!(e.contains("stops[0].demand"), "{e}");
        p.stops[0].demand = 1.0;
        p.squads[0].profile = 3;
        let e = p.validate(&m).unwrap_err().to_string();
        assert!(e.contains("squads[0].profile"), "{e}");
    }

    #[test]
    fn zero_capacity_and_past_deadline_are_not_errors() {
        let (mut p, m) = tiny();
        p.squads[0].capacity = 0.0;
        p.stops[0].deadline_s = Some(0.0);
        assert!(p.validate(&m).is_ok());
    }

    #[test]
    fn skills_cover() {
        let gear = SkillSet::NONE.with(0);
        assert!(gear.covers(SkillSet::NONE));
        assert!(!SkillSet::NONE.covers(gear));
        assert!(gear.with(3).covers(gear));
    }
}
