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

use geo::{Coord, Rect};
use rustc_hash::FxHashSet;

use super::blobs::{BlobIndex, ImportProgress};
use super::build::{bounds, build_relations, build_ways, sort_map};
use super::model::*;
use super::passes::{NodeTable, PendingRelation, PendingWay, coords_pass, first_pass, ways_pass};
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
