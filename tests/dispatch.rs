//! Dispatch on the sample district: the day's plans from the seeded requests, the checkpoint
//! rule of high-risk zones, locks surviving a re-plan, moving a stop (one winner of two), and
//! `doorstep plan` end to end. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.

mod common;
mod dispatch_support;

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::TestDb;
use diesel::prelude::*;
use dispatch_support::{seeded, tomorrow};
use doorstep::db::Database;
use doorstep::db::plans::{PlanRow, StopRow};
use doorstep::dispatch::{DispatchError, DispatchSettings};
use doorstep::domain::{RequestId, RequestStatus, SquadId, StopStatus, UnservedReason, ZoneKind};
use doorstep::engine::MapEngine;

fn settings() -> DispatchSettings {
    DispatchSettings {
        time_limit_s: 0.5,
        threads: 1,
        ..Default::default()
    }
}

fn plan(db: &Database, engine: &MapEngine, date: NaiveDate, now: DateTime<Utc>) {
    let roads = engine.roads();
    doorstep::dispatch::plan_day(db, Some(&roads), date, now, &settings(), "test").unwrap();
}

type Day = HashMap<SquadId, (PlanRow, Vec<(StopRow, Vec<RequestId>)>)>;

/// The day's current plans with their stops, by squad.
fn day(db: &Database, date: NaiveDate) -> Day {
    db.read_blocking(|c| {
        let mut by: HashMap<SquadId, Vec<PlanRow>> = HashMap::new();
        for p in doorstep::db::plans::for_date(c, date)? {
            by.entry(p.squad_id).or_default().push(p);
        }
        let mut out = HashMap::new();
        for (s, ps) in by {
            if let Some(p) = doorstep::db::plans::current_plan(ps) {
                let stops = doorstep::db::plans::stops_of(c, p.id)?;
                out.insert(s, (p, stops));
            }
        }
        Ok(out)
    })
    .unwrap()
}

fn all_requests(db: &Database) -> Vec<doorstep::db::requests::RequestRow> {
    db.read_blocking(|c| doorstep::db::requests::list(c, &Default::default(), 1000, 0))
        .unwrap()
        .0
}

fn set_stop_status(db: &Database, stop: doorstep::domain::StopId, status: StopStatus) {
    use doorstep::db::schema::stops;
    db.write_blocking(move |c| {
        doorstep::on_conn!(c, c => diesel::update(stops::table.find(stop))
            .set((stops::status.eq(status), stops::version.eq(stops::version + 1)))
            .execute(c))?;
        Ok(())
    })
    .unwrap();
}

#[test]
fn every_open_request_is_on_exactly_one_stop_or_unserved_with_a_reason() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(&t.db, dir.path());
    let (date, now) = tomorrow();
    plan(&t.db, &engine, date, now);

    let plans = day(&t.db, date);
    assert!(plans.len() >= 3, "most squads get a route: {}", plans.len());
    let mut seen: HashMap<RequestId, usize> = HashMap::new();
    for (p, stops) in plans.values() {
        assert!(p.distance_m > 0.0 && p.duration_s > 0.0, "{p:?}");
        for (k, (s, reqs)) in stops.iter().enumerate() {
            assert_eq!(s.seq, k as i32, "stops are numbered in order");
            assert!(s.planned_arrival.is_some());
            assert!(!reqs.is_empty());
            for r in reqs {
                *seen.entry(*r).or_default() += 1;
            }
        }
        // Planned arrivals follow the order.
        for w in stops.windows(2) {
            assert!(w[0].0.planned_arrival <= w[1].0.planned_arrival);
        }
    }
    let unserved =
        t.db.read_blocking(move |c| doorstep::db::unserved::for_date(c, date))
            .unwrap();
    for u in &unserved {
        *seen.entry(u.request_id).or_default() += 1;
    }
    for r in all_requests(&t.db) {
        let n = seen.get(&r.id).copied().unwrap_or(0);
        if r.status == RequestStatus::NeedsReview || r.lon.is_none() {
            assert_eq!(n, 0, "a request waiting for review is not planned");
        } else {
            assert_eq!(
                n, 1,
                "request {} ({}) appears {n} times",
                r.id, r.address_text
            );
            let on_stop = !unserved.iter().any(|u| u.request_id == r.id);
            let want = if on_stop {
                RequestStatus::Assigned
            } else {
                RequestStatus::New
            };
            assert_eq!(r.status, want);
        }
    }
    // The households of one building entrance share a stop.
    let max_households = plans
        .values()
        .flat_map(|(_, s)| s.iter().map(|(_, r)| r.len()))
        .max()
        .unwrap();
    assert!(max_households >= 2, "no stop groups households");
}

