//! The metaheuristic: iterated local search with SISR ruin-and-recreate perturbations, granular
//! local search, simulated-annealing acceptance, adaptive infeasibility penalties, and (for the
//! hierarchical objective) a fleet-minimisation phase first.
//!
//! Several workers (one per thread) search independently with different seeds and meet every
//! epoch (a fixed number of iterations) to share the best solution. Everything a worker does
//! depends only on its seed and the shared bests, so with an iteration budget the result is
//! the same on every run; with a time budget only the number of epochs varies.

use std::sync::atomic::AtomicBool;
use std::sync::{Barrier, Mutex};
use std::time::Instant;

use super::TravelCost;
use super::fleet::{FleetDecision, FleetMinimizer, FleetProgress};
use super::local_search::{LocalSearch, LsOptions};
use super::meeting::{EpochClock, Shared, better, exchange};
use super::model::{Model, NONE, Penalty};
use super::recreate::{Recreate, RecreateParams};
use super::rng::Rng;
use super::ruin::{Ruin, RuinParams};
use super::solution::{Snapshot, Solution};

/// How long and how the search runs.
#[derive(Clone, Debug)]
pub(crate) struct SearchParams {
    pub start: Instant,
    /// Wall-clock budget, seconds.
    pub time_limit_s: f64,
    /// Iteration budget per worker (overrides the time budget's role in progress when set).
    pub max_iterations: Option<u64>,
    pub seed: u64,
    pub threads: usize,
    /// Minimise the number of vehicles first (hierarchical objective).
    pub fleet_first: bool,
    pub ruin: RuinParams,
    pub recreate: RecreateParams,
    pub swap_star: bool,
    /// Iterations per epoch (sharing point).
    pub epoch: u64,
    /// Initial and final temperature, as fractions of the mean arc cost.
    pub t_start: f64,
    pub t_end: f64,
    /// Start from these routes instead of constructing.
    pub initial: Option<Snapshot>,
}

/// What the search found.
pub(crate) struct SearchResult {
    pub best: Snapshot,
    pub iterations: u64,
}

/// Runs the search on `threads` workers and returns the best solution.
pub(crate) fn search<C: TravelCost>(m: &Model<'_, C>, params: &SearchParams) -> SearchResult {
    let threads = params.threads.max(1);
    let shared = Shared {
        slots: Mutex::new(vec![None; threads]),
        barrier: Barrier::new(threads),
        stop: AtomicBool::new(false),
    };
    let results: Vec<(Snapshot, bool, u64)> = if threads == 1 {
        vec![Worker::new(m, params, 0).run(&shared, 0)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let shared = &shared;
                    scope.spawn(move || Worker::new(m, params, t).run(shared, t))
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        })
    };
    let mut best: Option<(Snapshot, bool, u64)> = None;
    let mut iterations = 0;
    for r in results {
        iterations += r.2;
        let better = match &best {
            None => true,
            Some(b) => better(params.fleet_first, (&r.0, r.1), (&b.0, b.1)),
        };
        if better {
            best = Some(r);
        }
    }
    match best {
        Some((snap, _, _)) => SearchResult {
            best: snap,
            iterations,
        },
        None => SearchResult {
            best: Snapshot::default(),
            iterations,
        },
    }
}

/// Adaptive penalty weights: raised when too few local optima are feasible, lowered otherwise.
struct PenaltyManager {
    pen: Penalty,
    load_ok: u32,
    warp_ok: u32,
    seen: u32,
    min: Penalty,
}

impl PenaltyManager {
    const TARGET: f64 = 0.55;
    const WINDOW: u32 = 50;

