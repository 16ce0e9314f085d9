//! What the geocoder answers: candidates with a position, a match level, a confidence and the
//! parsed components of the query.

use serde::{Deserialize, Serialize};

/// Below this confidence an answer is "no confident match": it keeps its candidates for a
/// coordinator to review but gives no position.
pub const CONFIDENT: f64 = 0.4;

/// How precisely a candidate locates the query, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A house number found on the street in the data.
    Address,
    /// A numbered building inside a named compound.
    Building,
    /// A named residential compound (小区), neighbourhood or named building group.
    Compound,
    /// A named point of interest (school, clinic, shop, office, ...).
    Poi,
    /// Where two named streets meet.
    Intersection,
    /// A house number placed along its street between numbered neighbours.
    StreetNumber,
    /// A point on a named street (the number, if any, could not be placed).
    Street,
    /// An administrative area or named place.
    Area,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Address => "address",
            Level::Building => "building",
            Level::Compound => "compound",
            Level::Poi => "poi",
            Level::Intersection => "intersection",
            Level::StreetNumber => "street_number",
            Level::Street => "street",
            Level::Area => "area",
        }
    }
}

/// The parts of an address the parser recognised. Every field is the normalized text as
/// written in the query (simplified characters, ASCII digits).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdistrict: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compound: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poi: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Text the parser could not place (kept so a coordinator sees what was ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unparsed: Option<String>,
}

/// One place the query may mean.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    pub level: Level,
    /// 0–1: how sure the geocoder is that this is the place meant.
    pub confidence: f64,
    /// The display name of what was matched (`巴山街 32号`, `鸿翔名苑 3栋`).
    pub name: String,
    /// The names in the data that matched (a street, a compound, both streets of a crossing).
    pub matched: Vec<String>,
}

/// The answer to one query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub query: String,
    /// The best candidate when its confidence reaches [`CONFIDENT`]; `None` is "no confident
    /// match" (the candidates are still listed for review).
    pub best: Option<Candidate>,
    /// Every candidate, best first.
    pub candidates: Vec<Candidate>,
    pub components: Components,
}

impl Answer {
    pub(crate) fn new(query: &str, mut candidates: Vec<Candidate>, components: Components) -> Self {
        candidates.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.level.cmp(&b.level))
        });
        candidates.dedup_by(|a, b| a.name == b.name && a.level == b.level);
        candidates.truncate(10);
        let best = candidates
            .first()
            .filter(|c| c.confidence >= CONFIDENT)
            .cloned();
        Answer {
            query: query.to_string(),
            best,
            candidates,
            components,
        }
    }

    /// The confidence of the best candidate (0 when there is none).
    pub fn confidence(&self) -> f64 {
        self.candidates.first().map_or(0.0, |c| c.confidence)
    }
}

/// One autocomplete suggestion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The name to show and to put in the field.
    pub name: String,
    pub level: Level,
    pub lon: f64,
    pub lat: f64,
}