#[test]
fn high_risk_requests_go_to_the_checkpoint_and_only_to_a_squad_with_protective_gear() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(&t.db, dir.path());
    let (date, now) = tomorrow();
    plan(&t.db, &engine, date, now);

    let zones =
        t.db.read_blocking(|c| doorstep::db::zones::list(c, true))
            .unwrap();
    let high = zones.iter().find(|z| z.kind == ZoneKind::HighRisk).unwrap();
    let (cx, cy) = (high.checkpoint_lon.unwrap(), high.checkpoint_lat.unwrap());
    let inside: Vec<RequestId> = all_requests(&t.db)
        .into_iter()
        .filter(|r| r.zone_id == Some(high.id) && r.status != RequestStatus::NeedsReview)
        .map(|r| r.id)
        .collect();
    assert!(
        !inside.is_empty(),
        "the seed has requests in the high-risk zone"
    );
    let squads: HashMap<SquadId, doorstep::db::squads::SquadRow> =
        t.db.read_blocking(|c| doorstep::db::squads::list(c, true))
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let mut found = 0;
    for (squad, (_, stops)) in day(&t.db, date) {
        for (s, reqs) in stops {
            if reqs.iter().any(|r| inside.contains(r)) {
                found += reqs.len();
                assert!(
                    (s.lon - cx).abs() < 1e-6 && (s.lat - cy).abs() < 1e-6,
                    "{s:?}"
                );
                assert!(
                    reqs.iter().all(|r| inside.contains(r)),
                    "a checkpoint stop serves the zone only"
                );
                assert!(
                    squads[&squad].skills.contains("protective_gear"),
                    "{}",
                    squads[&squad].name
                );
            }
        }
    }
    assert_eq!(
        found,
        inside.len(),
        "every request of the zone is served at its checkpoint"
    );

    // Without protective gear anywhere, they are left out, and say why.
    t.db.write_blocking(|c| {
        use doorstep::db::schema::squads;
        doorstep::on_conn!(c, c => diesel::update(squads::table).set(squads::skills.eq("[]")).execute(c))?;
        Ok(())
    })
    .unwrap();
    plan(&t.db, &engine, date, now);
    let unserved =
        t.db.read_blocking(move |c| doorstep::db::unserved::for_date(c, date))
            .unwrap();
    for r in &inside {
        let u = unserved
            .iter()
            .find(|u| u.request_id == *r)
            .expect("unserved");
        assert_eq!(u.reason, UnservedReason::NoSquadWithSkill);
    }
    for (_, stops) in day(&t.db, date).into_values() {
        assert!(
            stops
                .iter()
                .all(|(_, reqs)| reqs.iter().all(|r| !inside.contains(r)))
        );
    }
    let back = all_requests(&t.db);
    assert!(
        back.iter()
            .filter(|r| inside.contains(&r.id))
            .all(|r| r.status == RequestStatus::New)
    );
}

