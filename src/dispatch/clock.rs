//! The planning day's clock: times are seconds from midnight of the day in the configured
//! offset; stored instants are truncated to microseconds like every other timestamp.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};

use crate::db::Timestamp;

use super::DispatchSettings;

pub(crate) fn at(origin: DateTime<Utc>, s: f64) -> Timestamp {
    let t = origin + chrono::Duration::microseconds((s * 1e6).round() as i64);
    Timestamp(DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t))
}

/// Midnight of `date` in the settings' offset.
pub(crate) fn origin_of(date: NaiveDate, settings: &DispatchSettings) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::MIN);
    match settings.utc_offset.from_local_datetime(&local).single() {
        Some(t) => t.with_timezone(&Utc),
        // A fixed offset maps every local time to exactly one instant.
        None => local.and_utc(),
    }
}

pub(crate) fn secs_of_day(t: NaiveTime) -> f64 {
    f64::from(t.num_seconds_from_midnight())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_starts_at_local_midnight() {
        let s = DispatchSettings::default();
        let d = NaiveDate::from_ymd_opt(2022, 11, 29).unwrap();
        let o = origin_of(d, &s);
        assert_eq!(o.to_rfc3339(), "2022-11-28T16:00:00+00:00");
        assert_eq!(at(o, 3600.0).0.to_rfc3339(), "2022-11-28T17:00:00+00:00");
    }
}
