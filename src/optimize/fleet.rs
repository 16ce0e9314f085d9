//! Fleet minimisation for the hierarchical objective (vehicles first): repeatedly take a route
//! away and try to fit its jobs into the others by ruin-and-recreate, steering by how often each
//! job was left out (the "absence" counts of SISR's fleet minimisation).
//!
//! A candidate replaces the current solution when it leaves fewer jobs out, or leaves out jobs
//! that were left out less often in the past; jobs that keep failing thus get priority, which
//! reshapes the other routes around them. When every job fits, the smaller fleet is recorded
//! and the next route is taken away.

use super::TravelCost;
use super::meeting::EpochClock;
use super::model::Model;
use super::recreate::RecreateParams;
use super::search::Worker;
use super::solution::Snapshot;

pub(crate) struct FleetMinimizer {
    absences: Vec<u64>,
    /// The current attempt's accepted state and the jobs it leaves out.
    cur: Snapshot,
    out: Vec<u32>,
}

impl FleetMinimizer {
    pub fn new<C: TravelCost>(m: &Model<'_, C>) -> Self {
        FleetMinimizer {
            absences: vec![0; m.n_jobs],
            cur: Snapshot::default(),
            out: Vec::new(),
        }
    }

    fn absence_sum(&self, jobs: &[u32]) -> u64 {
        jobs.iter().map(|&j| self.absences[j as usize]).sum()
    }

    /// Takes the route with the fewest jobs away and reinserts what fits; the rest is left
    /// out (tracked in `self.out`).
    fn start_attempt<C: TravelCost>(
        &mut self,
        w: &mut Worker<'_, '_, C>,
        params: RecreateParams,
    ) -> bool {
        let m = w.m;
        let Some(r) = (0..w.s.routes.len())
            .filter(|&r| !w.s.routes[r].is_empty() && w.s.routes[r].fixed == 0)
            .min_by_key(|&r| (w.s.routes[r].jobs(), r))
        else {
            return false;
        };
        let victims: Vec<u32> = w.s.routes[r].nodes[1..w.s.routes[r].nodes.len() - 1].to_vec();
        for &j in &victims {
            w.s.unassign_lazy(m, j);
        }
        w.s.refresh(m, r);
        w.s.max_routes = w.s.used;
        w.recreate.run(m, &mut w.s, &mut w.rng, params);
        self.cur = w.s.snapshot(0.0);
        self.out.clear();
        self.out.extend_from_slice(&w.s.unassigned);
        for &j in &self.out {
            self.absences[j as usize] += 1;
        }
        true
    }

    /// One ruin–recreate step of the current attempt, accepted by the absence rule.
    fn step<C: TravelCost>(&mut self, w: &mut Worker<'_, '_, C>, params: RecreateParams) {
        let m = w.m;
        let clock0 = w.s.clock;
        w.ruin.run(m, &mut w.s, &mut w.rng, w.p.ruin);
        w.recreate.run(m, &mut w.s, &mut w.rng, params);
        let out = &w.s.unassigned;
        let accept =
            out.len() < self.out.len() || self.absence_sum(out) < self.absence_sum(&self.out);
        for &j in out.iter() {
            self.absences[j as usize] += 1;
        }
        if accept {
            for (k, route) in w.s.routes.iter().enumerate() {
                if w.s.version[k] > clock0 {
                    self.cur.routes[k].clear();
                    self.cur.routes[k].extend_from_slice(&route.nodes);
                }
            }
            self.cur.modes.copy_from_slice(&w.s.mode);
            self.out.clear();
            self.out.extend_from_slice(&w.s.unassigned);
        } else {
            let changed: Vec<u32> = (0..w.s.routes.len() as u32)
                .filter(|&k| w.s.version[k as usize] > clock0)
                .collect();
            w.s.restore_routes(m, &self.cur, &changed);
        }
    }

    /// Runs until `meet` says stop; `meet` is called whenever `clock` says a meeting is due, with
    /// this worker's progress and may hand over a smaller fleet found elsewhere. Returns the
    /// smallest feasible fleet found, the worker left on it (or where it started).
    pub fn run<C: TravelCost>(
        &mut self,
        w: &mut Worker<'_, '_, C>,
        clock: &mut EpochClock,
        meet: &mut dyn FnMut(FleetProgress<'_>) -> FleetDecision,
    ) -> Option<Snapshot> {
        let m = w.m;
        tracing::debug!(
            routes = w.s.used,
            feasible = w.s.is_feasible(m),
            "fleet minimisation starts"
        );
        let usable = w.s.is_feasible(m) && w.s.unassigned.is_empty();
        let lower = lower_bound(m);
        let initial = w.s.snapshot(w.s.cost(m));
        let mut found: Option<Snapshot> = None;
        let params = RecreateParams {
            allow_infeasible: false,
            ..w.p.recreate
        };
        let mut iterations: u64 = 0;
        let mut last_success: u64 = 0;
        let mut attempting = usable && w.s.used > lower && self.start_attempt(w, params);
        loop {
            loop {
                if !attempting {
                    break;
                }
                if self.out.is_empty() {
                    // Every job fits: record the smaller fleet and go for the next.
                    let cost = w.s.cost(m);
                    found = Some(w.s.snapshot(cost));
                    last_success = iterations;
                    tracing::debug!(routes = w.s.used, iterations, "fleet reduced");
                    attempting = w.s.used > lower && self.start_attempt(w, params);
                    continue;
                }
                iterations += 1;
                self.step(w, params);
                if clock.tick() {
                    break;
                }
            }
            let decision = meet(FleetProgress {
                found: found.as_ref(),
                iterations,
                last_success,
                done: !attempting,
            });
            if let Some(better) = decision.adopt {
                w.s.restore(m, &better);
                found = Some(better);
                last_success = iterations;
                attempting = w.s.used > lower && self.start_attempt(w, params);
            }
            if decision.stop {
                break;
            }
        }
        // Leave the worker on the best fleet found (or where it started).
        w.s.max_routes = w.s.routes.len();
        w.s.restore(m, found.as_ref().unwrap_or(&initial));
        found
    }
}

/// What a worker reports at a fleet-phase meeting.
pub(crate) struct FleetProgress<'a> {
    /// Its smallest feasible fleet so far.
    pub found: Option<&'a Snapshot>,
    /// Its fleet-phase iterations so far.
    pub iterations: u64,
    /// Iteration of its last reduction.
    pub last_success: u64,
    /// Nothing left to try (lower bound reached or no route to take away).
    pub done: bool,
}

/// What a meeting decides for a worker.
pub(crate) struct FleetDecision {
    /// A smaller fleet found by another worker, to continue from.
    pub adopt: Option<Snapshot>,
    /// End the fleet phase.
    pub stop: bool,
}

/// Vehicles needed by capacity alone (homogeneous fleet bound with the largest capacity).
fn lower_bound<C: TravelCost>(m: &Model<'_, C>) -> usize {
    let cap = m.vehicles.iter().map(|v| v.capacity).fold(0.0, f64::max);
    let demand: f64 = (0..m.n_jobs)
        .filter(|&j| m.active[j])
        .map(|j| m.base_seg[j].load)
        .sum();
    if cap <= 0.0 {
        return 1;
    }
    ((demand / cap) - 1e-9).ceil().max(1.0) as usize
}
