//! Granular local search: for every job `u` and each of its nearest neighbours `v`, try
//! relocating one or two jobs next to `v`, swapping one or two with `v`'s, 2-opt within a route,
//! and 2-opt* between routes (both orientations when travel is symmetric and untimed); then
//! SWAP* between neighbouring routes (Vidal 2022). First improvement, in random order.
//!
//! Pairs are re-examined only when one of their routes changed since `u` was last examined
//! (the "when last modified" rule of HGS), so a descent after a small perturbation costs little
//! more than the perturbed region.

use super::TravelCost;
mod inter;
mod intra;

use super::model::{Model, NONE};
use super::moves::{EPS, Mover, Piece, Recipe};
use super::rng::Rng;
use super::solution::Solution;
use super::swap_star::SwapStar;

/// Route pairs for SWAP* come from this many nearest neighbours of each examined job.
const SWAP_STAR_NEIGHBOURS: usize = 8;

/// Which neighbourhoods to use.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LsOptions {
    pub swap_star: bool,
}

/// Local search state kept between calls (timestamps, scratch space).
pub(crate) struct LocalSearch {
    pub mover: Mover,
    current: Vec<u32>,
    next: Vec<u32>,
    queued: Vec<bool>,
    last_tested: Vec<u64>,
    pairs: Vec<(u32, u32)>,
    pair_tested: Vec<u64>,
    pair_queued: Vec<u64>,
    pass_stamp: u64,
    n_routes: usize,
    swap_star: SwapStar,
    pub opts: LsOptions,
    /// Stop descending at this moment (time-budgeted runs only).
    pub deadline: Option<std::time::Instant>,
    /// Moves applied since creation (statistics).
    pub applied: u64,
    pub examined: u64,
    pub pairs_examined: u64,
}

impl LocalSearch {
    pub fn new<C: TravelCost>(m: &Model<'_, C>, opts: LsOptions) -> Self {
        let n_routes = m.vehicles.len();
        let pair_len = if opts.swap_star {
            n_routes * n_routes
        } else {
            0
        };
        LocalSearch {
            mover: Mover::default(),
            current: Vec::new(),
            next: Vec::new(),
            queued: vec![false; m.n_jobs],
            last_tested: vec![0; m.n_jobs],
            pairs: Vec::new(),
            pair_tested: vec![0; pair_len],
            pair_queued: vec![0; pair_len],
            pass_stamp: 0,
            n_routes,
            swap_star: SwapStar::default(),
            opts,
            deadline: None,
            applied: 0,
            examined: 0,
            pairs_examined: 0,
        }
    }

    /// Forgets what was examined: the next run examines everything.
    pub fn reset(&mut self) {
        self.last_tested.iter_mut().for_each(|t| *t = 0);
        self.pair_tested.iter_mut().for_each(|t| *t = 0);
    }

    /// Descends to a local optimum of the penalised cost over every job's neighbourhood.
    pub fn run<C: TravelCost>(&mut self, m: &Model<'_, C>, s: &mut Solution, rng: &mut Rng) {
        self.next.clear();
        for j in 0..m.n_jobs as u32 {
            if m.active[j as usize] {
                self.next.push(j);
                self.queued[j as usize] = true;
            }
        }
        self.descend(m, s, rng, true);
    }

