//! Route geometry and turn-by-turn directions in Chinese and English, for route sheets:
//! "沿巴山街步行120米，左转进入黑山街" / "Walk 120 m along Bashan Street, then turn left onto
//! Heishan Street".

use geo::{Bearing, Coord, Distance, Haversine, LineString, Point};
use serde::Serialize;

use super::graph::{EdgeIdx, RoadGraph};
use super::locate::Waypoint;
use super::mode::{RoadClass, TravelMode};

/// A stretch of one edge: from offset `start_cm` to offset `end_cm` (offsets measured from
/// the edge's `from` node; `start_cm > end_cm` when travelled backward).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    pub edge: EdgeIdx,
    pub start_cm: u32,
    pub end_cm: u32,
    /// Travel time of this stretch in ms.
    pub ms: u32,
}

/// The kind of turn at the start of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Maneuver {
    /// Walk from the door to the road.
    WalkToRoad,
    Depart,
    Straight,
    SlightLeft,
    SlightRight,
    Left,
    Right,
    SharpLeft,
    SharpRight,
    UTurn,
    /// Walk from the road to the door (or to the checkpoint).
    WalkToDoor,
    Arrive,
}

impl Maneuver {
    fn from_angle(turn_deg: f64) -> Maneuver {
        let a = turn_deg.abs();
        let right = turn_deg > 0.0;
        match a {
            a if a < 20.0 => Maneuver::Straight,
            a if a < 60.0 => pick(right, Maneuver::SlightRight, Maneuver::SlightLeft),
            a if a < 120.0 => pick(right, Maneuver::Right, Maneuver::Left),
            a if a < 165.0 => pick(right, Maneuver::SharpRight, Maneuver::SharpLeft),
            _ => Maneuver::UTurn,
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Maneuver::Straight => "直行",
            Maneuver::SlightLeft => "稍向左转",
            Maneuver::SlightRight => "稍向右转",
            Maneuver::Left => "左转",
            Maneuver::Right => "右转",
            Maneuver::SharpLeft => "向左急转",
            Maneuver::SharpRight => "向右急转",
            Maneuver::UTurn => "掉头",
            _ => "",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Maneuver::Straight => "continue straight",
            Maneuver::SlightLeft => "bear left",
            Maneuver::SlightRight => "bear right",
            Maneuver::Left => "turn left",
            Maneuver::Right => "turn right",
            Maneuver::SharpLeft => "turn sharp left",
            Maneuver::SharpRight => "turn sharp right",
            Maneuver::UTurn => "make a U-turn",
            _ => "",
        }
    }
}

fn pick(right: bool, r: Maneuver, l: Maneuver) -> Maneuver {
    if right { r } else { l }
}

/// One line of a route sheet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// The turn that ends this step (`Arrive`, `WalkToDoor` for the last ones).
    pub maneuver: Maneuver,
    pub road_zh: String,
    pub road_en: String,
    pub distance_m: f64,
    pub duration_s: f64,
    pub instruction_zh: String,
    pub instruction_en: String,
    /// Where the step starts, `[longitude, latitude]`.
    pub location: [f64; 2],
}

/// A road's name for directions (Chinese, English, is it a real name), or a description of an
/// unnamed one.
fn road_names(graph: &RoadGraph, e: EdgeIdx) -> (String, String, bool) {
    let way = graph.way_of(e);
    match (&way.name_zh, &way.name_en) {
        (Some(zh), Some(en)) => (zh.clone(), en.clone(), true),
        (Some(zh), None) => (zh.clone(), zh.clone(), true),
        (None, Some(en)) => (en.clone(), en.clone(), true),
        (None, None) => {
            let (zh, en) = match way.class {
                RoadClass::Footway | RoadClass::Pedestrian | RoadClass::Path => {
                    ("人行道", "the footpath")
                }
                RoadClass::Steps => ("台阶", "the steps"),
                RoadClass::Service if way.tagged_private => ("小区内部道路", "the compound road"),
                RoadClass::Service => ("辅路", "the service road"),
                _ => ("无名道路", "the unnamed road"),
            };
            (zh.to_string(), en.to_string(), false)
        }
    }
}

