//! Geometry from the passes' results: roads and interpolation ways as coordinate lists, closed
//! ways and multipolygon relations as areas, buildings, POIs and addresses, then clipping,
//! bounds and a stable order.

use geo::{Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use rustc_hash::FxHashMap;

use super::Clip;
use super::assemble::{Member, assemble_rings};
use super::model::*;
use super::passes::{NodeTable, PendingRelation, PendingWay, address};

/// The longest run of nodes whose coordinates the file has (all of them in a sound extract).
pub(super) fn resolve(refs: &[i64], nodes: &NodeTable) -> (Vec<OsmNodeId>, Vec<Coord<f64>>) {
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

pub(super) fn closed_ring(refs: &[i64], nodes: &NodeTable) -> Option<LineString<f64>> {
    if refs.len() < 4 || refs.first() != refs.last() {
        return None;
    }
    let coords: Option<Vec<Coord<f64>>> =
        refs.iter().map(|r| nodes.coords.get(r).copied()).collect();
    Some(LineString(coords?))
}

pub(super) fn build_ways(map: &mut RawMap, ways: &[PendingWay], nodes: &NodeTable) {
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

pub(super) struct PolygonUse {
    building: bool,
    area: Option<AreaKind>,
    poi: Option<(String, String)>,
    address: bool,
}

/// Files a closed shape as building, named area, POI and/or address.
pub(super) fn place_polygon(
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

pub(super) fn build_relations(
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
        let id = OsmRelationId(r.id);
        let Some(shape) = assemble_rings(&members) else {
            // The extract cuts through it: its name still tells the geocoder which city or
            // district a prefix names, so it is kept without geometry.
            if let Some(level) = r.admin_level {
                map.boundaries.push(RawBoundary {
                    id,
                    admin_level: level,
                    names: r.names.clone(),
                    polygon: MultiPolygon(vec![]),
                });
            }
            continue;
        };
        if clip.is_some_and(|c| !c.overlaps(&shape)) {
            continue;
        }
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

pub(super) fn bounds(
    map: &RawMap,
    clip: Option<&Clip>,
    header: Option<(f64, f64, f64, f64)>,
) -> Rect<f64> {
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
pub(super) fn sort_map(map: &mut RawMap) {
    map.roads.sort_by_key(|r| r.id);
    map.barriers.sort_by_key(|b| b.id);
    map.areas.sort_by_key(|a| a.id);
    map.buildings.sort_by_key(|b| b.id);
    map.pois.sort_by_key(|p| p.id);
    map.addresses.sort_by_key(|a| a.id);
    map.interpolations.sort_by_key(|i| i.id);
    map.boundaries.sort_by_key(|b| (b.admin_level, b.id));
}
