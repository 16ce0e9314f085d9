//! What the API answers: requests as JSON, with the same codes as the database.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::requests::RequestRow;
use crate::domain::{
    Category, FailureReason, FiledBy, RequestId, RequestStatus, Source, Urgency, ZoneId,
};
use crate::intake::Item;

/// A stored request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub id: RequestId,
    /// The secret of the resident's tracking page.
    pub tracking_token: String,
    /// The resident's tracking page (path).
    #[schema(example = "/t/3bX9...")]
    pub tracking_url: String,
    pub status: RequestStatus,
    pub failure_reason: Option<FailureReason>,
    pub status_note: String,
    pub source: Source,
    pub resident_name: String,
    pub phone: String,
    pub address: String,
    pub building: Option<String>,
    pub unit: Option<String>,
    pub room: Option<String>,
    pub household_size: i32,
    pub category: Category,
    pub items: Vec<Item>,
    /// Sum of quantities.
    pub item_count: i32,
    pub urgency: Urgency,
    /// What the resident chose (coordinators may change `urgency`).
    pub requested_urgency: Urgency,
    /// `HH:MM`, local time.
    pub available_from: Option<String>,
    pub available_until: Option<String>,
    pub notes: String,
    pub filed_by: FiledBy,
    pub filer_name: Option<String>,
    pub filer_phone: Option<String>,
    /// Where the address was found; null until geocoded.
    pub location: Option<LocationView>,
    pub community: Option<String>,
    pub zone_id: Option<ZoneId>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    /// For optimistic locking: send it back with a change.
    pub version: i32,
}

/// A geocoded position.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationView {
    /// WGS84 degrees.
    pub lon: f64,
    pub lat: f64,
    pub match_level: Option<String>,
    /// 0–1.
    pub confidence: Option<f64>,
    pub matched_name: Option<String>,
    /// Confirmed by a person.
    pub confirmed: bool,
}

/// A page of requests, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestView>,
    /// Requests matching the filters, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

fn hhmm(t: Option<chrono::NaiveTime>) -> Option<String> {
    t.map(|t| t.format("%H:%M").to_string())
}

impl From<RequestRow> for RequestView {
    fn from(r: RequestRow) -> Self {
        let location = match (r.lon, r.lat) {
            (Some(lon), Some(lat)) => Some(LocationView {
                lon,
                lat,
                match_level: r.match_level.clone(),
                confidence: r.confidence,
                matched_name: r.matched_name.clone(),
                confirmed: r.location_confirmed,
            }),
            _ => None,
        };
        RequestView {
            id: r.id,
            tracking_url: format!("/t/{}", r.tracking_token),
            tracking_token: r.tracking_token.to_string(),
            status: r.status,
            failure_reason: r.failure_reason,
            status_note: r.status_note,
            source: r.source,
            resident_name: r.resident_name,
            phone: r.phone,
            address: r.address_text,
            building: r.building,
            unit: r.unit,
            room: r.room,
            household_size: r.household_size,
            category: r.category,
            items: crate::intake::parse_items_json(&r.items),
            item_count: r.item_count,
            urgency: r.urgency,
            requested_urgency: r.requested_urgency,
            available_from: hhmm(r.available_from),
            available_until: hhmm(r.available_until),
            notes: r.notes,
            filed_by: r.filed_by,
            filer_name: r.filer_name,
            filer_phone: r.filer_phone,
            location,
            community: r.community,
            zone_id: r.zone_id,
            created_at: r
                .created_at
                .0
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            updated_at: r
                .updated_at
                .0
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            version: r.version,
        }
    }
}
