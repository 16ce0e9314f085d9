//! The contraction hierarchy of a mode's through-route arcs.
//!
//! Preparation (node ordering and shortcuts) is done by `fast_paths`; its result is then
//! re-laid out here in rank order — upward arcs of each node stored together, with the length
//! of every shortcut — so that the point-to-point query (`query.rs`) and the many-to-many
//! bucket search (`matrix.rs`) run on compact arrays and can report distance in metres next to
//! travel time. A hierarchy can be re-prepared with the node order of a previous one
//! ([`ContractionHierarchy::prepare_with_order`]), which is how a zone change avoids a full
//! rebuild.

use fast_paths::{FastGraph, FastGraph32, InputGraph, Params, ParamsWithOrder};

use super::RoadError;
use super::graph::{EdgeIdx, NONE, NodeIdx};
use super::overlay::Arcs;

/// An upward arc in rank space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub(crate) struct ChArc {
    /// Rank of the other end (always higher than the owner's rank).
    pub other: u32,
    pub ms: u32,
    pub cm: u32,
}

/// How to expand an arc: a shortcut is a backward arc (into its middle node) followed by a
/// forward arc (out of it); an original arc is one road edge in one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unpack {
    /// Backward-arc index of the first half, or [`NONE`] for an original arc.
    pub first: u32,
    /// Forward-arc index of the second half, or `edge << 1 | backward` for an original arc.
    pub second: u32,
}

/// A prepared graph, in rank order: node `rank` 0 was contracted first.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractionHierarchy {
    /// Rank of each graph node.
    pub(crate) rank: Vec<u32>,
    /// Graph node of each rank.
    pub(crate) node_at: Vec<u32>,
    /// Upward arcs leaving each rank: `fwd[fwd_first[r]..fwd_first[r + 1]]`.
    pub(crate) fwd_first: Vec<u32>,
    pub(crate) fwd: Vec<ChArc>,
    pub(crate) fwd_unpack: Vec<Unpack>,
    /// Upward arcs entering each rank (from a higher rank).
    pub(crate) bwd_first: Vec<u32>,
    pub(crate) bwd: Vec<ChArc>,
    pub(crate) bwd_unpack: Vec<Unpack>,
}

/// fast_paths parameters: the defaults, except fewer settled nodes when re-evaluating
/// neighbours, which halves preparation time on city graphs for a few percent more shortcuts.
pub(crate) fn params() -> Params {
    Params::new(0.1, 500, 100, 500)
}

/// Identifies the preparation parameters in cache keys.
pub(crate) const PARAMS_TAG: &str = "fast_paths-1.0 params(0.1,500,100,500) order(100)";

impl ContractionHierarchy {
    /// Prepares a hierarchy for the arcs of a graph with `num_nodes` nodes, choosing the node
    /// order.
    pub(crate) fn prepare(num_nodes: usize, arcs: &Arcs) -> Result<Self, RoadError> {
        let input = input_graph(num_nodes, arcs);
        let fast = fast_paths::prepare_with_params(&input, &params());
        Self::from_fast_graph(num_nodes, arcs, &fast)
    }

    /// Prepares a hierarchy reusing the node order of `previous` (same graph nodes, changed
    /// arcs). Much cheaper than [`ContractionHierarchy::prepare`]; queries stay exact, and
    /// stay fast as long as the change is local.
    pub(crate) fn prepare_with_order(
        num_nodes: usize,
        arcs: &Arcs,
        previous: &ContractionHierarchy,
    ) -> Result<Self, RoadError> {
        if previous.node_at.len() != num_nodes + 2 {
            return Self::prepare(num_nodes, arcs);
        }
        let input = input_graph(num_nodes, arcs);
        let order: Vec<usize> = previous.node_at.iter().map(|&n| n as usize).collect();
        let fast =
            fast_paths::prepare_with_order_with_params(&input, &order, &ParamsWithOrder::new(100))
                .map_err(RoadError::Preparation)?;
        Self::from_fast_graph(num_nodes, arcs, &fast)
    }

    /// The node order (graph node of each rank), to seed a later re-preparation.
    pub fn node_order(&self) -> &[u32] {
        &self.node_at
    }

