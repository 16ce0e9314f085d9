//! Queries on a prepared [`RoadNetwork`]: the travel cost between two points, a route with
//! geometry and directions, and many-to-many matrices — each also by plain Dijkstra, the
//! baseline the benchmarks and tests compare with.
//!
//! Every cost includes the walk between road and door at both ends. Paths that never touch
//! the through-route graph (two points on the same edge, or in the same private compound for a
//! vehicle) are found directly and compared with the graph path.

use geo::{LineString, Point};
use serde::Serialize;

use super::RoadError;
use super::directions::{self, Piece, Step};
use super::graph::{NONE, RoadGraph};
use super::locate::{self, Anchor, Link, Waypoint, partial};
use super::matrix;
use super::mode::TravelMode;
use super::network::{Located, ModeNetwork, RoadNetwork};
use super::query::{Cost, FoundPath, Seed};

/// Travel time and distance of a trip, door to door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TravelCost {
    pub duration_ms: u32,
    pub distance_cm: u32,
}

impl TravelCost {
    /// Duration in seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_ms as f64 / 1000.0
    }

    /// Distance in metres.
    pub fn distance_m(&self) -> f64 {
        self.distance_cm as f64 / 100.0
    }

    fn from_cost(c: Cost) -> Option<TravelCost> {
        c.is_reachable().then_some(TravelCost {
            duration_ms: c.ms,
            distance_cm: c.cm,
        })
    }
}

/// A route from door to door, for a route sheet and the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Route {
    pub mode: TravelMode,
    pub from: Waypoint,
    pub to: Waypoint,
    /// Door to door, metres.
    pub distance_m: f64,
    /// Door to door, seconds.
    pub duration_s: f64,
    /// From the served start point to the served end point (WGS84, `x` = longitude).
    pub geometry: LineString<f64>,
    pub steps: Vec<Step>,
}

/// Travel costs from every source to every destination.
#[derive(Clone, Debug, PartialEq)]
pub struct TravelMatrix {
    pub mode: TravelMode,
    pub sources: Vec<Waypoint>,
    pub destinations: Vec<Waypoint>,
    /// Row-major, `u32::MAX` where unreachable.
    ms: Vec<u32>,
    cm: Vec<u32>,
}

impl TravelMatrix {
    /// Door-to-door cost from source `i` to destination `j`; `None` when there is no route.
    pub fn get(&self, i: usize, j: usize) -> Option<TravelCost> {
        let k = i * self.destinations.len() + j;
        TravelCost::from_cost(Cost {
            ms: *self.ms.get(k)?,
            cm: *self.cm.get(k)?,
        })
    }

    /// Duration in seconds, `None` when unreachable.
    pub fn duration_s(&self, i: usize, j: usize) -> Option<f64> {
        self.get(i, j).map(|c| c.duration_s())
    }

    /// Distance in metres, `None` when unreachable.
    pub fn distance_m(&self, i: usize, j: usize) -> Option<f64> {
        self.get(i, j).map(|c| c.distance_m())
    }

    /// Number of unreachable cells.
    pub fn unreachable_count(&self) -> usize {
        self.ms.iter().filter(|&&v| v == NONE).count()
    }
}

fn add(a: Cost, b: Cost) -> Cost {
    if a.is_reachable() && b.is_reachable() {
        Cost {
            ms: a.ms + b.ms,
            cm: a.cm + b.cm,
        }
    } else {
        Cost::UNREACHABLE
    }
}

/// The whole edge `e`, travelled backward or not.
fn full_piece(graph: &RoadGraph, e: u32, backward: bool) -> Piece {
    let edge = graph.edge(e);
    let ms = edge.duration_ms(backward).unwrap_or(0);
    let (start_cm, end_cm) = if backward {
        (edge.length_cm, 0)
    } else {
        (0, edge.length_cm)
    };
    Piece {
        edge: e,
        start_cm,
        end_cm,
        ms,
    }
}

