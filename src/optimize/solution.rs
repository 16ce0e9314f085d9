//! The solver's working solution: one route per vehicle with cached prefix and suffix segments,
//! the position of every job, each job's chosen time-window mode, and the unassigned jobs.
//!
//! Every change goes through [`Solution::set_route`] (or the insert/remove helpers built on it),
//! which recomputes the route's caches in O(route length) and stamps the route with a version
//! so the local search knows what to re-examine. The penalised cost is kept up to date.

use super::TravelCost;
use std::cell::RefCell;

use super::model::{Model, NONE, Penalty};
use super::segment::Seg;

/// One vehicle's route: `nodes[0]` is its start depot, `nodes[len-1]` its end depot.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub vehicle: u32,
    pub nodes: Vec<u32>,
    /// `fwd[i]`: segment of `nodes[0..=i]`.
    pub fwd: Vec<Seg>,
    /// `bwd[i]`: segment of `nodes[i..]`.
    pub bwd: Vec<Seg>,
    /// `open[slot * len + i]`: segment of the jobs `nodes[i..len-1]` (no end depot) travelled
    /// with the profile in that slot, for tails that move to a vehicle with another end or
    /// another travel mode.
    pub open: Vec<Seg>,
    /// Penalised cost (0 when empty).
    pub cost: f64,
    /// Soft-area costs of its jobs.
    pub extra: f64,
    /// Number of locked jobs at positions `1..=fixed`.
    pub fixed: usize,
    /// `area_prefix[i]`: soft-area costs of the jobs at positions `1..=i` (kept only when the
    /// model has such costs).
    pub area_prefix: Vec<f64>,
    /// Power-of-two blocks of consecutive visits, built on demand, so that a stretch of a long
    /// route is summarised with O(log n) joins instead of one per visit.
    pub blocks: RefCell<Blocks>,
}

/// See [`Route::blocks`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Blocks {
    /// Route version the blocks were built for (0: never).
    pub version: u64,
    /// `levels[k - 1][p]`: the segment of the `2^k` visits from position `p`.
    pub levels: Vec<Vec<Seg>>,
    /// `reversed[k - 1][p]`: the same visits travelled backwards (built separately, on demand).
    pub reversed: Vec<Vec<Seg>>,
    pub reversed_version: u64,
}

impl Route {
    /// Number of jobs on the route.
    #[inline]
    pub fn jobs(&self) -> usize {
        self.nodes.len() - 2
    }

    /// Whether the route serves no job.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 2
    }

    /// Whether it serves only its locked jobs (an unused squad otherwise).
    #[inline]
    pub fn only_locked(&self) -> bool {
        self.jobs() == self.fixed
    }

    /// Segment of the jobs from position `i` to the last, travelled with profile `p`.
    #[inline]
    pub fn open_tail<C: TravelCost>(&self, m: &Model<'_, C>, p: usize, i: usize) -> &Seg {
        let len = self.nodes.len();
        &self.open[m.profile_slot[p] as usize * len + i]
    }

    /// The whole route's segment.
    #[inline]
    pub fn total(&self) -> &Seg {
        &self.fwd[self.nodes.len() - 1]
    }
}

/// A compact copy of a solution: route node lists and job modes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    pub routes: Vec<Vec<u32>>,
    pub modes: Vec<u16>,
    /// Objective value (penalties excluded) when taken from a feasible solution.
    pub cost: f64,
}

impl Snapshot {
    /// Number of non-empty routes.
    pub fn used_routes(&self) -> usize {
        self.routes.iter().filter(|r| r.len() > 2).count()
    }
}

