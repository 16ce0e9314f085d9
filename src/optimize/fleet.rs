//! Fleet minimisation for the hierarchical objective (vehicles first): repeatedly take a route
//! away and try to fit its jobs into the others by ruin-and-recreate, steering by how often each
//! job was left out (the "absence" counts of SISR's fleet minimisation).
//!
//! A candidate replaces the current solution when it leaves fewer jobs out, or leaves out jobs
//! that were left out less often in the past; jobs that keep failing thus get priority, which
//! reshapes the other routes around them. When every job fits, the smaller fleet is recorded
//! and the next route is taken away.

use std::time::Instant;

use super::TravelCost;
use super::model::Model;
use super::recreate::RecreateParams;
use super::search::Worker;
use super::solution::Snapshot;

pub(crate) struct FleetMinimizer {
    absences: Vec<u64>,
}

impl FleetMinimizer {
    pub fn new<C: TravelCost>(m: &Model<'_, C>) -> Self {
        FleetMinimizer {
            absences: vec![0; m.n_jobs],
        }
    }

    fn absence_sum(&self, jobs: &[u32]) -> u64 {
        jobs.iter().map(|&j| self.absences[j as usize]).sum()
    }

    /// Runs for at most `budget_s` seconds (counted from the search start); returns a feasible
    /// solution with fewer routes than the worker's current one, if found.
    pub fn run<C: TravelCost>(
        &mut self,
        w: &mut Worker<'_, '_, C>,
        budget_s: f64,
    ) -> Option<Snapshot> {
        let m = w.m;
        let start: Instant = w.p.start;
        let begin_s = start.elapsed().as_secs_f64();
        // Give up when stuck: no smaller fleet for a while (at least 15 % of the whole budget,
        // or as long as the last reduction took), and never beyond `budget_s`.
        let window_s = 0.15 * w.p.time_limit_s;
        let mut last_success_s = begin_s;
        let mut last_success_it: u64 = 0;
        let budget_it = w.p.max_iterations.map(|n| n / 2);
        let out_of_time = |it: u64, last_s: f64, last_it: u64| match budget_it {
            Some(n) => it >= n || it - last_it > (n / 4).max(2 * last_it),
            None => {
                let now = start.elapsed().as_secs_f64();
                now >= budget_s || now - last_s > window_s.max(last_s - begin_s)
            }
        };
        tracing::debug!(
            routes = w.s.used,
            feasible = w.s.is_feasible(m),
            "fleet minimisation starts"
        );
        if !w.s.is_feasible(m) || !w.s.unassigned.is_empty() {
            return None;
        }
        let lower = lower_bound(m);
        let initial = w.s.snapshot(w.s.cost(m));
        let mut found: Option<Snapshot> = None;
        let params = RecreateParams {
            allow_infeasible: false,
            ..w.p.recreate
        };
        let mut iterations: u64 = 0;
        'outer: while w.s.used > lower {
            if out_of_time(iterations, last_success_s, last_success_it) {
                break;
            }
            // Take away the route with the fewest jobs.
            let Some(r) = (0..w.s.routes.len())
                .filter(|&r| !w.s.routes[r].is_empty() && w.s.routes[r].fixed == 0)
                .min_by_key(|&r| (w.s.routes[r].jobs(), r))
            else {
                break;
            };
            let victims: Vec<u32> = w.s.routes[r].nodes[1..w.s.routes[r].nodes.len() - 1].to_vec();
            for &j in &victims {
                w.s.unassign_lazy(m, j);
            }
            w.s.refresh(m, r);
            w.s.max_routes = w.s.used;
            w.recreate.run(m, &mut w.s, &mut w.rng, params);
            let mut cur = w.s.snapshot(0.0);
            let mut cur_out: Vec<u32> = w.s.unassigned.clone();
            for &j in &cur_out {
                self.absences[j as usize] += 1;
            }
            while !cur_out.is_empty() {
                iterations += 1;
                if out_of_time(iterations, last_success_s, last_success_it) {
                    break 'outer;
                }
                let clock0 = w.s.clock;
                w.ruin.run(m, &mut w.s, &mut w.rng, w.p.ruin);
                w.recreate.run(m, &mut w.s, &mut w.rng, params);
                let out = &w.s.unassigned;
                let accept =
                    out.len() < cur_out.len() || self.absence_sum(out) < self.absence_sum(&cur_out);
                for &j in out.iter() {
                    self.absences[j as usize] += 1;
                }
                if accept {
                    for (k, route) in w.s.routes.iter().enumerate() {
                        if w.s.version[k] > clock0 {
                            cur.routes[k].clear();
                            cur.routes[k].extend_from_slice(&route.nodes);
                        }
                    }
                    cur.modes.copy_from_slice(&w.s.mode);
                    cur_out.clear();
                    cur_out.extend_from_slice(&w.s.unassigned);
                } else {
                    let changed: Vec<u32> = (0..w.s.routes.len() as u32)
                        .filter(|&k| w.s.version[k as usize] > clock0)
                        .collect();
                    w.s.restore_routes(m, &cur, &changed);
                }
            }
            // Every job fits: record.
            if w.s.is_feasible(m) && w.s.unassigned.is_empty() {
                let cost = w.s.cost(m);
                found = Some(w.s.snapshot(cost));
                last_success_s = start.elapsed().as_secs_f64();
                last_success_it = iterations;
                tracing::debug!(
                    routes = w.s.used,
                    iterations,
                    at_s = last_success_s,
                    "fleet reduced"
                );
            } else {
                break;
            }
        }
        // Leave the worker on the best fleet found (or where it started).
        w.s.max_routes = w.s.routes.len();
        w.s.restore(m, found.as_ref().unwrap_or(&initial));
        found
    }
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
