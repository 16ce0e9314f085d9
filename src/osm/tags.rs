//! Which OSM objects doorstep keeps, and which of their tags: the importer's one place of
//! tag policy, so the passes stay about reading and the model stays plain.

use super::model::{AreaKind, Names, Tags};

/// Tags a road keeps for routing (the list documented on `RawRoad::tags`).
pub(crate) const ROAD_KEYS: &[&str] = &[
    "oneway",
    "junction",
    "access",
    "foot",
    "bicycle",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "service",
    "maxspeed",
    "area",
    "ref",
    "layer",
    "bridge",
    "tunnel",
    "sidewalk",
];

/// Tags a barrier keeps.
pub(crate) const BARRIER_KEYS: &[&str] = &[
    "barrier",
    "access",
    "foot",
    "bicycle",
    "motor_vehicle",
    "motorcar",
    "vehicle",
];

/// Tags that describe an area, building, POI or address (besides every `addr:*`).
const DESCRIPTIVE_KEYS: &[&str] = &[
    "admin_level",
    "amenity",
    "boundary",
    "building",
    "building:levels",
    "craft",
    "healthcare",
    "historic",
    "landuse",
    "leisure",
    "office",
    "opening_hours",
    "operator",
    "phone",
    "place",
    "ref",
    "residential",
    "shop",
    "tourism",
];

/// Keys that make a named object a point of interest, in the order that picks its kind.
const POI_KEYS: &[&str] = &[
    "amenity",
    "healthcare",
    "shop",
    "office",
    "tourism",
    "leisure",
    "craft",
    "club",
    "historic",
    "emergency",
    "government",
    "railway",
    "public_transport",
    "aeroway",
];

/// `railway`/`public_transport`/`aeroway` values that are places people name as landmarks.
const TRANSPORT_POI_VALUES: &[&str] = &[
    "station",
    "halt",
    "subway_entrance",
    "aerodrome",
    "terminal",
];

/// `place` values that name a part of a city (a polygon or a point).
const PLACE_VALUES: &[&str] = &[
    "neighbourhood",
    "quarter",
    "suburb",
    "city_block",
    "plot",
    "borough",
    "hamlet",
    "village",
    "isolated_dwelling",
    "locality",
    "square",
];

/// Keys (besides `name`) whose values are names of the object.
const NAME_PREFIXES: &[&str] = &[
    "name:",
    "alt_name",
    "old_name",
    "short_name",
    "official_name",
    "loc_name",
    "int_name",
    "nat_name",
    "reg_name",
];

/// Lookup of a tag value in a borrowed tag list (elements have few tags: a scan beats hashing).
pub(crate) fn get<'a>(tags: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// `name`, `name:*` and the alternative-name keys; `None` when the object has no name at all.
pub(crate) fn names(tags: &[(&str, &str)]) -> Names {
    let mut names = Names::default();
    for (k, v) in tags {
        if v.trim().is_empty() {
            continue;
        }
        if *k == "name" {
            names.name = Some(v.trim().to_string());
        } else if NAME_PREFIXES.iter().any(|p| k.starts_with(p))
            && !k.contains("etymology")
            && !k.contains("pronunciation")
            && !k.contains("wikidata")
        {
            names.variants.push((k.to_string(), v.trim().to_string()));
        }
    }
    names.variants.sort();
    names
}

