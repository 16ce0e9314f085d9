//! Chinese queries: prefixes (province, city, district, subdistrict, community), then an
//! intersection, a name with what follows it, or — failing an exact name — a name within one
//! typo.

use super::answer::{Candidate, Components, Level};
use super::fuzzy::fuzzy_keys;
use super::index::{Index, Kind};
use super::parse::{Tail, intersection_splits, parse_tail, place_prefix, tail_start};
use super::resolve::{Hit, admin_penalty, candidate};

/// Penalty per character after the name that the parse could not place.
const UNEXPLAINED: f64 = 0.15;
/// Penalty per character skipped before the name (not a known prefix).
const SKIPPED: f64 = 0.2;

/// Administrative prefixes found at the start of a query.
struct Prefixes {
    /// Positions a name may start at: 0 and after each prefix.
    starts: Vec<usize>,
    /// What starting at `starts[i]` costs: an unknown city or district named before it.
    start_penalty: Vec<f64>,
    /// Known admin areas named (checked against their polygons).
    admins: Vec<u32>,
    /// A city or province the data does not cover (`成都市`), with its length.
    foreign: Option<(usize, String)>,
}

fn prefixes(ix: &Index, chars: &[char], comps: &mut Components) -> Prefixes {
    let mut p = Prefixes {
        starts: vec![0],
        start_penalty: vec![0.0],
        admins: Vec::new(),
        foreign: None,
    };
    let mut pos = 0;
    'outer: while pos + 2 < chars.len() {
        // The longest known admin name here, leaving something after it.
        for len in (2..=(chars.len() - pos - 1).min(10)).rev() {
            let key: String = chars[pos..pos + len].iter().collect();
            if let Some(ids) = ix.admin_zh.get(&key) {
                let id = ids[0];
                let a = &ix.admins[id as usize];
                let slot = match a.level {
                    0..=4 => &mut comps.province,
                    5 => &mut comps.city,
                    6 | 7 => &mut comps.district,
                    8 => &mut comps.subdistrict,
                    _ => &mut comps.community,
                };
                *slot = Some(key);
                p.admins.extend(ids.iter().copied());
                pos += len;
                p.starts.push(pos);
                p.start_penalty.push(0.0);
                continue 'outer;
            }
        }
        // Another province or city — when the data names its own (a map that knows no city
        // cannot tell whether 哈尔滨市 is foreign, and ignores the prefix instead).
        let knows_its_city = ix
            .admins
            .iter()
            .any(|a| a.level <= 5 && super::normalize::has_cjk(&a.name));
        if let Some((len, name)) = place_prefix(&chars[pos..]).filter(|_| knows_its_city)
            && pos + len < chars.len()
        {
            let named_with_suffix =
                name.ends_with('市') || name.ends_with('省') || name.ends_with('区');
            if named_with_suffix {
                p.foreign = Some((pos + len, name.clone()));
                comps.city = Some(name);
                pos += len;
                p.starts.push(pos);
                p.start_penalty.push(0.0);
                continue;
            }
            if p.foreign.is_none() {
                p.foreign = Some((pos + len, name));
            }
        }
        // An unknown community, subdistrict or committee named before the address.
        let text: String = chars[pos..].iter().collect();
        for marker in ["社区", "街道办事处", "街道办", "街道", "居委会"] {
            if let Some(i) = text.find(marker) {
                let n = text[..i].chars().count();
                if (2..=6).contains(&n) && pos + n + marker.chars().count() < chars.len() {
                    let len = n + marker.chars().count();
                    let name: String = chars[pos..pos + len].iter().collect();
                    if marker == "社区" || marker == "居委会" {
                        comps.community = Some(name);
                    } else {
                        comps.subdistrict = Some(name);
                    }
                    pos += len;
                    p.starts.push(pos);
                    p.start_penalty.push(0.0);
                    continue 'outer;
                }
            }
        }
        // A province, city or district the data does not name (`吉林省`, `锦江区`): skipped, at
        // a cost when the data names its own (then it is most likely another place).
        let knows_districts = ix
            .admins
            .iter()
            .any(|a| (6..=7).contains(&a.level) && super::normalize::has_cjk(&a.name));
        for k in (2..=4).rev() {
            let Some(&suffix) = chars.get(pos + k) else {
                continue;
            };
            if !matches!(suffix, '省' | '市' | '区' | '县') || pos + k + 2 > chars.len() {
                continue;
            }
            let name: String = chars[pos..=pos + k].iter().collect();
            let (slot, known_level) = match suffix {
                '省' => (&mut comps.province, knows_its_city),
                '市' => (&mut comps.city, knows_its_city),
                _ => (&mut comps.district, knows_districts),
            };
            slot.get_or_insert(name);
            pos += k + 1;
            p.starts.push(pos);
            p.start_penalty.push(if known_level { 0.5 } else { 0.0 });
            continue 'outer;
        }
        break;
    }
    p
}

