//! Ruin by string removal (SISR, Christiaens & Vanden Berghe 2020): remove a few strings of
//! consecutive jobs from routes that pass near a random seed job, so that the removed jobs are
//! close together and their routes gain slack in the same place.

use super::TravelCost;
use super::model::{Model, NONE};
use super::rng::Rng;
use super::solution::Solution;

/// Parameters of the string removal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuinParams {
    /// Average number of removed jobs (c̄).
    pub avg_removed: f64,
    /// Maximum string length (L_max).
    pub max_string: f64,
    /// Probability of the split-string variant.
    pub split_rate: f64,
    /// Split depth (β): probability of stopping the growth of the preserved substring.
    pub split_depth: f64,
}

impl Default for RuinParams {
    fn default() -> Self {
        RuinParams {
            avg_removed: 10.0,
            max_string: 10.0,
            split_rate: 0.5,
            split_depth: 0.01,
        }
    }
}

/// Scratch state for the ruin step.
#[derive(Default)]
pub(crate) struct Ruin {
    pub removed: Vec<u32>,
    /// Jobs next to where strings were cut out (their arcs changed).
    pub boundary: Vec<u32>,
    ruined: Vec<u64>,
    stamp: u64,
    touched: Vec<u32>,
}

impl Ruin {
    /// Removes strings around a random seed; the removed jobs end up unassigned and in
    /// `self.removed`. Returns the routes touched.
    pub fn run<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        rng: &mut Rng,
        p: RuinParams,
    ) -> &[u32] {
        self.removed.clear();
        self.boundary.clear();
        self.touched.clear();
        if self.ruined.len() != s.routes.len() {
            self.ruined = vec![0; s.routes.len()];
        }
        self.stamp += 1;
        let movable = |s: &Solution, j: u32| {
            let r = s.route_of[j as usize];
            r != NONE && s.pos_of[j as usize] as usize > s.routes[r as usize].fixed
        };
        let assigned = m.n_jobs - s.unassigned.len();
        if assigned == 0 || s.used == 0 {
            return &self.touched;
        }
        let mut seed = NONE;
        for _ in 0..64 {
            let j = rng.below(m.n_jobs) as u32;
            if movable(s, j) {
                seed = j;
                break;
            }
        }
        if seed == NONE {
            return &self.touched;
        }
        let avg_card = assigned as f64 / s.used as f64;
        let ls_max = p.max_string.min(avg_card).max(1.0);
        let ks_max = (4.0 * p.avg_removed / (1.0 + ls_max) - 1.0).max(1.0);
        let ks = (1.0 + rng.unit() * ks_max).floor() as usize;
        let adjacency = m.adjacency_of(seed);
        let mut strings = 0;
        for c in std::iter::once(seed).chain(adjacency.iter().copied()) {
            if strings >= ks {
                break;
            }
            if !movable(s, c) {
                continue;
            }
            let r = s.route_of[c as usize] as usize;
            if self.ruined[r] == self.stamp {
                continue;
            }
            self.ruined[r] = self.stamp;
            self.touched.push(r as u32);
            strings += 1;
            let route = &s.routes[r];
            let first = route.fixed + 1;
            let card = route.nodes.len() - 1 - first; // movable jobs
            let lmax = ls_max.min(card as f64);
            let l = ((1.0 + rng.unit() * lmax).floor() as usize).clamp(1, card);
            let pc = s.pos_of[c as usize] as usize;
            let (start, len, keep_from, keep_len) = if rng.unit() < p.split_rate && l < card {
                let mut keep = 1;
                while l + keep < card && rng.unit() > p.split_depth {
                    keep += 1;
                }
                let total = l + keep;
                let start = window_start(rng, pc, total, first, card);
                let keep_from = start + rng.below(total - keep + 1);
                (start, total, keep_from, keep)
            } else {
                (window_start(rng, pc, l, first, card), l, 0, 0)
            };
            let doomed: Vec<u32> = (start..start + len)
                .filter(|&i| !(keep_len > 0 && i >= keep_from && i < keep_from + keep_len))
                .map(|i| s.routes[r].nodes[i])
                .collect();
            let nodes = &s.routes[r].nodes;
            for &k in &[start - 1, start + len] {
                if m.is_job(nodes[k]) {
                    self.boundary.push(nodes[k]);
                }
            }
            if keep_len > 0 {
                for &k in &[keep_from, keep_from + keep_len - 1] {
                    self.boundary.push(nodes[k]);
                }
            }
            for j in doomed {
                s.unassign_lazy(m, j);
                self.removed.push(j);
            }
            s.refresh(m, r);
        }
        &self.touched
    }
}

/// A random start of a window of `len` positions within `first..first + card` containing `pc`.
fn window_start(rng: &mut Rng, pc: usize, len: usize, first: usize, card: usize) -> usize {
    let lo = pc.saturating_sub(len - 1).max(first);
    let hi = pc.min(first + card - len);
    if hi <= lo {
        lo
    } else {
        rng.range_inclusive(lo, hi)
    }
}