/// The tags among `keys`, owned.
pub(crate) fn keep(tags: &[(&str, &str)], keys: &[&str]) -> Tags {
    Tags::new(
        tags.iter()
            .filter(|(k, _)| keys.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// Descriptive tags plus every `addr:*`, owned.
pub(crate) fn keep_descriptive(tags: &[(&str, &str)]) -> Tags {
    Tags::new(
        tags.iter()
            .filter(|(k, _)| k.starts_with("addr:") || DESCRIPTIVE_KEYS.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// True for an object with an `addr:*` that locates something (a number, a street or a name).
pub(crate) fn has_address(tags: &[(&str, &str)]) -> bool {
    tags.iter().any(|(k, _)| {
        matches!(
            *k,
            "addr:housenumber" | "addr:street" | "addr:housename" | "addr:place" | "addr:full"
        )
    })
}

/// The tag that makes a named object a POI (e.g. `("amenity", "pharmacy")`).
pub(crate) fn poi_kind(tags: &[(&str, &str)], is_node: bool) -> Option<(String, String)> {
    get(tags, "name")?;
    for key in POI_KEYS {
        if let Some(v) = get(tags, key) {
            if matches!(*key, "railway" | "public_transport" | "aeroway")
                && !TRANSPORT_POI_VALUES.contains(&v)
            {
                continue;
            }
            if v == "no" {
                continue;
            }
            return Some((key.to_string(), v.to_string()));
        }
    }
    // A named place point (小区 mapped as a node, a neighbourhood label) is as useful as a POI.
    if is_node {
        if let Some(v) = get(tags, "place")
            && PLACE_VALUES.contains(&v)
        {
            return Some(("place".to_string(), v.to_string()));
        }
        if get(tags, "landuse") == Some("residential") {
            return Some(("landuse".to_string(), "residential".to_string()));
        }
    }
    None
}

/// What kind of named area a polygon with these tags is, if any.
pub(crate) fn area_kind(tags: &[(&str, &str)]) -> Option<AreaKind> {
    get(tags, "name")?;
    if get(tags, "landuse") == Some("residential") || get(tags, "residential").is_some() {
        return Some(AreaKind::Residential);
    }
    if let Some(v) = get(tags, "place")
        && PLACE_VALUES.contains(&v)
    {
        return Some(AreaKind::Place);
    }
    if get(tags, "building").is_some_and(|v| v != "no") {
        return Some(AreaKind::Building);
    }
    if [
        "amenity",
        "leisure",
        "landuse",
        "tourism",
        "shop",
        "healthcare",
        "office",
        "historic",
        "club",
        "craft",
        "military",
    ]
    .iter()
    .any(|k| get(tags, k).is_some())
        || get(tags, "railway") == Some("station")
        || get(tags, "aeroway").is_some_and(|v| TRANSPORT_POI_VALUES.contains(&v))
    {
        return Some(AreaKind::Other);
    }
    None
}

/// The admin level of an administrative boundary relation.
pub(crate) fn admin_level(tags: &[(&str, &str)]) -> Option<u8> {
    if get(tags, "boundary") != Some("administrative") {
        return None;
    }
    get(tags, "admin_level")?.trim().parse().ok()
}

/// What a way is kept as (a way can be several at once, e.g. a named building with an address).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WayUse {
    pub road: bool,
    pub building: bool,
    pub area: Option<AreaKind>,
    pub poi: bool,
    pub address: bool,
    pub interpolation: bool,
}

impl WayUse {
    pub(crate) fn of(tags: &[(&str, &str)]) -> WayUse {
        WayUse {
            road: get(tags, "highway").is_some(),
            building: get(tags, "building").is_some_and(|v| v != "no"),
            area: area_kind(tags),
            poi: poi_kind(tags, false).is_some(),
            address: has_address(tags),
            interpolation: get(tags, "addr:interpolation").is_some(),
        }
    }

    pub(crate) fn any(&self) -> bool {
        self.road
            || self.building
            || self.area.is_some()
            || self.poi
            || self.address
            || self.interpolation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_collects_variants_but_not_metadata() {
        let t = [
            ("name", "红军街 - Hongjun Street"),
            ("name:en", "Hongjun Street"),
            ("name:etymology:wikidata", "Q1"),
            ("alt_name", "红军街"),
            ("highway", "primary"),
        ];
        let n = names(&t);
        assert_eq!(n.name.as_deref(), Some("红军街 - Hongjun Street"));
        assert_eq!(n.variant("name:en"), Some("Hongjun Street"));
        assert_eq!(n.variants.len(), 2);
    }

    #[test]
    fn kinds() {
        assert_eq!(
            area_kind(&[("name", "鸿翔名苑"), ("landuse", "residential")]),
            Some(AreaKind::Residential)
        );
        assert_eq!(area_kind(&[("landuse", "residential")]), None);
        assert_eq!(
            poi_kind(&[("name", "药店"), ("shop", "chemist")], false),
            Some(("shop".into(), "chemist".into()))
        );
        assert_eq!(poi_kind(&[("name", "x"), ("railway", "rail")], false), None);
        assert_eq!(
            admin_level(&[("boundary", "administrative"), ("admin_level", "6")]),
            Some(6)
        );
        assert!(WayUse::of(&[("highway", "service")]).road);
        assert!(!WayUse::of(&[("natural", "tree_row")]).any());
    }
}