/// Penalty for text skipped between the prefixes and the name.
fn skipped_penalty(skipped: &[char], ix: &Index) -> f64 {
    if skipped.is_empty() {
        return 0.0;
    }
    let last = skipped[skipped.len() - 1];
    if skipped.len() >= 2 && matches!(last, '区' | '县' | '市' | '省') && !ix.admin_zh.is_empty()
    {
        // A district or city the data does not know: most likely another place.
        return 0.5;
    }
    SKIPPED * skipped.len() as f64
}

/// Scores candidates of every entity a key names, with the prefix check and a small
/// ambiguity penalty when the name is shared by places far apart.
pub(crate) fn hits_to_candidates(
    ix: &Index,
    hits: &[Hit],
    tail: &Tail,
    penalty: f64,
    admins: &[u32],
    base: &Components,
    out: &mut Vec<Scored>,
) {
    let mut local: Vec<(Scored, f64)> = Vec::new();
    for h in hits {
        let mut comps = base.clone();
        let mut c = candidate(ix, h, tail, &mut comps);
        let p = penalty + admin_penalty(ix, geo::Coord { x: c.lon, y: c.lat }, admins);
        let w = f64::from(ix.entities[h.entity as usize].weight);
        c.confidence = (c.confidence - p).clamp(0.0, 1.0);
        local.push(((c, comps), w));
    }
    local.sort_by(|a, b| {
        (b.0.0.confidence + b.1 * 0.01).total_cmp(&(a.0.0.confidence + a.1 * 0.01))
    });
    if local.len() > 1 {
        // Places far apart sharing the best name: all of them are less certain (the order
        // among them stays).
        let (top, tp) = (
            local[0].0.0.confidence,
            geo::Coord {
                x: local[0].0.0.lon,
                y: local[0].0.0.lat,
            },
        );
        let tied = |c: &Candidate| (c.confidence - top).abs() < 0.05;
        let far = local[1..].iter().any(|((c, _), _)| {
            tied(c) && super::streets::dist_m(geo::Coord { x: c.lon, y: c.lat }, tp) > 1000.0
        });
        if far {
            for ((c, _), _) in local.iter_mut() {
                if tied(c) {
                    c.confidence *= 0.92;
                }
            }
        }
    }
    out.extend(local.into_iter().map(|(c, _)| c));
}

/// A candidate with the components of the parse that produced it.
pub(crate) type Scored = (Candidate, Components);

