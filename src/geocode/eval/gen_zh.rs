//! Chinese query sets (Nangang, Fendou Road) in every form residents write: bare names,
//! compound + building + unit + room, city/district prefixes, street + number, intersections,
//! traditional characters, full-width digits, Chinese numerals, one typo, English/pinyin — and
//! queries that must not match (other cities' streets, gibberish).

use geo::Coord;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rustc_hash::FxHashMap;

use super::source_zh::{Place, Source, Street, cjk_count, source, usable};
use super::{Case, Expect, Split};
use crate::geocode::normalize::{char_pinyin, has_cjk, normalize_zh};
use crate::geocode::t2s_table::T2S;
use crate::osm::RawMap;

const COMPOUND_M: f64 = 150.0;
const STREET_M: f64 = 50.0;
const CROSSING_M: f64 = 100.0;

/// Chinese numerals as people write them: `32` → `三十二`, `501` → `五〇一` or `五百零一`.
fn zh_numeral(n: u32, rng: &mut StdRng) -> String {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n >= 1000 || (n >= 100 && rng.random_bool(0.5)) {
        let digits = n.to_string();
        return digits
            .chars()
            .map(|c| {
                if c == '0' {
                    '〇'
                } else {
                    D[c.to_digit(10).unwrap_or(0) as usize]
                }
            })
            .collect();
    }
    let mut s = String::new();
    let (h, t, o) = (n / 100, (n / 10) % 10, n % 10);
    if h > 0 {
        s.push(D[h as usize]);
        s.push('百');
        if t == 0 && o > 0 {
            s.push('零');
        }
    }
    if t > 0 {
        if !(t == 1 && h == 0) {
            s.push(D[t as usize]);
        }
        s.push('十');
    }
    if o > 0 || n == 0 {
        s.push(D[o as usize]);
    }
    s
}

fn number_form(n: u32, rng: &mut StdRng) -> String {
    match rng.random_range(0..10) {
        0..=5 => format!("{n}号"),
        6 => format!("{n}"),
        7 => format!(" {n} 号"),
        8 => format!("{n}號"),
        _ => format!("{}号", zh_numeral(n, rng)),
    }
}

fn building_tail(rng: &mut StdRng) -> String {
    let b = rng.random_range(1..=30);
    let u = rng.random_range(1..=6);
    let r = rng.random_range(1..=25) * 100 + rng.random_range(1..=4);
    let bf = [
        format!("{b}栋"),
        format!("{b}号楼"),
        format!("{b}幢"),
        format!("{b}号楼"),
    ]
    .choose(rng)
    .cloned()
    .unwrap_or_default();
    let rf = [format!("{r}"), format!("{r}室"), format!("{r}户")]
        .choose(rng)
        .cloned()
        .unwrap_or_default();
    match rng.random_range(0..4) {
        0 => bf,
        1 => format!("{bf}{u}单元"),
        _ => format!("{bf}{u}单元{rf}"),
    }
}

fn prefix(set: &str, rng: &mut StdRng) -> &'static str {
    let common = [
        "哈尔滨市南岗区",
        "黑龙江省哈尔滨市南岗区",
        "南岗区",
        "哈尔滨市",
        "哈尔滨南岗区",
        "黑龙江哈尔滨",
        "哈尔滨市 南岗区 ",
    ];
    if set == "fendoulu" && rng.random_bool(0.3) {
        return ["哈尔滨市南岗区奋斗路街道", "南岗区奋斗路街道"]
            .choose(rng)
            .copied()
            .unwrap_or("");
    }
    common.choose(rng).copied().unwrap_or("")
}

fn to_traditional(s: &str) -> String {
    // The first traditional form of each simplified character.
    let mut rev: FxHashMap<char, char> = FxHashMap::default();
    for &(t, simp) in T2S {
        rev.entry(simp).or_insert(t);
    }
    s.chars().map(|c| *rev.get(&c).unwrap_or(&c)).collect()
}

fn to_fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

