//! The sample district's map: a fictional grid of streets, compounds, buildings and POIs,
//! laid out in local metres and converted to WGS84 at the end.
//!
//! Layout (x east, y north, metres from the south-west corner): five north–south streets at
//! x = 0, 500, …, 2000 and four east–west streets at y = 0, 400, 800, 1200 make twelve blocks of
//! 500 × 400 m. Street nodes sit every 50 m on a lattice so that compound gates, footways and
//! crossings share node ids with the streets: the network is connected by construction.

use std::collections::BTreeMap;

use crate::osm::write::{MemberKind, OsmData, WriteMember, WriteNode, WriteRelation, WriteWay};

/// Where the district's south-west corner lies (WGS84 degrees). Open country east of a
/// real city, so that the fictional streets overlap nothing real.
pub const ORIGIN_LON: f64 = 126.90;
pub const ORIGIN_LAT: f64 = 45.70;

const M_PER_DEG_LAT: f64 = 110_574.0;

/// Local metres → (lon, lat) in degrees.
pub fn to_lonlat(x_m: f64, y_m: f64) -> (f64, f64) {
    let m_per_deg_lon = 111_320.0 * ORIGIN_LAT.to_radians().cos();
    (
        ORIGIN_LON + x_m / m_per_deg_lon,
        ORIGIN_LAT + y_m / M_PER_DEG_LAT,
    )
}

/// One street of the grid.
struct Street {
    name: &'static str,
    name_en: Option<&'static str>,
    highway: &'static str,
    oneway: bool,
}

#[rustfmt::skip]
const EW_STREETS: [(i64, Street); 4] = [
    (0, Street { name: "巴山街", name_en: Some("Bashan Street"), highway: "residential", oneway: false }),
    (400, Street { name: "黑山街", name_en: None, highway: "residential", oneway: false }),
    (800, Street { name: "学府路", name_en: Some("Xuefu Road"), highway: "secondary", oneway: false }),
    (1200, Street { name: "蓝天街", name_en: None, highway: "residential", oneway: false }),
];

#[rustfmt::skip]
const NS_STREETS: [(i64, Street); 5] = [
    (0, Street { name: "红军街", name_en: Some("Hongjun Street"), highway: "tertiary", oneway: false }),
    (500, Street { name: "士课街", name_en: None, highway: "residential", oneway: true }),
    (1000, Street { name: "国庆路", name_en: Some("Guoqing Road"), highway: "tertiary", oneway: false }),
    (1500, Street { name: "和兴路", name_en: None, highway: "residential", oneway: false }),
    (2000, Street { name: "奋进路", name_en: None, highway: "residential", oneway: false }),
];

/// How a compound numbers its buildings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildingStyle {
    /// `3栋`
    Dong,
    /// `12号楼`
    HaoLou,
}

impl BuildingStyle {
    pub fn label(self, n: u32) -> String {
        match self {
            BuildingStyle::Dong => format!("{n}栋"),
            BuildingStyle::HaoLou => format!("{n}号楼"),
        }
    }
}

/// A residential compound (小区) as laid out: the seed generator uses these to write
/// addresses that exist.
#[derive(Clone, Debug)]
pub struct Compound {
    pub name: &'static str,
    pub community: &'static str,
    pub style: BuildingStyle,
    pub buildings: u32,
    /// Rectangle in local metres: (x0, y0, x1, y1).
    pub rect_m: (i64, i64, i64, i64),
    /// The gate where the compound's service road meets the street.
    pub gate_m: (i64, i64),
}

struct CompoundSpec {
    name: &'static str,
    name_en: Option<&'static str>,
    style: BuildingStyle,
    rect_m: (i64, i64, i64, i64),
    /// The street y (or x) the gate opens to: `Gate::South(y)` means the spine runs north from
    /// the street at y.
    gate: Gate,
    private: bool,
    addr: Option<(&'static str, &'static str)>,
}

#[derive(Clone, Copy)]
enum Gate {
    South,
    North,
}

