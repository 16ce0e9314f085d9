//! The solver's flat view of a [`Problem`]: per-node arrays, time-window modes, vehicle
//! classes, compatibility bitsets and granular neighbour lists.
//!
//! Nodes `0..n_jobs` are the stops (same index as in [`Problem::stops`]); vehicle `v` owns the
//! start node `n_jobs + 2v` and the end node `n_jobs + 2v + 1`. A stop with several time windows,
//! or with a deadline inside its window, has several *modes* (one window each, some carrying the
//! missed-deadline penalty); the search picks a mode per stop, which keeps every move evaluation
//! constant-time. Stops that no squad could ever serve are marked inactive here and explained in
//! the plan.

use super::TravelCost;
use super::problem::{AreaRule, Problem};
use super::segment::Seg;

/// Marks "no route" / "no position".
pub(crate) const NONE: u32 = u32::MAX;
/// Stands in for "no time limit": far beyond any planning day, small enough to keep precision.
pub(crate) const HORIZON: f64 = 1e9;
/// Travel time used for an unreachable pair, so that arithmetic never meets infinities.
pub(crate) const UNREACHABLE_S: f64 = 1e8;

/// One way to serve a stop: a time window for the start of service and the cost of using it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mode {
    pub earliest: f64,
    pub latest: f64,
    /// Missed-deadline cost when this window lies after the deadline.
    pub penalty: f64,
}

/// A vehicle (squad) as the search sees it.
#[derive(Clone, Debug)]
pub(crate) struct Vehicle {
    pub profile: usize,
    pub start_node: u32,
    pub end_node: u32,
    pub capacity: f64,
    pub fixed_cost: f64,
    /// Vehicles of one class are interchangeable (same attributes, no locks).
    pub class: u32,
    /// Vehicles of one tail class can exchange route tails without re-evaluation (same
    /// profile, end location and shift).
    pub tail_class: u32,
    /// Locked jobs that must open the route, in order.
    pub locked: Vec<u32>,
}

/// Infeasibility weights of the penalised cost.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Penalty {
    /// Per unit of load above capacity.
    pub load: f64,
    /// Per second of time warp.
    pub warp: f64,
}

/// Settings of the model build that are not part of the problem.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ModelOptions {
    /// Granular neighbourhood size.
    pub neighbours: usize,
    /// Neighbours kept for the ruin step's adjacency.
    pub ruin_neighbours: usize,
    /// Threads for building the neighbour lists.
    pub threads: usize,
}

/// The flat model (see module docs).
pub(crate) struct Model<'c, C: TravelCost> {
    pub cost: &'c C,
    pub n_jobs: usize,
    /// Per node: matrix location.
    pub loc: Vec<u32>,
    /// Per node: single-visit segment for mode 0 (depots: their shift window).
    pub base_seg: Vec<Seg>,
    /// Per job: offset of its modes in `modes` (`n_jobs + 1` entries).
    pub mode_start: Vec<u32>,
    pub modes: Vec<Mode>,
    /// Per job: cost of leaving it unserved.
    pub unserved_cost: Vec<f64>,
    /// Per job: priority weight.
    pub weight: Vec<f64>,
    /// Per job: false when no vehicle could ever serve it (it stays unserved with a reason).
    pub active: Vec<bool>,
    pub vehicles: Vec<Vehicle>,
    pub n_classes: usize,
    /// Per (class, job): may a vehicle of the class serve the job? `None` when all may.
    allowed: Option<Vec<u64>>,
    /// Per job: pinned vehicle or `NONE`.
    pub pinned: Vec<u32>,
    /// Per (class, job): the job lies outside the class's soft areas. `None` when unused.
    outside: Option<Vec<u64>>,
    pub area_penalty: f64,
    pub words: usize,
    /// Per job: `k` nearest jobs by a time-aware proximity (flat, `n_jobs * k`).
    pub neighbours: Vec<u32>,
    pub k: usize,
    /// Per job: nearest jobs by travel (flat, `n_jobs * k_ruin`), for the ruin step.
    pub adjacency: Vec<u32>,
    pub k_ruin: usize,
    /// Any time windows, shifts or balance: segments need their time data.
    pub has_time: bool,
    /// All travel matrices in use are symmetric.
    pub symmetric: bool,
    /// Profiles some vehicle uses, and each profile's slot in that list (`NONE` if unused).
    pub profiles: Vec<usize>,
    pub profile_slot: Vec<u32>,
    /// Objective factor on travel time.
    pub travel_weight: f64,
    /// Objective factor on the longest route duration.
    pub balance_weight: f64,
    /// The largest finite travel time between used locations, for scaling.
    pub max_travel: f64,
    /// The largest demand of an active job.
    pub max_demand: f64,
}

