//! Road-network benchmark on the real Harbin extract (issue 4's bar), with the baselines
//! measured in the same run: plain Dijkstra, `fast_paths`' own query, point-to-point queries
//! instead of the bucket matrix, one thread instead of two, full preparation instead of the
//! node-order reuse after a zone change.
//!
//! `cargo bench --bench road` (release). Skips, saying so, when `../shared/data` is absent.
//! Random points use a fixed seed, uniform in lon 126.60–126.70, lat 45.72–45.78.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use doorstep::osm::{ImportOptions, import};
use doorstep::road::{ChCache, Located, RoadConfig, RoadNetwork, TravelMode};
use doorstep::zone::{ActivePeriod, Zone, ZoneId, ZoneIndex, ZoneKind, parse_geojson_polygon};
use geo::Point;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

const PBF: &str = "../shared/data/osm/harbin.osm.pbf";
const SEED: u64 = 20_221_129;

fn main() {
    if !Path::new(PBF).exists() {
        println!("road bench: skipped, {PBF} not found");
        return;
    }
    println!(
        "# road network benchmark (release, {} threads)\n",
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let map = import(Path::new(PBF), &ImportOptions::default()).expect("import harbin");
    println!(
        "import: {} roads, {} barriers in {:.2} s (not part of the bar)\n",
        map.roads.len(),
        map.barriers.len(),
        t.elapsed().as_secs_f64()
    );

    // Preparation, one mode at a time on one thread: the per-mode figure of the bar.
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    let t = Instant::now();
    let net = one_thread
        .install(|| {
            RoadNetwork::build(
                &map,
                RoadConfig::default(),
                ZoneIndex::default(),
                Utc::now(),
                None,
            )
        })
        .expect("build");
    let sequential_s = t.elapsed().as_secs_f64();
    println!(
        "## preparation (modes one after another, 1 thread; bar ≤ 5 s per mode; OSRM foot 24.5 s, car 9.8 s)\n"
    );
    println!(
        "| mode | nodes | edges | CH arcs | shortcuts | largest SCC (nodes / length) | prepare s |"
    );
    println!("|---|---|---|---|---|---|---|");
    for mode in TravelMode::ALL {
        let m = net.mode(mode);
        let c = m.connectivity();
        println!(
            "| {mode} | {} | {} | {} | {} | {:.1} % / {:.1} % | {:.2} |",
            c.nodes,
            c.edges,
            m.preparation.arcs,
            m.preparation.shortcuts,
            c.largest_share_nodes * 100.0,
            c.largest_share_length * 100.0,
            m.preparation.seconds
        );
    }
    println!(
        "\nwhole build, 3 modes sequential (graph + snap index + overlay + CH): {sequential_s:.2} s"
    );
    let t = Instant::now();
    let _parallel = RoadNetwork::build(
        &map,
        RoadConfig::default(),
        ZoneIndex::default(),
        Utc::now(),
        None,
    )
    .expect("build");
    println!(
        "whole build, 3 modes in parallel on {} threads: {:.2} s",
        rayon::current_num_threads(),
        t.elapsed().as_secs_f64()
    );
    drop(_parallel);

    // Cache: a restart reads instead of preparing.
    let dir = std::env::temp_dir().join(format!("doorstep-road-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cached = |label: &str| {
        let t = Instant::now();
        let n = RoadNetwork::build(
            &map,
            RoadConfig::default(),
            ZoneIndex::default(),
            Utc::now(),
            Some(ChCache::open(&dir).expect("cache dir")),
        )
        .expect("build");
        let how: Vec<String> = TravelMode::ALL
            .iter()
            .map(|&m| {
                let p = &n.mode(m).preparation;
                format!("{m} {:?} {:.3} s", p.how, p.seconds)
            })
            .collect();
        println!(
            "{label}: whole build {:.2} s ({})",
            t.elapsed().as_secs_f64(),
            how.join(", ")
        );
    };
    cached("cold cache (prepare + write)");
    cached("warm cache (restart)");
    let _ = std::fs::remove_dir_all(&dir);

    println!("\n## memory\n");
    println!("| mode | graph MB | snap index MB | overlay MB | hierarchy MB | total MB |");
    println!("|---|---|---|---|---|---|");
    for mode in TravelMode::ALL {
        let r = net.mode(mode).memory();
        let mb = |b: usize| b as f64 / 1_048_576.0;
        println!(
            "| {mode} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            mb(r.graph_bytes),
            mb(r.snap_index_bytes),
            mb(r.overlay_bytes),
            mb(r.hierarchy_bytes),
            mb(r.total_bytes())
        );
    }
    println!("process: {}", rss());

    let mut rng = StdRng::seed_from_u64(SEED);
    let points: Vec<Point<f64>> = (0..2_000)
        .map(|_| {
            Point::new(
                rng.random_range(126.60..126.70),
                rng.random_range(45.72..45.78),
            )
        })
        .collect();

    println!("\n## snapping (2,000 random points)\n");
    let mut located_by_mode = Vec::new();
    for mode in TravelMode::ALL {
        let mut times = Vec::new();
        let mut located = Vec::new();
        let mut failed = 0;
        for &p in &points {
            let t = Instant::now();
            let r = net.locate(mode, p);
            times.push(t.elapsed());
            match r {
                Ok(l) => located.push(l),
                Err(_) => failed += 1,
            }
        }
        let d: Vec<f64> = located
            .iter()
            .map(|l| l.waypoint().snap.distance_m)
            .collect();
        println!(
            "{mode}: p50 {:.1} µs per point, {} failed; distance to road p50 {:.0} m, max {:.0} m",
            pct(&mut times, 50),
            failed,
            median_f(&d),
            d.iter().cloned().fold(0.0, f64::max)
        );
        located_by_mode.push((mode, located));
    }

    println!("\n## one shortest path (10,000 random pairs; bar p50 ≤ 50 µs; OSRM foot 290 µs)\n");
    println!(
        "| mode | CH query p50 µs | p90 µs | route with geometry + directions p50 µs | fast_paths query p50 µs | Dijkstra p50 µs | Dijkstra / CH (p50) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (mode, located) in &located_by_mode {
        let pairs: Vec<(usize, usize)> = (0..10_000)
            .map(|_| {
                (
                    rng.random_range(0..located.len()),
                    rng.random_range(0..located.len()),
                )
            })
            .collect();
        let mut ch_t = Vec::new();
        let mut route_t = Vec::new();
        let mut fp_t = Vec::new();
        let mut dj_t = Vec::new();
        let mut mismatches = 0;
        let mut fp = net.fast_paths_baseline(*mode);
        for &(i, j) in &pairs {
            let (a, b) = (&located[i], &located[j]);
            let t = Instant::now();
            let c = net.cost(a, b).expect("cost");
            ch_t.push(t.elapsed());
            let t = Instant::now();
            let _ = net.route_located(a, b);
            route_t.push(t.elapsed());
            let t = Instant::now();
            let f = fp.through_route_ms(a, b).expect("fast_paths");
            fp_t.push(t.elapsed());
            let t = Instant::now();
            let d = net.cost_dijkstra(a, b).expect("dijkstra");
            dj_t.push(t.elapsed());
            let own = net
                .through_route(a, b)
                .expect("through")
                .map(|c| c.duration_ms);
            if c != d || own != f {
                mismatches += 1;
            }
        }
        let (ch50, dj50) = (pct(&mut ch_t, 50), pct(&mut dj_t, 50));
        println!(
            "| {mode} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.0}× |",
            ch50,
            pct(&mut ch_t, 90),
            pct(&mut route_t, 50),
            pct(&mut fp_t, 50),
            dj50,
            dj50 / ch50
        );
        assert_eq!(
            mismatches, 0,
            "{mode}: CH and Dijkstra (or fast_paths) disagree"
        );
    }

    println!(
        "\n## matrices (bar: foot 100×100 ≤ 15 ms, 1,000×1,000 ≤ 300 ms; OSRM foot 31 ms / 630 ms, car 23 / 393 ms, one thread)\n"
    );
    println!(
        "| mode | size | buckets, 2 threads ms | buckets, 1 thread ms | CH point-to-point, 2 threads ms | fast_paths point-to-point, 1 thread ms | Dijkstra, 2 threads ms | Dijkstra / buckets |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (mode, located) in &located_by_mode {
        for n in [100usize, 1_000] {
            let pts = &located[..n.min(located.len())];
            let reps = if n == 100 { 21 } else { 5 };
            let bucket2 = time_median(reps, || {
                net.matrix_located(pts, pts).expect("matrix");
            });
            let bucket1 = time_median(reps, || {
                one_thread.install(|| net.matrix_located(pts, pts).expect("matrix"));
            });
            // Point-to-point alternatives: full size for 100, a 100-row slice scaled ×10 for 1,000.
            let rows = 100.min(pts.len());
            let scale = pts.len() as f64 / rows as f64;
            let p2p = time_once(|| {
                use rayon::prelude::*;
                pts[..rows].par_iter().for_each(|a| {
                    for b in pts {
                        let _ = net.cost(a, b);
                    }
                });
            }) * scale;
            let mut fp = net.fast_paths_baseline(*mode);
            let fp_ms = time_once(|| {
                for a in &pts[..rows] {
                    for b in pts {
                        let _ = fp.through_route_ms(a, b);
                    }
                }
            }) * scale;
            let mut dj = None;
            let dj_ms = time_once(|| dj = Some(net.matrix_dijkstra(pts, pts).expect("dijkstra")));
            let m = net.matrix_located(pts, pts).expect("matrix");
            assert!(
                m == dj.expect("dijkstra ran"),
                "{mode} {n}×{n}: bucket matrix differs from Dijkstra"
            );
            let slice = if scale > 1.0 { " (100 rows ×10)" } else { "" };
            println!(
                "| {mode} | {n}×{n} | {bucket2:.1} | {bucket1:.1} | {p2p:.0}{slice} | {fp_ms:.0}{slice} | {dj_ms:.0} | {:.0}× |",
                dj_ms / bucket2
            );
        }
    }
    println!("\n(every matrix above was checked cell by cell against the Dijkstra matrix: equal)");

    println!("\n## private compound roads on foot (OSRM's foot profile drops access=private)\n");
    let mut osrm_like = RoadConfig::default();
    osrm_like.foot.private_roads = Some(doorstep::road::PrivateRoads::Excluded);
    let without =
        RoadNetwork::build(&map, osrm_like, ZoneIndex::default(), Utc::now(), None).expect("build");
    for road in map
        .roads
        .iter()
        .filter(|r| r.tags.is("access", "private") && r.coords.len() >= 2)
    {
        let (a, b) = (road.coords[0], road.coords[road.coords.len() - 1]);
        let walk = |n: &RoadNetwork| {
            n.route(TravelMode::Foot, Point::from(a), Point::from(b))
                .map(|r| format!("{:.0} m", r.distance_m))
                .unwrap_or_else(|e| e.to_string())
        };
        println!(
            "way {} ({}): end to end on foot {} through the compound; {} without private roads (as OSRM)",
            road.id.0,
            road.names.name.as_deref().unwrap_or("unnamed"),
            walk(&net),
            walk(&without)
        );
    }

    println!("\n## zone change (巴山街32号 sealed as a high-risk zone)\n");
    let zone = bashan_32();
    let zones = ZoneIndex::new(vec![zone]);
    let (zoned, update) = net.rezone(zones.clone(), Utc::now()).expect("rezone");
    let full = one_thread
        .install(|| {
            RoadNetwork::build(&map, RoadConfig::default(), zones.clone(), Utc::now(), None)
        })
        .expect("build");
    println!(
        "| mode | closed edges | re-prepare with node order s | full preparation s | query p50 after, µs |"
    );
    println!("|---|---|---|---|---|");
    for u in &update.modes {
        let with_order = u.prepared.as_ref().map_or(0.0, |p| p.seconds);
        let full_s = full.mode(u.mode).preparation.seconds;
        let located: Vec<Located> = points[..500]
            .iter()
            .filter_map(|&p| zoned.locate(u.mode, p).ok())
            .collect();
        let mut times = Vec::new();
        for k in 0..2_000 {
            let (a, b) = (
                &located[k % located.len()],
                &located[(k * 7 + 3) % located.len()],
            );
            let t = Instant::now();
            let _ = zoned.cost(a, b);
            times.push(t.elapsed());
        }
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.1} |",
            u.mode,
            u.blocked_edges,
            with_order,
            full_s,
            pct(&mut times, 50)
        );
    }
    println!(
        "\nwhole rezone (3 modes, {} threads): {:.2} s; the map is not re-imported, graphs and snap indexes are shared",
        rayon::current_num_threads(),
        update.seconds
    );

    // With the cache: lifting the zone and sealing it again are reads, not preparations.
    let dir = std::env::temp_dir().join(format!("doorstep-road-bench-z-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cached = RoadNetwork::build(
        &map,
        RoadConfig::default(),
        ZoneIndex::default(),
        Utc::now(),
        Some(ChCache::open(&dir).expect("cache dir")),
    )
    .expect("build");
    let report = |label: &str, u: &doorstep::road::ZoneUpdate| {
        let modes: Vec<String> = u
            .modes
            .iter()
            .map(|m| match &m.prepared {
                Some(p) => format!("{} {:?} {:.3} s", m.mode, p.how, p.seconds),
                None => format!("{} unchanged", m.mode),
            })
            .collect();
        println!("{label}: {:.3} s ({})", u.seconds, modes.join(", "));
    };
    let (sealed, u) = cached.rezone(zones.clone(), Utc::now()).expect("rezone");
    report("seal (cache cold)", &u);
    let (lifted, u) = sealed
        .rezone(ZoneIndex::default(), Utc::now())
        .expect("rezone");
    report("lift (cache warm)", &u);
    let (_, u) = lifted.rezone(zones.clone(), Utc::now()).expect("rezone");
    report("seal again (cache warm)", &u);
    let _ = std::fs::remove_dir_all(&dir);
    println!("process after: {}", rss());
}

/// A block on the north-west side of 巴山街 standing in for the sealed compound at No. 32,
/// with its checkpoint on the fence facing the street.
fn bashan_32() -> Zone {
    let polygon = parse_geojson_polygon(
        r#"{"type":"Polygon","coordinates":[[[126.6535,45.7495],[126.6555,45.7495],[126.6555,45.7512],[126.6535,45.7512],[126.6535,45.7495]]]}"#,
    )
    .expect("polygon");
    Zone::try_new(
        ZoneId(Uuid::nil()),
        "巴山街32号",
        ZoneKind::HighRisk,
        polygon,
        Some(Point::new(126.6550, 45.7495)),
        ActivePeriod::ALWAYS,
    )
    .expect("zone")
}

fn pct(times: &mut [Duration], p: usize) -> f64 {
    times.sort_unstable();
    let i = (times.len() * p / 100).min(times.len() - 1);
    times[i].as_secs_f64() * 1e6
}

fn median_f(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn time_once(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1e3
}

fn time_median(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..reps).map(|_| time_once(&mut f)).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.trim_start_matches(name).trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    format!("RSS {} (peak {})", field("VmRSS:"), field("VmHWM:"))
}