    fn register(&mut self, load_ok: bool, warp_ok: bool) -> bool {
        self.seen += 1;
        self.load_ok += load_ok as u32;
        self.warp_ok += warp_ok as u32;
        if self.seen < Self::WINDOW {
            return false;
        }
        let adjust = |w: f64, ok: u32, min: f64| {
            let frac = ok as f64 / Self::WINDOW as f64;
            let w = if frac < Self::TARGET - 0.05 {
                w * 1.3
            } else if frac > Self::TARGET + 0.05 {
                w * 0.85
            } else {
                w
            };
            // Capped: beyond this, penalised costs lose the precision that tells moves apart.
            w.clamp(min, min * 1e4)
        };
        self.pen.load = adjust(self.pen.load, self.load_ok, self.min.load);
        self.pen.warp = adjust(self.pen.warp, self.warp_ok, self.min.warp);
        self.seen = 0;
        self.load_ok = 0;
        self.warp_ok = 0;
        true
    }
}

pub(crate) struct Worker<'m, 'c, C: TravelCost> {
    pub m: &'m Model<'c, C>,
    pub p: &'m SearchParams,
    pub s: Solution,
    pub ls: LocalSearch,
    pub ruin: Ruin,
    pub recreate: Recreate,
    pub rng: Rng,
    cur: Snapshot,
    cur_cost: f64,
    best: Snapshot,
    best_feasible: bool,
    penalties: PenaltyManager,
    pub iterations: u64,
    accepted: u64,
    /// Insert jobs with no feasible position at their least-penalised one and let the local
    /// search repair (when every job fits, i.e. the squads are not saturated).
    squeeze: bool,
    main_start_s: f64,
    repairs: u64,
    incomplete: u64,
    arc_scale: f64,
    seeds: Vec<u32>,
}

impl<'m, 'c, C: TravelCost> Worker<'m, 'c, C> {
    fn new(m: &'m Model<'c, C>, p: &'m SearchParams, thread: usize) -> Self {
        // Infeasibility must cost more than what it could buy: travel, and the longest day.
        let time_weight = (m.travel_weight + 2.0 * m.balance_weight).max(1e-9);
        let load = (m.max_travel / m.max_demand.max(1e-9)).clamp(0.1, 1000.0) * time_weight;
        let warp = time_weight;
        let pen = Penalty { load, warp };
        let s = Solution::new(m, pen);
        Worker {
            m,
            p,
            ls: LocalSearch::new(
                m,
                LsOptions {
                    swap_star: p.swap_star,
                },
            ),
            s,
            ruin: Ruin::default(),
            recreate: Recreate::default(),
            rng: Rng::new(
                p.seed
                    .wrapping_mul(0x9E37_79B9)
                    .wrapping_add(thread as u64 * 7919 + 1),
            ),
            cur: Snapshot::default(),
            cur_cost: f64::INFINITY,
            best: Snapshot::default(),
            best_feasible: false,
            penalties: PenaltyManager {
                pen,
                load_ok: 0,
                warp_ok: 0,
                seen: 0,
                min: Penalty {
                    load: load * 0.01,
                    warp: warp * 0.01,
                },
            },
            iterations: 0,
            accepted: 0,
            squeeze: false,
            main_start_s: 0.0,
            repairs: 0,
            incomplete: 0,
            arc_scale: 1.0,
            seeds: Vec::new(),
        }
    }

    /// Progress in `[0, 1]`: by iterations when an iteration budget is set, else by time.
    fn progress(&self) -> f64 {
        match self.p.max_iterations {
            Some(n) => (self.iterations as f64 / n.max(1) as f64).min(1.0),
            None => (self.p.start.elapsed().as_secs_f64() / self.p.time_limit_s.max(1e-6)).min(1.0),
        }
    }

    fn out_of_budget(&self) -> bool {
        match self.p.max_iterations {
            Some(n) => self.iterations >= n,
            None => {
                // Leave room for the iteration under way elsewhere and for writing the plan.
                let now = self.p.start.elapsed().as_secs_f64();
                let per_iteration = if self.iterations > 0 {
                    (now - self.main_start_s) / self.iterations as f64
                } else {
                    0.0
                };
                let reserve = (2.0 * per_iteration)
                    .max(0.01 * self.p.time_limit_s + 0.005)
                    .min(0.05 * self.p.time_limit_s);
                now + reserve >= self.p.time_limit_s
            }
        }
    }