impl<'c, C: TravelCost> Model<'c, C> {
    /// Builds the flat model of a validated problem.
    pub fn build(problem: &Problem, cost: &'c C, opts: ModelOptions) -> Self {
        let n_jobs = problem.stops.len();
        let n_veh = problem.squads.len();
        let n_nodes = n_jobs + 2 * n_veh;
        let settings = &problem.settings;
        let w = settings.weights;

        let mut loc = Vec::with_capacity(n_nodes);
        let mut base_seg = Vec::with_capacity(n_nodes);
        let mut mode_start = Vec::with_capacity(n_jobs + 1);
        let mut modes = Vec::new();
        let mut unserved_cost = Vec::with_capacity(n_jobs);
        let mut weight = Vec::with_capacity(n_jobs);
        let mut has_time = w.balance > 0.0;
        let mut is_locked = vec![false; n_jobs];
        for q in &problem.squads {
            for &s in &q.locked_stops {
                is_locked[s] = true;
            }
        }

        for (j, s) in problem.stops.iter().enumerate() {
            loc.push(s.location as u32);
            let wgt = settings.priorities.weight(s.need, s.urgency).max(1e-6);
            weight.push(wgt);
            unserved_cost.push(w.unserved_s * wgt);
            mode_start.push(modes.len() as u32);
            let windows: Vec<(f64, f64)> = if s.time_windows.is_empty() || is_locked[j] {
                // Done or under way: its hours and deadline are history, not constraints.
                vec![(0.0, HORIZON)]
            } else {
                let mut v: Vec<(f64, f64)> = s
                    .time_windows
                    .iter()
                    .map(|t| (t.start_s, t.end_s))
                    .collect();
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                v
            };
            let late_cost = w.missed_deadline_s * wgt;
            for (e, l) in windows {
                if l < HORIZON {
                    has_time = true;
                }
                match s.deadline_s {
                    Some(d) if d < l && !is_locked[j] => {
                        has_time = true;
                        if e <= d {
                            modes.push(Mode {
                                earliest: e,
                                latest: d,
                                penalty: 0.0,
                            });
                        }
                        if settings.late_service {
                            modes.push(Mode {
                                earliest: e.max(d),
                                latest: l,
                                penalty: late_cost,
                            });
                        }
                    }
                    _ => modes.push(Mode {
                        earliest: e,
                        latest: l,
                        penalty: 0.0,
                    }),
                }
            }
            let m0 = modes.get(mode_start[j] as usize).copied();
            let (e, l) = m0.map_or((0.0, -1.0), |m| (m.earliest, m.latest));
            base_seg.push(Seg::visit(j as u32, s.service_s(), e, l, s.demand));
        }
        mode_start.push(modes.len() as u32);

        // Vehicles, their depot nodes and classes.
        let mut vehicles = Vec::with_capacity(n_veh);
        let mut class_keys: Vec<Vec<u64>> = Vec::new();
        let mut tail_keys: Vec<[u64; 4]> = Vec::new();
        for (v, q) in problem.squads.iter().enumerate() {
            let start_node = (n_jobs + 2 * v) as u32;
            let end_node = start_node + 1;
            loc.push(q.start_location as u32);
            loc.push(q.end_location as u32);
            if q.shift.end_s < HORIZON {
                has_time = true;
            }
            let (e, l) = (q.shift.start_s, q.shift.end_s.min(HORIZON));
            base_seg.push(Seg::visit(start_node, 0.0, e, l, 0.0));
            base_seg.push(Seg::visit(end_node, 0.0, e, l, 0.0));
            let mut areas: Vec<u64> = q.areas.iter().map(|a| u64::from(a.0)).collect();
            areas.sort_unstable();
            let mut key = vec![
                q.profile as u64,
                q.start_location as u64,
                q.end_location as u64,
                q.shift.start_s.to_bits(),
                q.shift.end_s.to_bits(),
                q.capacity.to_bits(),
                q.skills.0,
                areas.len() as u64,
            ];
            key.extend(areas);
            if !q.locked_stops.is_empty() || problem.stops.iter().any(|s| s.pinned_squad == Some(v))
            {
                key.push(u64::MAX - v as u64); // locks and pins make a vehicle unique
            }
            let class = match class_keys.iter().position(|k| *k == key) {
                Some(c) => c,
                None => {
                    class_keys.push(key);
                    class_keys.len() - 1
                }
            } as u32;
            let tkey = [
                q.profile as u64,
                q.end_location as u64,
                q.shift.start_s.to_bits(),
                q.shift.end_s.to_bits(),
            ];
            let tail_class = match tail_keys.iter().position(|k| *k == tkey) {
                Some(c) => c,
                None => {
                    tail_keys.push(tkey);
                    tail_keys.len() - 1
                }
            } as u32;
            vehicles.push(Vehicle {
                profile: q.profile,
                start_node,
                end_node,
                capacity: q.capacity,
                fixed_cost: w.vehicle_s,
                class,
                tail_class,
                locked: q.locked_stops.iter().map(|&s| s as u32).collect(),
            });
        }
        let n_classes = class_keys.len();

        // Compatibility per class: skills, hard areas, pins.
        let words = n_jobs.div_ceil(64).max(1);
        let mut pinned = vec![NONE; n_jobs];
        for (j, s) in problem.stops.iter().enumerate() {
            if let Some(p) = s.pinned_squad {
                pinned[j] = p as u32;
            }
        }
        for (v, q) in problem.squads.iter().enumerate() {
            for &s in &q.locked_stops {
                pinned[s] = v as u32;
            }
        }
        let mut allowed = vec![0u64; n_classes * words];
        let mut outside = vec![0u64; n_classes * words];
        let mut all_allowed = true;
        let mut any_outside = false;
        let mut class_rep = vec![usize::MAX; n_classes];
        for (v, veh) in vehicles.iter().enumerate() {
            if class_rep[veh.class as usize] == usize::MAX {
                class_rep[veh.class as usize] = v;
            }
        }
        for (c, &v) in class_rep.iter().enumerate() {
            let q = &problem.squads[v];
            for (j, s) in problem.stops.iter().enumerate() {
                let skill_ok = q.skills.covers(s.required_skills);
                let in_area = q.areas.is_empty() || s.area.is_some_and(|a| q.areas.contains(&a));
                let area_ok = in_area || matches!(settings.area_rule, AreaRule::Soft { .. });
                let pin_ok = pinned[j] == NONE || pinned[j] as usize == v;
                if skill_ok && area_ok && pin_ok {
                    allowed[c * words + j / 64] |= 1 << (j % 64);
                } else {
                    all_allowed = false;
                }
                if !in_area {
                    outside[c * words + j / 64] |= 1 << (j % 64);
                    any_outside = true;
                }
            }
        }
        let area_penalty = match settings.area_rule {
            AreaRule::Soft { penalty_s } => penalty_s,
            AreaRule::Hard => 0.0,
        };
        let any_outside = any_outside && area_penalty > 0.0;

        let profiles: Vec<usize> = {
            let mut p: Vec<usize> = vehicles.iter().map(|v| v.profile).collect();
            p.sort_unstable();
            p.dedup();
            p
        };

        let mut model = Model {
            cost,
            n_jobs,
            loc,
            base_seg,
            mode_start,
            modes,
            unserved_cost,
            weight,
            active: vec![true; n_jobs],
            vehicles,
            n_classes,
            allowed: if all_allowed { None } else { Some(allowed) },
            pinned,
            outside: if any_outside { Some(outside) } else { None },
            area_penalty,
            words,
            neighbours: Vec::new(),
            k: 0,
            adjacency: Vec::new(),
            k_ruin: 0,
            has_time,
            symmetric: true,
            profile_slot: {
                let mut slots = vec![NONE; cost.profile_count()];
                for (k, &p) in profiles.iter().enumerate() {
                    slots[p] = k as u32;
                }
                slots
            },
            profiles: profiles.clone(),
            travel_weight: w.travel,
            balance_weight: w.balance,
            max_travel: 0.0,
            max_demand: 0.0,
        };
        model.symmetric = profiles.iter().all(|&p| model.is_symmetric(p));
        model.mark_inactive();
        model.max_demand = (0..n_jobs)
            .filter(|&j| model.active[j])
            .map(|j| model.base_seg[j].load)
            .fold(0.0, f64::max);
        model.build_neighbours(opts);
        model
    }