/// Part of the snapped edge, from the point out through one end (`leaving`) or in from one end.
fn end_piece(graph: &RoadGraph, a: &Anchor, via_from_node: bool, leaving: bool) -> Piece {
    let e = a.waypoint.snap.edge;
    let edge = graph.edge(e);
    let off = a.waypoint.snap.offset_cm;
    // Leaving through `from` or arriving from `to` runs against the edge.
    let backward = via_from_node == leaving;
    let (start_cm, end_cm) = match (leaving, via_from_node) {
        (true, true) => (off, 0),
        (true, false) => (off, edge.length_cm),
        (false, true) => (0, off),
        (false, false) => (edge.length_cm, off),
    };
    let ms = partial(
        edge,
        edge.duration_ms(backward).unwrap_or(0),
        start_cm.abs_diff(end_cm),
    )
    .ms;
    Piece {
        edge: e,
        start_cm,
        end_cm,
        ms,
    }
}

fn push_link(graph: &RoadGraph, link: &Link, pieces: &mut Vec<Piece>) {
    pieces.extend(link.edges.iter().map(|&(e, b)| full_piece(graph, e, b)));
}

/// Paths that do not use the through-route graph: along the shared edge, or inside the shared
/// private cluster. Returns the cost and, when asked, the pieces.
fn direct(m: &ModeNetwork, a: &Anchor, b: &Anchor, with_pieces: bool) -> (Cost, Vec<Piece>) {
    let graph = &m.graph;
    let mut best = Cost::UNREACHABLE;
    let mut pieces = Vec::new();
    let (ea, eb) = (a.waypoint.snap.edge, b.waypoint.snap.edge);
    if ea == eb {
        let edge = graph.edge(ea);
        let (oa, ob) = (a.waypoint.snap.offset_cm, b.waypoint.snap.offset_cm);
        let backward = oa > ob;
        if let Some(ms) = edge.duration_ms(backward) {
            let c = partial(edge, ms, oa.abs_diff(ob));
            if c.ms < best.ms {
                best = c;
                if with_pieces {
                    pieces = vec![Piece {
                        edge: ea,
                        start_cm: oa,
                        end_cm: ob,
                        ms: c.ms,
                    }];
                }
            }
        }
    }
    if a.cluster != NONE && a.cluster == b.cluster {
        let raw_out = locate::edge_seeds(graph, &a.waypoint.snap, true);
        let tree = locate::cluster_search(graph, &m.overlay, a.cluster, &raw_out, true);
        for (seed, via_from) in locate::edge_seeds(graph, &b.waypoint.snap, false) {
            let Some(r) = tree.get(&seed.node) else {
                continue;
            };
            let c = add(
                r.cost,
                Cost {
                    ms: seed.ms,
                    cm: seed.cm,
                },
            );
            if c.ms < best.ms {
                best = c;
                if with_pieces {
                    let link = locate::tree_link(&tree, seed.node, true);
                    pieces = vec![end_piece(graph, a, link.via_from_node, true)];
                    push_link(graph, &link, &mut pieces);
                    pieces.push(end_piece(graph, b, via_from, false));
                }
            }
        }
    }
    (best, pieces)
}