    /// Objective value without infeasibility penalties (valid for feasible solutions).
    fn objective(&self) -> f64 {
        self.s.cost(self.m)
    }

    /// Builds the first solution: the given one, repaired, or greedy insertion; then descends.
    pub fn construct(&mut self) {
        if self.p.max_iterations.is_none() {
            let limit = std::time::Duration::from_secs_f64(self.p.time_limit_s.max(0.0) * 0.97);
            self.ls.deadline = Some(self.p.start + limit);
        }
        if let Some(init) = &self.p.initial {
            self.s.restore(self.m, init);
            self.s.prune_infeasible(self.m);
        }
        let params = RecreateParams {
            blink: 0.0,
            allow_infeasible: self.p.recreate.allow_infeasible,
            ..self.p.recreate
        };
        let t0 = self.p.start.elapsed().as_secs_f64();
        self.recreate
            .run(self.m, &mut self.s, &mut self.rng, params);
        let t1 = self.p.start.elapsed().as_secs_f64();
        let moves0 = self.ls.applied;
        self.ls.run(self.m, &mut self.s, &mut self.rng);
        let t2 = self.p.start.elapsed().as_secs_f64();
        self.repair();
        tracing::debug!(
            model_ready_s = t0,
            insertion_s = t1 - t0,
            descent_s = t2 - t1,
            descent_moves = self.ls.applied - moves0,
            repair_s = self.p.start.elapsed().as_secs_f64() - t2,
            "constructed"
        );
        if !self.s.is_feasible(self.m) {
            // Never start from (or report) an infeasible plan: drop what does not fit, refill.
            self.s.prune_infeasible(self.m);
            let strict = RecreateParams {
                allow_infeasible: false,
                ..params
            };
            self.recreate
                .run(self.m, &mut self.s, &mut self.rng, strict);
        }
        self.accept_current();
        self.best = self.cur.clone();
        self.best_feasible = self.s.is_feasible(self.m);
        let arcs = (self.m.n_jobs - self.s.unassigned.len() + self.s.used).max(1);
        let travel: f64 = self.s.routes.iter().map(|r| r.total().travel).sum();
        self.arc_scale = (self.m.travel_weight * travel / arcs as f64).max(1e-9);
    }

    /// If infeasible, descends again with much larger penalties.
    fn repair(&mut self) {
        if self.s.is_feasible(self.m) {
            return;
        }
        let pen = self.s.pen;
        let boosted = Penalty {
            load: pen.load * 100.0,
            warp: pen.warp * 100.0,
        };
        self.s.set_penalty(self.m, boosted);
        // Only the infeasible routes' jobs need another look.
        self.seeds.clear();
        for route in &self.s.routes {
            let t = route.total();
            let cap = self.m.vehicles[route.vehicle as usize].capacity;
            if !route.is_empty() && (t.warp > 1e-6 || t.load > cap + 1e-9) {
                self.seeds
                    .extend_from_slice(&route.nodes[1..route.nodes.len() - 1]);
            }
        }
        self.ls
            .run_local(self.m, &mut self.s, &mut self.rng, &self.seeds);
        self.s.set_penalty(self.m, pen);
    }

    fn accept_current(&mut self) {
        let cost = self.objective();
        self.cur = self.s.snapshot(cost);
        self.cur_cost = cost;
    }

