//! Moves between a job `u` and a position of another route (or of its own, handed on to
//! [`intra`](super::intra)): relocate one or two jobs, swap one or two with one or two, 2-opt*
//! in both orientations. Each is first bounded by its travel change plus what the two routes
//! pay beyond travel (loads and soft-area costs exactly), and only then evaluated exactly.

use super::super::TravelCost;
use super::super::model::{Model, NONE};
use super::super::moves::{EPS, Piece, Recipe};
use super::super::solution::Solution;
use super::LocalSearch;

fn na_start(s: &Solution, r: u32) -> usize {
    s.routes[r as usize].nodes[0] as usize
}

fn na_end(s: &Solution, r: u32) -> usize {
    let n = &s.routes[r as usize].nodes;
    n[n.len() - 1] as usize
}

impl LocalSearch {
    /// The moves for job `u` and position `jv` of route `rb` (a job, or the start depot or last
    /// locked job standing for "the beginning"); applies the first improving one.
    pub(super) fn try_pair<C: TravelCost>(
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
}