    /// Travel time between two nodes with a profile, unreachable pairs capped.
    #[inline]
    pub fn tt(&self, profile: usize, a: u32, b: u32) -> f64 {
        let t = self.cost.duration_s(
            profile,
            self.loc[a as usize] as usize,
            self.loc[b as usize] as usize,
        );
        // `min` also maps NaN to the cap.
        t.min(UNREACHABLE_S)
    }

    /// Whether vehicle `v` may serve job `j` (skills, hard areas, pins).
    #[inline]
    pub fn allowed(&self, j: u32, v: usize) -> bool {
        match &self.allowed {
            None => true,
            Some(bits) => {
                let c = self.vehicles[v].class as usize;
                let j = j as usize;
                bits[c * self.words + j / 64] >> (j % 64) & 1 == 1
                    && (self.pinned[j] == NONE || self.pinned[j] as usize == v)
            }
        }
    }

    /// Whether every job is allowed on every vehicle.
    #[inline]
    pub fn all_allowed(&self) -> bool {
        self.allowed.is_none()
    }

    /// Soft-area cost of serving job `j` with vehicle `v`.
    #[inline]
    pub fn area_cost(&self, j: u32, v: usize) -> f64 {
        match &self.outside {
            None => 0.0,
            Some(bits) => {
                let c = self.vehicles[v].class as usize;
                let j = j as usize;
                if bits[c * self.words + j / 64] >> (j % 64) & 1 == 1 {
                    self.area_penalty
                } else {
                    0.0
                }
            }
        }
    }

