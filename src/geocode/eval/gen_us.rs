//! US query sets (Baltimore): addresses in the forms people type (abbreviations, lower case,
//! with or without city, state and ZIP), bare streets, numbers held out of the data to test
//! interpolation, and addresses in other cities or gibberish that must not match.

use geo::Coord;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Case, Expect, Split};
use crate::geocode::names::street_key;
use crate::geocode::numbers::parse_house_number;
use crate::osm::{OsmId, RawMap, Tags};

const ADDRESS_M: f64 = 50.0;
const HELD_OUT_M: f64 = 60.0;
const STREET_M: f64 = 50.0;

/// A US query set, with the addresses to remove from the map before geocoding it (their
/// numbers are asked for by the `us_missing_number` kind).
pub struct UsSet {
    pub cases: Vec<Case>,
    pub removed: Vec<OsmId>,
}

impl UsSet {
    /// The map without the held-out addresses.
    pub fn prune(&self, map: &RawMap) -> RawMap {
        let gone: FxHashSet<OsmId> = self.removed.iter().copied().collect();
        let mut m = map.clone();
        m.addresses.retain(|a| !gone.contains(&a.id));
        // The building keeps its outline but loses its number, as if never tagged.
        for b in &mut m.buildings {
            if gone.contains(&b.id) {
                b.tags = Tags::new(
                    b.tags
                        .iter()
                        .filter(|(k, _)| !k.starts_with("addr:"))
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                );
            }
        }
        m
    }
}

struct Addr {
    number: u32,
    text: String,
    street: String,
    postcode: Option<String>,
    point: Coord<f64>,
}

const OTHER_CITIES: &[&str] = &[
    "Sunset Boulevard, Los Angeles, CA 90028",
    "Peachtree Street NE, Atlanta, GA 30303",
    "Pennsylvania Avenue NW, Washington, DC 20500",
    "Michigan Avenue, Chicago, IL 60611",
    "Bourbon Street, New Orleans, LA 70116",
    "Lombard Street, San Francisco, CA 94133",
    "Beale Street, Memphis, TN 38103",
    "Rodeo Drive, Beverly Hills, CA 90210",
    "Ocean Drive, Miami Beach, FL 33139",
    "Main Street, Springfield, IL 62701",
    "Broad Street, Philadelphia, PA 19107",
    "Congress Avenue, Austin, TX 78701",
    "Pike Street, Seattle, WA 98101",
    "Colfax Avenue, Denver, CO 80203",
    "Woodward Avenue, Detroit, MI 48226",
    "Commonwealth Avenue, Boston, MA 02215",
    "Las Vegas Boulevard South, Las Vegas, NV 89109",
    "Canal Street, New York, NY 10013",
    "Chunxi Road, Chengdu",
    "Nanjing Road, Shanghai",
];

fn abbreviate(word: &str, rng: &mut StdRng) -> String {
    let alts: &[&str] = match word {
        "Street" => &["St", "St.", "Street", "street", "ST"],
        "Avenue" => &["Ave", "Ave.", "Avenue", "Av"],
        "Road" => &["Rd", "Rd.", "Road"],
        "Boulevard" => &["Blvd", "Blvd.", "Boulevard"],
        "Drive" => &["Dr", "Dr.", "Drive"],
        "Lane" => &["Ln", "Lane"],
        "Court" => &["Ct", "Court"],
        "Place" => &["Pl", "Place"],
        "Terrace" => &["Ter", "Terrace"],
        "Parkway" => &["Pkwy", "Parkway"],
        "East" => &["E", "E.", "East"],
        "West" => &["W", "W.", "West"],
        "North" => &["N", "N.", "North"],
        "South" => &["S", "S.", "South"],
        _ => return word.to_string(),
    };
    alts.choose(rng).map(|s| s.to_string()).unwrap_or_default()
}

fn street_form(street: &str, rng: &mut StdRng) -> String {
    street
        .split_whitespace()
        .map(|w| abbreviate(w, rng))
        .collect::<Vec<_>>()
        .join(" ")
}

fn case_form(s: String, rng: &mut StdRng) -> String {
    match rng.random_range(0..6) {
        0 | 1 => s.to_lowercase(),
        2 => s.to_uppercase(),
        _ => s,
    }
}

