//! The import passes: `.osm.pbf` → [`RawMap`].
//!
//! Three parallel passes keep memory bounded by what is kept, not by the file:
//!
//! 1. every data blob: tagged nodes (barriers, POIs, addresses), the relations doorstep uses
//!    (multipolygons, administrative boundaries), and — with a clip — the ids of nodes inside it;
//! 2. blobs holding ways: the ways kept (roads, buildings, areas, POIs, addresses,
//!    interpolations) and the member ways of the kept relations, as node-id lists;
//! 3. blobs holding nodes: the coordinates of exactly the nodes those ways use.
//!
//! Geometry is then put together (ways, rings, multipolygons) and clipped.

use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use osmpbf::{PrimitiveBlock, RelMemberType};
use rustc_hash::{FxHashMap, FxHashSet};

use super::assemble::{Member, assemble_rings};
use super::blobs::{BlobIndex, ImportProgress};
use super::model::*;
use super::tags::{self, WayUse};
use super::{Clip, OsmError};

/// What to import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportOptions {
    /// Keep only what lies in this area (ways whole when any node is inside); `None` keeps all.
    pub clip: Option<Clip>,
}

/// Reads an `.osm.pbf` into a [`RawMap`] on all cores.
///
/// Fails with the file, the byte offset and what was expected there when the file is truncated
/// or corrupt.
///
/// ```no_run
/// use doorstep::osm::{import, ImportOptions};
/// let map = import(std::path::Path::new("../shared/data/osm/nangang.osm.pbf"), &ImportOptions::default())?;
/// println!("{} roads", map.roads.len());
/// # Ok::<(), doorstep::osm::OsmError>(())
/// ```
pub fn import(path: &Path, options: &ImportOptions) -> Result<RawMap, OsmError> {
    import_with_progress(path, options, &|_| {})
}

/// [`import`], calling `progress` (from any thread) as blobs are done.
pub fn import_with_progress(
    path: &Path,
    options: &ImportOptions,
    progress: &(dyn Fn(ImportProgress) + Sync),
) -> Result<RawMap, OsmError> {
    let index = BlobIndex::scan(path)?;
    let clip = options.clip.as_ref();
    let data_blobs: Vec<usize> = (0..index.blobs.len())
        .filter(|&i| index.blobs[i].is_data)
        .collect();

    // Pass 1: nodes with tags, relations, blob contents.
    let firsts = index.pass("nodes and relations", &data_blobs, progress, |_, block| {
        first_pass(block, clip)
    })?;
    let mut inside: FxHashSet<i64> = FxHashSet::default();
    let mut relations: Vec<PendingRelation> = Vec::new();
    let mut map = empty_map();
    let mut way_blobs = Vec::new();
    let mut node_blobs = Vec::new();
    for (&i, f) in data_blobs.iter().zip(firsts) {
        if f.has_ways {
            way_blobs.push(i);
        }
        if f.has_nodes {
            node_blobs.push(i);
        }
        inside.extend(f.inside);
        relations.extend(f.relations);
        map.barriers.extend(f.barriers);
        map.pois.extend(f.pois);
        map.addresses.extend(f.addresses);
    }
    let members: FxHashSet<i64> = relations
        .iter()
        .flat_map(|r| r.members.iter().map(|m| m.0))
        .collect();

    // Pass 2: ways.
    let inside_ref = clip.map(|_| &inside);
    let way_parts = index.pass("ways", &way_blobs, progress, |_, block| {
        ways_pass(block, inside_ref, &members)
    })?;
    drop(inside);
    let ways: Vec<PendingWay> = way_parts.into_iter().flatten().collect();
    let needed: FxHashSet<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    let wanted_numbers: FxHashSet<i64> = ways
        .iter()
        .filter(|w| w.uses.interpolation)
        .flat_map(|w| w.refs.iter().copied())
        .collect();

    // Pass 3: coordinates of the nodes those ways use.
    let node_parts = index.pass("coordinates", &node_blobs, progress, |_, block| {
        coords_pass(block, &needed, &wanted_numbers)
    })?;
    let mut nodes = NodeTable::default();
    nodes.coords.reserve(needed.len());
    for part in node_parts {
        nodes.coords.extend(part.coords);
        nodes
            .numbers
            .extend(part.numbers.into_iter().map(|(id, n, s)| (id, (n, s))));
    }
    drop(needed);

    build_ways(&mut map, &ways, &nodes);
    build_relations(&mut map, &relations, &ways, &nodes, clip);
    map.bounds = bounds(&map, clip, index.header_bbox);
    sort_map(&mut map);
    Ok(map)
}

fn empty_map() -> RawMap {
    RawMap {
        bounds: Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.0 }),
        roads: Vec::new(),
        barriers: Vec::new(),
        areas: Vec::new(),
        buildings: Vec::new(),
        pois: Vec::new(),
        addresses: Vec::new(),
        interpolations: Vec::new(),
        boundaries: Vec::new(),
    }
}

