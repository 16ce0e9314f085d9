//! Import benchmark: `osm::import` of harbin.osm.pbf (bar: under one second, release build)
//! against two baselines measured in the same run:
//!
//! - `decode only`: osmpbf's own `par_map_reduce` counting elements — the floor any importer
//!   built on osmpbf pays;
//! - `naive`: one sequential pass that keeps every node's coordinates in a `HashMap` and
//!   collects highway ways — what an importer without passes does (unbounded memory).
//!
//! Run: `cargo bench --bench import` (prints median and min over the runs).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use doorstep::osm::{ImportOptions, import};
use osmpbf::{Element, ElementReader};

const RUNS: usize = 7;

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    times.sort();
    let Some(out) = last else {
        unreachable!("RUNS > 0")
    };
    (times[RUNS / 2], times[0], out)
}

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/osm/harbin.osm.pbf");
    if !path.exists() {
        println!("skipped: {} not present", path.display());
        return;
    }
    println!(
        "import of {} ({} runs each, {} threads)",
        path.display(),
        RUNS,
        rayon::current_num_threads()
    );

    let (med, min, n) = time(|| {
        ElementReader::from_path(&path)
            .and_then(|r| r.par_map_reduce(|_| 1_u64, || 0, |a, b| a + b))
            .unwrap_or(0)
    });
    println!(
        "baseline decode only (osmpbf par_map_reduce)  median {:>7.1} ms  min {:>7.1} ms  ({n} elements)",
        ms(med),
        ms(min)
    );

    let (med, min, roads) = time(|| naive_roads(&path));
    println!(
        "baseline naive single pass, all nodes in map  median {:>7.1} ms  min {:>7.1} ms  ({roads} roads only)",
        ms(med),
        ms(min)
    );

    let (med, min, map) = time(|| import(&path, &ImportOptions::default()));
    match map {
        Ok(m) => println!(
            "doorstep osm::import (everything)             median {:>7.1} ms  min {:>7.1} ms  ({} roads, {} areas, {} buildings, {} pois)   bar < 1000 ms: {}",
            ms(med),
            ms(min),
            m.roads.len(),
            m.areas.len(),
            m.buildings.len(),
            m.pois.len(),
            if med < Duration::from_secs(1) {
                "met"
            } else {
                "NOT met"
            }
        ),
        Err(e) => println!("doorstep osm::import failed: {e}"),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn naive_roads(path: &Path) -> usize {
    let mut nodes: HashMap<i64, (f64, f64)> = HashMap::new();
    let mut roads: Vec<Vec<(f64, f64)>> = Vec::new();
    let Ok(reader) = ElementReader::from_path(path) else {
        return 0;
    };
    let _ = reader.for_each(|e| match e {
        Element::DenseNode(n) => {
            nodes.insert(n.id(), (n.lon(), n.lat()));
        }
        Element::Node(n) => {
            nodes.insert(n.id(), (n.lon(), n.lat()));
        }
        Element::Way(w) => {
            if w.tags().any(|(k, _)| k == "highway") {
                roads.push(w.refs().filter_map(|r| nodes.get(&r).copied()).collect());
            }
        }
        Element::Relation(_) => {}
    });
    roads.len()
}