fn city_suffix(postcode: Option<&str>, rng: &mut StdRng) -> String {
    match (rng.random_range(0..5), postcode) {
        (0, Some(z)) => format!(", Baltimore, MD {z}"),
        (1, _) => ", Baltimore, MD".to_string(),
        (2, _) => " Baltimore MD".to_string(),
        (3, _) => ", Baltimore".to_string(),
        _ => String::new(),
    }
}

/// Generates about `per_kind` cases of each kind from a US extract.
pub fn generate_us(map: &RawMap, set: &str, seed: u64, split: Split, per_kind: usize) -> UsSet {
    let mut rng = StdRng::seed_from_u64(seed ^ 0xba17_1302e);
    // Unique (street, number) addresses of this split's streets.
    let mut count: FxHashMap<(String, String), usize> = FxHashMap::default();
    let mut addrs: Vec<Addr> = Vec::new();
    for a in &map.addresses {
        let (Some(num), Some(street)) = (&a.housenumber, &a.street) else {
            continue;
        };
        let Some((n, text)) = parse_house_number(num) else {
            continue;
        };
        if !street.is_ascii() {
            continue;
        }
        *count.entry((street_key(street), text.clone())).or_default() += 1;
        if !split.holds(street) {
            continue;
        }
        addrs.push(Addr {
            number: n,
            text,
            street: street.clone(),
            postcode: a.tags.get("addr:postcode").map(str::to_string),
            point: a.point.0,
        });
    }
    addrs.retain(|a| count[&(street_key(&a.street), a.text.clone())] == 1);
    addrs.sort_by(|a, b| (&a.street, a.number).cmp(&(&b.street, b.number)));

    // Held out: numbers with numbered neighbours on both sides of the same parity nearby.
    let mut by_street: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, a) in addrs.iter().enumerate() {
        by_street.entry(a.street.as_str()).or_default().push(i);
    }
    let mut inner: Vec<usize> = Vec::new();
    for idx in by_street.values() {
        for (k, &i) in idx.iter().enumerate() {
            let a = &addrs[i];
            let same = |j: &usize| addrs[*j].number % 2 == a.number % 2;
            let lo = idx[..k].iter().rev().find(|j| same(j));
            let hi = idx[k + 1..].iter().find(|j| same(j));
            if let (Some(&lo), Some(&hi)) = (lo, hi) {
                let d = crate::geocode::streets::dist_m(addrs[lo].point, addrs[hi].point);
                if d < 400.0 {
                    inner.push(i);
                }
            }
        }
    }
    inner.sort();
    let mut held: Vec<usize> = Vec::new();
    let mut taken: FxHashSet<usize> = FxHashSet::default();
    // At most a tenth of the eligible numbers per set, in either split: holding out more
    // thins the data around each held-out number (and the smaller split far more than the
    // larger), which measures sparser data than the extract has.
    let quota = per_kind.min(inner.len().div_ceil(10));
    for _ in 0..quota * 3 {
        if held.len() == quota {
            break;
        }
        if let Some(&i) = inner.choose(&mut rng) {
            // Never hold out both neighbours of a held-out number.
            let near_taken = taken.iter().any(|&t| {
                addrs[t].street == addrs[i].street && addrs[t].number.abs_diff(addrs[i].number) <= 4
            });
            if !near_taken && taken.insert(i) {
                held.push(i);
            }
        }
    }
    let removed: Vec<OsmId> = {
        let keys: FxHashSet<(String, String)> = held
            .iter()
            .map(|&i| (street_key(&addrs[i].street), addrs[i].text.clone()))
            .collect();
        map.addresses
            .iter()
            .filter(|a| {
                a.street.as_deref().is_some_and(|s| {
                    a.housenumber
                        .as_deref()
                        .and_then(parse_house_number)
                        .is_some_and(|(_, t)| keys.contains(&(street_key(s), t)))
                })
            })
            .map(|a| a.id)
            .collect()
    };

    let mut cases = Vec::new();
    let push = |kind: &str, query: String, expect: Expect, cases: &mut Vec<Case>| {
        let id = format!("{set}-{seed}-{}", cases.len());
        cases.push(Case {
            id,
            set: set.to_string(),
            kind: kind.to_string(),
            query,
            expect,
        });
    };
    let point = |p: Coord<f64>, t: f64| Expect::Point {
        lon: p.x,
        lat: p.y,
        tolerance_m: t,
    };
    for &i in &held {
        let a = &addrs[i];
        let q = format!(
            "{} {}{}",
            a.number,
            street_form(&a.street, &mut rng),
            city_suffix(a.postcode.as_deref(), &mut rng)
        );
        push(
            "us_missing_number",
            case_form(q, &mut rng),
            point(a.point, HELD_OUT_M),
            &mut cases,
        );
    }
    let kept: Vec<&Addr> = addrs
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken.contains(i))
        .map(|(_, a)| a)
        .collect();

    // Streets with a Latin name, all ways within a 6 km box.
    let mut streets: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, r) in map.roads.iter().enumerate() {
        if let Some(n) = r.names.name.as_deref()
            && n.is_ascii()
            && split.holds(n)
        {
            streets.entry(n).or_default().push(i);
        }
    }
    let mut street_list: Vec<(&str, Vec<Vec<[f64; 2]>>)> = streets
        .into_iter()
        .filter(|(_, ways)| {
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
            crate::geocode::streets::dist_m(Coord { x: minx, y: miny }, Coord { x: maxx, y: maxy })
                < 6000.0
        })
        .map(|(n, ways)| {
            (
                n,
                ways.iter()
                    .map(|&i| map.roads[i].coords.iter().map(|c| [c.x, c.y]).collect())
                    .collect(),
            )
        })
        .collect();
    street_list.sort_by(|a, b| a.0.cmp(b.0));
    let known_streets: FxHashSet<String> = map
        .roads
        .iter()
        .filter_map(|r| r.names.name.as_deref().map(street_key))
        .collect();

    for _ in 0..per_kind {
        if let Some(a) = kept.choose(&mut rng) {
            let q = match rng.random_range(0..3) {
                0 => format!(
                    "{} {}{}",
                    a.text.to_uppercase(),
                    street_form(&a.street, &mut rng),
                    city_suffix(a.postcode.as_deref(), &mut rng)
                ),
                1 => format!("{} {}", a.number, a.street),
                _ => format!(
                    "{} {}{}",
                    a.number,
                    street_form(&a.street, &mut rng),
                    city_suffix(a.postcode.as_deref(), &mut rng)
                ),
            };
            push(
                "us_address",
                case_form(q, &mut rng),
                point(a.point, ADDRESS_M),
                &mut cases,
            );
        }
        if let Some((name, lines)) = street_list.choose(&mut rng) {
            let q = format!(
                "{}{}",
                street_form(name, &mut rng),
                city_suffix(None, &mut rng)
            );
            push(
                "us_street",
                case_form(q, &mut rng),
                Expect::Line {
                    lines: lines.clone(),
                    tolerance_m: STREET_M,
                },
                &mut cases,
            );
        }
        if rng.random_bool(0.6) {
            if let Some(o) = OTHER_CITIES.choose(&mut rng) {
                let n = rng.random_range(100..3000);
                let q = format!("{n} {}", o);
                push(
                    "no_match_other_city",
                    case_form(q, &mut rng),
                    Expect::NoMatch,
                    &mut cases,
                );
            }
        } else {
            // A street name Baltimore lacks, in Baltimore's own format.
            let first = [
                "Maple",
                "Juniper",
                "Sycamore",
                "Willowbrook",
                "Quail Run",
                "Aspen Ridge",
                "Magnolia",
                "Cottonwood",
                "Mesquite",
                "Saguaro",
            ];
            let kind = ["Street", "Avenue", "Road", "Lane", "Drive", "Court"];
            let name = format!(
                "{} {}",
                first.choose(&mut rng).copied().unwrap_or("Maple"),
                kind.choose(&mut rng).copied().unwrap_or("Street")
            );
            if !known_streets.contains(&street_key(&name)) {
                let q = format!(
                    "{} {}{}",
                    rng.random_range(100..3000),
                    street_form(&name, &mut rng),
                    city_suffix(None, &mut rng)
                );
                push(
                    "no_match_other_city",
                    case_form(q, &mut rng),
                    Expect::NoMatch,
                    &mut cases,
                );
            }
        }
        let len = rng.random_range(2..=4);
        let g: Vec<String> = (0..len)
            .map(|_| {
                let l = rng.random_range(3..=8);
                (0..l)
                    .map(|_| char::from(b'a' + rng.random_range(0..26)))
                    .collect()
            })
            .collect();
        let q = if rng.random_bool(0.5) {
            format!("{} {}", rng.random_range(1..9999), g.join(" "))
        } else {
            g.join(" ")
        };
        push("no_match_gibberish", q, Expect::NoMatch, &mut cases);
    }
    UsSet { cases, removed }
}
