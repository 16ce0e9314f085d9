//! Resident intake: what a resident (or someone on their behalf) typed → a validated request
//! → located → stored. The same rules serve the web form, the JSON API, the CSV import and
//! the demo seed.
//!
//! This module validates and builds rows; it does not geocode. Locating is a seam: a
//! [`Locator`] (the geocoder, once wired) is asked for a position; without one a request is
//! stored with status `new` and no location. Storing is [`crate::db::requests::file`].

pub mod csv_import;
mod phone;
mod validate;

pub use phone::{parse_phone, to_half_width};
pub use validate::*;

use crate::db::requests::NewRequestRow;
use crate::db::{Conn, DbError, Timestamp};
use crate::domain::{RequestId, RequestStatus, Source, TrackingToken, ZoneId};

/// Where a request's address was found, as the geocoder reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    /// WGS84 degrees.
    pub lon: f64,
    pub lat: f64,
    /// The geocoder's match level (`building`, `compound`, `street`, ...).
    pub match_level: String,
    /// 0–1.
    pub confidence: f64,
    pub matched_name: String,
}

/// What a [`Locator`] answers for one address.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Located {
    /// The best match, if confident enough to use.
    pub best: Option<Location>,
    /// The candidates kept for a coordinator's review (JSON array), if any.
    pub candidates_json: Option<String>,
    /// True when a person must confirm the location (the request goes to "needs review").
    pub needs_review: bool,
    /// The community (社区) the point lies in, when known.
    pub community: Option<String>,
    /// The zone the point lies in, when known.
    pub zone_id: Option<ZoneId>,
}

/// The seam for geocoding at intake. Implemented by the geocoder (issue 3); must be fast
/// (it runs on a blocking thread for every filed request) and must not fail: "no confident
/// match" is an answer (`best: None, needs_review: true`).
pub trait Locator: Send + Sync {
    fn locate(&self, request: &ValidRequest) -> Located;
}

/// Builds the row to store for a validated request.
pub fn to_row(valid: &ValidRequest, located: Option<&Located>, source: Source) -> NewRequestRow {
    let now = Timestamp::now();
    let best = located.and_then(|l| l.best.as_ref());
    let status = match located {
        Some(l) if l.needs_review || l.best.is_none() => RequestStatus::NeedsReview,
        _ => RequestStatus::New,
    };
    NewRequestRow {
        id: RequestId::generate(),
        tracking_token: TrackingToken::new_random(),
        idempotency_key: valid.idempotency_key.clone(),
        source,
        resident_name: valid.resident_name.clone(),
        phone: valid.phone.clone(),
        address_text: valid.address.clone(),
        building: valid.building.clone(),
        unit: valid.unit.clone(),
        room: valid.room.clone(),
        household_size: valid.household_size,
        category: valid.category,
        items: items_json(&valid.items),
        item_count: valid.items.iter().map(|i| i.quantity).sum(),
        urgency: valid.urgency,
        requested_urgency: valid.urgency,
        available_from: valid.available_from,
        available_until: valid.available_until,
        notes: valid.notes.clone(),
        filed_by: valid.filed_by,
        filer_name: valid.filer_name.clone(),
        filer_phone: valid.filer_phone.clone(),
        lon: best.map(|b| b.lon),
        lat: best.map(|b| b.lat),
        match_level: best.map(|b| b.match_level.clone()),
        confidence: best.map(|b| b.confidence.clamp(0.0, 1.0)),
        matched_name: best.map(|b| b.matched_name.clone()),
        geocode_candidates: located.and_then(|l| l.candidates_json.clone()),
        location_confirmed: false,
        community: located.and_then(|l| l.community.clone()),
        zone_id: located.and_then(|l| l.zone_id),
        status,
        created_at: now,
        updated_at: now,
    }
}

/// Validated → located → stored, on a connection the caller holds (the CLI, the seed).
/// Returns the stored row and whether it was new (false: an earlier submission with the same
/// idempotency key).
pub fn file_blocking(
    conn: &mut Conn<'_>,
    valid: &ValidRequest,
    locator: Option<&dyn Locator>,
    source: Source,
    actor: &str,
) -> Result<(crate::db::requests::RequestRow, bool), DbError> {
    let located = locator.map(|l| l.locate(valid));
    let row = to_row(valid, located.as_ref(), source);
    crate::db::requests::file(conn, &row, actor)
}

/// The JSON stored in `requests.items`.
pub fn items_json(items: &[Item]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Reads `requests.items` back; a damaged value reads as no items rather than failing a page.
pub fn parse_items_json(json: &str) -> Vec<Item> {
    serde_json::from_str(json).unwrap_or_default()
}
