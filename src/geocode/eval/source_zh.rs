//! What the Chinese query generator draws from, read straight from the raw map (never from
//! the geocoder's index): unambiguous compounds, POIs and streets of one split, street
//! crossings, and the characters of the data's names by pinyin.

use geo::{Centroid, Coord};
use rustc_hash::{FxHashMap, FxHashSet};

use super::Split;
use crate::geocode::normalize::{char_pinyin, is_cjk, normalize_zh};
use crate::osm::{AreaKind, OsmId, RawMap};

pub(super) struct Place {
    pub(super) name: String,
    pub(super) en: Option<String>,
    pub(super) point: Coord<f64>,
}

pub(super) struct Street {
    pub(super) name: String,
    pub(super) en: Option<String>,
    pub(super) lines: Vec<Vec<[f64; 2]>>,
}

pub(super) struct Crossing {
    pub(super) a: String,
    pub(super) b: String,
    pub(super) point: Coord<f64>,
}

/// What the generator draws from, read straight from the raw map.
pub(super) struct Source {
    pub(super) compounds: Vec<Place>,
    pub(super) pois: Vec<Place>,
    pub(super) streets: Vec<Street>,
    pub(super) crossings: Vec<Crossing>,
    /// Every normalized name in the data (to keep typos and gibberish from hitting one).
    pub(super) names: FxHashSet<String>,
    /// Characters of the data's names by pinyin (for same-pinyin typos).
    pub(super) by_pinyin: FxHashMap<&'static str, Vec<char>>,
    pub(super) vocabulary: Vec<char>,
}

pub(super) fn cjk_count(s: &str) -> usize {
    s.chars().filter(|c| is_cjk(*c)).count()
}

pub(super) fn usable(name: &str) -> bool {
    // One name, as a resident would type it: not "锦绣楼 / 第一教学楼" (two names).
    cjk_count(name) >= 2
        && !name.contains(['/', ';', '|'])
        && !name.chars().any(|c| c.is_ascii_alphanumeric())
        && crate::geocode::numbered::building_number(name).is_none()
}

