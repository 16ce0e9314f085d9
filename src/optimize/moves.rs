//! Moves as *recipes*: each changed route is described as a short list of pieces of existing
//! routes (its own head, a range of another route, forward or reversed, a single visit, a
//! tail), evaluated in O(pieces) by concatenating cached segments and applied by copying the
//! pieces. Every neighbourhood of the local search (relocate, swap, or-opt, 2-opt, 2-opt*,
//! SWAP*) is written this way, so feasibility, locks, skills and soft-area costs are checked in
//! one place.

use super::TravelCost;
use super::model::{Model, NONE};
use super::ranges::{range, rev_range};
use super::segment::Seg;
use super::solution::Solution;

/// A piece of a new route.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Piece {
    /// The target route's own nodes `0..=j` (start depot and everything up to position `j`).
    Head(u32),
    /// Jobs from position `i` to the end of route `r`, then the target's end depot.
    Tail(u32, u32),
    /// Jobs at positions `i..=j` of route `r` (empty when `i > j`).
    Fwd(u32, u32, u32),
    /// Jobs at positions `i..=j` of route `r`, visited from `j` down to `i`.
    Rev(u32, u32, u32),
    /// One job.
    Node(u32),
}

/// A new route for `route`, as pieces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Recipe {
    pub route: u32,
    pieces: [Piece; 6],
    n: u8,
}

impl Recipe {
    #[inline]
    pub fn new(route: u32, pieces: &[Piece]) -> Recipe {
        let mut r = Recipe {
            route,
            pieces: [Piece::Node(0); 6],
            n: pieces.len() as u8,
        };
        r.pieces[..pieces.len()].copy_from_slice(pieces);
        r
    }

    #[inline]
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces[..self.n as usize]
    }
}

/// Result of evaluating a recipe.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Evaluated {
    pub cost: f64,
    pub seg: Seg,
    pub jobs: usize,
}

/// Whether every job at positions `i..=j` of route `r` may go on vehicle `v`.
fn range_allowed<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    r: usize,
    i: usize,
    j: usize,
    v: usize,
) -> bool {
    s.routes[r].nodes[i..=j].iter().all(|&n| m.allowed(n, v))
}

fn range_area<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    r: usize,
    i: usize,
    j: usize,
    v: usize,
) -> f64 {
    let route = &s.routes[r];
    if route.vehicle as usize == v && route.area_prefix.len() == route.nodes.len() && i >= 1 {
        return route.area_prefix[j] - route.area_prefix[i - 1];
    }
    route.nodes[i..=j].iter().map(|&n| m.area_cost(n, v)).sum()
}

/// Evaluates a recipe; `None` when a job may not go on the target vehicle.
#[inline]
pub(crate) fn evaluate<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    rec: &Recipe,
) -> Option<Evaluated> {
    let t = rec.route as usize;
    let route = &s.routes[t];
    let v = route.vehicle as usize;
    let veh = &m.vehicles[v];
    let p = veh.profile;
    let check = !m.all_allowed();
    let areas = m.has_area_costs();
    let mut acc: Option<Seg> = None;
    let mut jobs = 0usize;
    let mut extra = 0.0;
    for piece in rec.pieces() {
        let seg = match *piece {
            Piece::Head(j) => {
                let j = j as usize;
                jobs += j;
                if areas {
                    extra += range_area(m, s, t, 1, j, v);
                }
                route.fwd[j]
            }
            Piece::Tail(r, i) => {
                let (r, i) = (r as usize, i as usize);
                let src = &s.routes[r];
                let last = src.nodes.len() - 2;
                if i <= last {
                    jobs += last + 1 - i;
                    if r != t && check && !range_allowed(m, s, r, i, last, v) {
                        return None;
                    }
                    if areas {
                        extra += range_area(m, s, r, i, last, v);
                    }
                }
                let src_veh = &m.vehicles[src.vehicle as usize];
                if r == t || src_veh.tail_class == veh.tail_class {
                    let mut b = src.bwd[i];
                    b.last = veh.end_node;
                    b
                } else {
                    let end = s.seg[veh.end_node as usize];
                    if i <= last {
                        let body = *src.open_tail(m, p, i);
                        body.then(&end, m.tt(p, body.last, end.first))
                    } else {
                        end
                    }
                }
            }
            Piece::Fwd(r, i, j) | Piece::Rev(r, i, j) => {
                let (r, i, j) = (r as usize, i as usize, j as usize);
                if i > j {
                    continue;
                }
                jobs += j + 1 - i;
                if r != t && check && !range_allowed(m, s, r, i, j, v) {
                    return None;
                }
                if areas {
                    extra += range_area(m, s, r, i, j, v);
                }
                if matches!(piece, Piece::Fwd(..)) {
                    range(m, s, r, i, j, p)
                } else {
                    rev_range(m, s, r, i, j, p)
                }
            }
            Piece::Node(n) => {
                jobs += 1;
                if check && s.route_of[n as usize] != rec.route && !m.allowed(n, v) {
                    return None;
                }
                if areas {
                    extra += m.area_cost(n, v);
                }
                s.seg[n as usize]
            }
        };
        acc = Some(match acc {
            None => seg,
            Some(a) => a.then(&seg, m.tt(p, a.last, seg.first)),
        });
    }
    let seg = acc?;
    let cost = if jobs == 0 {
        0.0
    } else {
        m.route_cost(v, &seg, extra, s.pen)
    };
    Some(Evaluated { cost, seg, jobs })
}

