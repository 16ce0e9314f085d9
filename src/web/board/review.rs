//! The needs-review queue: requests whose address the geocoder was not sure of, with the
//! candidates it kept, for a coordinator to pick one or drag the pin to the right spot.

use chrono::FixedOffset;
use serde::Deserialize;

use crate::db::requests::RequestRow;
use crate::i18n::Tr;

/// One candidate as the geocoder stored it (`requests.geocode_candidates`).
#[derive(Clone, Debug, Deserialize)]
pub struct StoredCandidate {
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub confidence: f64,
    #[serde(default)]
    pub name: String,
}

pub struct CandidateView {
    pub lon: String,
    pub lat: String,
    pub label: String,
    pub checked: bool,
}

pub struct ReviewItem {
    pub id: String,
    pub version: i32,
    pub address: String,
    pub filed: String,
    pub urgency: String,
    pub candidates: Vec<CandidateView>,
    /// Where the pin starts: the current position, else the best candidate (may be empty).
    pub lon: String,
    pub lat: String,
}

pub fn candidates_of(r: &RequestRow) -> Vec<StoredCandidate> {
    r.geocode_candidates
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

pub(crate) fn level_word(t: Tr, level: &str) -> String {
    let key = format!("level.{level}");
    if crate::i18n::has(&key) {
        t.get(&key).to_owned()
    } else {
        level.to_owned()
    }
}

pub fn review_item(t: Tr, r: &RequestRow, offset: FixedOffset) -> ReviewItem {
    let cands = candidates_of(r);
    let mut address = r.address_text.clone();
    for part in [&r.building, &r.unit, &r.room].into_iter().flatten() {
        address.push(' ');
        address.push_str(part);
    }
    let (lon, lat) = match (r.lon, r.lat) {
        (Some(x), Some(y)) => (Some(x), Some(y)),
        _ => cands
            .first()
            .map(|c| (Some(c.lon), Some(c.lat)))
            .unwrap_or((None, None)),
    };
    let fmt = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    ReviewItem {
        id: r.id.to_string(),
        version: r.version,
        address,
        filed: crate::web::view::local_time(r.created_at, offset),
        urgency: t.code("urgency", r.urgency.as_str()),
        candidates: cands
            .iter()
            .map(|c| CandidateView {
                lon: format!("{:.6}", c.lon),
                lat: format!("{:.6}", c.lat),
                label: format!(
                    "{} ({}, {:.0}%)",
                    c.name,
                    level_word(t, &c.level),
                    c.confidence * 100.0
                ),
                checked: Some(c.lon) == lon && Some(c.lat) == lat,
            })
            .collect(),
        lon: fmt(lon),
        lat: fmt(lat),
    }
}

pub fn review_items<'a>(
    t: Tr,
    rows: impl Iterator<Item = &'a RequestRow>,
    offset: FixedOffset,
) -> Vec<ReviewItem> {
    rows.map(|r| review_item(t, r, offset)).collect()
}
