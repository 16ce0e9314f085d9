//! The geocoder's own evaluation: query sets generated from real extracts with ground truth
//! taken from the data (never from the geocoder's index), a scorer with the tolerances,
//! and an exact-name baseline to compare against.
//!
//! Names are split by a hash into a `dev` part (free to look at while tuning) and a `holdout`
//! part (only ever scored); the seed varies the query forms drawn for each name.

mod gen_us;
mod gen_zh;
mod source_zh;

use geo::Coord;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::normalize::normalize_zh;
use super::streets::{dist_m, point_segment_m};
use crate::osm::RawMap;

pub use gen_us::{UsSet, generate_us};
pub use gen_zh::generate_zh;

/// Which names a generated set draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Four fifths of the names: look at failures here.
    Dev,
    /// The other fifth: score only.
    Holdout,
}

impl Split {
    pub fn parse(text: &str) -> Option<Split> {
        match text {
            "dev" => Some(Split::Dev),
            "holdout" => Some(Split::Holdout),
            _ => None,
        }
    }

    /// True when `name` belongs to this split (a stable hash, the same on every machine).
    pub fn holds(self, name: &str) -> bool {
        let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        (h % 5 == 0) == (self == Split::Holdout)
    }
}

/// What a correct answer is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expect {
    /// Within `tolerance_m` of this point.
    Point {
        lon: f64,
        lat: f64,
        tolerance_m: f64,
    },
    /// Within `tolerance_m` of one of these lines (a street).
    Line {
        lines: Vec<Vec<[f64; 2]>>,
        tolerance_m: f64,
    },
    /// "No confident match" (`lon`/`lat` null).
    NoMatch,
}

/// One generated query with its ground truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    /// The extract it was generated from (`nangang`, `fendoulu`, `baltimore`).
    pub set: String,
    /// The kind of query (`compound`, `street_number`, `intersection`, `should_not_match`, ...).
    pub kind: String,
    pub query: String,
    pub expect: Expect,
}

impl Case {
    /// True when an answer (`None` = no confident match) is right for this case.
    pub fn is_hit(&self, answer: Option<Coord<f64>>) -> bool {
        match (&self.expect, answer) {
            (Expect::NoMatch, a) => a.is_none(),
            (_, None) => false,
            (
                Expect::Point {
                    lon,
                    lat,
                    tolerance_m,
                },
                Some(p),
            ) => dist_m(p, Coord { x: *lon, y: *lat }) <= *tolerance_m,
            (Expect::Line { lines, tolerance_m }, Some(p)) => lines
                .iter()
                .flat_map(|l| l.windows(2))
                .map(|w| {
                    point_segment_m(
                        p,
                        Coord {
                            x: w[0][0],
                            y: w[0][1],
                        },
                        Coord {
                            x: w[1][0],
                            y: w[1][1],
                        },
                    )
                    .0
                })
                .any(|d| d <= *tolerance_m),
        }
    }
}

/// Hit counts per (set, kind).
#[derive(Clone, Debug, Default)]
pub struct Score {
    pub by_kind: Vec<((String, String), (usize, usize))>,
}

impl Score {
    /// Scores answers (`id` → position or `None`) against cases; a missing answer is a miss.
    pub fn of(cases: &[Case], answers: &FxHashMap<String, Option<Coord<f64>>>) -> Score {
        let mut map: std::collections::BTreeMap<(String, String), (usize, usize)> =
            Default::default();
        for c in cases {
            let hit = answers.get(&c.id).is_some_and(|a| c.is_hit(*a));
            let e = map.entry((c.set.clone(), c.kind.clone())).or_default();
            e.1 += 1;
            if hit {
                e.0 += 1;
            }
        }
        Score {
            by_kind: map.into_iter().collect(),
        }
    }

    /// (hits, total) over the kinds `pick` accepts.
    pub fn total(&self, pick: impl Fn(&str, &str) -> bool) -> (usize, usize) {
        self.by_kind
            .iter()
            .filter(|((s, k), _)| pick(s, k))
            .fold((0, 0), |a, (_, (h, n))| (a.0 + h, a.1 + n))
    }
}

