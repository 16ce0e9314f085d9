//! The map engine in the server: loading the extract once, caching what it built, geocoding
//! at intake, and zones that reach every instance.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use doorstep::db::Timestamp;
use doorstep::db::zones::ZoneRow;
use doorstep::domain::{RequestStatus, ZoneId, ZoneKind};
use doorstep::engine::{EngineOptions, MapEngine, ZoneWatch};
use doorstep::road::PreparedBy;
use geo::Point;

fn sample_pbf(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("sample.osm.pbf");
    std::fs::write(&p, doorstep::sample::EMBEDDED_PBF).unwrap();
    p
}

/// A high-risk zone around a point, with its checkpoint just outside the south-west corner.
fn zone_row(name: &str, lon: f64, lat: f64, half_deg: f64) -> ZoneRow {
    let now = Timestamp::now();
    let (w, e, s, n) = (
        lon - half_deg,
        lon + half_deg,
        lat - half_deg,
        lat + half_deg,
    );
    let polygon = serde_json::json!({"type": "Polygon",
        "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]})
    .to_string();
    ZoneRow {
        id: ZoneId::generate(),
        name: name.into(),
        kind: ZoneKind::HighRisk,
        polygon,
        checkpoint_lon: Some(w - 0.0002),
        checkpoint_lat: Some(s - 0.0002),
        notes: String::new(),
        active_from: None,
        active_until: None,
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

#[test]
fn a_second_start_reads_everything_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let pbf = sample_pbf(dir.path());
    let mut options = EngineOptions::new(&pbf);
    options.cache_dir = Some(dir.path().join("cache"));
    let cold = MapEngine::open(&options, vec![], vec![]).unwrap();
    assert!(!cold.startup().raw_map.from_cache);
    assert!(!cold.startup().geocoder.from_cache);
    assert!(
        cold.startup()
            .road_graphs
            .iter()
            .all(|(_, how, _)| *how != PreparedBy::Cache)
    );
    let warm = MapEngine::open(&options, vec![], vec![]).unwrap();
    assert!(warm.startup().all_from_cache(), "{:?}", warm.startup());
    println!(
        "sample district: cold start {:.3} s, warm start {:.3} s",
        cold.startup().total_s,
        warm.startup().total_s
    );
    // Same answers from the cached engine.
    let q = "鸿翔名苑3栋2单元501";
    assert_eq!(cold.geocoder().geocode(q), warm.geocoder().geocode(q));

    // A different extract misses the cache instead of reading the wrong map.
    let mut other = doorstep::sample::EMBEDDED_PBF.to_vec();
    other.extend_from_slice(&[0, 0, 0, 0]);
    let other_path = dir.path().join("other.osm.pbf");
    std::fs::write(&other_path, &other).unwrap();
    let o = EngineOptions {
        osm: other_path,
        ..options
    };
    match MapEngine::open(&o, vec![], vec![]) {
        Ok(e) => assert!(!e.startup().raw_map.from_cache),
        Err(e) => assert!(e.to_string().contains("other.osm.pbf"), "{e}"),
    }
}

#[test]
fn a_damaged_cache_is_rebuilt_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let pbf = sample_pbf(dir.path());
    let mut options = EngineOptions::new(&pbf);
    options.cache_dir = Some(dir.path().join("cache"));
    let first = MapEngine::open(&options, vec![], vec![]).unwrap();
    let cache = first.startup().cache_dir.clone().unwrap();
    std::fs::write(cache.join("raw-map.bin"), b"garbage").unwrap();
    std::fs::write(cache.join("geocoder.bin"), b"garbage").unwrap();
    let again = MapEngine::open(&options, vec![], vec![]).unwrap();
    assert!(!again.startup().raw_map.from_cache);
    assert!(!again.startup().geocoder.from_cache);
    let third = MapEngine::open(&options, vec![], vec![]).unwrap();
    assert!(third.startup().all_from_cache());
}

#[test]
fn the_seed_addresses_are_located_and_some_need_review() {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        MapEngine::open(&EngineOptions::new(sample_pbf(dir.path())), vec![], vec![]).unwrap();
    let seed = doorstep::sample::embedded_seed().unwrap();
    let (mut located, mut review) = (0, 0);
    for r in &seed.requests {
        let l = engine.locate_text(&r.address);
        println!(
            "{:<40} {:>5} {:<14} {}",
            r.address,
            l.best.as_ref().map_or(0.0, |b| b.confidence),
            l.best.as_ref().map_or("-", |b| b.match_level.as_str()),
            l.best.as_ref().map_or("-", |b| b.matched_name.as_str())
        );
        if l.best.is_some() {
            located += 1;
        }
        if l.needs_review {
            review += 1;
            assert!(l.candidates_json.is_some() || l.best.is_none());
        } else {
            let b = l.best.as_ref().unwrap();
            assert!(b.confidence >= engine.review_below());
            assert!(engine.contains(Point::new(b.lon, b.lat)));
        }
    }
    println!(
        "{located} located, {review} to review of {}",
        seed.requests.len()
    );
    assert!(located >= seed.requests.len() * 3 / 4);
    assert!(review < seed.requests.len() / 2);
}

#[test]
fn communities_come_from_the_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        MapEngine::open(&EngineOptions::new(sample_pbf(dir.path())), vec![], vec![]).unwrap();
    let names = engine.communities().names();
    assert!(names.contains(&"鸿翔社区"), "{names:?}");
    let l = engine.locate_text("鸿翔名苑3栋");
    let b = l.best.unwrap();
    assert!(l.community.is_some(), "鸿翔名苑 lies in no community");
    assert_eq!(engine.community_at(Point::new(b.lon, b.lat)), l.community);
}

#[test]
fn a_zone_changed_through_another_instance_reaches_this_one() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut options = EngineOptions::new(sample_pbf(dir.path()));
    options.cache_dir = Some(dir.path().join("cache"));
    // Two instances on one database.
    let a = Arc::new(MapEngine::open_with_db(&options, &t.db).unwrap());
    let b = Arc::new(MapEngine::open_with_db(&options, &t.db).unwrap());
    let _watch = ZoneWatch::spawn(b.clone(), t.db.clone(), Duration::from_millis(200));

    let target = a.locate_text("鸿翔名苑3栋").best.unwrap();
    let p = Point::new(target.lon, target.lat);
    assert!(b.zone_at(p).is_none());
    let row = zone_row("测试高风险区", target.lon, target.lat, 0.0005);
    let id = row.id;
    t.db.write_blocking(move |c| doorstep::db::zones::insert(c, &row))
        .unwrap();
    // Through instance A: applied at once.
    let update = a.refresh_zones(&t.db, false).unwrap();
    assert!(update.is_some());
    assert_eq!(a.zone_at(p).map(|z| z.id.0), Some(id.0));
    assert!(
        a.refresh_zones(&t.db, false).unwrap().is_none(),
        "nothing changed since"
    );
    // Instance B sees it through its watch.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while b.zone_at(p).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "instance B never saw the zone"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Requests inside are served at the checkpoint on B's road network too.
    let net = b.roads();
    let located = net.locate(doorstep::road::TravelMode::Foot, p).unwrap();
    assert!(located.waypoint().via_checkpoint_of.is_some());
    // Located requests carry the zone.
    let l = b.locate_text("鸿翔名苑3栋");
    assert_eq!(l.zone_id.map(|z| z.0), Some(id.0));
    let _ = RequestStatus::New;
}
