//! Dispatch through the service, on the bundled sample district in a fresh SQLite file:
//! moving a stop between squads end to end (read both plans, price travel on the road graph,
//! re-sequence both squads, write with the version checks) against the baseline a
//! coordinator would otherwise use, re-planning the whole district.
//!
//! `cargo bench --bench dispatch` (env `DOORSTEP_MOVES`: moves to time, default 40). Prints one
//! JSON line per case: median and 95th percentile of the move in total and of its re-sequence.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use doorstep::db::{Database, DbConfig};
use doorstep::dispatch::{DispatchError, DispatchSettings};
use doorstep::engine::{EngineOptions, MapEngine};

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let moves: usize = std::env::var("DOORSTEP_MOVES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Arc::new(
        Database::open(&DbConfig::new(
            dir.path().join("bench.db").display().to_string(),
        ))
        .expect("open"),
    );
    db.migrate().expect("migrate");
    let pbf = dir.path().join("sample.osm.pbf");
    std::fs::write(&pbf, doorstep::sample::EMBEDDED_PBF).expect("write map");
    let seed = doorstep::sample::embedded_seed().expect("seed");
    let mut engine = None;
    doorstep::service::demo::load_seed_located(&db, &seed, || {
        let e = Arc::new(MapEngine::open_with_db(&EngineOptions::new(&pbf), &db)?);
        engine = Some(e.clone());
        Ok(Some(e as Arc<dyn doorstep::intake::Locator>))
    })
    .expect("seed");
    let engine = engine.expect("engine");
    let roads = engine.roads();
    let settings = DispatchSettings {
        time_limit_s: 2.0,
        ..Default::default()
    };
    let date = Utc::now().with_timezone(&settings.utc_offset).date_naive() + Duration::days(1);
    let now = date
        .and_hms_opt(7, 0, 0)
        .and_then(|t| t.and_local_timezone(settings.utc_offset).single())
        .expect("07:00")
        .with_timezone(&Utc);

    // Baseline: the district re-planned, at the budget the board uses.
    let t = Instant::now();
    let report =
        doorstep::dispatch::plan_day(&db, Some(&roads), date, now, &settings, "bench").unwrap();
    let plan_s = t.elapsed().as_secs_f64();
    println!(
        "{{\"case\":\"district_plan\",\"seconds\":{plan_s:.3},\"served_stops\":{},\"unserved_stops\":{}}}",
        report.served_stops,
        report.unserved.len()
    );

    // Moves: a building stop goes back and forth between two squads.
    let (mut total_ms, mut reseq_ms) = (Vec::new(), Vec::new());
    let mut refused = 0;
    let squads: Vec<_> = report
        .squads
        .iter()
        .filter(|s| s.plan_id.is_some())
        .map(|s| s.squad_id)
        .collect();
    for k in 0..moves {
        let day = db
            .read_blocking(|c| {
                let mut out = Vec::new();
                for p in doorstep::db::plans::for_date(c, date)? {
                    if p.status != doorstep::domain::PlanStatus::Cancelled {
                        for (s, _) in doorstep::db::plans::stops_of(c, p.id)? {
                            out.push((p.squad_id, s));
                        }
                    }
                }
                Ok(out)
            })
            .expect("read");
        let Some((from, stop)) = day
            .iter()
            .filter(|(_, s)| !s.label.contains("卡口"))
            .nth(k % day.len().max(1))
            .cloned()
        else {
            break;
        };
        let Some(&to) = squads.iter().find(|&&q| q != from) else {
            break;
        };
        let t = Instant::now();
        match doorstep::dispatch::reassign(
            &db,
            Some(&roads),
            stop.id,
            to,
            stop.version,
            now,
            &settings,
            "bench",
        ) {
            Ok(out) => {
                total_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                reseq_ms.push(out.resequence_ms);
            }
            Err(DispatchError::Refused { .. }) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    if total_ms.is_empty() {
        println!("{{\"case\":\"reassign\",\"moves\":0,\"refused\":{refused}}}");
        return;
    }
    println!(
        "{{\"case\":\"reassign\",\"moves\":{},\"refused\":{refused},\"total_ms_median\":{:.1},\"total_ms_p95\":{:.1},\"resequence_ms_median\":{:.1},\"resequence_ms_p95\":{:.1},\"vs_district_plan\":{:.1}}}",
        total_ms.len(),
        percentile(&mut total_ms.clone(), 0.5),
        percentile(&mut total_ms, 0.95),
        percentile(&mut reseq_ms.clone(), 0.5),
        percentile(&mut reseq_ms, 0.95),
        plan_s * 1000.0 / percentile(&mut total_ms.clone(), 0.5),
    );
}
