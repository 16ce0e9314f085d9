//! From the database's rows to the optimizer's problem: requests grouped into stops by
//! delivery point, squads as vehicles, and the travel matrices of their modes.
//!
//! Times are seconds from the planning day's midnight in the configured offset. A stop's
//! households are its requests; its demand their items; its service time a base (longer at a
//! checkpoint) plus a part per household; its time window the residents' available hours
//! (requests with different hours at one entrance are separate stops); its deadline the
//! earliest of its requests' (filing time plus the urgency's allowance).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use geo::Point;

use crate::db::Timestamp;
use crate::db::plans::StopRow;
use crate::db::requests::RequestRow;
use crate::db::squads::SquadRow;
use crate::db::zones::ZoneRow;
use crate::domain::{Category, RequestId, Skill, Urgency, ZoneId, ZoneKind};
use crate::optimize::{
    self, AreaId, Need, Problem, ServiceTime, SkillSet, Squad, Stop, StopId, TimeWindow,
};
use crate::road::RoadNetwork;

use super::clock::{at, origin_of, secs_of_day};
use super::gather::{CurrentPlan, DayState};
use super::travel::Travel;
use super::{DispatchError, DispatchSettings};

const DAY_S: f64 = 86_400.0;

/// One stop of the problem as the database will store it.
#[derive(Clone, Debug)]
pub struct StopSpec {
    /// The stop's id: the stored one's, or a new one.
    pub id: crate::domain::StopId,
    /// The stored stop it continues (under way, pinned, or re-sequenced); `None` for a new one.
    pub existing: Option<StopRow>,
    /// The requests it serves.
    pub requests: Vec<RequestId>,
    pub label: String,
    /// Where it is served (a building entrance or a checkpoint), WGS84.
    pub point: Point<f64>,
    pub zone_id: Option<ZoneId>,
    /// Served at a high-risk zone's checkpoint (needs protective gear).
    pub checkpoint: bool,
    pub service_s: f64,
}

/// The optimizer's problem with everything needed to store its answer.
pub struct PlanInput {
    pub problem: Problem,
    pub(crate) travel: Travel,
    /// Parallel to `problem.stops`.
    pub stops: Vec<StopSpec>,
    /// Parallel to `problem.squads`.
    pub squads: Vec<SquadRow>,
    /// Midnight of the planning day, as an instant.
    pub origin: DateTime<Utc>,
    pub date: NaiveDate,
}

impl PlanInput {
    /// The instant `s` seconds after the day's midnight, as stored.
    pub fn at(&self, s: f64) -> Timestamp {
        at(self.origin, s)
    }

    /// The whole day: every active squad, every plannable request.
    pub(crate) fn for_day(
        day: &DayState,
        roads: &RoadNetwork,
        now: DateTime<Utc>,
        settings: &DispatchSettings,
    ) -> Result<PlanInput, DispatchError> {
        let mut b = Builder::new(day.date, roads, now, settings, &day.requests, &day.zones);
        for sq in &day.squads {
            b.add_squad(sq, day.plans.get(&sq.id));
        }
        // Pinned stops stay with their squad.
        let mut initial: Vec<Vec<usize>> = vec![Vec::new(); day.squads.len()];
        let mut group_of_request: HashMap<RequestId, usize> = HashMap::new();
        for (q, sq) in day.squads.iter().enumerate() {
            if let Some(p) = day.plans.get(&sq.id) {
                for (s, reqs) in p.pending().filter(|(s, _)| s.pinned) {
                    let k = b.add_existing(s, reqs, Some(q));
                    initial[q].push(k);
                }
            }
        }
        // A delivery point with more than a squad carries becomes several stops: a building
        // entrance by the largest squad, a checkpoint by the smallest one with protective gear
        // (few squads may go there; each part then fits any of them).
        let largest = day.squads.iter().map(|s| s.capacity_items).max();
        let smallest_gear = day
            .squads
            .iter()
            .filter(|s| s.skills.contains(Skill::ProtectiveGear.as_str()) && s.capacity_items > 0)
            .map(|s| s.capacity_items)
            .min();
        for group in b.group(&day.free_requests()) {
            let cap = if b.delivery(group[0]).2 {
                smallest_gear.or(largest)
            } else {
                largest
            };
            for part in split_by_capacity(group, cap.unwrap_or(0)) {
                let k = b.add_group(&part);
                for r in &part {
                    group_of_request.insert(r.id, k);
                }
            }
        }
        // Start from the previous plan: each squad's pending stops in their order.
        for (q, sq) in day.squads.iter().enumerate() {
            if let Some(p) = day.plans.get(&sq.id) {
                for (_, reqs) in p.pending().filter(|(s, _)| !s.pinned) {
                    for r in reqs {
                        if let Some(&k) = group_of_request.get(r)
                            && !initial.iter().any(|route| route.contains(&k))
                        {
                            initial[q].push(k);
                        }
                    }
                }
            }
        }
        b.problem.initial_routes = Some(initial);
        b.finish()
    }

