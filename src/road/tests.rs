//! Behaviour of the whole road network on small hand-made maps.

use chrono::{TimeZone, Utc};
use geo::{Coord, MultiPolygon, Point, polygon};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::graph::tests::{map, road};
use super::*;
use crate::osm::RawMap;
use crate::zone::{ActivePeriod, Zone, ZoneId, ZoneIndex, ZoneKind};

const LON0: f64 = 126.60;
const LAT0: f64 = 45.72;
const DLON: f64 = 0.002;
const DLAT: f64 = 0.0015;

fn at(i: usize, j: usize) -> (f64, f64) {
    (LON0 + j as f64 * DLON, LAT0 + i as f64 * DLAT)
}

fn node(n: usize, i: usize, j: usize) -> (i64, f64, f64) {
    let (x, y) = at(i, j);
    (1000 + (i * n + j) as i64, x, y)
}

/// An n × n grid of streets: rows `横{i}街` (row 2 is 巴山街), columns `纵{j}路` (column 3 is
/// 黑山街); every third row is one-way eastbound.
fn grid(n: usize) -> RawMap {
    let mut roads = Vec::new();
    for i in 0..n {
        let name = if i == 2 {
            "巴山街".to_string()
        } else {
            format!("横{i}街")
        };
        let oneway: &[(&str, &str)] = if i % 3 == 1 {
            &[("oneway", "yes")]
        } else {
            &[]
        };
        let pts: Vec<_> = (0..n).map(|j| node(n, i, j)).collect();
        roads.push(road(i as i64 + 1, "residential", Some(&name), oneway, &pts));
    }
    for j in 0..n {
        let name = if j == 3 {
            "黑山街".to_string()
        } else {
            format!("纵{j}路")
        };
        let pts: Vec<_> = (0..n).map(|i| node(n, i, j)).collect();
        roads.push(road(100 + j as i64, "tertiary", Some(&name), &[], &pts));
    }
    let mut m = map(roads, vec![]);
    let (x1, y1) = at(n - 1, n - 1);
    m.bounds = geo::Rect::new(
        Coord {
            x: LON0 - 0.001,
            y: LAT0 - 0.001,
        },
        Coord {
            x: x1 + 0.001,
            y: y1 + 0.001,
        },
    );
    m
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 11, 29, 12, 0, 0).unwrap()
}

fn network(m: &RawMap) -> RoadNetwork {
    RoadNetwork::build(m, RoadConfig::default(), ZoneIndex::default(), now(), None).unwrap()
}

fn random_point(rng: &mut StdRng, m: &RawMap) -> Point<f64> {
    let (min, max) = (m.bounds.min(), m.bounds.max());
    Point::new(
        rng.random_range(min.x + 0.001..max.x - 0.001),
        rng.random_range(min.y + 0.001..max.y - 0.001),
    )
}

#[test]
fn hierarchy_costs_equal_dijkstra_in_every_mode() {
    let m = grid(12);
    let net = network(&m);
    let mut rng = StdRng::seed_from_u64(7);
    for mode in TravelMode::ALL {
        let points: Vec<Located> = (0..40)
            .map(|_| net.locate(mode, random_point(&mut rng, &m)).unwrap())
            .collect();
        for a in &points {
            for b in &points {
                let ch = net.cost(a, b).unwrap();
                let dj = net.cost_dijkstra(a, b).unwrap();
                assert_eq!(ch, dj, "{mode}");
                let route = net.route_located(a, b).unwrap();
                let c = ch.unwrap();
                assert_eq!(route.duration_s, c.duration_s());
            }
        }
        let by_buckets = net.matrix_located(&points, &points).unwrap();
        let by_dijkstra = net.matrix_dijkstra(&points, &points).unwrap();
        assert_eq!(by_buckets, by_dijkstra, "{mode}");
        for i in 0..points.len() {
            for j in 0..points.len() {
                assert_eq!(
                    by_buckets.get(i, j),
                    net.cost(&points[i], &points[j]).unwrap()
                );
            }
        }
    }
}

/// 巴山街 running east to a corner where 黑山街 runs north.
fn corner() -> RawMap {
    let mut m = map(
        vec![
            road(
                1,
                "residential",
                Some("巴山街"),
                &[],
                &[
                    (1, 126.650, 45.750),
                    (2, 126.651, 45.750),
                    (3, 126.652, 45.750),
                    (4, 126.653, 45.750),
                ],
            ),
            road(
                2,
                "residential",
                Some("黑山街"),
                &[],
                &[
                    (4, 126.653, 45.750),
                    (5, 126.653, 45.751),
                    (6, 126.653, 45.752),
                    (7, 126.653, 45.753),
                ],
            ),
        ],
        vec![],
    );
    m.bounds = geo::Rect::new(
        Coord {
            x: 126.64,
            y: 45.74,
        },
        Coord {
            x: 126.66,
            y: 45.76,
        },
    );
    m
}

