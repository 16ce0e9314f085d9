//! Segments of route ranges for the move evaluations: a range of a route, forward or reversed,
//! joined from the route's power-of-two blocks when it is long (O(log n) instead of O(n)), so
//! that 2-opt with time windows stays cheap on long routes.

use super::TravelCost;
use super::model::{HORIZON, Model};
use super::segment::Seg;
use super::solution::{Blocks, Solution};

/// Ranges at least this long are joined from power-of-two blocks.
const BLOCK_MIN: usize = 8;

/// Builds route `r`'s power-of-two blocks, forward or backward.
fn build_blocks<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    r: usize,
    b: &mut Blocks,
    backward: bool,
) {
    let route = &s.routes[r];
    let p = m.vehicles[route.vehicle as usize].profile;
    let nodes = &route.nodes;
    let len = nodes.len();
    let levels = if backward {
        &mut b.reversed
    } else {
        &mut b.levels
    };
    let mut size = 2;
    let mut k = 0;
    while size <= len {
        if levels.len() <= k {
            levels.push(Vec::new());
        }
        let half = size / 2;
        let count = len - size + 1;
        let (done, rest) = levels.split_at_mut(k);
        let level = &mut rest[0];
        level.clear();
        for pos in 0..count {
            let (left, right) = if k == 0 {
                (s.seg[nodes[pos] as usize], s.seg[nodes[pos + 1] as usize])
            } else {
                (done[k - 1][pos], done[k - 1][pos + half])
            };
            let (x, y) = (nodes[pos + half - 1], nodes[pos + half]);
            level.push(if backward {
                right.then(&left, m.tt(p, y, x))
            } else {
                left.then(&right, m.tt(p, x, y))
            });
        }
        size *= 2;
        k += 1;
    }
    levels.truncate(k);
    if backward {
        b.reversed_version = s.version[r];
    } else {
        b.version = s.version[r];
    }
}

/// Segment of jobs `i..=j` of route `r` travelled with `profile`.
#[inline]
pub(crate) fn range<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    r: usize,
    i: usize,
    j: usize,
    profile: usize,
) -> Seg {
    let route = &s.routes[r];
    if i == j {
        return s.seg[route.nodes[i] as usize];
    }
    if !m.has_time && m.vehicles[route.vehicle as usize].profile == profile {
        let (a, b) = (&route.fwd[j], &route.fwd[i]);
        return Seg {
            first: route.nodes[i],
            last: route.nodes[j],
            duration: 0.0,
            warp: 0.0,
            earliest: 0.0,
            latest: HORIZON,
            load: a.load - route.fwd[i - 1].load,
            travel: a.travel - b.travel,
        };
    }
    if j - i + 1 >= BLOCK_MIN && m.vehicles[route.vehicle as usize].profile == profile {
        let mut b = route.blocks.borrow_mut();
        if b.version != s.version[r] {
            build_blocks(m, s, r, &mut b, false);
        }
        let mut acc: Option<Seg> = None;
        let mut pos = i;
        while pos <= j {
            let k = (usize::BITS - 1 - (j - pos + 1).leading_zeros()) as usize;
            let seg = if k == 0 {
                s.seg[route.nodes[pos] as usize]
            } else {
                b.levels[k - 1][pos]
            };
            acc = Some(match acc {
                None => seg,
                Some(a) => a.then(&seg, m.tt(profile, a.last, seg.first)),
            });
            pos += 1 << k;
        }
        if let Some(a) = acc {
            return a;
        }
    }
    let mut acc = s.seg[route.nodes[i] as usize];
    for k in i + 1..=j {
        let n = route.nodes[k];
        acc = acc.then(&s.seg[n as usize], m.tt(profile, acc.last, n));
    }
    acc
}

/// Segment of jobs `j` down to `i` of route `r` travelled with `profile`.
#[inline]
pub(crate) fn rev_range<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    r: usize,
    i: usize,
    j: usize,
    profile: usize,
) -> Seg {
    let route = &s.routes[r];
    if i == j {
        return s.seg[route.nodes[i] as usize];
    }
    if !m.has_time && m.symmetric && m.vehicles[route.vehicle as usize].profile == profile {
        let mut seg = range(m, s, r, i, j, profile);
        std::mem::swap(&mut seg.first, &mut seg.last);
        return seg;
    }
    if j - i + 1 >= BLOCK_MIN && m.vehicles[route.vehicle as usize].profile == profile {
        let mut b = route.blocks.borrow_mut();
        if b.reversed_version != s.version[r] {
            build_blocks(m, s, r, &mut b, true);
        }
        // Take power-of-two blocks from the far end backwards.
        let mut acc: Option<Seg> = None;
        let mut end = j + 1; // exclusive
        while end > i {
            let k = (usize::BITS - 1 - (end - i).leading_zeros()) as usize;
            let from = end - (1 << k);
            let seg = if k == 0 {
                s.seg[route.nodes[from] as usize]
            } else {
                b.reversed[k - 1][from]
            };
            acc = Some(match acc {
                None => seg,
                Some(a) => a.then(&seg, m.tt(profile, a.last, seg.first)),
            });
            end = from;
        }
        if let Some(a) = acc {
            return a;
        }
    }
    let mut acc = s.seg[route.nodes[j] as usize];
    for k in (i..j).rev() {
        let n = route.nodes[k];
        acc = acc.then(&s.seg[n as usize], m.tt(profile, acc.last, n));
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::model::{ModelOptions, Penalty};
    use crate::optimize::synthetic::{DistrictParams, district};

    #[test]
    fn block_ranges_equal_visit_by_visit_joins() {
        let (problem, cost) = district(&DistrictParams {
            stops: 60,
            squads: 1,
            communities: 4,
            bases: 1,
            side_m: 2000.0,
            seed: 3,
        });
        let m = Model::build(
            &problem,
            &cost,
            ModelOptions {
                neighbours: 10,
                ruin_neighbours: 10,
                threads: 1,
            },
        );
        assert!(m.has_time);
        let mut s = Solution::new(
            &m,
            Penalty {
                load: 1.0,
                warp: 1.0,
            },
        );
        let v = &m.vehicles[0];
        let mut nodes = vec![v.start_node];
        nodes.extend((0..40u32).filter(|&j| m.active[j as usize]));
        nodes.push(v.end_node);
        s.set_route(&m, 0, &nodes);
        let p = v.profile;
        let len = s.routes[0].nodes.len();
        for i in 1..len - 1 {
            for j in i..len - 1 {
                let fast = range(&m, &s, 0, i, j, p);
                let mut slow = s.seg[s.routes[0].nodes[i] as usize];
                for k in i + 1..=j {
                    let n = s.routes[0].nodes[k];
                    slow = slow.then(&s.seg[n as usize], m.tt(p, slow.last, n));
                }
                for (a, b) in [
                    (fast.duration, slow.duration),
                    (fast.warp, slow.warp),
                    (fast.earliest, slow.earliest),
                    (fast.latest, slow.latest),
                    (fast.travel, slow.travel),
                    (fast.load, slow.load),
                ] {
                    assert!(
                        (a - b).abs() < 1e-6 * b.abs().max(1.0),
                        "{i}..{j}: {a} vs {b}"
                    );
                }
            }
        }
    }
}
