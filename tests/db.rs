//! The data layer on a fresh database: SQLite, or PostgreSQL with `TEST_DATABASE_URL`.

mod common;

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use common::{TestDb, sample_input};
use doorstep::db::plans::{self, PlanRow, StopRow};
use doorstep::db::requests::{self, RequestFilter};
use doorstep::db::squads::{self, SquadRow};
use doorstep::db::zones::{self, ZoneRow};
use doorstep::db::{Backend, Conn, Database, DbConfig, DbError, Timestamp, events, on_conn};
use doorstep::domain::*;
use doorstep::intake;

fn file(db: &Database, input: &intake::RequestInput) -> (requests::RequestRow, bool) {
    let valid = intake::validate(input).unwrap();
    db.write_blocking(move |c| intake::file_blocking(c, &valid, None, Source::Api, "test"))
        .unwrap()
}

#[test]
fn migrations_go_up_down_and_up_again() {
    let t = TestDb::new();
    assert!(!t.db.has_pending_migrations().unwrap());
    let reverted = t.db.revert_all().unwrap();
    assert!(!reverted.is_empty());
    assert!(t.db.has_pending_migrations().unwrap());
    // The tables are gone.
    let gone = t.db.read_blocking(|c| requests::count(c, None));
    assert!(gone.is_err());
    let mut applied = t.db.migrate().unwrap();
    applied.reverse();
    assert_eq!(
        applied, reverted,
        "reverted newest first, applied oldest first"
    );
    file(&t.db, &sample_input());
    assert_eq!(t.db.read_blocking(|c| requests::count(c, None)).unwrap(), 1);
}

#[test]
fn a_request_is_stored_with_its_event_and_found_by_id_and_token() {
    let t = TestDb::new();
    let (row, created) = file(&t.db, &sample_input());
    assert!(created);
    assert_eq!(row.status, RequestStatus::New);
    assert_eq!(row.category, Category::Medicine);
    assert_eq!(row.urgency, Urgency::Urgent);
    assert_eq!(row.version, 1);
    assert_eq!(row.item_count, 2);
    assert_eq!(row.lon, None);
    let by_id = t.db.read_blocking(|c| requests::get(c, row.id)).unwrap();
    assert_eq!(by_id, row);
    let token = row.tracking_token.clone();
    let by_token =
        t.db.read_blocking(move |c| requests::get_by_token(c, &token))
            .unwrap();
    assert_eq!(by_token.id, row.id);
    let evs =
        t.db.read_blocking(|c| events::for_entity(c, "request", row.id.0))
            .unwrap();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].action, "request.filed");
    assert_eq!(evs[0].actor, "test");
}

#[test]
fn unknown_ids_are_not_found() {
    let t = TestDb::new();
    let err =
        t.db.read_blocking(|c| requests::get(c, RequestId::generate()))
            .unwrap_err();
    assert!(matches!(err, DbError::NotFound));
}

#[test]
fn the_same_idempotency_key_files_once() {
    let t = TestDb::new();
    let mut input = sample_input();
    input.idempotency_key = Some("form-abc123".into());
    let (first, created) = file(&t.db, &input);
    assert!(created);
    let (second, created_again) = file(&t.db, &input);
    assert!(!created_again);
    assert_eq!(first.id, second.id);
    assert_eq!(t.db.read_blocking(|c| requests::count(c, None)).unwrap(), 1);
}

#[test]
fn listing_filters_and_pages_newest_first() {
    let t = TestDb::new();
    let mut ids = Vec::new();
    for i in 0..7 {
        let mut input = sample_input();
        input.category = if i % 2 == 0 { "food" } else { "medicine" }.into();
        ids.push(file(&t.db, &input).0.id);
    }
    let (page, total) =
        t.db.read_blocking(|c| requests::list(c, &RequestFilter::default(), 3, 0))
            .unwrap();
    assert_eq!(total, 7);
    assert_eq!(page.len(), 3);
    assert_eq!(page[0].id, ids[6]);
    let (rest, _) =
        t.db.read_blocking(|c| requests::list(c, &RequestFilter::default(), 10, 3))
            .unwrap();
    assert_eq!(rest.len(), 4);
    assert_eq!(rest[3].id, ids[0]);
    let food = RequestFilter {
        category: Some(Category::Food),
        ..Default::default()
    };
    let (rows, total) =
        t.db.read_blocking(move |c| requests::list(c, &food, 10, 0))
            .unwrap();
    assert_eq!(total, 4);
    assert!(rows.iter().all(|r| r.category == Category::Food));
}

