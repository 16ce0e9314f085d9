//! From a point to an anchor on the graph: snapping, the zone's delivery rule, the walking leg
//! from road to door, and the seeds (graph nodes with the cost of getting there) that the
//! searches start from or end at.
//!
//! A point on a through-route edge has two seeds, the edge's ends, priced by the fraction of
//! the edge still to cover. A point on a private road of a vehicle mode is first led, inside
//! its private cluster only, to the cluster's gateways; those are its seeds. That is how a van
//! reaches a stop inside a gated compound but never cuts through one.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use geo::Point;
use serde::Serialize;

use crate::zone::ZoneId;

use super::RoadError;
use super::graph::{Edge, EdgeIdx, NONE, NodeIdx, RoadGraph};
use super::overlay::Overlay;
use super::query::{Cost, Seed};
use super::snap::Snap;

/// Where a requested point is served, as reported back to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Waypoint {
    /// The point as given (WGS84 degrees).
    pub requested: Point<f64>,
    /// The point actually served: the requested one, or the checkpoint of the high-risk
    /// zone it lies in.
    pub served: Point<f64>,
    /// Set when the request lies in a high-risk zone and is served at its checkpoint.
    pub via_checkpoint_of: Option<ZoneId>,
    /// Where `served` meets the road.
    pub snap: Snap,
    /// The walk between the road and `served`, counted in every duration.
    pub door_distance_m: f64,
    pub door_duration_s: f64,
}

/// A stretch of edges from the snapped point to a seed (or from a seed to the point).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Link {
    /// Leaves (or enters) the snapped edge through its `from` node rather than its `to` node.
    pub via_from_node: bool,
    /// Whole edges between the snapped edge and the seed, in travel order.
    pub edges: Vec<(EdgeIdx, bool)>,
}

/// What a search needs to know about a point.
#[derive(Clone, Debug)]
pub(crate) struct Anchor {
    pub waypoint: Waypoint,
    pub door: Cost,
    /// Seeds for leaving the point, and how each is reached.
    pub out: Vec<Seed>,
    pub out_links: Vec<Link>,
    /// Seeds for arriving at the point, and how the point is reached from each.
    pub inn: Vec<Seed>,
    pub in_links: Vec<Link>,
    /// The private cluster the point lies in (vehicle modes), or [`NONE`].
    pub cluster: u32,
}

/// The cost of covering part of an edge: `part_cm` of its `length_cm` at `ms` for the whole.
pub(crate) fn partial(edge: &Edge, ms: u32, part_cm: u32) -> Cost {
    if edge.length_cm == 0 {
        return Cost { ms: 0, cm: 0 };
    }
    Cost {
        ms: ((ms as u64 * part_cm as u64 + edge.length_cm as u64 / 2) / edge.length_cm as u64)
            as u32,
        cm: part_cm,
    }
}

/// The raw seeds of a snapped point: the ends of its edge. `leaving` selects the direction.
pub(crate) fn edge_seeds(graph: &RoadGraph, snap: &Snap, leaving: bool) -> Vec<(Seed, bool)> {
    let e = graph.edge(snap.edge);
    let (before, after) = (snap.offset_cm, e.length_cm - snap.offset_cm);
    let mut seeds = Vec::with_capacity(2);
    // (node, ms of the whole edge in the direction of travel, part covered, via from-node)
    let options = if leaving {
        [
            (e.to, e.forward_ms, after, false),
            (e.from, e.backward_ms, before, true),
        ]
    } else {
        [
            (e.from, e.forward_ms, before, true),
            (e.to, e.backward_ms, after, false),
        ]
    };
    for (node, ms, part, via_from) in options {
        if ms != NONE {
            let c = partial(e, ms, part);
            seeds.push((
                Seed {
                    node,
                    ms: c.ms,
                    cm: c.cm,
                },
                via_from,
            ));
        }
    }
    seeds
}

