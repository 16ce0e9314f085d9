//! The load driver of the reliability tests: numbered submissions (JSON API, and one in eight
//! through the HTML form) from concurrent clients, each remembering which were acknowledged.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{Client, percentile_ms};

/// What a run saw.
#[derive(Default)]
pub struct LoadResult {
    /// Markers of the submissions the server acknowledged (201/200, or 303 from the form).
    pub acked: Vec<String>,
    /// Submissions with no acknowledgement (connection lost, server killed).
    pub unacked: Vec<usize>,
    /// Refusals by status (a run without rate limit should have none).
    pub refused: HashMap<u16, usize>,
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl LoadResult {
    pub fn summary(&self, what: &str, sent: usize) -> String {
        let mut l = self.latencies.clone();
        l.sort();
        format!(
            "{what}: {sent} sent, {} acknowledged, {} unanswered, refused {:?}; {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms",
            self.acked.len(),
            self.unacked.len(),
            self.refused,
            self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9),
            percentile_ms(&l, 50.0),
            percentile_ms(&l, 99.0),
        )
    }
}

/// The marker of submission `i` of run `run`: stored in `notes`, used as idempotency key.
pub fn marker(run: &str, i: usize) -> String {
    format!("{run}-{i:05}")
}

/// Sends submission `i` once; `Ok(true)` when acknowledged, `Ok(false)` when refused with
/// the status recorded, `Err` when the connection failed.
pub fn submit(c: &mut Client, run: &str, i: usize) -> std::io::Result<Result<(), u16>> {
    let m = marker(run, i);
    let answer = if i % 8 == 7 {
        let form = serde_urlencoded::to_string([
            ("idempotency_key", m.as_str()),
            ("resident_name", "负载测试"),
            ("phone", "139 4567 8901"),
            ("household_size", "2"),
            ("address", "鸿翔名苑3栋2单元501"),
            ("category", "food"),
            ("item_name_0", "大米"),
            ("item_quantity_0", "1"),
            ("urgency", "normal"),
            ("filed_by", "resident"),
            ("notes", m.as_str()),
        ])
        .map_err(std::io::Error::other)?;
        c.request(
            "POST",
            "/requests",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )?
    } else {
        c.post_json(
            "/api/v1/requests",
            &[("Idempotency-Key", &m)],
            &serde_json::json!({
                "resident_name": "负载测试",
                "phone": "13945678901",
                "address": "鸿翔名苑3栋2单元501",
                "household_size": 2,
                "category": "food",
                "items": [{ "name": "大米", "quantity": 1 }],
                "notes": m,
            }),
        )?
    };
    Ok(match answer.status {
        200 | 201 | 303 => Ok(()),
        s => Err(s),
    })
}

/// Runs `work[t]` (submission numbers with the port to send each to) on one thread per
/// client. A client whose connection fails reconnects once; if that fails too (the server is
/// gone) the rest of its work stays unanswered.
pub fn run(run_id: &str, work: Vec<Vec<(usize, u16)>>, progress: &AtomicUsize) -> LoadResult {
    let out = Mutex::new(LoadResult::default());
    let started = Instant::now();
    std::thread::scope(|s| {
        for list in &work {
            let out = &out;
            s.spawn(move || {
                let mut mine = LoadResult::default();
                let mut conns: HashMap<u16, Client> = HashMap::new();
                let mut dead = false;
                for &(i, port) in list {
                    if dead {
                        mine.unacked.push(i);
                        continue;
                    }
                    let t0 = Instant::now();
                    let mut outcome = None;
                    for _attempt in 0..2 {
                        let c = match conns.get_mut(&port) {
                            Some(c) => c,
                            None => match Client::connect(port) {
                                Ok(c) => conns.entry(port).or_insert(c),
                                Err(_) => break,
                            },
                        };
                        match submit(c, run_id, i) {
                            Ok(r) => {
                                outcome = Some(r);
                                break;
                            }
                            Err(_) => {
                                conns.remove(&port);
                            }
                        }
                    }
                    match outcome {
                        Some(Ok(())) => {
                            mine.latencies.push(t0.elapsed());
                            mine.acked.push(marker(run_id, i));
                            progress.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(Err(status)) => {
                            mine.latencies.push(t0.elapsed());
                            *mine.refused.entry(status).or_default() += 1;
                        }
                        None => {
                            mine.unacked.push(i);
                            dead = true;
                        }
                    }
                }
                let mut o = out.lock().unwrap();
                o.acked.extend(mine.acked);
                o.unacked.extend(mine.unacked);
                o.latencies.extend(mine.latencies);
                for (k, v) in mine.refused {
                    *o.refused.entry(k).or_default() += v;
                }
            });
        }
    });
    let mut r = out.into_inner().unwrap();
    r.elapsed = started.elapsed();
    r
}

/// `total` submissions over `clients` threads, all to `port`.
pub fn spread(total: usize, clients: usize, port: u16) -> Vec<Vec<(usize, u16)>> {
    let mut work = vec![Vec::new(); clients];
    for i in 0..total {
        work[i % clients].push((i, port));
    }
    work
}

/// Every marker of `acked` stored exactly once, and nothing stored that was not sent.
pub fn check_exactly_once(stored: &[String], acked: &[String], run: &str, sent: usize) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in stored.iter().filter(|m| m.starts_with(&format!("{run}-"))) {
        *counts.entry(m.as_str()).or_default() += 1;
    }
    let dup: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dup.is_empty(), "stored more than once: {dup:?}");
    let lost: Vec<_> = acked
        .iter()
        .filter(|m| !counts.contains_key(m.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged but not stored, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    assert!(counts.len() <= sent, "more stored than sent");
}
