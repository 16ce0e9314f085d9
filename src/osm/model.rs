//! The raw map: what doorstep keeps of an OpenStreetMap extract, as plain serialisable data.
//!
//! The importer fills it from a `.osm.pbf`; the geocoder, the road network and the map view
//! read it. It holds no indexes and no derived structures: those belong to their users. It can
//! be written to disk and read back so that a restart does not re-read the PBF.
//!
//! Coordinates are WGS84 degrees, `x` = longitude, `y` = latitude.

use geo::{Coord, LineString, MultiPolygon, Point, Rect};
use serde::{Deserialize, Serialize};

/// An OpenStreetMap node id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OsmNodeId(pub i64);

/// An OpenStreetMap way id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OsmWayId(pub i64);

/// An OpenStreetMap relation id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OsmRelationId(pub i64);

/// Any OpenStreetMap element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OsmId {
    Node(OsmNodeId),
    Way(OsmWayId),
    Relation(OsmRelationId),
}

/// A small, sorted set of OSM tags (only the keys the importer keeps).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags(Vec<(String, String)>);

impl Tags {
    /// Builds a tag set; later duplicates of a key are dropped.
    pub fn new(mut pairs: Vec<(String, String)>) -> Self {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        Tags(pairs)
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// True when `key` is present with exactly `value`.
    pub fn is(&self, key: &str, value: &str) -> bool {
        self.get(key) == Some(value)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Names of an object: `name` plus its language and alternative variants
/// (`name:zh`, `name:en`, `name:zh_pinyin`, `alt_name`, `old_name`, `short_name`, `official_name`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    /// The `name` tag.
    pub name: Option<String>,
    /// Every other name-like tag as (key, value), e.g. `("name:en", "Hongjun Street")`.
    pub variants: Vec<(String, String)>,
}

impl Names {
    /// The value of a variant key such as `name:en`.
    pub fn variant(&self, key: &str) -> Option<&str> {
        self.variants
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every name string, the main name first.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.name
            .as_deref()
            .into_iter()
            .chain(self.variants.iter().map(|(_, v)| v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.variants.is_empty()
    }
}

/// A way that some travel mode may use (`highway=*`, plus ferries/platforms the importer keeps).
///
/// `nodes` and `coords` run in parallel: `coords[i]` is the position of `nodes[i]`. Two roads meet
/// where they share a node id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawRoad {
    pub id: OsmWayId,
    pub nodes: Vec<OsmNodeId>,
    pub coords: Vec<Coord<f64>>,
    /// The `highway` value (`residential`, `service`, `footway`, ...).
    pub highway: String,
    pub names: Names,
    /// Routing tags as found: `oneway`, `junction`, `access`, `foot`, `bicycle`,
    /// `motor_vehicle`, `motorcar`, `vehicle`, `service`, `maxspeed`, `area`, `ref`, `layer`,
    /// `bridge`, `tunnel`, `sidewalk`.
    pub tags: Tags,
}

/// A node that restricts passage (`barrier=*`), with its access tags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawBarrier {
    pub id: OsmNodeId,
    pub coord: Coord<f64>,
    /// `barrier` plus `access`, `foot`, `bicycle`, `motor_vehicle`, `motorcar`, `vehicle`.
    pub tags: Tags,
}

/// What kind of named area a [`RawArea`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AreaKind {
    /// `landuse=residential` or a residential compound (小区) by any other tagging.
    Residential,
    /// `place=neighbourhood|quarter|suburb|...`, as a polygon.
    Place,
    /// A named building outline (`building=*` with a name).
    Building,
    /// A named amenity/leisure/landuse/campus polygon (school grounds, hospital, park, ...).
    Other,
}

/// A named polygon: a residential compound, a neighbourhood, a named building or campus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawArea {
    pub id: OsmId,
    pub kind: AreaKind,
    pub names: Names,
    pub polygon: MultiPolygon<f64>,
    /// Tags that describe the object (`landuse`, `place`, `building`, `amenity`, `addr:*`, ...).
    pub tags: Tags,
}

/// A building outline, named or not. Used for the map and for numbered buildings in compounds
/// (`building=*` with `name=3栋`, `addr:housenumber`, `ref`, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawBuilding {
    pub id: OsmId,
    pub outline: LineString<f64>,
    pub names: Names,
    /// `building`, `building:levels`, `ref`, `addr:*`.
    pub tags: Tags,
}

/// A named point of interest (school, clinic, hospital, pharmacy, shop, community office, ...).
/// Polygons are kept as their centroid here (and as a [`RawArea`] when they are named).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawPoi {
    pub id: OsmId,
    pub point: Point<f64>,
    pub names: Names,
    /// The tag that makes it a POI, e.g. `("amenity", "pharmacy")`.
    pub kind: (String, String),
    pub tags: Tags,
}

/// An object with `addr:*` tags (a node, or a polygon reduced to its centroid).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawAddress {
    pub id: OsmId,
    pub point: Point<f64>,
    pub housenumber: Option<String>,
    pub street: Option<String>,
    /// All `addr:*` tags and the object's name, if any.
    pub tags: Tags,
}

/// An `addr:interpolation` way: numbers between its numbered end nodes run along it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawInterpolation {
    pub id: OsmWayId,
    pub coords: Vec<Coord<f64>>,
    /// `odd`, `even`, `all`, `alphabetic`, or a step as digits.
    pub interpolation: String,
    /// Numbered nodes on the way as (index into `coords`, housenumber, street).
    pub numbered: Vec<(usize, String, Option<String>)>,
}

/// An administrative boundary (`boundary=administrative`) assembled into a polygon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawBoundary {
    pub id: OsmRelationId,
    pub admin_level: u8,
    pub names: Names,
    /// Empty when the extract holds only part of the boundary (a city cut by a district clip):
    /// the name is kept, the shape is unknown.
    pub polygon: MultiPolygon<f64>,
}

/// Everything doorstep keeps of one extract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawMap {
    /// The bounding box of the kept data (or of the header's bbox when it has one).
    pub bounds: Rect<f64>,
    pub roads: Vec<RawRoad>,
    pub barriers: Vec<RawBarrier>,
    pub areas: Vec<RawArea>,
    pub buildings: Vec<RawBuilding>,
    pub pois: Vec<RawPoi>,
    pub addresses: Vec<RawAddress>,
    pub interpolations: Vec<RawInterpolation>,
    pub boundaries: Vec<RawBoundary>,
}