/// The working solution (see module docs).
#[derive(Clone, Debug)]
pub(crate) struct Solution {
    pub routes: Vec<Route>,
    pub route_of: Vec<u32>,
    pub pos_of: Vec<u32>,
    pub mode: Vec<u16>,
    /// Per node: current single-visit segment (jobs: their mode's window).
    pub seg: Vec<Seg>,
    pub unassigned: Vec<u32>,
    unassigned_pos: Vec<u32>,
    /// Sum of the modes' missed-deadline costs over assigned jobs.
    pub mode_penalty: f64,
    /// Sum of unserved costs over unassigned (active) jobs.
    pub unassigned_cost: f64,
    /// Monotone change counter and per-route version stamps.
    pub clock: u64,
    pub version: Vec<u64>,
    pub pen: Penalty,
    /// Vehicles that may be used at most (fleet minimisation lowers it).
    pub max_routes: usize,
    /// Routes serving no job, per vehicle class (unordered).
    pub empty_of_class: Vec<Vec<u32>>,
    empty_pos: Vec<u32>,
    /// Routes serving at least one job.
    pub used: usize,
    used_bits: Vec<bool>,
    scratch_arcs: Vec<f64>,
}

impl Solution {
    /// Every active job unassigned except the locked ones, which open their routes.
    pub fn new<C: TravelCost>(m: &Model<'_, C>, pen: Penalty) -> Self {
        let n_veh = m.vehicles.len();
        let mut s = Solution {
            routes: Vec::with_capacity(n_veh),
            route_of: vec![NONE; m.n_jobs],
            pos_of: vec![NONE; m.n_jobs],
            mode: vec![0; m.n_jobs],
            seg: m.base_seg.clone(),
            unassigned: Vec::new(),
            unassigned_pos: vec![NONE; m.n_jobs],
            mode_penalty: 0.0,
            unassigned_cost: 0.0,
            clock: 1,
            version: vec![1; n_veh],
            pen,
            max_routes: n_veh,
            empty_of_class: vec![Vec::new(); m.n_classes],
            empty_pos: vec![NONE; n_veh],
            used: 0,
            used_bits: vec![false; n_veh],
            scratch_arcs: Vec::new(),
        };
        for (v, veh) in m.vehicles.iter().enumerate() {
            let mut nodes = vec![veh.start_node];
            nodes.extend(veh.locked.iter().copied());
            nodes.push(veh.end_node);
            s.routes.push(Route {
                vehicle: v as u32,
                nodes,
                fwd: Vec::new(),
                bwd: Vec::new(),
                open: Vec::new(),
                cost: 0.0,
                extra: 0.0,
                fixed: veh.locked.len(),
                area_prefix: Vec::new(),
                blocks: RefCell::new(Blocks::default()),
            });
        }
        for r in 0..n_veh {
            s.refresh(m, r);
        }
        for j in 0..m.n_jobs as u32 {
            if m.active[j as usize] && s.route_of[j as usize] == NONE {
                s.push_unassigned(m, j);
            }
        }
        s
    }

    /// Keeps `empty_of_class` and `used` in step with route `r`'s emptiness.
    fn track_empty<C: TravelCost>(&mut self, m: &Model<'_, C>, r: usize) {
        let now_used = !self.routes[r].is_empty();
        let listed = self.empty_pos[r] != NONE;
        let class = m.vehicles[self.routes[r].vehicle as usize].class as usize;
        if now_used {
            if listed {
                let list = &mut self.empty_of_class[class];
                let p = self.empty_pos[r] as usize;
                let last = list.pop().unwrap_or(r as u32);
                if last as usize != r {
                    list[p] = last;
                    self.empty_pos[last as usize] = p as u32;
                }
                self.empty_pos[r] = NONE;
            }
            if !self.used_bits[r] {
                self.used += 1;
            }
        } else {
            if !listed {
                self.empty_pos[r] = self.empty_of_class[class].len() as u32;
                self.empty_of_class[class].push(r as u32);
            }
            if self.used_bits[r] {
                self.used -= 1;
            }
        }
        self.used_bits[r] = now_used;
    }

    /// Sets job `j`'s mode (its route must be refreshed by the caller if assigned).
    pub fn set_mode<C: TravelCost>(&mut self, m: &Model<'_, C>, j: u32, mode: usize) {
        let ju = j as usize;
        if self.route_of[ju] != NONE {
            self.mode_penalty -= m.modes_of(j)[self.mode[ju] as usize].penalty;
            self.mode_penalty += m.modes_of(j)[mode].penalty;
        }
        self.mode[ju] = mode as u16;
        self.seg[ju] = m.mode_seg(j, mode);
    }

