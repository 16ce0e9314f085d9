//! Streets as the geocoder sees them: the named ways of one street joined into a cluster
//! (same name, connected or close), with a point on it and where it meets another street.

use geo::{Coord, LineString};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::index::line_length_m;
use super::names::street_key;
use crate::osm::RawMap;

/// Ways of one street further apart than this are different streets of the same name.
const SAME_STREET_GAP_M: f64 = 250.0;

/// The geometry of one street: its ways, with node ids (sorted) for finding crossings.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct StreetGeom {
    pub lines: Vec<LineString<f64>>,
    pub nodes: Vec<(i64, Coord<f64>)>,
}

/// A street cluster before it becomes an entity.
pub(crate) struct Cluster {
    pub key: String,
    pub display: String,
    pub names: Vec<String>,
    pub geom: StreetGeom,
}

/// Metres per degree of latitude; longitude scaled by cos(latitude).
const M_PER_DEG: f64 = 111_320.0;

/// Equirectangular distance in metres: exact enough within a city.
pub(crate) fn dist_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let k = (0.5 * (a.y + b.y)).to_radians().cos();
    let dx = (a.x - b.x) * k * M_PER_DEG;
    let dy = (a.y - b.y) * M_PER_DEG;
    (dx * dx + dy * dy).sqrt()
}