/// Pinyin in words of two syllables, capitalized (`鸿翔名苑` → `Hongxiang Mingyuan`).
fn pinyin_words(s: &str) -> String {
    let syl: Vec<&str> = s.chars().filter_map(char_pinyin).collect();
    syl.chunks(2)
        .map(|w| {
            let j = w.concat();
            let mut c = j.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn english_street(s: &Street) -> Option<String> {
    if let Some(en) = &s.en {
        return Some(en.clone());
    }
    for (suffix, word) in [
        ("大街", "Avenue"),
        ("大道", "Avenue"),
        ("街", "Street"),
        ("路", "Road"),
    ] {
        if let Some(core) = s.name.strip_suffix(suffix)
            && cjk_count(core) >= 1
        {
            return Some(format!("{} {word}", pinyin_words(core)));
        }
    }
    None
}

/// One typo of the kind asked, or `None` when the name does not allow it.
fn typo(name: &str, kind: &str, src: &Source, rng: &mut StdRng) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    // Typos hit the characters of the name, not its brackets or dots.
    let cjk: Vec<usize> = (0..chars.len())
        .filter(|&i| crate::geocode::normalize::is_cjk(chars[i]))
        .collect();
    for _ in 0..20 {
        let i = *cjk.choose(rng)?;
        let mut out = chars.clone();
        match kind {
            "typo_same_pinyin" => {
                let p = char_pinyin(chars[i])?;
                let alts: Vec<char> = src
                    .by_pinyin
                    .get(p)?
                    .iter()
                    .copied()
                    .filter(|c| *c != chars[i])
                    .collect();
                out[i] = *alts.choose(rng)?;
            }
            "typo_wrong" => {
                if chars.len() < 4 {
                    return None;
                }
                out[i] = *src.vocabulary.choose(rng)?;
                if out[i] == chars[i] {
                    continue;
                }
            }
            _ => {
                if chars.len() < 4 {
                    return None;
                }
                out.remove(i);
            }
        }
        let s: String = out.into_iter().collect();
        if !src.names.contains(&normalize_zh(&s)) {
            return Some(s);
        }
    }
    None
}

/// Generates about `per_kind` cases of each kind from a Chinese extract. `foreign` is another
/// city's extract whose street names make should-not-match queries.
pub fn generate_zh(
    map: &RawMap,
    set: &str,
    foreign: Option<&RawMap>,
    seed: u64,
    split: Split,
    per_kind: usize,
) -> Vec<Case> {
    let src = source(map, split);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x005e_ed0f_9e0c);
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
    let line = |s: &Street| Expect::Line {
        lines: s.lines.clone(),
        tolerance_m: STREET_M,
    };
    let places: Vec<&Place> = src.compounds.iter().chain(&src.pois).collect();

    // A random compound-or-POI, street, or crossing query in plain form (reused by the
    // traditional and full-width kinds).
    let plain = |rng: &mut StdRng| -> Option<(String, Expect)> {
        match rng.random_range(0..4) {
            0 => {
                let c = src.compounds.choose(rng)?;
                Some((
                    format!("{}{}", c.name, building_tail(rng)),
                    point(c.point, COMPOUND_M),
                ))
            }
            1 => {
                let s = src.streets.choose(rng)?;
                let n = rng.random_range(1..=150);
                Some((format!("{}{}", s.name, number_form(n, rng)), line(s)))
            }
            2 => {
                let p = places.choose(rng)?;
                Some((
                    format!("{}{}", prefix(set, rng), p.name),
                    point(p.point, COMPOUND_M),
                ))
            }
            _ => {
                let c = src.crossings.choose(rng)?;
                Some((format!("{}与{}交口", c.a, c.b), point(c.point, CROSSING_M)))
            }
        }
    };

    for _ in 0..per_kind {
        if let Some(c) = src.compounds.choose(&mut rng) {
            push(
                "compound",
                c.name.clone(),
                point(c.point, COMPOUND_M),
                &mut cases,
            );
        }
        if let Some(p) = src.pois.choose(&mut rng) {
            push(
                "poi",
                p.name.clone(),
                point(p.point, COMPOUND_M),
                &mut cases,
            );
        }
        if let Some(s) = src.streets.choose(&mut rng) {
            push("street", s.name.clone(), line(s), &mut cases);
        }
        if let Some(c) = src.compounds.choose(&mut rng) {
            let q = format!("{}{}", c.name, building_tail(&mut rng));
            push(
                "compound_building",
                q,
                point(c.point, COMPOUND_M),
                &mut cases,
            );
        }
        match rng.random_range(0..3) {
            0 => {
                if let Some(s) = src.streets.choose(&mut rng) {
                    let n = rng.random_range(1..=150);
                    let q = format!(
                        "{}{}{}",
                        prefix(set, &mut rng),
                        s.name,
                        number_form(n, &mut rng)
                    );
                    push("prefixed", q, line(s), &mut cases);
                }
            }
            1 => {
                if let Some(c) = src.compounds.choose(&mut rng) {
                    let q = format!(
                        "{}{}{}",
                        prefix(set, &mut rng),
                        c.name,
                        building_tail(&mut rng)
                    );
                    push("prefixed", q, point(c.point, COMPOUND_M), &mut cases);
                }
            }
            _ => {
                if let Some(p) = places.choose(&mut rng) {
                    let q = format!("{}{}", prefix(set, &mut rng), p.name);
                    push("prefixed", q, point(p.point, COMPOUND_M), &mut cases);
                }
            }
        }
        if let Some(s) = src.streets.choose(&mut rng) {
            let n = rng.random_range(1..=200);
            let q = format!("{}{}", s.name, number_form(n, &mut rng));
            push("street_number", q, line(s), &mut cases);
        }
        if let Some(c) = src.crossings.choose(&mut rng) {
            let (a, b) = if rng.random_bool(0.5) {
                (&c.a, &c.b)
            } else {
                (&c.b, &c.a)
            };
            let form = [
                "{a}与{b}交口",
                "{a}和{b}交叉口",
                "{a}与{b}路口",
                "{a}{b}交口",
                "{a}/{b}",
                "{a}与{b}交汇处",
                "{a}和{b}",
            ]
            .choose(&mut rng)
            .copied()
            .unwrap_or("{a}与{b}交口");
            let q = form.replace("{a}", a).replace("{b}", b);
            push("intersection", q, point(c.point, CROSSING_M), &mut cases);
        }
        if let Some((q, e)) = plain(&mut rng) {
            let t = to_traditional(&q);
            if t != q {
                push("traditional", t, e, &mut cases);
            }
        }
        for _ in 0..5 {
            if let Some((q, e)) = plain(&mut rng)
                && q.chars().any(|c| c.is_ascii_digit())
            {
                push("fullwidth", to_fullwidth(&q), e, &mut cases);
                break;
            }
        }
        if rng.random_bool(0.5) {
            if let Some(s) = src.streets.choose(&mut rng) {
                let n = rng.random_range(1..=150);
                let q = format!("{}{}号", s.name, zh_numeral(n, &mut rng));
                push("chinese_numerals", q, line(s), &mut cases);
            }
        } else if let Some(c) = src.compounds.choose(&mut rng) {
            let q = format!(
                "{}{}栋{}单元{}室",
                c.name,
                zh_numeral(rng.random_range(1..=20), &mut rng),
                zh_numeral(rng.random_range(1..=6), &mut rng),
                zh_numeral(
                    rng.random_range(1..=20) * 100 + rng.random_range(1..=4),
                    &mut rng
                )
            );
            push(
                "chinese_numerals",
                q,
                point(c.point, COMPOUND_M),
                &mut cases,
            );
        }
        for kind in ["typo_same_pinyin", "typo_wrong", "typo_missing"] {
            for _ in 0..10 {
                let pick = rng.random_range(0..3);
                let made = match pick {
                    0 => src.compounds.choose(&mut rng).and_then(|c| {
                        typo(&c.name, kind, &src, &mut rng).map(|q| (q, point(c.point, COMPOUND_M)))
                    }),
                    1 => src.pois.choose(&mut rng).and_then(|p| {
                        typo(&p.name, kind, &src, &mut rng).map(|q| (q, point(p.point, COMPOUND_M)))
                    }),
                    _ => src
                        .streets
                        .choose(&mut rng)
                        .and_then(|s| typo(&s.name, kind, &src, &mut rng).map(|q| (q, line(s)))),
                };
                if let Some((q, e)) = made {
                    push(kind, q, e, &mut cases);
                    break;
                }
            }
        }
        // English / pinyin.
        for _ in 0..10 {
            let made = match rng.random_range(0..3) {
                0 => src.streets.choose(&mut rng).and_then(|s| {
                    let en = english_street(s)?;
                    let n = rng.random_range(1..=150);
                    let q = match rng.random_range(0..4) {
                        0 => en,
                        1 => format!("{en} {n}"),
                        2 => format!("No. {n} {en}"),
                        _ => format!("{n} {en}, Nangang District, Harbin"),
                    };
                    Some((q, line(s)))
                }),
                1 => src.compounds.choose(&mut rng).map(|c| {
                    let en = c.en.clone().unwrap_or_else(|| pinyin_words(&c.name));
                    (en, point(c.point, COMPOUND_M))
                }),
                _ => src.pois.choose(&mut rng).map(|p| {
                    let en = p.en.clone().unwrap_or_else(|| pinyin_words(&p.name));
                    (en, point(p.point, COMPOUND_M))
                }),
            };
            if let Some((q, e)) = made {
                push("english", q, e, &mut cases);
                break;
            }
        }
        // Should not match: another city's streets.
        if let Some(f) = foreign {
            for _ in 0..20 {
                let Some(r) = f.roads.choose(&mut rng) else {
                    break;
                };
                let Some(n) = r.names.name.as_deref() else {
                    continue;
                };
                if !usable(n) || src.names.contains(&normalize_zh(n)) || !split.holds(n) {
                    continue;
                }
                let num = rng.random_range(1..=200);
                let q = match rng.random_range(0..4) {
                    0 => n.to_string(),
                    1 => format!("{n}{num}号"),
                    2 => format!("成都市{n}{num}号"),
                    _ => format!("四川省成都市锦江区{n}"),
                };
                push("no_match_other_city", q, Expect::NoMatch, &mut cases);
                break;
            }
        }
        // Should not match: gibberish.
        let g = match rng.random_range(0..4) {
            0 | 1 => {
                let len = rng.random_range(3..=7);
                (0..len)
                    .filter_map(|_| src.vocabulary.choose(&mut rng).copied())
                    .collect::<String>()
            }
            2 => {
                let len = rng.random_range(5..=12);
                (0..len)
                    .map(|_| char::from(b'a' + rng.random_range(0..26)))
                    .collect::<String>()
            }
            _ => format!(
                "{}{}号",
                (0..3)
                    .filter_map(|_| src.vocabulary.choose(&mut rng).copied())
                    .collect::<String>(),
                rng.random_range(1..300)
            ),
        };
        let hits_a_name = has_cjk(&g) && {
            let k = normalize_zh(&g);
            src.names
                .iter()
                .any(|n| n.chars().count() >= 3 && k.contains(n.as_str()))
        };
        if !hits_a_name {
            push("no_match_gibberish", g, Expect::NoMatch, &mut cases);
        }
    }
    cases
}