impl RoadNetwork {
    fn check_same_mode<'a>(
        &'a self,
        a: &Located,
        b: &Located,
    ) -> Result<&'a ModeNetwork, RoadError> {
        self.check_located(&[a, b])
    }

    /// The door-to-door cost between two located points through the hierarchy; `Ok(None)`
    /// when there is no route.
    pub fn cost(&self, from: &Located, to: &Located) -> Result<Option<TravelCost>, RoadError> {
        let m = self.check_same_mode(from, to)?;
        let (a, b) = (&from.anchor, &to.anchor);
        let via_graph = m
            .with_query(|q| q.run(&m.ch, &a.out, &b.inn, false))
            .map_or(Cost::UNREACHABLE, |p| p.cost);
        let (local, _) = direct(m, a, b, false);
        let best = if local.ms < via_graph.ms {
            local
        } else {
            via_graph
        };
        Ok(TravelCost::from_cost(add(add(a.door, best), b.door)))
    }

    /// The same cost by plain Dijkstra (the baseline).
    pub fn cost_dijkstra(
        &self,
        from: &Located,
        to: &Located,
    ) -> Result<Option<TravelCost>, RoadError> {
        let m = self.check_same_mode(from, to)?;
        let (a, b) = (&from.anchor, &to.anchor);
        let via_graph = m.with_dijkstra(|d| d.one_to_one(&m.overlay.arcs, &a.out, &b.inn));
        let (local, _) = direct(m, a, b, false);
        let best = if local.ms < via_graph.ms {
            local
        } else {
            via_graph
        };
        Ok(TravelCost::from_cost(add(add(a.door, best), b.door)))
    }

    /// The fastest route between two points, with geometry and directions.
    pub fn route(
        &self,
        mode: TravelMode,
        from: Point<f64>,
        to: Point<f64>,
    ) -> Result<Route, RoadError> {
        let a = self.locate(mode, from).map_err(|e| e.at("from"))?;
        let b = self.locate(mode, to).map_err(|e| e.at("to"))?;
        self.route_located(&a, &b)
    }

    /// [`RoadNetwork::route`] between points already located.
    pub fn route_located(&self, from: &Located, to: &Located) -> Result<Route, RoadError> {
        let m = self.check_same_mode(from, to)?;
        let graph = &m.graph;
        let (a, b) = (&from.anchor, &to.anchor);
        let found: Option<FoundPath> = m.with_query(|q| q.run(&m.ch, &a.out, &b.inn, true));
        let (local, local_pieces) = direct(m, a, b, true);
        let via_ms = found.as_ref().map_or(NONE, |p| p.cost.ms);
        let (cost, pieces) = if local.is_reachable() && local.ms <= via_ms {
            (local, local_pieces)
        } else if let Some(p) = found {
            let si = a.out.iter().position(|s| s.node == p.from_node);
            let ti = b.inn.iter().position(|s| s.node == p.to_node);
            let (Some(si), Some(ti)) = (si, ti) else {
                // The search only starts and ends at these seeds.
                return Err(RoadError::Unreachable { mode: from.mode });
            };
            let mut pieces = vec![end_piece(graph, a, a.out_links[si].via_from_node, true)];
            push_link(graph, &a.out_links[si], &mut pieces);
            pieces.extend(p.edges.iter().map(|&(e, bw)| full_piece(graph, e, bw)));
            push_link(graph, &b.in_links[ti], &mut pieces);
            pieces.push(end_piece(graph, b, b.in_links[ti].via_from_node, false));
            (p.cost, pieces)
        } else {
            return Err(RoadError::Unreachable { mode: from.mode });
        };
        let pieces: Vec<Piece> = pieces
            .into_iter()
            .filter(|p| p.start_cm != p.end_cm)
            .collect();
        let (geometry, steps) =
            directions::describe(graph, from.mode, &pieces, &a.waypoint, &b.waypoint);
        let total = add(add(a.door, cost), b.door);
        Ok(Route {
            mode: from.mode,
            from: a.waypoint,
            to: b.waypoint,
            distance_m: total.cm as f64 / 100.0,
            duration_s: total.ms as f64 / 1000.0,
            geometry,
            steps,
        })
    }

    /// The legs of a tour through `stops` in order, for a route sheet: one route per pair of
    /// consecutive stops. A leg without a route is an error in its place; the others stand.
    pub fn legs(&self, stops: &[Located]) -> Vec<Result<Route, RoadError>> {
        stops
            .windows(2)
            .enumerate()
            .map(|(i, pair)| {
                self.route_located(&pair[0], &pair[1])
                    .map_err(|e| e.at(&format!("legs[{i}]")))
            })
            .collect()
    }

    /// Checks a matrix's size against the configured limits before any work is done.
    pub fn check_matrix_size(&self, sources: usize, destinations: usize) -> Result<(), RoadError> {
        let c = &self.config;
        if sources == 0 || destinations == 0 {
            return Err(RoadError::EmptyMatrix);
        }
        if sources > c.max_matrix_locations
            || destinations > c.max_matrix_locations
            || sources.saturating_mul(destinations) > c.max_matrix_cells
        {
            return Err(RoadError::MatrixTooLarge {
                sources,
                destinations,
                max_locations: c.max_matrix_locations,
                max_cells: c.max_matrix_cells,
            });
        }
        Ok(())
    }

    /// Locates every point, collecting every failure with its place in the request
    /// (`sources[3]`, ...).
    pub fn locate_all(
        &self,
        mode: TravelMode,
        points: &[Point<f64>],
        field: &str,
    ) -> Result<Vec<Located>, RoadError> {
        let mut located = Vec::with_capacity(points.len());
        let mut errors = Vec::new();
        for (i, &p) in points.iter().enumerate() {
            match self.locate(mode, p) {
                Ok(l) => located.push(l),
                Err(e) => errors.push(e.at(&format!("{field}[{i}]"))),
            }
        }
        if errors.is_empty() {
            Ok(located)
        } else {
            Err(RoadError::InvalidRequest(errors))
        }
    }

    /// Door-to-door costs from every source to every destination (bucket many-to-many on
    /// the hierarchy, on all cores). Unreachable pairs are `None` in the result.
    pub fn matrix(
        &self,
        mode: TravelMode,
        sources: &[Point<f64>],
        destinations: &[Point<f64>],
    ) -> Result<TravelMatrix, RoadError> {
        self.check_matrix_size(sources.len(), destinations.len())?;
        let s = self.locate_all(mode, sources, "sources");
        let d = self.locate_all(mode, destinations, "destinations");
        match (s, d) {
            (Ok(s), Ok(d)) => self.matrix_located(&s, &d),
            (s, d) => {
                let mut errors = Vec::new();
                for e in [s.err(), d.err()].into_iter().flatten() {
                    match e {
                        RoadError::InvalidRequest(list) => errors.extend(list),
                        other => errors.push(other),
                    }
                }
                Err(RoadError::InvalidRequest(errors))
            }
        }
    }

    /// [`RoadNetwork::matrix`] between points already located.
    pub fn matrix_located(
        &self,
        sources: &[Located],
        destinations: &[Located],
    ) -> Result<TravelMatrix, RoadError> {
        self.matrix_with(sources, destinations, |m, out, inn| {
            matrix::bucket_matrix(&m.ch, out, inn)
        })
    }

    /// The same matrix by one plain Dijkstra per source (the baseline).
    pub fn matrix_dijkstra(
        &self,
        sources: &[Located],
        destinations: &[Located],
    ) -> Result<TravelMatrix, RoadError> {
        self.matrix_with(sources, destinations, |m, out, inn| {
            matrix::dijkstra_matrix(m.graph.num_nodes(), &m.overlay.arcs, out, inn)
        })
    }

    fn matrix_with(
        &self,
        sources: &[Located],
        destinations: &[Located],
        through_graph: impl Fn(&ModeNetwork, &[&[Seed]], &[&[Seed]]) -> Vec<Cost>,
    ) -> Result<TravelMatrix, RoadError> {
        self.check_matrix_size(sources.len(), destinations.len())?;
        let all: Vec<&Located> = sources.iter().chain(destinations).collect();
        let m = self.check_located(&all)?;
        let mode = sources[0].mode;
        let out: Vec<&[Seed]> = sources.iter().map(|l| l.anchor.out.as_slice()).collect();
        let inn: Vec<&[Seed]> = destinations
            .iter()
            .map(|l| l.anchor.inn.as_slice())
            .collect();
        let mut costs = through_graph(m, &out, &inn);
        let cols = destinations.len();
        // Pairs that may be joined without the through-route graph: same edge or cluster.
        let mut by_key: std::collections::HashMap<(bool, u32), Vec<usize>> = Default::default();
        for (j, l) in destinations.iter().enumerate() {
            by_key
                .entry((false, l.anchor.waypoint.snap.edge))
                .or_default()
                .push(j);
            if l.anchor.cluster != NONE {
                by_key.entry((true, l.anchor.cluster)).or_default().push(j);
            }
        }
        for (i, s) in sources.iter().enumerate() {
            let a = &s.anchor;
            let mut near: Vec<usize> = by_key
                .get(&(false, a.waypoint.snap.edge))
                .cloned()
                .unwrap_or_default();
            if a.cluster != NONE
                && let Some(js) = by_key.get(&(true, a.cluster))
            {
                near.extend(js);
            }
            near.sort_unstable();
            near.dedup();
            for j in near {
                let (c, _) = direct(m, a, &destinations[j].anchor, false);
                let cell = &mut costs[i * cols + j];
                if c.ms < cell.ms {
                    *cell = c;
                }
            }
        }
        let (mut ms, mut cm) = (
            Vec::with_capacity(costs.len()),
            Vec::with_capacity(costs.len()),
        );
        for (k, c) in costs.into_iter().enumerate() {
            let total = add(
                add(sources[k / cols].anchor.door, c),
                destinations[k % cols].anchor.door,
            );
            ms.push(total.ms);
            cm.push(total.cm);
        }
        Ok(TravelMatrix {
            mode,
            sources: sources.iter().map(|l| l.anchor.waypoint).collect(),
            destinations: destinations.iter().map(|l| l.anchor.waypoint).collect(),
            ms,
            cm,
        })
    }
}
