//! Searches on a contraction hierarchy: the upward search with stall-on-demand that both the
//! point-to-point query and the matrix use, and the bidirectional point-to-point query with
//! path unpacking.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::ch::ContractionHierarchy;
use super::graph::{EdgeIdx, NONE, NodeIdx};

/// Where a search starts (or ends): a graph node and the cost of getting from the point to it
/// (or from it to the point).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seed {
    pub node: NodeIdx,
    pub ms: u32,
    pub cm: u32,
}

/// Travel time and length of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cost {
    pub ms: u32,
    pub cm: u32,
}

impl Cost {
    pub const UNREACHABLE: Cost = Cost { ms: NONE, cm: NONE };

    pub fn is_reachable(self) -> bool {
        self.ms != NONE
    }
}

/// The state of one upward search, reusable across queries (reset is O(touched nodes)).
pub(crate) struct SearchSpace {
    ms: Vec<u32>,
    cm: Vec<u32>,
    /// Rank we came from, [`NONE`] for a seed.
    parent: Vec<u32>,
    /// Arc used to get here (index into `fwd` for a forward search, `bwd` for a backward one).
    parent_arc: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<u64>>,
    /// Forward (upward arcs out of a node) or backward (upward arcs into it).
    forward: bool,
}

impl SearchSpace {
    pub fn new(num_ranks: usize, forward: bool) -> Self {
        SearchSpace {
            ms: vec![NONE; num_ranks],
            cm: vec![0; num_ranks],
            parent: vec![NONE; num_ranks],
            parent_arc: vec![NONE; num_ranks],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            forward,
        }
    }

    fn clear(&mut self) {
        for &r in &self.touched {
            self.ms[r as usize] = NONE;
        }
        self.touched.clear();
        self.heap.clear();
    }

    /// Starts a new search from these seeds (graph nodes, mapped to ranks here).
    pub fn start(&mut self, ch: &ContractionHierarchy, seeds: &[Seed]) {
        self.clear();
        for s in seeds {
            let r = ch.rank[s.node as usize];
            if s.ms < self.ms[r as usize] {
                if self.ms[r as usize] == NONE {
                    self.touched.push(r);
                }
                self.ms[r as usize] = s.ms;
                self.cm[r as usize] = s.cm;
                self.parent[r as usize] = NONE;
                self.heap.push(Reverse(key(s.ms, r)));
            }
        }
    }

    /// The smallest tentative time in the queue.
    #[inline]
    pub fn min_key(&self) -> u32 {
        self.heap.peek().map_or(NONE, |Reverse(k)| (k >> 32) as u32)
    }

    /// Tentative time and length at a rank (`ms == NONE` when not reached).
    #[inline]
    pub fn cost_at(&self, r: u32) -> Cost {
        Cost {
            ms: self.ms[r as usize],
            cm: self.cm[r as usize],
        }
    }

    /// Settles the next node: returns its rank and cost, or `None` when the queue is empty.
    /// Nodes that are stalled (reached more cheaply through a higher neighbour) are settled
    /// but not expanded, and reported with `stalled = true`.
    #[inline]
    pub fn settle_next(&mut self, ch: &ContractionHierarchy) -> Option<(u32, Cost, bool)> {
        loop {
            let Reverse(k) = self.heap.pop()?;
            let (d, v) = ((k >> 32) as u32, k as u32);
            if d != self.ms[v as usize] {
                continue;
            }
            let cost = Cost {
                ms: d,
                cm: self.cm[v as usize],
            };
            let (expand, stall_by) = if self.forward {
                (&ch.fwd, &ch.bwd)
            } else {
                (&ch.bwd, &ch.fwd)
            };
            let (expand_range, stall_range) = if self.forward {
                (ch.fwd_range(v), ch.bwd_range(v))
            } else {
                (ch.bwd_range(v), ch.fwd_range(v))
            };
            for a in &stall_by[stall_range] {
                let other = self.ms[a.other as usize];
                if other != NONE && other + a.ms < d {
                    return Some((v, cost, true));
                }
            }
            for i in expand_range {
                let a = expand[i];
                let nd = d + a.ms;
                let slot = a.other as usize;
                if nd < self.ms[slot] {
                    if self.ms[slot] == NONE {
                        self.touched.push(a.other);
                    }
                    self.ms[slot] = nd;
                    self.cm[slot] = cost.cm + a.cm;
                    self.parent[slot] = v;
                    self.parent_arc[slot] = i as u32;
                    self.heap.push(Reverse(key(nd, a.other)));
                }
            }
            return Some((v, cost, false));
        }
    }