#[test]
fn directions_name_streets_and_turns() {
    let m = corner();
    let net = network(&m);
    let from = Point::new(126.6505, 45.7502);
    let to = Point::new(126.6532, 45.7525);
    let r = net.route(TravelMode::Foot, from, to).unwrap();
    let zh: Vec<&str> = r.steps.iter().map(|s| s.instruction_zh.as_str()).collect();
    let en: Vec<&str> = r.steps.iter().map(|s| s.instruction_en.as_str()).collect();
    assert_eq!(
        zh,
        vec![
            "步行20米到达巴山街",
            "沿巴山街步行190米，左转进入黑山街",
            "沿黑山街步行280米",
            "步行20米到达门口",
        ]
    );
    assert_eq!(en[1], "Walk 190 m along 巴山街, then turn left onto 黑山街");
    // 194.5 m east, 278 m north, door legs of 22 m and 15.5 m.
    assert!((505.0..515.0).contains(&r.distance_m), "{}", r.distance_m);
    let first = r.geometry.0.first().unwrap();
    assert_eq!((first.x, first.y), (from.x(), from.y()));
    let last = r.geometry.0.last().unwrap();
    assert_eq!((last.x, last.y), (to.x(), to.y()));
    let sum: f64 = r.steps.iter().map(|s| s.distance_m).sum();
    assert!(
        (sum - r.distance_m).abs() < 1.0,
        "{sum} vs {}",
        r.distance_m
    );
    let van = net.route(TravelMode::Van, from, to).unwrap();
    assert_eq!(
        van.steps[1].instruction_zh,
        "沿巴山街行驶190米，左转进入黑山街"
    );
}

#[test]
fn legs_of_a_tour_join_up() {
    let m = grid(8);
    let net = network(&m);
    let mut rng = StdRng::seed_from_u64(11);
    let stops: Vec<Located> = (0..5)
        .map(|_| {
            net.locate(TravelMode::Tricycle, random_point(&mut rng, &m))
                .unwrap()
        })
        .collect();
    let legs: Vec<Route> = net.legs(&stops).into_iter().map(Result::unwrap).collect();
    assert_eq!(legs.len(), 4);
    for (k, leg) in legs.iter().enumerate() {
        assert_eq!(leg.from.served, stops[k].waypoint().served);
        assert_eq!(leg.to.served, stops[k + 1].waypoint().served);
        let end = leg.geometry.0.last().unwrap();
        let next = legs.get(k + 1).map(|l| l.geometry.0[0]);
        assert!(next.is_none_or(|c| c == *end));
    }
}

#[test]
fn one_way_streets_bind_vehicles_not_walkers() {
    let m = grid(8);
    let net = network(&m);
    // Row 1 is one-way eastbound: going west along it a van must detour, a walker need not.
    let (xa, y) = at(1, 5);
    let (xb, _) = at(1, 2);
    let (a, b) = (Point::new(xa + 0.0003, y), Point::new(xb + 0.0003, y));
    let foot_w = net.route(TravelMode::Foot, a, b).unwrap();
    let van_w = net.route(TravelMode::Van, a, b).unwrap();
    let van_e = net.route(TravelMode::Van, b, a).unwrap();
    assert!(van_w.distance_m > van_e.distance_m + 200.0);
    assert!((foot_w.distance_m - van_e.distance_m).abs() < 1.0);
}

fn zone_around_cell(id: u128, i: usize, j: usize) -> Zone {
    // The block between rows i, i+1 and columns j, j+1, grown to swallow its four corners, so
    // that the streets around it run through the zone.
    let (x0, y0) = at(i, j);
    let (x1, y1) = at(i + 1, j + 1);
    let e = 0.0002;
    let polygon = MultiPolygon(vec![polygon![
        (x: x0 - e, y: y0 - e),
        (x: x1 + e, y: y0 - e),
        (x: x1 + e, y: y1 + e),
        (x: x0 - e, y: y1 + e),
        (x: x0 - e, y: y0 - e),
    ]]);
    Zone::try_new(
        ZoneId(Uuid::from_u128(id)),
        "巴山街32号",
        ZoneKind::HighRisk,
        polygon,
        Some(Point::new((x0 + x1) / 2.0, y0 - e - 0.0003)),
        ActivePeriod::ALWAYS,
    )
    .unwrap()
}