#[test]
fn stops_done_or_under_way_survive_a_replan() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(&t.db, dir.path());
    let (date, now) = tomorrow();
    plan(&t.db, &engine, date, now);
    let before = day(&t.db, date);
    let (squad, (p, stops)) = before
        .iter()
        .max_by_key(|(_, (_, s))| s.len())
        .map(|(k, v)| (*k, v.clone()))
        .unwrap();
    assert!(stops.len() >= 3);
    let delivered = stops[1].0.id;
    let arrived = stops[2].0.id;
    set_stop_status(&t.db, delivered, StopStatus::Delivered);
    set_stop_status(&t.db, arrived, StopStatus::Arrived);

    plan(&t.db, &engine, date, now + Duration::hours(2));
    let after = day(&t.db, date);
    let (p2, stops2) = &after[&squad];
    assert_eq!(p2.id, p.id, "the squad's plan is updated in place");
    assert!(p2.version > p.version);
    assert_eq!(
        stops2[0].0.id, delivered,
        "a done stop keeps its place at the head"
    );
    assert_eq!(stops2[0].0.status, StopStatus::Delivered);
    assert_eq!(stops2[0].1, stops[1].1, "with its households");
    assert_eq!(stops2[1].0.id, arrived, "the stop under way comes next");
    assert_eq!(stops2[1].0.status, StopStatus::Arrived);
    // Their households are nowhere else.
    let locked: Vec<RequestId> = stops[1].1.iter().chain(&stops[2].1).copied().collect();
    for (q, (_, st)) in &after {
        for (k, (s, reqs)) in st.iter().enumerate() {
            if *q == squad && k < 2 {
                continue;
            }
            assert!(reqs.iter().all(|r| !locked.contains(r)), "{s:?}");
        }
    }
}

