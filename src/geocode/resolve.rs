//! From a matched entity and the parsed rest of the query to a positioned candidate: the house
//! number on a street, the building in a compound, the prefix checked against its polygon.

use geo::{BoundingRect, Contains, Coord};

use super::answer::{Candidate, Components, Level};
use super::index::{Index, Kind};
use super::numbers::{Placed, parse_house_number, place};
use super::parse::Tail;

/// An entity reached by a name form, with the quality of that form and of the way it was
/// reached (exact 1, typo less).
#[derive(Clone, Debug)]
pub(crate) struct Hit {
    pub entity: u32,
    pub quality: f64,
}

/// Positions `hit` refined by `tail`; records what it used in `comps`.
pub(crate) fn candidate(ix: &Index, hit: &Hit, tail: &Tail, comps: &mut Components) -> Candidate {
    let e = &ix.entities[hit.entity as usize];
    let q = hit.quality;
    comps.unit = tail.unit.clone().or(comps.unit.take());
    comps.floor = tail.floor.clone().or(comps.floor.take());
    comps.room = tail.room.clone().or(comps.room.take());
    let make = |p: Coord<f64>, level: Level, confidence: f64, name: String| Candidate {
        lon: p.x,
        lat: p.y,
        level,
        confidence,
        name,
        matched: vec![e.name.clone()],
    };
    match e.kind {
        Kind::Street => {
            comps.street = Some(e.name.clone());
            let number = tail.number.clone().or_else(|| tail.building.clone());
            let Some(num) = number else {
                return make(e.point, Level::Street, 0.93 * q, e.name.clone());
            };
            comps.number = Some(num.clone());
            let label = if num.chars().all(|c| c.is_ascii_digit() || c == '-')
                && super::normalize::has_cjk(&e.name)
            {
                format!("{}{}号", e.name, num)
            } else {
                format!("{} {}", num, e.name)
            };
            let placed = parse_house_number(&num).and_then(|(n, text)| {
                ix.numbers
                    .get(&e.key)
                    .and_then(|list| place(list, n, &text))
            });
            // An estimate off the street (a fitted line, a wide bracket) is pulled onto it.
            let onto_street = |p: Coord<f64>| match e.street {
                Some(si) => ix.streets[si as usize].snap(p, 40.0),
                None => p,
            };
            match placed {
                Some(Placed::Fitted(p)) => {
                    make(onto_street(p), Level::StreetNumber, 0.55 * q, label)
                }
                Some(Placed::Exact(p)) => make(p, Level::Address, 0.97 * q, label),
                Some(Placed::Between(p, gap_m)) => {
                    let c = if gap_m < 250.0 { 0.85 } else { 0.7 };
                    make(p, Level::StreetNumber, c * q, label)
                }
                // The nearest numbered building within a block of numbers beats the middle of
                // the street.
                Some(Placed::Near(p, diff)) if diff <= 20 => {
                    make(onto_street(p), Level::StreetNumber, 0.65 * q, label)
                }
                Some(Placed::Near(p, diff)) if diff <= 100 => {
                    // A block of numbers away: on the street, level with that building.
                    make(onto_street(p), Level::StreetNumber, 0.55 * q, label)
                }
                _ => {
                    // No numbered neighbour: a point on the street, said to be rough.
                    make(e.point, Level::Street, 0.6 * q, label)
                }
            }
        }
        Kind::Compound | Kind::Poi => {
            if e.kind == Kind::Compound {
                comps.compound = Some(e.name.clone());
            } else {
                comps.poi = Some(e.name.clone());
            }
            let level = if e.kind == Kind::Compound {
                Level::Compound
            } else {
                Level::Poi
            };
            // A bare number or `号` after a name is a house number first: a compound or POI
            // takes it as a building only when the building is in the data.
            let explicit = tail.building.is_some();
            let building = tail.building.clone().or_else(|| tail.number.clone());
            let Some(b) = building else {
                let c = if e.kind == Kind::Compound { 0.93 } else { 0.92 };
                return make(e.point, level, c * q, e.name.clone());
            };
            comps.building = Some(b.clone());
            let label = format!("{} {}栋", e.name, b);
            match ix.buildings.get(&(hit.entity, b.to_ascii_lowercase())) {
                Some(p) => make(*p, Level::Building, 0.95 * q, label),
                None if explicit => make(e.point, level, 0.9 * q, e.name.clone()),
                None => make(e.point, level, 0.58 * q, e.name.clone()),
            }
        }
        Kind::Place => {
            // An area with a house number after it is most likely a street of that name.
            let c = if tail.number.is_some() || tail.building.is_some() {
                0.5
            } else {
                0.75
            };
            make(e.point, Level::Area, c * q, e.name.clone())
        }
    }
}

/// How much a candidate loses for lying outside the areas the query's prefix named (the
/// areas whose polygon the data holds; the others are not checked).
pub(crate) fn admin_penalty(ix: &Index, p: Coord<f64>, admins: &[u32]) -> f64 {
    let mut penalty = 0.0;
    for &a in admins {
        let Some(pi) = ix.admins[a as usize].polygon else {
            continue;
        };
        let poly = &ix.polygons[pi as usize];
        if poly.contains(&p) {
            continue;
        }
        // Near the border (a compound straddling it, a street along it) is not a conflict.
        let near = poly.bounding_rect().is_some_and(|r| {
            let m = 0.004;
            p.x > r.min().x - m && p.x < r.max().x + m && p.y > r.min().y - m && p.y < r.max().y + m
        }) && poly
            .0
            .iter()
            .flat_map(|pg| pg.exterior().0.windows(2))
            .any(|w| super::streets::point_segment_m(p, w[0], w[1]).0 < 250.0);
        if !near {
            penalty += 0.3;
        }
    }
    penalty
}
