//! Where the search threads meet: every worker posts its best at each meeting and continues
//! from the best of all; meetings come after a fixed number of iterations when the run has an
//! iteration budget (reproducible), else at fixed wall-clock intervals.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::Instant;

use super::search::SearchParams;
use super::solution::Snapshot;

pub(crate) struct Shared {
    pub slots: Mutex<Vec<Option<(f64, bool, Snapshot)>>>,
    pub barrier: Barrier,
    pub stop: AtomicBool,
}

/// Whether solution `a` beats `b`: feasible first, then (for the hierarchical objective) fewer
/// routes, then lower cost.
pub(crate) fn better(fleet_first: bool, a: (&Snapshot, bool), b: (&Snapshot, bool)) -> bool {
    if a.1 != b.1 {
        return a.1;
    }
    if fleet_first {
        let (ra, rb) = (a.0.used_routes(), b.0.used_routes());
        if ra != rb {
            return ra < rb;
        }
    }
    a.0.cost < b.0.cost - 1e-9
}

/// When the next meeting is due: after a fixed number of iterations with an iteration budget
/// (reproducible), else at fixed wall-clock intervals, so that workers whose iterations cost
/// very different amounts (fleet phase vs distance phase) do not wait on each other.
pub(crate) struct EpochClock {
    iterations: Option<u64>,
    interval_s: f64,
    start: Instant,
    next_s: f64,
    count: u64,
}

impl EpochClock {
    pub fn new(p: &SearchParams) -> Self {
        let interval_s = (0.01 * p.time_limit_s).max(0.02);
        let now = p.start.elapsed().as_secs_f64();
        EpochClock {
            iterations: p.max_iterations.map(|_| p.epoch),
            interval_s,
            start: p.start,
            next_s: now + interval_s,
            count: 0,
        }
    }

    /// Counts one iteration; true when the meeting is due (then starts the next epoch).
    pub fn tick(&mut self) -> bool {
        self.count += 1;
        let due = match self.iterations {
            Some(n) => self.count >= n,
            None => self.start.elapsed().as_secs_f64() >= self.next_s,
        };
        if due {
            self.count = 0;
            let now = self.start.elapsed().as_secs_f64();
            while self.next_s <= now {
                self.next_s += self.interval_s;
            }
        }
        due
    }
}

/// One meeting: every worker posts its best, learns the best of all (if better than its own)
/// and whether to stop (decided by the first worker, from `stop_now`). Two barriers, the same in
/// every phase, so workers in different phases still pair up.
pub(crate) fn exchange(
    shared: &Shared,
    p: &SearchParams,
    thread: usize,
    mine: (&Snapshot, bool),
    stop_now: bool,
) -> (Option<(Snapshot, bool)>, bool) {
    if stop_now {
        shared.stop.store(true, Ordering::SeqCst);
    }
    if let Ok(mut slots) = shared.slots.lock() {
        slots[thread] = Some((mine.0.cost, mine.1, mine.0.clone()));
    }
    shared.barrier.wait();
    let global = shared.slots.lock().ok().and_then(|slots| {
        let mut pick: Option<(&Snapshot, bool)> = None;
        for (_, f, snap) in slots.iter().flatten() {
            if pick.is_none_or(|(ps, pf)| better(p.fleet_first, (snap, *f), (ps, pf))) {
                pick = Some((snap, *f));
            }
        }
        pick.filter(|(g, f)| better(p.fleet_first, (g, *f), mine))
            .map(|(g, f)| (g.clone(), f))
    });
    let stop = shared.stop.load(Ordering::SeqCst);
    shared.barrier.wait();
    (global, stop)
}
