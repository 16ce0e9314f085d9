//! Recreate by greedy insertion with blinks (SISR): take the unassigned jobs in a random one of
//! four orders and put each at its cheapest position, skipping each position with a small
//! probability so that repeated recreations differ.
//!
//! Candidate routes are all routes while there are few, else the routes of the job's nearest
//! neighbours, plus one empty route per vehicle class while the fleet limit allows. A job with no
//! feasible position is inserted at its least-penalised position when `allow_infeasible` (the
//! local search then repairs it), else it stays unassigned.

use super::TravelCost;
use super::model::{Model, NONE};
use super::rng::Rng;
use super::solution::Solution;

/// Parameters of the insertion.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecreateParams {
    /// Probability of skipping a position.
    pub blink: f64,
    /// Insert infeasibly (penalised) rather than leave a job out.
    pub allow_infeasible: bool,
    /// Up to this many used routes, every route is a candidate.
    pub all_routes_below: usize,
    /// Otherwise the routes of this many nearest neighbours.
    pub neighbour_routes: usize,
}

impl Default for RecreateParams {
    fn default() -> Self {
        RecreateParams {
            blink: 0.01,
            allow_infeasible: false,
            all_routes_below: 24,
            neighbour_routes: 40,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Best {
    cost: f64,
    route: u32,
    after: u32,
    mode: u32,
}

const NO_BEST: Best = Best {
    cost: f64::INFINITY,
    route: NONE,
    after: 0,
    mode: 0,
};

/// Scratch state for the insertion.
#[derive(Default)]
pub(crate) struct Recreate {
    pending: Vec<u32>,
    keys: Vec<(f64, u32)>,
    candidates: Vec<u32>,
    stamp: Vec<u64>,
    clock: u64,
    is_removed: Vec<bool>,
    /// Jobs inserted by the last run.
    pub inserted: Vec<u32>,
}

impl Recreate {
    /// Inserts every unassigned job it can. Returns the number left unassigned.
    pub fn run<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        rng: &mut Rng,
        p: RecreateParams,
    ) -> usize {
        self.pending.clear();
        self.pending.extend_from_slice(&s.unassigned);
        self.insert_pending(m, s, rng, p)
    }

    /// Inserts the jobs `removed` by the last ruin, plus at most `others` of the jobs that were
    /// already unassigned (chosen at random): retrying every left-out job each iteration would
    /// cost more than the rest of the iteration when the squads cannot carry everything.
    pub fn run_after_ruin<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        rng: &mut Rng,
        p: RecreateParams,
        removed: &[u32],
        others: usize,
    ) -> usize {
        self.pending.clear();
        self.pending.extend_from_slice(removed);
        let extra = s.unassigned.len().saturating_sub(removed.len());
        if extra <= others {
            self.pending.clear();
            self.pending.extend_from_slice(&s.unassigned);
        } else {
            if self.is_removed.len() != m.n_jobs {
                self.is_removed = vec![false; m.n_jobs];
            }
            for &j in removed {
                self.is_removed[j as usize] = true;
            }
            let n = s.unassigned.len();
            let start = rng.below(n);
            let mut taken = 0;
            for k in 0..n {
                if taken >= others {
                    break;
                }
                let j = s.unassigned[(start + k * 7919) % n];
                if !self.is_removed[j as usize] && !self.pending.contains(&j) {
                    self.pending.push(j);
                    taken += 1;
                }
            }
            for &j in removed {
                self.is_removed[j as usize] = false;
            }
        }
        self.insert_pending(m, s, rng, p)
    }

    fn insert_pending<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        rng: &mut Rng,
        p: RecreateParams,
    ) -> usize {
        self.order(m, s, rng);
        self.inserted.clear();
        if self.stamp.len() != s.routes.len() {
            self.stamp = vec![0; s.routes.len()];
        }
        for k in 0..self.pending.len() {
            let j = self.pending[k];
            let (feasible, any) = self.best_insertion(m, s, rng, j, p);
            let pick = if feasible.route != NONE {
                feasible
            } else if p.allow_infeasible && any.route != NONE {
                any
            } else {
                continue;
            };
            if pick.cost >= m.unserved_cost[j as usize] && !p.allow_infeasible {
                continue;
            }
            self.inserted.push(j);
            s.insert(
                m,
                j,
                pick.route as usize,
                pick.after as usize,
                pick.mode as usize,
            );
        }
        s.unassigned.len()
    }