#[test]
fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let t = TestDb::new();
    let (row, _) = file(&t.db, &sample_input());
    let id = row.id;
    let moved =
        t.db.write_blocking(move |c| {
            requests::set_status(c, id, 1, RequestStatus::Assigned, None, "", "coordinator")
        })
        .unwrap();
    assert_eq!(moved.version, 2);
    assert_eq!(moved.status, RequestStatus::Assigned);
    let stale = t.db.write_blocking(move |c| {
        requests::set_status(
            c,
            id,
            1,
            RequestStatus::Failed,
            Some(FailureReason::NotHome),
            "",
            "other coordinator",
        )
    });
    assert!(matches!(stale, Err(DbError::Conflict(_))), "{stale:?}");
    let now = t.db.read_blocking(move |c| requests::get(c, id)).unwrap();
    assert_eq!(now.status, RequestStatus::Assigned);
    assert_eq!(now.version, 2);
}

#[test]
fn events_are_append_only() {
    let t = TestDb::new();
    file(&t.db, &sample_input());
    let update = t.db.write_blocking(|c| {
        on_conn!(c, conn => diesel::sql_query("UPDATE events SET actor = 'forger'").execute(conn))?;
        Ok(())
    });
    assert!(update.is_err());
    let delete = t.db.write_blocking(|c| {
        on_conn!(c, conn => diesel::sql_query("DELETE FROM events").execute(conn))?;
        Ok(())
    });
    assert!(delete.is_err());
}

use diesel::RunQueryDsl;