/// Distances as a route sheet prints them: tens of metres below a kilometre.
fn distance_zh(m: f64) -> String {
    if m >= 1000.0 {
        format!("{:.1}公里", m / 1000.0)
    } else {
        format!("{}米", round_10(m))
    }
}

fn distance_en(m: f64) -> String {
    if m >= 1000.0 {
        format!("{:.1} km", m / 1000.0)
    } else {
        format!("{} m", round_10(m))
    }
}

fn round_10(m: f64) -> u32 {
    (((m / 10.0).round() as u32) * 10).max(10)
}

/// The coordinates of a piece, in travel order.
fn piece_coords(graph: &RoadGraph, p: &Piece, out: &mut Vec<Coord<f64>>) {
    let g = graph.edge_geometry(p.edge);
    let (lo, hi) = (p.start_cm.min(p.end_cm), p.start_cm.max(p.end_cm));
    if lo == 0 && hi == graph.edge(p.edge).length_cm {
        // A whole edge: its polyline as it is, no measuring.
        let mut push = |c: &Coord<f64>| {
            if out.last() != Some(c) {
                out.push(*c);
            }
        };
        if p.start_cm > p.end_cm {
            g.iter().rev().for_each(&mut push);
        } else {
            g.iter().for_each(&mut push);
        }
        return;
    }
    let mut part = Vec::new();
    let mut at_cm = 0.0;
    part.push(interpolate(g, lo as f64));
    for pair in g.windows(2) {
        at_cm += Haversine.distance(Point::from(pair[0]), Point::from(pair[1])) * 100.0;
        if at_cm > lo as f64 && at_cm < hi as f64 {
            part.push(pair[1]);
        }
    }
    part.push(interpolate(g, hi as f64));
    if p.start_cm > p.end_cm {
        part.reverse();
    }
    for c in part {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
}

/// The point `offset_cm` along a polyline.
fn interpolate(g: &[Coord<f64>], offset_cm: f64) -> Coord<f64> {
    let mut left = offset_cm / 100.0;
    for pair in g.windows(2) {
        let d = Haversine.distance(Point::from(pair[0]), Point::from(pair[1]));
        if left <= d {
            let t = if d > 0.0 { left / d } else { 0.0 };
            return Coord {
                x: pair[0].x + t * (pair[1].x - pair[0].x),
                y: pair[0].y + t * (pair[1].y - pair[0].y),
            };
        }
        left -= d;
    }
    g[g.len() - 1]
}

/// Bearing in degrees of the first (or last) few metres of a list of coordinates.
fn heading(coords: &[Coord<f64>], at_end: bool) -> Option<f64> {
    let pts: Vec<Coord<f64>> = if at_end {
        coords.iter().rev().copied().collect()
    } else {
        coords.to_vec()
    };
    let first = Point::from(*pts.first()?);
    // Look a little way along so that a tiny kink at the junction does not decide the turn.
    let mut target = None;
    for c in pts.iter().skip(1) {
        target = Some(Point::from(*c));
        if Haversine.distance(first, Point::from(*c)) > 15.0 {
            break;
        }
    }
    let target = target?;
    if first == target {
        return None;
    }
    let b = Haversine.bearing(first, target);
    Some(if at_end { (b + 180.0) % 360.0 } else { b })
}

struct Group {
    zh: String,
    en: String,
    named: bool,
    coords: Vec<Coord<f64>>,
    distance_m: f64,
    ms: u64,
}

impl Group {
    /// Appends the next group (its first coordinate is this one's last).
    fn absorb(&mut self, next: Group) {
        for c in next.coords {
            if self.coords.last() != Some(&c) {
                self.coords.push(c);
            }
        }
        self.distance_m += next.distance_m;
        self.ms += next.ms;
        // Ways of one street differ in whether they carry an English name; keep one that does.
        if self.en == self.zh && next.en != next.zh && next.zh == self.zh {
            self.en = next.en;
        }
    }
}

/// Consecutive pieces on the same street, tidied for reading: junction stubs under 10 m and
/// unnamed bits between two stretches of one street (a bridge, a slip lane) are folded in.
fn group_pieces(graph: &RoadGraph, pieces: &[Piece]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for p in pieces {
        let (zh, en, named) = road_names(graph, p.edge);
        let mut coords = Vec::new();
        piece_coords(graph, p, &mut coords);
        let g = Group {
            zh,
            en,
            named,
            coords,
            distance_m: p.start_cm.abs_diff(p.end_cm) as f64 / 100.0,
            ms: p.ms as u64,
        };
        match groups.last_mut() {
            Some(last) if last.zh == g.zh => last.absorb(g),
            _ => groups.push(g),
        }
    }
    loop {
        let n = groups.len();
        if n < 2 {
            break;
        }
        let stub = (0..n).find(|&k| groups[k].distance_m < 10.0);
        let sandwich = (1..n.saturating_sub(1)).find(|&k| {
            !groups[k].named
                && groups[k - 1].named
                && groups[k - 1].zh == groups[k + 1].zh
                && groups[k].distance_m < 1_000.0
        });
        let same = (1..n).find(|&k| groups[k - 1].zh == groups[k].zh);
        if let Some(k) = same {
            let g = groups.remove(k);
            groups[k - 1].absorb(g);
        } else if let Some(k) = sandwich {
            let g = groups.remove(k);
            groups[k - 1].absorb(g);
        } else if let Some(k) = stub {
            let g = groups.remove(k);
            if k > 0 {
                groups[k - 1].absorb(g);
            } else {
                let mut g = g;
                let next = groups.remove(0);
                // The stub leads into the next street: it takes the street's name.
                g.zh = next.zh.clone();
                g.en = next.en.clone();
                g.named = next.named;
                g.absorb(next);
                groups.insert(0, g);
            }
        } else {
            break;
        }
    }
    groups
}

/// Geometry and steps of a route made of `pieces`, between two waypoints.
pub(crate) fn describe(
    graph: &RoadGraph,
    mode: TravelMode,
    pieces: &[Piece],
    from: &Waypoint,
    to: &Waypoint,
) -> (LineString<f64>, Vec<Step>) {
    let mut groups = group_pieces(graph, pieces);
    let mut line: Vec<Coord<f64>> = vec![from.served.0];
    let mut steps = Vec::new();
    let verb_zh = mode.verb_zh();
    let verb_en = mode.verb_en();
    let door_leg = |m: f64| m >= 5.0;
    // Door legs too short for a step of their own still count in the first or last step, so
    // that the steps add up to the route.
    if !door_leg(from.door_distance_m)
        && let Some(g) = groups.first_mut()
    {
        g.distance_m += from.door_distance_m;
        g.ms += (from.door_duration_s * 1000.0).round() as u64;
    }
    if !door_leg(to.door_distance_m)
        && let Some(g) = groups.last_mut()
    {
        g.distance_m += to.door_distance_m;
        g.ms += (to.door_duration_s * 1000.0).round() as u64;
    }
    if door_leg(from.door_distance_m) {
        let (zh, en) = groups
            .first()
            .map(|g| (g.zh.clone(), g.en.clone()))
            .unwrap_or_default();
        steps.push(Step {
            maneuver: Maneuver::WalkToRoad,
            road_zh: zh.clone(),
            road_en: en.clone(),
            distance_m: from.door_distance_m,
            duration_s: from.door_duration_s,
            instruction_zh: format!("步行{}到达{zh}", distance_zh(from.door_distance_m)),
            instruction_en: format!("Walk {} to {en}", distance_en(from.door_distance_m)),
            location: [from.served.x(), from.served.y()],
        });
    }
    for (i, g) in groups.iter().enumerate() {
        let (zh, en) = (&g.zh, &g.en);
        let (then_zh, then_en, maneuver) = match groups.get(i + 1) {
            Some(next) => {
                let out = heading(&g.coords, true);
                let inn = heading(&next.coords, false);
                let turn = match (out, inn) {
                    (Some(o), Some(n)) => ((n - o + 540.0) % 360.0) - 180.0,
                    _ => 0.0,
                };
                let m = Maneuver::from_angle(turn);
                (
                    format!("，{}进入{}", m.zh(), next.zh),
                    format!(", then {} onto {}", m.en(), next.en),
                    m,
                )
            }
            None => (
                "，到达目的地".to_string(),
                " to the destination".to_string(),
                Maneuver::Arrive,
            ),
        };
        let start = g.coords.first().copied().unwrap_or(from.served.0);
        steps.push(Step {
            maneuver,
            road_zh: zh.clone(),
            road_en: en.clone(),
            distance_m: g.distance_m,
            duration_s: g.ms as f64 / 1000.0,
            instruction_zh: format!("沿{zh}{verb_zh}{}{then_zh}", distance_zh(g.distance_m)),
            instruction_en: format!(
                "{verb_en} {} along {en}{then_en}",
                distance_en(g.distance_m)
            ),
            location: [start.x, start.y],
        });
        for &c in &g.coords {
            if line.last() != Some(&c) {
                line.push(c);
            }
        }
    }
    if door_leg(to.door_distance_m) {
        if let Some(last) = steps.last_mut()
            && last.maneuver == Maneuver::Arrive
        {
            last.maneuver = Maneuver::WalkToDoor;
            last.instruction_zh = last.instruction_zh.replace("，到达目的地", "");
            last.instruction_en = last.instruction_en.replace(" to the destination", "");
        }
        let (zh, en) = if to.via_checkpoint_of.is_some() {
            ("到达卡口交接", "to the checkpoint and hand over the goods")
        } else {
            ("到达门口", "to the door")
        };
        steps.push(Step {
            maneuver: Maneuver::Arrive,
            road_zh: String::new(),
            road_en: String::new(),
            distance_m: to.door_distance_m,
            duration_s: to.door_duration_s,
            instruction_zh: format!("步行{}{zh}", distance_zh(to.door_distance_m)),
            instruction_en: format!("Walk {} {en}", distance_en(to.door_distance_m)),
            location: [to.snap.point.x(), to.snap.point.y()],
        });
    }
    if line.last() != Some(&to.served.0) {
        line.push(to.served.0);
    }
    if line.len() == 1 {
        line.push(to.served.0);
    }
    (LineString(line), steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_angles_and_distances() {
        assert_eq!(Maneuver::from_angle(-90.0), Maneuver::Left);
        assert_eq!(Maneuver::from_angle(85.0), Maneuver::Right);
        assert_eq!(Maneuver::from_angle(5.0), Maneuver::Straight);
        assert_eq!(Maneuver::from_angle(-40.0), Maneuver::SlightLeft);
        assert_eq!(Maneuver::from_angle(178.0), Maneuver::UTurn);
        assert_eq!(distance_zh(123.0), "120米");
        assert_eq!(distance_en(1530.0), "1.5 km");
        assert_eq!(distance_zh(2.0), "10米");
    }

    #[test]
    fn interpolate_along_polyline() {
        let g = [Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.001 }];
        let half = Haversine.distance(Point::new(0.0, 0.0), Point::new(0.0, 0.001)) * 50.0;
        let c = interpolate(&g, half);
        assert!((c.y - 0.0005).abs() < 1e-9);
        assert_eq!(interpolate(&g, 1e9), g[1]);
    }
}
