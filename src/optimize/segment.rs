//! Route segments with O(1) concatenation: load, travel, duration, time warp (Vidal et al. 2013).
//!
//! A segment summarises a sequence of visits: its total load, its travel, and the time data that
//! lets two segments be joined in constant time — minimal duration, time warp (how much the
//! schedule must "travel back in time" to meet the windows), and the earliest and latest start
//! at its first visit that achieve them. Every move of the local search is evaluated by joining
//! the cached prefix and suffix segments of the routes it touches with the moved pieces.

/// Summary of a sequence of visits (see the module docs). Times in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Seg {
    /// First node of the sequence.
    pub first: u32,
    /// Last node of the sequence.
    pub last: u32,
    /// Minimal duration from the start of service at `first` to the end of service at `last`.
    pub duration: f64,
    /// Total time warp.
    pub warp: f64,
    /// Earliest start of service at `first` that achieves `duration` and `warp`.
    pub earliest: f64,
    /// Latest such start.
    pub latest: f64,
    /// Sum of demands.
    pub load: f64,
    /// Sum of travel times between consecutive visits.
    pub travel: f64,
}

impl Seg {
    /// A single visit with service `service` and window `[earliest, latest]`.
    #[inline]
    pub fn visit(node: u32, service: f64, earliest: f64, latest: f64, load: f64) -> Seg {
        Seg {
            first: node,
            last: node,
            duration: service,
            warp: 0.0,
            earliest,
            latest,
            load,
            travel: 0.0,
        }
    }

    /// `self` followed by `next`, with travel time `t` from `self.last` to `next.first`.
    #[inline]
    pub fn then(&self, next: &Seg, t: f64) -> Seg {
        let delta = self.duration - self.warp + t;
        let wait = (next.earliest - delta - self.latest).max(0.0);
        let warp = (self.earliest + delta - next.latest).max(0.0);
        Seg {
            first: self.first,
            last: next.last,
            duration: self.duration + next.duration + t + wait,
            warp: self.warp + next.warp + warp,
            earliest: (next.earliest - delta).max(self.earliest) - wait,
            latest: (next.latest - delta).min(self.latest) + warp,
            load: self.load + next.load,
            travel: self.travel + next.travel + t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forward simulation with waiting and time warp, the definition the segments must match.
    fn simulate(visits: &[(f64, f64, f64)], travel: f64, start: f64) -> (f64, f64) {
        let mut t = start;
        let mut warp = 0.0;
        for (k, &(service, e, l)) in visits.iter().enumerate() {
            if k > 0 {
                t += travel;
            }
            if t < e {
                t = e;
            }
            if t > l {
                warp += t - l;
                t = l;
            }
            t += service;
        }
        (t, warp)
    }

    #[test]
    fn concatenation_matches_simulation() {
        let visits = [
            (5.0, 0.0, 100.0),
            (3.0, 20.0, 30.0),
            (2.0, 10.0, 25.0),
            (1.0, 60.0, 90.0),
        ];
        let segs: Vec<Seg> = visits
            .iter()
            .enumerate()
            .map(|(i, &(s, e, l))| Seg::visit(i as u32, s, e, l, 1.0))
            .collect();
        let travel = 7.0;
        let whole = segs[1..].iter().fold(segs[0], |acc, s| acc.then(s, travel));
        // Joining in a different grouping gives the same result.
        let left = segs[0].then(&segs[1], travel);
        let right = segs[2].then(&segs[3], travel);
        let grouped = left.then(&right, travel);
        assert!((whole.duration - grouped.duration).abs() < 1e-9);
        assert!((whole.warp - grouped.warp).abs() < 1e-9);
        assert_eq!(whole.load, 4.0);
        assert_eq!(whole.travel, 21.0);
        // Starting at the earliest start reproduces the minimal warp.
        let (_, warp) = simulate(&visits, travel, whole.earliest);
        assert!((warp - whole.warp).abs() < 1e-9, "{warp} vs {}", whole.warp);
    }
}
