//! `doorstep plan`: produce the day's plans from the command line — open the database and the
//! district's map (from its caches when current), plan every active squad, print a summary per
//! squad and the requests left unserved with the reason.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{FixedOffset, NaiveDate, Utc};

use super::{DbSettings, ServiceError};
use crate::dispatch::{DayReport, DispatchSettings};

/// What `doorstep plan` was asked.
#[derive(Clone, Debug)]
pub struct PlanCommand {
    pub db: DbSettings,
    /// The district's extract; without it there are no travel times (a clear error).
    pub osm: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    /// The day to plan; today in `utc_offset` when absent.
    pub date: Option<NaiveDate>,
    /// Search budget, seconds.
    pub time_limit_s: f64,
    pub utc_offset: FixedOffset,
    /// Service times, deadlines and the area rule (time limit and offset are set from above).
    pub settings: DispatchSettings,
}

/// Runs the command; returns the printout.
pub fn run(cmd: &PlanCommand) -> Result<String, ServiceError> {
    if !(cmd.time_limit_s.is_finite() && (0.0..=3600.0).contains(&cmd.time_limit_s)) {
        return Err(ServiceError::Setting {
            name: "--time-limit",
            message: format!("{} is not a number of seconds in 0–3600", cmd.time_limit_s),
        });
    }
    cmd.settings
        .validate()
        .map_err(|message| ServiceError::Setting {
            name: "dispatch",
            message,
        })?;
    let osm = cmd.osm.as_deref().ok_or_else(|| ServiceError::Setting {
        name: "--osm",
        message:
            "planning needs the district's map: give the .osm.pbf extract (or set DOORSTEP_OSM)"
                .into(),
    })?;
    let db = super::open_and_migrate(&cmd.db, std::time::Duration::ZERO)?;
    let started = Instant::now();
    let cache = cmd
        .cache_dir
        .clone()
        .unwrap_or_else(|| super::cache_dir_for(&cmd.db.url));
    let engine = super::start_engine(&db, osm, cache, crate::engine::REVIEW_BELOW_DEFAULT)?;
    let map_s = started.elapsed().as_secs_f64();
    let now = Utc::now();
    let date = cmd
        .date
        .unwrap_or_else(|| now.with_timezone(&cmd.utc_offset).date_naive());
    let settings = DispatchSettings {
        time_limit_s: cmd.time_limit_s,
        utc_offset: cmd.utc_offset,
        ..cmd.settings.clone()
    };
    let t = Instant::now();
    let roads = engine.roads();
    let report = crate::dispatch::plan_day(&db, Some(&roads), date, now, &settings, "cli:plan")?;
    Ok(render(
        &report,
        cmd.utc_offset,
        osm,
        map_s,
        t.elapsed().as_secs_f64(),
    ))
}

fn fmt_time(t: Option<chrono::DateTime<Utc>>, offset: FixedOffset) -> String {
    t.map(|t| t.with_timezone(&offset).format("%H:%M").to_string())
        .unwrap_or_else(|| "--:--".into())
}

/// The printout: one line per squad, then the unserved with reasons.
pub fn render(
    report: &DayReport,
    offset: FixedOffset,
    osm: &Path,
    map_s: f64,
    plan_s: f64,
) -> String {
    let mut s = format!(
        "plans for {} (map {} loaded in {map_s:.1} s, planned in {plan_s:.1} s, {} iterations)\n\n",
        report.date,
        osm.display(),
        report.iterations
    );
    s.push_str(&format!(
        "  {:<16} {:>5} {:>8} {:>9} {:>8}  {}\n",
        "squad", "stops", "requests", "distance", "time", "out – back"
    ));
    let mut requests = 0;
    for q in &report.squads {
        requests += q.requests;
        s.push_str(&format!(
            "  {:<16} {:>5} {:>8} {:>7.1}km {:>5}min  {} – {}\n",
            q.name,
            q.stops,
            q.requests,
            q.distance_m / 1000.0,
            (q.duration_s / 60.0).round(),
            fmt_time(q.starts_at, offset),
            fmt_time(q.ends_at, offset),
        ));
    }
    let unserved_requests: usize = report.unserved.iter().map(|u| u.requests.len()).sum();
    s.push_str(&format!(
        "\n{} stop(s) served ({} request(s)), {} served after the deadline; {} stop(s) unserved ({} request(s))\n",
        report.served_stops,
        requests,
        report.missed_deadlines,
        report.unserved.len(),
        unserved_requests
    ));
    for u in &report.unserved {
        s.push_str(&format!(
            "  unserved: {} ({} request(s)): {} [{}]\n",
            u.label,
            u.requests.len(),
            crate::i18n::unserved_reason(crate::i18n::Lang::En, u.reason),
            u.reason
        ));
    }
    s
}