/// Builds the anchor of a snapped point.
pub(crate) fn anchor(
    graph: &RoadGraph,
    overlay: &Overlay,
    waypoint: Waypoint,
    door_speed_mps: f64,
) -> Anchor {
    let door = Cost {
        ms: (waypoint.door_distance_m / door_speed_mps * 1000.0).round() as u32,
        cm: (waypoint.door_distance_m * 100.0).round() as u32,
    };
    let cluster = overlay.cluster_of_edge[waypoint.snap.edge as usize];
    let mut a = Anchor {
        waypoint,
        door,
        out: Vec::new(),
        out_links: Vec::new(),
        inn: Vec::new(),
        in_links: Vec::new(),
        cluster,
    };
    for leaving in [true, false] {
        let raw = edge_seeds(graph, &waypoint.snap, leaving);
        let (seeds, links) = if cluster == NONE {
            raw.into_iter()
                .map(|(s, via_from)| {
                    (
                        s,
                        Link {
                            via_from_node: via_from,
                            edges: vec![],
                        },
                    )
                })
                .unzip()
        } else {
            let tree = cluster_search(graph, overlay, cluster, &raw, leaving);
            let mut seeds = Vec::new();
            let mut links = Vec::new();
            for &g in &overlay.gateways[cluster as usize] {
                if let Some(reached) = tree.get(&g) {
                    seeds.push(Seed {
                        node: g,
                        ms: reached.cost.ms,
                        cm: reached.cost.cm,
                    });
                    links.push(tree_link(&tree, g, leaving));
                }
            }
            (seeds, links)
        };
        if leaving {
            a.out = seeds;
            a.out_links = links;
        } else {
            a.inn = seeds;
            a.in_links = links;
        }
    }
    a
}

/// A node reached by a search inside a private cluster.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reached {
    pub cost: Cost,
    /// (previous node, edge, travelled backward) or `None` at a raw seed (with its side).
    pub parent: Option<(NodeIdx, EdgeIdx, bool)>,
    pub via_from_node: bool,
}

/// Dijkstra inside one private cluster, from the raw seeds of a point (`leaving`) or
/// backwards towards them (arriving).
pub(crate) fn cluster_search(
    graph: &RoadGraph,
    overlay: &Overlay,
    cluster: u32,
    raw: &[(Seed, bool)],
    leaving: bool,
) -> HashMap<NodeIdx, Reached> {
    let mut reached: HashMap<NodeIdx, Reached> = HashMap::new();
    let mut heap = BinaryHeap::new();
    for &(s, via_from) in raw {
        if reached.get(&s.node).is_none_or(|r| s.ms < r.cost.ms) {
            reached.insert(
                s.node,
                Reached {
                    cost: Cost { ms: s.ms, cm: s.cm },
                    parent: None,
                    via_from_node: via_from,
                },
            );
            heap.push(Reverse((s.ms, s.node)));
        }
    }
    while let Some(Reverse((d, v))) = heap.pop() {
        let here = reached[&v];
        if d != here.cost.ms {
            continue;
        }
        for &e in graph.incident_edges(v) {
            if overlay.cluster_of_edge[e as usize] != cluster {
                continue;
            }
            let edge = graph.edge(e);
            // Leaving: travel v → other. Arriving (searching backwards): travel other → v.
            let (other, travel_backward) = if edge.from == v {
                (edge.to, !leaving)
            } else {
                (edge.from, leaving)
            };
            let Some(ms) = edge.duration_ms(travel_backward) else {
                continue;
            };
            let nd = d + ms;
            if reached.get(&other).is_none_or(|r| nd < r.cost.ms) {
                reached.insert(
                    other,
                    Reached {
                        cost: Cost {
                            ms: nd,
                            cm: here.cost.cm + edge.length_cm,
                        },
                        parent: Some((v, e, travel_backward)),
                        via_from_node: here.via_from_node,
                    },
                );
                heap.push(Reverse((nd, other)));
            }
        }
    }
    reached
}

/// The link from the point to node `n` (leaving) or from `n` to the point (arriving).
pub(crate) fn tree_link(tree: &HashMap<NodeIdx, Reached>, n: NodeIdx, leaving: bool) -> Link {
    let mut edges = Vec::new();
    let mut at = n;
    let mut via_from_node = false;
    while let Some(r) = tree.get(&at) {
        via_from_node = r.via_from_node;
        match r.parent {
            Some((prev, e, backward)) => {
                edges.push((e, backward));
                at = prev;
            }
            None => break,
        }
    }
    if leaving {
        edges.reverse();
    }
    Link {
        via_from_node,
        edges,
    }
}

/// Checks a coordinate pair before anything else looks at it.
pub(crate) fn check_coordinate(point: Point<f64>) -> Result<(), RoadError> {
    let (lon, lat) = (point.x(), point.y());
    let valid = (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
    if !valid {
        return Err(RoadError::InvalidCoordinate { lon, lat });
    }
    Ok(())
}
