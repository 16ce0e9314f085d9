//! What the current zones make of a mode's graph: the roads closed by high-risk zones, the
//! directed arcs every through route may use, the private clusters vehicles may only start or
//! end in, and the strongly connected parts of the whole.
//!
//! Rebuilding an overlay takes milliseconds; the contraction hierarchy built on its arcs is
//! the costly part (see `ch.rs`).

use serde::Serialize;

use super::graph::{EdgeIdx, NONE, NodeIdx, RoadGraph};

/// One directed arc of the through-route graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Arc {
    pub head: NodeIdx,
    pub ms: u32,
    pub cm: u32,
    pub edge: EdgeIdx,
    /// Travelled against the edge's direction (`to` → `from`).
    pub backward: bool,
}

/// The through-route arcs in CSR form, one (the fastest) per ordered node pair.
#[derive(Clone, Debug)]
pub(crate) struct Arcs {
    pub first: Vec<u32>,
    pub arcs: Vec<Arc>,
}

impl Arcs {
    pub fn out(&self, n: NodeIdx) -> &[Arc] {
        &self.arcs[self.first[n as usize] as usize..self.first[n as usize + 1] as usize]
    }

    fn build(graph: &RoadGraph, blocked: &[bool]) -> Arcs {
        let n = graph.num_nodes();
        let mut list: Vec<(NodeIdx, Arc)> = Vec::with_capacity(graph.num_edges() * 2);
        for (i, e) in graph.edges.iter().enumerate() {
            if e.private || blocked[i] {
                continue;
            }
            if e.forward_ms != NONE {
                list.push((
                    e.from,
                    Arc {
                        head: e.to,
                        ms: e.forward_ms,
                        cm: e.length_cm,
                        edge: i as EdgeIdx,
                        backward: false,
                    },
                ));
            }
            if e.backward_ms != NONE {
                list.push((
                    e.to,
                    Arc {
                        head: e.from,
                        ms: e.backward_ms,
                        cm: e.length_cm,
                        edge: i as EdgeIdx,
                        backward: true,
                    },
                ));
            }
        }
        // Parallel roads between the same two nodes: keep the fastest (then shortest), so that
        // Dijkstra and the hierarchy see the very same arcs.
        list.sort_unstable_by_key(|(tail, a)| (*tail, a.head, a.ms, a.cm, a.edge));
        list.dedup_by_key(|(tail, a)| (*tail, a.head));
        let mut first = vec![0u32; n + 1];
        for (tail, _) in &list {
            first[*tail as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        Arcs {
            first,
            arcs: list.into_iter().map(|(_, a)| a).collect(),
        }
    }
}

/// How connected a mode's graph is (through-route arcs, strongly connected).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Connectivity {
    pub nodes: usize,
    pub edges: usize,
    pub components: usize,
    pub largest_component_nodes: usize,
    /// Share of nodes in the largest component, 0..=1.
    pub largest_share_nodes: f64,
    /// Share of road length usable from the largest component, 0..=1.
    pub largest_share_length: f64,
    /// Edges closed by high-risk zones.
    pub blocked_edges: usize,
    /// Edges usable only at the start or end of a trip (private roads for vehicles).
    pub private_edges: usize,
}

/// The zone-dependent part of a mode's network.
#[derive(Clone, Debug)]
pub(crate) struct Overlay {
    pub blocked: Vec<bool>,
    pub arcs: Arcs,
    /// Private cluster of each edge, [`NONE`] for through-route edges.
    pub cluster_of_edge: Vec<u32>,
    /// Nodes of each private cluster that through-route arcs also touch.
    pub gateways: Vec<Vec<NodeIdx>>,
    /// Edges a point may snap to.
    pub snappable: Vec<bool>,
    pub connectivity: Connectivity,
}

impl Overlay {
    /// Builds the overlay for a set of closed edges.
    pub fn build(graph: &RoadGraph, blocked: Vec<bool>, snap_to_largest: bool) -> Overlay {
        let arcs = Arcs::build(graph, &blocked);
        let (cluster_of_edge, gateways) = private_clusters(graph, &blocked, &arcs);
        let (component_of_node, sizes) = strongly_connected(graph.num_nodes(), &arcs);
        let largest = sizes
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| **s)
            .map_or(NONE, |(i, _)| i as u32);
        let in_largest = |n: NodeIdx| component_of_node[n as usize] == largest;

        let mut snappable = vec![false; graph.num_edges()];
        let (mut total_cm, mut largest_cm) = (0u64, 0u64);
        for (i, e) in graph.edges.iter().enumerate() {
            if blocked[i] {
                continue;
            }
            let reaches_largest = if cluster_of_edge[i] != NONE {
                gateways[cluster_of_edge[i] as usize]
                    .iter()
                    .any(|&g| in_largest(g))
            } else {
                in_largest(e.from) && in_largest(e.to)
            };
            snappable[i] = reaches_largest || !snap_to_largest;
            total_cm += e.length_cm as u64;
            if reaches_largest {
                largest_cm += e.length_cm as u64;
            }
        }
        let nodes = graph.num_nodes();
        let largest_nodes = sizes.get(largest as usize).copied().unwrap_or(0);
        let connectivity = Connectivity {
            nodes,
            edges: graph.num_edges(),
            components: sizes.len(),
            largest_component_nodes: largest_nodes,
            largest_share_nodes: ratio(largest_nodes as f64, nodes as f64),
            largest_share_length: ratio(largest_cm as f64, total_cm as f64),
            blocked_edges: blocked.iter().filter(|b| **b).count(),
            private_edges: graph.edges.iter().filter(|e| e.private).count(),
        };
        Overlay {
            blocked,
            arcs,
            cluster_of_edge,
            gateways,
            snappable,
            connectivity,
        }
    }

