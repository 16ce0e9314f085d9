//! The geocoder on a small hand-made map (no external data): every query form of the issue
//! against known answers.

use doorstep::geocode::{Geocoder, Level};
use doorstep::osm::*;
use geo::{Coord, LineString, MultiPolygon, Point, Polygon, Rect};

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

fn names(n: &str, en: Option<&str>) -> Names {
    Names {
        name: Some(n.to_string()),
        variants: en
            .map(|e| vec![("name:en".to_string(), e.to_string())])
            .unwrap_or_default(),
    }
}

fn road(id: i64, name: &str, en: Option<&str>, nodes: &[(i64, f64, f64)]) -> RawRoad {
    RawRoad {
        id: OsmWayId(id),
        nodes: nodes.iter().map(|n| OsmNodeId(n.0)).collect(),
        coords: nodes.iter().map(|n| c(n.1, n.2)).collect(),
        highway: "residential".into(),
        names: names(name, en),
        tags: Tags::default(),
    }
}

fn square(x: f64, y: f64, half: f64) -> Polygon<f64> {
    Polygon::new(
        LineString(vec![
            c(x - half, y - half),
            c(x + half, y - half),
            c(x + half, y + half),
            c(x - half, y + half),
            c(x - half, y - half),
        ]),
        vec![],
    )
}

fn addr(id: i64, n: &str, street: &str, x: f64, y: f64) -> RawAddress {
    RawAddress {
        id: OsmId::Node(OsmNodeId(id)),
        point: Point(c(x, y)),
        housenumber: Some(n.into()),
        street: Some(street.into()),
        tags: Tags::new(vec![
            ("addr:housenumber".into(), n.into()),
            ("addr:street".into(), street.into()),
            ("addr:city".into(), "Baltimore".into()),
            ("addr:state".into(), "MD".into()),
        ]),
    }
}

/// 巴山街 runs east–west, 黑山街 north–south; they share node 3. 鸿翔名苑 is a compound north of
/// the crossing with building 3栋 inside; 光华中学 a school; Boston Street has numbers.
fn fixture() -> RawMap {
    let compound = square(126.655, 45.752, 0.001);
    RawMap {
        bounds: Rect::new(c(126.60, 45.70), c(126.70, 45.80)),
        roads: vec![
            road(
                1,
                "巴山街",
                None,
                &[
                    (1, 126.650, 45.750),
                    (2, 126.653, 45.750),
                    (3, 126.656, 45.750),
                    (4, 126.659, 45.750),
                ],
            ),
            road(
                2,
                "黑山街",
                None,
                &[
                    (5, 126.656, 45.746),
                    (3, 126.656, 45.750),
                    (6, 126.656, 45.754),
                ],
            ),
            road(
                3,
                "红军街 - Hongjun Street",
                Some("Hongjun Street"),
                &[(7, 126.640, 45.760), (8, 126.645, 45.760)],
            ),
            road(
                4,
                "Boston Street",
                None,
                &[(9, 126.670, 45.780), (10, 126.680, 45.780)],
            ),
        ],
        barriers: vec![],
        areas: vec![RawArea {
            id: OsmId::Way(OsmWayId(10)),
            kind: AreaKind::Residential,
            names: names("鸿翔名苑", None),
            polygon: MultiPolygon(vec![compound]),
            tags: Tags::new(vec![("landuse".into(), "residential".into())]),
        }],
        buildings: vec![RawBuilding {
            id: OsmId::Way(OsmWayId(11)),
            outline: square(126.6555, 45.7525, 0.0001).exterior().clone(),
            names: names("3栋", None),
            tags: Tags::new(vec![("building".into(), "residential".into())]),
        }],
        pois: vec![RawPoi {
            id: OsmId::Node(OsmNodeId(20)),
            point: Point(c(126.645, 45.745)),
            names: names("哈尔滨市光华中学", None),
            kind: ("amenity".into(), "school".into()),
            tags: Tags::default(),
        }],
        addresses: vec![
            addr(30, "2400", "Boston Street", 126.6700, 45.7801),
            addr(31, "2410", "Boston Street", 126.6710, 45.7801),
            addr(32, "85号", "红军街 - Hongjun Street", 126.6420, 45.7601),
        ],
        interpolations: vec![],
        boundaries: vec![RawBoundary {
            id: OsmRelationId(40),
            admin_level: 6,
            names: names("南岗区", Some("Nangang District")),
            polygon: MultiPolygon(vec![square(126.65, 45.75, 0.05)]),
        }],
    }
}

fn near(a: Option<&doorstep::geocode::Candidate>, x: f64, y: f64, tol_deg: f64) -> bool {
    a.is_some_and(|b| (b.lon - x).abs() < tol_deg && (b.lat - y).abs() < tol_deg)
}

