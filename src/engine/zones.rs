//! Zones as the database stores them → zones as the road network and the zone index use them,
//! and the watch that keeps every instance's copy current.
//!
//! Coordinators edit zones through any instance; each instance polls the zones' versions (a
//! cheap query over a few rows) and, when they changed or a zone's active period starts or
//! ends, rebuilds its zone index and swaps the road network's zone overlay
//! ([`crate::road::SharedRoadNetwork::set_zones`]). Requests keep being answered by the old
//! network until the new one is ready.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use geo::Point;

use super::MapEngine;
use crate::db::zones::ZoneRow;
use crate::db::{Database, DbError};
use crate::domain;
use crate::zone::{self, ActivePeriod, Zone, ZoneError};

/// The zones' identity as stored: every zone's (id, version), sorted by id.
pub type ZonesVersion = Vec<(domain::ZoneId, i32)>;

/// A stored zone as the compute modules see it; inactive zones give `None`.
pub fn zone_from_row(row: &ZoneRow) -> Result<Option<Zone>, ZoneError> {
    if !row.active {
        return Ok(None);
    }
    let polygon = zone::parse_geojson_polygon(&row.polygon)?;
    let checkpoint = match (row.checkpoint_lon, row.checkpoint_lat) {
        (Some(lon), Some(lat)) => Some(Point::new(lon, lat)),
        _ => None,
    };
    let period =
        ActivePeriod::try_new(row.active_from.map(|t| t.0), row.active_until.map(|t| t.0))?;
    let kind = match row.kind {
        domain::ZoneKind::HighRisk => zone::ZoneKind::HighRisk,
        domain::ZoneKind::Controlled => zone::ZoneKind::Controlled,
        domain::ZoneKind::Precaution => zone::ZoneKind::Precaution,
    };
    Zone::try_new(
        zone::ZoneId(row.id.0),
        &row.name,
        kind,
        polygon,
        checkpoint,
        period,
    )
    .map(Some)
}

/// Reads the zones and their version from the database. A stored zone that is no longer
/// valid is logged and left out (it cannot be applied), never fatal.
pub fn load_zones(db: &Database) -> Result<(Vec<Zone>, ZonesVersion), DbError> {
    let (rows, version) = db.read_blocking(|c| {
        let rows = crate::db::zones::list(c, true)?;
        let version = crate::db::zones::versions(c)?;
        Ok((rows, version))
    })?;
    let mut zones = Vec::new();
    for row in &rows {
        match zone_from_row(row) {
            Ok(Some(z)) => zones.push(z),
            Ok(None) => {}
            Err(e) => tracing::error!(zone = %row.id, name = %row.name, error = %e,
                "a stored zone is invalid and is not applied"),
        }
    }
    Ok((zones, version))
}

/// The background watch of the zones; stops when dropped.
pub struct ZoneWatch {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ZoneWatch {
    /// Checks the database every `every` (and at each zone's period boundary) and applies
    /// changes to `engine`.
    pub fn spawn(engine: Arc<MapEngine>, db: Arc<Database>, every: Duration) -> ZoneWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("zone-watch".into())
            .spawn(move || {
                let tick = Duration::from_millis(100).min(every);
                let mut waited = Duration::ZERO;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    waited += tick;
                    let due = engine.zones_due_at().is_some_and(|t| t <= Utc::now());
                    if waited < every && !due {
                        continue;
                    }
                    waited = Duration::ZERO;
                    match engine.refresh_zones(&db, due) {
                        Ok(Some(update)) => tracing::info!(?update, "zones applied"),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "could not check the zones"),
                    }
                }
            })
            .ok();
        ZoneWatch { stop, thread }
    }
}

impl Drop for ZoneWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
