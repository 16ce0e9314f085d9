//! The road graph of one travel mode, built from the raw map's roads.
//!
//! Ways are cut at every node another usable way shares and at barriers that stop the mode;
//! each piece becomes one [`Edge`] between two graph nodes, with its polyline, length and
//! travel time per direction. A barrier that stops the mode gets a separate graph node for
//! every piece that ends there, so nothing passes through it.

use std::collections::HashMap;

use geo::{Coord, Distance, Haversine, Point};

use crate::osm::{Names, OsmNodeId, OsmWayId, RawMap};

use super::mode::{ModeProfile, RoadClass, TravelMode};

/// "No value" in the `u32` fields of the graph (a direction that may not be travelled, ...).
pub(crate) const NONE: u32 = u32::MAX;

/// Index of a node in a [`RoadGraph`].
pub type NodeIdx = u32;
/// Index of an edge in a [`RoadGraph`].
pub type EdgeIdx = u32;

/// One piece of road between two graph nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: NodeIdx,
    pub to: NodeIdx,
    /// Start and length of the polyline (from `from` to `to`) in the graph's geometry.
    pub(crate) geometry_start: u32,
    pub(crate) geometry_len: u32,
    /// Length in centimetres.
    pub length_cm: u32,
    /// Travel time `from` → `to` in milliseconds, `u32::MAX` when not allowed.
    pub forward_ms: u32,
    /// Travel time `to` → `from` in milliseconds, `u32::MAX` when not allowed.
    pub backward_ms: u32,
    /// The way it belongs to (see [`RoadGraph::way_of`]).
    pub way: u32,
    /// Usable by this mode only at the start or end of a trip.
    pub private: bool,
}

impl Edge {
    /// Travel time in ms in one direction (`backward` = against the way), if allowed.
    pub fn duration_ms(&self, backward: bool) -> Option<u32> {
        let ms = if backward {
            self.backward_ms
        } else {
            self.forward_ms
        };
        (ms != NONE).then_some(ms)
    }
}

/// The way an edge belongs to, as the directions name it.
#[derive(Clone, Debug, PartialEq)]
pub struct WayInfo {
    pub osm_id: OsmWayId,
    /// The Chinese (main) name.
    pub name_zh: Option<String>,
    /// An English name (`name:en`, the English half of `红军街 - Hongjun Street`, or pinyin).
    pub name_en: Option<String>,
    pub class: RoadClass,
    /// Tagged `access=private` or similar (for walkers, informational).
    pub tagged_private: bool,
}

/// What the build kept and dropped, for the import log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildStats {
    pub roads_in_map: usize,
    pub roads_used: usize,
    /// Roads whose node and coordinate lists disagree or that have fewer than two nodes.
    pub roads_malformed: usize,
    pub barriers_stopping: usize,
}

/// The road graph of one travel mode. Coordinates are WGS84 degrees (`x` = longitude).
#[derive(Clone, Debug)]
pub struct RoadGraph {
    pub mode: TravelMode,
    pub(crate) node_coords: Vec<Coord<f64>>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) geometry: Vec<Coord<f64>>,
    pub(crate) ways: Vec<WayInfo>,
    /// Edges touching each node: `incident[incident_first[n]..incident_first[n + 1]]`.
    incident_first: Vec<u32>,
    incident: Vec<EdgeIdx>,
    pub stats: BuildStats,
}

