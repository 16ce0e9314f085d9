//! The geocoder's index, built once from a [`RawMap`]: entities (compounds, POIs, streets,
//! places) with a representative point, name tables (Chinese, Latin/pinyin, same-pinyin and
//! one-deletion keys for typos), numbered buildings per compound, house numbers per street and
//! administrative areas for prefixes.

use geo::{Centroid, Contains, Coord, InteriorPoint, LineString, MultiPolygon};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::names::{forms, split_bilingual};
use super::normalize::{normalize_zh, pinyin_key};
use super::numbered::is_building_number;
use super::numbers::Numbered;
use super::streets::{StreetGeom, cluster_streets};
use crate::osm::{AreaKind, RawMap};

/// Names that only say what a thing is (a bare `小区`, `食堂`): not searchable as names.
const GENERIC_NAMES: &[&str] = &[
    "小区",
    "公园",
    "食堂",
    "超市",
    "医院",
    "学校",
    "药店",
    "药房",
    "诊所",
    "银行",
    "公寓",
    "宿舍",
    "家属楼",
    "家属院",
    "花园",
    "广场",
    "商店",
    "饭店",
    "宾馆",
    "酒店",
    "停车场",
    "厕所",
    "公厕",
    "市场",
    "幼儿园",
    "小学",
    "中学",
    "大学",
    "学院",
    "办公楼",
    "教学楼",
    "主楼",
    "车站",
    "街道",
    "社区",
    "锅炉房",
    "水房",
    "门卫",
    "收发室",
    "仓库",
    "车库",
    "商场",
    "便利店",
    "住宅",
    "住宅楼",
    "居民楼",
    "宿舍楼",
    "综合楼",
    "实验楼",
    "图书馆",
    "体育馆",
    "礼堂",
    "浴池",
    "餐厅",
    "咖啡",
    "快递",
    "菜市场",
    "加油站",
    "派出所",
    "邮局",
    "书店",
    "网吧",
    "物业",
    "公交站",
    "地铁站",
];

/// What an entity is; decides the match level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Kind {
    Compound,
    Poi,
    Street,
    Place,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Entity {
    pub kind: Kind,
    /// The display name.
    pub name: String,
    pub point: Coord<f64>,
    /// Index into `Index::streets` for streets.
    pub street: Option<u32>,
    /// Index into `Index::polygons` for compounds and areas with a shape.
    pub polygon: Option<u32>,
    /// For streets: the key that joins house numbers (`street_key`).
    pub key: String,
    /// Prefers one entity over another of the same name (bigger compounds, longer streets).
    pub weight: f32,
}

/// A name that points at an entity, with how good a form of its name it is (0–1).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub(crate) struct NameRef {
    pub entity: u32,
    pub quality: f32,
}

/// An administrative area (province, city, district, subdistrict) named in prefixes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Admin {
    pub name: String,
    pub level: u8,
    /// `None` when the extract does not hold the whole boundary.
    pub polygon: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Index {
    pub entities: Vec<Entity>,
    pub polygons: Vec<MultiPolygon<f64>>,
    pub streets: Vec<StreetGeom>,
    /// Normalized Chinese name → entities.
    pub zh: FxHashMap<String, Vec<NameRef>>,
    /// Concatenated Latin/pinyin key → entities.
    pub latin: FxHashMap<String, Vec<NameRef>>,
    /// Pinyin of a Chinese key → the keys (for same-pinyin typos).
    pub pinyin: FxHashMap<String, Vec<String>>,
    /// A Chinese key with one character deleted → the keys (for one wrong or missing character).
    pub deletes: FxHashMap<String, Vec<String>>,
    /// (compound entity, building number) → the building's centroid.
    pub buildings: FxHashMap<(u32, String), Coord<f64>>,
    /// Street key → numbered points along it, sorted by number.
    pub numbers: FxHashMap<String, Vec<Numbered>>,
    pub admins: Vec<Admin>,
    /// Normalized admin name (and its short form without 省/市/区/县) → admins.
    pub admin_zh: FxHashMap<String, Vec<u32>>,
    /// Latin admin key (`harbin`, `nangangqu`, `baltimore`) → admins.
    pub admin_latin: FxHashMap<String, Vec<u32>>,
    /// Lower-case `addr:state` values of the data (US two-letter codes).
    pub states: Vec<String>,
    /// Sorted (key, entity) for autocomplete: Chinese keys and pinyin keys.
    pub suggest: Vec<(String, u32)>,
    /// Chinese character → positions in `suggest` of the keys containing it (for completions
    /// that match inside a name).
    pub suggest_by_char: FxHashMap<char, Vec<u32>>,
}