    /// Only these squads, with exactly the stops of their current plans (a re-sequence).
    pub(crate) fn for_plans(
        date: NaiveDate,
        squads: &[(SquadRow, Option<CurrentPlan>)],
        requests: &HashMap<RequestId, RequestRow>,
        zones: &HashMap<ZoneId, ZoneRow>,
        roads: &RoadNetwork,
        now: DateTime<Utc>,
        settings: &DispatchSettings,
    ) -> Result<PlanInput, DispatchError> {
        let mut b = Builder::new(date, roads, now, settings, requests, zones);
        for (sq, plan) in squads {
            b.add_squad(sq, plan.as_ref());
        }
        for (_, plan) in squads {
            if let Some(p) = plan {
                for (s, reqs) in p.pending() {
                    b.add_existing(s, reqs, None);
                }
            }
        }
        b.finish()
    }

    /// The problem index of the stored stop `id`, if it is in the problem.
    pub fn index_of(&self, id: crate::domain::StopId) -> Option<usize> {
        self.stops
            .iter()
            .position(|s| s.existing.as_ref().is_some_and(|e| e.id == id))
    }
}

fn skill_bit(skill: Skill) -> u8 {
    Skill::ALL.iter().position(|&s| s == skill).unwrap_or(0) as u8
}

fn need_of(c: Category) -> Need {
    match c {
        Category::MedicalEmergency => Need::MedicalEmergency,
        Category::Medicine => Need::Medicine,
        Category::InfantSupplies => Need::InfantSupplies,
        Category::Food => Need::Food,
        Category::Other => Need::Other,
    }
}

fn urgency_of(u: Urgency) -> optimize::Urgency {
    match u {
        Urgency::ExtremelyUrgent => optimize::Urgency::ExtremelyUrgent,
        Urgency::Urgent => optimize::Urgency::Urgent,
        Urgency::Normal => optimize::Urgency::Normal,
    }
}

/// Splits a stop's requests into parts of at most `capacity` items each (in order; a request
/// larger than that alone is a part of its own, explained as too large for any squad).
fn split_by_capacity(group: Vec<&RequestRow>, capacity: i32) -> Vec<Vec<&RequestRow>> {
    if capacity <= 0 {
        return vec![group];
    }
    let mut parts: Vec<Vec<&RequestRow>> = Vec::new();
    let mut load = 0;
    for r in group {
        let items = r.item_count.max(0);
        match parts.last_mut() {
            Some(part) if load + items <= capacity => {
                part.push(r);
                load += items;
            }
            _ => {
                parts.push(vec![r]);
                load = items;
            }
        }
    }
    parts
}

/// The key that makes requests one stop: the served point (to about a metre), the checkpoint
/// zone, and the residents' hours (which do not apply at a checkpoint).
type GroupKey = (i64, i64, Option<ZoneId>, Option<(u32, u32)>);