fn lookup(ix: &Index, key: &str, quality: f64) -> Vec<Hit> {
    // A two-character key that is only a derived form of a name (`政协` of `哈尔滨市政协`)
    // says little: a typo match of the whole query may well be better.
    let short = key.chars().count() <= 2;
    let mut hits: Vec<Hit> = ix
        .zh
        .get(key)
        .map(|refs| {
            refs.iter()
                .map(|r| {
                    let weak = if short && r.quality < 1.0 { 0.85 } else { 1.0 };
                    Hit {
                        entity: r.entity,
                        quality: f64::from(r.quality) * quality * weak,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    // A compound and a POI of one name (a 小区 and its property office) are one place: keep
    // the best form per entity.
    hits.sort_by(|a, b| {
        a.entity
            .cmp(&b.entity)
            .then(b.quality.total_cmp(&a.quality))
    });
    hits.dedup_by_key(|h| h.entity);
    hits
}

/// Street entities a name (exact or one typo) points at.
fn street_hits(ix: &Index, name: &[char]) -> Vec<Hit> {
    let key: String = name.iter().collect();
    let streets = |hits: Vec<Hit>| -> Vec<Hit> {
        hits.into_iter()
            .filter(|h| ix.entities[h.entity as usize].kind == Kind::Street)
            .collect()
    };
    let exact = streets(lookup(ix, &key, 1.0));
    if !exact.is_empty() {
        return exact;
    }
    for (k, typo) in fuzzy_keys(ix, &key) {
        let hits = streets(lookup(ix, &k, f64::from(typo.quality())));
        if !hits.is_empty() {
            return hits;
        }
    }
    Vec::new()
}

fn intersection(ix: &Index, chars: &[char], admins: &[u32], base: &Components) -> Option<Scored> {
    let (splits, had_junction) = intersection_splits(chars);
    let mut best: Option<Scored> = None;
    for (left, right) in splits {
        let a = street_hits(ix, &left);
        if a.is_empty() {
            continue;
        }
        let b = street_hits(ix, &right);
        if b.is_empty() {
            continue;
        }
        for ha in &a {
            for hb in &b {
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
                let Some((p, gap_m)) =
                    ix.streets[sa as usize].crossing(&ix.streets[sb as usize], 60.0)
                else {
                    continue;
                };
                let level_c = if gap_m < 25.0 { 0.92 } else { 0.8 };
                let level_c = if had_junction {
                    level_c
                } else {
                    level_c - 0.05
                };
                let conf = level_c * ha.quality.min(hb.quality) - admin_penalty(ix, p, admins);
                if best.as_ref().is_none_or(|(c, _)| conf > c.confidence) {
                    let mut comps = base.clone();
                    comps.street = Some(ea.name.clone());
                    comps.cross_street = Some(eb.name.clone());
                    let c = Candidate {
                        lon: p.x,
                        lat: p.y,
                        level: Level::Intersection,
                        confidence: conf.clamp(0.0, 1.0),
                        name: format!("{}与{}交口", ea.name, eb.name),
                        matched: vec![ea.name.clone(), eb.name.clone()],
                    };
                    best = Some((c, comps));
                }
            }
        }
    }
    best
}

/// Geocodes a normalized Chinese query: candidates with the components of their parse, and
/// the components of the prefixes alone (for an answer without candidates).
pub(crate) fn search(ix: &Index, norm: &str) -> (Vec<Scored>, Components) {
    let chars: Vec<char> = norm.chars().collect();
    let mut comps = Components::default();
    let pre = prefixes(ix, &chars, &mut comps);
    let mut out: Vec<Scored> = Vec::new();
    let last_start = *pre.starts.last().unwrap_or(&0);

    for &s in pre.starts.iter().rev() {
        if let Some(c) = intersection(ix, &chars[s..], &pre.admins, &comps) {
            out.push(c);
            break;
        }
    }

    // Exact names, from the furthest prefix back to the start of the query.
    let mut covered_from_zero = false;
    let mut clean_exact = false;
    for (&s, &start_penalty) in pre.starts.iter().zip(&pre.start_penalty).rev() {
        let max_skip = 6.min(chars.len().saturating_sub(s + 2));
        for a in s..=s + max_skip {
            let mut hit_here = false;
            for e in (a + 2..=chars.len()).rev() {
                let key: String = chars[a..e].iter().collect();
                let hits = lookup(ix, &key, 1.0);
                if hits.is_empty() {
                    continue;
                }
                let tail = parse_tail(&chars[e..]);
                let unplaced = (a - s) + tail.unexplained;
                let mut penalty = start_penalty
                    + skipped_penalty(&chars[s..a], ix)
                    + UNEXPLAINED * tail.unexplained as f64;
                if unplaced >= e - a {
                    // More of the query unexplained than matched: a coincidence, not a match.
                    penalty += 0.5;
                }
                hits_to_candidates(ix, &hits, &tail, penalty, &pre.admins, &comps, &mut out);
                if penalty == 0.0 {
                    clean_exact = true;
                }
                hit_here = true;
                if a == 0 {
                    covered_from_zero = true;
                }
                break;
            }
            if hit_here {
                break;
            }
        }
    }

    // One typo in the name: only the part before a parseable tail is the name. Tried when no
    // exact name explains the whole query (a partial exact match may be the typo's neighbour).
    if !clean_exact {
        for (&s, &start_penalty) in pre.starts.iter().zip(&pre.start_penalty).rev() {
            let rest = &chars[s..];
            let t0 = tail_start(rest);
            let core: String = rest[..t0].iter().collect();
            let tail = parse_tail(&rest[t0..]);
            let penalty = start_penalty + UNEXPLAINED * tail.unexplained as f64;
            let mut tried = vec![core.clone()];
            if let Some(stripped) = core.strip_suffix("小区") {
                tried.push(stripped.to_string());
            }
            for core in tried {
                for (key, typo) in fuzzy_keys(ix, &core) {
                    let hits = lookup(ix, &key, f64::from(typo.quality()));
                    hits_to_candidates(ix, &hits, &tail, penalty, &pre.admins, &comps, &mut out);
                }
            }
        }
    }
    if out.is_empty() {
        let rest = &chars[last_start..];
        if !rest.is_empty() {
            comps.unparsed = Some(rest.iter().collect());
        }
    }

    // Another city named first, and nothing matched as a whole from the first character: the
    // address is not in this map.
    if let Some((_, name)) = &pre.foreign
        && !covered_from_zero
        && !pre
            .admins
            .iter()
            .any(|&a| ix.admins[a as usize].name.contains(name.as_str()))
    {
        for (c, k) in &mut out {
            // "太原杰" is a typo of the street 太原街, not the city 太原.
            if c.matched.iter().any(|m| m.starts_with(name.as_str())) {
                continue;
            }
            c.confidence = c.confidence.min(0.2);
            k.city.get_or_insert(name.clone());
        }
        comps.city.get_or_insert(name.clone());
    }
    (out, comps)
}