#[test]
fn a_move_resequences_both_squads_and_survives_a_replan() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(&t.db, dir.path());
    let (date, now) = tomorrow();
    plan(&t.db, &engine, date, now);
    let before = day(&t.db, date);
    let squads =
        t.db.read_blocking(|c| doorstep::db::squads::list(c, false))
            .unwrap();
    // A stop at a building entrance (no skill needed), to a squad with another plan.
    let (from, stop) = before
        .iter()
        .filter(|(_, (_, st))| st.len() >= 2)
        .flat_map(|(q, (_, st))| st.iter().map(move |(s, _)| (*q, s.clone())))
        .find(|(_, s)| !s.label.contains("卡口"))
        .unwrap();
    // To a squad with a plan that can take it (one that cannot refuses, changing nothing).
    let roads = engine.roads();
    let (to, out) = squads
        .iter()
        .filter(|s| s.id != from && before.contains_key(&s.id))
        .find_map(|s| {
            match doorstep::dispatch::reassign(
                &t.db,
                Some(&roads),
                stop.id,
                s.id,
                stop.version,
                now,
                &settings(),
                "test",
            ) {
                Ok(out) => Some((s.id, out)),
                Err(DispatchError::Refused { .. }) => None,
                Err(e) => panic!("{e:?}"),
            }
        })
        .expect("some squad takes the stop");
    assert_eq!(out.from.squad_id, from);
    assert_eq!(out.to.squad_id, to);
    assert_eq!(out.from.stops + 1, before[&from].1.len());
    assert_eq!(out.to.stops, before[&to].1.len() + 1);
    assert!(
        out.to.delta_duration_s > 0.0,
        "taking a stop costs time: {out:?}"
    );
    assert!(out.resequence_ms < 1_000.0, "{}", out.resequence_ms);

    let after = day(&t.db, date);
    for q in [from, to] {
        let (p, st) = &after[&q];
        for (k, (s, _)) in st.iter().enumerate() {
            assert_eq!(s.seq, k as i32);
        }
        for w in st.windows(2) {
            assert!(w[0].0.planned_arrival <= w[1].0.planned_arrival);
        }
        let want = if q == from { &out.from } else { &out.to };
        assert!((p.duration_s - want.duration_after_s).abs() < 1e-6);
    }
    let moved = after[&to].1.iter().find(|(s, _)| s.id == stop.id).unwrap();
    assert!(moved.0.pinned, "a coordinator's move is pinned");
    assert_eq!(moved.0.version, out.stop_version);

    // A district re-plan keeps the pinned stop with its new squad.
    plan(&t.db, &engine, date, now);
    let again = day(&t.db, date);
    assert!(again[&to].1.iter().any(|(s, _)| s.id == stop.id));

    // A stale version is a conflict with the stop as it is.
    let err = doorstep::dispatch::reassign(
        &t.db,
        Some(&roads),
        stop.id,
        from,
        stop.version,
        now,
        &settings(),
        "test",
    )
    .unwrap_err();
    match err {
        DispatchError::Conflict {
            current: Some(c), ..
        } => {
            assert_eq!(c["squad_id"], serde_json::json!(to));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_coordinators_moving_the_same_stop_one_wins() {
    let t = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let engine = seeded(&t.db, dir.path());
    let (date, now) = tomorrow();
    plan(&t.db, &engine, date, now);
    let before = day(&t.db, date);
    let (from, stop) = before
        .iter()
        .filter(|(_, (_, st))| st.len() >= 2)
        .flat_map(|(q, (_, st))| st.iter().map(move |(s, _)| (*q, s.clone())))
        .find(|(_, s)| !s.label.contains("卡口"))
        .unwrap();
    // Both drag it onto the same squad at once. (A squad that cannot take it refuses both
    // alike: then try the next one, the one with the fewest stops first.)
    let mut targets: Vec<(usize, SquadId)> = before
        .iter()
        .filter(|(q, _)| **q != from)
        .map(|(q, (_, st))| (st.len(), *q))
        .collect();
    targets.sort();
    let mut results: Vec<Result<_, DispatchError>> = Vec::new();
    for (_, to) in targets {
        results = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let (db, engine) = (&t.db, &engine);
                    let stop = stop.clone();
                    s.spawn(move || {
                        let roads = engine.roads();
                        doorstep::dispatch::reassign(
                            db,
                            Some(&roads),
                            stop.id,
                            to,
                            stop.version,
                            now,
                            &settings(),
                            "test",
                        )
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        if !results
            .iter()
            .all(|r| matches!(r, Err(DispatchError::Refused { .. })))
        {
            break;
        }
    }
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(DispatchError::Conflict { .. }))),
        "{results:?}"
    );
    let winner = results.into_iter().find_map(|r| r.ok()).unwrap();
    let after = day(&t.db, date);
    let holders: Vec<SquadId> = after
        .iter()
        .filter(|(_, (_, st))| st.iter().any(|(s, _)| s.id == stop.id))
        .map(|(q, _)| *q)
        .collect();
    assert_eq!(
        holders,
        vec![winner.to.squad_id],
        "the stop is in one place"
    );
}

#[test]
fn planning_without_a_map_is_a_clear_error() {
    let t = TestDb::new();
    let (date, now) = tomorrow();
    let err =
        doorstep::dispatch::plan_day(&t.db, None, date, now, &settings(), "test").unwrap_err();
    assert!(matches!(err, DispatchError::NoMap));
    assert!(err.to_string().contains("--osm"), "{err}");
}

#[test]
fn doorstep_plan_prints_each_squad_and_the_unserved() {
    let t = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    seeded(&t.db, dir.path());
    let (date, _) = tomorrow();
    let bin = env!("CARGO_BIN_EXE_doorstep");
    let out = std::process::Command::new(bin)
        .args(["plan", "--db", &t.url, "--osm"])
        .arg(dir.path().join("sample.osm.pbf"))
        .args(["--cache-dir"])
        .arg(dir.path().join("cache"))
        .args(["--date", &date.to_string(), "--time-limit", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("plans for {date}")), "{stdout}");
    assert!(stdout.contains("第一小分队"), "{stdout}");
    assert!(stdout.contains("stop(s) served"), "{stdout}");
    let plans = day(&t.db, date);
    assert!(!plans.is_empty());

    // Without a map it says what is missing, and stores nothing.
    let out = std::process::Command::new(bin)
        .args(["plan", "--db", &t.url, "--date", "2030-01-01"])
        .env_remove("DOORSTEP_OSM")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--osm"), "{stderr}");
}
