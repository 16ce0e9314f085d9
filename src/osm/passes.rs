//! The three import passes over the file's blobs (see [`super::import`]): tagged nodes and
//! relations; the kept ways as node-id lists; the coordinates of the nodes those ways use.
//! Each pass is a function of one decoded block, run in parallel by `BlobIndex::pass`.

use geo::{Coord, Point};
use osmpbf::{PrimitiveBlock, RelMemberType};
use rustc_hash::{FxHashMap, FxHashSet};

use super::Clip;
use super::model::*;
use super::tags::{self, WayUse};

/// A relation doorstep assembles: a multipolygon area or an administrative boundary.
pub(super) struct PendingRelation {
    pub(super) id: i64,
    /// (way id, is outer).
    pub(super) members: Vec<(i64, bool)>,
    pub(super) names: Names,
    pub(super) tags: Tags,
    pub(super) admin_level: Option<u8>,
    pub(super) area: Option<AreaKind>,
    pub(super) building: bool,
    pub(super) poi: Option<(String, String)>,
    pub(super) address: bool,
}

#[derive(Default)]
pub(super) struct FirstPass {
    pub(super) has_nodes: bool,
    pub(super) has_ways: bool,
    pub(super) inside: Vec<i64>,
    pub(super) relations: Vec<PendingRelation>,
    pub(super) barriers: Vec<RawBarrier>,
    pub(super) pois: Vec<RawPoi>,
    pub(super) addresses: Vec<RawAddress>,
}

pub(super) fn first_pass(block: &PrimitiveBlock, clip: Option<&Clip>) -> FirstPass {
    let mut out = FirstPass::default();
    let mut tags: Vec<(&str, &str)> = Vec::new();
    for group in block.groups() {
        let mut node = |id: i64, coord: Coord<f64>, tags: &[(&str, &str)]| {
            out.has_nodes = true;
            let is_inside = clip.is_none_or(|c| c.contains(coord));
            if !is_inside {
                return;
            }
            if clip.is_some() {
                out.inside.push(id);
            }
            if tags.is_empty() {
                return;
            }
            tagged_node(&mut out, id, coord, tags);
        };
        for n in group.dense_nodes() {
            tags.clear();
            tags.extend(n.tags());
            node(
                n.id(),
                Coord {
                    x: n.lon(),
                    y: n.lat(),
                },
                &tags,
            );
        }
        for n in group.nodes() {
            tags.clear();
            tags.extend(n.tags());
            node(
                n.id(),
                Coord {
                    x: n.lon(),
                    y: n.lat(),
                },
                &tags,
            );
        }
        if group.ways().next().is_some() {
            out.has_ways = true;
        }
        for r in group.relations() {
            tags.clear();
            tags.extend(r.tags());
            if let Some(rel) = pending_relation(&r, &tags) {
                out.relations.push(rel);
            }
        }
    }
    out
}

pub(super) fn tagged_node(out: &mut FirstPass, id: i64, coord: Coord<f64>, t: &[(&str, &str)]) {
    let node_id = OsmNodeId(id);
    if tags::get(t, "barrier").is_some() {
        out.barriers.push(RawBarrier {
            id: node_id,
            coord,
            tags: tags::keep(t, tags::BARRIER_KEYS),
        });
    }
    if let Some(kind) = tags::poi_kind(t, true) {
        out.pois.push(RawPoi {
            id: OsmId::Node(node_id),
            point: Point(coord),
            names: tags::names(t),
            kind,
            tags: tags::keep_descriptive(t),
        });
    }
    if tags::has_address(t) {
        out.addresses
            .push(address(OsmId::Node(node_id), Point(coord), t));
    }
}

pub(super) fn address(id: OsmId, point: Point<f64>, t: &[(&str, &str)]) -> RawAddress {
    let mut kept: Vec<(String, String)> = t
        .iter()
        .filter(|(k, _)| k.starts_with("addr:") || *k == "name")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    kept.sort();
    RawAddress {
        id,
        point,
        housenumber: tags::get(t, "addr:housenumber").map(str::to_string),
        street: tags::get(t, "addr:street").map(str::to_string),
        tags: Tags::new(kept),
    }
}