pub(super) fn source(map: &RawMap, split: Split) -> Source {
    let mut names: FxHashSet<String> = FxHashSet::default();
    let mut places_by_name: FxHashMap<String, Vec<Coord<f64>>> = FxHashMap::default();
    let mut vocab: FxHashSet<char> = FxHashSet::default();
    let mut note = |n: &str, p: Option<Coord<f64>>, names: &mut FxHashSet<String>| {
        let k = normalize_zh(n);
        vocab.extend(k.chars().filter(|c| is_cjk(*c)));
        if let Some(p) = p {
            places_by_name.entry(k.clone()).or_default().push(p);
        }
        names.insert(k);
    };
    for r in &map.roads {
        for n in r.names.all() {
            note(n, r.coords.first().copied(), &mut names);
        }
    }
    for a in &map.areas {
        for n in a.names.all() {
            note(n, a.polygon.centroid().map(|c| c.0), &mut names);
        }
    }
    for p in &map.pois {
        for n in p.names.all() {
            note(n, Some(p.point.0), &mut names);
        }
    }
    // A name is unambiguous when every object carrying it lies within the tolerance (150 m).
    let unique = |n: &str| {
        places_by_name.get(&normalize_zh(n)).is_some_and(|ps| {
            ps.iter()
                .all(|p| crate::geocode::streets::dist_m(*p, ps[0]) < 150.0)
        })
    };
    let mut compounds = Vec::new();
    let mut pois = Vec::new();
    let mut seen: FxHashSet<String> = FxHashSet::default();
    for a in &map.areas {
        let Some(name) = a.names.name.as_deref() else {
            continue;
        };
        if !usable(name) || !split.holds(name) || !unique(name) || !seen.insert(name.to_string()) {
            continue;
        }
        let Some(c) = a.polygon.centroid() else {
            continue;
        };
        let place = Place {
            name: name.to_string(),
            en: a.names.variant("name:en").map(str::to_string),
            point: c.0,
        };
        match a.kind {
            AreaKind::Residential | AreaKind::Place => compounds.push(place),
            AreaKind::Other | AreaKind::Building => pois.push(place),
        }
    }
    for p in &map.pois {
        let Some(name) = p.names.name.as_deref() else {
            continue;
        };
        if !usable(name) || !split.holds(name) || !unique(name) || !seen.insert(name.to_string()) {
            continue;
        }
        if !matches!(p.id, OsmId::Node(_)) || p.kind.0 == "place" {
            continue;
        }
        pois.push(Place {
            name: name.to_string(),
            en: p.names.variant("name:en").map(str::to_string),
            point: p.point.0,
        });
    }
    // Streets: one name, every way within a 4 km box (else the name means several streets).
    let mut by_street: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, r) in map.roads.iter().enumerate() {
        if let Some(n) = r.names.name.as_deref()
            && usable(n)
            && !seen.contains(n)
        {
            by_street.entry(n.to_string()).or_default().push(i);
        }
    }
    let mut street_names: Vec<&String> = by_street.keys().collect();
    street_names.sort();
    let mut streets = Vec::new();
    let mut good_street: FxHashSet<String> = FxHashSet::default();
    for name in street_names {
        let ways = &by_street[name];
        let all: Vec<Coord<f64>> = ways
            .iter()
            .flat_map(|&i| map.roads[i].coords.iter().copied())
            .collect();
        let (minx, maxx) = all
            .iter()
            .fold((f64::MAX, f64::MIN), |a, c| (a.0.min(c.x), a.1.max(c.x)));
        let (miny, maxy) = all
            .iter()
            .fold((f64::MAX, f64::MIN), |a, c| (a.0.min(c.y), a.1.max(c.y)));
        let diag =
            crate::geocode::streets::dist_m(Coord { x: minx, y: miny }, Coord { x: maxx, y: maxy });
        if diag > 4000.0 {
            continue;
        }
        good_street.insert(name.clone());
        if !split.holds(name) {
            continue;
        }
        streets.push(Street {
            name: name.clone(),
            en: ways
                .iter()
                .find_map(|&i| map.roads[i].names.variant("name:en").map(str::to_string)),
            lines: ways
                .iter()
                .map(|&i| map.roads[i].coords.iter().map(|c| [c.x, c.y]).collect())
                .collect(),
        });
    }
    // Crossings: nodes shared by two good streets; pairs that meet in several places far apart
    // are left out.
    let mut at_node: FxHashMap<i64, (Coord<f64>, Vec<&str>)> = FxHashMap::default();
    for r in &map.roads {
        let Some(n) = r.names.name.as_deref() else {
            continue;
        };
        if !good_street.contains(n) {
            continue;
        }
        for (id, c) in r.nodes.iter().zip(&r.coords) {
            let e = at_node.entry(id.0).or_insert((*c, Vec::new()));
            if !e.1.contains(&n) {
                e.1.push(n);
            }
        }
    }
    let mut pairs: FxHashMap<(String, String), Vec<Coord<f64>>> = FxHashMap::default();
    for (c, ns) in at_node.values() {
        for i in 0..ns.len() {
            for j in (i + 1)..ns.len() {
                let (a, b) = if ns[i] < ns[j] {
                    (ns[i], ns[j])
                } else {
                    (ns[j], ns[i])
                };
                pairs
                    .entry((a.to_string(), b.to_string()))
                    .or_default()
                    .push(*c);
            }
        }
    }
    let mut crossings: Vec<Crossing> = pairs
        .into_iter()
        .filter(|((a, b), _)| split.holds(&format!("{a}|{b}")))
        .filter(|(_, ps)| {
            ps.iter()
                .all(|p| crate::geocode::streets::dist_m(*p, ps[0]) < 80.0)
        })
        .map(|((a, b), ps)| {
            let n = ps.len() as f64;
            Crossing {
                a,
                b,
                point: Coord {
                    x: ps.iter().map(|p| p.x).sum::<f64>() / n,
                    y: ps.iter().map(|p| p.y).sum::<f64>() / n,
                },
            }
        })
        .collect();
    crossings.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    compounds.sort_by(|a, b| a.name.cmp(&b.name));
    pois.sort_by(|a, b| a.name.cmp(&b.name));
    let mut vocabulary: Vec<char> = vocab.into_iter().collect();
    vocabulary.sort();
    let mut by_pinyin: FxHashMap<&'static str, Vec<char>> = FxHashMap::default();
    for &c in &vocabulary {
        if let Some(p) = char_pinyin(c) {
            by_pinyin.entry(p).or_default().push(c);
        }
    }
    Source {
        compounds,
        pois,
        streets,
        crossings,
        names,
        by_pinyin,
        vocabulary,
    }
}