    /// Descends from a perturbation: only the `seeds` (and whatever their moves touch) are
    /// examined, the selective vertex caching of FILO.
    pub fn run_local<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        rng: &mut Rng,
        seeds: &[u32],
    ) {
        self.next.clear();
        for &j in seeds {
            if m.is_job(j) && !self.queued[j as usize] {
                self.queued[j as usize] = true;
                self.next.push(j);
            }
        }
        self.descend(m, s, rng, false);
    }

    fn mark(&mut self, m_jobs: usize, j: u32) {
        if (j as usize) < m_jobs && !self.queued[j as usize] {
            self.queued[j as usize] = true;
            self.next.push(j);
        }
    }

    fn descend<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        rng: &mut Rng,
        full: bool,
    ) {
        let mut pass = 0;
        self.mover.junctions.clear();
        // Every applied move improves the cost by more than rounding noise, so descents end;
        // this cap only guards against a mis-evaluated move cycling forever.
        let cap = self.applied + 200 * m.n_jobs as u64 + 10_000;
        while !self.next.is_empty() {
            if self.applied > cap {
                tracing::warn!(moves = self.applied, "local search stopped at its move cap");
                for &j in &self.next {
                    self.queued[j as usize] = false;
                }
                self.next.clear();
                break;
            }
            std::mem::swap(&mut self.current, &mut self.next);
            self.next.clear();
            for &j in &self.current {
                self.queued[j as usize] = false;
            }
            rng.shuffle(&mut self.current);
            self.pass_stamp += 1;
            let mut improved = false;
            for idx in 0..self.current.len() {
                if idx % 64 == 63
                    && self
                        .deadline
                        .is_some_and(|d| std::time::Instant::now() >= d)
                {
                    // Out of time: leave the queues empty; callers repair what is infeasible.
                    for &j in &self.current[idx..] {
                        self.queued[j as usize] = false;
                    }
                    for &j in &self.next {
                        self.queued[j as usize] = false;
                    }
                    self.next.clear();
                    self.mover.junctions.clear();
                    return;
                }
                let u = self.current[idx];
                if s.route_of[u as usize] == NONE {
                    continue;
                }
                self.examined += 1;
                let mut applied = false;
                let last = self.last_tested[u as usize];
                self.last_tested[u as usize] = s.clock;
                for (rank, &v) in m.neighbours_of(u).iter().enumerate() {
                    let rv = s.route_of[v as usize];
                    if rv == NONE {
                        continue;
                    }
                    let ru = s.route_of[u as usize];
                    if s.version[ru as usize] <= last && s.version[rv as usize] <= last {
                        continue;
                    }
                    if self.opts.swap_star && ru != rv && rank < SWAP_STAR_NEIGHBOURS {
                        let key = ru.min(rv) as usize * self.n_routes + ru.max(rv) as usize;
                        if self.pair_queued[key] != self.pass_stamp {
                            self.pair_queued[key] = self.pass_stamp;
                            self.pairs.push((ru.min(rv), ru.max(rv)));
                        }
                    }
                    self.pairs_examined += 1;
                    if self.try_pair(m, s, u, rv, s.pos_of[v as usize]) {
                        applied = true;
                        continue;
                    }
                    // v first after its route's fixed part: also try the position before it.
                    let rv = s.route_of[v as usize];
                    let fixed = s.routes[rv as usize].fixed as u32;
                    if s.pos_of[v as usize] == fixed + 1 && self.try_pair(m, s, u, rv, fixed) {
                        applied = true;
                    }
                }
                if pass > 0 && s.used < s.max_routes && self.try_empty(m, s, u) {
                    applied = true;
                }
                if m.modes_of(u).len() > 1 && self.try_modes(m, s, u) {
                    applied = true;
                }
                if applied {
                    improved = true;
                    self.mark(m.n_jobs, u);
                }
                self.flush_junctions(m);
            }
            if self.opts.swap_star && self.swap_star_pass(m, s) {
                improved = true;
                self.flush_junctions(m);
            }
            pass += 1;
            if full {
                // Full descent (HGS): every job again while anything improves; pairs whose
                // routes did not change since are skipped by the timestamps.
                for &j in &self.next {
                    self.queued[j as usize] = false;
                }
                self.next.clear();
                if improved {
                    for j in 0..m.n_jobs as u32 {
                        if m.active[j as usize] {
                            self.mark(m.n_jobs, j);
                        }
                    }
                }
            }
        }
    }

    fn flush_junctions<C: TravelCost>(&mut self, m: &Model<'_, C>) {
        let junctions = std::mem::take(&mut self.mover.junctions);
        for &j in &junctions {
            self.mark(m.n_jobs, j);
        }
        self.mover.junctions = junctions;
        self.mover.junctions.clear();
    }

    fn apply_if<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        recs: &[Recipe],
    ) -> bool {
        if self.mover.try_apply(m, s, recs) {
            self.applied += 1;
            true
        } else {
            false
        }
    }

    /// Moves into one empty route per vehicle class.
    fn try_empty<C: TravelCost>(&mut self, m: &Model<'_, C>, s: &mut Solution, u: u32) -> bool {
        use Piece::*;
        for c in 0..m.n_classes {
            let Some(&e) = s.empty_of_class[c].first() else {
                continue;
            };
            let ra = s.route_of[u as usize];
            let iu = s.pos_of[u as usize];
            let rta = &s.routes[ra as usize];
            let la = rta.nodes.len() as u32;
            let (va, ve) = (rta.vehicle as usize, s.routes[e as usize].vehicle as usize);
            let (pa, pe) = (m.vehicles[va].profile, m.vehicles[ve].profile);
            let (se, ee) = (m.vehicles[ve].start_node, m.vehicles[ve].end_node);
            let w = m.travel_weight;
            let slack = rta.cost - w * rta.total().travel - m.vehicles[va].fixed_cost - EPS;
            let (pu, xu) = (rta.nodes[iu as usize - 1], rta.nodes[iu as usize + 1]);
            let rem_u = m.tt(pa, pu, xu) - m.tt(pa, pu, u) - m.tt(pa, u, xu);
            let open = m.vehicles[ve].fixed_cost;
            let dt = rem_u + m.tt(pe, se, u) + m.tt(pe, u, ee);
            if rta.jobs() == 1 || w * dt + open < slack || m.balance_weight > 0.0 {
                let a = Recipe::new(ra, &[Head(iu - 1), Tail(ra, iu + 1)]);
                let b = Recipe::new(e, &[Head(0), Node(u), Tail(e, 1)]);
                if self.apply_if(m, s, &[a, b]) {
                    return true;
                }
            }
            if iu + 1 < la - 1 {
                let a = Recipe::new(ra, &[Head(iu - 1), Tail(ra, iu + 2)]);
                let b = Recipe::new(e, &[Head(0), Fwd(ra, iu, iu + 1), Tail(e, 1)]);
                if self.apply_if(m, s, &[a, b]) {
                    return true;
                }
                let a = Recipe::new(ra, &[Head(iu), Tail(e, 1)]);
                let b = Recipe::new(e, &[Head(0), Tail(ra, iu + 1)]);
                if self.apply_if(m, s, &[a, b]) {
                    return true;
                }
            }
        }
        false
    }

    /// Serving `u` in another of its time-window modes, in place.
    fn try_modes<C: TravelCost>(&mut self, m: &Model<'_, C>, s: &mut Solution, u: u32) -> bool {
        let r = s.route_of[u as usize] as usize;
        let i = s.pos_of[u as usize] as usize;
        if i <= s.routes[r].fixed {
            return false;
        }
        let longest = if m.balance_weight > 0.0 {
            self.mover.longest(s)
        } else {
            0.0
        };
        let route = &s.routes[r];
        let v = route.vehicle as usize;
        let p = m.vehicles[v].profile;
        let cur = s.mode[u as usize] as usize;
        let modes = m.modes_of(u);
        let (a, b) = (route.fwd[i - 1], route.bwd[i + 1]);
        let mut best = (0.0, cur);
        for (k, mode) in modes.iter().enumerate() {
            if k == cur {
                continue;
            }
            let seg = m.mode_seg(u, k);
            let whole = a
                .then(&seg, m.tt(p, a.last, u))
                .then(&b, m.tt(p, u, b.first));
            let mut d = m.route_cost(v, &whole, route.extra, s.pen) - route.cost + mode.penalty
                - modes[cur].penalty;
            if m.balance_weight > 0.0 {
                // Conservative: only count the balance change when it grows the longest day.
                d += m.balance_weight * (whole.duration - longest).max(0.0);
            }
            if d < best.0 - (EPS + 1e-10 * route.cost.abs()) {
                best = (d, k);
            }
        }
        if best.1 != cur {
            s.set_mode(m, u, best.1);
            s.refresh(m, r);
            self.applied += 1;
            return true;
        }
        false
    }

    fn swap_star_pass<C: TravelCost>(&mut self, m: &Model<'_, C>, s: &mut Solution) -> bool {
        self.pairs.sort_unstable();
        self.pairs.dedup();
        let pairs = std::mem::take(&mut self.pairs);
        let mut improved = false;
        for &(a, b) in &pairs {
            let (au, bu) = (a as usize, b as usize);
            if s.routes[au].is_empty() || s.routes[bu].is_empty() {
                continue;
            }
            let key = au * self.n_routes + bu;
            let last = self.pair_tested[key];
            if s.version[au] <= last && s.version[bu] <= last {
                continue;
            }
            self.pair_tested[key] = s.clock;
            if self.swap_star.run(m, s, &mut self.mover, au, bu) {
                self.applied += 1;
                improved = true;
            }
        }
        self.pairs = pairs;
        self.pairs.clear();
        improved
    }
}
