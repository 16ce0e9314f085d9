//! SWAP* (Vidal 2022): exchange a job of one route with a job of another, each going to its
//! best position in the other route rather than taking the other's place.
//!
//! For each job the three cheapest insertion positions in the other route are precomputed, so
//! the best exchange over all pairs costs O(|r1|·|r2|). Candidates are ranked by travel and load
//! penalty only; the best one is then evaluated exactly (time windows, skills, balance) through
//! the same recipes as every other move and applied only if it really improves.

use super::TravelCost;
use super::model::Model;
use super::moves::{Mover, Piece, Recipe};
use super::solution::Solution;

#[derive(Clone, Copy, Debug)]
struct Insertion {
    cost: f64,
    /// Insert after this position.
    after: u32,
}

/// Scratch space for SWAP*.
#[derive(Default)]
pub(crate) struct SwapStar {
    /// Per position of route A: its three best insertions into route B (and vice versa).
    top_a: Vec<[Insertion; 3]>,
    top_b: Vec<[Insertion; 3]>,
    removal_a: Vec<f64>,
    removal_b: Vec<f64>,
}

const NO_INSERT: Insertion = Insertion {
    cost: f64::INFINITY,
    after: u32::MAX,
};

impl SwapStar {
    /// Tries the best SWAP* between routes `a` and `b`; returns whether it was applied.
    pub fn run<C: TravelCost>(
        &mut self,
        m: &Model<'_, C>,
        s: &mut Solution,
        mover: &mut Mover,
        a: usize,
        b: usize,
    ) -> bool {
        fill(m, s, a, b, &mut self.top_a, &mut self.removal_a);
        fill(m, s, b, a, &mut self.top_b, &mut self.removal_b);
        let ra = &s.routes[a];
        let rb = &s.routes[b];
        let (va, vb) = (ra.vehicle as usize, rb.vehicle as usize);
        let (pa, pb) = (m.vehicles[va].profile, m.vehicles[vb].profile);
        let (cap_a, cap_b) = (m.vehicles[va].capacity, m.vehicles[vb].capacity);
        let (load_a, load_b) = (ra.total().load, rb.total().load);
        let pen = s.pen.load;
        let over = |l: f64, c: f64| pen * (l - c).max(0.0);
        let w = m.travel_weight;
        let mut best = (-super::moves::EPS, 0u32, 0u32, NO_INSERT, NO_INSERT);
        for i in ra.fixed + 1..ra.nodes.len() - 1 {
            let u = ra.nodes[i];
            let du = s.seg[u as usize].load;
            for j in rb.fixed + 1..rb.nodes.len() - 1 {
                let v = rb.nodes[j];
                let dv = s.seg[v as usize].load;
                let pen_a = over(load_a - du + dv, cap_a) - over(load_a, cap_a);
                let pen_b = over(load_b - dv + du, cap_b) - over(load_b, cap_b);
                let base = pen_a + pen_b + self.removal_a[i] + self.removal_b[j];
                if base >= best.0 {
                    continue;
                }
                // v into A without u: best of its top three not next to u, or u's place.
                let (pu, nu) = (ra.nodes[i - 1], ra.nodes[i + 1]);
                let mut ins_v = Insertion {
                    cost: w * (m.tt(pa, pu, v) + m.tt(pa, v, nu) - m.tt(pa, pu, nu)),
                    after: i as u32, // "in u's place"
                };
                for c in &self.top_b[j] {
                    if c.after as usize != i && c.after as usize + 1 != i && c.cost < ins_v.cost {
                        ins_v = *c;
                        break;
                    }
                }
                if base + ins_v.cost >= best.0 {
                    continue;
                }
                let (pv, nv) = (rb.nodes[j - 1], rb.nodes[j + 1]);
                let mut ins_u = Insertion {
                    cost: w * (m.tt(pb, pv, u) + m.tt(pb, u, nv) - m.tt(pb, pv, nv)),
                    after: j as u32,
                };
                for c in &self.top_a[i] {
                    if c.after as usize != j && c.after as usize + 1 != j && c.cost < ins_u.cost {
                        ins_u = *c;
                        break;
                    }
                }
                let total = base + ins_v.cost + ins_u.cost;
                if total < best.0 {
                    best = (total, i as u32, j as u32, ins_v, ins_u);
                }
            }
        }
        if best.3.after == u32::MAX {
            return false;
        }
        let (_, i, j, ins_v, ins_u) = best;
        let u = s.routes[a].nodes[i as usize];
        let v = s.routes[b].nodes[j as usize];
        let rec_a = place(a as u32, i, v, ins_v.after);
        let rec_b = place(b as u32, j, u, ins_u.after);
        mover.try_apply(m, s, &[rec_a, rec_b])
    }
}

/// Route `r` without its job at position `i`, with `x` inserted after position `after` (or in
/// position `i` itself when `after == i`).
fn place(r: u32, i: u32, x: u32, after: u32) -> Recipe {
    use Piece::*;
    if after == i {
        Recipe::new(r, &[Head(i - 1), Node(x), Tail(r, i + 1)])
    } else if after < i {
        Recipe::new(
            r,
            &[
                Head(after),
                Node(x),
                Fwd(r, after + 1, i - 1),
                Tail(r, i + 1),
            ],
        )
    } else {
        Recipe::new(
            r,
            &[
                Head(i - 1),
                Fwd(r, i + 1, after),
                Node(x),
                Tail(r, after + 1),
            ],
        )
    }
}

/// For every job of route `from`: its removal gain and its three cheapest insertions into `to`.
fn fill<C: TravelCost>(
    m: &Model<'_, C>,
    s: &Solution,
    from: usize,
    to: usize,
    top: &mut Vec<[Insertion; 3]>,
    removal: &mut Vec<f64>,
) {
    let rf = &s.routes[from];
    let rt = &s.routes[to];
    let pf = m.vehicles[rf.vehicle as usize].profile;
    let pt = m.vehicles[rt.vehicle as usize].profile;
    let w = m.travel_weight;
    top.clear();
    top.resize(rf.nodes.len(), [NO_INSERT; 3]);
    removal.clear();
    removal.resize(rf.nodes.len(), 0.0);
    for i in rf.fixed + 1..rf.nodes.len() - 1 {
        let (p, u, n) = (rf.nodes[i - 1], rf.nodes[i], rf.nodes[i + 1]);
        removal[i] = w * (m.tt(pf, p, n) - m.tt(pf, p, u) - m.tt(pf, u, n));
        if !m.allowed(u, rt.vehicle as usize) {
            continue;
        }
        let t = &mut top[i];
        for k in rt.fixed..rt.nodes.len() - 1 {
            let (x, y) = (rt.nodes[k], rt.nodes[k + 1]);
            let c = w * (m.tt(pt, x, u) + m.tt(pt, u, y) - m.tt(pt, x, y));
            if c < t[2].cost {
                let ins = Insertion {
                    cost: c,
                    after: k as u32,
                };
                if c < t[1].cost {
                    t[2] = t[1];
                    if c < t[0].cost {
                        t[1] = t[0];
                        t[0] = ins;
                    } else {
                        t[1] = ins;
                    }
                } else {
                    t[2] = ins;
                }
            }
        }
    }
}