#[rustfmt::skip]
const COMPOUNDS: [CompoundSpec; 13] = [
    CompoundSpec { name: "鸿翔名苑", name_en: Some("Hongxiang Mingyuan"), style: BuildingStyle::Dong, rect_m: (15, 15, 485, 385), gate: Gate::South, private: true, addr: Some(("巴山街", "8")) },
    CompoundSpec { name: "巴山小区", name_en: None, style: BuildingStyle::HaoLou, rect_m: (515, 15, 735, 185), gate: Gate::South, private: true, addr: Some(("巴山街", "32")) },
    CompoundSpec { name: "士课小区", name_en: None, style: BuildingStyle::Dong, rect_m: (515, 215, 985, 385), gate: Gate::North, private: false, addr: None },
    CompoundSpec { name: "国庆家园", name_en: Some("Guoqing Jiayuan"), style: BuildingStyle::HaoLou, rect_m: (1015, 15, 1485, 385), gate: Gate::South, private: true, addr: Some(("巴山街", "56")) },
    CompoundSpec { name: "和兴小区", name_en: None, style: BuildingStyle::Dong, rect_m: (1515, 15, 1985, 385), gate: Gate::South, private: false, addr: None },
    CompoundSpec { name: "士课新村", name_en: None, style: BuildingStyle::Dong, rect_m: (515, 415, 985, 785), gate: Gate::South, private: false, addr: None },
    CompoundSpec { name: "翠湖苑", name_en: Some("Cuihu Garden"), style: BuildingStyle::HaoLou, rect_m: (1015, 415, 1485, 785), gate: Gate::North, private: true, addr: Some(("学府路", "66")) },
    CompoundSpec { name: "奋进小区", name_en: None, style: BuildingStyle::Dong, rect_m: (1515, 415, 1735, 785), gate: Gate::South, private: false, addr: None },
    CompoundSpec { name: "金桥嘉园", name_en: None, style: BuildingStyle::HaoLou, rect_m: (1765, 415, 1985, 785), gate: Gate::South, private: true, addr: None },
    CompoundSpec { name: "红军小区", name_en: None, style: BuildingStyle::Dong, rect_m: (15, 815, 485, 1185), gate: Gate::South, private: false, addr: None },
    CompoundSpec { name: "蓝天嘉苑", name_en: Some("Lantian Jiayuan"), style: BuildingStyle::HaoLou, rect_m: (515, 815, 985, 1185), gate: Gate::North, private: true, addr: None },
    CompoundSpec { name: "华府名都", name_en: None, style: BuildingStyle::Dong, rect_m: (1015, 815, 1485, 1185), gate: Gate::South, private: true, addr: Some(("学府路", "101")) },
    CompoundSpec { name: "松岚花园", name_en: Some("Songlan Garden"), style: BuildingStyle::Dong, rect_m: (1515, 815, 1985, 1185), gate: Gate::North, private: false, addr: None },
];

/// The communities (社区): (name, subdistrict, rect in local metres).
/// A rectangle in local metres: (x0, y0, x1, y1).
pub type RectM = (i64, i64, i64, i64);

pub const COMMUNITIES: [(&str, &str, RectM); 4] = [
    ("鸿翔社区", "奋进街道", (-60, -60, 1000, 800)),
    ("国庆社区", "和兴街道", (1000, -60, 2060, 800)),
    ("士课社区", "奋进街道", (-60, 800, 1000, 1260)),
    ("黑山社区", "和兴街道", (1000, 800, 2060, 1260)),
];

/// The community a local point lies in.
pub fn community_at(x_m: i64, y_m: i64) -> &'static str {
    COMMUNITIES
        .iter()
        .find(|(_, _, (x0, y0, x1, y1))| x_m >= *x0 && x_m < *x1 && y_m >= *y0 && y_m < *y1)
        .map(|(name, _, _)| *name)
        .unwrap_or(COMMUNITIES[0].0)
}

/// The generated map plus what the seed generator needs to know about it.
pub struct District {
    pub osm: OsmData,
    pub compounds: Vec<Compound>,
    /// The sealed building's compound at 巴山街32号: polygon corners (lon, lat) and the
    /// checkpoint (卡口) where goods are handed over.
    pub high_risk_polygon: Vec<(f64, f64)>,
    pub high_risk_checkpoint: (f64, f64),
}

/// Builds OSM elements; nodes are shared by local position so that ways meet.
#[derive(Default)]
struct Builder {
    nodes: BTreeMap<(i64, i64), i64>,
    node_tags: BTreeMap<i64, Vec<(String, String)>>,
    ways: Vec<WriteWay>,
    relations: Vec<WriteRelation>,
}

fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Builder {
    fn node(&mut self, x: i64, y: i64) -> i64 {
        let next = self.nodes.len() as i64 + 1;
        *self.nodes.entry((x, y)).or_insert(next)
    }

    /// A tagged node at its own position (POIs must not share a street node).
    fn poi(&mut self, x: i64, y: i64, t: Vec<(String, String)>) -> i64 {
        let id = self.node(x, y);
        self.node_tags.entry(id).or_default().extend(t);
        id
    }

    fn way(&mut self, points: &[(i64, i64)], t: Vec<(String, String)>) -> i64 {
        let refs = points.iter().map(|&(x, y)| self.node(x, y)).collect();
        let id = self.ways.len() as i64 + 1;
        self.ways.push(WriteWay { id, refs, tags: t });
        id
    }

    /// A straight line with a node every 50 m (both ends on the 50 m lattice).
    fn line(&mut self, from: (i64, i64), to: (i64, i64), t: Vec<(String, String)>) -> i64 {
        let steps = ((to.0 - from.0).abs().max((to.1 - from.1).abs()) / 50).max(1);
        let points: Vec<(i64, i64)> = (0..=steps)
            .map(|i| {
                (
                    from.0 + (to.0 - from.0) * i / steps,
                    from.1 + (to.1 - from.1) * i / steps,
                )
            })
            .collect();
        self.way(&points, t)
    }

    fn rect(&mut self, (x0, y0, x1, y1): (i64, i64, i64, i64), t: Vec<(String, String)>) -> i64 {
        self.way(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], t)
    }

    fn boundary(&mut self, level: &str, name: &str, name_en: &str, r: (i64, i64, i64, i64)) {
        let outer = self.rect(r, vec![]);
        let id = self.relations.len() as i64 + 1;
        self.relations.push(WriteRelation {
            id,
            members: vec![WriteMember {
                kind: MemberKind::Way,
                id: outer,
                role: "outer".into(),
            }],
            tags: tags(&[
                ("type", "boundary"),
                ("boundary", "administrative"),
                ("admin_level", level),
                ("name", name),
                ("name:en", name_en),
            ]),
        });
    }
}

fn street_tags(s: &Street) -> Vec<(String, String)> {
    let mut t = tags(&[("highway", s.highway), ("name", s.name)]);
    if let Some(en) = s.name_en {
        t.push(("name:en".into(), en.into()));
    }
    if s.oneway {
        t.push(("oneway".into(), "yes".into()));
    }
    t
}