    fn from_fast_graph(num_nodes: usize, arcs: &Arcs, fast: &FastGraph) -> Result<Self, RoadError> {
        let g = FastGraph32::new(fast);
        let total = num_nodes + 2;
        if g.ranks.len() != total {
            return Err(RoadError::Preparation(format!(
                "prepared graph has {} nodes, expected {total}",
                g.ranks.len()
            )));
        }
        let rank = g.ranks.clone();
        let mut node_at = vec![0u32; total];
        for (node, &r) in rank.iter().enumerate() {
            node_at[r as usize] = node as u32;
        }
        let original = |tail: u32, head: u32, ms: u32| -> Result<(u32, Unpack), RoadError> {
            if tail as usize >= num_nodes {
                return Ok((
                    0,
                    Unpack {
                        first: NONE,
                        second: NONE,
                    },
                ));
            }
            arcs.out(tail)
                .iter()
                .find(|a| a.head == head && a.ms == ms)
                .map(|a| {
                    (
                        a.cm,
                        Unpack {
                            first: NONE,
                            second: (a.edge << 1) | a.backward as u32,
                        },
                    )
                })
                .ok_or_else(|| {
                    RoadError::Preparation(format!("no arc {tail}→{head} of {ms} ms in the input"))
                })
        };
        let convert = |edges: Vec<(u32, u32, u32, u32, u32)>, forward: bool| {
            let mut out = Vec::with_capacity(edges.len());
            let mut unpack = Vec::with_capacity(edges.len());
            for (base, adj, weight, replaced_in, replaced_out) in edges {
                let (tail, head) = if forward { (base, adj) } else { (adj, base) };
                if replaced_in == u32::MAX {
                    let (cm, u) = original(tail, head, weight)?;
                    out.push(ChArc {
                        other: rank[adj as usize],
                        ms: weight,
                        cm,
                    });
                    unpack.push(u);
                } else {
                    out.push(ChArc {
                        other: rank[adj as usize],
                        ms: weight,
                        cm: 0,
                    });
                    unpack.push(Unpack {
                        first: replaced_in,
                        second: replaced_out,
                    });
                }
            }
            Ok::<_, RoadError>((out, unpack))
        };
        let (mut fwd, fwd_unpack) = convert(
            g.edges_fwd
                .iter()
                .map(|e| {
                    (
                        e.base_node,
                        e.adj_node,
                        e.weight,
                        e.replaced_in_edge,
                        e.replaced_out_edge,
                    )
                })
                .collect(),
            true,
        )?;
        let (mut bwd, bwd_unpack) = convert(
            g.edges_bwd
                .iter()
                .map(|e| {
                    (
                        e.base_node,
                        e.adj_node,
                        e.weight,
                        e.replaced_in_edge,
                        e.replaced_out_edge,
                    )
                })
                .collect(),
            false,
        )?;
        // Shortcut lengths: both halves of a shortcut belong to its middle node, which ranks
        // below the shortcut's owner, so one pass in rank order sees halves before wholes.
        let (fwd_first, bwd_first) = (&g.first_edge_ids_fwd, &g.first_edge_ids_bwd);
        for r in 0..total {
            for i in fwd_first[r] as usize..fwd_first[r + 1] as usize {
                let u = fwd_unpack[i];
                if u.first != NONE {
                    fwd[i].cm = bwd[u.first as usize].cm + fwd[u.second as usize].cm;
                }
            }
            for i in bwd_first[r] as usize..bwd_first[r + 1] as usize {
                let u = bwd_unpack[i];
                if u.first != NONE {
                    bwd[i].cm = bwd[u.first as usize].cm + fwd[u.second as usize].cm;
                }
            }
        }
        Ok(ContractionHierarchy {
            rank,
            node_at,
            fwd_first: g.first_edge_ids_fwd.clone(),
            fwd,
            fwd_unpack,
            bwd_first: g.first_edge_ids_bwd.clone(),
            bwd,
            bwd_unpack,
        })
    }
}

impl ContractionHierarchy {
    /// Number of graph nodes the hierarchy was built for (without the two padding nodes).
    pub fn num_nodes(&self) -> usize {
        self.rank.len() - 2
    }

    /// Upward arcs leaving rank `r`, with their indices.
    #[inline]
    pub(crate) fn fwd_range(&self, r: u32) -> std::ops::Range<usize> {
        self.fwd_first[r as usize] as usize..self.fwd_first[r as usize + 1] as usize
    }

    /// Upward arcs entering rank `r`, with their indices.
    #[inline]
    pub(crate) fn bwd_range(&self, r: u32) -> std::ops::Range<usize> {
        self.bwd_first[r as usize] as usize..self.bwd_first[r as usize + 1] as usize
    }

    /// Number of arcs (original and shortcuts, both directions).
    pub fn num_arcs(&self) -> usize {
        self.fwd.len() + self.bwd.len()
    }

    /// Number of shortcut arcs.
    pub fn num_shortcuts(&self) -> usize {
        self.fwd_unpack
            .iter()
            .chain(&self.bwd_unpack)
            .filter(|u| u.first != NONE)
            .count()
    }

    /// Heap memory in bytes.
    pub fn memory_bytes(&self) -> usize {
        (self.rank.capacity()
            + self.node_at.capacity()
            + self.fwd_first.capacity()
            + self.bwd_first.capacity())
            * 4
            + (self.fwd.capacity() + self.bwd.capacity()) * std::mem::size_of::<ChArc>()
            + (self.fwd_unpack.capacity() + self.bwd_unpack.capacity())
                * std::mem::size_of::<Unpack>()
    }

    /// Expands an upward arc into road edges in travel order, as `(edge, backward)`.
    pub(crate) fn unpack_into(&self, forward: bool, index: u32, out: &mut Vec<(EdgeIdx, bool)>) {
        // Explicit stack: shortcut nesting can be deep on long straight roads.
        let mut stack = vec![(forward, index)];
        while let Some((is_fwd, i)) = stack.pop() {
            let u = if is_fwd {
                self.fwd_unpack[i as usize]
            } else {
                self.bwd_unpack[i as usize]
            };
            if u.first == NONE {
                if u.second != NONE {
                    out.push((u.second >> 1, u.second & 1 == 1));
                }
            } else {
                // First half (backward arc into the middle) comes first: push it last.
                stack.push((true, u.second));
                stack.push((false, u.first));
            }
        }
    }
}

/// The fast_paths input: every arc, plus one arc between two padding nodes so that the node
/// count never shrinks when zones close the arcs of the last nodes (`prepare_with_order` needs
/// the same count).
pub(crate) fn input_graph(num_nodes: usize, arcs: &Arcs) -> InputGraph {
    let mut input = InputGraph::new();
    for tail in 0..num_nodes {
        for a in arcs.out(tail as NodeIdx) {
            input.add_edge(tail, a.head as usize, a.ms as usize);
        }
    }
    input.add_edge(num_nodes, num_nodes + 1, 1);
    input.freeze();
    input
}