#[test]
fn high_risk_zone_is_never_crossed_and_served_at_its_checkpoint() {
    let m = grid(8);
    let net = network(&m);
    let zone = zone_around_cell(1, 3, 3);
    let polygon = zone.polygon.clone();
    let checkpoint = zone.checkpoint.unwrap();
    let (zoned, update) = net
        .rezone(ZoneIndex::new(vec![zone.clone()]), now())
        .unwrap();
    for u in &update.modes {
        assert!(u.blocked_edges >= 4, "{u:?}");
        let p = u.prepared.as_ref().unwrap();
        assert_eq!(p.how, PreparedBy::ContractionWithOrder);
    }
    // Straight through the zone west → east along row 3.5 is no longer possible.
    let (xw, y3) = at(3, 1);
    let (xe, _) = at(3, 6);
    let (_, y4) = at(4, 0);
    let a = Point::new(xw, (y3 + y4) / 2.0);
    let b = Point::new(xe, (y3 + y4) / 2.0);
    let mut rng = StdRng::seed_from_u64(3);
    let mut points = vec![a, b];
    points.extend((0..30).map(|_| random_point(&mut rng, &m)));
    let inside = |c: &Coord<f64>| {
        use geo::Contains;
        polygon.contains(&Point::from(*c))
    };
    for mode in TravelMode::ALL {
        for &p in &points {
            for &q in &points {
                let route = zoned.route(mode, p, q).unwrap();
                let (from_in, to_in) = (zone.contains(p), zone.contains(q));
                if !from_in && !to_in {
                    assert!(
                        !route.geometry.0.iter().any(inside),
                        "{mode} route crosses the zone"
                    );
                }
                if to_in {
                    assert_eq!(route.to.served, checkpoint);
                    assert_eq!(route.to.via_checkpoint_of, Some(zone.id));
                }
            }
        }
        let before = net.route(mode, a, b).unwrap();
        let after = zoned.route(mode, a, b).unwrap();
        assert!(after.distance_m > before.distance_m);
    }
    // The located point inside the zone is the checkpoint.
    let (xi, yi) = at(3, 3);
    let inner = Point::new(xi + DLON / 2.0, yi + DLAT / 2.0);
    let w = *zoned.locate(TravelMode::Foot, inner).unwrap().waypoint();
    assert_eq!(w.served, checkpoint);
    // Lifting the zone returns the original graph.
    let (open, update) = zoned.rezone(ZoneIndex::default(), now()).unwrap();
    assert!(update.modes.iter().all(|u| u.blocked_edges == 0));
    let again = open.route(TravelMode::Van, a, b).unwrap();
    let before = net.route(TravelMode::Van, a, b).unwrap();
    assert_eq!(again.duration_s, before.duration_s);
    // Points located before the change are refused, not misused.
    let old = net.locate(TravelMode::Foot, a).unwrap();
    let new = zoned.locate(TravelMode::Foot, b).unwrap();
    assert_eq!(zoned.cost(&old, &new), Err(RoadError::StaleLocation));
    // A rezone with the same zones does nothing.
    let (_, same) = open.rezone(ZoneIndex::default(), now()).unwrap();
    assert!(same.modes.iter().all(|u| u.prepared.is_none()));
}

/// A street with a bollard in the middle and a gated compound: a private service road leaves
/// the street at one gate west of the bollard and returns at another east of it.
fn compound() -> RawMap {
    let street: Vec<_> = (0..7)
        .map(|k| (1 + k, 126.650 + k as f64 * 0.001, 45.750))
        .collect();
    let mut m = map(
        vec![
            road(1, "residential", Some("巴山街"), &[], &street),
            road(
                2,
                "service",
                None,
                &[("access", "private")],
                &[
                    (2, 126.651, 45.750),
                    (20, 126.651, 45.7503),
                    (21, 126.653, 45.7503),
                    (22, 126.655, 45.7503),
                    (6, 126.655, 45.750),
                ],
            ),
        ],
        vec![crate::osm::RawBarrier {
            id: crate::osm::OsmNodeId(4),
            coord: Coord {
                x: 126.653,
                y: 45.750,
            },
            tags: super::graph::tests::tags(&[("barrier", "bollard")]),
        }],
    );
    m.bounds = geo::Rect::new(
        Coord {
            x: 126.640,
            y: 45.740,
        },
        Coord {
            x: 126.670,
            y: 45.760,
        },
    );
    m
}

