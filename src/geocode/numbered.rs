//! House numbers and numbered buildings for the index: numbers per street (from addresses
//! and interpolation ways, joined to streets by name), and buildings named or referenced by a
//! number (`3栋`, `12号楼`, `ref=5`) inside compounds and campuses.

use geo::{BoundingRect, Centroid, Contains, Coord};
use rstar::{AABB, RTree, RTreeObject};
use rustc_hash::{FxHashMap, FxHashSet};

use super::index::{Entity, Index, Kind};
use super::names::street_key;
use super::normalize::normalize_zh;
use super::numbers::{Numbered, parse_house_number};
use crate::osm::RawMap;

impl Index {
    pub(super) fn add_numbers(&mut self, map: &RawMap) {
        let mut numbers: FxHashMap<String, Vec<Numbered>> = FxHashMap::default();
        let street_keys: FxHashSet<String> = self
            .entities
            .iter()
            .filter(|e| e.kind == Kind::Street)
            .map(|e| e.key.clone())
            .collect();
        for a in &map.addresses {
            let (Some(num), Some(street)) = (&a.housenumber, &a.street) else {
                continue;
            };
            let mut key = street_key(street);
            if key.is_empty() {
                continue;
            }
            if !street_keys.contains(&key) {
                // "Tongjiang Street" on a hotel joins the street named 通江街 (nearest of that
                // name), through the Latin and pinyin forms of the street names.
                let lk = super::names::latin_key(street);
                let nearest = self.latin.get(&lk).and_then(|refs| {
                    refs.iter()
                        .map(|r| &self.entities[r.entity as usize])
                        .filter(|e| e.kind == Kind::Street)
                        .min_by(|x, y| {
                            super::streets::dist_m(x.point, a.point.0)
                                .total_cmp(&super::streets::dist_m(y.point, a.point.0))
                        })
                        .map(|e| e.key.clone())
                });
                if let Some(k) = nearest {
                    key = k;
                }
            }
            for part in num.split([';', ',']) {
                if let Some(n) = parse_house_number(part) {
                    numbers.entry(key.clone()).or_default().push(Numbered {
                        number: n.0,
                        text: n.1,
                        point: a.point.0,
                    });
                }
            }
        }
        for i in &map.interpolations {
            for (idx, num, street) in &i.numbered {
                let (Some(street), Some(c)) = (street, i.coords.get(*idx)) else {
                    continue;
                };
                if let Some(n) = parse_house_number(num) {
                    let list = numbers.entry(street_key(street)).or_default();
                    if !list.iter().any(|x| x.text == n.1) {
                        list.push(Numbered {
                            number: n.0,
                            text: n.1,
                            point: *c,
                        });
                    }
                }
            }
        }
        // Streets known only from addresses still get an entity (and a point).
        let known: FxHashSet<String> = self
            .entities
            .iter()
            .filter(|e| e.kind == Kind::Street)
            .map(|e| e.key.clone())
            .collect();
        let mut missing: Vec<(&String, &Vec<Numbered>)> = numbers
            .iter()
            .filter(|(k, _)| !known.contains(*k))
            .collect();
        missing.sort_by(|a, b| a.0.cmp(b.0));
        let new_streets: Vec<(String, Coord<f64>)> = missing
            .into_iter()
            .map(|(k, list)| {
                let n = list.len() as f64;
                let x = list.iter().map(|p| p.point.x).sum::<f64>() / n;
                let y = list.iter().map(|p| p.point.y).sum::<f64>() / n;
                (k.clone(), Coord { x, y })
            })
            .collect();
        for (key, point) in new_streets {
            let display = map
                .addresses
                .iter()
                .find_map(|a| a.street.as_ref().filter(|s| street_key(s) == key))
                .cloned()
                .unwrap_or_else(|| key.clone());
            let entity = Entity {
                kind: Kind::Street,
                name: display.clone(),
                point,
                street: None,
                polygon: None,
                key,
                weight: 0.8,
            };
            self.add_entity(entity, std::iter::once((display, true)), &[]);
        }
        for list in numbers.values_mut() {
            list.sort_by(|a, b| a.number.cmp(&b.number).then(a.text.cmp(&b.text)));
        }
        self.numbers = numbers;
    }

    /// Numbered buildings (`3栋`, `12号楼`, `ref=5`) inside compounds.
    pub(super) fn add_buildings(&mut self, map: &RawMap) {
        #[derive(Clone)]
        struct Boxed(u32, AABB<[f64; 2]>);
        impl RTreeObject for Boxed {
            type Envelope = AABB<[f64; 2]>;
            fn envelope(&self) -> Self::Envelope {
                self.1
            }
        }
        let boxes: Vec<Boxed> = self
            .entities
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.kind, Kind::Compound | Kind::Poi))
            .filter_map(|(i, e)| {
                let r = self.polygons[e.polygon? as usize].bounding_rect()?;
                Some(Boxed(
                    i as u32,
                    AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                ))
            })
            .collect();
        let tree = RTree::bulk_load(boxes);
        for b in &map.buildings {
            let label = b
                .names
                .name
                .as_deref()
                .and_then(building_number)
                .or_else(|| b.tags.get("ref").and_then(building_number))
                .or_else(|| {
                    if b.tags.get("addr:street").is_none() {
                        b.tags.get("addr:housenumber").and_then(building_number)
                    } else {
                        None
                    }
                });
            let Some(label) = label else { continue };
            let Some(c) = geo::Polygon::new(b.outline.clone(), vec![]).centroid() else {
                continue;
            };
            let p = [c.x(), c.y()];
            for hit in tree.locate_in_envelope_intersecting(&AABB::from_point(p)) {
                let e = &self.entities[hit.0 as usize];
                let Some(pi) = e.polygon else { continue };
                if self.polygons[pi as usize].contains(&c) {
                    self.buildings.entry((hit.0, label.clone())).or_insert(c.0);
                }
            }
        }
    }
}

/// True for names that only number a building (`7栋`, `34号楼`, `5`).
pub(crate) fn is_building_number(name: &str) -> bool {
    building_number(name).is_some()
}

/// The number of a building from its name or ref: `3栋`, `3号楼`, `3号`, `3幢`, `3`, `A3`.
pub(crate) fn building_number(text: &str) -> Option<String> {
    let n = normalize_zh(text);
    let n = n.strip_prefix('第').unwrap_or(&n);
    let core = ["号楼", "栋", "幢", "号", "座", "楼"]
        .iter()
        .find_map(|s| n.strip_suffix(s))
        .unwrap_or(n);
    let valid = !core.is_empty()
        && core.len() <= 6
        && core.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && core.chars().any(|c| c.is_ascii_digit());
    valid.then(|| core.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_numbers() {
        assert_eq!(building_number("3栋").as_deref(), Some("3"));
        assert_eq!(building_number("34号楼").as_deref(), Some("34"));
        assert_eq!(building_number("第十号楼").as_deref(), Some("10"));
        assert_eq!(building_number("A3").as_deref(), Some("a3"));
        assert_eq!(building_number("锅炉房"), None);
        assert_eq!(building_number("A18公寓"), None);
    }
}
