//! Granular local search: for every job `u` and each of its nearest neighbours `v`, try
//! relocating one or two jobs next to `v`, swapping one or two with `v`'s, 2-opt within a route,
//! and 2-opt* between routes (both orientations when travel is symmetric and untimed); then
//! SWAP* between neighbouring routes (Vidal 2022). First improvement, in random order.
//!
//! Pairs are re-examined only when one of their routes changed since `u` was last examined
//! (the "when last modified" rule of HGS), so a descent after a small perturbation costs little
//! more than the perturbed region.

use super::TravelCost;
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

fn na_start(s: &Solution, r: u32) -> usize {
    s.routes[r as usize].nodes[0] as usize
}

fn na_end(s: &Solution, r: u32) -> usize {
    let n = &s.routes[r as usize].nodes;
    n[n.len() - 1] as usize
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
        while !self.next.is_empty() {
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

    /// The moves for job `u` and position `jv` of route `rb` (a job, or the start depot or last
    /// locked job standing for "the beginning"); applies the first improving one.
    fn try_pair<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        u: u32,
        rb: u32,
        jv: u32,
    ) -> bool {
        let (ra, iu) = (s.route_of[u as usize], s.pos_of[u as usize]);
        let v = s.routes[rb as usize].nodes[jv as usize];
        let (la, lb) = (
            s.routes[ra as usize].nodes.len() as u32,
            s.routes[rb as usize].nodes.len() as u32,
        );
        let (fa, fb) = (
            s.routes[ra as usize].fixed as u32,
            s.routes[rb as usize].fixed as u32,
        );
        if iu <= fa {
            return false;
        }
        let x_job = iu + 1 < la - 1; // u has a job successor
        let y_job = jv + 1 < lb - 1;
        let v_movable = jv > fb;
        use Piece::*;
        if ra != rb {
            // Travel-only bounds first (HGS style): a move can only pay off if its travel
            // change beats what the two routes pay beyond travel (penalties, area costs).
            let w = m.travel_weight;
            let (rta, rtb) = (&s.routes[ra as usize], &s.routes[rb as usize]);
            let (va, vb) = (rta.vehicle as usize, rtb.vehicle as usize);
            let (pa, pb) = (m.vehicles[va].profile, m.vehicles[vb].profile);
            let slack_a = rta.cost - w * rta.total().travel - m.vehicles[va].fixed_cost;
            let slack_b = rtb.cost - w * rtb.total().travel - m.vehicles[vb].fixed_cost;
            // The longest day can only shrink if one of the two routes is the longest, and at
            // most down to the longest of the others.
            let bal = if m.balance_weight > 0.0 {
                m.balance_weight * (self.mover.longest(s) - self.mover.longest_except(s, ra, rb))
            } else {
                0.0
            };
            let slack = slack_a + slack_b + bal - EPS;
            // New routes also pay for load over capacity; that part is exact from loads.
            let (ca, cb) = (m.vehicles[va].capacity, m.vehicles[vb].capacity);
            let (load_a, load_b) = (rta.total().load, rtb.total().load);
            let pl = s.pen.load;
            let over = |na_: f64, nb_: f64| pl * ((na_ - ca).max(0.0) + (nb_ - cb).max(0.0));
            let (fa_u, fb_v) = (rta.fwd[iu as usize].load, rtb.fwd[jv as usize].load);
            let (na, nb) = (&rta.nodes, &rtb.nodes);
            let (pu, xu) = (na[iu as usize - 1], na[iu as usize + 1]);
            let yv = nb[jv as usize + 1];
            let pv = if jv >= 1 { nb[jv as usize - 1] } else { NONE };
            let (ea, eb) = (m.vehicles[va].end_node, m.vehicles[vb].end_node);
            let (lasta, lastb) = (na[la as usize - 2], nb[lb as usize - 2]);
            let jobs_a = rta.jobs();
            let (lu, lx, lv, ly) = (
                s.seg[u as usize].load,
                s.seg[xu as usize].load,
                s.seg[v as usize].load,
                s.seg[nb[jv as usize + 1] as usize].load,
            );
            let d = |p: usize, x: u32, y: u32| m.tt(p, x, y);
            // Soft-area costs move with the jobs; exact for the node moves.
            let areas = m.has_area_costs();
            let extra0 = rta.extra + rtb.extra;
            let ar = |j: u32, to_b: bool| {
                if areas && m.is_job(j) {
                    let (from, to) = if to_b { (va, vb) } else { (vb, va) };
                    m.area_cost(j, to) - m.area_cost(j, from)
                } else {
                    0.0
                }
            };
            let same_prof = pa == pb;
            let rem_u = d(pa, pu, xu) - d(pa, pu, u) - d(pa, u, xu);
            // Relocate u after v.
            if jv >= fb {
                let dt = rem_u + d(pb, v, u) + d(pb, u, yv) - d(pb, v, yv);
                if jobs_a == 1
                    || w * dt + over(load_a - lu, load_b + lu) + extra0 + ar(u, true) < slack
                {
                    let a = Recipe::new(ra, &[Head(iu - 1), Tail(ra, iu + 1)]);
                    let b = Recipe::new(rb, &[Head(jv), Node(u), Tail(rb, jv + 1)]);
                    if self.apply_if(m, s, &[a, b]) {
                        return true;
                    }
                }
                if x_job {
                    let x = xu;
                    let na = &s.routes[ra as usize].nodes;
                    let xx = na[iu as usize + 2];
                    let inner_a = d(pa, u, x);
                    let base = d(pa, pu, xx) - d(pa, pu, u) - inner_a - d(pa, x, xx) - d(pb, v, yv);
                    let fwd = base + d(pb, v, u) + d(pb, u, x) + d(pb, x, yv);
                    let rev = base + d(pb, v, x) + d(pb, x, u) + d(pb, u, yv);
                    let a = Recipe::new(ra, &[Head(iu - 1), Tail(ra, iu + 2)]);
                    let moved = lu + lx;
                    let pen2 =
                        over(load_a - moved, load_b + moved) + extra0 + ar(u, true) + ar(x, true);
                    if jobs_a == 2 || w * fwd + pen2 < slack {
                        let b = Recipe::new(rb, &[Head(jv), Fwd(ra, iu, iu + 1), Tail(rb, jv + 1)]);
                        if self.apply_if(m, s, &[a, b]) {
                            return true;
                        }
                    }
                    if jobs_a == 2 || w * rev + pen2 < slack {
                        let b = Recipe::new(rb, &[Head(jv), Rev(ra, iu, iu + 1), Tail(rb, jv + 1)]);
                        if self.apply_if(m, s, &[a, b]) {
                            return true;
                        }
                    }
                }
            }
            if v_movable {
                // Swap u and v.
                let rem_v = d(pb, pv, yv) - d(pb, pv, v) - d(pb, v, yv);
                let dt = d(pa, pu, v) + d(pa, v, xu) - d(pa, pu, xu)
                    + rem_u
                    + d(pb, pv, u)
                    + d(pb, u, yv)
                    - d(pb, pv, yv)
                    + rem_v;
                let shift = lv - lu;
                let ex = extra0 + ar(u, true) + ar(v, false);
                if w * dt + over(load_a + shift, load_b - shift) + ex < slack {
                    let a = Recipe::new(ra, &[Head(iu - 1), Node(v), Tail(ra, iu + 1)]);
                    let b = Recipe::new(rb, &[Head(jv - 1), Node(u), Tail(rb, jv + 1)]);
                    if self.apply_if(m, s, &[a, b]) {
                        return true;
                    }
                }
                if x_job {
                    let x = xu;
                    let xx = s.routes[ra as usize].nodes[iu as usize + 2];
                    // Swap (u, x) and v.
                    let dt =
                        d(pa, pu, v) + d(pa, v, xx) - d(pa, pu, u) - d(pa, u, x) - d(pa, x, xx)
                            + d(pb, pv, u)
                            + d(pb, u, x)
                            + d(pb, x, yv)
                            - d(pb, pv, v)
                            - d(pb, v, yv);
                    let shift = lv - lu - lx;
                    let ex = extra0 + ar(u, true) + ar(x, true) + ar(v, false);
                    if w * dt + over(load_a + shift, load_b - shift) + ex < slack {
                        let a = Recipe::new(ra, &[Head(iu - 1), Node(v), Tail(ra, iu + 2)]);
                        let b =
                            Recipe::new(rb, &[Head(jv - 1), Fwd(ra, iu, iu + 1), Tail(rb, jv + 1)]);
                        if self.apply_if(m, s, &[a, b]) {
                            return true;
                        }
                    }
                    if y_job {
                        // Swap (u, x) and (v, y).
                        let y = yv;
                        let yy = s.routes[rb as usize].nodes[jv as usize + 2];
                        let dt = d(pa, pu, v) + d(pa, v, y) + d(pa, y, xx)
                            - d(pa, pu, u)
                            - d(pa, u, x)
                            - d(pa, x, xx)
                            + d(pb, pv, u)
                            + d(pb, u, x)
                            + d(pb, x, yy)
                            - d(pb, pv, v)
                            - d(pb, v, y)
                            - d(pb, y, yy);
                        let shift = lv + ly - lu - lx;
                        let ex = extra0 + ar(u, true) + ar(x, true) + ar(v, false) + ar(y, false);
                        if w * dt + over(load_a + shift, load_b - shift) + ex < slack {
                            let a = Recipe::new(
                                ra,
                                &[Head(iu - 1), Fwd(rb, jv, jv + 1), Tail(ra, iu + 2)],
                            );
                            let b = Recipe::new(
                                rb,
                                &[Head(jv - 1), Fwd(ra, iu, iu + 1), Tail(rb, jv + 2)],
                            );
                            if self.apply_if(m, s, &[a, b]) {
                                return true;
                            }
                        }
                    }
                }
            }
            if jv >= fb {
                // 2-opt*: u continues with v's tail, v with u's.
                // New travel of both routes from the cached prefixes and per-profile tails.
                let (rta, rtb) = (&s.routes[ra as usize], &s.routes[rb as usize]);
                let new_a = rta.fwd[iu as usize].travel
                    + if y_job {
                        d(pa, u, yv)
                            + rtb.open_tail(m, pa, jv as usize + 1).travel
                            + d(pa, lastb, ea)
                    } else {
                        d(pa, u, ea)
                    };
                let new_b = rtb.fwd[jv as usize].travel
                    + if x_job {
                        d(pb, v, xu)
                            + rta.open_tail(m, pb, iu as usize + 1).travel
                            + d(pb, lasta, eb)
                    } else {
                        d(pb, v, eb)
                    };
                let dt = new_a + new_b - rta.total().travel - rtb.total().travel;
                let pen = over(fa_u + load_b - fb_v, fb_v + load_a - fa_u);
                if w * dt + pen < slack {
                    let a = Recipe::new(ra, &[Head(iu), Tail(rb, jv + 1)]);
                    let b = Recipe::new(rb, &[Head(jv), Tail(ra, iu + 1)]);
                    if self.apply_if(m, s, &[a, b]) {
                        return true;
                    }
                }
                // 2-opt* reversed: u then v and the start of v's route backwards.
                if !m.has_time && m.symmetric && same_prof && fb == 0 && jv >= 1 {
                    let one_depot = m.loc[na_start(s, ra)] == m.loc[na_end(s, rb)]
                        && m.loc[na_start(s, rb)] == m.loc[na_end(s, ra)];
                    let dt = d(pa, u, v) + d(pa, xu, yv) - d(pa, u, xu) - d(pa, v, yv);
                    let pen = over(fa_u + fb_v, load_a - fa_u + load_b - fb_v);
                    if !one_depot || w * dt + pen < slack {
                        let a = Recipe::new(ra, &[Head(iu), Rev(rb, 1, jv), Tail(ra, la - 1)]);
                        let b =
                            Recipe::new(rb, &[Head(0), Rev(ra, iu + 1, la - 2), Tail(rb, jv + 1)]);
                        if self.apply_if(m, s, &[a, b]) {
                            return true;
                        }
                    }
                }
            }
            false
        } else {
            self.try_intra(m, s, ra, iu, jv, x_job, y_job, v_movable)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn try_intra<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        r: u32,
        iu: u32,
        jv: u32,
        x_job: bool,
        y_job: bool,
        v_movable: bool,
    ) -> bool {
        use Piece::*;
        let route = &s.routes[r as usize];
        let nodes = &route.nodes;
        let u = nodes[iu as usize];
        let v = nodes[jv as usize];
        let f = route.fixed as u32;
        let veh = &m.vehicles[route.vehicle as usize];
        let p = veh.profile;
        let w = m.travel_weight;
        let bal = if m.balance_weight > 0.0 {
            m.balance_weight * (self.mover.longest(s) - self.mover.longest_except(s, r, r))
        } else {
            0.0
        };
        let load_pen = s.pen.load * (route.total().load - veh.capacity).max(0.0);
        let slack = route.cost - w * route.total().travel - veh.fixed_cost - load_pen - route.extra
            + bal
            - EPS;
        let d = |x: u32, y: u32| m.tt(p, x, y);
        let (pu, xu, yv) = (
            nodes[iu as usize - 1],
            nodes[iu as usize + 1],
            nodes[jv as usize + 1],
        );
        let rem_u = d(pu, xu) - d(pu, u) - d(u, xu);
        // Relocate u after v.
        if jv >= f
            && jv != iu
            && jv + 1 != iu
            && w * (rem_u + d(v, u) + d(u, yv) - d(v, yv)) < slack
        {
            let rec = if jv > iu {
                Recipe::new(
                    r,
                    &[Head(iu - 1), Fwd(r, iu + 1, jv), Node(u), Tail(r, jv + 1)],
                )
            } else {
                Recipe::new(
                    r,
                    &[Head(jv), Node(u), Fwd(r, jv + 1, iu - 1), Tail(r, iu + 1)],
                )
            };
            if self.apply_if(m, s, &[rec]) {
                return true;
            }
        }
        // Relocate (u, x) after v, both orientations.
        if x_job && jv >= f && (jv > iu + 1 || jv + 1 < iu) {
            let x = xu;
            let nodes = &s.routes[r as usize].nodes;
            let xx = nodes[iu as usize + 2];
            let base = d(pu, xx) - d(pu, u) - d(u, x) - d(x, xx) - d(v, yv);
            let fwd = base + d(v, u) + d(u, x) + d(x, yv);
            let rev = base + d(v, x) + d(x, u) + d(u, yv);
            for (reversed, dt) in [(false, fwd), (true, rev)] {
                if w * dt >= slack {
                    continue;
                }
                let pair = if reversed {
                    Rev(r, iu, iu + 1)
                } else {
                    Fwd(r, iu, iu + 1)
                };
                let rec = if jv > iu {
                    Recipe::new(
                        r,
                        &[Head(iu - 1), Fwd(r, iu + 2, jv), pair, Tail(r, jv + 1)],
                    )
                } else {
                    Recipe::new(
                        r,
                        &[Head(jv), pair, Fwd(r, jv + 1, iu - 1), Tail(r, iu + 2)],
                    )
                };
                if self.apply_if(m, s, &[rec]) {
                    return true;
                }
            }
        }
        // Swap u and v.
        if v_movable {
            let (p, q) = (iu.min(jv), iu.max(jv));
            let nodes = &s.routes[r as usize].nodes;
            let (np, nq) = (nodes[p as usize], nodes[q as usize]);
            let promising = q == p + 1 || {
                let pv = nodes[jv as usize - 1];
                let dt = d(pu, v) + d(v, xu) - d(pu, u) - d(u, xu) + d(pv, u) + d(u, yv)
                    - d(pv, v)
                    - d(v, yv);
                w * dt < slack
            };
            let rec = Recipe::new(
                r,
                &[
                    Head(p - 1),
                    Node(nq),
                    Fwd(r, p + 1, q - 1),
                    Node(np),
                    Tail(r, q + 1),
                ],
            );
            if promising && self.apply_if(m, s, &[rec]) {
                return true;
            }
            // Swap (u, x) and v, and (u, x) and (v, y), when they do not overlap.
            if x_job {
                let nodes = &s.routes[r as usize].nodes;
                let x = xu;
                let xx = nodes[iu as usize + 2];
                let pv = nodes[jv as usize - 1];
                let apart = jv > iu + 2 || jv + 1 < iu;
                let dt = d(pu, v) + d(v, xx) - d(pu, u) - d(x, xx) + d(pv, u) + d(x, yv)
                    - d(pv, v)
                    - d(v, yv);
                let rec = if !apart || w * dt >= slack {
                    None
                } else if jv > iu + 1 {
                    Some(Recipe::new(
                        r,
                        &[
                            Head(iu - 1),
                            Node(v),
                            Fwd(r, iu + 2, jv - 1),
                            Fwd(r, iu, iu + 1),
                            Tail(r, jv + 1),
                        ],
                    ))
                } else {
                    Some(Recipe::new(
                        r,
                        &[
                            Head(jv - 1),
                            Fwd(r, iu, iu + 1),
                            Fwd(r, jv + 1, iu - 1),
                            Node(v),
                            Tail(r, iu + 2),
                        ],
                    ))
                };
                if let Some(rec) = rec
                    && self.apply_if(m, s, &[rec])
                {
                    return true;
                }
                if y_job {
                    let nodes = &s.routes[r as usize].nodes;
                    let y = yv;
                    let yy = nodes[jv as usize + 2];
                    let apart = jv > iu + 3 || jv + 3 < iu;
                    let dt = d(pu, v) + d(y, xx) - d(pu, u) - d(x, xx) + d(pv, u) + d(x, yy)
                        - d(pv, v)
                        - d(y, yy);
                    let rec = if !apart || w * dt >= slack {
                        None
                    } else if jv > iu + 2 {
                        Some(Recipe::new(
                            r,
                            &[
                                Head(iu - 1),
                                Fwd(r, jv, jv + 1),
                                Fwd(r, iu + 2, jv - 1),
                                Fwd(r, iu, iu + 1),
                                Tail(r, jv + 2),
                            ],
                        ))
                    } else {
                        Some(Recipe::new(
                            r,
                            &[
                                Head(jv - 1),
                                Fwd(r, iu, iu + 1),
                                Fwd(r, jv + 2, iu - 1),
                                Fwd(r, jv, jv + 1),
                                Tail(r, iu + 2),
                            ],
                        ))
                    };
                    if let Some(rec) = rec
                        && self.apply_if(m, s, &[rec])
                    {
                        return true;
                    }
                }
            }
        }
        // 2-opt: reverse the stretch between u and v.
        if m.symmetric && w * (d(u, v) + d(xu, yv) - d(u, xu) - d(v, yv)) >= slack {
            return false;
        }
        let rec = if iu < jv {
            Some(Recipe::new(
                r,
                &[Head(iu), Rev(r, iu + 1, jv), Tail(r, jv + 1)],
            ))
        } else if jv + 1 < iu && jv >= f {
            Some(Recipe::new(
                r,
                &[Head(jv), Rev(r, jv + 1, iu), Tail(r, iu + 1)],
            ))
        } else {
            None
        };
        if let Some(rec) = rec
            && self.apply_if(m, s, &[rec])
        {
            return true;
        }
        false
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
            if d < best.0 - EPS {
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