/// The simple baseline: the whole query, normalized, looked up among the data's names (no
/// parsing, no typos, no numbers). What a plain name index answers.
pub struct Baseline {
    names: FxHashMap<String, Coord<f64>>,
}

impl Baseline {
    pub fn build(map: &RawMap) -> Baseline {
        use geo::Centroid;
        let mut names: FxHashMap<String, Coord<f64>> = FxHashMap::default();
        for r in &map.roads {
            if let Some(n) = &r.names.name {
                let mid = r.coords[r.coords.len() / 2];
                names.entry(key(n)).or_insert(mid);
            }
        }
        for a in &map.areas {
            if let (Some(n), Some(c)) = (&a.names.name, a.polygon.centroid()) {
                names.entry(key(n)).or_insert(c.0);
            }
        }
        for p in &map.pois {
            if let Some(n) = &p.names.name {
                names.entry(key(n)).or_insert(p.point.0);
            }
        }
        Baseline { names }
    }

    pub fn geocode(&self, query: &str) -> Option<Coord<f64>> {
        self.names.get(&key(query)).copied()
    }
}

fn key(text: &str) -> String {
    if super::normalize::has_cjk(text) {
        normalize_zh(text)
    } else {
        text.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One extract's generated cases with the map to geocode them against (for Baltimore, the map
/// without the held-out numbers).
pub struct EvalSet {
    pub name: String,
    pub map: RawMap,
    pub cases: Vec<Case>,
}

/// Generates the standard sets from the extracts in `data_dir` (`../shared/data/osm`): Nangang
/// and Fendou Road (should-not-match from Chengdu) and Baltimore, for each seed.
pub fn standard_sets(
    data_dir: &std::path::Path,
    seeds: &[u64],
    split: Split,
    per_kind: usize,
) -> Result<Vec<EvalSet>, crate::osm::OsmError> {
    use crate::osm::{ImportOptions, import};
    let load = |f: &str| import(&data_dir.join(f), &ImportOptions::default());
    let chengdu = load("chengdu.osm.pbf")?;
    let mut sets = Vec::new();
    for (name, file) in [
        ("nangang", "nangang.osm.pbf"),
        ("fendoulu", "fendoulu_subdistrict.osm.pbf"),
    ] {
        let map = load(file)?;
        let mut cases = Vec::new();
        for &seed in seeds {
            cases.extend(generate_zh(
                &map,
                name,
                Some(&chengdu),
                seed,
                split,
                per_kind,
            ));
        }
        sets.push(EvalSet {
            name: name.to_string(),
            map,
            cases,
        });
    }
    let baltimore = load("baltimore.osm.pbf")?;
    for &seed in seeds {
        // Each seed holds out its own numbers, so each gets its own pruned map.
        let us = generate_us(&baltimore, "baltimore", seed, split, per_kind);
        sets.push(EvalSet {
            name: format!("baltimore (seed {seed})"),
            map: us.prune(&baltimore),
            cases: us.cases,
        });
    }
    Ok(sets)
}

/// What the geocoder and the baseline answered for a set, and how long each query took.
pub struct Evaluation {
    pub answers: FxHashMap<String, Option<Coord<f64>>>,
    pub baseline: FxHashMap<String, Option<Coord<f64>>>,
    /// Per-query geocoding time, nanoseconds.
    pub latencies_ns: Vec<u64>,
    pub details: FxHashMap<String, super::Answer>,
}

/// Runs every case through a geocoder built from the set's map and through the baseline.
pub fn evaluate(set: &EvalSet) -> Evaluation {
    let g = super::Geocoder::build(&set.map);
    let b = Baseline::build(&set.map);
    let mut ev = Evaluation {
        answers: FxHashMap::default(),
        baseline: FxHashMap::default(),
        latencies_ns: Vec::with_capacity(set.cases.len()),
        details: FxHashMap::default(),
    };
    for c in &set.cases {
        let t = std::time::Instant::now();
        let a = g.geocode(&c.query);
        ev.latencies_ns.push(t.elapsed().as_nanos() as u64);
        ev.answers.insert(
            c.id.clone(),
            a.best.as_ref().map(|b| Coord { x: b.lon, y: b.lat }),
        );
        ev.baseline.insert(c.id.clone(), b.geocode(&c.query));
        ev.details.insert(c.id.clone(), a);
    }
    ev
}

/// The per-kind table of hits for the geocoder next to the baseline, with the bars.
pub fn report(cases: &[Case], geocoder: &Score, baseline: &Score) -> String {
    report_with(cases, geocoder, Some(baseline))
}

/// [`report`] without a baseline column when `baseline` is `None` (scoring CLI output).
pub fn report_with(cases: &[Case], geocoder: &Score, baseline: Option<&Score>) -> String {
    let empty = Score::default();
    let has_baseline = baseline.is_some();
    let baseline = baseline.unwrap_or(&empty);
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<34} {:>6} {:>9} {:>9}",
        "set / kind", "n", "doorstep", "baseline"
    );
    let base: FxHashMap<(String, String), (usize, usize)> =
        baseline.by_kind.iter().cloned().collect();
    for ((set, kind), (h, n)) in &geocoder.by_kind {
        let (bh, _) = base
            .get(&(set.clone(), kind.clone()))
            .copied()
            .unwrap_or((0, 0));
        let b = if has_baseline {
            format!("{:>8.1}%", pct(bh, *n))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "{:<34} {:>6} {:>8.1}% {b}",
            format!("{set} / {kind}"),
            n,
            pct(*h, *n)
        );
    }
    type Pick = Box<dyn Fn(&str, &str) -> bool>;
    let bars: [(&str, f64, Pick); 6] = [
        (
            "Nangang, all matchable kinds",
            97.0,
            Box::new(|s: &str, k: &str| s == "nangang" && !k.starts_with("no_match")),
        ),
        (
            "Fendou Road, all matchable kinds",
            97.0,
            Box::new(|s: &str, k: &str| s == "fendoulu" && !k.starts_with("no_match")),
        ),
        (
            "Chinese sets, all matchable kinds",
            97.0,
            Box::new(|s: &str, k: &str| !s.starts_with("baltimore") && !k.starts_with("no_match")),
        ),
        (
            "Baltimore addresses",
            98.0,
            Box::new(|s: &str, k: &str| s.starts_with("baltimore") && k == "us_address"),
        ),
        (
            "Baltimore numbers missing (60 m)",
            90.0,
            Box::new(|s: &str, k: &str| s.starts_with("baltimore") && k == "us_missing_number"),
        ),
        (
            "should-not-match, all sets",
            95.0,
            Box::new(|_: &str, k: &str| k.starts_with("no_match")),
        ),
    ];
    let _ = writeln!(s);
    for (label, bar, pick) in bars.iter() {
        let (h, n) = geocoder.total(pick);
        let (bh, bn) = baseline.total(pick);
        let b = if has_baseline {
            format!("  baseline {:>5.1}% ({bh}/{bn})", pct(bh, bn))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "{:<40} doorstep {:>5.1}% ({h}/{n}){b}  bar ≥ {bar}%: {}",
            label,
            pct(h, n),
            if pct(h, n) >= *bar { "met" } else { "NOT met" }
        );
    }
    let _ = cases;
    s
}

fn pct(h: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        100.0 * h as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_partition_names() {
        let names = [
            "巴山街",
            "黑山街",
            "鸿翔名苑",
            "士课街",
            "国庆街",
            "蓝天街",
            "文昌街",
        ];
        for n in names {
            assert_ne!(Split::Dev.holds(n), Split::Holdout.holds(n));
        }
    }

    #[test]
    fn hits_follow_the_tolerances() {
        let c = Case {
            id: "1".into(),
            set: "t".into(),
            kind: "street".into(),
            query: "x".into(),
            expect: Expect::Line {
                lines: vec![vec![[126.0, 45.0], [126.01, 45.0]]],
                tolerance_m: 50.0,
            },
        };
        assert!(c.is_hit(Some(Coord {
            x: 126.005,
            y: 45.0003
        })));
        assert!(!c.is_hit(Some(Coord {
            x: 126.005,
            y: 45.001
        })));
        assert!(!c.is_hit(None));
        let n = Case {
            expect: Expect::NoMatch,
            ..c
        };
        assert!(n.is_hit(None));
    }
}