    /// Whether any soft-area costs exist.
    #[inline]
    pub fn has_area_costs(&self) -> bool {
        self.outside.is_some()
    }

    /// Modes of job `j`.
    #[inline]
    pub fn modes_of(&self, j: u32) -> &[Mode] {
        let j = j as usize;
        &self.modes[self.mode_start[j] as usize..self.mode_start[j + 1] as usize]
    }

    /// The single-visit segment of job `j` in mode `m`.
    #[inline]
    pub fn mode_seg(&self, j: u32, m: usize) -> Seg {
        let mode = self.modes[self.mode_start[j as usize] as usize + m];
        let mut s = self.base_seg[j as usize];
        s.earliest = mode.earliest;
        s.latest = mode.latest;
        s
    }

    /// Penalised cost of a non-empty route of vehicle `v` summarised by `seg`, plus `extra`
    /// (soft-area costs of its jobs).
    #[inline]
    pub fn route_cost(&self, v: usize, seg: &Seg, extra: f64, pen: Penalty) -> f64 {
        let veh = &self.vehicles[v];
        self.travel_weight * seg.travel
            + veh.fixed_cost
            + extra
            + pen.load * (seg.load - veh.capacity).max(0.0)
            + pen.warp * seg.warp
    }

    fn is_symmetric(&self, profile: usize) -> bool {
        let mut locs: Vec<u32> = self.loc.clone();
        locs.sort_unstable();
        locs.dedup();
        // Sample when large: a full check of a district matrix costs more than it saves.
        let step = (locs.len() / 300).max(1);
        for (a_i, &a) in locs.iter().enumerate().step_by(step) {
            for &b in locs[a_i + 1..].iter().step_by(step) {
                let ab = self.cost.duration_s(profile, a as usize, b as usize);
                let ba = self.cost.duration_s(profile, b as usize, a as usize);
                if (ab - ba).abs() > 1e-9 * ab.abs().max(1.0) {
                    return false;
                }
            }
        }
        true
    }

