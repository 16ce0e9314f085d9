//! The road network on the real Harbin extract: the hierarchy's costs equal plain Dijkstra's
//! on random pairs, walkers enter private compound roads, directions name real streets, and bad
//! points are refused with the distance. Skipped (saying so) when `../shared/data` is absent.
//!
//! Prepared graphs are cached under `target/` so that repeated runs skip preparation.

use std::path::Path;
use std::sync::OnceLock;

use chrono::Utc;
use doorstep::osm::{ImportOptions, RawMap, import};
use doorstep::road::{ChCache, Located, RoadConfig, RoadError, RoadNetwork, TravelMode};
use doorstep::zone::ZoneIndex;
use geo::Point;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const PBF: &str = "../shared/data/osm/harbin.osm.pbf";

fn harbin() -> Option<&'static (RawMap, RoadNetwork)> {
    static NET: OnceLock<Option<(RawMap, RoadNetwork)>> = OnceLock::new();
    NET.get_or_init(|| {
        if !Path::new(PBF).exists() {
            return None;
        }
        let map = import(Path::new(PBF), &ImportOptions::default()).expect("import");
        let cache = ChCache::open(Path::new(env!("CARGO_TARGET_TMPDIR")).join("road-ch-cache"))
            .expect("cache dir");
        let net = RoadNetwork::build(
            &map,
            RoadConfig::default(),
            ZoneIndex::default(),
            Utc::now(),
            Some(cache),
        )
        .expect("build");
        Some((map, net))
    })
    .as_ref()
}

macro_rules! harbin_or_skip {
    () => {
        match harbin() {
            Some(h) => h,
            None => {
                eprintln!("skipped: {PBF} not found");
                return;
            }
        }
    };
}

fn random_points(rng: &mut StdRng, n: usize) -> Vec<Point<f64>> {
    (0..n)
        .map(|_| {
            Point::new(
                rng.random_range(126.60..126.70),
                rng.random_range(45.72..45.78),
            )
        })
        .collect()
}

#[test]
fn hierarchy_costs_equal_dijkstra_on_random_pairs() {
    let (_, net) = harbin_or_skip!();
    let mut rng = StdRng::seed_from_u64(4);
    for mode in TravelMode::ALL {
        let located: Vec<Located> = random_points(&mut rng, 120)
            .into_iter()
            .map(|p| net.locate(mode, p).expect("locate"))
            .collect();
        let buckets = net.matrix_located(&located, &located).expect("matrix");
        let dijkstra = net.matrix_dijkstra(&located, &located).expect("matrix");
        assert_eq!(buckets, dijkstra, "{mode}: matrix");
        assert_eq!(buckets.unreachable_count(), 0, "{mode}: largest component");
        for _ in 0..300 {
            let (i, j) = (
                rng.random_range(0..located.len()),
                rng.random_range(0..located.len()),
            );
            let ch = net.cost(&located[i], &located[j]).expect("cost");
            assert_eq!(ch, buckets.get(i, j), "{mode} {i}->{j}");
            assert_eq!(
                ch,
                net.cost_dijkstra(&located[i], &located[j]).expect("cost"),
                "{mode} {i}->{j}"
            );
            let route = net.route_located(&located[i], &located[j]).expect("route");
            assert_eq!(Some(route.duration_s), ch.map(|c| c.duration_s()));
            let steps_m: f64 = route.steps.iter().map(|s| s.distance_m).sum();
            assert!(
                (steps_m - route.distance_m).abs() < 2.0,
                "{mode} {i}->{j}: steps {steps_m} m, route {} m",
                route.distance_m
            );
        }
    }
}

#[test]
fn walkers_use_private_compound_roads() {
    let (map, net) = harbin_or_skip!();
    let private: Vec<_> = map
        .roads
        .iter()
        .filter(|r| r.highway == "service" && r.tags.is("access", "private"))
        .collect();
    assert!(!private.is_empty(), "Harbin has private service roads");
    for road in private {
        let (a, b) = (road.coords[0], road.coords[road.coords.len() - 1]);
        let foot = net.mode(TravelMode::Foot);
        // The middle of its longest segment: no other road is nearer there.
        let k = (0..road.coords.len() - 1)
            .max_by(|&i, &j| {
                let len = |k: usize| {
                    let (p, q) = (road.coords[k], road.coords[k + 1]);
                    (p.x - q.x).hypot(p.y - q.y)
                };
                len(i).total_cmp(&len(j))
            })
            .unwrap_or(0);
        let (p, q) = (road.coords[k], road.coords[k + 1]);
        let middle = Point::new((p.x + q.x) / 2.0, (p.y + q.y) / 2.0);
        let on = net.locate(TravelMode::Foot, middle).expect("locate");
        assert!(
            foot.graph().way_of(on.waypoint().snap.edge).tagged_private,
            "way {:?}: a walker snaps to the private road itself",
            road.id
        );
        let route = net
            .route(TravelMode::Foot, Point::from(a), Point::from(b))
            .expect("route");
        let length_m: f64 = road
            .coords
            .windows(2)
            .map(|w| {
                use geo::{Distance, Haversine};
                Haversine.distance(Point::from(w[0]), Point::from(w[1]))
            })
            .sum();
        assert!(
            route.distance_m <= length_m + 1.0,
            "way {:?}: walk {} m, road {} m",
            road.id,
            route.distance_m,
            length_m
        );
    }
}

#[test]
fn directions_name_bashan_and_heishan_streets() {
    let (_, net) = harbin_or_skip!();
    // On 巴山街 south-west of its junction with 黑山街 (126.65624, 45.74983), to 黑山街
    // north-west of it.
    let route = net
        .route(
            TravelMode::Foot,
            Point::new(126.6535, 45.7482),
            Point::new(126.6534, 45.7519),
        )
        .expect("route");
    let zh: Vec<&str> = route
        .steps
        .iter()
        .map(|s| s.instruction_zh.as_str())
        .collect();
    assert!(
        zh.iter()
            .any(|s| s.starts_with("沿巴山街步行") && s.contains("左转进入黑山街")),
        "{zh:#?}"
    );
    assert!(zh.iter().any(|s| s.starts_with("沿黑山街步行")), "{zh:#?}");
}

#[test]
fn points_off_the_map_are_refused_with_the_distance() {
    let (_, net) = harbin_or_skip!();
    let beijing = Point::new(116.40, 39.90);
    let err = net.locate(TravelMode::Foot, beijing).unwrap_err();
    match &err {
        RoadError::OutsideExtract { distance_m, .. } => {
            assert!((900_000.0..1_100_000.0).contains(distance_m), "{err}")
        }
        other => panic!("expected OutsideExtract, got {other:?}"),
    }
    assert!(
        err.to_string().contains("km outside the map extract"),
        "{err}"
    );
    let many = vec![Point::new(126.65, 45.75); 100_000];
    let err = net.matrix(TravelMode::Foot, &many, &many).unwrap_err();
    assert!(matches!(err, RoadError::MatrixTooLarge { .. }), "{err}");
}
