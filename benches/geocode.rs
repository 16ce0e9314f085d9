//! Geocoder benchmark and evaluation on the held-out split (names never looked at while
//! tuning), seeds 7–16: hit rates per kind for doorstep next to the exact-name baseline,
//! the bars, latency per query in-process, index build time, and autocomplete latency.
//!
//! Run: `cargo bench --bench geocode` (release). Needs `../shared/data/osm`; says "skipped"
//! without it.

use std::path::Path;
use std::time::Instant;

use doorstep::geocode::Geocoder;
use doorstep::geocode::eval::{self, Baseline, Score, Split};
use rustc_hash::FxHashMap;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/osm");
    if !data.join("nangang.osm.pbf").exists() {
        println!("skipped: {} not present", data.display());
        return;
    }
    // Each seed holds out its own tenth of Baltimore's numbers; ten seeds give a few hundred.
    let seeds = [7_u64, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    let sets = match eval::standard_sets(&data, &seeds, Split::Holdout, 100) {
        Ok(s) => s,
        Err(e) => {
            println!("could not read the extracts: {e}");
            return;
        }
    };
    let mut cases = Vec::new();
    let mut answers = FxHashMap::default();
    let mut base_answers = FxHashMap::default();
    let mut lat_ns: Vec<u64> = Vec::new();
    let mut base_ns: Vec<u64> = Vec::new();
    let mut suggest_ns: Vec<u64> = Vec::new();
    for set in &sets {
        let t = Instant::now();
        let g = Geocoder::build(&set.map);
        let build_ms = t.elapsed().as_secs_f64() * 1e3;
        let b = Baseline::build(&set.map);
        // Warm up (first touches of the tables), then time each query.
        for c in set.cases.iter().take(50) {
            let _ = g.geocode(&c.query);
        }
        for c in &set.cases {
            let t = Instant::now();
            let a = g.geocode(&c.query);
            lat_ns.push(t.elapsed().as_nanos() as u64);
            answers.insert(
                c.id.clone(),
                a.best.map(|x| geo::Coord { x: x.lon, y: x.lat }),
            );
            let t = Instant::now();
            let bp = b.geocode(&c.query);
            base_ns.push(t.elapsed().as_nanos() as u64);
            base_answers.insert(c.id.clone(), bp);
            // Autocomplete on the first few characters of each query, as typed.
            let prefix: String = c.query.chars().take(2).collect();
            let t = Instant::now();
            let _ = g.suggest(&prefix, 10);
            suggest_ns.push(t.elapsed().as_nanos() as u64);
        }
        let (entities, streets, numbers) = g.stats();
        println!(
            "{}: {} cases; index built in {build_ms:.1} ms ({entities} entities, {streets} streets, {numbers} numbered points)",
            set.name,
            set.cases.len()
        );
        cases.extend(set.cases.iter().cloned());
    }
    let g = Score::of(&cases, &answers);
    let b = Score::of(&cases, &base_answers);
    println!("\nheld-out split, seeds {seeds:?}\n");
    println!("{}", eval::report(&cases, &g, &b));
    let med = |v: &mut Vec<u64>| {
        v.sort_unstable();
        (
            v[v.len() / 2] as f64 / 1e6,
            v[v.len() * 99 / 100] as f64 / 1e6,
        )
    };
    let (m, p99) = med(&mut lat_ns);
    let (bm, bp99) = med(&mut base_ns);
    let (sm, sp99) = med(&mut suggest_ns);
    println!(
        "latency per query: doorstep median {m:.4} ms (p99 {p99:.4} ms), baseline median {bm:.4} ms (p99 {bp99:.4} ms); bar median ≤ 0.2 ms: {}",
        if m <= 0.2 { "met" } else { "NOT met" }
    );
    println!("autocomplete (2-character prefix, top 10): median {sm:.4} ms (p99 {sp99:.4} ms)");
}
