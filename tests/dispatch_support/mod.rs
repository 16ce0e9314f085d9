//! Helpers of the dispatch tests: the sample district seeded with located requests, and a
//! planning day whose shifts are all ahead.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use doorstep::db::Database;
use doorstep::dispatch::DispatchSettings;
use doorstep::engine::{EngineOptions, MapEngine};

/// Seeds squads and zones, opens the engine on the sample map (so it knows the zones), and
/// files the seed's requests located by it. On a thread of its own: the SQLite writer is
/// waited on by blocking.
pub fn seeded(db: &Arc<Database>, dir: &std::path::Path) -> Arc<MapEngine> {
    let db = db.clone();
    let pbf = dir.join("sample.osm.pbf");
    std::fs::write(&pbf, doorstep::sample::EMBEDDED_PBF).unwrap();
    std::thread::spawn(move || {
        let seed = doorstep::sample::embedded_seed().unwrap();
        let mut engine = None;
        doorstep::service::demo::load_seed_located(&db, &seed, || {
            let e = Arc::new(MapEngine::open_with_db(&EngineOptions::new(&pbf), &db)?);
            engine = Some(e.clone());
            Ok(Some(e as Arc<dyn doorstep::intake::Locator>))
        })
        .unwrap();
        engine.unwrap()
    })
    .join()
    .unwrap()
}

/// Tomorrow (local), and 07:00 of it as "now": every shift is ahead.
pub fn tomorrow() -> (NaiveDate, DateTime<Utc>) {
    let s = DispatchSettings::default();
    let date = Utc::now().with_timezone(&s.utc_offset).date_naive() + Duration::days(1);
    let now = date
        .and_hms_opt(7, 0, 0)
        .unwrap()
        .and_local_timezone(s.utc_offset)
        .unwrap()
        .with_timezone(&Utc);
    (date, now)
}