    fn push_unassigned<C: TravelCost>(&mut self, m: &Model<'_, C>, j: u32) {
        debug_assert_eq!(self.unassigned_pos[j as usize], NONE);
        self.unassigned_pos[j as usize] = self.unassigned.len() as u32;
        self.unassigned.push(j);
        self.unassigned_cost += m.unserved_cost[j as usize];
    }

    fn drop_unassigned<C: TravelCost>(&mut self, m: &Model<'_, C>, j: u32) {
        let p = self.unassigned_pos[j as usize];
        debug_assert_ne!(p, NONE);
        let last = self.unassigned.pop().unwrap_or(j);
        if last != j {
            self.unassigned[p as usize] = last;
            self.unassigned_pos[last as usize] = p;
        }
        self.unassigned_pos[j as usize] = NONE;
        self.unassigned_cost -= m.unserved_cost[j as usize];
    }

    /// Whether job `j` is unassigned.
    #[inline]
    pub fn is_unassigned(&self, j: u32) -> bool {
        self.unassigned_pos[j as usize] != NONE
    }

    /// Replaces route `r`'s nodes (start and end depot included) and refreshes everything.
    /// Jobs that left the route must have been given a new home or been unassigned by the
    /// caller through [`Solution::set_route`] on their new route or [`Solution::unassign`].
    pub fn set_route<C: TravelCost>(&mut self, m: &Model<'_, C>, r: usize, nodes: &[u32]) {
        let route = &mut self.routes[r];
        route.nodes.clear();
        route.nodes.extend_from_slice(nodes);
        self.refresh(m, r);
    }

    /// Recomputes route `r`'s caches, its jobs' positions and its cost.
    pub fn refresh<C: TravelCost>(&mut self, m: &Model<'_, C>, r: usize) {
        self.clock += 1;
        self.version[r] = self.clock;
        let route = &mut self.routes[r];
        let v = route.vehicle as usize;
        let p = m.vehicles[v].profile;
        let len = route.nodes.len();
        let arcs = &mut self.scratch_arcs;
        arcs.clear();
        for w in route.nodes.windows(2) {
            arcs.push(m.tt(p, w[0], w[1]));
        }
        route.fwd.resize(len, self.seg[route.nodes[0] as usize]);
        route
            .bwd
            .resize(len, self.seg[route.nodes[len - 1] as usize]);
        route.fwd[0] = self.seg[route.nodes[0] as usize];
        let areas = m.has_area_costs();
        if areas {
            route.area_prefix.clear();
            route.area_prefix.push(0.0);
        }
        let mut extra = 0.0;
        for i in 1..len {
            let n = route.nodes[i];
            route.fwd[i] = route.fwd[i - 1].then(&self.seg[n as usize], arcs[i - 1]);
            if i < len - 1 {
                self.route_of[n as usize] = r as u32;
                self.pos_of[n as usize] = i as u32;
                if areas {
                    extra += m.area_cost(n, v);
                }
            }
            if areas {
                route.area_prefix.push(extra);
            }
        }
        route.bwd[len - 1] = self.seg[route.nodes[len - 1] as usize];
        for i in (0..len - 1).rev() {
            route.bwd[i] = self.seg[route.nodes[i] as usize].then(&route.bwd[i + 1], arcs[i]);
        }
        let slots = m.profiles.len();
        route.open.resize(len * slots, route.bwd[len - 1]);
        if len > 2 {
            for (k, &q) in m.profiles.iter().enumerate() {
                let o = &mut route.open[k * len..(k + 1) * len];
                o[len - 2] = self.seg[route.nodes[len - 2] as usize];
                for i in (1..len - 2).rev() {
                    let t = if q == p {
                        arcs[i]
                    } else {
                        m.tt(q, route.nodes[i], route.nodes[i + 1])
                    };
                    o[i] = self.seg[route.nodes[i] as usize].then(&o[i + 1], t);
                }
            }
        }
        route.extra = extra;
        route.cost = if len == 2 {
            0.0
        } else {
            m.route_cost(v, &route.fwd[len - 1], extra, self.pen)
        };
        self.track_empty(m, r);
    }