    /// Approximate heap memory in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.blocked.capacity()
            + self.arcs.first.capacity() * 4
            + self.arcs.arcs.capacity() * std::mem::size_of::<Arc>()
            + self.cluster_of_edge.capacity() * 4
            + self
                .gateways
                .iter()
                .map(|g| g.capacity() * 4 + 24)
                .sum::<usize>()
            + self.snappable.capacity()
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// Groups the open private edges into clusters (connected through private edges) and finds
/// each cluster's gateways: its nodes that a through-route arc touches.
fn private_clusters(
    graph: &RoadGraph,
    blocked: &[bool],
    arcs: &Arcs,
) -> (Vec<u32>, Vec<Vec<NodeIdx>>) {
    let mut cluster_of_edge = vec![NONE; graph.num_edges()];
    let mut gateways = Vec::new();
    let is_private = |e: usize| graph.edges[e].private && !blocked[e];
    let mut has_arc = vec![false; graph.num_nodes()];
    for n in 0..graph.num_nodes() {
        if !arcs.out(n as NodeIdx).is_empty() {
            has_arc[n] = true;
        }
        for a in arcs.out(n as NodeIdx) {
            has_arc[a.head as usize] = true;
        }
    }
    let mut stack = Vec::new();
    for start in 0..graph.num_edges() {
        if !is_private(start) || cluster_of_edge[start] != NONE {
            continue;
        }
        let cluster = gateways.len() as u32;
        let mut gates = Vec::new();
        cluster_of_edge[start] = cluster;
        stack.push(start);
        while let Some(e) = stack.pop() {
            for node in [graph.edges[e].from, graph.edges[e].to] {
                if has_arc[node as usize] && !gates.contains(&node) {
                    gates.push(node);
                }
                for &next in graph.incident_edges(node) {
                    let next = next as usize;
                    if is_private(next) && cluster_of_edge[next] == NONE {
                        cluster_of_edge[next] = cluster;
                        stack.push(next);
                    }
                }
            }
        }
        gateways.push(gates);
    }
    (cluster_of_edge, gateways)
}

/// Tarjan's strongly connected components, iterative. Returns the component of each node and
/// the size of each component.
fn strongly_connected(n: usize, arcs: &Arcs) -> (Vec<u32>, Vec<usize>) {
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![NONE; n];
    let mut sizes = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    let mut call: Vec<(u32, u32)> = Vec::new(); // (node, next arc position)
    let mut next_index = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        call.push((root, arcs.first[root as usize]));
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            let end = arcs.first[v as usize + 1];
            if *pos < end {
                let w = arcs.arcs[*pos as usize].head;
                *pos += 1;
                if index[w as usize] == NONE {
                    index[w as usize] = next_index;
                    low[w as usize] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    call.push((w, arcs.first[w as usize]));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let id = sizes.len() as u32;
                let mut size = 0;
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component[w as usize] = id;
                    size += 1;
                    if w == v {
                        break;
                    }
                }
                sizes.push(size);
            }
        }
    }
    (component, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::road::graph::tests::{map, road};
    use crate::road::mode::{ModeProfile, TravelMode};

    #[test]
    fn oneway_dead_end_is_its_own_component_for_vans() {
        // 1-2-3 two-way, 3→4 one way: 4 cannot get back.
        let m = map(
            vec![
                road(
                    1,
                    "residential",
                    None,
                    &[],
                    &[(1, 126.65, 45.75), (2, 126.651, 45.75), (3, 126.652, 45.75)],
                ),
                road(
                    2,
                    "residential",
                    None,
                    &[("oneway", "yes")],
                    &[(3, 126.652, 45.75), (4, 126.653, 45.75)],
                ),
            ],
            vec![],
        );
        let g = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Van));
        let o = Overlay::build(&g, vec![false; g.num_edges()], true);
        assert_eq!(o.connectivity.components, 2);
        assert_eq!(o.connectivity.largest_component_nodes, 2);
        assert_eq!(o.snappable, vec![true, false]);
        let foot = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Foot));
        let o = Overlay::build(&foot, vec![false; foot.num_edges()], true);
        assert_eq!(o.connectivity.components, 1);
        assert_eq!(o.connectivity.largest_share_nodes, 1.0);
    }

    #[test]
    fn private_compound_road_is_a_cluster_with_its_gate() {
        let m = map(
            vec![
                road(
                    1,
                    "residential",
                    None,
                    &[],
                    &[(1, 126.65, 45.75), (2, 126.651, 45.75)],
                ),
                road(
                    2,
                    "service",
                    None,
                    &[("access", "private")],
                    &[
                        (2, 126.651, 45.75),
                        (3, 126.651, 45.751),
                        (4, 126.652, 45.751),
                    ],
                ),
                road(
                    3,
                    "service",
                    None,
                    &[("access", "private")],
                    &[(3, 126.651, 45.751), (5, 126.650, 45.751)],
                ),
            ],
            vec![],
        );
        let g = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Van));
        let o = Overlay::build(&g, vec![false; g.num_edges()], true);
        assert_eq!(o.gateways.len(), 1);
        assert_eq!(o.gateways[0].len(), 1);
        assert_eq!(g.node_coord(o.gateways[0][0]).x, 126.651);
        assert!(o.snappable.iter().all(|s| *s));
        assert_eq!(o.arcs.arcs.len(), 2);
        let foot = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Foot));
        let o = Overlay::build(&foot, vec![false; foot.num_edges()], true);
        assert!(o.gateways.is_empty());
        assert_eq!(o.arcs.arcs.len(), 8);
    }
}
