//! Granular neighbour lists: for each job, the `k` jobs nearest by a time-aware proximity
//! (travel plus weighted waiting and time warp, as HGS-TW and PyVRP define it) for the local
//! search, and the nearest by travel alone for the ruin step. O(n²) per profile-less pass, split
//! over threads.

use super::TravelCost;
use super::model::{Model, ModelOptions, NONE};

/// A job, its granular neighbours and its ruin adjacency.
type NeighbourRow = (u32, Vec<u32>, Vec<u32>);

impl<C: TravelCost> Model<'_, C> {
    /// Granular neighbours by a time-aware proximity (travel plus weighted waiting and time
    /// warp, as in HGS-TW and PyVRP), and the ruin adjacency by travel alone.
    pub(crate) fn build_neighbours(&mut self, opts: ModelOptions) {
        let n = self.n_jobs;
        let profile = self.vehicles.first().map_or(0, |v| v.profile);
        let active: Vec<u32> = (0..n as u32).filter(|&j| self.active[j as usize]).collect();
        let k = opts.neighbours.min(active.len().saturating_sub(1));
        let k_ruin = opts.ruin_neighbours.min(active.len().saturating_sub(1));
        self.k = k;
        self.k_ruin = k_ruin;
        self.neighbours = vec![NONE; n * k];
        self.adjacency = vec![NONE; n * k_ruin];
        if k == 0 {
            return;
        }
        let wide = |m: &Self, j: u32| -> (f64, f64) {
            let ms = m.modes_of(j);
            let e = ms.iter().map(|x| x.earliest).fold(f64::INFINITY, f64::min);
            let l = ms
                .iter()
                .map(|x| x.latest)
                .fold(f64::NEG_INFINITY, f64::max);
            (e, l)
        };
        let windows: Vec<(f64, f64)> = (0..n as u32).map(|j| wide(self, j)).collect();
        // Rows are independent: split them over the threads the solve may use.
        let threads = opts.threads.max(1).min(active.len().max(1));
        let chunk = active.len().div_ceil(threads);
        let this: &Self = self;
        let rows: Vec<Vec<NeighbourRow>> = std::thread::scope(|scope| {
            let handles: Vec<_> = active
                .chunks(chunk.max(1))
                .map(|part| {
                    let (active, windows) = (&active, &windows);
                    scope.spawn(move || {
                        part.iter()
                            .map(|&i| this.neighbour_row(i, active, windows, profile, k, k_ruin))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        for (i, near, adj) in rows.into_iter().flatten() {
            let iu = i as usize;
            self.neighbours[iu * k..(iu + 1) * k].copy_from_slice(&near);
            self.adjacency[iu * k_ruin..(iu + 1) * k_ruin].copy_from_slice(&adj);
        }
    }

    /// Job `i`'s `k` nearest by time-aware proximity and `k_ruin` nearest by travel.
    fn neighbour_row(
        &self,
        i: u32,
        active: &[u32],
        windows: &[(f64, f64)],
        profile: usize,
        k: usize,
        k_ruin: usize,
    ) -> NeighbourRow {
        let mut prox: Vec<(f64, u32)> = Vec::with_capacity(active.len());
        let mut dist: Vec<(f64, u32)> = Vec::with_capacity(active.len());
        let (ei, li) = windows[i as usize];
        let si = self.base_seg[i as usize].duration;
        for &j in active {
            if j == i {
                continue;
            }
            let (ej, lj) = windows[j as usize];
            let sj = self.base_seg[j as usize].duration;
            let tij = self.tt(profile, i, j);
            let tji = self.tt(profile, j, i);
            let one = |t: f64, ea: f64, la: f64, sa: f64, eb: f64, lb: f64| {
                if !self.has_time {
                    return t;
                }
                let wait = (eb - t - sa - la).max(0.0);
                let warp = (ea + sa + t - lb).max(0.0);
                t + 0.2 * wait + warp
            };
            let p = one(tij, ei, li, si, ej, lj).min(one(tji, ej, lj, sj, ei, li));
            prox.push((p, j));
            dist.push((tij.min(tji), j));
        }
        let take = |v: &mut Vec<(f64, u32)>, k: usize| -> Vec<u32> {
            if k < v.len() {
                v.select_nth_unstable_by(k, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                v.truncate(k);
            }
            v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            v.iter().map(|&(_, j)| j).collect()
        };
        (i, take(&mut prox, k), take(&mut dist, k_ruin))
    }
}