    /// SISR's orders: random (weight 4), demand descending (4), far first (2), near first (1).
    fn order<C: TravelCost>(&mut self, m: &Model<'_, C>, s: &Solution, rng: &mut Rng) {
        let pick = rng.below(11);
        if pick < 4 {
            rng.shuffle(&mut self.pending);
            return;
        }
        let depot = m.vehicles.first().map_or(0, |v| v.start_node);
        let profile = m.vehicles.first().map_or(0, |v| v.profile);
        self.keys.clear();
        for &j in &self.pending {
            let key = if pick < 8 {
                -s.seg[j as usize].load
            } else {
                let d = m.tt(profile, depot, j);
                if pick < 10 { -d } else { d }
            };
            // A little noise breaks ties differently each time.
            self.keys.push((key * (1.0 + 1e-9 * rng.unit()), j));
        }
        self.keys.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.pending.clear();
        self.pending.extend(self.keys.iter().map(|&(_, j)| j));
    }

    fn best_insertion<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &Solution,
        rng: &mut Rng,
        j: u32,
        p: RecreateParams,
    ) -> (Best, Best) {
        self.clock += 1;
        self.candidates.clear();
        if s.used <= p.all_routes_below {
            for (r, route) in s.routes.iter().enumerate() {
                if !route.is_empty() {
                    self.candidates.push(r as u32);
                }
            }
        } else {
            for &n in m.adjacency_of(j).iter().take(p.neighbour_routes) {
                let r = s.route_of[n as usize];
                if r != NONE && self.stamp[r as usize] != self.clock {
                    self.stamp[r as usize] = self.clock;
                    self.candidates.push(r);
                }
            }
            // Routes that only hold locked jobs are not near anyone by adjacency.
            for (r, route) in s.routes.iter().enumerate() {
                if route.fixed > 0 && self.stamp[r] != self.clock {
                    self.stamp[r] = self.clock;
                    self.candidates.push(r as u32);
                }
            }
        }
        if s.used < s.max_routes {
            for list in &s.empty_of_class {
                if let Some(&e) = list.first() {
                    self.candidates.push(e);
                }
            }
        }
        let mut feasible = NO_BEST;
        let mut any = NO_BEST;
        let longest = if m.balance_weight > 0.0 {
            s.longest_duration()
        } else {
            0.0
        };
        let dj = s.seg[j as usize].load;
        for &r in &self.candidates {
            let route = &s.routes[r as usize];
            let v = route.vehicle as usize;
            if !m.allowed(j, v) {
                continue;
            }
            let veh = &m.vehicles[v];
            let pr = veh.profile;
            let area = m.area_cost(j, v);
            let base = if route.is_empty() {
                veh.fixed_cost
            } else {
                0.0
            };
            let empty = route.is_empty();
            if !m.has_time {
                let load = route.total().load;
                let pen_delta = s.pen.load
                    * ((load + dj - veh.capacity).max(0.0) - (load - veh.capacity).max(0.0));
                let fits = load + dj <= veh.capacity + 1e-9;
                for after in route.fixed..route.nodes.len() - 1 {
                    if p.blink > 0.0 && rng.unit() < p.blink {
                        continue;
                    }
                    let (a, b) = (route.nodes[after], route.nodes[after + 1]);
                    let dt = if empty {
                        m.tt(pr, a, j) + m.tt(pr, j, b)
                    } else {
                        m.tt(pr, a, j) + m.tt(pr, j, b) - m.tt(pr, a, b)
                    };
                    let cost = m.travel_weight * dt + pen_delta + area + base;
                    let cand = Best {
                        cost,
                        route: r,
                        after: after as u32,
                        mode: 0,
                    };
                    if fits && cost < feasible.cost {
                        feasible = cand;
                    }
                    if cost < any.cost {
                        any = cand;
                    }
                }
                continue;
            }
            let modes = m.modes_of(j);
            for after in route.fixed..route.nodes.len() - 1 {
                if p.blink > 0.0 && rng.unit() < p.blink {
                    continue;
                }
                let (a, b) = (&route.fwd[after], &route.bwd[after + 1]);
                let ta = m.tt(pr, a.last, j);
                let tb = m.tt(pr, j, b.first);
                for (k, mode) in modes.iter().enumerate() {
                    let seg = if modes.len() == 1 {
                        s.seg[j as usize]
                    } else {
                        m.mode_seg(j, k)
                    };
                    let whole = a.then(&seg, ta).then(b, tb);
                    let mut cost = m.route_cost(v, &whole, route.extra + area, s.pen) - route.cost
                        + mode.penalty;
                    if m.balance_weight > 0.0 {
                        cost += m.balance_weight * (whole.duration - longest).max(0.0);
                    }
                    let cand = Best {
                        cost,
                        route: r,
                        after: after as u32,
                        mode: k as u32,
                    };
                    let fits = whole.warp <= 1e-9 && whole.load <= veh.capacity + 1e-9;
                    if fits && cost < feasible.cost {
                        feasible = cand;
                    }
                    if cost < any.cost {
                        any = cand;
                    }
                }
            }
        }
        (feasible, any)
    }
}