#[test]
fn every_form_of_the_issue() {
    let g = Geocoder::build(&fixture());
    let a = g.geocode("巴山街32号");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Street),
        "{a:?}"
    );
    assert!(near(a.best.as_ref(), 126.6545, 45.750, 0.005));
    assert_eq!(a.components.number.as_deref(), Some("32"));

    let a = g.geocode("哈尔滨市南岗区鸿翔名苑3栋2单元501");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Building),
        "{a:?}"
    );
    assert!(near(a.best.as_ref(), 126.6555, 45.7525, 0.0002));
    assert_eq!(a.components.district.as_deref(), Some("南岗区"));
    assert_eq!(a.components.unit.as_deref(), Some("2"));
    assert_eq!(a.components.room.as_deref(), Some("501"));

    let a = g.geocode("鸿翔名苑5号楼");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Compound),
        "{a:?}"
    );

    for q in [
        "黑山街与巴山街交口",
        "巴山街和黑山街交叉口",
        "黑山街/巴山街",
    ] {
        let a = g.geocode(q);
        assert_eq!(
            a.best.as_ref().map(|b| b.level),
            Some(Level::Intersection),
            "{q}: {a:?}"
        );
        assert!(near(a.best.as_ref(), 126.656, 45.750, 0.0001), "{q}");
    }

    let a = g.geocode("南崗區巴山街３２號");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Street),
        "{a:?}"
    );
    let a = g.geocode("巴山街三十二号");
    assert_eq!(a.components.number.as_deref(), Some("32"));

    // One same-pinyin character (宏 for 鸿), one missing (鸿翔苑).
    for q in ["宏翔名苑", "鸿翔苑"] {
        let a = g.geocode(q);
        assert_eq!(
            a.best.as_ref().map(|b| b.name.as_str()),
            Some("鸿翔名苑"),
            "{q}: {a:?}"
        );
    }

    let a = g.geocode("红军街85号");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Address),
        "{a:?}"
    );
    for q in ["Hongjun Street 85", "No. 85 Hongjun St"] {
        let a = g.geocode(q);
        assert_eq!(
            a.best.as_ref().map(|b| b.level),
            Some(Level::Address),
            "{q}: {a:?}"
        );
    }
    let a = g.geocode("Bashan Street");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Street),
        "{a:?}"
    );

    let a = g.geocode("光华中学");
    assert_eq!(a.best.as_ref().map(|b| b.level), Some(Level::Poi), "{a:?}");
}

#[test]
fn dense_numbers_and_interpolation() {
    let g = Geocoder::build(&fixture());
    let a = g.geocode("2400 Boston St, Baltimore, MD 21224");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::Address),
        "{a:?}"
    );
    assert_eq!(a.components.postcode.as_deref(), Some("21224"));
    let a = g.geocode("2406 boston street");
    assert_eq!(
        a.best.as_ref().map(|b| b.level),
        Some(Level::StreetNumber),
        "{a:?}"
    );
    assert!(near(a.best.as_ref(), 126.6706, 45.7801, 0.00001), "{a:?}");
}

#[test]
fn no_confident_match_is_an_answer() {
    let g = Geocoder::build(&fixture());
    for q in [
        "asdkjh qwpo",
        "成都市锦江区春熙路",
        "北京市朝阳区建国路88号",
        "撒旦法规划",
        "123 Main St, Springfield, IL",
        "",
        "   ",
        "！！！",
        &"巴".repeat(5000),
    ] {
        let a = g.geocode(q);
        assert!(a.best.is_none(), "{q:?} should not match: {a:?}");
    }
}

#[test]
fn suggestions_complete_names_and_pinyin() {
    let g = Geocoder::build(&fixture());
    let s = g.suggest("鸿翔", 10);
    assert_eq!(s.first().map(|s| s.name.as_str()), Some("鸿翔名苑"));
    let s = g.suggest("南岗区巴山", 10);
    assert_eq!(s.first().map(|s| s.name.as_str()), Some("巴山街"));
    let s = g.suggest("hongx", 10);
    assert_eq!(s.first().map(|s| s.name.as_str()), Some("鸿翔名苑"));
    assert!(g.suggest("", 10).is_empty());
    let s = g.suggest("名苑", 10);
    assert_eq!(s.first().map(|s| s.name.as_str()), Some("鸿翔名苑"));
}

#[test]
fn the_index_saves_and_loads() {
    let g = Geocoder::build(&fixture());
    let dir = std::env::temp_dir().join(format!("doorstep-geo-index-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("fixture.geoidx");
    g.save(&p).unwrap();
    let h = Geocoder::load(&p).unwrap();
    for q in ["巴山街32号", "黑山街与巴山街交口", "2406 boston street"] {
        assert_eq!(g.geocode(q), h.geocode(q));
    }
    std::fs::write(&p, b"not an index").unwrap();
    assert!(Geocoder::load(&p).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