#[test]
fn vehicles_enter_private_roads_only_to_reach_a_stop() {
    let m = compound();
    let config = RoadConfig {
        snap_to_largest_component: false,
        ..RoadConfig::default()
    };
    let net = RoadNetwork::build(&m, config, ZoneIndex::default(), now(), None).unwrap();
    let west = Point::new(126.6505, 45.7499);
    let east = Point::new(126.6555, 45.7499);
    let inside = Point::new(126.653, 45.7504);
    let inside_east = Point::new(126.6545, 45.7503);
    // The bollard stops the van and the compound is closed to through traffic: no route.
    let van = net.route(TravelMode::Van, west, east);
    assert!(matches!(van, Err(RoadError::Unreachable { .. })), "{van:?}");
    // Walkers pass the bollard.
    let foot = net.route(TravelMode::Foot, west, east).unwrap();
    assert!(
        (400.0..420.0).contains(&foot.distance_m),
        "{}",
        foot.distance_m
    );
    // Into the compound, out of it, and within it: allowed for the van.
    let to_stop = net.route(TravelMode::Van, west, inside).unwrap();
    let graph = net.mode(TravelMode::Van).graph();
    assert!(graph.way_of(to_stop.to.snap.edge).tagged_private);
    assert!(to_stop.to.snap.distance_m < 12.0);
    assert!(net.route(TravelMode::Van, inside, west).is_ok());
    assert!(net.route(TravelMode::Van, inside, east).is_ok());
    let within = net.route(TravelMode::Van, inside, inside_east).unwrap();
    assert!(within.distance_m < 200.0, "{}", within.distance_m);
    // Hierarchy, Dijkstra and the matrix agree on these special cases too.
    let pts: Vec<Point<f64>> = vec![west, east, inside, inside_east];
    for mode in TravelMode::ALL {
        let located = net.locate_all(mode, &pts, "p").unwrap();
        let mx = net.matrix_located(&located, &located).unwrap();
        assert_eq!(mx, net.matrix_dijkstra(&located, &located).unwrap());
        for i in 0..pts.len() {
            for j in 0..pts.len() {
                assert_eq!(
                    mx.get(i, j),
                    net.cost(&located[i], &located[j]).unwrap(),
                    "{mode} {i}->{j}"
                );
                let route = net.route_located(&located[i], &located[j]);
                assert_eq!(
                    route.ok().map(|r| r.duration_s),
                    mx.duration_s(i, j),
                    "{mode} {i}->{j}"
                );
            }
        }
    }
}

#[test]
fn bad_input_gets_clear_errors() {
    let m = grid(6);
    let net = network(&m);
    let far = net
        .locate(TravelMode::Foot, Point::new(126.70, 45.72))
        .unwrap_err();
    let text = far.to_string();
    assert!(
        matches!(far, RoadError::OutsideExtract { distance_m, .. } if (6_000.0..7_500.0).contains(&distance_m)),
        "{text}"
    );
    assert!(text.contains("km outside the map extract"), "{text}");
    let nan = net
        .locate(TravelMode::Foot, Point::new(f64::NAN, 45.7))
        .unwrap_err();
    assert!(matches!(nan, RoadError::InvalidCoordinate { .. }));

    let many: Vec<Point<f64>> = vec![Point::new(126.61, 45.725); 100_000];
    let err = net.matrix(TravelMode::Foot, &many, &many).unwrap_err();
    assert!(
        err.to_string().contains("the limit is 5000 sources"),
        "{err}"
    );
    let err = net
        .matrix(TravelMode::Foot, &[], &[Point::new(126.61, 45.725)])
        .unwrap_err();
    assert_eq!(err, RoadError::EmptyMatrix);

    let bad = vec![Point::new(126.61, 45.725), Point::new(127.5, 45.725)];
    let err = net.matrix(TravelMode::Foot, &bad, &bad).unwrap_err();
    let fields: Vec<String> = err.field_errors().into_iter().map(|f| f.0).collect();
    assert_eq!(fields, vec!["sources[1]", "destinations[1]"]);
}

#[test]
fn unreachable_pairs_are_reported_not_priced() {
    // Two streets that do not meet, and no largest-component restriction.
    let mut m = map(
        vec![
            road(
                1,
                "residential",
                Some("甲街"),
                &[],
                &[(1, 126.650, 45.750), (2, 126.652, 45.750)],
            ),
            road(
                2,
                "residential",
                Some("乙街"),
                &[],
                &[(3, 126.650, 45.752), (4, 126.652, 45.752)],
            ),
        ],
        vec![],
    );
    m.bounds = geo::Rect::new(
        Coord {
            x: 126.64,
            y: 45.74,
        },
        Coord {
            x: 126.66,
            y: 45.76,
        },
    );
    let config = RoadConfig {
        snap_to_largest_component: false,
        ..RoadConfig::default()
    };
    let net = RoadNetwork::build(&m, config, ZoneIndex::default(), now(), None).unwrap();
    let pts = [Point::new(126.651, 45.7501), Point::new(126.651, 45.7521)];
    let mx = net.matrix(TravelMode::Foot, &pts, &pts).unwrap();
    assert!(mx.get(0, 0).is_some());
    assert_eq!(mx.get(0, 1), None);
    assert_eq!(mx.unreachable_count(), 2);
    let err = net.route(TravelMode::Foot, pts[0], pts[1]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no foot route between these points"
    );
    let c = net.mode(TravelMode::Foot).connectivity();
    assert_eq!((c.components, c.largest_share_nodes), (2, 0.5));
}

