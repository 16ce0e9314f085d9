//! The route sheet as people read it: stops numbered from 1, times in the local offset,
//! households sorted by building / unit / room, zone warnings and directions in words. Shared
//! by the live sheet and the print view.

use chrono::FixedOffset;

use super::data::{SheetData, SheetStop};
use super::legs::{self, Leg};
use crate::db::requests::RequestRow;
use crate::domain::{FiledBy, StopStatus, ZoneKind};
use crate::i18n::{Lang, Tr};

pub struct HouseholdView {
    pub address: String,
    /// What the geocoder matched the address to (empty when it is the same or unknown).
    pub matched: String,
    /// `3栋 2单元 501` as typed; empty when none was given.
    pub door: String,
    pub name: String,
    pub phone: String,
    /// The phone as a `tel:` URI (digits and `+` only).
    pub tel: String,
    pub household_size: i32,
    pub category: String,
    pub urgency_code: &'static str,
    pub urgency: String,
    pub items: Vec<String>,
    pub hours: String,
    pub notes: String,
    /// Who filed it when not the resident: `楼长 刘** 135…`.
    pub filer: String,
}

pub struct StopView {
    pub id: String,
    pub number: usize,
    pub version: i32,
    pub status_code: &'static str,
    pub status_word: String,
    pub arrival: String,
    pub label: String,
    pub lon: f64,
    pub lat: f64,
    /// Zone warning in words; empty outside zones.
    pub warning: String,
    pub zone_kind: &'static str,
    pub households: Vec<HouseholdView>,
    pub items_total: i32,
    /// The leg from the previous stop: `350 m · 5 min`, empty when unknown.
    pub leg_summary: String,
    pub leg_steps: Vec<String>,
    pub done: bool,
    pub failure: String,
    pub note: String,
    pub completed_at: String,
}

pub struct SheetView {
    pub squad_id: String,
    pub squad_name: String,
    pub members: String,
    pub contact: String,
    pub mode: String,
    pub base_name: String,
    pub date: String,
    /// `12 stops · 8.4 km · 2 h 10 min`, empty without a plan.
    pub summary: String,
    pub shift: String,
    pub stops: Vec<StopView>,
    pub done_count: usize,
    /// Legs from the base through every stop, for the map.
    pub legs: Vec<Leg>,
    pub base: [f64; 2],
}

fn hm(t: crate::db::Timestamp, offset: FixedOffset) -> String {
    t.0.with_timezone(&offset).format("%H:%M").to_string()
}

