//! Travel between a plan's locations (squads' bases and stops), priced on the engine's road
//! graph of each travel mode the squads use: one duration and one distance matrix per mode,
//! door to door, computed in row blocks within the road network's matrix limits. A point that
//! no road of a mode reaches is unreachable in that mode's matrices (and said so per point).

use geo::Point;

use crate::optimize::{DenseMatrices, ProfileMatrices, TravelCost};
use crate::road::{Located, RoadError, RoadNetwork, TravelMode};

use super::DispatchError;

/// The optimizer's view of travel, with what could not be located.
pub(crate) struct Travel {
    matrices: DenseMatrices<f32>,
    /// `located[profile][location]`: whether the point meets a road of that mode.
    pub located: Vec<Vec<bool>>,
}

impl Travel {
    /// Matrices over `points` for each of `modes` (profile `k` is `modes[k]`).
    pub fn build(
        roads: &RoadNetwork,
        points: &[Point<f64>],
        modes: Vec<TravelMode>,
    ) -> Result<Travel, DispatchError> {
        let n = points.len();
        let mut profiles = Vec::with_capacity(modes.len());
        let mut located_all = Vec::with_capacity(modes.len());
        for &mode in &modes {
            let mut dur = vec![f32::INFINITY; n * n];
            let mut dist = vec![f32::INFINITY; n * n];
            for i in 0..n {
                dur[i * n + i] = 0.0;
                dist[i * n + i] = 0.0;
            }
            let mut located: Vec<Located> = Vec::with_capacity(n);
            let mut index: Vec<usize> = Vec::with_capacity(n);
            let mut ok = vec![false; n];
            for (i, &p) in points.iter().enumerate() {
                match roads.locate(mode, p) {
                    Ok(l) => {
                        located.push(l);
                        index.push(i);
                        ok[i] = true;
                    }
                    // Not an error of the whole plan: the stop is explained as unserved.
                    Err(
                        RoadError::NoRoadNearby { .. }
                        | RoadError::OutsideExtract { .. }
                        | RoadError::InvalidCoordinate { .. },
                    ) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let m = located.len();
            if m > 0 {
                roads.check_matrix_size(1, m)?;
                let cells = roads.config().max_matrix_cells.max(1);
                let rows = (cells / m).max(1);
                for (block, chunk) in located.chunks(rows).enumerate() {
                    let tm = roads.matrix_located(chunk, &located)?;
                    for r in 0..chunk.len() {
                        let i = index[block * rows + r];
                        for (c, &j) in index.iter().enumerate() {
                            if i == j {
                                continue;
                            }
                            if let Some(cost) = tm.get(r, c) {
                                dur[i * n + j] = cost.duration_s() as f32;
                                dist[i * n + j] = cost.distance_m() as f32;
                            }
                        }
                    }
                }
            }
            profiles.push(ProfileMatrices {
                duration_s: dur,
                distance_m: Some(dist),
            });
            located_all.push(ok);
        }
        let matrices = DenseMatrices::try_new(n, profiles).map_err(DispatchError::from)?;
        Ok(Travel {
            matrices,
            located: located_all,
        })
    }

    /// Whether `location` meets a road of any mode.
    pub fn located_anywhere(&self, location: usize) -> bool {
        self.located.iter().any(|l| l[location])
    }
}

impl TravelCost for Travel {
    fn location_count(&self) -> usize {
        self.matrices.location_count()
    }
    fn profile_count(&self) -> usize {
        self.matrices.profile_count()
    }
    fn duration_s(&self, profile: usize, from: usize, to: usize) -> f64 {
        self.matrices.duration_s(profile, from, to)
    }
    fn distance_m(&self, profile: usize, from: usize, to: usize) -> f64 {
        self.matrices.distance_m(profile, from, to)
    }
}
