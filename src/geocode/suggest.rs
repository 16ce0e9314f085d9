//! Autocomplete: names (or their pinyin) that start with what has been typed, compounds and
//! POIs before streets, shorter names first. A binary search into a sorted key list: cheap
//! enough for every keystroke.

use super::answer::{Level, Suggestion};
use super::index::{Index, Kind};
use super::names::latin_key;
use super::normalize::{has_cjk, normalize_zh};

/// At most this many keys are looked at per call, so a one-letter prefix stays fast.
const SCAN_LIMIT: usize = 400;

pub(crate) fn suggest(ix: &Index, typed: &str, limit: usize) -> Vec<Suggestion> {
    let key = if has_cjk(typed) {
        normalize_zh(typed)
    } else {
        latin_key(typed)
    };
    if key.is_empty() || limit == 0 {
        return Vec::new();
    }
    // Skip a leading city/district the resident typed first.
    let mut key = key;
    loop {
        let stripped = ix
            .admin_zh
            .keys()
            .filter(|a| key.len() > a.len() && key.starts_with(a.as_str()))
            .max_by_key(|a| a.len())
            .cloned();
        match stripped {
            Some(a) => key = key[a.len()..].to_string(),
            None => break,
        }
    }
    let start = ix
        .suggest
        .partition_point(|(k, _)| k.as_str() < key.as_str());
    let mut found: Vec<(u8, usize, u32)> = Vec::new();
    for (k, e) in ix.suggest[start..].iter().take(SCAN_LIMIT) {
        if !k.starts_with(key.as_str()) {
            break;
        }
        let rank = kind_rank(ix.entities[*e as usize].kind);
        found.push((rank, k.chars().count(), *e));
    }
    // Too few names start with it: names that contain it (`名苑` finds `鸿翔名苑`). A bounded
    // scan of the Chinese keys, so it stays within a keystroke's budget.
    if found.len() < limit && key.chars().count() >= 2 && has_cjk(&key) {
        // Only the keys holding the typed text's rarest character are looked at.
        let rarest = key
            .chars()
            .filter_map(|c| ix.suggest_by_char.get(&c))
            .min_by_key(|v| v.len());
        for &i in rarest
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .take(SCAN_LIMIT * 4)
        {
            let (k, e) = &ix.suggest[i as usize];
            if !k.starts_with(key.as_str()) && k.contains(key.as_str()) {
                let rank = 10 + kind_rank(ix.entities[*e as usize].kind);
                found.push((rank, k.chars().count(), *e));
            }
        }
    }
    found.sort();
    let mut out: Vec<Suggestion> = Vec::new();
    for (_, _, e) in found {
        let ent = &ix.entities[e as usize];
        if out.iter().any(|s| s.name == ent.name) {
            continue;
        }
        out.push(Suggestion {
            name: ent.name.clone(),
            level: match ent.kind {
                Kind::Compound => Level::Compound,
                Kind::Poi => Level::Poi,
                Kind::Street => Level::Street,
                Kind::Place => Level::Area,
            },
            lon: ent.point.x,
            lat: ent.point.y,
        });
        if out.len() == limit {
            break;
        }
    }
    out
}

fn kind_rank(kind: Kind) -> u8 {
    match kind {
        Kind::Compound => 0,
        Kind::Poi => 1,
        Kind::Street => 2,
        Kind::Place => 3,
    }
}