fn door(r: &RequestRow) -> String {
    [&r.building, &r.unit, &r.room]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sorting key for households at one stop: building, unit, then room, numbers as numbers.
fn door_key(r: &RequestRow) -> Vec<(u64, String)> {
    [&r.building, &r.unit, &r.room]
        .into_iter()
        .map(|p| {
            let s = p.as_deref().unwrap_or("");
            let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
            (digits.parse().unwrap_or(u64::MAX), s.to_owned())
        })
        .collect()
}

fn household(t: Tr, r: &RequestRow) -> HouseholdView {
    let matched = r
        .matched_name
        .clone()
        .filter(|m| !m.is_empty() && *m != r.address_text)
        .unwrap_or_default();
    let hours = match (r.available_from, r.available_until) {
        (Some(a), Some(b)) => format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")),
        (Some(a), None) => format!("{} –", a.format("%H:%M")),
        (None, Some(b)) => format!("– {}", b.format("%H:%M")),
        (None, None) => String::new(),
    };
    let filer = if r.filed_by != FiledBy::Resident {
        let mut s = t.code("filed_by", r.filed_by.as_str());
        for part in [&r.filer_name, &r.filer_phone].into_iter().flatten() {
            s.push(' ');
            s.push_str(part);
        }
        s
    } else {
        String::new()
    };
    HouseholdView {
        address: r.address_text.clone(),
        matched,
        door: door(r),
        name: r.resident_name.clone(),
        phone: r.phone.clone(),
        tel: r
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        household_size: r.household_size,
        category: t.code("category", r.category.as_str()),
        urgency_code: r.urgency.as_str(),
        urgency: t.code("urgency", r.urgency.as_str()),
        items: crate::intake::parse_items_json(&r.items)
            .into_iter()
            .map(|i| format!("{} × {}{}", i.name, i.quantity, i.unit.unwrap_or_default()))
            .collect(),
        hours,
        notes: r.notes.clone(),
        filer,
    }
}

fn zone_warning(t: Tr, kind: ZoneKind, name: &str) -> String {
    let key = match kind {
        ZoneKind::HighRisk => "sheet.zone.high_risk",
        ZoneKind::Controlled => "sheet.zone.controlled",
        ZoneKind::Precaution => "sheet.zone.precaution",
    };
    format!("{name}: {}", t.get(key))
}

fn stop_view(
    t: Tr,
    data: &SheetData,
    i: usize,
    s: &SheetStop,
    leg: Option<&Leg>,
    offset: FixedOffset,
) -> StopView {
    let mut reqs: Vec<&RequestRow> = s.requests.iter().collect();
    reqs.sort_by_key(|r| door_key(r));
    let zone = s.stop.zone_id.and_then(|z| data.zones.get(&z));
    let (leg_summary, leg_steps) = match leg {
        Some(l) => {
            let dist = l.distance_m.or(s.stop.leg_distance_m);
            let dur = l.duration_s.or(s.stop.leg_duration_s);
            let summary = match (dist, dur) {
                (Some(d), Some(s)) => legs::summary(d, s, t.lang),
                _ => String::new(),
            };
            (summary, l.steps.clone())
        }
        None => match (s.stop.leg_distance_m, s.stop.leg_duration_s) {
            (Some(d), Some(dur)) => (legs::summary(d, dur, t.lang), Vec::new()),
            _ => (String::new(), Vec::new()),
        },
    };
    StopView {
        id: s.stop.id.to_string(),
        number: i + 1,
        version: s.stop.version,
        status_code: s.stop.status.as_str(),
        status_word: t.code("stop_status", s.stop.status.as_str()),
        arrival: s
            .stop
            .planned_arrival
            .map(|a| hm(a, offset))
            .unwrap_or_default(),
        label: s.stop.label.clone(),
        lon: s.stop.lon,
        lat: s.stop.lat,
        warning: zone
            .map(|z| zone_warning(t, z.kind, &z.name))
            .unwrap_or_default(),
        zone_kind: zone.map(|z| z.kind.as_str()).unwrap_or(""),
        items_total: reqs.iter().map(|r| r.item_count).sum(),
        households: reqs.into_iter().map(|r| household(t, r)).collect(),
        leg_summary,
        leg_steps,
        done: matches!(s.stop.status, StopStatus::Delivered | StopStatus::Failed),
        failure: s
            .stop
            .failure_reason
            .map(|f| t.code("failure", f.as_str()))
            .unwrap_or_default(),
        note: s.stop.proof_note.clone(),
        completed_at: s
            .stop
            .completed_at
            .map(|a| hm(a, offset))
            .unwrap_or_default(),
    }
}

fn hours_minutes(lang: Lang, duration_s: f64) -> String {
    let m = (duration_s / 60.0).round() as i64;
    match (lang, m / 60, m % 60) {
        (Lang::Zh, 0, m) => format!("{m} 分钟"),
        (Lang::Zh, h, m) => format!("{h} 小时 {m} 分"),
        (Lang::En, 0, m) => format!("{m} min"),
        (Lang::En, h, m) => format!("{h} h {m} min"),
    }
}

/// The sheet in the reader's language, with legs from the road network when there is one.
pub fn build(
    t: Tr,
    data: &SheetData,
    network: Option<&crate::road::RoadNetwork>,
    offset: FixedOffset,
    date: chrono::NaiveDate,
) -> SheetView {
    let sq = &data.squad;
    let base = [sq.base_lon, sq.base_lat];
    let mut points = vec![base];
    points.extend(data.stops.iter().map(|s| [s.stop.lon, s.stop.lat]));
    let legs = legs::legs(network, sq.travel_mode, &points, t.lang);
    let stops: Vec<StopView> = data
        .stops
        .iter()
        .enumerate()
        .map(|(i, s)| stop_view(t, data, i, s, legs.get(i), offset))
        .collect();
    let members: Vec<String> = serde_json::from_str(&sq.members).unwrap_or_default();
    let summary = data
        .plan
        .as_ref()
        .map(|p| {
            let km = format!("{:.1} km", p.distance_m / 1000.0);
            let n = stops.len();
            match t.lang {
                Lang::Zh => format!(
                    "{n} 个站点 · {km} · {}",
                    hours_minutes(t.lang, p.duration_s)
                ),
                Lang::En => format!("{n} stops · {km} · {}", hours_minutes(t.lang, p.duration_s)),
            }
        })
        .unwrap_or_default();
    SheetView {
        squad_id: sq.id.to_string(),
        squad_name: sq.name.clone(),
        members: members.join("、"),
        contact: sq.contact_phone.clone(),
        mode: t.code("mode", sq.travel_mode.as_str()),
        base_name: sq.base_name.clone(),
        date: date.format("%Y-%m-%d").to_string(),
        summary,
        shift: format!(
            "{}–{}",
            sq.shift_start.format("%H:%M"),
            sq.shift_end.format("%H:%M")
        ),
        done_count: stops.iter().filter(|s| s.done).count(),
        stops,
        legs,
        base,
    }
}

/// The map's data for a sheet: base, numbered stops and the legs' lines, as JSON.
pub fn map_json(v: &SheetView) -> serde_json::Value {
    serde_json::json!({
        "base": v.base,
        "base_name": v.base_name,
        "stops": v.stops.iter().map(|s| serde_json::json!({
            "id": s.id,
            "n": s.number,
            "lon": s.lon,
            "lat": s.lat,
            "status": s.status_code,
            "label": s.label,
            "zone": s.zone_kind,
        })).collect::<Vec<_>>(),
        "legs": v.legs.iter().map(|l| serde_json::json!({
            "line": l.line,
            "on_roads": l.on_roads,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(hours_minutes(Lang::En, 7800.0), "2 h 10 min");
        assert_eq!(hours_minutes(Lang::Zh, 600.0), "10 分钟");
    }
}
