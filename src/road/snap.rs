//! Snapping a point to the nearest usable road: an R-tree over every segment of every edge,
//! in a local metric projection so that "nearest" means nearest in metres.

use geo::{Coord, Distance, Haversine, Point, Rect};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};
use serde::Serialize;

use super::graph::{EdgeIdx, RoadGraph};

/// Metres per degree of latitude (spherical earth, the radius `Haversine` uses).
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// Equirectangular projection around a reference latitude: accurate to well under a
/// percent across a city.
#[derive(Clone, Copy, Debug)]
struct Projection {
    m_per_deg_lon: f64,
}

impl Projection {
    fn around(lat: f64) -> Self {
        Projection {
            m_per_deg_lon: M_PER_DEG * lat.to_radians().cos(),
        }
    }

    fn project(&self, c: Coord<f64>) -> [f64; 2] {
        [c.x * self.m_per_deg_lon, c.y * M_PER_DEG]
    }

    fn unproject(&self, p: [f64; 2]) -> Coord<f64> {
        Coord {
            x: p[0] / self.m_per_deg_lon,
            y: p[1] / M_PER_DEG,
        }
    }
}

type Segment = GeomWithData<Line<[f64; 2]>, (EdgeIdx, u32)>;

/// The spatial index of one mode's edges.
#[derive(Clone)]
pub(crate) struct SnapIndex {
    projection: Projection,
    tree: RTree<Segment>,
}

/// Where a point meets the road network.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Snap {
    /// The edge snapped to.
    pub edge: EdgeIdx,
    /// The nearest point on that edge (WGS84 degrees).
    pub point: Point<f64>,
    /// Distance from the given point to the road, in metres.
    pub distance_m: f64,
    /// Distance along the edge from its `from` node, in centimetres.
    pub offset_cm: u32,
    /// Index of the geometry segment the point lies on.
    pub segment: u32,
}

impl SnapIndex {
    pub fn build(graph: &RoadGraph, bounds: Rect<f64>) -> Self {
        let projection = Projection::around(bounds.center().y);
        let mut segments = Vec::with_capacity(graph.geometry.len());
        for e in 0..graph.num_edges() as EdgeIdx {
            let g = graph.edge_geometry(e);
            for (k, pair) in g.windows(2).enumerate() {
                segments.push(GeomWithData::new(
                    Line::new(projection.project(pair[0]), projection.project(pair[1])),
                    (e, k as u32),
                ));
            }
        }
        SnapIndex {
            projection,
            tree: RTree::bulk_load(segments),
        }
    }

    /// The nearest point on an edge for which `usable(edge)` holds, searching no farther than
    /// `max_m`; `Err(nearest distance)` when none is that close (`None` if none at all within
    /// four times the limit).
    pub fn snap(
        &self,
        graph: &RoadGraph,
        point: Point<f64>,
        max_m: f64,
        usable: impl Fn(EdgeIdx) -> bool,
    ) -> Result<Snap, Option<f64>> {
        let q = self.projection.project(point.0);
        // The projection's distances are within a percent of the true ones; search a little
        // past the limit and decide on the true (haversine) distance.
        let search_limit2 = (max_m * 4.0).powi(2);
        let mut found = None;
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            if d2 > search_limit2 {
                break;
            }
            if usable(seg.data.0) {
                found = Some(seg);
                break;
            }
        }
        let seg = found.ok_or(None)?;
        let (edge, k) = seg.data;
        let line = seg.geom();
        let nearest = nearest_on_segment(line.from, line.to, q);
        let on_road = Point::from(self.projection.unproject(nearest));
        let distance_m = Haversine.distance(point, on_road);
        if distance_m > max_m {
            return Err(Some(distance_m));
        }
        let g = graph.edge_geometry(edge);
        let mut offset_m = 0.0;
        for pair in g[..=k as usize].windows(2) {
            offset_m += Haversine.distance(Point::from(pair[0]), Point::from(pair[1]));
        }
        offset_m += Haversine.distance(Point::from(g[k as usize]), on_road);
        let length_cm = graph.edge(edge).length_cm;
        Ok(Snap {
            edge,
            point: on_road,
            distance_m,
            offset_cm: ((offset_m * 100.0).round() as u32).min(length_cm),
            segment: k,
        })
    }

    /// Heap memory in bytes (approximate: the tree's leaves plus a quarter for inner nodes).
    pub fn memory_bytes(&self) -> usize {
        self.tree.size() * std::mem::size_of::<Segment>() * 5 / 4
    }
}

fn nearest_on_segment(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> [f64; 2] {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return a;
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    [a[0] + t * dx, a[1] + t * dy]
}

/// Distance in metres from a point to a rectangle (0 inside).
pub(crate) fn distance_to_rect_m(point: Point<f64>, rect: Rect<f64>) -> f64 {
    let clamped = Point::new(
        point.x().clamp(rect.min().x, rect.max().x),
        point.y().clamp(rect.min().y, rect.max().y),
    );
    Haversine.distance(point, clamped)
}
