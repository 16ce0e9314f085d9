//! Plain Dijkstra on the through-route arcs: the baseline the hierarchy is measured against
//! and checked by (same arcs, same seeds, so the costs must be equal).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::graph::{NONE, NodeIdx};
use super::overlay::Arcs;
use super::query::{Cost, Seed};

/// Reusable Dijkstra state.
pub struct Dijkstra {
    ms: Vec<u32>,
    cm: Vec<u32>,
    settled: Vec<bool>,
    wanted: Vec<bool>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<u64>>,
}

impl Dijkstra {
    pub(crate) fn new(num_nodes: usize) -> Self {
        Dijkstra {
            ms: vec![NONE; num_nodes],
            cm: vec![0; num_nodes],
            settled: vec![false; num_nodes],
            wanted: vec![false; num_nodes],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn start(&mut self, sources: &[Seed]) {
        for &n in &self.touched {
            self.ms[n as usize] = NONE;
            self.settled[n as usize] = false;
            self.wanted[n as usize] = false;
        }
        self.touched.clear();
        self.heap.clear();
        for s in sources {
            self.improve(s.node, s.ms, s.cm);
        }
    }

    #[inline]
    fn improve(&mut self, n: NodeIdx, ms: u32, cm: u32) {
        let slot = n as usize;
        if ms < self.ms[slot] {
            if self.ms[slot] == NONE && !self.wanted[slot] {
                self.touched.push(n);
            }
            self.ms[slot] = ms;
            self.cm[slot] = cm;
            self.heap.push(Reverse(((ms as u64) << 32) | n as u64));
        }
    }

    /// Settles the next node, relaxing its arcs; `None` when the queue is empty.
    #[inline]
    fn settle_next(&mut self, arcs: &Arcs) -> Option<(NodeIdx, u32)> {
        loop {
            let Reverse(k) = self.heap.pop()?;
            let (d, v) = ((k >> 32) as u32, k as u32);
            if self.settled[v as usize] || d != self.ms[v as usize] {
                continue;
            }
            self.settled[v as usize] = true;
            let cm = self.cm[v as usize];
            for a in arcs.out(v) {
                self.improve(a.head, d + a.ms, cm + a.cm);
            }
            return Some((v, d));
        }
    }

    /// The cheapest cost from any source seed to any target seed.
    pub(crate) fn one_to_one(&mut self, arcs: &Arcs, sources: &[Seed], targets: &[Seed]) -> Cost {
        self.start(sources);
        let mut best = Cost::UNREACHABLE;
        while let Some((v, d)) = self.settle_next(arcs) {
            if d >= best.ms {
                break;
            }
            for t in targets.iter().filter(|t| t.node == v) {
                let total = d + t.ms;
                if total < best.ms {
                    best = Cost {
                        ms: total,
                        cm: self.cm[v as usize] + t.cm,
                    };
                }
            }
        }
        best
    }

    /// The cheapest cost from the source seeds to each target (a target is reached through
    /// any of its seeds). Runs until every target seed is settled.
    pub(crate) fn one_to_many(
        &mut self,
        arcs: &Arcs,
        sources: &[Seed],
        targets: &[&[Seed]],
    ) -> Vec<Cost> {
        self.start(sources);
        let mut remaining = 0usize;
        for t in targets.iter().flat_map(|t| t.iter()) {
            let slot = t.node as usize;
            if !self.wanted[slot] {
                self.wanted[slot] = true;
                if self.ms[slot] == NONE {
                    self.touched.push(t.node);
                }
                remaining += 1;
            }
        }
        while remaining > 0 {
            let Some((v, _)) = self.settle_next(arcs) else {
                break;
            };
            if self.wanted[v as usize] {
                remaining -= 1;
            }
        }
        targets
            .iter()
            .map(|seeds| {
                let mut best = Cost::UNREACHABLE;
                for t in seeds.iter() {
                    let slot = t.node as usize;
                    if self.settled[slot] && self.ms[slot] + t.ms < best.ms {
                        best = Cost {
                            ms: self.ms[slot] + t.ms,
                            cm: self.cm[slot] + t.cm,
                        };
                    }
                }
                best
            })
            .collect()
    }
}
