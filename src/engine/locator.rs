//! The engine as intake's geocoder: address text → a position, its zone and community, or a
//! place in the review queue with the candidates kept for a coordinator.

use chrono::Utc;
use geo::Point;
use serde::Serialize;

use super::MapEngine;
use crate::domain;
use crate::geocode::{Answer, Candidate};
use crate::intake::{Located, Location, Locator, ValidRequest};

/// Candidates kept for review.
const CANDIDATES_KEPT: usize = 5;

/// One candidate as stored in `requests.geocode_candidates` (JSON array) for review.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct StoredCandidate {
    /// WGS84 degrees.
    pub lon: f64,
    pub lat: f64,
    /// `address`, `building`, `compound`, `poi`, `intersection`, `street_number`, `street`, `area`.
    pub level: String,
    /// 0–1.
    pub confidence: f64,
    pub name: String,
}

impl From<&Candidate> for StoredCandidate {
    fn from(c: &Candidate) -> Self {
        StoredCandidate {
            lon: c.lon,
            lat: c.lat,
            level: c.level.as_str().to_owned(),
            confidence: (c.confidence * 1000.0).round() / 1000.0,
            name: c.name.clone(),
        }
    }
}

/// The text to geocode: the address as written, plus the building and unit fields when the
/// resident typed them separately and the address does not already say them.
pub fn query_of(request: &ValidRequest) -> String {
    let mut q = request.address.clone();
    let mut add = |part: &Option<String>, suffix: &str| {
        if let Some(p) = part.as_deref().map(str::trim).filter(|p| !p.is_empty())
            && !q.contains(p)
        {
            q.push_str(p);
            // "3" typed in the building field means 3栋.
            if p.chars().all(|c| c.is_ascii_digit()) {
                q.push_str(suffix);
            }
        }
    };
    add(&request.building, "栋");
    add(&request.unit, "单元");
    q
}

impl MapEngine {
    /// Geocodes an address and decides whether a person must confirm it.
    pub fn locate_text(&self, query: &str) -> Located {
        let answer = self.geocoder().geocode(query);
        self.located_from(&answer)
    }

    fn located_from(&self, answer: &Answer) -> Located {
        let candidates: Vec<StoredCandidate> = answer
            .candidates
            .iter()
            .take(CANDIDATES_KEPT)
            .map(StoredCandidate::from)
            .collect();
        let candidates_json = (!candidates.is_empty())
            .then(|| serde_json::to_string(&candidates).ok())
            .flatten();
        let Some(best) = &answer.best else {
            return Located {
                best: None,
                candidates_json,
                needs_review: true,
                community: None,
                zone_id: None,
            };
        };
        let point = Point::new(best.lon, best.lat);
        let needs_review = best.confidence < self.review_below();
        let zone_id = {
            let net = self.roads();
            net.zones()
                .0
                .zone_at(point, Utc::now())
                .map(|z| domain::ZoneId(z.id.0))
        };
        Located {
            best: Some(Location {
                lon: best.lon,
                lat: best.lat,
                match_level: best.level.as_str().to_owned(),
                confidence: best.confidence.clamp(0.0, 1.0),
                matched_name: best.name.clone(),
            }),
            // Kept for review, and as the alternatives a coordinator may pick later.
            candidates_json,
            needs_review,
            community: self.community_at(point),
            zone_id,
        }
    }
}

impl Locator for MapEngine {
    fn locate(&self, request: &ValidRequest) -> Located {
        self.locate_text(&query_of(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(address: &str, building: Option<&str>, unit: Option<&str>) -> ValidRequest {
        let mut input = crate::intake::RequestInput {
            resident_name: "王桂兰".into(),
            phone: "13945678901".into(),
            address: address.into(),
            household_size: 1,
            category: "food".into(),
            items: vec![crate::intake::ItemInput {
                name: "大米".into(),
                quantity: 1,
                unit: None,
            }],
            ..Default::default()
        };
        input.building = building.map(Into::into);
        input.unit = unit.map(Into::into);
        crate::intake::validate(&input).unwrap()
    }

    #[test]
    fn separate_fields_join_the_address_once() {
        assert_eq!(
            query_of(&valid("鸿翔名苑", Some("3"), Some("2"))),
            "鸿翔名苑3栋2单元"
        );
        assert_eq!(
            query_of(&valid("鸿翔名苑3栋2单元501", Some("3栋"), Some("2单元"))),
            "鸿翔名苑3栋2单元501"
        );
        assert_eq!(query_of(&valid("巴山街32号", None, None)), "巴山街32号");
    }
}