    /// The arcs from the seed to rank `r`, nearest the seed first, and the seed's graph node.
    fn arcs_to(&self, ch: &ContractionHierarchy, mut r: u32) -> (NodeIdx, Vec<u32>) {
        let mut arcs = Vec::new();
        while self.parent[r as usize] != NONE {
            arcs.push(self.parent_arc[r as usize]);
            r = self.parent[r as usize];
        }
        arcs.reverse();
        (ch.node_at[r as usize], arcs)
    }
}

#[inline]
fn key(ms: u32, rank: u32) -> u64 {
    ((ms as u64) << 32) | rank as u64
}

/// A bidirectional point-to-point query with reusable state.
pub(crate) struct PathQuery {
    fwd: SearchSpace,
    bwd: SearchSpace,
}

/// The result of a point-to-point query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FoundPath {
    pub cost: Cost,
    /// The source seed's node and the target seed's node the path runs between.
    pub from_node: NodeIdx,
    pub to_node: NodeIdx,
    /// Road edges in travel order, as `(edge, backward)`.
    pub edges: Vec<(EdgeIdx, bool)>,
}

impl PathQuery {
    pub fn new(ch: &ContractionHierarchy) -> Self {
        let n = ch.rank.len();
        PathQuery {
            fwd: SearchSpace::new(n, true),
            bwd: SearchSpace::new(n, false),
        }
    }

    /// The fastest path from any source seed to any target seed (costs include the seeds'),
    /// or `None` when there is none.
    pub fn run(
        &mut self,
        ch: &ContractionHierarchy,
        sources: &[Seed],
        targets: &[Seed],
        with_edges: bool,
    ) -> Option<FoundPath> {
        self.fwd.start(ch, sources);
        self.bwd.start(ch, targets);
        let mut best = NONE;
        let mut best_cm = NONE;
        let mut meet = NONE;
        loop {
            let (kf, kb) = (self.fwd.min_key(), self.bwd.min_key());
            if kf >= best && kb >= best {
                break;
            }
            // Settle the smaller key; it is below `best`, so that side is still useful.
            let forward = kf <= kb;
            let (this, other) = if forward {
                (&mut self.fwd, &self.bwd)
            } else {
                (&mut self.bwd, &self.fwd)
            };
            // `None`: only stale entries were left on this side; the other may go on.
            let Some((v, cost, _stalled)) = this.settle_next(ch) else {
                continue;
            };
            let there = other.cost_at(v);
            if there.is_reachable() && cost.ms + there.ms < best {
                best = cost.ms + there.ms;
                best_cm = cost.cm + there.cm;
                meet = v;
            }
        }
        if meet == NONE {
            return None;
        }
        let (from_node, up) = self.fwd.arcs_to(ch, meet);
        let (to_node, down) = self.bwd.arcs_to(ch, meet);
        let mut edges = Vec::new();
        if with_edges {
            for &i in &up {
                ch.unpack_into(true, i, &mut edges);
            }
            // The backward search's arcs run from the meeting node down to the target seed.
            for &i in down.iter().rev() {
                ch.unpack_into(false, i, &mut edges);
            }
        }
        Some(FoundPath {
            cost: Cost {
                ms: best,
                cm: best_cm,
            },
            from_node,
            to_node,
            edges,
        })
    }
}
