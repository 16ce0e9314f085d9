//! Latin-script queries: US-style addresses (`2400 Boston St, Baltimore, MD 21224`) and English
//! or pinyin forms of Chinese names (`Hongjun Street 85`, `Hongxiang Mingyuan Building 3`).
//!
//! Names are found as runs of words whose concatenation is a Latin key of the index, so word
//! breaks do not matter (`Hong Jun` = `Hongjun`). What is left must be a house number, a
//! building/unit/room, a known city, state or postcode, or a filler word; anything else costs
//! confidence, and another state or an unknown city after a comma means another place.

use super::answer::{Candidate, Components, Level};
use super::index::{Index, Kind};
use super::normalize::{LatinToken, latin_tokens};
use super::parse::Tail;
use super::resolve::Hit;
use super::search_zh::{Scored, hits_to_candidates};

const FILLERS: &[&str] = &[
    "number",
    "the",
    "of",
    "at",
    "in",
    "near",
    "corner",
    "intersection",
    "crossing",
    "junction",
    "china",
    "prc",
    "usa",
    "us",
    "america",
    "united",
    "states",
    "city",
    "province",
    "district",
    "po",
    "box",
    "address",
    "to",
];

const US_STATES: &[&str] = &[
    "al",
    "ak",
    "az",
    "ar",
    "ca",
    "co",
    "ct",
    "de",
    "fl",
    "ga",
    "hi",
    "id",
    "il",
    "in",
    "ia",
    "ks",
    "ky",
    "la",
    "me",
    "md",
    "ma",
    "mi",
    "mn",
    "ms",
    "mo",
    "mt",
    "ne",
    "nv",
    "nh",
    "nj",
    "nm",
    "ny",
    "nc",
    "nd",
    "oh",
    "ok",
    "or",
    "pa",
    "ri",
    "sc",
    "sd",
    "tn",
    "tx",
    "ut",
    "vt",
    "va",
    "wa",
    "wv",
    "wi",
    "wy",
    "dc",
    "maryland",
    "virginia",
    "california",
    "texas",
    "florida",
    "ohio",
    "pennsylvania",
    "illinois",
    "georgia",
    "michigan",
    "newyork",
    "delaware",
];

/// Words that join the two streets of an intersection.
const CONNECTORS: &[&str] = &["and", "&", "at", "x"];

#[derive(Clone, Debug)]
struct Span {
    start: usize,
    end: usize,
    hits: Vec<Hit>,
}

fn text_of(t: &LatinToken) -> Option<&str> {
    match t {
        LatinToken::Word(w) => Some(w),
        LatinToken::Number(n) => Some(n),
        LatinToken::Comma => None,
    }
}

/// Every run of tokens (not across commas) whose key names an entity; longest first.
fn name_spans(ix: &Index, toks: &[LatinToken]) -> Vec<Span> {
    let mut spans = Vec::new();
    for i in 0..toks.len() {
        let mut key = String::new();
        let mut ends = Vec::new();
        for (j, t) in toks.iter().enumerate().skip(i).take(10) {
            let Some(s) = text_of(t) else { break };
            key.push_str(s);
            if let Some(refs) = ix.latin.get(&key) {
                ends.push((j + 1, refs));
            }
        }
        for (end, refs) in ends.into_iter().rev() {
            let mut hits: Vec<Hit> = refs
                .iter()
                .map(|r| Hit {
                    entity: r.entity,
                    quality: f64::from(r.quality),
                })
                .collect();
            hits.sort_by(|a, b| {
                a.entity
                    .cmp(&b.entity)
                    .then(b.quality.total_cmp(&a.quality))
            });
            hits.dedup_by_key(|h| h.entity);
            spans.push(Span {
                start: i,
                end,
                hits,
            });
        }
    }
    spans.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.start.cmp(&b.start))
    });
    spans
}

/// The known admin area named by the tokens `i..j`, if any.
fn admin_at(ix: &Index, toks: &[LatinToken], i: usize, j: usize) -> Option<Vec<u32>> {
    let key: String = toks[i..j].iter().filter_map(text_of).collect();
    ix.admin_latin.get(&key).cloned()
}