/// A relation doorstep assembles: a multipolygon area or an administrative boundary.
struct PendingRelation {
    id: i64,
    /// (way id, is outer).
    members: Vec<(i64, bool)>,
    names: Names,
    tags: Tags,
    admin_level: Option<u8>,
    area: Option<AreaKind>,
    building: bool,
    poi: Option<(String, String)>,
    address: bool,
}

#[derive(Default)]
struct FirstPass {
    has_nodes: bool,
    has_ways: bool,
    inside: Vec<i64>,
    relations: Vec<PendingRelation>,
    barriers: Vec<RawBarrier>,
    pois: Vec<RawPoi>,
    addresses: Vec<RawAddress>,
}

fn first_pass(block: &PrimitiveBlock, clip: Option<&Clip>) -> FirstPass {
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

fn tagged_node(out: &mut FirstPass, id: i64, coord: Coord<f64>, t: &[(&str, &str)]) {
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

fn address(id: OsmId, point: Point<f64>, t: &[(&str, &str)]) -> RawAddress {
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

fn pending_relation(r: &osmpbf::Relation<'_>, t: &[(&str, &str)]) -> Option<PendingRelation> {
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
struct PendingWay {
    id: i64,
    refs: Vec<i64>,
    uses: WayUse,
    highway: Option<String>,
    names: Names,
    road_tags: Tags,
    tags: Tags,
    poi: Option<(String, String)>,
    interpolation: Option<String>,
}

fn ways_pass(
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
struct CoordsPart {
    coords: Vec<(i64, Coord<f64>)>,
    numbers: Vec<(i64, String, Option<String>)>,
}

/// Node coordinates (and, for interpolation ways, house numbers) by node id.
#[derive(Default)]
struct NodeTable {
    coords: FxHashMap<i64, Coord<f64>>,
    numbers: FxHashMap<i64, (String, Option<String>)>,
}

fn coords_pass(
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

/// The longest run of nodes whose coordinates the file has (all of them in a sound extract).
fn resolve(refs: &[i64], nodes: &NodeTable) -> (Vec<OsmNodeId>, Vec<Coord<f64>>) {
    let mut best = (0, 0);
    let mut start = 0;
    for (i, r) in refs.iter().enumerate() {
        if !nodes.coords.contains_key(r) {
            start = i + 1;
        } else if i + 1 - start > best.1 - best.0 {
            best = (start, i + 1);
        }
    }
    let run = &refs[best.0..best.1];
    let coords = run
        .iter()
        .filter_map(|r| nodes.coords.get(r).copied())
        .collect();
    (run.iter().map(|&r| OsmNodeId(r)).collect(), coords)
}

fn closed_ring(refs: &[i64], nodes: &NodeTable) -> Option<LineString<f64>> {
    if refs.len() < 4 || refs.first() != refs.last() {
        return None;
    }
    let coords: Option<Vec<Coord<f64>>> =
        refs.iter().map(|r| nodes.coords.get(r).copied()).collect();
    Some(LineString(coords?))
}

fn build_ways(map: &mut RawMap, ways: &[PendingWay], nodes: &NodeTable) {
    for w in ways {
        let uses = w.uses;
        if !uses.any() {
            continue;
        }
        let id = OsmWayId(w.id);
        if uses.road {
            let (node_ids, coords) = resolve(&w.refs, nodes);
            if node_ids.len() >= 2 {
                map.roads.push(RawRoad {
                    id,
                    nodes: node_ids,
                    coords,
                    highway: w.highway.clone().unwrap_or_default(),
                    names: w.names.clone(),
                    tags: w.road_tags.clone(),
                });
            }
        }
        if uses.interpolation {
            let (node_ids, coords) = resolve(&w.refs, nodes);
            let numbered = node_ids
                .iter()
                .enumerate()
                .filter_map(|(i, n)| {
                    nodes
                        .numbers
                        .get(&n.0)
                        .map(|(num, street)| (i, num.clone(), street.clone()))
                })
                .collect::<Vec<_>>();
            if coords.len() >= 2 {
                map.interpolations.push(RawInterpolation {
                    id,
                    coords,
                    interpolation: w.interpolation.clone().unwrap_or_default(),
                    numbered,
                });
            }
        }
        let ring = closed_ring(&w.refs, nodes);
        let Some(ring) = ring else {
            continue;
        };
        let polygon = Polygon::new(ring.clone(), vec![]);
        let osm_id = OsmId::Way(id);
        place_polygon(
            map,
            osm_id,
            MultiPolygon(vec![polygon]),
            &w.names,
            &w.tags,
            PolygonUse {
                building: uses.building,
                area: uses.area,
                poi: w.poi.clone(),
                address: uses.address,
            },
        );
    }
}

struct PolygonUse {
    building: bool,
    area: Option<AreaKind>,
    poi: Option<(String, String)>,
    address: bool,
}

/// Files a closed shape as building, named area, POI and/or address.
fn place_polygon(
    map: &mut RawMap,
    id: OsmId,
    shape: MultiPolygon<f64>,
    names: &Names,
    tags: &Tags,
    uses: PolygonUse,
) {
    use geo::{Centroid, InteriorPoint};
    let inner_point = || {
        shape
            .interior_point()
            .or_else(|| shape.centroid())
            .unwrap_or(Point::new(0.0, 0.0))
    };
    let largest = shape
        .0
        .iter()
        .max_by(|a, b| geo::Area::unsigned_area(*a).total_cmp(&geo::Area::unsigned_area(*b)));
    if uses.building
        && let Some(outer) = largest
    {
        map.buildings.push(RawBuilding {
            id,
            outline: outer.exterior().clone(),
            names: names.clone(),
            tags: tags.clone(),
        });
    }
    if let Some(poi) = uses.poi {
        map.pois.push(RawPoi {
            id,
            point: inner_point(),
            names: names.clone(),
            kind: poi,
            tags: tags.clone(),
        });
    }
    if uses.address {
        let t: Vec<(&str, &str)> = tags.iter().collect();
        let mut a = address(id, inner_point(), &t);
        if let Some(n) = &names.name {
            a.tags = Tags::new(
                a.tags
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .chain(std::iter::once(("name".to_string(), n.clone())))
                    .collect(),
            );
        }
        map.addresses.push(a);
    }
    if let Some(kind) = uses.area {
        map.areas.push(RawArea {
            id,
            kind,
            names: names.clone(),
            polygon: shape,
            tags: tags.clone(),
        });
    }
}

fn build_relations(
    map: &mut RawMap,
    relations: &[PendingRelation],
    ways: &[PendingWay],
    nodes: &NodeTable,
    clip: Option<&Clip>,
) {
    let by_id: FxHashMap<i64, &PendingWay> = ways.iter().map(|w| (w.id, w)).collect();
    for r in relations {
        let members: Vec<Member> = r
            .members
            .iter()
            .filter_map(|(way, outer)| {
                let w = by_id.get(way)?;
                let coords: Option<Vec<Coord<f64>>> = w
                    .refs
                    .iter()
                    .map(|n| nodes.coords.get(n).copied())
                    .collect();
                Some(Member {
                    refs: &w.refs,
                    coords: coords?,
                    outer: *outer,
                })
            })
            .collect();
        let Some(shape) = assemble_rings(&members) else {
            continue;
        };
        if clip.is_some_and(|c| !c.overlaps(&shape)) {
            continue;
        }
        let id = OsmRelationId(r.id);
        if let Some(level) = r.admin_level {
            map.boundaries.push(RawBoundary {
                id,
                admin_level: level,
                names: r.names.clone(),
                polygon: shape.clone(),
            });
        }
        place_polygon(
            map,
            OsmId::Relation(id),
            shape,
            &r.names,
            &r.tags,
            PolygonUse {
                building: r.building,
                area: r.area,
                poi: r.poi.clone(),
                address: r.address,
            },
        );
    }
}

fn bounds(map: &RawMap, clip: Option<&Clip>, header: Option<(f64, f64, f64, f64)>) -> Rect<f64> {
    if let Some(c) = clip {
        return c.bbox();
    }
    if let Some((left, bottom, right, top)) = header {
        return Rect::new(Coord { x: left, y: bottom }, Coord { x: right, y: top });
    }
    let all = map
        .roads
        .iter()
        .flat_map(|r| r.coords.iter().copied())
        .chain(map.pois.iter().map(|p| p.point.0))
        .chain(map.addresses.iter().map(|a| a.point.0));
    let mut min = Coord {
        x: f64::INFINITY,
        y: f64::INFINITY,
    };
    let mut max = Coord {
        x: f64::NEG_INFINITY,
        y: f64::NEG_INFINITY,
    };
    for c in all {
        min.x = min.x.min(c.x);
        min.y = min.y.min(c.y);
        max.x = max.x.max(c.x);
        max.y = max.y.max(c.y);
    }
    if min.x.is_finite() {
        Rect::new(min, max)
    } else {
        Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.0 })
    }
}

/// Orders every list by OSM id so two imports of one file are identical.
fn sort_map(map: &mut RawMap) {
    map.roads.sort_by_key(|r| r.id);
    map.barriers.sort_by_key(|b| b.id);
    map.areas.sort_by_key(|a| a.id);
    map.buildings.sort_by_key(|b| b.id);
    map.pois.sort_by_key(|p| p.id);
    map.addresses.sort_by_key(|a| a.id);
    map.interpolations.sort_by_key(|i| i.id);
    map.boundaries.sort_by_key(|b| (b.admin_level, b.id));
}