impl Index {
    pub(crate) fn build(map: &RawMap) -> Index {
        let mut ix = Index {
            entities: Vec::new(),
            polygons: Vec::new(),
            streets: Vec::new(),
            zh: FxHashMap::default(),
            latin: FxHashMap::default(),
            pinyin: FxHashMap::default(),
            deletes: FxHashMap::default(),
            buildings: FxHashMap::default(),
            numbers: FxHashMap::default(),
            admins: Vec::new(),
            admin_zh: FxHashMap::default(),
            admin_latin: FxHashMap::default(),
            states: Vec::new(),
            suggest: Vec::new(),
            suggest_by_char: FxHashMap::default(),
        };
        ix.add_admins(map);
        let prefixes: Vec<String> = {
            let mut p: Vec<String> = ix
                .admin_zh
                .keys()
                .filter(|k| k.chars().count() >= 2)
                .cloned()
                .collect();
            p.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
            p
        };
        ix.add_areas_and_pois(map, &prefixes);
        ix.add_streets(map, &prefixes);
        ix.add_numbers(map);
        ix.add_buildings(map);
        ix.finish_tables();
        ix
    }

    pub(super) fn add_entity(
        &mut self,
        entity: Entity,
        names: impl Iterator<Item = (String, bool)>,
        prefixes: &[String],
    ) -> u32 {
        let id = self.entities.len() as u32;
        let names: Vec<(String, bool)> = names
            .filter(|(n, _)| !GENERIC_NAMES.contains(&normalize_zh(n).as_str()))
            .collect();
        let f = forms(names.iter().map(|(n, m)| (n.as_str(), *m)), prefixes);
        for (key, quality) in f.zh {
            self.zh.entry(key).or_default().push(NameRef {
                entity: id,
                quality,
            });
        }
        for (key, quality) in f.latin {
            self.latin.entry(key).or_default().push(NameRef {
                entity: id,
                quality,
            });
        }
        self.entities.push(entity);
        id
    }

    fn add_admins(&mut self, map: &RawMap) {
        for b in &map.boundaries {
            let Some(name) = b.names.name.as_deref() else {
                continue;
            };
            let polygon = if b.polygon.0.is_empty() {
                None
            } else {
                self.polygons.push(b.polygon.clone());
                Some(self.polygons.len() as u32 - 1)
            };
            let id = self.admins.len() as u32;
            self.admins.push(Admin {
                name: name.to_string(),
                level: b.admin_level,
                polygon,
            });
            for (n, _) in b.names.all().map(|n| (n, true)) {
                let (zh, latin) = split_bilingual(n);
                for z in zh {
                    let key = normalize_zh(&z);
                    self.add_admin_key(&key, id);
                }
                for l in latin {
                    let key = super::names::latin_key(&l);
                    push_unique(self.admin_latin.entry(key).or_default(), id);
                }
            }
        }
        // Cities and districts named only in addr:* tags still count as known prefixes.
        for a in &map.addresses {
            for (k, level) in [("addr:province", 4), ("addr:city", 5), ("addr:district", 6)] {
                if let Some(v) = a.tags.get(k) {
                    let key = normalize_zh(v);
                    if key.is_empty() || self.admin_zh.contains_key(&key) {
                        continue;
                    }
                    let id = self.admins.len() as u32;
                    self.admins.push(Admin {
                        name: v.to_string(),
                        level,
                        polygon: None,
                    });
                    if super::normalize::has_cjk(v) {
                        self.add_admin_key(&key, id);
                    } else {
                        let lk = super::names::latin_key(v);
                        push_unique(self.admin_latin.entry(lk).or_default(), id);
                    }
                }
            }
            if let Some(s) = a.tags.get("addr:state") {
                let s = s.trim().to_ascii_lowercase();
                if !s.is_empty() && !self.states.contains(&s) {
                    self.states.push(s);
                }
            }
        }
    }

