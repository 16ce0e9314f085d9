//! Moves within one route: relocate one job or a pair (both orientations), swap one or two
//! jobs with one or two, and 2-opt, each bounded by travel before the exact evaluation.

use super::super::TravelCost;
use super::super::model::Model;
use super::super::moves::{EPS, Piece, Recipe};
use super::super::solution::Solution;
use super::LocalSearch;

impl LocalSearch {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn try_intra<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        r: u32,
        iu: u32,
        jv: u32,
        x_job: bool,
        y_job: bool,
        v_movable: bool,
    ) -> bool {
        use Piece::*;
        let route = &s.routes[r as usize];
        let nodes = &route.nodes;
        let u = nodes[iu as usize];
        let v = nodes[jv as usize];
        let f = route.fixed as u32;
        let veh = &m.vehicles[route.vehicle as usize];
        let p = veh.profile;
        let w = m.travel_weight;
        let bal = if m.balance_weight > 0.0 {
            m.balance_weight * (self.mover.longest(s) - self.mover.longest_except(s, r, r))
        } else {
            0.0
        };
        let load_pen = s.pen.load * (route.total().load - veh.capacity).max(0.0);
        let slack = route.cost - w * route.total().travel - veh.fixed_cost - load_pen - route.extra
            + bal
            - EPS;
        let d = |x: u32, y: u32| m.tt(p, x, y);
        let (pu, xu, yv) = (
            nodes[iu as usize - 1],
            nodes[iu as usize + 1],
            nodes[jv as usize + 1],
        );
        let rem_u = d(pu, xu) - d(pu, u) - d(u, xu);
        // Relocate u after v.
        if jv >= f
            && jv != iu
            && jv + 1 != iu
            && w * (rem_u + d(v, u) + d(u, yv) - d(v, yv)) < slack
        {
            let rec = if jv > iu {
                Recipe::new(
                    r,
                    &[Head(iu - 1), Fwd(r, iu + 1, jv), Node(u), Tail(r, jv + 1)],
                )
            } else {
                Recipe::new(
                    r,
                    &[Head(jv), Node(u), Fwd(r, jv + 1, iu - 1), Tail(r, iu + 1)],
                )
            };
            if self.apply_if(m, s, &[rec]) {
                return true;
            }
        }
        // Relocate (u, x) after v, both orientations.
        if x_job && jv >= f && (jv > iu + 1 || jv + 1 < iu) {
            let x = xu;
            let nodes = &s.routes[r as usize].nodes;
            let xx = nodes[iu as usize + 2];
            let base = d(pu, xx) - d(pu, u) - d(u, x) - d(x, xx) - d(v, yv);
            let fwd = base + d(v, u) + d(u, x) + d(x, yv);
            let rev = base + d(v, x) + d(x, u) + d(u, yv);
            for (reversed, dt) in [(false, fwd), (true, rev)] {
                if w * dt >= slack {
                    continue;
                }
                let pair = if reversed {
                    Rev(r, iu, iu + 1)
                } else {
                    Fwd(r, iu, iu + 1)
                };
                let rec = if jv > iu {
                    Recipe::new(
                        r,
                        &[Head(iu - 1), Fwd(r, iu + 2, jv), pair, Tail(r, jv + 1)],
                    )
                } else {
                    Recipe::new(
                        r,
                        &[Head(jv), pair, Fwd(r, jv + 1, iu - 1), Tail(r, iu + 2)],
                    )
                };
                if self.apply_if(m, s, &[rec]) {
                    return true;
                }
            }
        }
        // Swap u and v.
        if v_movable {
            let (p, q) = (iu.min(jv), iu.max(jv));
            let nodes = &s.routes[r as usize].nodes;
            let (np, nq) = (nodes[p as usize], nodes[q as usize]);
            let promising = q == p + 1 || {
                let pv = nodes[jv as usize - 1];
                let dt = d(pu, v) + d(v, xu) - d(pu, u) - d(u, xu) + d(pv, u) + d(u, yv)
                    - d(pv, v)
                    - d(v, yv);
                w * dt < slack
            };
            let rec = Recipe::new(
                r,
                &[
                    Head(p - 1),
                    Node(nq),
                    Fwd(r, p + 1, q - 1),
                    Node(np),
                    Tail(r, q + 1),
                ],
            );
            if promising && self.apply_if(m, s, &[rec]) {
                return true;
            }
            // Swap (u, x) and v, and (u, x) and (v, y), when they do not overlap.
            if x_job {
                let nodes = &s.routes[r as usize].nodes;
                let x = xu;
                let xx = nodes[iu as usize + 2];
                let pv = nodes[jv as usize - 1];
                let apart = jv > iu + 2 || jv + 1 < iu;
                let dt = d(pu, v) + d(v, xx) - d(pu, u) - d(x, xx) + d(pv, u) + d(x, yv)
                    - d(pv, v)
                    - d(v, yv);
                let rec = if !apart || w * dt >= slack {
                    None
                } else if jv > iu + 1 {
                    Some(Recipe::new(
                        r,
                        &[
                            Head(iu - 1),
                            Node(v),
                            Fwd(r, iu + 2, jv - 1),
                            Fwd(r, iu, iu + 1),
                            Tail(r, jv + 1),
                        ],
                    ))
                } else {
                    Some(Recipe::new(
                        r,
                        &[
                            Head(jv - 1),
                            Fwd(r, iu, iu + 1),
                            Fwd(r, jv + 1, iu - 1),
                            Node(v),
                            Tail(r, iu + 2),
                        ],
                    ))
                };
                if let Some(rec) = rec
                    && self.apply_if(m, s, &[rec])
                {
                    return true;
                }
                if y_job {
                    let nodes = &s.routes[r as usize].nodes;
                    let y = yv;
                    let yy = nodes[jv as usize + 2];
                    let apart = jv > iu + 3 || jv + 3 < iu;
                    let dt = d(pu, v) + d(y, xx) - d(pu, u) - d(x, xx) + d(pv, u) + d(x, yy)
                        - d(pv, v)
                        - d(y, yy);
                    let rec = if !apart || w * dt >= slack {
                        None
                    } else if jv > iu + 2 {
                        Some(Recipe::new(
                            r,
                            &[
                                Head(iu - 1),
                                Fwd(r, jv, jv + 1),
                                Fwd(r, iu + 2, jv - 1),
                                Fwd(r, iu, iu + 1),
                                Tail(r, jv + 2),
                            ],
                        ))
                    } else {
                        Some(Recipe::new(
                            r,
                            &[
                                Head(jv - 1),
                                Fwd(r, iu, iu + 1),
                                Fwd(r, jv + 2, iu - 1),
                                Fwd(r, jv, jv + 1),
                                Tail(r, iu + 2),
                            ],
                        ))
                    };
                    if let Some(rec) = rec
                        && self.apply_if(m, s, &[rec])
                    {
                        return true;
                    }
                }
            }
        }
        // 2-opt: reverse the stretch between u and v.
        if m.symmetric && w * (d(u, v) + d(xu, yv) - d(u, xu) - d(v, yv)) >= slack {
            return false;
        }
        let rec = if iu < jv {
            Some(Recipe::new(
                r,
                &[Head(iu), Rev(r, iu + 1, jv), Tail(r, jv + 1)],
            ))
        } else if jv + 1 < iu && jv >= f {
            Some(Recipe::new(
                r,
                &[Head(jv), Rev(r, jv + 1, iu), Tail(r, iu + 1)],
            ))
        } else {
            None
        };
        if let Some(rec) = rec
            && self.apply_if(m, s, &[rec])
        {
            return true;
        }
        false
    }
}