    /// Inserts unassigned job `j` into route `r` after position `after` in mode `mode`.
    pub fn insert<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        j: u32,
        r: usize,
        after: usize,
        mode: usize,
    ) {
        self.drop_unassigned(m, j);
        self.route_of[j as usize] = r as u32;
        self.mode[j as usize] = mode as u16;
        self.seg[j as usize] = m.mode_seg(j, mode);
        self.mode_penalty += m.modes_of(j)[mode].penalty;
        self.routes[r].nodes.insert(after + 1, j);
        self.refresh(m, r);
    }

    /// Removes job `j` from its route (without refreshing it) and marks it unassigned.
    /// Call [`Solution::refresh`] on the route afterwards.
    pub fn unassign_lazy<C: TravelCost>(&mut self, m: &Model<'_, C>, j: u32) -> usize {
        let r = self.route_of[j as usize] as usize;
        let route = &mut self.routes[r];
        let p = self.pos_of[j as usize] as usize;
        debug_assert_eq!(route.nodes[p], j);
        debug_assert!(p > route.fixed && p < route.nodes.len() - 1);
        route.nodes.remove(p);
        // Keep positions consistent for later lazy removals from the same route.
        for (i, &n) in route.nodes.iter().enumerate().skip(p) {
            if (n as usize) < self.pos_of.len() {
                self.pos_of[n as usize] = i as u32;
            }
        }
        self.mode_penalty -= m.modes_of(j)[self.mode[j as usize] as usize].penalty;
        self.route_of[j as usize] = NONE;
        self.pos_of[j as usize] = NONE;
        self.push_unassigned(m, j);
        r
    }

    /// Makes every route feasible by dropping, in route order, each job that breaks capacity,
    /// time windows or skills for the jobs kept before it. Dropped jobs become unassigned.
    pub fn prune_infeasible<C: TravelCost>(&mut self, m: &Model<'_, C>) {
        for r in 0..self.routes.len() {
            let route = &self.routes[r];
            let t = route.total();
            let v = route.vehicle as usize;
            let veh = &m.vehicles[v];
            if route.is_empty() || (t.warp <= 1e-6 && t.load <= veh.capacity + 1e-9) {
                continue;
            }
            let old = route.nodes.clone();
            let end = self.seg[veh.end_node as usize];
            let mut keep = vec![old[0]];
            let mut prefix = self.seg[old[0] as usize];
            let mut dropped = Vec::new();
            for (i, &n) in old[1..old.len() - 1].iter().enumerate() {
                let locked = i < route.fixed;
                let s = self.seg[n as usize];
                let with = prefix.then(&s, m.tt(veh.profile, prefix.last, n));
                let closed = with.then(&end, m.tt(veh.profile, n, end.first));
                let ok =
                    closed.warp <= 1e-6 && closed.load <= veh.capacity + 1e-9 && m.allowed(n, v);
                if ok || locked {
                    keep.push(n);
                    prefix = with;
                } else {
                    dropped.push(n);
                }
            }
            keep.push(old[old.len() - 1]);
            for &j in &dropped {
                self.mode_penalty -= m.modes_of(j)[self.mode[j as usize] as usize].penalty;
                self.route_of[j as usize] = NONE;
                self.pos_of[j as usize] = NONE;
                self.push_unassigned(m, j);
            }
            self.set_route(m, r, &keep);
        }
    }

    /// Sets new penalty weights and recomputes route costs.
    pub fn set_penalty<C: TravelCost>(&mut self, m: &Model<'_, C>, pen: Penalty) {
        self.pen = pen;
        for r in 0..self.routes.len() {
            let route = &mut self.routes[r];
            if !route.is_empty() {
                route.cost = m.route_cost(route.vehicle as usize, route.total(), route.extra, pen);
            }
        }
    }

    /// Longest route duration (balance objective), seconds.
    pub fn longest_duration(&self) -> f64 {
        self.routes
            .iter()
            .filter(|r| !r.only_locked() || r.fixed > 0)
            .filter(|r| !r.is_empty())
            .map(|r| r.total().duration)
            .fold(0.0, f64::max)
    }

    /// Penalised total cost.
    pub fn cost<C: TravelCost>(&self, m: &Model<'_, C>) -> f64 {
        let mut c: f64 = self.routes.iter().map(|r| r.cost).sum();
        c += self.unassigned_cost + self.mode_penalty;
        if m.balance_weight > 0.0 {
            c += m.balance_weight * self.longest_duration();
        }
        c
    }

    /// Whether every route respects capacity and time windows.
    pub fn is_feasible<C: TravelCost>(&self, m: &Model<'_, C>) -> bool {
        self.routes.iter().all(|r| {
            r.is_empty() || {
                let t = r.total();
                t.warp <= 1e-6 && t.load <= m.vehicles[r.vehicle as usize].capacity + 1e-9
            }
        })
    }

    /// A compact copy.
    pub fn snapshot(&self, cost: f64) -> Snapshot {
        Snapshot {
            routes: self.routes.iter().map(|r| r.nodes.clone()).collect(),
            modes: self.mode.clone(),
            cost,
        }
    }

    /// Makes this solution equal to `snap`.
    pub fn restore<C: TravelCost>(&mut self, m: &Model<'_, C>, snap: &Snapshot) {
        for j in 0..m.n_jobs {
            self.route_of[j] = NONE;
            self.pos_of[j] = NONE;
        }
        self.unassigned.clear();
        self.unassigned_pos.iter_mut().for_each(|p| *p = NONE);
        self.unassigned_cost = 0.0;
        self.mode_penalty = 0.0;
        for j in 0..m.n_jobs as u32 {
            let mode = snap.modes[j as usize] as usize;
            self.mode[j as usize] = mode as u16;
            self.seg[j as usize] = m.mode_seg(j, mode.min(m.modes_of(j).len().saturating_sub(1)));
        }
        for (r, nodes) in snap.routes.iter().enumerate() {
            self.routes[r].nodes.clear();
            self.routes[r].nodes.extend_from_slice(nodes);
            for &n in &nodes[1..nodes.len() - 1] {
                self.mode_penalty += m.modes_of(n)[self.mode[n as usize] as usize].penalty;
            }
            self.refresh(m, r);
        }
        for j in 0..m.n_jobs as u32 {
            if m.active[j as usize] && self.route_of[j as usize] == NONE {
                self.push_unassigned(m, j);
            }
        }
    }

    /// Restores only the routes listed (and the unassigned set and modes) from `snap`: the undo
    /// of an iteration that touched few routes.
    pub fn restore_routes<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        snap: &Snapshot,
        routes: &[u32],
    ) {
        // Jobs currently in those routes or unassigned may move; detach them first.
        let mut affected: Vec<u32> = self.unassigned.clone();
        for &r in routes {
            let route = &self.routes[r as usize];
            affected.extend(route.nodes[1..route.nodes.len() - 1].iter().copied());
        }
        for &j in &affected {
            if self.is_unassigned(j) {
                self.drop_unassigned(m, j);
            } else {
                self.mode_penalty -= m.modes_of(j)[self.mode[j as usize] as usize].penalty;
            }
            self.route_of[j as usize] = NONE;
            self.pos_of[j as usize] = NONE;
            let mode = snap.modes[j as usize] as usize;
            self.mode[j as usize] = mode as u16;
            self.seg[j as usize] = m.mode_seg(j, mode);
        }
        for &r in routes {
            let r = r as usize;
            self.routes[r].nodes.clear();
            self.routes[r].nodes.extend_from_slice(&snap.routes[r]);
            let nodes = &snap.routes[r];
            for &n in &nodes[1..nodes.len() - 1] {
                self.mode_penalty += m.modes_of(n)[self.mode[n as usize] as usize].penalty;
            }
            self.refresh(m, r);
        }
        for &j in &affected {
            if self.route_of[j as usize] == NONE && !self.is_unassigned(j) {
                self.push_unassigned(m, j);
            }
        }
    }
}