struct Builder<'a> {
    date: NaiveDate,
    roads: &'a RoadNetwork,
    now: DateTime<Utc>,
    origin: DateTime<Utc>,
    settings: &'a DispatchSettings,
    requests: &'a HashMap<RequestId, RequestRow>,
    zones: &'a HashMap<ZoneId, ZoneRow>,
    points: Vec<Point<f64>>,
    point_index: HashMap<(i64, i64), usize>,
    areas: HashMap<String, AreaId>,
    modes: Vec<crate::road::TravelMode>,
    problem: Problem,
    specs: Vec<StopSpec>,
    squads: Vec<SquadRow>,
}

impl<'a> Builder<'a> {
    fn new(
        date: NaiveDate,
        roads: &'a RoadNetwork,
        now: DateTime<Utc>,
        settings: &'a DispatchSettings,
        requests: &'a HashMap<RequestId, RequestRow>,
        zones: &'a HashMap<ZoneId, ZoneRow>,
    ) -> Self {
        let mut problem = Problem::default();
        problem.settings.area_rule = settings.area_rule;
        Builder {
            date,
            roads,
            now,
            origin: origin_of(date, settings),
            settings,
            requests,
            zones,
            points: Vec::new(),
            point_index: HashMap::new(),
            areas: HashMap::new(),
            modes: Vec::new(),
            problem,
            specs: Vec::new(),
            squads: Vec::new(),
        }
    }

    fn secs(&self, t: DateTime<Utc>) -> f64 {
        (t - self.origin).num_milliseconds() as f64 / 1000.0
    }

    fn location(&mut self, p: Point<f64>) -> usize {
        let key = ((p.x() * 1e6).round() as i64, (p.y() * 1e6).round() as i64);
        let next = self.points.len();
        *self.point_index.entry(key).or_insert_with(|| {
            self.points.push(p);
            next
        })
    }

    fn area(&mut self, name: &str) -> AreaId {
        let next = AreaId(self.areas.len() as u32);
        *self.areas.entry(name.trim().to_owned()).or_insert(next)
    }