/// Distance in metres from `p` to the segment `a`–`b`, and the nearest point on it.
pub(crate) fn point_segment_m(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> (f64, Coord<f64>) {
    let k = p.y.to_radians().cos();
    let (ax, ay) = ((a.x - p.x) * k, a.y - p.y);
    let (bx, by) = ((b.x - p.x) * k, b.y - p.y);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = Coord {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
    };
    (dist_m(p, q), q)
}

impl StreetGeom {
    pub(crate) fn length_m(&self) -> f64 {
        self.lines.iter().map(line_length_m).sum()
    }

    /// The middle (by length) of the longest way: a point on the street.
    pub(crate) fn midpoint(&self) -> Coord<f64> {
        let Some(longest) = self
            .lines
            .iter()
            .max_by(|a, b| line_length_m(a).total_cmp(&line_length_m(b)))
        else {
            return Coord { x: 0.0, y: 0.0 };
        };
        let half = line_length_m(longest) / 2.0;
        let mut run = 0.0;
        for w in longest.0.windows(2) {
            let d = dist_m(w[0], w[1]);
            if run + d >= half && d > 0.0 {
                let t = (half - run) / d;
                return Coord {
                    x: w[0].x + (w[1].x - w[0].x) * t,
                    y: w[0].y + (w[1].y - w[0].y) * t,
                };
            }
            run += d;
        }
        longest.0[0]
    }

    /// `p` when it lies within `max_m` of the street, else the nearest point on the street.
    pub(crate) fn snap(&self, p: Coord<f64>, max_m: f64) -> Coord<f64> {
        let best = self
            .lines
            .iter()
            .flat_map(|l| l.0.windows(2))
            .map(|w| point_segment_m(p, w[0], w[1]))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((d, q)) if d > max_m => q,
            _ => p,
        }
    }

    /// Where this street meets `other`: a shared node, else the closest approach when the
    /// two come within `max_gap_m`. Returns the point and the gap in metres.
    pub(crate) fn crossing(&self, other: &StreetGeom, max_gap_m: f64) -> Option<(Coord<f64>, f64)> {
        let (mut i, mut j) = (0, 0);
        let mut shared = Vec::new();
        while i < self.nodes.len() && j < other.nodes.len() {
            match self.nodes[i].0.cmp(&other.nodes[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared.push(self.nodes[i].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        if let Some(&first) = shared.first() {
            // A dual carriageway crosses in several nodes close together: take their middle.
            let near: Vec<Coord<f64>> = shared
                .iter()
                .copied()
                .filter(|c| dist_m(*c, first) < 80.0)
                .collect();
            let n = near.len() as f64;
            let x = near.iter().map(|c| c.x).sum::<f64>() / n;
            let y = near.iter().map(|c| c.y).sum::<f64>() / n;
            return Some((Coord { x, y }, 0.0));
        }
        let mut best: Option<(Coord<f64>, f64)> = None;
        for la in &self.lines {
            for a in &la.0 {
                for lb in &other.lines {
                    for w in lb.0.windows(2) {
                        let (d, q) = point_segment_m(*a, w[0], w[1]);
                        if d <= max_gap_m && best.is_none_or(|(_, bd)| d < bd) {
                            let mid = Coord {
                                x: (a.x + q.x) / 2.0,
                                y: (a.y + q.y) / 2.0,
                            };
                            best = Some((mid, d));
                        }
                    }
                }
            }
        }
        best
    }
}

/// Groups named roads into streets: same key, and connected or within [`SAME_STREET_GAP_M`].
pub(crate) fn cluster_streets(map: &RawMap) -> Vec<Cluster> {
    let mut by_key: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, r) in map.roads.iter().enumerate() {
        let Some(name) = r.names.name.as_deref() else {
            continue;
        };
        if matches!(
            r.highway.as_str(),
            "platform" | "bus_stop" | "elevator" | "proposed" | "construction"
        ) {
            continue;
        }
        let key = street_key(name);
        if key.chars().count() >= 2 {
            by_key.entry(key).or_default().push(i);
        }
    }
    let mut keys: Vec<String> = by_key.keys().cloned().collect();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let ways = &by_key[&key];
        let mut parent: Vec<usize> = (0..ways.len()).collect();
        fn find(p: &mut [usize], i: usize) -> usize {
            let mut r = i;
            while p[r] != r {
                r = p[r];
            }
            let mut i = i;
            while p[i] != r {
                let next = p[i];
                p[i] = r;
                i = next;
            }
            r
        }
        for a in 0..ways.len() {
            for b in (a + 1)..ways.len() {
                if find(&mut parent, a) == find(&mut parent, b) {
                    continue;
                }
                let ra = &map.roads[ways[a]];
                let rb = &map.roads[ways[b]];
                let shares = ra.nodes.iter().any(|n| rb.nodes.contains(n));
                let close = !shares && ends_close(&ra.coords, &rb.coords);
                if shares || close {
                    let (x, y) = (find(&mut parent, a), find(&mut parent, b));
                    parent[x] = y;
                }
            }
        }
        let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
        for (a, &way) in ways.iter().enumerate() {
            let root = find(&mut parent, a);
            groups.entry(root).or_default().push(way);
        }
        let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
        groups.sort();
        for g in groups {
            let mut names: Vec<String> = Vec::new();
            let mut counts: FxHashMap<String, usize> = FxHashMap::default();
            let mut geom = StreetGeom::default();
            for &wi in &g {
                let r = &map.roads[wi];
                for n in r.names.all() {
                    if !names.iter().any(|x| x == n) {
                        names.push(n.to_string());
                    }
                }
                if let Some(n) = &r.names.name {
                    *counts.entry(n.clone()).or_default() += 1;
                }
                geom.lines.push(LineString(r.coords.clone()));
                geom.nodes
                    .extend(r.nodes.iter().zip(&r.coords).map(|(n, c)| (n.0, *c)));
            }
            geom.nodes.sort_by_key(|(n, _)| *n);
            geom.nodes.dedup_by_key(|(n, _)| *n);
            let display = counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(n, _)| n)
                .unwrap_or_else(|| key.clone());
            out.push(Cluster {
                key: key.clone(),
                display,
                names,
                geom,
            });
        }
    }
    out
}

fn ends_close(a: &[Coord<f64>], b: &[Coord<f64>]) -> bool {
    let ends = |v: &[Coord<f64>]| [v[0], v[v.len() - 1]];
    for p in ends(a) {
        for q in b {
            if dist_m(p, *q) < SAME_STREET_GAP_M {
                return true;
            }
        }
    }
    for p in ends(b) {
        for q in a {
            if dist_m(p, *q) < SAME_STREET_GAP_M {
                return true;
            }
        }
    }
    false
}