    fn add_admin_key(&mut self, key: &str, id: u32) {
        if key.chars().count() < 2 {
            return;
        }
        push_unique(self.admin_zh.entry(key.to_string()).or_default(), id);
        let py = pinyin_key(key);
        push_unique(self.admin_latin.entry(py.clone()).or_default(), id);
        if py.contains("haerbin") {
            push_unique(
                self.admin_latin
                    .entry(py.replace("haerbin", "harbin"))
                    .or_default(),
                id,
            );
        }
        // Short forms (哈尔滨, 南岗) only for provinces, cities and districts: a subdistrict's
        // short form (建国 of 建国街道) is too often the start of a street's name.
        let level = self.admins[id as usize].level;
        let suffixes: &[&str] = if level <= 7 {
            &["省", "市", "区", "县"]
        } else {
            &[]
        };
        for suffix in suffixes {
            if let Some(short) = key.strip_suffix(suffix)
                && short.chars().count() >= 2
            {
                push_unique(self.admin_zh.entry(short.to_string()).or_default(), id);
                let spy = pinyin_key(short);
                if spy.contains("haerbin") {
                    push_unique(
                        self.admin_latin
                            .entry(spy.replace("haerbin", "harbin"))
                            .or_default(),
                        id,
                    );
                }
                push_unique(self.admin_latin.entry(spy).or_default(), id);
            }
        }
    }

    fn add_areas_and_pois(&mut self, map: &RawMap, prefixes: &[String]) {
        let mut seen: FxHashSet<crate::osm::OsmId> = FxHashSet::default();
        for a in &map.areas {
            let Some(name) = a.names.name.clone() else {
                continue;
            };
            if is_building_number(&name) {
                continue;
            }
            let kind = match a.kind {
                AreaKind::Residential => Kind::Compound,
                AreaKind::Place => Kind::Compound,
                AreaKind::Building | AreaKind::Other => Kind::Poi,
            };
            let point = representative_point(&a.polygon);
            let Some(point) = point else { continue };
            seen.insert(a.id);
            self.polygons.push(a.polygon.clone());
            let area_m2 = geo::Area::unsigned_area(&a.polygon) * 1.0e10;
            let entity = Entity {
                kind,
                name: name.clone(),
                point,
                street: None,
                polygon: Some(self.polygons.len() as u32 - 1),
                key: String::new(),
                weight: match a.kind {
                    AreaKind::Residential => 1.0,
                    AreaKind::Place => 0.9,
                    AreaKind::Other => 0.85,
                    AreaKind::Building => 0.8,
                } + (area_m2.ln().max(0.0) as f32) * 0.001,
            };
            let names = a
                .names
                .all()
                .map(|n| (n.to_string(), Some(n) == a.names.name.as_deref()));
            self.add_entity(entity, names.collect::<Vec<_>>().into_iter(), prefixes);
        }
        for p in &map.pois {
            let Some(name) = p.names.name.clone() else {
                continue;
            };
            if seen.contains(&p.id) || is_building_number(&name) {
                continue;
            }
            let kind = match (p.kind.0.as_str(), p.kind.1.as_str()) {
                ("place", "neighbourhood" | "quarter" | "city_block" | "plot")
                | ("landuse", "residential") => Kind::Compound,
                ("place", _) => Kind::Place,
                _ => Kind::Poi,
            };
            let entity = Entity {
                kind,
                name: name.clone(),
                point: p.point.0,
                street: None,
                polygon: None,
                key: String::new(),
                weight: if kind == Kind::Compound { 0.9 } else { 0.8 },
            };
            let names = p
                .names
                .all()
                .map(|n| (n.to_string(), Some(n) == p.names.name.as_deref()));
            self.add_entity(entity, names.collect::<Vec<_>>().into_iter(), prefixes);
        }
        // Areas named by their admin polygon (南岗区 alone) answer at area level.
        for i in 0..self.admins.len() {
            let Some(pi) = self.admins[i].polygon else {
                continue;
            };
            let Some(point) = representative_point(&self.polygons[pi as usize]) else {
                continue;
            };
            let name = self.admins[i].name.clone();
            let entity = Entity {
                kind: Kind::Place,
                name: name.clone(),
                point,
                street: None,
                polygon: Some(pi),
                key: String::new(),
                weight: 0.5,
            };
            self.add_entity(entity, std::iter::once((name, true)), &[]);
        }
    }