/// Travel of the route a recipe builds and its number of jobs, when that is cheap to get from
/// the caches (same profile and tail class); `None` otherwise.
#[inline]
fn quick_travel<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    rec: &Recipe,
) -> Option<(f64, usize)> {
    let t = rec.route as usize;
    let route = &s.routes[t];
    let veh = &m.vehicles[route.vehicle as usize];
    let p = veh.profile;
    let mut travel = 0.0;
    let mut jobs = 0usize;
    let mut last = NONE;
    for piece in rec.pieces() {
        let (first, end, tr) = match *piece {
            Piece::Head(j) => {
                let j = j as usize;
                jobs += j;
                (route.nodes[0], route.nodes[j], route.fwd[j].travel)
            }
            Piece::Tail(r, i) => {
                let (r, i) = (r as usize, i as usize);
                let src = &s.routes[r];
                let src_veh = &m.vehicles[src.vehicle as usize];
                let last = src.nodes.len() - 2;
                jobs += (last + 1).saturating_sub(i);
                if r == t || src_veh.tail_class == veh.tail_class {
                    (src.nodes[i], veh.end_node, src.bwd[i].travel)
                } else if i <= last {
                    let tr = src.open_tail(m, p, i).travel + m.tt(p, src.nodes[last], veh.end_node);
                    (src.nodes[i], veh.end_node, tr)
                } else {
                    (veh.end_node, veh.end_node, 0.0)
                }
            }
            Piece::Fwd(r, i, j) | Piece::Rev(r, i, j) => {
                let (r, i, j) = (r as usize, i as usize, j as usize);
                if i > j {
                    continue;
                }
                let src = &s.routes[r];
                if m.vehicles[src.vehicle as usize].profile != p {
                    return None;
                }
                jobs += j + 1 - i;
                let tr = src.fwd[j].travel - src.fwd[i].travel;
                if matches!(piece, Piece::Fwd(..)) {
                    (src.nodes[i], src.nodes[j], tr)
                } else if m.symmetric {
                    (src.nodes[j], src.nodes[i], tr)
                } else {
                    return None;
                }
            }
            Piece::Node(n) => {
                jobs += 1;
                (n, n, 0.0)
            }
        };
        if last != NONE {
            travel += m.tt(p, last, first);
        }
        travel += tr;
        last = end;
    }
    Some((travel, jobs))
}

/// Writes the node list of a recipe into `out`.
pub(crate) fn materialize(
    s: &Solution,
    m_end_node: u32,
    rec: &Recipe,
    out: &mut Vec<u32>,
    starts: &mut Vec<usize>,
) {
    out.clear();
    starts.clear();
    let t = rec.route as usize;
    for piece in rec.pieces() {
        starts.push(out.len());
        match *piece {
            Piece::Head(j) => out.extend_from_slice(&s.routes[t].nodes[..=j as usize]),
            Piece::Tail(r, i) => {
                let nodes = &s.routes[r as usize].nodes;
                let last = nodes.len() - 2;
                if i as usize <= last {
                    out.extend_from_slice(&nodes[i as usize..=last]);
                }
                out.push(m_end_node);
            }
            Piece::Fwd(r, i, j) => {
                if i <= j {
                    out.extend_from_slice(&s.routes[r as usize].nodes[i as usize..=j as usize]);
                }
            }
            Piece::Rev(r, i, j) => {
                if i <= j {
                    out.extend(
                        s.routes[r as usize].nodes[i as usize..=j as usize]
                            .iter()
                            .rev(),
                    );
                }
            }
            Piece::Node(n) => out.push(n),
        }
    }
}

/// Records the nodes on both sides of every junction between pieces.
fn mark_junctions(nodes: &[u32], starts: &[usize], out: &mut Vec<u32>) {
    for &p in starts.iter().skip(1) {
        if p > 0 && p < nodes.len() {
            out.push(nodes[p - 1]);
            out.push(nodes[p]);
        }
    }
}

/// Scratch space and the balance bookkeeping for evaluating and applying moves.
#[derive(Default)]
pub(crate) struct Mover {
    buf_a: Vec<u32>,
    buf_b: Vec<u32>,
    starts: Vec<usize>,
    /// Nodes at the ends of arcs created by applied moves (the local search's dirty set).
    pub junctions: Vec<u32>,
    /// The three longest route durations (value, route), refreshed lazily.
    top: [(f64, u32); 3],
    top_clock: u64,
}