    /// Marks jobs no vehicle could serve on its own (see [`super::explain`] for the reasons).
    fn mark_inactive(&mut self) {
        let mut max_travel: f64 = 0.0;
        for j in 0..self.n_jobs as u32 {
            let mut ok = false;
            for v in 0..self.vehicles.len() {
                if self.alone_feasible(j, v) {
                    ok = true;
                    break;
                }
            }
            self.active[j as usize] = ok;
        }
        for (v, veh) in self.vehicles.iter().enumerate() {
            let _ = v;
            for j in 0..self.n_jobs as u32 {
                let t = self.tt(veh.profile, veh.start_node, j);
                if t < UNREACHABLE_S {
                    max_travel = max_travel.max(t);
                }
            }
        }
        self.max_travel = max_travel.max(1.0);
    }

    /// Whether vehicle `v` could serve job `j` as its only stop (after its locked stops).
    pub fn alone_feasible(&self, j: u32, v: usize) -> bool {
        if !self.allowed(j, v) {
            return false;
        }
        let veh = &self.vehicles[v];
        let p = veh.profile;
        let locked_load: f64 = veh
            .locked
            .iter()
            .map(|&l| self.base_seg[l as usize].load)
            .sum();
        if self.base_seg[j as usize].load + locked_load > veh.capacity + 1e-9 {
            return false;
        }
        let mut prefix = self.base_seg[veh.start_node as usize];
        for &l in &veh.locked {
            if l == j {
                return true;
            }
            let s = self.base_seg[l as usize];
            prefix = prefix.then(&s, self.tt(p, prefix.last, s.first));
        }
        let end = self.base_seg[veh.end_node as usize];
        (0..self.modes_of(j).len()).any(|m| {
            let s = self.mode_seg(j, m);
            let t1 = self.tt(p, prefix.last, j);
            let t2 = self.tt(p, j, veh.end_node);
            if t1 >= UNREACHABLE_S || t2 >= UNREACHABLE_S {
                return false;
            }
            let r = prefix.then(&s, t1).then(&end, t2);
            r.warp <= 1e-9
        })
    }

    /// The granular neighbours of job `j`.
    #[inline]
    pub fn neighbours_of(&self, j: u32) -> &[u32] {
        let j = j as usize;
        &self.neighbours[j * self.k..(j + 1) * self.k]
    }

    /// The ruin adjacency of job `j`, nearest first.
    #[inline]
    pub fn adjacency_of(&self, j: u32) -> &[u32] {
        let j = j as usize;
        &self.adjacency[j * self.k_ruin..(j + 1) * self.k_ruin]
    }

    /// Whether node `n` is a job (not a depot).
    #[inline]
    pub fn is_job(&self, n: u32) -> bool {
        (n as usize) < self.n_jobs
    }
}