/// Geocodes a Latin-script query.
pub(crate) fn search(ix: &Index, query: &str) -> (Vec<Scored>, Components) {
    let toks = latin_tokens(query);
    let mut base = Components::default();
    let mut out: Vec<Scored> = Vec::new();
    if toks.is_empty() {
        return (out, base);
    }
    let spans = name_spans(ix, &toks);

    // Admin areas (city, district) anywhere, longest first, not overlapping.
    let mut used = vec![false; toks.len()];
    let mut admins: Vec<u32> = Vec::new();
    for len in (1..=4).rev() {
        for i in 0..toks.len().saturating_sub(len - 1) {
            if used[i..i + len].iter().any(|u| *u) {
                continue;
            }
            if let Some(ids) = admin_at(ix, &toks, i, i + len) {
                // A city name that is also part of a longer street name belongs to the street.
                let inside_name = spans
                    .iter()
                    .any(|s| s.start <= i && s.end >= i + len && s.end - s.start > len);
                if inside_name {
                    continue;
                }
                used[i..i + len].iter_mut().for_each(|u| *u = true);
                let name: String = toks[i..i + len]
                    .iter()
                    .filter_map(text_of)
                    .collect::<Vec<_>>()
                    .join(" ");
                let level = ids
                    .iter()
                    .map(|&a| ix.admins[a as usize].level)
                    .min()
                    .unwrap_or(8);
                match level {
                    0..=4 => base.province = Some(name),
                    5 => base.city = Some(name),
                    6 | 7 => base.district = Some(name),
                    _ => base.subdistrict = Some(name),
                }
                admins.extend(ids);
            }
        }
    }

    // Intersections: two street spans joined by a connector.
    let street_spans: Vec<&Span> = spans
        .iter()
        .filter(|s| {
            !used[s.start..s.end].iter().any(|u| *u)
                && s.hits
                    .iter()
                    .any(|h| ix.entities[h.entity as usize].kind == Kind::Street)
        })
        .collect();
    for a in &street_spans {
        for b in &street_spans {
            if b.start < a.end + 1 || b.start > a.end + 2 {
                continue;
            }
            let joined = toks[a.end..b.start]
                .iter()
                .all(|t| matches!(t, LatinToken::Word(w) if CONNECTORS.contains(&w.as_str())))
                && b.start > a.end;
            if !joined {
                continue;
            }
            if let Some(c) = crossing(ix, a, b, &admins, &base) {
                out.push(c);
            }
        }
    }

    // The main name: the longest span not used by an admin area.
    let mut tried = 0;
    for span in &spans {
        if used[span.start..span.end].iter().any(|u| *u) {
            continue;
        }
        tried += 1;
        if tried > 4 {
            break;
        }
        let mut comps = base.clone();
        let (tail, unexplained, foreign) = rest_of(ix, &toks, span, &used, &mut comps);
        let penalty = 0.3 * unexplained as f64 + if foreign { 0.6 } else { 0.0 };
        hits_to_candidates(ix, &span.hits, &tail, penalty, &admins, &comps, &mut out);
    }
    if out.is_empty() {
        let rest: Vec<&str> = toks
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .filter_map(|(_, t)| text_of(t))
            .collect();
        if !rest.is_empty() {
            base.unparsed = Some(rest.join(" "));
        }
    }
    (out, base)
}

/// Reads what surrounds the name: number, building/unit/room, state, postcode. Returns the
/// tail, how many words were unexplained, and whether they name another place.
fn rest_of(
    ix: &Index,
    toks: &[LatinToken],
    span: &Span,
    used: &[bool],
    comps: &mut Components,
) -> (Tail, usize, bool) {
    let mut tail = Tail::default();
    let mut unexplained = 0;
    let mut foreign = false;
    let mut i = 0;
    let mut after_comma = false;
    while i < toks.len() {
        if i >= span.start && i < span.end {
            i = span.end;
            continue;
        }
        if used[i] {
            i += 1;
            continue;
        }
        let next_num = match toks.get(i + 1) {
            Some(LatinToken::Number(n)) => Some(n.clone()),
            _ => None,
        };
        match &toks[i] {
            LatinToken::Comma => after_comma = true,
            LatinToken::Number(n) => {
                let is_zip = n.len() == 5 && n.chars().all(|c| c.is_ascii_digit()) && i > span.end;
                if is_zip && (after_comma || !ix.states.is_empty()) {
                    comps.postcode = Some(n.clone());
                } else if tail.number.is_none() && tail.building.is_none() {
                    tail.number = Some(n.clone());
                } else if tail.room.is_none() {
                    tail.room = Some(n.clone());
                } else {
                    unexplained += 1;
                }
            }
            LatinToken::Word(w) => {
                let w = w.as_str();
                let slot = match w {
                    "building" | "block" | "tower" | "dong" | "hao" | "haolou" => {
                        Some(&mut tail.building)
                    }
                    "unit" | "entrance" | "danyuan" => Some(&mut tail.unit),
                    "room" | "apartment" | "suite" | "ste" | "flat" | "shi" => Some(&mut tail.room),
                    "floor" | "fl" | "level" => Some(&mut tail.floor),
                    _ => None,
                };
                if let (Some(slot), Some(n)) = (slot, next_num.clone()) {
                    *slot = Some(n);
                    i += 2;
                    continue;
                }
                if FILLERS.contains(&w) {
                } else if US_STATES.contains(&w) && (after_comma || i > span.end) {
                    comps.state = Some(w.to_string());
                    if !ix.states.is_empty() && !ix.states.iter().any(|s| s == w) {
                        foreign = true;
                    }
                    if ix.states.is_empty() {
                        // A US state in a map with no US addresses.
                        foreign = true;
                    }
                } else {
                    unexplained += 1;
                    // An unknown town after the street, in a map that knows its towns.
                    if after_comma && !ix.admin_latin.is_empty() {
                        foreign = true;
                    }
                }
            }
        }
        i += 1;
    }
    (tail, unexplained, foreign)
}

fn crossing(ix: &Index, a: &Span, b: &Span, admins: &[u32], base: &Components) -> Option<Scored> {
    let mut best: Option<Scored> = None;
    for ha in &a.hits {
        for hb in &b.hits {
            let (ea, eb) = (
                &ix.entities[ha.entity as usize],
                &ix.entities[hb.entity as usize],
            );
            let (Some(sa), Some(sb)) = (ea.street, eb.street) else {
                continue;
            };
            if sa == sb {
                continue;
            }
            let Some((p, gap)) = ix.streets[sa as usize].crossing(&ix.streets[sb as usize], 60.0)
            else {
                continue;
            };
            let conf = if gap < 25.0 { 0.9 } else { 0.78 } * ha.quality.min(hb.quality)
                - super::resolve::admin_penalty(ix, p, admins);
            if best.as_ref().is_none_or(|(c, _)| conf > c.confidence) {
                let mut comps = base.clone();
                comps.street = Some(ea.name.clone());
                comps.cross_street = Some(eb.name.clone());
                best = Some((
                    Candidate {
                        lon: p.x,
                        lat: p.y,
                        level: Level::Intersection,
                        confidence: conf.clamp(0.0, 1.0),
                        name: format!("{} & {}", ea.name, eb.name),
                        matched: vec![ea.name.clone(), eb.name.clone()],
                    },
                    comps,
                ));
            }
        }
    }
    best
}
