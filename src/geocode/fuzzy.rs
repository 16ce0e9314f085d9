//! Tolerance of one wrong, missing or same-pinyin character — and no more, so that nonsense
//! and other cities' names are not forced onto something that happens to look alike.
//!
//! - same pinyin (a pinyin keyboard's homophone): any length ≥ 2, one differing character
//!   (two from five characters on);
//! - one missing character: names of four or more characters;
//! - one wrong character: names of four or more characters (a three-character street such as
//!   `巴山街` has too little left to tell a typo from another street).
//!
//! Candidates come from the index's pinyin and one-deletion tables (the "symmetric delete"
//! scheme), so a query costs a handful of hash lookups, not a scan.

use rustc_hash::FxHashMap;

use super::index::Index;
use super::normalize::pinyin_key;

/// How a fuzzy key was reached, with the quality it gives the match.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Typo {
    SamePinyin,
    Missing,
    Wrong,
}

impl Typo {
    pub(crate) fn quality(self) -> f32 {
        match self {
            Typo::SamePinyin => 0.88,
            Typo::Missing => 0.82,
            Typo::Wrong => 0.78,
        }
    }
}

/// Index keys within one typo of `core`, best first.
pub(crate) fn fuzzy_keys(ix: &Index, core: &str) -> Vec<(String, Typo)> {
    let q: Vec<char> = core.chars().collect();
    let m = q.len();
    let mut found: FxHashMap<String, Typo> = FxHashMap::default();
    let mut add = |key: &str, typo: Typo| {
        let e = found.entry(key.to_string()).or_insert(typo);
        if typo.quality() > e.quality() {
            *e = typo;
        }
    };
    if m < 2 {
        return Vec::new();
    }
    if let Some(keys) = ix.pinyin.get(&pinyin_key(core)) {
        let allowed = if m >= 5 { 2 } else { 1 };
        for key in keys {
            let k: Vec<char> = key.chars().collect();
            if k.len() == m {
                let diff = k.iter().zip(&q).filter(|(a, b)| a != b).count();
                if (1..=allowed).contains(&diff) {
                    add(key, Typo::SamePinyin);
                }
            }
        }
    }
    if m >= 3
        && let Some(keys) = ix.deletes.get(core)
    {
        for key in keys {
            if key.chars().count() == m + 1 {
                add(key, Typo::Missing);
            }
        }
    }
    if m >= 4 {
        for i in 0..m {
            let del: String = q[..i].iter().chain(&q[i + 1..]).collect();
            if let Some(keys) = ix.deletes.get(&del) {
                for key in keys {
                    let k: Vec<char> = key.chars().collect();
                    if k.len() == m && k[..i] == q[..i] && k[i + 1..] == q[i + 1..] && k[i] != q[i]
                    {
                        add(key, Typo::Wrong);
                    }
                }
            }
        }
    }
    let mut out: Vec<(String, Typo)> = found.into_iter().collect();
    out.sort_by(|a, b| b.1.quality().total_cmp(&a.1.quality()).then(a.0.cmp(&b.0)));
    out
}