#[test]
fn prepared_graphs_are_cached_and_reused() {
    let m = grid(10);
    let dir = std::env::temp_dir().join(format!("doorstep-road-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let build = || {
        RoadNetwork::build(
            &m,
            RoadConfig::default(),
            ZoneIndex::default(),
            now(),
            Some(ChCache::open(&dir).unwrap()),
        )
        .unwrap()
    };
    let first = build();
    assert_eq!(
        first.mode(TravelMode::Foot).preparation.how,
        PreparedBy::Contraction
    );
    let second = build();
    for mode in TravelMode::ALL {
        assert_eq!(second.mode(mode).preparation.how, PreparedBy::Cache);
        assert_eq!(second.mode(mode).ch, first.mode(mode).ch);
    }
    // Zones change the key; with the open map cached, the zoned graph reuses its order.
    let zones = ZoneIndex::new(vec![zone_around_cell(1, 4, 4)]);
    let zoned = RoadNetwork::build(
        &m,
        RoadConfig::default(),
        zones,
        now(),
        Some(ChCache::open(&dir).unwrap()),
    )
    .unwrap();
    assert_eq!(
        zoned.mode(TravelMode::Van).preparation.how,
        PreparedBy::ContractionWithOrder
    );
    // A damaged file is ignored, not trusted.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let k = bytes.len() / 2;
        bytes[k] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
    }
    let third = build();
    assert_eq!(
        third.mode(TravelMode::Foot).preparation.how,
        PreparedBy::Contraction
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn api_types_serve_route_and_matrix() {
    let m = grid(6);
    let net = network(&m);
    let q = api::RouteQuery {
        from: "126.6031, 45.7231".into(),
        to: "126.609,45.7262".into(),
        mode: Some("walk".into()),
    };
    let r = api::route(&net, &q).unwrap();
    assert_eq!(r.geometry.kind, "LineString");
    assert!(r.duration_s > 0.0 && !r.steps.is_empty());
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["steps"][0]["instruction_zh"].is_string());

    let bad = api::RouteQuery {
        from: "45.72".into(),
        to: "126.7,45.72".into(),
        mode: Some("boat".into()),
    };
    let err = api::route(&net, &bad).unwrap_err();
    let fields: Vec<String> = err.field_errors().into_iter().map(|f| f.0).collect();
    assert_eq!(fields, vec!["mode", "from"]);

    let req: api::MatrixRequest =
        serde_json::from_str(r#"{"mode":"van","sources":[[126.6031,45.7231],[126.609,45.7262]]}"#)
            .unwrap();
    let mx = api::matrix(&net, &req).unwrap();
    assert_eq!(mx.durations_s.len(), 2);
    assert!(mx.durations_s[0][0].is_some());
    assert!(mx.durations_s[0][1].unwrap() > 0.0);
}

#[test]
fn network_is_shareable_between_server_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<RoadNetwork>();
    shareable::<Located>();
    shareable::<SharedRoadNetwork>();
}

#[test]
fn shared_network_swaps_on_zone_change() {
    let m = grid(8);
    let shared = SharedRoadNetwork::new(network(&m));
    let (xw, y3) = at(3, 1);
    let (xe, _) = at(3, 6);
    let (_, y4) = at(4, 0);
    let a = Point::new(xw, (y3 + y4) / 2.0);
    let b = Point::new(xe, (y3 + y4) / 2.0);
    let held = shared.current();
    let before = held.route(TravelMode::Foot, a, b).unwrap().distance_m;
    let update = shared
        .set_zones(ZoneIndex::new(vec![zone_around_cell(1, 3, 3)]), now())
        .unwrap();
    assert_eq!(update.modes.len(), 3);
    let after = shared
        .current()
        .route(TravelMode::Foot, a, b)
        .unwrap()
        .distance_m;
    assert!(after > before);
    // A request that took the network before the swap finishes on it.
    assert_eq!(
        held.route(TravelMode::Foot, a, b).unwrap().distance_m,
        before
    );
}