impl RoadGraph {
    /// Builds the graph of `profile.mode` from the map's roads and barriers.
    pub fn build(map: &RawMap, profile: &ModeProfile) -> RoadGraph {
        let mut stats = BuildStats {
            roads_in_map: map.roads.len(),
            ..BuildStats::default()
        };
        let stopping: std::collections::HashSet<OsmNodeId> = map
            .barriers
            .iter()
            .filter(|b| profile.is_stopped_by_barrier(&b.tags))
            .map(|b| b.id)
            .collect();
        stats.barriers_stopping = stopping.len();

        let mut usable = Vec::new();
        for (i, road) in map.roads.iter().enumerate() {
            if road.nodes.len() != road.coords.len() || road.nodes.len() < 2 {
                stats.roads_malformed += 1;
                continue;
            }
            if let Some(u) = profile.road_use(&road.highway, &road.tags, road.names.name.as_deref())
            {
                usable.push((i, u));
            }
        }
        stats.roads_used = usable.len();

        let mut uses: HashMap<OsmNodeId, u32> = HashMap::new();
        for &(i, _) in &usable {
            for n in &map.roads[i].nodes {
                *uses.entry(*n).or_default() += 1;
            }
        }

        let mut graph = RoadGraph {
            mode: profile.mode,
            node_coords: Vec::new(),
            edges: Vec::new(),
            geometry: Vec::new(),
            ways: Vec::with_capacity(usable.len()),
            incident_first: Vec::new(),
            incident: Vec::new(),
            stats,
        };
        let mut node_of: HashMap<OsmNodeId, NodeIdx> = HashMap::new();
        for (i, road_use) in usable {
            let road = &map.roads[i];
            let way = graph.ways.len() as u32;
            let (name_zh, name_en) = split_names(&road.names);
            graph.ways.push(WayInfo {
                osm_id: road.id,
                name_zh,
                name_en,
                class: road_use.class,
                tagged_private: road_use.tagged_private,
            });
            // Drop repeated consecutive nodes: they add nothing and make zero-length pieces.
            let mut points: Vec<(OsmNodeId, Coord<f64>)> = Vec::with_capacity(road.nodes.len());
            for (&n, &c) in road.nodes.iter().zip(&road.coords) {
                if points.last().is_none_or(|&(last, _)| last != n) {
                    points.push((n, c));
                }
            }
            if points.len() < 2 {
                continue;
            }
            let is_cut = |k: usize, n: OsmNodeId| {
                k == 0
                    || k == points.len() - 1
                    || uses.get(&n).copied().unwrap_or(0) > 1
                    || stopping.contains(&n)
            };
            let mut cuts: Vec<usize> = (0..points.len())
                .filter(|&k| is_cut(k, points[k].0))
                .collect();
            // A piece that returns to its start (a ring) is cut in the middle so that it is
            // not a loop edge, which a shortest path could never use.
            let mut k = 0;
            while k + 1 < cuts.len() {
                let (a, b) = (cuts[k], cuts[k + 1]);
                if points[a].0 == points[b].0 && b - a >= 2 {
                    cuts.insert(k + 1, a + (b - a) / 2);
                }
                k += 1;
            }
            for pair in cuts.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let from = graph.node_for(&mut node_of, &stopping, points[a]);
                let to = graph.node_for(&mut node_of, &stopping, points[b]);
                if from == to {
                    continue;
                }
                let geometry_start = graph.geometry.len() as u32;
                let mut length_m = 0.0;
                for k in a..=b {
                    if k > a {
                        length_m += Haversine
                            .distance(Point::from(points[k - 1].1), Point::from(points[k].1));
                    }
                    graph.geometry.push(points[k].1);
                }
                let speed_mps = road_use.speed_kmh / 3.6;
                let ms = duration_ms(length_m, speed_mps);
                graph.edges.push(Edge {
                    from,
                    to,
                    geometry_start,
                    geometry_len: (b - a + 1) as u32,
                    length_cm: (length_m * 100.0).round() as u32,
                    forward_ms: if road_use.forward { ms } else { NONE },
                    backward_ms: if road_use.backward { ms } else { NONE },
                    way,
                    private: road_use.private,
                });
            }
        }
        graph.index_incidence();
        graph
    }

    fn node_for(
        &mut self,
        node_of: &mut HashMap<OsmNodeId, NodeIdx>,
        stopping: &std::collections::HashSet<OsmNodeId>,
        (osm, coord): (OsmNodeId, Coord<f64>),
    ) -> NodeIdx {
        if stopping.contains(&osm) {
            self.node_coords.push(coord);
            return (self.node_coords.len() - 1) as NodeIdx;
        }
        *node_of.entry(osm).or_insert_with(|| {
            self.node_coords.push(coord);
            (self.node_coords.len() - 1) as NodeIdx
        })
    }

    fn index_incidence(&mut self) {
        let n = self.node_coords.len();
        let mut count = vec![0u32; n + 1];
        for e in &self.edges {
            count[e.from as usize + 1] += 1;
            count[e.to as usize + 1] += 1;
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut next = count.clone();
        let mut incident = vec![0; count[n] as usize];
        for (i, e) in self.edges.iter().enumerate() {
            for node in [e.from, e.to] {
                incident[next[node as usize] as usize] = i as EdgeIdx;
                next[node as usize] += 1;
            }
        }
        self.incident_first = count;
        self.incident = incident;
    }

    /// Number of graph nodes.
    pub fn num_nodes(&self) -> usize {
        self.node_coords.len()
    }

    /// Number of edges (pieces of road).
    pub fn num_edges(&self) -> usize {
        self.edges.len()
    }

    /// The edge with this index.
    pub fn edge(&self, e: EdgeIdx) -> &Edge {
        &self.edges[e as usize]
    }

    /// The way an edge belongs to.
    pub fn way_of(&self, e: EdgeIdx) -> &WayInfo {
        &self.ways[self.edges[e as usize].way as usize]
    }

    /// The polyline of an edge, from its `from` node to its `to` node.
    pub fn edge_geometry(&self, e: EdgeIdx) -> &[Coord<f64>] {
        let edge = &self.edges[e as usize];
        let start = edge.geometry_start as usize;
        &self.geometry[start..start + edge.geometry_len as usize]
    }

    /// Position of a node.
    pub fn node_coord(&self, n: NodeIdx) -> Coord<f64> {
        self.node_coords[n as usize]
    }

    /// Edges touching a node (in either direction).
    pub fn incident_edges(&self, n: NodeIdx) -> &[EdgeIdx] {
        let (a, b) = (
            self.incident_first[n as usize] as usize,
            self.incident_first[n as usize + 1] as usize,
        );
        &self.incident[a..b]
    }

    /// Heap memory held, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.node_coords.capacity() * std::mem::size_of::<Coord<f64>>()
            + self.edges.capacity() * std::mem::size_of::<Edge>()
            + self.geometry.capacity() * std::mem::size_of::<Coord<f64>>()
            + self.ways.capacity() * std::mem::size_of::<WayInfo>()
            + self
                .ways
                .iter()
                .map(|w| {
                    w.name_zh.as_ref().map_or(0, |s| s.capacity())
                        + w.name_en.as_ref().map_or(0, |s| s.capacity())
                })
                .sum::<usize>()
            + (self.incident_first.capacity() + self.incident.capacity()) * 4
    }
}