    fn add_streets(&mut self, map: &RawMap, prefixes: &[String]) {
        for cluster in cluster_streets(map) {
            let id = self.streets.len() as u32;
            let point = cluster.geom.midpoint();
            let weight = 0.85 + (cluster.geom.length_m().max(1.0).ln() as f32) * 0.001;
            let entity = Entity {
                kind: Kind::Street,
                name: cluster.display.clone(),
                point,
                street: Some(id),
                polygon: None,
                key: cluster.key.clone(),
                weight,
            };
            self.streets.push(cluster.geom);
            let names = cluster.names.into_iter().map(|n| {
                let main = n == cluster.display;
                (n, main)
            });
            self.add_entity(entity, names.collect::<Vec<_>>().into_iter(), prefixes);
        }
    }

    fn finish_tables(&mut self) {
        let keys: Vec<String> = self.zh.keys().cloned().collect();
        for key in &keys {
            let chars: Vec<char> = key.chars().collect();
            let py = pinyin_key(key);
            if !py.is_empty() {
                push_unique_s(self.pinyin.entry(py).or_default(), key);
            }
            if chars.len() >= 4 {
                for i in 0..chars.len() {
                    let del: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
                    push_unique_s(self.deletes.entry(del).or_default(), key);
                }
            }
        }
        let mut suggest: Vec<(String, u32)> = Vec::new();
        for (key, refs) in self.zh.iter().chain(self.latin.iter()) {
            for r in refs {
                suggest.push((key.clone(), r.entity));
            }
        }
        suggest.sort();
        suggest.dedup();
        let mut by_char: FxHashMap<char, Vec<u32>> = FxHashMap::default();
        for (i, (k, _)) in suggest.iter().enumerate() {
            let mut seen: Vec<char> = Vec::new();
            for c in k.chars().filter(|c| super::normalize::is_cjk(*c)) {
                if !seen.contains(&c) {
                    seen.push(c);
                    by_char.entry(c).or_default().push(i as u32);
                }
            }
        }
        self.suggest = suggest;
        self.suggest_by_char = by_char;
    }
}

fn push_unique(v: &mut Vec<u32>, id: u32) {
    if !v.contains(&id) {
        v.push(id);
    }
}

fn push_unique_s(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// The point that stands for a shape: its centroid when that falls inside; else the point of
/// the shape nearest to the centroid (an L-shaped or two-part compound is answered on its
/// edge nearest its middle, not at an arbitrary corner).
pub(crate) fn representative_point(shape: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    use geo::{Closest, ClosestPoint};
    let c = shape.centroid()?;
    if shape.contains(&c) {
        return Some(c.0);
    }
    match shape.closest_point(&c) {
        Closest::SinglePoint(p) | Closest::Intersection(p) => Some(p.0),
        Closest::Indeterminate => shape.interior_point().map(|p| p.0).or(Some(c.0)),
    }
}

/// A way's length in metres (haversine over its segments).
pub(crate) fn line_length_m(line: &LineString<f64>) -> f64 {
    use geo::{Distance, Haversine};
    line.0
        .windows(2)
        .map(|w| Haversine.distance(geo::Point(w[0]), geo::Point(w[1])))
        .sum()
}