fn squad(name: &str) -> SquadRow {
    let now = Timestamp::now();
    SquadRow {
        id: SquadId::generate(),
        name: name.into(),
        members: r#"["甲","乙","丙","丁"]"#.into(),
        contact_phone: "13800001111".into(),
        base_name: "鸿翔社区居委会".into(),
        base_lon: 126.9,
        base_lat: 45.7,
        travel_mode: TravelMode::Tricycle,
        capacity_items: 120,
        capacity_kg: None,
        skills: r#"["protective_gear"]"#.into(),
        shift_start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        shift_end: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        areas: r#"["鸿翔社区"]"#.into(),
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

#[test]
fn squads_zones_plans_and_stops_round_trip() {
    let t = TestDb::new();
    let s = squad("第一小分队");
    let s2 = s.clone();
    t.db.write_blocking(move |c| squads::insert(c, &s2))
        .unwrap();
    let dup = squad("第一小分队");
    let err = t.db.write_blocking(move |c| squads::insert(c, &dup));
    assert!(matches!(err, Err(DbError::Conflict(_))), "names are unique");
    assert_eq!(
        t.db.read_blocking(|c| squads::list(c, false)).unwrap(),
        vec![s.clone()]
    );

    let now = Timestamp::now();
    let zone = ZoneRow {
        id: ZoneId::generate(),
        name: "巴山街32号高风险区".into(),
        kind: ZoneKind::HighRisk,
        polygon: r#"{"type":"Polygon","coordinates":[[[126.9,45.7],[126.91,45.7],[126.91,45.71],[126.9,45.7]]]}"#.into(),
        checkpoint_lon: Some(126.905),
        checkpoint_lat: Some(45.7),
        notes: "卡口交接".into(),
        active_from: Some(now),
        active_until: None,
        active: true,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let z2 = zone.clone();
    t.db.write_blocking(move |c| zones::insert(c, &z2)).unwrap();
    assert_eq!(
        t.db.read_blocking(move |c| zones::get(c, zone.id)).unwrap(),
        zone
    );

    let (r1, _) = file(&t.db, &sample_input());
    let (r2, _) = file(&t.db, &sample_input());
    let date = NaiveDate::from_ymd_opt(2022, 11, 29).unwrap();
    let plan = PlanRow {
        id: PlanId::generate(),
        squad_id: s.id,
        shift_date: date,
        starts_at: now,
        ends_at: now,
        status: PlanStatus::Active,
        distance_m: 1234.5,
        duration_s: 3600.0,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let stop = |seq: i32| StopRow {
        id: StopId::generate(),
        plan_id: plan.id,
        seq,
        label: format!("鸿翔名苑{}栋", seq + 1),
        lon: 126.9,
        lat: 45.7,
        zone_id: None,
        planned_arrival: Some(now),
        service_s: 120.0,
        leg_distance_m: Some(300.0),
        leg_duration_s: Some(240.0),
        pinned: false,
        status: StopStatus::Pending,
        failure_reason: None,
        proof_note: String::new(),
        completed_at: None,
        updated_at: now,
        version: 1,
    };
    // Two households at the first stop, one at the second.
    let plan_stops = vec![(stop(0), vec![r1.id, r2.id]), (stop(1), vec![r1.id])];
    let (p2, ps2) = (plan.clone(), plan_stops.clone());
    t.db.write_blocking(move |c| plans::insert_plan(c, &p2, &ps2))
        .unwrap();
    let got =
        t.db.read_blocking(move |c| plans::for_squad(c, s.id, date))
            .unwrap();
    assert_eq!(got, vec![plan.clone()]);
    let stops =
        t.db.read_blocking(move |c| plans::stops_of(c, plan.id))
            .unwrap();
    assert_eq!(stops.len(), 2);
    assert_eq!(stops[0].0, plan_stops[0].0);
    let mut households = stops[0].1.clone();
    households.sort();
    let mut want = vec![r1.id, r2.id];
    want.sort();
    assert_eq!(households, want);
}

#[test]
fn a_plan_for_an_unknown_squad_is_refused_whole() {
    let t = TestDb::new();
    let now = Timestamp::now();
    let plan = PlanRow {
        id: PlanId::generate(),
        squad_id: SquadId::generate(),
        shift_date: NaiveDate::from_ymd_opt(2022, 11, 29).unwrap(),
        starts_at: now,
        ends_at: now,
        status: PlanStatus::Draft,
        distance_m: 0.0,
        duration_s: 0.0,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let err =
        t.db.write_blocking(move |c| plans::insert_plan(c, &plan, &[]));
    assert!(err.is_err(), "foreign keys are enforced");
}

#[test]
fn concurrent_writes_are_each_stored_once() {
    let t = TestDb::new();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let db: Arc<Database> = t.db.clone();
    let n = 300;
    let ids = rt.block_on(async move {
        let mut handles = Vec::new();
        for i in 0..n {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                let mut input = sample_input();
                input.idempotency_key = Some(format!("k{}", i % 250));
                let valid = intake::validate(&input).unwrap();
                db.write(move |c| intake::file_blocking(c, &valid, None, Source::Api, "t"))
                    .await
                    .unwrap()
                    .0
                    .id
            }));
        }
        let mut ids = Vec::new();
        for h in handles {
            ids.push(h.await.unwrap());
        }
        ids
    });
    assert_eq!(ids.len(), n);
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(
        distinct.len(),
        250,
        "50 repeats of a key got the first request"
    );
    assert_eq!(
        t.db.read_blocking(|c| requests::count(c, None)).unwrap(),
        250
    );
}

#[test]
fn a_failing_write_in_a_group_commit_does_not_undo_the_others() {
    let t = TestDb::sqlite();
    let db = t.db.clone();
    let good = db
        .write_blocking(|c| {
            let valid = intake::validate(&sample_input()).unwrap();
            intake::file_blocking(c, &valid, None, Source::Api, "t")
        })
        .unwrap();
    // A write that fails inside its savepoint, then one that succeeds.
    let bad = db.write_blocking(|c: &mut Conn<'_>| {
        on_conn!(c, conn => diesel::sql_query("INSERT INTO squads (id) VALUES ('x')").execute(conn))?;
        Ok(())
    });
    assert!(bad.is_err());
    assert!(
        db.read_blocking(move |c| requests::get(c, good.0.id))
            .is_ok()
    );
}

#[test]
fn sqlite_runs_in_wal_with_foreign_keys() {
    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Fk {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        foreign_keys: i32,
    }
    let t = TestDb::sqlite();
    assert_eq!(t.backend(), Backend::Sqlite);
    let (mode, fk) =
        t.db.read_blocking(|c| {
            let Conn::Sqlite(conn) = c else {
                unreachable!()
            };
            let m: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(*conn)?;
            let f: Fk = diesel::sql_query("PRAGMA foreign_keys").get_result(*conn)?;
            Ok((m.journal_mode, f.foreign_keys))
        })
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
}

#[test]
fn a_bad_url_is_a_clear_error() {
    let err = Database::open(&DbConfig::new("mysql://localhost/x"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("unsupported database URL"));
    let err = Database::open(&DbConfig::new("/no/such/dir/x.db"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn a_panicking_write_does_not_stop_the_writer() {
    let t = TestDb::sqlite();
    let panicked =
        t.db.write_blocking(|_c| -> Result<(), DbError> { panic!("a bug in a write") });
    assert!(
        matches!(panicked, Err(DbError::Unavailable(_))),
        "{panicked:?}"
    );
    let (row, created) = file(&t.db, &sample_input());
    assert!(created);
    assert!(
        t.db.read_blocking(move |c| requests::get(c, row.id))
            .is_ok()
    );
}