pub(super) fn pending_relation(
    r: &osmpbf::Relation<'_>,
    t: &[(&str, &str)],
) -> Option<PendingRelation> {
    let kind = tags::get(t, "type")?;
    if kind != "multipolygon" && kind != "boundary" {
        return None;
    }
    let admin_level = tags::admin_level(t);
    let area = if kind == "multipolygon" {
        tags::area_kind(t)
    } else {
        None
    };
    let building = kind == "multipolygon" && tags::get(t, "building").is_some_and(|v| v != "no");
    let poi = if kind == "multipolygon" {
        tags::poi_kind(t, false)
    } else {
        None
    };
    let address = kind == "multipolygon" && tags::has_address(t);
    let names = tags::names(t);
    let admin_level = admin_level.filter(|_| !names.is_empty());
    if admin_level.is_none() && area.is_none() && !building && poi.is_none() && !address {
        return None;
    }
    let members = r
        .members()
        .filter(|m| m.member_type == RelMemberType::Way)
        .map(|m| {
            let role = m.role().unwrap_or("");
            (m.member_id, role != "inner")
        })
        .collect::<Vec<_>>();
    if members.is_empty() {
        return None;
    }
    Some(PendingRelation {
        id: r.id(),
        members,
        names,
        tags: tags::keep_descriptive(t),
        admin_level,
        area,
        building,
        poi,
        address,
    })
}

/// A kept way before its coordinates are known.
pub(super) struct PendingWay {
    pub(super) id: i64,
    pub(super) refs: Vec<i64>,
    pub(super) uses: WayUse,
    pub(super) highway: Option<String>,
    pub(super) names: Names,
    pub(super) road_tags: Tags,
    pub(super) tags: Tags,
    pub(super) poi: Option<(String, String)>,
    pub(super) interpolation: Option<String>,
}

pub(super) fn ways_pass(
    block: &PrimitiveBlock,
    inside: Option<&FxHashSet<i64>>,
    members: &FxHashSet<i64>,
) -> Vec<PendingWay> {
    let mut out = Vec::new();
    let mut t: Vec<(&str, &str)> = Vec::new();
    for group in block.groups() {
        for w in group.ways() {
            t.clear();
            t.extend(w.tags());
            let mut uses = WayUse::of(&t);
            let member = members.contains(&w.id());
            if !uses.any() && !member {
                continue;
            }
            let refs: Vec<i64> = w.refs().collect();
            if refs.len() < 2 {
                continue;
            }
            if let Some(inside) = inside
                && !refs.iter().any(|r| inside.contains(r))
            {
                if !member {
                    continue;
                }
                // Outside the clip: kept only as a relation member's geometry.
                uses = WayUse::default();
            }
            let highway = tags::get(&t, "highway").map(str::to_string);
            out.push(PendingWay {
                id: w.id(),
                refs,
                uses,
                road_tags: if uses.road {
                    tags::keep(&t, tags::ROAD_KEYS)
                } else {
                    Tags::default()
                },
                highway,
                names: if uses.any() {
                    tags::names(&t)
                } else {
                    Names::default()
                },
                tags: if uses.any()
                    && (uses
                        != WayUse {
                            road: true,
                            ..WayUse::default()
                        })
                {
                    tags::keep_descriptive(&t)
                } else {
                    Tags::default()
                },
                poi: if uses.poi {
                    tags::poi_kind(&t, false)
                } else {
                    None
                },
                interpolation: tags::get(&t, "addr:interpolation").map(str::to_string),
            });
        }
    }
    out
}

#[derive(Default)]
pub(super) struct CoordsPart {
    pub(super) coords: Vec<(i64, Coord<f64>)>,
    pub(super) numbers: Vec<(i64, String, Option<String>)>,
}

/// Node coordinates (and, for interpolation ways, house numbers) by node id.
#[derive(Default)]
pub(super) struct NodeTable {
    pub(super) coords: FxHashMap<i64, Coord<f64>>,
    pub(super) numbers: FxHashMap<i64, (String, Option<String>)>,
}

pub(super) fn coords_pass(
    block: &PrimitiveBlock,
    needed: &FxHashSet<i64>,
    wanted_numbers: &FxHashSet<i64>,
) -> CoordsPart {
    let mut out = CoordsPart::default();
    let mut number = |id: i64, tags: &mut dyn Iterator<Item = (&str, &str)>| {
        let t: Vec<(&str, &str)> = tags.collect();
        if let Some(n) = tags::get(&t, "addr:housenumber") {
            out.numbers.push((
                id,
                n.to_string(),
                tags::get(&t, "addr:street").map(str::to_string),
            ));
        }
    };
    let mut coords = Vec::new();
    for group in block.groups() {
        for n in group.dense_nodes() {
            if needed.contains(&n.id()) {
                coords.push((
                    n.id(),
                    Coord {
                        x: n.lon(),
                        y: n.lat(),
                    },
                ));
                if wanted_numbers.contains(&n.id()) {
                    number(n.id(), &mut n.tags());
                }
            }
        }
        for n in group.nodes() {
            if needed.contains(&n.id()) {
                coords.push((
                    n.id(),
                    Coord {
                        x: n.lon(),
                        y: n.lat(),
                    },
                ));
                if wanted_numbers.contains(&n.id()) {
                    number(n.id(), &mut n.tags());
                }
            }
        }
    }
    out.coords = coords;
    out
}