    fn add_squad(&mut self, sq: &SquadRow, plan: Option<&CurrentPlan>) {
        let base = self.location(Point::new(sq.base_lon, sq.base_lat));
        let mode: crate::road::TravelMode = sq
            .travel_mode
            .as_str()
            .parse()
            .unwrap_or(crate::road::TravelMode::Foot);
        let profile = match self.modes.iter().position(|&m| m == mode) {
            Some(p) => p,
            None => {
                self.modes.push(mode);
                self.modes.len() - 1
            }
        };
        let skills = serde_json::from_str::<Vec<String>>(&sq.skills)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.parse::<Skill>().ok())
            .fold(SkillSet::NONE, |set, s| set.with(skill_bit(s)));
        let areas = serde_json::from_str::<Vec<String>>(&sq.areas)
            .unwrap_or_default()
            .iter()
            .filter(|a| !a.trim().is_empty())
            .map(|a| self.area(a))
            .collect();
        // The shift, in seconds of the day; it cannot start before now.
        let mut start_s = secs_of_day(sq.shift_start);
        let mut end_s = secs_of_day(sq.shift_end);
        if end_s <= start_s {
            end_s += DAY_S;
        }
        start_s = start_s.max(self.secs(self.now));
        end_s = end_s.max(start_s);
        // Done stops stay where they are: the squad goes on from the last one, with what it
        // still carries.
        let mut start_location = base;
        let mut carried = 0.0;
        let mut locked = Vec::new();
        if let Some(p) = plan {
            for (s, reqs) in p.done() {
                start_location = self.location(Point::new(s.lon, s.lat));
                carried += self.demand(reqs);
            }
            let q = self.problem.squads.len();
            let under_way: Vec<_> = p.under_way().cloned().collect();
            for (s, reqs) in &under_way {
                let k = self.add_existing(s, reqs, Some(q));
                locked.push(k);
            }
        }
        self.problem.squads.push(Squad {
            id: optimize::SquadId(sq.id.0),
            start_location,
            end_location: base,
            shift: TimeWindow { start_s, end_s },
            capacity: (f64::from(sq.capacity_items.max(0)) - carried).max(0.0),
            profile,
            skills,
            areas,
            locked_stops: locked,
        });
        self.squads.push(sq.clone());
    }

    fn demand(&self, reqs: &[RequestId]) -> f64 {
        reqs.iter()
            .filter_map(|id| self.requests.get(id))
            .map(|r| f64::from(r.item_count.max(0)))
            .sum()
    }

    /// Where a request is served now: its point, or its high-risk zone's checkpoint.
    fn delivery(&self, r: &RequestRow) -> (Point<f64>, Option<ZoneId>, bool) {
        let p = Point::new(r.lon.unwrap_or_default(), r.lat.unwrap_or_default());
        let (zones, _) = self.roads.zones();
        let d = zones.delivery_point(p, self.now);
        match d.via_checkpoint_of {
            Some(z) => (d.point, Some(ZoneId(z.0)), true),
            None => (p, zones.zone_at(p, self.now).map(|z| ZoneId(z.id.0)), false),
        }
    }

    fn window_of(r: &RequestRow) -> Option<(u32, u32)> {
        match (r.available_from, r.available_until) {
            (None, None) => None,
            (f, u) => Some((
                f.map_or(0, |t| t.num_seconds_from_midnight()),
                u.map_or(DAY_S as u32, |t| t.num_seconds_from_midnight()),
            )),
        }
    }

    /// Groups requests into stops (in the order of their first request).
    fn group<'r>(&self, free: &[&'r RequestRow]) -> Vec<Vec<&'r RequestRow>> {
        let mut order: Vec<GroupKey> = Vec::new();
        let mut groups: HashMap<GroupKey, Vec<&RequestRow>> = HashMap::new();
        for &r in free {
            let (p, zone, checkpoint) = self.delivery(r);
            let key = (
                (p.x() * 1e5).round() as i64,
                (p.y() * 1e5).round() as i64,
                zone.filter(|_| checkpoint),
                if checkpoint { None } else { Self::window_of(r) },
            );
            groups
                .entry(key)
                .or_insert_with(|| {
                    order.push(key);
                    Vec::new()
                })
                .push(r);
        }
        order
            .into_iter()
            .filter_map(|k| groups.remove(&k))
            .collect()
    }

    fn label_of(&self, first: &RequestRow, zone: Option<ZoneId>, checkpoint: bool) -> String {
        if checkpoint && let Some(z) = zone.and_then(|z| self.zones.get(&z)) {
            return format!("{} · 卡口", z.name);
        }
        let mut s: String = first
            .matched_name
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| first.address_text.clone())
            .chars()
            .take(60)
            .collect();
        if let Some(u) = first.unit.as_deref().filter(|u| !u.is_empty())
            && !s.contains(u)
        {
            s.push(' ');
            s.push_str(u);
        }
        s
    }

    /// A new stop serving `group`.
    fn add_group(&mut self, group: &[&RequestRow]) -> usize {
        let (point, zone, checkpoint) = self.delivery(group[0]);
        let label = self.label_of(group[0], zone, checkpoint);
        let ids: Vec<RequestId> = group.iter().map(|r| r.id).collect();
        self.push_stop(None, ids, label, point, zone, checkpoint, None)
    }

    /// A stored stop kept as it is (its requests, point and label).
    fn add_existing(&mut self, s: &StopRow, reqs: &[RequestId], pinned: Option<usize>) -> usize {
        let checkpoint = s.zone_id.and_then(|z| self.zones.get(&z)).is_some_and(|z| {
            z.kind == ZoneKind::HighRisk
                && z.checkpoint_lon
                    .zip(z.checkpoint_lat)
                    .is_some_and(|(x, y)| (x - s.lon).abs() < 1e-6 && (y - s.lat).abs() < 1e-6)
        });
        self.push_stop(
            Some(s.clone()),
            reqs.to_vec(),
            s.label.clone(),
            Point::new(s.lon, s.lat),
            s.zone_id,
            checkpoint,
            pinned,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn push_stop(
        &mut self,
        existing: Option<StopRow>,
        ids: Vec<RequestId>,
        label: String,
        point: Point<f64>,
        zone_id: Option<ZoneId>,
        checkpoint: bool,
        pinned: Option<usize>,
    ) -> usize {
        let rows: Vec<&RequestRow> = ids.iter().filter_map(|id| self.requests.get(id)).collect();
        let location = self.location(point);
        let households = rows.len().max(1) as u32;
        let service = ServiceTime {
            base_s: if checkpoint {
                self.settings.checkpoint_base_s
            } else {
                self.settings.service_base_s
            },
            per_household_s: self.settings.service_per_household_s,
        };
        let weights = &self.problem.settings.priorities;
        let (mut need, mut urgency) = (Need::Other, optimize::Urgency::Normal);
        let mut deadline: Option<f64> = None;
        for r in &rows {
            let n = need_of(r.category);
            if weights.weight(n, optimize::Urgency::Normal)
                > weights.weight(need, optimize::Urgency::Normal)
            {
                need = n;
            }
            let u = urgency_of(r.urgency);
            if weights.weight(Need::Other, u) > weights.weight(Need::Other, urgency) {
                urgency = u;
            }
            let d = self
                .settings
                .deadlines
                .deadline_s(u, self.secs(r.created_at.0))
                .max(0.0);
            deadline = Some(deadline.map_or(d, |x: f64| x.min(d)));
        }
        let time_windows = match rows.first().and_then(|r| Self::window_of(r)) {
            Some((f, u)) if !checkpoint => {
                let (f, u) = (f64::from(f), f64::from(u));
                if u >= f {
                    vec![TimeWindow {
                        start_s: f,
                        end_s: u,
                    }]
                } else {
                    // Overnight hours: the evening of this day, or the early morning.
                    vec![
                        TimeWindow {
                            start_s: 0.0,
                            end_s: u,
                        },
                        TimeWindow {
                            start_s: f,
                            end_s: DAY_S,
                        },
                    ]
                }
            }
            _ => Vec::new(),
        };
        let area = rows
            .first()
            .and_then(|r| r.community.clone())
            .filter(|c| !c.trim().is_empty())
            .map(|c| self.area(&c));
        let required_skills = if checkpoint {
            SkillSet::NONE.with(skill_bit(Skill::ProtectiveGear))
        } else {
            SkillSet::NONE
        };
        let id = existing
            .as_ref()
            .map_or_else(crate::domain::StopId::generate, |e| e.id);
        let stop = Stop {
            id: StopId(id.0),
            location,
            households,
            service,
            demand: self.demand(&ids),
            time_windows,
            deadline_s: deadline,
            need,
            urgency,
            required_skills,
            area,
            pinned_squad: pinned,
        };
        let service_s = stop.service_s();
        self.problem.stops.push(stop);
        self.specs.push(StopSpec {
            id,
            existing,
            requests: ids,
            label,
            point,
            zone_id,
            checkpoint,
            service_s,
        });
        self.specs.len() - 1
    }

    fn finish(self) -> Result<PlanInput, DispatchError> {
        let travel = Travel::build(self.roads, &self.points, self.modes)?;
        Ok(PlanInput {
            problem: self.problem,
            travel,
            stops: self.specs,
            squads: self.squads,
            origin: self.origin,
            date: self.date,
        })
    }
}