    /// One ruin–recreate–descend step with annealing acceptance.
    pub fn iterate(&mut self, temperature: f64) {
        let clock0 = self.s.clock;
        self.ruin
            .run(self.m, &mut self.s, &mut self.rng, self.p.ruin);
        let params = RecreateParams {
            allow_infeasible: self.squeeze,
            ..self.p.recreate
        };
        self.recreate.run_after_ruin(
            self.m,
            &mut self.s,
            &mut self.rng,
            params,
            &self.ruin.removed,
            10,
        );
        self.seeds.clear();
        self.seeds.extend_from_slice(&self.ruin.boundary);
        for &j in &self.recreate.inserted {
            self.seeds.push(j);
            let r = self.s.route_of[j as usize];
            if r != NONE {
                let nodes = &self.s.routes[r as usize].nodes;
                let p = self.s.pos_of[j as usize] as usize;
                self.seeds.push(nodes[p - 1]);
                self.seeds.push(nodes[p + 1]);
            }
        }
        self.ls
            .run_local(self.m, &mut self.s, &mut self.rng, &self.seeds);
        let load_ok = self.s.routes.iter().all(|r| {
            r.is_empty() || r.total().load <= self.m.vehicles[r.vehicle as usize].capacity + 1e-9
        });
        let warp_ok = self
            .s
            .routes
            .iter()
            .all(|r| r.is_empty() || r.total().warp <= 1e-6);
        if !(load_ok && warp_ok) {
            self.repairs += 1;
        }
        if self.penalties.register(load_ok, warp_ok) {
            self.s.set_penalty(self.m, self.penalties.pen);
        }
        if !(load_ok && warp_ok) {
            self.repair();
        }
        self.iterations += 1;
        if !self.s.unassigned.is_empty() {
            self.incomplete += 1;
        }
        let feasible = self.s.is_feasible(self.m);
        let cost = self.objective();
        let threshold = self.cur_cost - temperature * self.rng.unit().max(1e-300).ln();
        if feasible && cost < threshold {
            self.accepted += 1;
            // Keep the accepted solution's copy in step with the routes that changed.
            for (r, route) in self.s.routes.iter().enumerate() {
                if self.s.version[r] > clock0 {
                    self.cur.routes[r].clear();
                    self.cur.routes[r].extend_from_slice(&route.nodes);
                }
            }
            self.cur.modes.copy_from_slice(&self.s.mode);
            self.cur.cost = cost;
            self.cur_cost = cost;
            if better(
                self.p.fleet_first,
                (&self.cur, true),
                (&self.best, self.best_feasible),
            ) {
                self.best = self.cur.clone();
                self.best_feasible = true;
            }
        } else {
            let changed: Vec<u32> = (0..self.s.routes.len() as u32)
                .filter(|&r| self.s.version[r as usize] > clock0)
                .collect();
            self.s.restore_routes(self.m, &self.cur, &changed);
        }
    }

    fn temperature(&self) -> f64 {
        let t = self.progress();
        let (t0, t1) = (
            self.p.t_start * self.arc_scale,
            self.p.t_end * self.arc_scale,
        );
        t0 * (t1 / t0).powf(t)
    }

    /// Adopts `snap` as current and best.
    fn adopt(&mut self, snap: &Snapshot, feasible: bool) {
        self.s.restore(self.m, snap);
        self.cur = snap.clone();
        self.cur_cost = snap.cost;
        self.best = snap.clone();
        self.best_feasible = feasible;
    }

    /// Shares bests with the other workers; returns whether to stop.
    fn sync(&mut self, shared: &Shared, thread: usize) -> bool {
        let stop_now = thread == 0 && self.out_of_budget();
        let mine = (&self.best, self.best_feasible);
        let (global, stop) = exchange(shared, self.p, thread, mine, stop_now);
        if let Some((snap, f)) = global
            && !stop
        {
            self.adopt(&snap, f);
            if self.p.fleet_first {
                self.s.max_routes = self.s.used.max(1);
            }
        }
        stop
    }