/// Tolerance for "improving".
pub(crate) const EPS: f64 = 1e-7;

impl Mover {
    /// Longest route duration (cached per solution state).
    pub fn longest(&mut self, s: &Solution) -> f64 {
        self.refresh_top(s);
        self.top[0].0
    }

    fn refresh_top(&mut self, s: &Solution) {
        if self.top_clock != s.clock {
            self.top = [(0.0, u32::MAX); 3];
            for (r, route) in s.routes.iter().enumerate() {
                if route.is_empty() {
                    continue;
                }
                let d = route.total().duration;
                if d > self.top[2].0 {
                    self.top[2] = (d, r as u32);
                    if self.top[2].0 > self.top[1].0 {
                        self.top.swap(1, 2);
                    }
                    if self.top[1].0 > self.top[0].0 {
                        self.top.swap(0, 1);
                    }
                }
            }
            self.top_clock = s.clock;
        }
    }

    /// Longest duration among routes other than `a` and `b`.
    pub fn longest_except(&mut self, s: &Solution, a: u32, b: u32) -> f64 {
        self.refresh_top(s);
        self.top
            .iter()
            .find(|(_, r)| *r != a && *r != b)
            .map_or(0.0, |(d, _)| *d)
    }

    /// Change of the penalised cost if the recipes' routes were replaced (`None` if not
    /// allowed). One or two recipes, for different routes.
    #[inline]
    pub fn delta<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &Solution,
        recs: &[Recipe],
    ) -> Option<f64> {
        // Cheap bound first: new routes cost at least their weighted travel, old ones lose at
        // most all they pay beyond travel, the longest day shrinks at most to zero.
        let mut bound = if m.balance_weight > 0.0 {
            let a = recs[0].route;
            let b = recs.get(1).map_or(a, |r| r.route);
            -m.balance_weight * (self.longest(s) - self.longest_except(s, a, b))
        } else {
            0.0
        };
        let mut exact = true;
        for rec in recs {
            match quick_travel(m, s, rec) {
                Some((travel, jobs)) => {
                    if jobs > 0 {
                        let v = s.routes[rec.route as usize].vehicle as usize;
                        bound += m.travel_weight * travel + m.vehicles[v].fixed_cost;
                    }
                    bound -= s.routes[rec.route as usize].cost;
                }
                None => {
                    exact = false;
                    break;
                }
            }
        }
        if exact && bound >= -EPS {
            return None;
        }
        let mut delta = 0.0;
        let mut durs = [0.0f64; 2];
        for (k, rec) in recs.iter().enumerate() {
            let e = evaluate(m, s, rec)?;
            delta += e.cost - s.routes[rec.route as usize].cost;
            durs[k] = if e.jobs == 0 { 0.0 } else { e.seg.duration };
        }
        if m.balance_weight > 0.0 {
            let a = recs[0].route;
            let b = recs.get(1).map_or(a, |r| r.route);
            let other = self.longest_except(s, a, b);
            let old = self.top[0].0;
            let new = other.max(durs[0]).max(durs[1]);
            delta += m.balance_weight * (new - old);
        }
        Some(delta)
    }

    /// Replaces the recipes' routes.
    pub fn apply<C: TravelCost>(&mut self, m: &Model<'_, C>, s: &mut Solution, recs: &[Recipe]) {
        let end_a = m.vehicles[s.routes[recs[0].route as usize].vehicle as usize].end_node;
        materialize(s, end_a, &recs[0], &mut self.buf_a, &mut self.starts);
        mark_junctions(&self.buf_a, &self.starts, &mut self.junctions);
        if let Some(rb) = recs.get(1) {
            let end_b = m.vehicles[s.routes[rb.route as usize].vehicle as usize].end_node;
            materialize(s, end_b, rb, &mut self.buf_b, &mut self.starts);
            mark_junctions(&self.buf_b, &self.starts, &mut self.junctions);
            s.set_route(m, rb.route as usize, &self.buf_b);
        }
        s.set_route(m, recs[0].route as usize, &self.buf_a);
    }

    /// Applies the recipes if they improve by more than [`EPS`]; returns whether applied.
    #[inline]
    pub fn try_apply<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        recs: &[Recipe],
    ) -> bool {
        // Improvements must beat rounding noise relative to the costs involved, or two moves
        // could undo each other forever.
        let scale: f64 = recs
            .iter()
            .map(|r| s.routes[r.route as usize].cost.abs())
            .sum();
        match self.delta(m, s, recs) {
            Some(d) if d < -(EPS + 1e-10 * scale) => {
                self.apply(m, s, recs);
                true
            }
            _ => false,
        }
    }
}