/// Milliseconds to cover `length_m` at `speed_mps`, at least 1 (the contraction hierarchy
/// refuses zero weights).
pub(crate) fn duration_ms(length_m: f64, speed_mps: f64) -> u32 {
    ((length_m / speed_mps * 1000.0).round() as u32).max(1)
}

/// (Chinese, English) names of a way. `红军街 - Hongjun Street` splits into both halves.
fn split_names(names: &Names) -> (Option<String>, Option<String>) {
    let mut zh = names.name.clone();
    let mut en = names
        .variant("name:en")
        .map(str::to_string)
        .or_else(|| names.variant("name:zh_pinyin").map(str::to_string))
        .or_else(|| names.variant("name:zh-Latn-pinyin").map(str::to_string));
    if let Some(name) = &names.name
        && let Some((left, right)) = name.split_once(" - ")
        && right.is_ascii()
        && !left.is_ascii()
    {
        zh = Some(left.trim().to_string());
        if en.is_none() {
            en = Some(right.trim().to_string());
        }
    }
    if zh.is_none() {
        zh = names.variant("name:zh").map(str::to_string);
    }
    (zh, en)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::osm::{RawBarrier, RawRoad, Tags};
    use geo::Rect;

    pub(crate) fn tags(pairs: &[(&str, &str)]) -> Tags {
        Tags::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// A road through the given (node id, lon, lat) points.
    pub(crate) fn road(
        id: i64,
        highway: &str,
        name: Option<&str>,
        tag_pairs: &[(&str, &str)],
        points: &[(i64, f64, f64)],
    ) -> RawRoad {
        RawRoad {
            id: OsmWayId(id),
            nodes: points.iter().map(|p| OsmNodeId(p.0)).collect(),
            coords: points.iter().map(|p| Coord { x: p.1, y: p.2 }).collect(),
            highway: highway.into(),
            names: Names {
                name: name.map(str::to_string),
                variants: vec![],
            },
            tags: tags(tag_pairs),
        }
    }

    pub(crate) fn map(roads: Vec<RawRoad>, barriers: Vec<RawBarrier>) -> RawMap {
        RawMap {
            bounds: Rect::new(
                Coord {
                    x: 126.60,
                    y: 45.70,
                },
                Coord {
                    x: 126.70,
                    y: 45.80,
                },
            ),
            roads,
            barriers,
            areas: vec![],
            buildings: vec![],
            pois: vec![],
            addresses: vec![],
            interpolations: vec![],
            boundaries: vec![],
        }
    }

    #[test]
    fn ways_are_cut_at_shared_nodes_only() {
        // A long street 1-2-3-4-5 crossed at 3 by a side street 3-6-7.
        let m = map(
            vec![
                road(
                    10,
                    "residential",
                    Some("巴山街"),
                    &[],
                    &[
                        (1, 126.650, 45.750),
                        (2, 126.651, 45.750),
                        (3, 126.652, 45.750),
                        (4, 126.653, 45.750),
                        (5, 126.654, 45.750),
                    ],
                ),
                road(
                    11,
                    "residential",
                    Some("黑山街"),
                    &[],
                    &[
                        (3, 126.652, 45.750),
                        (6, 126.652, 45.751),
                        (7, 126.652, 45.752),
                    ],
                ),
            ],
            vec![],
        );
        let g = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Foot));
        assert_eq!(g.num_nodes(), 4);
        assert_eq!(g.num_edges(), 3);
        assert_eq!(g.edge_geometry(0).len(), 3);
        let len_m = g.edge(0).length_cm as f64 / 100.0;
        // 0.002° of longitude at 45.75° N ≈ 155.6 m
        assert!((155.0..156.5).contains(&len_m), "{len_m}");
        // 155.6 m at 4.5 km/h ≈ 124.5 s
        assert!((124_000..125_000).contains(&g.edge(0).forward_ms));
        assert_eq!(g.way_of(2).name_zh.as_deref(), Some("黑山街"));
        assert_eq!(g.incident_edges(g.edge(0).to).len(), 3);
    }

    #[test]
    fn barrier_splits_for_vans_not_walkers() {
        let m = map(
            vec![road(
                1,
                "service",
                None,
                &[],
                &[
                    (1, 126.650, 45.750),
                    (2, 126.651, 45.750),
                    (3, 126.652, 45.750),
                ],
            )],
            vec![RawBarrier {
                id: OsmNodeId(2),
                coord: Coord {
                    x: 126.651,
                    y: 45.750,
                },
                tags: tags(&[("barrier", "bollard")]),
            }],
        );
        let foot = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Foot));
        assert_eq!((foot.num_nodes(), foot.num_edges()), (2, 1));
        let van = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Van));
        assert_eq!((van.num_nodes(), van.num_edges()), (4, 2));
        assert_ne!(van.edge(0).to, van.edge(1).from);
    }

    #[test]
    fn rings_become_two_edges_and_malformed_roads_are_counted() {
        let mut broken = road(2, "residential", None, &[], &[(9, 126.6, 45.7)]);
        broken.nodes.push(OsmNodeId(10));
        let m = map(
            vec![
                road(
                    1,
                    "service",
                    None,
                    &[],
                    &[
                        (1, 126.650, 45.750),
                        (2, 126.651, 45.750),
                        (3, 126.651, 45.751),
                        (4, 126.650, 45.751),
                        (1, 126.650, 45.750),
                    ],
                ),
                broken,
            ],
            vec![],
        );
        let g = RoadGraph::build(&m, &ModeProfile::builtin(TravelMode::Foot));
        assert_eq!(g.num_edges(), 2);
        assert_eq!(g.stats.roads_malformed, 1);
        assert!(g.edges.iter().all(|e| e.from != e.to));
    }

    #[test]
    fn bilingual_names_are_split() {
        let names = Names {
            name: Some("红军街 - Hongjun Street".into()),
            variants: vec![],
        };
        assert_eq!(
            split_names(&names),
            (Some("红军街".into()), Some("Hongjun Street".into()))
        );
    }
}