/// Generates the whole district. Deterministic: the same code gives the same map.
pub fn generate() -> District {
    let mut b = Builder::default();

    // Streets, split at every crossing as OSM data usually is.
    for (y, street) in &EW_STREETS {
        for x in (0..2000).step_by(500) {
            b.line((x, *y), (x + 500, *y), street_tags(street));
        }
    }
    for (x, street) in &NS_STREETS {
        for y in (0..1200).step_by(400) {
            b.line((*x, y), (*x, y + 400), street_tags(street));
        }
    }

    let mut compounds = Vec::new();
    let mut high_risk_polygon = Vec::new();
    let mut high_risk_checkpoint = (0.0, 0.0);
    for spec in &COMPOUNDS {
        let c = lay_out_compound(&mut b, spec);
        if spec.addr == Some(("巴山街", "32")) {
            let (x0, y0, x1, y1) = spec.rect_m;
            high_risk_polygon = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
                .iter()
                .map(|&(x, y)| to_lonlat(x as f64, y as f64))
                .collect();
            high_risk_checkpoint = to_lonlat(c.gate_m.0 as f64, c.gate_m.1 as f64);
        }
        compounds.push(c);
    }

    add_school_and_park(&mut b);
    add_pois(&mut b);

    b.boundary("5", "雪城市", "Xuecheng", (-1000, -1000, 3000, 2200));
    b.boundary("6", "松岚区", "Songlan District", (-60, -60, 2060, 1260));
    b.boundary(
        "8",
        "奋进街道",
        "Fenjin Subdistrict",
        (-60, -60, 1000, 1260),
    );
    b.boundary(
        "8",
        "和兴街道",
        "Hexing Subdistrict",
        (1000, -60, 2060, 1260),
    );
    for (name, _, r) in COMMUNITIES {
        b.boundary("10", name, "", r);
    }
    // An empty name:en is not a name: drop it.
    for rel in &mut b.relations {
        rel.tags.retain(|(_, v)| !v.is_empty());
    }

    let nodes = b
        .nodes
        .iter()
        .map(|(&(x, y), &id)| {
            let (lon, lat) = to_lonlat(x as f64, y as f64);
            WriteNode {
                id,
                lon,
                lat,
                tags: b.node_tags.get(&id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    District {
        osm: OsmData {
            nodes,
            ways: b.ways,
            relations: b.relations,
        },
        compounds,
        high_risk_polygon,
        high_risk_checkpoint,
    }
}

/// A compound: its outline, a service-road spine from the gate and a cross lane, and rows of
/// numbered buildings either side of them.
fn lay_out_compound(b: &mut Builder, spec: &CompoundSpec) -> Compound {
    let (x0, y0, x1, y1) = spec.rect_m;
    let mut area = tags(&[("landuse", "residential"), ("name", spec.name)]);
    if let Some(en) = spec.name_en {
        area.push(("name:en".into(), en.into()));
    }
    if let Some((street, number)) = spec.addr {
        area.push(("addr:street".into(), street.into()));
        area.push(("addr:housenumber".into(), number.into()));
    }
    b.rect(spec.rect_m, area);

    // The spine runs on the 50 m lattice from the street through the gate.
    let spine_x = ((x0 + x1) / 2 / 50) * 50;
    let (street_y, gate_y, inner_end_y) = match spec.gate {
        Gate::South => (y0 - 15, y0, y1 - 40),
        Gate::North => (y1 + 15, y1, y0 + 40),
    };
    let lane_y = (y0 + y1) / 2;
    let mut service = tags(&[("highway", "service")]);
    if spec.private {
        service.push(("access".into(), "private".into()));
        service.push(("foot".into(), "yes".into()));
    }
    b.way(
        &[
            (spine_x, street_y),
            (spine_x, gate_y),
            (spine_x, lane_y),
            (spine_x, inner_end_y),
        ],
        service.clone(),
    );
    b.way(
        &[(x0 + 20, lane_y), (spine_x, lane_y), (x1 - 20, lane_y)],
        service,
    );
    let gate_id = b.node(spine_x, gate_y);
    let mut gate = tags(&[("barrier", "gate")]);
    if spec.addr == Some(("巴山街", "32")) {
        gate.extend(tags(&[("name", "巴山街32号卡口"), ("access", "private")]));
    }
    b.node_tags.entry(gate_id).or_default().extend(gate);

    // Buildings 40 × 12 m in rows either side of the lane, columns clear of the spine.
    let mut n = 0;
    let row_offsets: &[i64] = if y1 - y0 > 250 {
        &[-140, -80, 40, 100]
    } else {
        &[-60, 25]
    };
    for dy in row_offsets {
        let by = lane_y + dy;
        let mut bx = x0 + 25;
        while bx + 40 <= x1 - 20 {
            if bx + 40 > spine_x - 15 && bx < spine_x + 15 {
                bx += 60;
                continue;
            }
            n += 1;
            let levels = if (n + spine_x as u32 / 50).is_multiple_of(3) {
                "18"
            } else {
                "6"
            };
            let name = spec.style.label(n);
            b.rect(
                (bx, by, bx + 40, by + 12),
                tags(&[
                    ("building", "residential"),
                    ("name", &name),
                    ("building:levels", levels),
                ]),
            );
            bx += 60;
        }
    }
    Compound {
        name: spec.name,
        community: community_at(spine_x, lane_y),
        style: spec.style,
        buildings: n,
        rect_m: spec.rect_m,
        gate_m: (spine_x, gate_y),
    }
}

/// The school in the west half of block (0, 1), the pocket park with crossing footways in
/// its east half.
fn add_school_and_park(b: &mut Builder) {
    b.rect(
        (15, 415, 235, 785),
        tags(&[
            ("amenity", "school"),
            ("name", "学府路小学"),
            ("name:en", "Xuefu Road Primary School"),
            ("addr:street", "学府路"),
            ("addr:housenumber", "2"),
        ]),
    );
    b.rect((40, 600, 200, 640), tags(&[("building", "school")]));
    b.rect((40, 480, 120, 540), tags(&[("building", "school")]));
    b.way(
        &[(100, 800), (100, 785), (100, 700)],
        tags(&[("highway", "service"), ("service", "driveway")]),
    );
    b.rect(
        (265, 415, 485, 785),
        tags(&[("leisure", "park"), ("name", "街心公园")]),
    );
    b.way(
        &[(250, 400), (375, 600), (500, 800)],
        tags(&[("highway", "footway")]),
    );
    b.way(
        &[(250, 800), (375, 600), (500, 400)],
        tags(&[("highway", "footway")]),
    );
    b.way(
        &[(1750, 400), (1750, 600), (1750, 800)],
        tags(&[("highway", "footway"), ("name", "金桥步道")]),
    );
    b.way(&[(375, 600), (375, 612)], tags(&[("highway", "steps")]));
}

fn add_pois(b: &mut Builder) {
    b.rect(
        (775, 30, 975, 170),
        tags(&[
            ("amenity", "clinic"),
            ("building", "yes"),
            ("name", "松岚区社区卫生服务中心"),
            ("name:en", "Songlan Community Health Centre"),
        ]),
    );
    type Poi = (i64, i64, &'static [(&'static str, &'static str)]);
    #[rustfmt::skip]
    let pois: [Poi; 10] = [
        (780, 22, &[("amenity", "pharmacy"), ("name", "康宁大药房"), ("addr:street", "巴山街"), ("addr:housenumber", "40")]),
        (1620, 790, &[("amenity", "pharmacy"), ("name", "益民药店"), ("addr:street", "学府路"), ("addr:housenumber", "87")]),
        (1150, 1190, &[("amenity", "pharmacy"), ("name", "仁心堂药房")]),
        (1300, 810, &[("shop", "supermarket"), ("name", "惠民超市"), ("addr:street", "学府路"), ("addr:housenumber", "103")]),
        (230, 40, &[("amenity", "community_centre"), ("name", "鸿翔社区居委会")]),
        (1230, 40, &[("amenity", "community_centre"), ("name", "国庆社区居委会")]),
        (730, 840, &[("amenity", "community_centre"), ("name", "士课社区居委会")]),
        (1230, 840, &[("amenity", "community_centre"), ("name", "黑山社区居委会")]),
        (990, 420, &[("office", "government"), ("name", "奋进街道办事处"), ("addr:street", "国庆路"), ("addr:housenumber", "15")]),
        (1010, 1180, &[("office", "government"), ("name", "和兴街道办事处")]),
    ];

    for (x, y, t) in pois {
        b.poi(x, y, tags(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compound_has_buildings_and_a_community() {
        let d = generate();
        assert_eq!(d.compounds.len(), COMPOUNDS.len());
        for c in &d.compounds {
            assert!(c.buildings >= 4, "{} has {} buildings", c.name, c.buildings);
        }
        let total: u32 = d.compounds.iter().map(|c| c.buildings).sum();
        assert!((200..600).contains(&total), "{total} buildings");
    }

    #[test]
    fn nodes_are_unique_by_position_and_ways_reference_existing_nodes() {
        let d = generate();
        let ids: std::collections::HashSet<i64> = d.osm.nodes.iter().map(|n| n.id).collect();
        assert_eq!(ids.len(), d.osm.nodes.len());
        for w in &d.osm.ways {
            assert!(w.refs.iter().all(|r| ids.contains(r)), "way {}", w.id);
        }
    }

    #[test]
    fn bashan_32_is_a_high_risk_compound_with_a_checkpoint() {
        let d = generate();
        assert_eq!(d.high_risk_polygon.len(), 5);
        let (lon, lat) = d.high_risk_checkpoint;
        let (lon_min, lat_min) = d.high_risk_polygon[0];
        let (lon_max, lat_max) = d.high_risk_polygon[2];
        assert!(lon > lon_min && lon < lon_max);
        assert!(
            (lat - lat_min).abs() < 1e-9,
            "the checkpoint is on the fence"
        );
        assert!(lat < lat_max);
    }
}