    /// The fleet phase: every worker tries to take routes away; they meet every epoch, so a
    /// smaller fleet found by anyone is continued from by everyone.
    fn minimise_fleet(&mut self, shared: &Shared, thread: usize, clock: &mut EpochClock) -> bool {
        let p = self.p;
        let threads = p.threads.max(1);
        let begin_s = p.start.elapsed().as_secs_f64();
        let initial = self.s.snapshot(self.s.cost(self.m));
        let initial_routes = self.s.used;
        // Stop when nobody made the fleet smaller for a quarter of the budget (or for as long as
        // the last reduction took), and after half of the budget at the latest. (Tried: one
        // worker on the fleet and the others on distance; fewer best-known fleets, no better
        // distances.)
        let (window, cap) = (0.25, 0.5);
        let mut my_routes = initial_routes;
        let mut my_at_s = begin_s;
        let mut global_stop = false;
        let mut meet = |progress: FleetProgress<'_>| -> FleetDecision {
            let routes = progress.found.map_or(initial_routes, |f| f.used_routes());
            if routes < my_routes {
                my_routes = routes;
                my_at_s = p.start.elapsed().as_secs_f64();
            }
            let local_end = progress.done
                || match p.max_iterations {
                    Some(n) => {
                        let (its, at) = (progress.iterations, progress.last_success);
                        its >= n / 2 || its - at > (n / 8).max(at)
                    }
                    None => {
                        let now = p.start.elapsed().as_secs_f64();
                        now >= p.time_limit_s * cap
                            || now - my_at_s > (window * p.time_limit_s).max(my_at_s - begin_s)
                    }
                };
            if threads == 1 {
                return FleetDecision {
                    adopt: None,
                    stop: local_end,
                };
            }
            let stop_now = thread == 0
                && p.max_iterations.is_none()
                && p.start.elapsed().as_secs_f64() >= p.time_limit_s * 0.99;
            let mine = (progress.found.unwrap_or(&initial), true);
            let (global, stop) = exchange(shared, p, thread, mine, stop_now);
            global_stop = stop;
            let adopt = global
                .filter(|(g, _)| g.used_routes() < my_routes)
                .map(|(g, _)| g);
            if let Some(a) = &adopt {
                my_routes = a.used_routes();
                my_at_s = p.start.elapsed().as_secs_f64();
            }
            FleetDecision {
                adopt,
                stop: stop || local_end,
            }
        };
        let mut fleet = FleetMinimizer::new(self.m);
        let found = fleet.run(self, clock, &mut meet);
        if let Some(snap) = found {
            self.adopt(&snap, true);
        }
        self.s.max_routes = self.s.used.max(1);
        self.ls.reset();
        global_stop
    }

    fn run(mut self, shared: &Shared, thread: usize) -> (Snapshot, bool, u64) {
        self.construct();
        let mut clock = EpochClock::new(self.p);
        if self.p.fleet_first && self.minimise_fleet(shared, thread, &mut clock) {
            return (self.best, self.best_feasible, self.iterations);
        }
        self.main_start_s = self.p.start.elapsed().as_secs_f64();
        self.squeeze = self.s.unassigned.is_empty();
        tracing::debug!(
            thread,
            cost = self.cur_cost,
            at_s = self.main_start_s,
            "search starts"
        );
        loop {
            loop {
                if self.p.max_iterations.is_some_and(|n| self.iterations >= n) {
                    break;
                }
                let t = self.temperature();
                self.iterate(t);
                // With a time budget, stop mid-epoch rather than overrun; the others notice at
                // their next iteration and meet at the barrier.
                if self.p.max_iterations.is_none() && self.out_of_budget() {
                    break;
                }
                if clock.tick() {
                    break;
                }
            }
            if self.p.threads > 1 {
                if self.sync(shared, thread) {
                    break;
                }
            } else if self.out_of_budget() {
                break;
            }
        }
        tracing::debug!(
            thread,
            iterations = self.iterations,
            accepted = self.accepted,
            repairs = self.repairs,
            incomplete = self.incomplete,
            moves = self.ls.applied,
            examined = self.ls.examined,
            pairs = self.ls.pairs_examined,
            best = self.best.cost,
            routes = self.best.used_routes(),
            seconds = self.p.start.elapsed().as_secs_f64(),
            "search done"
        );
        (self.best, self.best_feasible, self.iterations)
    }
}
